#include "cli.hpp"

#include <iostream>

namespace telecomply::cli {
int run(const std::vector<std::string>& args) {
    (void)args;
    std::cout << "telecomply\n";
    return 0;
}
}  // namespace telecomply::cli
