#pragma once
// The telecomply command line, callable from main() and from the Python module.
#include <string>
#include <vector>

namespace telecomply::cli {
/// Runs the CLI with argv-style arguments (args[0] is the program name); returns the exit
/// status (0 ok / all eligible, 1 findings, 2 bad usage or input).
int run(const std::vector<std::string>& args);
}  // namespace telecomply::cli
