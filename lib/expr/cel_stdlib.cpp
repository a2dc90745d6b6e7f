// The standard CEL functions (size, string predicates, matches, conversions, timestamp and
// duration accessors) and the domain's date and time-of-day functions, each a typed overload
// (see function_adapter.hpp): a body only ever sees the kinds it declares.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include <re2/re2.h>

#include "base/utf8.hpp"
#include "expr/cel_program.hpp"
#include "expr/regex.hpp"
#include "expr/time.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/function_adapter.hpp"

namespace telecomply::detail {

namespace {

using timestamp_arg = of_kind<kind::timestamp>;
using duration_arg = of_kind<kind::duration>;
using list_arg = of_kind<kind::list>;

value make_string(eval_context& ctx, std::string_view s) {
    return value::from_string(ctx.arena().copy(s));
}

// ------------------------------------------------------------------ strings and collections

std::int64_t size_of_string(std::string_view s) {
    return static_cast<std::int64_t>(utf8::length(s));
}
std::int64_t size_of(of_kind<kind::bytes, kind::list, kind::map> v) {
    return v.v.size();
}

bool contains(std::string_view s, std::string_view t) {
    return s.find(t) != std::string_view::npos;
}
bool starts_with(std::string_view s, std::string_view t) {
    return s.starts_with(t);
}
bool ends_with(std::string_view s, std::string_view t) {
    return s.ends_with(t);
}

value matches(eval_context& ctx, std::string_view s, std::string_view p) {
    // A pattern only known at run time is compiled per call, within a memory bound.
    RE2 re(piece(p), cel_regex_options());
    if (!re.ok())
        return ctx.error(eval_errc::invalid_argument,
                         "invalid regular expression '" + std::string(p) + "': " + re.error());
    return value::from_bool(RE2::PartialMatch(piece(s), re));
}

template <bool Upper>
value ascii_case(eval_context& ctx, std::string_view s) {
    char* buf = static_cast<char*>(ctx.arena().allocate(s.size() + 1, 1));
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (Upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (!Upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        buf[i] = c;
    }
    return value::from_string({buf, s.size()});
}

// cel-spec strings extension: leading and trailing Unicode White_Space removed (U+3000, the
// ideographic space a Chinese IME types, is blank like U+0020).
value trim(std::string_view s) {
    std::size_t begin = s.size(), end = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        const std::uint32_t cp = detail::utf8::decode(s, i);
        if (cp == 0xFFFFFFFF) ++i;  // strings are valid UTF-8; never loop on a stray byte
        if (cp == 0xFFFFFFFF || !detail::utf8::is_white_space(cp)) {
            if (begin == s.size()) begin = at;
            end = i;
        }
    }
    if (begin == s.size()) return value::from_string({});
    return value::from_string(s.substr(begin, end - begin));
}

// ------------------------------------------------------------------ conversions

value identity(const value& v) {
    return v;
}
value type_of(const value& v) {
    return value::from_type(v.kind());
}

value int_of_uint(eval_context& ctx, std::uint64_t u) {
    if (u > static_cast<std::uint64_t>(INT64_MAX))
        return ctx.error(eval_errc::overflow, "int() out of range");
    return value::from_int(static_cast<std::int64_t>(u));
}
value int_of_double(eval_context& ctx, double d) {
    // the open range (-2^63 - 1, 2^63): the ends are not representable as int64
    if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0) || d <= -9223372036854775808.0)
        return ctx.error(eval_errc::overflow, "int() out of range");
    return value::from_int(static_cast<std::int64_t>(d));
}
value int_of_string(eval_context& ctx, std::string_view s) {
    std::int64_t out = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, 10);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
        return ctx.error(eval_errc::invalid_argument,
                         "cannot convert '" + std::string(s) + "' to int");
    return value::from_int(out);
}
std::int64_t int_of_timestamp(timestamp_arg t) {
    return t.v.as_time().seconds;
}
std::int64_t int_of_bool(bool b) {
    return b ? 1 : 0;
}

value uint_of_int(eval_context& ctx, std::int64_t i) {
    if (i < 0) return ctx.error(eval_errc::overflow, "uint() out of range");
    return value::from_uint(static_cast<std::uint64_t>(i));
}
value uint_of_double(eval_context& ctx, double d) {
    if (!(d > -1.0 && d < 18446744073709551616.0))
        return ctx.error(eval_errc::overflow, "uint() out of range");
    return value::from_uint(static_cast<std::uint64_t>(d));
}
value uint_of_string(eval_context& ctx, std::string_view s) {
    std::uint64_t out = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, 10);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
        return ctx.error(eval_errc::invalid_argument,
                         "cannot convert '" + std::string(s) + "' to uint");
    return value::from_uint(out);
}
std::uint64_t uint_of_bool(bool b) {
    return b ? 1 : 0;
}

double double_of_int(std::int64_t i) {
    return static_cast<double>(i);
}
double double_of_uint(std::uint64_t u) {
    return static_cast<double>(u);
}
value double_of_string(eval_context& ctx, std::string_view text) {
    const std::string s(text);
    if (s == "Inf" || s == "+Inf" || s == "inf" || s == "+inf" || s == "Infinity")
        return value::from_double(HUGE_VAL);
    if (s == "-Inf" || s == "-inf" || s == "-Infinity") return value::from_double(-HUGE_VAL);
    if (s == "NaN" || s == "nan") return value::from_double(std::nan(""));
    double d = 0;
    const char* b = s.data();
    if (!s.empty() && s[0] == '+') ++b;
    auto r = std::from_chars(b, s.data() + s.size(), d);
    if (r.ec == std::errc::result_out_of_range) {
        d = std::strtod(s.c_str(), nullptr);
    } else if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || s.empty()) {
        return ctx.error(eval_errc::invalid_argument, "cannot convert '" + s + "' to double");
    }
    return value::from_double(d);
}

value string_of_int(eval_context& ctx, std::int64_t i) {
    return make_string(ctx, std::to_string(i));
}
value string_of_uint(eval_context& ctx, std::uint64_t u) {
    return make_string(ctx, std::to_string(u));
}
value string_of_double(eval_context& ctx, double d) {
    return make_string(ctx, format_double(d));
}
value string_of_bool(bool b) {
    return value::from_string(b ? "true" : "false");
}
value string_of_bytes(eval_context& ctx, of_kind<kind::bytes> b) {
    if (!utf8::valid(b.v.as_string()))
        return ctx.error(eval_errc::invalid_argument, "bytes are not valid UTF-8");
    return value::from_string(b.v.as_string());
}
value string_of_timestamp(eval_context& ctx, timestamp_arg t) {
    return make_string(ctx, format_timestamp(t.v.as_time()));
}
value string_of_duration(eval_context& ctx, duration_arg d) {
    return make_string(ctx, format_duration(d.v.as_time()));
}
value string_of_date(eval_context& ctx, date d) {
    return make_string(ctx, d.to_string());
}
value string_of_time_of_day(eval_context& ctx, time_of_day t) {
    return make_string(ctx, t.to_string());
}
value string_of_type(of_kind<kind::type> t) {
    return value::from_string(type_name(t.v.as_type()));
}

value bytes_of_string(std::string_view s) {
    return value::from_bytes(s);
}

value bool_of_string(eval_context& ctx, std::string_view s) {
    if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "T" || s == "1")
        return value::from_bool(true);
    if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "F" || s == "0")
        return value::from_bool(false);
    return ctx.error(eval_errc::invalid_argument,
                     "cannot convert '" + std::string(s) + "' to bool");
}

// ------------------------------------------------------------------ timestamps and durations

value timestamp_of_string(eval_context& ctx, std::string_view s) {
    auto t = parse_timestamp(s);
    if (!t)
        return ctx.error(eval_errc::invalid_argument, "invalid timestamp '" + std::string(s) + "'");
    return value::from_timestamp(*t);
}
value timestamp_of_int(eval_context& ctx, std::int64_t i) {
    const time_parts t{i, 0};
    if (!timestamp_in_range(t)) return ctx.error(eval_errc::overflow, "timestamp out of range");
    return value::from_timestamp(t);
}
value timestamp_of_date(date d) {
    return value::from_timestamp({std::int64_t{d.days_since_epoch()} * 86400, 0});
}

value duration_of_string(eval_context& ctx, std::string_view s) {
    auto d = parse_duration(s);
    if (!d)
        return ctx.error(eval_errc::invalid_argument, "invalid duration '" + std::string(s) + "'");
    return value::from_duration(*d);
}
value duration_of_int(eval_context& ctx, std::int64_t i) {
    const time_parts d{i, 0};
    if (!duration_in_range(d)) return ctx.error(eval_errc::overflow, "duration out of range");
    return value::from_duration(d);
}

// A conversion to the kind the argument already has: CEL's identity overloads (int(int)...).
template <kind K>
value identity_of(of_kind<K> v) {
    return v.v;
}

enum class field {
    full_year,
    month,
    date,
    day_of_month,
    day_of_week,
    day_of_year,
    hours,
    minutes,
    seconds,
    millis
};

value civil_field(const civil_time& c, field f) {
    switch (f) {
        case field::full_year:
            return value::from_int(c.year);
        case field::month:
            return value::from_int(c.month - 1);
        case field::date:
            return value::from_int(c.day);
        case field::day_of_month:
            return value::from_int(c.day - 1);
        case field::day_of_week:
            return value::from_int(c.day_of_week);
        case field::day_of_year:
            return value::from_int(c.day_of_year);
        case field::hours:
            return value::from_int(c.hour);
        case field::minutes:
            return value::from_int(c.minute);
        case field::seconds:
            return value::from_int(c.second);
        default:
            return value::from_int(c.nanos / 1'000'000);
    }
}

template <field F>
value time_field(timestamp_arg t) {
    return civil_field(*to_civil(t.v.as_time(), "UTC"), F);
}

template <field F>
value time_field_in_zone(eval_context& ctx, timestamp_arg t, std::string_view zone) {
    auto c = to_civil(t.v.as_time(), zone);
    if (!c)
        return ctx.error(eval_errc::invalid_argument,
                         "unknown time zone '" + std::string(zone) + "'");
    return civil_field(*c, F);
}

template <field F>
std::int64_t duration_field(duration_arg v) {
    const auto d = v.v.as_time();
    switch (F) {
        case field::hours:
            return d.seconds / 3600;
        case field::minutes:
            return d.seconds / 60;
        case field::seconds:
            return d.seconds;
        default:
            return d.nanos / 1'000'000;
    }
}

template <field F>
value date_field(date d) {
    const time_parts t{std::int64_t{d.days_since_epoch()} * 86400, 0};
    return civil_field(*to_civil(t, "UTC"), F);
}

// ------------------------------------------------------------------ dates and times of day

value date_of_string(eval_context& ctx, std::string_view s) {
    auto d = date::parse(s);
    if (!d)
        return ctx.error(eval_errc::invalid_argument,
                         "invalid date '" + std::string(s) + "' (expected YYYY-MM-DD)");
    return value::from_date(*d);
}
date date_of_timestamp(timestamp_arg t) {
    const auto s = t.v.as_time().seconds;
    const std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    return date{static_cast<std::int32_t>(days)};
}

value time_of_day_of_string(eval_context& ctx, std::string_view s) {
    auto t = time_of_day::parse(s);
    if (!t)
        return ctx.error(eval_errc::invalid_argument,
                         "invalid time of day '" + std::string(s) + "' (expected HH:MM)");
    return value::from_time_of_day(*t);
}

// Bounds for date arithmetic: years 0001-9999, as timestamps.
constexpr std::int64_t min_day = -719162;  // 0001-01-01
constexpr std::int64_t max_day = 2932896;  // 9999-12-31

value add_days(eval_context& ctx, date from, std::int64_t n) {
    const std::int64_t d = std::int64_t{from.days_since_epoch()};
    if (n > max_day - min_day || n < min_day - max_day || d + n < min_day || d + n > max_day)
        return ctx.error(eval_errc::overflow, "date out of range");
    return value::from_date(date{static_cast<std::int32_t>(d + n)});
}

value add_months(eval_context& ctx, date from, std::int64_t n) {
    if (n > std::int64_t{12} * 10000 || n < std::int64_t{-12} * 10000)
        return ctx.error(eval_errc::overflow, "date out of range");
    const date r = from.add_months(static_cast<int>(n));
    if (r.days_since_epoch() < min_day || r.days_since_epoch() > max_day)
        return ctx.error(eval_errc::overflow, "date out of range");
    return value::from_date(r);
}

std::int64_t days_between(date a, date b) {
    return b - a;
}

// ------------------------------------------------------------------ list extensions

// Indices of a list's elements grouped by equality: strings by hashing (linear), anything
// else pairwise (lists of mixed values are small in practice). Calls f(first, is_repeat).
template <class F>
void group_equal(const value& list, eval_context& ctx, F&& f) {
    const std::uint32_t n = list.size();
    const value* items = list.list_begin();
    bool strings = true;
    for (std::uint32_t i = 0; i < n && strings; ++i)
        strings = items[i].kind() == kind::string;
    auto* first = ctx.arena().allocate_array<std::uint32_t>(n);  // index of first equal element
    if (strings && n > 8) {
        // Open addressing over the texts' hashes, at most half full: each element finds the
        // first equal one it follows in one probe sequence, so the cost is linear in n.
        std::uint32_t cap = 16;
        while (cap < 2 * n)
            cap *= 2;
        auto* table = ctx.arena().allocate_array<std::uint32_t>(cap);  // 1 + index; 0: empty
        std::fill(table, table + cap, std::uint32_t{0});
        const std::hash<std::string_view> hash;
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::string_view text = items[i].as_string();
            for (std::size_t h = hash(text) & (cap - 1);; h = (h + 1) & (cap - 1)) {
                if (table[h] == 0) {
                    table[h] = i + 1;
                    first[i] = i;
                    break;
                }
                if (items[table[h] - 1].as_string() == text) {
                    first[i] = table[h] - 1;
                    break;
                }
            }
        }
    } else {
        for (std::uint32_t i = 0; i < n; ++i) {
            first[i] = i;
            for (std::uint32_t j = 0; j < i; ++j)
                if (first[j] == j && equal(items[j], items[i])) {
                    first[i] = j;
                    break;
                }
        }
    }
    for (std::uint32_t i = 0; i < n; ++i)
        f(i, first[i]);
}

value distinct(eval_context& ctx, list_arg list) {
    const value* a = &list.v;
    value* out = ctx.arena().allocate_array<value>(a[0].size());
    std::uint32_t k = 0;
    group_equal(a[0], ctx, [&](std::uint32_t i, std::uint32_t first) {
        if (first == i) out[k++] = a[0].list_begin()[i];
    });
    return value::from_list(out, k);
}

value duplicates(eval_context& ctx, list_arg list) {
    const value* a = &list.v;
    const std::uint32_t n = a[0].size();
    auto* seen = ctx.arena().allocate_array<std::uint8_t>(n == 0 ? 1 : n);
    std::fill(seen, seen + n, std::uint8_t{0});
    value* out = ctx.arena().allocate_array<value>(n);
    std::uint32_t k = 0;
    // each repeated value once, in the order of its first repetition
    group_equal(a[0], ctx, [&](std::uint32_t i, std::uint32_t first) {
        if (first != i && seen[first] == 0) {
            seen[first] = 1;
            out[k++] = a[0].list_begin()[first];
        }
    });
    return value::from_list(out, k);
}

}  // namespace

void register_standard_functions(environment& env) {
    // global and member call styles of one overload
    const auto both = [&]<auto F>(std::string_view name) {
        add_overload<F>(env, name, false);
        add_overload<F>(env, name, true);
    };
    both.operator()<size_of_string>("size");
    both.operator()<size_of>("size");
    add_overload<distinct>(env, "distinct", true);
    add_overload<duplicates>(env, "duplicates", true);
    add_overload<contains>(env, "contains", true);
    add_overload<starts_with>(env, "startsWith", true);
    add_overload<ends_with>(env, "endsWith", true);
    both.operator()<matches>("matches");
    add_overload<ascii_case<false>>(env, "lowerAscii", true);
    add_overload<ascii_case<true>>(env, "upperAscii", true);
    add_overload<trim>(env, "trim", true);

    add_overload<identity>(env, "dyn", false);
    add_overload<type_of>(env, "type", false);

    add_overload<&identity_of<kind::int_>>(env, "int", false);
    add_overload<int_of_uint>(env, "int", false);
    add_overload<int_of_double>(env, "int", false);
    add_overload<int_of_string>(env, "int", false);
    add_overload<int_of_timestamp>(env, "int", false);
    add_overload<int_of_bool>(env, "int", false);

    add_overload<&identity_of<kind::uint_>>(env, "uint", false);
    add_overload<uint_of_int>(env, "uint", false);
    add_overload<uint_of_double>(env, "uint", false);
    add_overload<uint_of_string>(env, "uint", false);
    add_overload<uint_of_bool>(env, "uint", false);

    add_overload<&identity_of<kind::double_>>(env, "double", false);
    add_overload<double_of_int>(env, "double", false);
    add_overload<double_of_uint>(env, "double", false);
    add_overload<double_of_string>(env, "double", false);

    add_overload<&identity_of<kind::string>>(env, "string", false);
    add_overload<string_of_int>(env, "string", false);
    add_overload<string_of_uint>(env, "string", false);
    add_overload<string_of_double>(env, "string", false);
    add_overload<string_of_bool>(env, "string", false);
    add_overload<string_of_bytes>(env, "string", false);
    add_overload<string_of_timestamp>(env, "string", false);
    add_overload<string_of_duration>(env, "string", false);
    add_overload<string_of_date>(env, "string", false);
    add_overload<string_of_time_of_day>(env, "string", false);
    add_overload<string_of_type>(env, "string", false);

    add_overload<&identity_of<kind::bytes>>(env, "bytes", false);
    add_overload<bytes_of_string>(env, "bytes", false);

    add_overload<&identity_of<kind::bool_>>(env, "bool", false);
    add_overload<bool_of_string>(env, "bool", false);

    add_overload<&identity_of<kind::timestamp>>(env, "timestamp", false);
    add_overload<timestamp_of_string>(env, "timestamp", false);
    add_overload<timestamp_of_int>(env, "timestamp", false);
    add_overload<timestamp_of_date>(env, "timestamp", false);

    add_overload<&identity_of<kind::duration>>(env, "duration", false);
    add_overload<duration_of_string>(env, "duration", false);
    add_overload<duration_of_int>(env, "duration", false);

    // timestamp accessors (UTC, or in a named zone); durations and dates have some of them
    const auto accessor = [&]<field F>(std::string_view name) {
        add_overload<time_field<F>>(env, name, true);
        add_overload<time_field_in_zone<F>>(env, name, true);
        if constexpr (F == field::hours || F == field::minutes || F == field::seconds ||
                      F == field::millis)
            add_overload<duration_field<F>>(env, name, true);
        else
            add_overload<date_field<F>>(env, name, true);
    };
    accessor.operator()<field::full_year>("getFullYear");
    accessor.operator()<field::month>("getMonth");
    accessor.operator()<field::date>("getDate");
    accessor.operator()<field::day_of_month>("getDayOfMonth");
    accessor.operator()<field::day_of_week>("getDayOfWeek");
    accessor.operator()<field::day_of_year>("getDayOfYear");
    accessor.operator()<field::hours>("getHours");
    accessor.operator()<field::minutes>("getMinutes");
    accessor.operator()<field::seconds>("getSeconds");
    accessor.operator()<field::millis>("getMilliseconds");

    add_overload<&identity_of<kind::date>>(env, "date", false);
    add_overload<date_of_string>(env, "date", false);
    add_overload<date_of_timestamp>(env, "date", false);
    add_overload<&identity_of<kind::time_of_day>>(env, "time_of_day", false);
    add_overload<time_of_day_of_string>(env, "time_of_day", false);
    both.operator()<add_days>("add_days");
    both.operator()<add_months>("add_months");
    add_overload<days_between>(env, "days_between", false);
}

}  // namespace telecomply::detail
