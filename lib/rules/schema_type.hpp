#pragma once
/// \file schema_type.hpp
/// What a telecomply::value is to a JSON Schema: the one mapping both readers of the application
/// schema share, valijson's (through value_schema_adapter.hpp) and the compiled validator's
/// (schema_validator.hpp). The table and its reasons are in value_schema_adapter.hpp.

#include <cstdint>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

/// What a value is for the schema (see value_schema_adapter.hpp).
enum class schema_type : std::uint8_t {
    none,  ///< not a JSON value: errors, maps with non-string keys
    null_,
    boolean,
    integer,  ///< int_, uint_ up to INT64_MAX
    number,   ///< double_, uint_ above INT64_MAX
    string,
    rendered,  ///< a string: the to_json() text of a bytes/time/date/type value
    array,
    object,
};

/// The schema type of a value. A map is scanned for non-string keys (O(size)).
inline schema_type schema_type_of(const value& v) noexcept {
    switch (v.kind()) {
        case kind::null_:
            return schema_type::null_;
        case kind::bool_:
            return schema_type::boolean;
        case kind::int_:
            return schema_type::integer;
        case kind::uint_:
            return v.as_uint() <= static_cast<std::uint64_t>(INT64_MAX) ? schema_type::integer
                                                                        : schema_type::number;
        case kind::double_:
            return schema_type::number;
        case kind::string:
            return schema_type::string;
        case kind::list:
            return schema_type::array;
        case kind::map:
            for (const map_entry *e = v.map_begin(), *end = v.map_end(); e != end; ++e)
                if (e->key.kind() != kind::string) return schema_type::none;
            return schema_type::object;
        case kind::bytes:
        case kind::timestamp:
        case kind::duration:
        case kind::date:
        case kind::time_of_day:
        case kind::type:
            return schema_type::rendered;
        case kind::error:
            return schema_type::none;
    }
    return schema_type::none;
}

}  // namespace telecomply::detail
