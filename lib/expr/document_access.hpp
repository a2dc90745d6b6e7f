#pragma once
// The library's access to a document's root as a mutable value: the application schema's
// normalisation of integer-valued numbers (rules/json_schema.hpp) changes values in place.
// Private to the library.

#include "telecomply/expr/document.hpp"

namespace telecomply::detail {

struct document_access {
    /// The root of `d`, to change in place. Not thread-safe: the caller owns `d` and nobody
    /// reads it meanwhile.
    static value& root(document& d) noexcept { return d.root_; }
};

}  // namespace telecomply::detail
