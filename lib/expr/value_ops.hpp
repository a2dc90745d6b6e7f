#pragma once
// Comparison helpers shared by the evaluator and the value utilities.

#include <cmath>
#include <cstdint>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

enum class order : std::uint8_t { less, equal, greater, unordered, incomparable };

inline bool is_numeric(kind k) noexcept {
    return k == kind::int_ || k == kind::uint_ || k == kind::double_;
}

inline order cmp_int_uint(std::int64_t a, std::uint64_t b) noexcept {
    if (a < 0) return order::less;
    const auto ua = static_cast<std::uint64_t>(a);
    return ua < b ? order::less : ua > b ? order::greater : order::equal;
}

inline order flip(order o) noexcept {
    return o == order::less ? order::greater : o == order::greater ? order::less : o;
}

inline order cmp_double_int(double a, std::int64_t b) noexcept {
    if (std::isnan(a)) return order::unordered;
    // 2^63 is exactly representable; every int64 lies in [-2^63, 2^63).
    if (a < -9223372036854775808.0) return order::less;
    if (a >= 9223372036854775808.0) return order::greater;
    const double t = std::trunc(a);
    const auto ia = static_cast<std::int64_t>(t);
    if (ia < b) return order::less;
    if (ia > b) return order::greater;
    return a > t ? order::greater : a < t ? order::less : order::equal;
}

inline order cmp_double_uint(double a, std::uint64_t b) noexcept {
    if (std::isnan(a)) return order::unordered;
    if (a < 0) return order::less;
    if (a >= 18446744073709551616.0) return order::greater;
    const double t = std::trunc(a);
    const auto ua = static_cast<std::uint64_t>(t);
    if (ua < b) return order::less;
    if (ua > b) return order::greater;
    return a > t ? order::greater : order::equal;
}

/// Numeric comparison across int, uint and double (exact, no rounding through double).
inline order cmp_numeric(const value& a, const value& b) noexcept {
    switch (a.kind()) {
        case kind::int_:
            switch (b.kind()) {
                case kind::int_:
                    return a.as_int() < b.as_int()   ? order::less
                           : a.as_int() > b.as_int() ? order::greater
                                                     : order::equal;
                case kind::uint_:
                    return cmp_int_uint(a.as_int(), b.as_uint());
                default:
                    return flip(cmp_double_int(b.as_double(), a.as_int()));
            }
        case kind::uint_:
            switch (b.kind()) {
                case kind::int_:
                    return flip(cmp_int_uint(b.as_int(), a.as_uint()));
                case kind::uint_:
                    return a.as_uint() < b.as_uint()   ? order::less
                           : a.as_uint() > b.as_uint() ? order::greater
                                                       : order::equal;
                default:
                    return flip(cmp_double_uint(b.as_double(), a.as_uint()));
            }
        default:
            switch (b.kind()) {
                case kind::int_:
                    return cmp_double_int(a.as_double(), b.as_int());
                case kind::uint_:
                    return cmp_double_uint(a.as_double(), b.as_uint());
                default: {
                    const double x = a.as_double(), y = b.as_double();
                    if (std::isnan(x) || std::isnan(y)) return order::unordered;
                    return x < y ? order::less : x > y ? order::greater : order::equal;
                }
            }
    }
}

/// Ordering for `<`, `<=`, `>`, `>=`: numbers across types, strings and bytes by bytes (which
/// for UTF-8 is code point order), bools, timestamps, durations, dates, times of day.
order compare(const value& a, const value& b) noexcept;

}  // namespace telecomply::detail
