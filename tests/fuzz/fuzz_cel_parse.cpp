// libFuzzer target: the CEL parser on any bytes. A syntax tree comes back, or an
// expression_error / limit_error; never a crash, a hang or unbounded recursion. The tree it
// builds is checked: every node's offset lies in the source (and locates), every node's
// recorded depth is its height, within the depth limit.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "expr/cel_ast.hpp"
#include "fuzz_support.hpp"
#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/document.hpp"

namespace {

using telecomply::detail::ast_node;

// The height of the subtree, checking each node on the way.
std::uint32_t checked_height(const ast_node& n, std::string_view source) {
    if (n.offset > source.size()) std::abort();
    const auto where = telecomply::detail::locate(source, n.offset);
    if (where.line == 0 || where.column == 0) std::abort();
    std::uint32_t below = 0;
    for (const auto& a : n.args) {
        if (!a) std::abort();
        const auto h = checked_height(*a, source);
        if (h > below) below = h;
    }
    if (n.depth != below + 1) std::abort();
    return n.depth;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto source = telecomply::fuzz::text(data, size);
    telecomply::expression_limits limits;
    limits.max_length = 4096;  // the parser's work is linear: longer inputs add only time
    telecomply::arena a;
    telecomply::value_builder constants(a);
    telecomply::fuzz::expected_errors([&] {
        const auto tree = telecomply::detail::parse(source, constants, limits);
        if (!tree || checked_height(*tree, source) > limits.max_depth) std::abort();
    });
    return 0;
}
