#pragma once
// JSON helpers shared by the loaders: reading files with located syntax errors, finding the
// line of a JSON path in a text, JSON Schema validation (valijson) and SHA-256 digests.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "telecomply/error.hpp"
#include "telecomply/value.hpp"

namespace telecomply::detail {

/// Reads a whole file; throws `E` (a data_error subclass) naming it when it cannot be read.
std::string read_file(const std::filesystem::path& file, errc code);

/// Parses JSON text; throws input_error/ruleset_error (per `code`) naming `file`, the line and
/// column of a syntax error. `first_line` offsets line numbers (JSON Lines).
nlohmann::json parse_json(std::string_view text, const std::string& file, errc code,
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

/// A compiled JSON Schema (draft-07 via valijson). Immutable and thread-safe to use (each thread
/// validates with a valijson::Validator of its own, which caches the compiled `pattern`s).
class json_schema {
  public:
    json_schema();
    ~json_schema();
    json_schema(json_schema&&) noexcept;
    json_schema& operator=(json_schema&&) noexcept;
    /// Loads a schema file; throws ruleset_error naming the file when it is not a valid schema.
    static json_schema load(const std::filesystem::path& file);
    static json_schema from_json(const nlohmann::json& schema, const std::string& name);

    struct failure {
        std::string json_path;  // "$.materials.marketing_plan.daily_calls_per_number"
        std::string message;
    };
    /// The first (deepest) failure, or nullopt when `doc` is valid.
    [[nodiscard]] std::optional<failure> validate(const nlohmann::json& doc) const;
    /// The same for a value tree (a telecomply::document's root), read in place through
    /// value_schema_adapter.hpp: no nlohmann::json copy. Documents parsed from JSON validate as
    /// their nlohmann form would; see that header for the kinds JSON does not have, and for
    /// unsigned integers above INT64_MAX (numbers, not integers, to the schema).
    [[nodiscard]] std::optional<failure> validate(const value& doc) const;
    [[nodiscard]] bool loaded() const noexcept { return impl_ != nullptr; }

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// "sha256:<hex>" of some bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace telecomply::detail
