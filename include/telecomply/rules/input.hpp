#pragma once
/// \file input.hpp
/// Reading application input: whole files, JSON text with the line of a syntax error, and JSON
/// Lines one line at a time. What the command line and the Python package read before they
/// check an application (engine::parse() adds the schema) or record a case
/// (case_service::create()).

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace telecomply {

/// The bytes of a whole file. Throws input_error naming the file (line 0, no JSON path) with
/// the message "cannot open the file" or "cannot read the file". Thread-safe.
[[nodiscard]] std::string read_input_file(const std::filesystem::path& file);

/// Parses JSON text (an application, event data) without any schema check. A syntax error
/// throws input_error naming `source`, the line of the error (counted from `first_line`, the
/// line the text starts on in its file) and the message "invalid JSON: " followed by the
/// parser's description. A key given twice in one object throws input_error with the JSON
/// path of the second (JSON readers differ on which they keep; evidence must not). Thread-safe.
[[nodiscard]] nlohmann::json parse_input_json(std::string_view text, std::string_view source,
                                              std::uint32_t first_line = 1);

/// One line of JSON Lines input.
struct input_line {
    std::uint32_t number = 0;  ///< 1-based line number in the stream (blank lines count)
    std::string text;          ///< the line without its "\n" (a "\r" before it is kept)
};

/// Reads JSON Lines (one JSON document per line) from a stream one line at a time, so that
/// memory stays flat whatever the stream's length. Blank lines (only spaces, tabs and "\r")
/// are skipped but counted, so that line numbers are those of the file. The stream must outlive
/// the reader. Not thread-safe: one reader per stream, used by one thread at a time.
class jsonl_reader {
  public:
    explicit jsonl_reader(std::istream& in) noexcept : in_(&in) {}

    /// The next non-blank line, or nullopt at the end of the stream (or when it fails).
    [[nodiscard]] std::optional<input_line> next();
    /// The next non-blank line into `line`, reusing its text's storage (a loop reading many
    /// lines then allocates only for the longest); false at the end of the stream (or when it
    /// fails), `line` then unspecified.
    [[nodiscard]] bool next(input_line& line);
    /// Lines read so far, blank ones included.
    [[nodiscard]] std::uint32_t lines_read() const noexcept { return lines_; }

  private:
    std::istream* in_;
    std::uint32_t lines_ = 0;
};

}  // namespace telecomply
