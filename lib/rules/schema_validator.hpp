#pragma once
/// \file schema_validator.hpp
/// A draft-07 JSON Schema compiled into a validator over telecomply::value: the fast path of
/// json_schema::validate(const value&). Private to the library.
///
/// It answers the question valijson answers through value_schema_adapter.hpp (valid or not),
/// the same way, without what costs valijson its time: member names copied into strings, a
/// context vector per step, `std::regex`, a `std::function` per constraint. The schema is
/// compiled once: `$ref`s resolved (siblings of a `$ref` ignored, as valijson and draft-07 do),
/// each object schema a table of its member names (the first 8 bytes of each as a value holds
/// them, so a lookup compares one word) with `required` as a bit mask, `enum` and `const` as
/// literals, `pattern` as schema_pattern.hpp has it, `type` as a set of schema_types.
///
/// Keywords understood: type, enum, const, $ref (local: "#", "#/a/b"), allOf, anyOf, oneOf,
/// properties, additionalProperties (false, true or a schema), required, items (one schema),
/// minItems, maxItems, minLength, maxLength (code points, counted as valijson counts them),
/// minimum, maximum, exclusiveMinimum, exclusiveMaximum (draft-07: numbers), pattern, and the
/// annotations that validate nothing ($schema, $comment, title, description, default, examples,
/// definitions, readOnly, writeOnly, and $id at the root). A schema with anything else, or with
/// one of these in a form valijson reads differently from draft-07 (a keyword's value of the
/// wrong JSON type, an `any` type, a pattern outside schema_pattern's subset, a `$ref` to
/// another document, a cycle of `$ref`s or combinators that never descends into the value,
/// more than 64 names in one object schema) is not compiled: usable() is false, and every
/// document goes to valijson. Correctness never depends on the fast path.
///
/// check() says valid, invalid, or undecided: what it cannot judge exactly as valijson would
/// (a pattern or length on a value that is a string only when rendered, such as a date from
/// Python; a member name given twice, which valijson's member lookup sees once) it leaves to
/// valijson. Documents parsed from JSON are never undecided.

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

class schema_validator {
  public:
    enum class verdict : std::uint8_t { valid, invalid, undecided };

    schema_validator();
    ~schema_validator();
    schema_validator(schema_validator&&) noexcept;
    schema_validator& operator=(schema_validator&&) noexcept;

    /// Compiles `schema`, a draft-07 schema that valijson has accepted. Never throws for a
    /// schema it cannot compile: the result is then not usable().
    static schema_validator compile(const nlohmann::json& schema);

    [[nodiscard]] bool usable() const noexcept { return impl_ != nullptr; }
    /// Why the schema was not compiled ("keyword 'format' at /properties/x"), or "".
    [[nodiscard]] const std::string& unsupported() const noexcept { return unsupported_; }
    /// `doc` against the schema. Not usable(): undecided.
    [[nodiscard]] verdict check(const value& doc) const noexcept;

  private:
    struct impl;
    std::unique_ptr<const impl> impl_;
    std::string unsupported_;
};

}  // namespace telecomply::detail
