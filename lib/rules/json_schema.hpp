#pragma once
// JSON Schema validation (draft-07, valijson) of applications and ruleset files, over nlohmann
// documents and over telecomply values in place. Private to the library.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

/// A compiled JSON Schema (draft-07 via valijson). Immutable and thread-safe to use (each thread
/// validates with a valijson::Validator of its own, which caches the compiled `pattern`s).
///
/// A value tree is first judged by the schema compiled into a schema_validator
/// (schema_validator.hpp), when the schema stays within what that understands: a document it
/// finds valid is valid; any other is validated by valijson, whose failure (path and message)
/// is the one reported. So the answers are valijson's, and the common case, a valid document,
/// costs a walk of the tree.
class json_schema {
  public:
    /// Who judges a value tree: the compiled validator first (the default), or valijson alone
    /// (the reference the tests and benchmarks compare it with).
    enum class value_validation : std::uint8_t { compiled_first, valijson_only };

    json_schema();
    ~json_schema();
    json_schema(json_schema&&) noexcept;
    json_schema& operator=(json_schema&&) noexcept;
    /// Loads a schema file; throws ruleset_error naming the file when it is not a valid schema.
    static json_schema load(const std::filesystem::path& file);
    static json_schema from_json(const nlohmann::json& schema, const std::string& name,
                                 value_validation how = value_validation::compiled_first);

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
    /// Whether validate(const value&) asks the compiled validator first; when the schema uses
    /// something it does not understand, why not (unsupported(), e.g. "keyword 'format' at
    /// #/properties/x").
    [[nodiscard]] bool compiled() const noexcept;
    [[nodiscard]] std::string unsupported() const;
    /// Whether a dotted field path ("materials.marketing_plan.purpose", "numbers.purpose" for
    /// a field of the items of an array) names something the schema describes: each step a
    /// member of `properties` (or allowed by `additionalProperties` other than false), through
    /// array `items`, local `$ref`s and the branches of allOf/anyOf/oneOf. False when no
    /// schema is loaded.
    [[nodiscard]] bool knows_path(std::string_view dotted_path) const;

    /// Where a dotted field path leaves what the schema describes (lint of rule expressions).
    struct path_lookup {
        bool known = false;                ///< the whole path is described
        std::size_t steps = 0;             ///< when not: how many leading steps are described
        bool closed = false;               ///< the object there allows no other members
        std::string type;                  ///< its "type" when that is not "object" ("string", ...)
        std::vector<std::string> members;  ///< the members described there, sorted
    };
    /// Looks `dotted_path` up as knows_path() does, saying where it stops and what was there.
    /// No schema loaded: known.
    [[nodiscard]] path_lookup lookup_path(std::string_view dotted_path) const;
    /// Whether the schema marks the value at `dotted_path`, or one it lies inside, `readOnly`
    /// (JSON Schema draft-07 §10.3: managed by its owner, not the writer of the document): a
    /// fact an application states, such as its applicant's founding date, that no fix may
    /// change.
    [[nodiscard]] bool read_only(std::string_view dotted_path) const;

    /// Draft-07 counts a number with a zero fractional part as an integer (100.0 and 1e2 are
    /// integers: JSON-Schema-Test-Suite draft7/type.json). Replaces every such double in `doc`
    /// that stands where the schema says "integer" (through properties, additionalProperties,
    /// items, local $refs and allOf/anyOf/oneOf branches) by the int of the same value, so that
    /// validation accepts it and the rules judge it as an integer. Doubles outside the int64
    /// range, fractional ones and NaN stay as they are (validation then refuses them). `doc`
    /// is the root of a document the caller owns and may change.
    void conform_integers(value& doc) const;
    /// The same for an nlohmann document (a ruleset file: `"daily_call_cap": 150.0`).
    void conform_integers(nlohmann::json& doc) const;
    /// The first number standing where the schema says "integer" that is one to draft-07 but
    /// beyond int64 (9223372036854775808, 9.3e18), which validation would refuse as a number of
    /// the wrong type: a failure that says what it is. nullopt when there is none.
    [[nodiscard]] std::optional<failure> integer_beyond_int64(const value& doc) const;
    /// Whether conform_integers() would change `doc` (a walk, no allocation).
    [[nodiscard]] bool has_integers_to_conform(const value& doc) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace telecomply::detail
