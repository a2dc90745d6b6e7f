#pragma once
// The syntax tree of a CEL expression, as the parser builds it and the compiler consumes it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

enum class ast_kind : std::uint8_t {
    literal,  // lit
    ident,    // name (may start with '.' for a root-scoped name)
    select,   // args[0].name; test_only for has()
    call,     // name(args...) or args[0].name(args[1..]) when member
    list,     // [args...]
    map,      // {args[0]: args[1], args[2]: args[3], ...}
    message,  // name{field: value...}: fields in names, values in args (unsupported at compile)
};

struct ast_node {
    ast_kind kind;
    bool member = false;       // call: receiver-style
    std::uint32_t offset = 0;  // byte offset in the source
    std::uint32_t depth = 1;   // height of this subtree
    value lit;
    std::string name;
    std::vector<std::string> field_names;  // message literal fields
    std::vector<std::unique_ptr<ast_node>> args;
};

using ast_ptr = std::unique_ptr<ast_node>;

// Operator names (as in CEL's AST), used by parser and compiler alike.
namespace op {
inline constexpr std::string_view conditional = "_?_:_";
inline constexpr std::string_view logical_and = "_&&_";
inline constexpr std::string_view logical_or = "_||_";
inline constexpr std::string_view logical_not = "!_";
inline constexpr std::string_view negate = "-_";
inline constexpr std::string_view index = "_[_]";
inline constexpr std::string_view add = "_+_";
inline constexpr std::string_view subtract = "_-_";
inline constexpr std::string_view multiply = "_*_";
inline constexpr std::string_view divide = "_/_";
inline constexpr std::string_view modulo = "_%_";
inline constexpr std::string_view equals = "_==_";
inline constexpr std::string_view not_equals = "_!=_";
inline constexpr std::string_view less = "_<_";
inline constexpr std::string_view less_equals = "_<=_";
inline constexpr std::string_view greater = "_>_";
inline constexpr std::string_view greater_equals = "_>=_";
inline constexpr std::string_view in = "@in";
}  // namespace op

/// Parses `source`; literals' storage goes to `constants`. Throws expression_error / limit_error.
ast_ptr parse(std::string_view source, value_builder& constants, const expression_limits& limits);

/// 1-based line and column of a byte offset (columns count code points).
source_location locate(std::string_view source, std::uint32_t offset) noexcept;

}  // namespace telecomply::detail
