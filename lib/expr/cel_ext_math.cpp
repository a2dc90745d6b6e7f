// cel-spec's math extension library (cel-go's ext.Math, version 1; the conformance cases are
// cel-spec's tests/simple/testdata/math_ext.textproto): math.greatest and math.least over
// numbers of any numeric kinds, rounding, absolute value and sign, the floating-point
// predicates and the bit operations on int and uint. Each function is a typed overload (see
// function_adapter.hpp) named with its namespace ("math.ceil"); the compiler resolves
// `math.ceil(x)` to it and passes math.greatest's and math.least's arguments, when there are
// two or more, as one list (cel_compiler.cpp).

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "expr/cel_program.hpp"
#include "expr/value_ops.hpp"
#include "telecomply/expr/function_adapter.hpp"

namespace telecomply::detail {

namespace {

using number_arg = of_kind<kind::int_, kind::uint_, kind::double_>;

// ------------------------------------------------------------------ greatest and least

value extreme_of_number(number_arg n) {
    return n.v;
}

// The greatest (Want = greater) or least number of a list, compared exactly across int, uint and
// double; the first of equal values, and NaN when there is a NaN.
template <order Want>
value extreme_of_list(eval_context& ctx, of_kind<kind::list> list) {
    const value& l = list.v;
    constexpr std::string_view name = Want == order::greater ? "math.greatest" : "math.least";
    if (l.size() == 0)
        return ctx.error(eval_errc::invalid_argument, std::string(name) + "() of an empty list");
    const value* best = nullptr;
    for (const value* p = l.list_begin(); p != l.list_end(); ++p) {
        if (!is_numeric(p->kind()))
            return ctx.error(eval_errc::no_such_overload,
                             "no such overload: " + std::string(name) + "() of a " +
                                 std::string(type_name(p->kind())) + " (element " +
                                 std::to_string(p - l.list_begin()) + ")");
        if (p->kind() == kind::double_ && std::isnan(p->as_double())) return *p;
        if (best == nullptr || cmp_numeric(*p, *best) == Want) best = p;
    }
    return *best;
}

// ------------------------------------------------------------------ rounding and sign

double ceil_of(double d) {
    return std::ceil(d);
}
double floor_of(double d) {
    return std::floor(d);
}
double round_of(double d) {
    return std::round(d);  // halves away from zero
}
double trunc_of(double d) {
    return std::trunc(d);
}

bool is_nan(double d) {
    return std::isnan(d);
}
bool is_inf(double d) {
    return std::isinf(d);
}
bool is_finite(double d) {
    return std::isfinite(d);
}

value abs_int(eval_context& ctx, std::int64_t i) {
    if (i == INT64_MIN) return ctx.error(eval_errc::overflow, "integer overflow");
    return value::from_int(i < 0 ? -i : i);
}
std::uint64_t abs_uint(std::uint64_t u) {
    return u;
}
double abs_double(double d) {
    return std::fabs(d);
}

std::int64_t sign_int(std::int64_t i) {
    return i > 0 ? 1 : i < 0 ? -1 : 0;
}
std::uint64_t sign_uint(std::uint64_t u) {
    return u > 0 ? 1 : 0;
}
double sign_double(double d) {
    if (std::isnan(d)) return d;
    return d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
}

// ------------------------------------------------------------------ bits

// Bit operations on int (two's complement) and on uint, each kind with its own overloads, so
// that mixing them is "no such overload" as for CEL's arithmetic.
enum class bit_op { and_, or_, xor_ };

template <class T, bit_op Op>
T bitwise(T x, T y) {
    return Op == bit_op::and_ ? (x & y) : Op == bit_op::or_ ? (x | y) : (x ^ y);
}

template <class T>
T bit_not(T x) {
    return static_cast<T>(~x);
}

// Shifts by `n` bits (0 from 64 on); the vacated bits are zeros, for an int's sign bit too.
template <class T, bool Left>
value shift(eval_context& ctx, T x, std::int64_t n) {
    if (n < 0)
        return ctx.error(eval_errc::invalid_argument,
                         "negative offset: a shift by " + std::to_string(n) + " bits");
    const auto bits = static_cast<std::uint64_t>(x);
    const std::uint64_t r = n >= 64 ? 0 : Left ? bits << n : bits >> n;
    if constexpr (std::is_signed_v<T>)
        return value::from_int(static_cast<std::int64_t>(r));
    else
        return value::from_uint(r);
}

}  // namespace

void register_math_extensions(environment& env) {
    // math.greatest(a, b, ...) and math.least(...) reach these with their arguments in a list
    add_overload<extreme_of_number>(env, "math.greatest", false);
    add_overload<extreme_of_list<order::greater>>(env, "math.greatest", false);
    add_overload<extreme_of_number>(env, "math.least", false);
    add_overload<extreme_of_list<order::less>>(env, "math.least", false);

    add_overload<ceil_of>(env, "math.ceil", false);
    add_overload<floor_of>(env, "math.floor", false);
    add_overload<round_of>(env, "math.round", false);
    add_overload<trunc_of>(env, "math.trunc", false);
    add_overload<is_nan>(env, "math.isNaN", false);
    add_overload<is_inf>(env, "math.isInf", false);
    add_overload<is_finite>(env, "math.isFinite", false);

    add_overload<abs_int>(env, "math.abs", false);
    add_overload<abs_uint>(env, "math.abs", false);
    add_overload<abs_double>(env, "math.abs", false);
    add_overload<sign_int>(env, "math.sign", false);
    add_overload<sign_uint>(env, "math.sign", false);
    add_overload<sign_double>(env, "math.sign", false);

    using i64 = std::int64_t;
    using u64 = std::uint64_t;
    add_overload<bitwise<i64, bit_op::and_>>(env, "math.bitAnd", false);
    add_overload<bitwise<u64, bit_op::and_>>(env, "math.bitAnd", false);
    add_overload<bitwise<i64, bit_op::or_>>(env, "math.bitOr", false);
    add_overload<bitwise<u64, bit_op::or_>>(env, "math.bitOr", false);
    add_overload<bitwise<i64, bit_op::xor_>>(env, "math.bitXor", false);
    add_overload<bitwise<u64, bit_op::xor_>>(env, "math.bitXor", false);
    add_overload<bit_not<i64>>(env, "math.bitNot", false);
    add_overload<bit_not<u64>>(env, "math.bitNot", false);
    add_overload<shift<i64, true>>(env, "math.bitShiftLeft", false);
    add_overload<shift<u64, true>>(env, "math.bitShiftLeft", false);
    add_overload<shift<i64, false>>(env, "math.bitShiftRight", false);
    add_overload<shift<u64, false>>(env, "math.bitShiftRight", false);
}

}  // namespace telecomply::detail
