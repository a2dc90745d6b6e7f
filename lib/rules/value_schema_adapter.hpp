#pragma once
/// \file value_schema_adapter.hpp
/// A valijson adapter over telecomply::value, so that a document parsed with simdjson (or
/// converted from Python) is validated against a JSON Schema without a nlohmann::json copy.
///
/// How values appear to the schema:
///
/// | value kind                  | JSON Schema type                                          |
/// |-----------------------------|-----------------------------------------------------------|
/// | null_, bool_, string        | null, boolean, string                                     |
/// | int_                        | integer                                                   |
/// | uint_ <= INT64_MAX          | integer                                                   |
/// | uint_ >  INT64_MAX          | number, *not* integer: valijson holds integers as int64,  |
/// |                             | so the value is handed over as the nearest double. A      |
/// |                             | `"type": "integer"` schema rejects it; bounds compare the |
/// |                             | double. (valijson's own nlohmann adapter instead wraps    |
/// |                             | such a number to a negative int64.)                       |
/// | double_                     | number (not integer, even when whole: 1.0 stays a double, |
/// |                             | as with nlohmann)                                         |
/// | list                        | array                                                     |
/// | map, all keys strings       | object (an empty map is an empty object)                  |
/// | map with a non-string key   | no JSON type at all (see below): the entries cannot be    |
/// |                             | named as object members, and silently dropping or         |
/// |                             | renaming them would validate something else than the data |
/// | bytes, timestamp, duration, | string, holding the text to_json() writes for the value   |
/// | date, time_of_day, type     | (base64, "2026-01-01T08:00:00Z", "90s", "2026-01-01",     |
/// |                             | "09:30", the type name), so that a Python dict with a     |
/// |                             | datetime.date validates as its JSON form would            |
/// | error                       | no JSON type at all                                       |
///
/// A value with no JSON type fails every `type` constraint and `enum`/`const`, and is ignored
/// by the constraints that only apply to one type (as JSON Schema ignores, say, `minimum` on a
/// string). Documents parsed from JSON have neither errors nor non-string keys.
///
/// So for any document without errors, maps with non-string keys or integers above INT64_MAX,
/// validating the value gives the same result as validating `to_json(value)` through valijson's
/// nlohmann adapter, except that object members are visited in document order rather than in
/// nlohmann's sorted order (this only changes which of several equally deep failures is met
/// first, and which unexpected member an additionalProperties message names).
///
/// The adapter is a view: the value (and the document behind it) must outlive it. Only
/// freeze() (valijson's copy of `enum`/`const` values when it reads a schema through an
/// adapter) copies, into a document of its own.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <valijson/exceptions.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "rules/schema_type.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

class value_schema_adapter;
class value_schema_array_iterator;
class value_schema_member_iterator;

/// The members of an object: a map whose keys are all strings. Cheap to copy.
class value_schema_object {
  public:
    using const_iterator = value_schema_member_iterator;
    using iterator = value_schema_member_iterator;

    /// An empty object.
    value_schema_object() noexcept = default;
    /// `v` must be a map with string keys only (schema_type_of(v) == schema_type::object).
    explicit value_schema_object(const value& v) noexcept
        : begin_(v.map_begin()), end_(v.map_begin() + v.size()) {}

    [[nodiscard]] value_schema_member_iterator begin() const noexcept;
    [[nodiscard]] value_schema_member_iterator end() const noexcept;
    /// The member named `name`, or end(). A linear scan, as value::find.
    [[nodiscard]] value_schema_member_iterator find(const std::string& name) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept {
        return static_cast<std::size_t>(end_ - begin_);
    }

  private:
    const map_entry* begin_ = nullptr;
    const map_entry* end_ = nullptr;
};

/// The elements of an array (a list value). Cheap to copy.
class value_schema_array {
  public:
    using const_iterator = value_schema_array_iterator;
    using iterator = value_schema_array_iterator;

    /// An empty array.
    value_schema_array() noexcept = default;
    /// `v` must be a list.
    explicit value_schema_array(const value& v) noexcept
        : begin_(v.list_begin()), end_(v.list_end()) {}

    [[nodiscard]] value_schema_array_iterator begin() const noexcept;
    [[nodiscard]] value_schema_array_iterator end() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept {
        return static_cast<std::size_t>(end_ - begin_);
    }

  private:
    const value* begin_ = nullptr;
    const value* end_ = nullptr;
};

/// An owned copy of a value, for valijson's `enum` and `const` constraints (which keep the
/// schema's values beyond the schema document). Only used when a schema itself is read
/// through this adapter.
class value_schema_frozen_value : public valijson::adapters::FrozenValue {
  public:
    explicit value_schema_frozen_value(const value& v)
        : doc_(document::build([&](value_builder& b) { return b.copy(v); })) {}

    [[nodiscard]] FrozenValue* clone() const override {
        return new value_schema_frozen_value(doc_.root());
    }
    [[nodiscard]] bool equalTo(const valijson::adapters::Adapter& other,
                               bool strict) const override;

  private:
    document doc_;
};

/// The accessors valijson's BasicAdapter builds its type semantics on (the "ValueType"
/// template argument). Holds the value (16 bytes) and its schema type, worked out once.
class value_schema_node {
  public:
    /// An empty object, as valijson expects of a default-constructed value.
    value_schema_node() noexcept : v_(value::from_map(nullptr, 0)), type_(schema_type::object) {}
    explicit value_schema_node(const value& v) noexcept : v_(v), type_(schema_type_of(v)) {}

    [[nodiscard]] valijson::adapters::FrozenValue* freeze() const {
        return new value_schema_frozen_value(v_);
    }

    [[nodiscard]] std::optional<value_schema_array> getArrayOptional() const noexcept {
        if (type_ != schema_type::array) return std::nullopt;
        return value_schema_array(v_);
    }
    bool getArraySize(std::size_t& result) const noexcept {
        if (type_ != schema_type::array) return false;
        result = v_.size();
        return true;
    }
    std::optional<value_schema_object> getObjectOptional() const noexcept {
        if (type_ != schema_type::object) return std::nullopt;
        return value_schema_object(v_);
    }
    bool getObjectSize(std::size_t& result) const noexcept {
        if (type_ != schema_type::object) return false;
        result = v_.size();
        return true;
    }
    bool getBool(bool& result) const noexcept {
        if (type_ != schema_type::boolean) return false;
        result = v_.as_bool();
        return true;
    }
    /// Doubles, and unsigned integers above INT64_MAX (rounded to the nearest double).
    bool getDouble(double& result) const noexcept {
        if (type_ != schema_type::number) return false;
        result = v_.kind() == kind::uint_ ? static_cast<double>(v_.as_uint()) : v_.as_double();
        return true;
    }
    bool getInteger(std::int64_t& result) const noexcept {
        if (type_ != schema_type::integer) return false;
        result = v_.kind() == kind::uint_ ? static_cast<std::int64_t>(v_.as_uint()) : v_.as_int();
        return true;
    }
    bool getString(std::string& result) const {
        if (type_ == schema_type::string) {
            result.assign(v_.as_string());
            return true;
        }
        if (type_ == schema_type::rendered) {
            result = telecomply::to_json(v_).get<std::string>();
            return true;
        }
        return false;
    }

    static bool hasStrictTypes() noexcept { return true; }

    [[nodiscard]] bool isArray() const noexcept { return type_ == schema_type::array; }
    [[nodiscard]] bool isBool() const noexcept { return type_ == schema_type::boolean; }
    [[nodiscard]] bool isDouble() const noexcept { return type_ == schema_type::number; }
    [[nodiscard]] bool isInteger() const noexcept { return type_ == schema_type::integer; }
    [[nodiscard]] bool isNull() const noexcept { return type_ == schema_type::null_; }
    [[nodiscard]] bool isNumber() const noexcept {
        return type_ == schema_type::integer || type_ == schema_type::number;
    }
    [[nodiscard]] bool isObject() const noexcept { return type_ == schema_type::object; }
    [[nodiscard]] bool isString() const noexcept {
        return type_ == schema_type::string || type_ == schema_type::rendered;
    }

  private:
    value v_;
    schema_type type_;
};

/// The adapter: valijson::Validator::validate(schema, value_schema_adapter(doc.root()), ...).
class value_schema_adapter
    : public valijson::adapters::BasicAdapter<value_schema_adapter, value_schema_array,
                                              std::pair<std::string, value_schema_adapter>,
                                              value_schema_object, value_schema_node> {
  public:
    /// An empty object.
    value_schema_adapter() = default;
    explicit value_schema_adapter(const value& v) : BasicAdapter(value_schema_node(v)) {}
};

/// An object member as valijson wants it: the key copied into a std::string.
using value_schema_member = std::pair<std::string, value_schema_adapter>;

/// Iterates over a list's elements, dereferencing to adapters.
class value_schema_array_iterator {
  public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = value_schema_adapter;
    using difference_type = std::ptrdiff_t;
    using pointer = value_schema_adapter*;
    using reference = value_schema_adapter;

    explicit value_schema_array_iterator(const value* p) noexcept : p_(p) {}

    value_schema_adapter operator*() const { return value_schema_adapter(*p_); }
    valijson::adapters::DerefProxy<value_schema_adapter> operator->() const {
        return valijson::adapters::DerefProxy<value_schema_adapter>(**this);
    }
    bool operator==(const value_schema_array_iterator& o) const noexcept { return p_ == o.p_; }
    bool operator!=(const value_schema_array_iterator& o) const noexcept { return p_ != o.p_; }
    value_schema_array_iterator& operator++() noexcept {
        ++p_;
        return *this;
    }
    value_schema_array_iterator operator++(int) noexcept {
        auto before = *this;
        ++p_;
        return before;
    }
    value_schema_array_iterator& operator--() noexcept {
        --p_;
        return *this;
    }
    void advance(std::ptrdiff_t n) noexcept { p_ += n; }

  private:
    const value* p_;
};

/// Iterates over an object's members, dereferencing to (key, adapter) pairs.
class value_schema_member_iterator {
  public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = value_schema_member;
    using difference_type = std::ptrdiff_t;
    using pointer = value_schema_member*;
    using reference = value_schema_member;

    explicit value_schema_member_iterator(const map_entry* p) noexcept : p_(p) {}

    value_schema_member operator*() const {
        return {std::string(p_->key.as_string()), value_schema_adapter(p_->val)};
    }
    valijson::adapters::DerefProxy<value_schema_member> operator->() const {
        return valijson::adapters::DerefProxy<value_schema_member>(**this);
    }
    bool operator==(const value_schema_member_iterator& o) const noexcept { return p_ == o.p_; }
    bool operator!=(const value_schema_member_iterator& o) const noexcept { return p_ != o.p_; }
    value_schema_member_iterator& operator++() noexcept {
        ++p_;
        return *this;
    }
    value_schema_member_iterator operator++(int) noexcept {
        auto before = *this;
        ++p_;
        return before;
    }
    value_schema_member_iterator& operator--() noexcept {
        --p_;
        return *this;
    }

  private:
    const map_entry* p_;
};

inline value_schema_member_iterator value_schema_object::begin() const noexcept {
    return value_schema_member_iterator(begin_);
}
inline value_schema_member_iterator value_schema_object::end() const noexcept {
    return value_schema_member_iterator(end_);
}
inline value_schema_member_iterator value_schema_object::find(
    const std::string& name) const noexcept {
    for (const map_entry* e = begin_; e != end_; ++e)
        if (e->key.as_string() == name) return value_schema_member_iterator(e);
    return end();
}

inline value_schema_array_iterator value_schema_array::begin() const noexcept {
    return value_schema_array_iterator(begin_);
}
inline value_schema_array_iterator value_schema_array::end() const noexcept {
    return value_schema_array_iterator(end_);
}

inline bool value_schema_frozen_value::equalTo(const valijson::adapters::Adapter& other,
                                               bool strict) const {
    return value_schema_adapter(doc_.root()).equalTo(other, strict);
}

}  // namespace telecomply::detail

/// valijson looks up a document type per adapter (used when it resolves schema references).
template <>
struct valijson::adapters::AdapterTraits<telecomply::detail::value_schema_adapter> {
    using DocumentType = telecomply::value;
    static std::string adapterName() { return "telecomply::detail::value_schema_adapter"; }
};
