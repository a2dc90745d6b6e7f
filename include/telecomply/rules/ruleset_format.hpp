#pragma once
/// \file ruleset_format.hpp
/// One canonical layout for ruleset files (`telecomply fmt`, docs/rulesets.md, "Formatting"):
/// the members of a ruleset, a rule, an override and a variable in the order the format
/// documents them (unknown members after them, as written), every other object's members as
/// written; two spaces of indentation; a value that fits on its line (100 columns) written on
/// it, `{"zh": ..., "en": ...}` style, else one member or item per line; UTF-8 as is, no
/// escapes but JSON's own; one newline at the end.

#include <filesystem>
#include <string>
#include <string_view>

namespace telecomply {

/// The canonical text of a ruleset file. `file` names it in errors. Throws ruleset_error with
/// the line and column of a JSON syntax error, or the line and JSON path of a member given
/// twice. Formatting canonical text gives it back unchanged; the JSON value is never changed
/// (numbers keep their spelling's value: 150.0 stays 150.0). Thread-safe.
[[nodiscard]] std::string format_ruleset(std::string_view text, const std::string& file);

/// Formats a ruleset file: true when its text was not canonical. With `write`, the canonical
/// text replaces it atomically (a crash leaves the old file or the new one, never half of
/// one); without, nothing is written (`fmt --check`). Throws as format_ruleset(), and
/// ruleset_error when the file cannot be read or replaced.
bool format_ruleset_file(const std::filesystem::path& file, bool write);

}  // namespace telecomply
