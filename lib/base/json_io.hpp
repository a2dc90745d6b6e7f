#pragma once
// JSON reading with locations: files, syntax errors with line and column, the line of a JSON
// path in a text, JSON path spelling and duplicate keys. Private to the library.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"

namespace telecomply::detail {

/// Reads a whole file; throws the data_error subclass of `code` (input_error, ruleset_error,
/// seal_error, calendar_error or workflow_error) naming it when it cannot be read or is a folder.
std::string read_file(const std::filesystem::path& file, errc code);

/// Parses JSON text; throws input_error/ruleset_error (per `code`) naming `file`, the line and
/// column of a syntax error. `first_line` offsets line numbers (JSON Lines).
/// `text` without a leading UTF-8 byte order mark (EF BB BF), which Windows Notepad writes
/// and JSON (RFC 8259 §8.1) lets a parser ignore. Every reader of JSON input drops it.
constexpr std::string_view without_bom(std::string_view text) noexcept {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    return text;
}

/// The most levels of arrays and objects a JSON input may nest (the root is level 1): what
/// simdjson reads by default, and every other reader refuses beyond it with a location.
inline constexpr std::size_t max_json_nesting = 1024;

/// The 1-based byte of the bracket that opens level `limit + 1` (brackets inside strings do not
/// count), or 0 when `text` nests no deeper than `limit`. Linear, no allocation.
std::size_t nesting_overflow_byte(std::string_view text, std::size_t limit) noexcept;

/// A NUL byte (which nlohmann would take for the end of the text), nesting beyond
/// max_json_nesting and an integer beyond 64 bits are refused as invalid JSON too, located.
nlohmann::json parse_json(std::string_view text, const std::string& file, errc code,
                          std::uint32_t first_line = 1);

/// Throws the data_error subclass of `code` for JSON text nlohmann refused with `e` (a syntax
/// error, or a number beyond a double such as 1e400), naming `file`, the line and the JSON path
/// of the value where the text failed.
[[noreturn]] void throw_json_failure(errc code, const std::string& file, std::string_view text,
                                     const nlohmann::json::exception& e,
                                     std::uint32_t first_line = 1);

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix: what reaches a
/// person ("parse error at line 3, column 7: syntax error while parsing value ...").
std::string json_error_message(const nlohmann::json::exception& e);

/// The 1-based line of a parse error's byte in `text`; `first_line` offsets it (JSON Lines).
std::uint32_t parse_error_line(const nlohmann::json::parse_error& e, std::string_view text,
                               std::uint32_t first_line = 1);

/// The 1-based line where the value at `json_path` ("$.rules[3].require") starts in `text`,
/// or 0 when it cannot be found. Only used on error paths.
std::uint32_t line_of(std::string_view text, std::string_view json_path);

/// "$.a.b[3].c" from a list of tokens; keys that are not identifiers are quoted: $["a b"].
std::string json_path_append_key(std::string path, std::string_view key);
std::string json_path_append_index(std::string path, std::size_t index);

/// The JSON paths (`$.a["b c"][2].x`) of object keys that appear twice in their object, in the
/// order met. nlohmann keeps one of the two silently; a file whose "2027" is listed twice must
/// be refused instead. Invalid JSON gives the duplicates met before the error. `append_key`
/// spells a member's path (default json_path_append_key).
using key_path_fn = std::string (*)(std::string path, std::string_view key);
std::vector<std::string> duplicate_keys(std::string_view text, key_path_fn append_key = nullptr);

/// Throws the data_error subclass of `code` naming `file`, the line and the JSON path of the
/// first key given twice in one object of `text` (nlohmann would silently keep the last: a
/// rule's second `require`, a parameter given twice). Nothing when every key is once.
void refuse_duplicate_keys(std::string_view text, const std::string& file, errc code);

/// Where and why `text` is not JSON nlohmann can read: `byte` (1-based; 0 when unknown), the
/// JSON path of the value being read (`$.a.b` for `{"a": {"b": 1e400}}`) and the message.
struct json_failure {
    std::size_t byte = 0;
    std::string path;
    std::string message;
};
/// The first failure of `text`, or nullopt when it is JSON telecomply reads: also a NUL byte,
/// nesting beyond max_json_nesting (memory stays linear in the depth) and an integer beyond 64
/// bits (which nlohmann would round to a double). Only used on error paths.
std::optional<json_failure> find_json_failure(std::string_view text,
                                              key_path_fn append_key = nullptr);

/// The 1-based line of a 1-based `byte` of `text`; `first_line` offsets it (JSON Lines).
std::uint32_t line_at_byte(std::string_view text, std::size_t byte, std::uint32_t first_line = 1);

}  // namespace telecomply::detail
