// The standard CEL functions (size, string predicates, matches, conversions, timestamp and
// duration accessors) and the domain's date and time-of-day functions.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include <re2/re2.h>

#include "base/utf8.hpp"
#include "expr/cel_program.hpp"
#include "expr/regex.hpp"
#include "expr/time.hpp"
#include "telecomply/expr/document.hpp"

namespace telecomply::detail {

value no_overload_error(eval_context& ctx, std::string_view fn, const value* args, int n) {
    std::string msg = "no such overload: " + std::string(fn) + "(";
    for (int i = 0; i < n; ++i) {
        if (i != 0) msg += ", ";
        msg += type_name(args[i].kind());
    }
    msg += ")";
    return ctx.error(eval_errc::no_such_overload, msg);
}

namespace {

value overload_error(eval_context& ctx, std::string_view fn, const value* args, int n) {
    return no_overload_error(ctx, fn, args, n);
}

value make_string(eval_context& ctx, std::string_view s) {
    return value::from_string(ctx.arena().copy(s));
}

// ------------------------------------------------------------------ strings and collections

value fn_size(const value* a, eval_context& ctx) {
    switch (a[0].kind()) {
        case kind::string:
            return value::from_int(static_cast<std::int64_t>(utf8::length(a[0].as_string())));
        case kind::bytes:
        case kind::list:
        case kind::map:
            return value::from_int(a[0].size());
        default:
            return overload_error(ctx, "size", a, 1);
    }
}

bool both_strings(const value* a) {
    return a[0].kind() == kind::string && a[1].kind() == kind::string;
}

value fn_contains(const value* a, eval_context& ctx) {
    if (!both_strings(a)) return overload_error(ctx, "contains", a, 2);
    return value::from_bool(a[0].as_string().find(a[1].as_string()) != std::string_view::npos);
}
value fn_starts_with(const value* a, eval_context& ctx) {
    if (!both_strings(a)) return overload_error(ctx, "startsWith", a, 2);
    return value::from_bool(a[0].as_string().starts_with(a[1].as_string()));
}
value fn_ends_with(const value* a, eval_context& ctx) {
    if (!both_strings(a)) return overload_error(ctx, "endsWith", a, 2);
    return value::from_bool(a[0].as_string().ends_with(a[1].as_string()));
}

value fn_matches(const value* a, eval_context& ctx) {
    if (!both_strings(a)) return overload_error(ctx, "matches", a, 2);
    // A pattern only known at run time is compiled per call, within a memory bound.
    const auto p = a[1].as_string();
    RE2 re(piece(p), cel_regex_options());
    if (!re.ok())
        return ctx.error(eval_errc::invalid_argument,
                         "invalid regular expression '" + std::string(p) + "': " + re.error());
    const auto s = a[0].as_string();
    return value::from_bool(RE2::PartialMatch(piece(s), re));
}

template <bool Upper>
value fn_case(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string)
        return overload_error(ctx, Upper ? "upperAscii" : "lowerAscii", a, 1);
    const auto s = a[0].as_string();
    char* buf = static_cast<char*>(ctx.arena().allocate(s.size() + 1, 1));
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (Upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (!Upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        buf[i] = c;
    }
    return value::from_string({buf, s.size()});
}

value fn_trim(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string) return overload_error(ctx, "trim", a, 1);
    auto s = a[0].as_string();
    const auto ws = " \t\n\r\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return value::from_string({});
    const auto e = s.find_last_not_of(ws);
    return value::from_string(s.substr(b, e - b + 1));
}

// ------------------------------------------------------------------ conversions

value fn_int(const value* a, eval_context& ctx) {
    const value& v = a[0];
    switch (v.kind()) {
        case kind::int_:
            return v;
        case kind::uint_:
            if (v.as_uint() > static_cast<std::uint64_t>(INT64_MAX))
                return ctx.error(eval_errc::overflow, "int() out of range");
            return value::from_int(static_cast<std::int64_t>(v.as_uint()));
        case kind::double_: {
            const double d = v.as_double();
            // the open range (-2^63 - 1, 2^63): the ends are not representable as int64
            if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0) ||
                d <= -9223372036854775808.0)
                return ctx.error(eval_errc::overflow, "int() out of range");
            return value::from_int(static_cast<std::int64_t>(d));
        }
        case kind::string: {
            const auto s = v.as_string();
            std::int64_t out = 0;
            auto r = std::from_chars(s.data(), s.data() + s.size(), out, 10);
            if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
                return ctx.error(eval_errc::invalid_argument,
                                 "cannot convert '" + std::string(s) + "' to int");
            return value::from_int(out);
        }
        case kind::timestamp:
            return value::from_int(v.as_time().seconds);
        case kind::bool_:
            return value::from_int(v.as_bool() ? 1 : 0);
        default:
            return overload_error(ctx, "int", a, 1);
    }
}

value fn_uint(const value* a, eval_context& ctx) {
    const value& v = a[0];
    switch (v.kind()) {
        case kind::uint_:
            return v;
        case kind::int_:
            if (v.as_int() < 0) return ctx.error(eval_errc::overflow, "uint() out of range");
            return value::from_uint(static_cast<std::uint64_t>(v.as_int()));
        case kind::double_: {
            const double d = v.as_double();
            if (!(d > -1.0 && d < 18446744073709551616.0))
                return ctx.error(eval_errc::overflow, "uint() out of range");
            return value::from_uint(static_cast<std::uint64_t>(d));
        }
        case kind::string: {
            const auto s = v.as_string();
            std::uint64_t out = 0;
            auto r = std::from_chars(s.data(), s.data() + s.size(), out, 10);
            if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
                return ctx.error(eval_errc::invalid_argument,
                                 "cannot convert '" + std::string(s) + "' to uint");
            return value::from_uint(out);
        }
        case kind::bool_:
            return value::from_uint(v.as_bool() ? 1 : 0);
        default:
            return overload_error(ctx, "uint", a, 1);
    }
}

value fn_double(const value* a, eval_context& ctx) {
    const value& v = a[0];
    switch (v.kind()) {
        case kind::double_:
            return v;
        case kind::int_:
            return value::from_double(static_cast<double>(v.as_int()));
        case kind::uint_:
            return value::from_double(static_cast<double>(v.as_uint()));
        case kind::string: {
            const std::string s(v.as_string());
            if (s == "Inf" || s == "+Inf" || s == "inf" || s == "+inf" || s == "Infinity")
                return value::from_double(HUGE_VAL);
            if (s == "-Inf" || s == "-inf" || s == "-Infinity")
                return value::from_double(-HUGE_VAL);
            if (s == "NaN" || s == "nan") return value::from_double(std::nan(""));
            double d = 0;
            const char* b = s.data();
            if (!s.empty() && s[0] == '+') ++b;
            auto r = std::from_chars(b, s.data() + s.size(), d);
            if (r.ec == std::errc::result_out_of_range) {
                d = std::strtod(s.c_str(), nullptr);
            } else if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || s.empty()) {
                return ctx.error(eval_errc::invalid_argument,
                                 "cannot convert '" + s + "' to double");
            }
            return value::from_double(d);
        }
        default:
            return overload_error(ctx, "double", a, 1);
    }
}

value fn_string(const value* a, eval_context& ctx) {
    const value& v = a[0];
    switch (v.kind()) {
        case kind::string:
            return v;
        case kind::int_:
            return make_string(ctx, std::to_string(v.as_int()));
        case kind::uint_:
            return make_string(ctx, std::to_string(v.as_uint()));
        case kind::double_:
            return make_string(ctx, format_double(v.as_double()));
        case kind::bool_:
            return value::from_string(v.as_bool() ? "true" : "false");
        case kind::bytes:
            if (!utf8::valid(v.as_string()))
                return ctx.error(eval_errc::invalid_argument, "bytes are not valid UTF-8");
            return value::from_string(v.as_string());
        case kind::timestamp:
            return make_string(ctx, format_timestamp(v.as_time()));
        case kind::duration:
            return make_string(ctx, format_duration(v.as_time()));
        case kind::date:
            return make_string(ctx, v.as_date().to_string());
        case kind::time_of_day:
            return make_string(ctx, v.as_time_of_day().to_string());
        case kind::type:
            return value::from_string(type_name(v.as_type()));
        default:
            return overload_error(ctx, "string", a, 1);
    }
}

value fn_bytes(const value* a, eval_context& ctx) {
    if (a[0].kind() == kind::bytes) return a[0];
    if (a[0].kind() == kind::string) return value::from_bytes(a[0].as_string());
    return overload_error(ctx, "bytes", a, 1);
}

value fn_bool(const value* a, eval_context& ctx) {
    if (a[0].is_bool()) return a[0];
    if (a[0].kind() == kind::string) {
        const auto s = a[0].as_string();
        if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "T" || s == "1")
            return value::from_bool(true);
        if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "F" || s == "0")
            return value::from_bool(false);
        return ctx.error(eval_errc::invalid_argument,
                         "cannot convert '" + std::string(s) + "' to bool");
    }
    return overload_error(ctx, "bool", a, 1);
}

value fn_dyn(const value* a, eval_context&) {
    return a[0];
}

value fn_type(const value* a, eval_context&) {
    return value::from_type(a[0].kind());
}

// ------------------------------------------------------------------ timestamps and durations

value fn_timestamp(const value* a, eval_context& ctx) {
    switch (a[0].kind()) {
        case kind::timestamp:
            return a[0];
        case kind::string: {
            auto t = parse_timestamp(a[0].as_string());
            if (!t)
                return ctx.error(eval_errc::invalid_argument,
                                 "invalid timestamp '" + std::string(a[0].as_string()) + "'");
            return value::from_timestamp(*t);
        }
        case kind::int_: {
            const time_parts t{a[0].as_int(), 0};
            if (!timestamp_in_range(t))
                return ctx.error(eval_errc::overflow, "timestamp out of range");
            return value::from_timestamp(t);
        }
        case kind::date:
            return value::from_timestamp(
                {std::int64_t{a[0].as_date().days_since_epoch()} * 86400, 0});
        default:
            return overload_error(ctx, "timestamp", a, 1);
    }
}

value fn_duration(const value* a, eval_context& ctx) {
    switch (a[0].kind()) {
        case kind::duration:
            return a[0];
        case kind::string: {
            auto d = parse_duration(a[0].as_string());
            if (!d)
                return ctx.error(eval_errc::invalid_argument,
                                 "invalid duration '" + std::string(a[0].as_string()) + "'");
            return value::from_duration(*d);
        }
        case kind::int_: {
            const time_parts d{a[0].as_int(), 0};
            if (!duration_in_range(d))
                return ctx.error(eval_errc::overflow, "duration out of range");
            return value::from_duration(d);
        }
        default:
            return overload_error(ctx, "duration", a, 1);
    }
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

constexpr std::string_view field_name(field f) {
    switch (f) {
        case field::full_year:
            return "getFullYear";
        case field::month:
            return "getMonth";
        case field::date:
            return "getDate";
        case field::day_of_month:
            return "getDayOfMonth";
        case field::day_of_week:
            return "getDayOfWeek";
        case field::day_of_year:
            return "getDayOfYear";
        case field::hours:
            return "getHours";
        case field::minutes:
            return "getMinutes";
        case field::seconds:
            return "getSeconds";
        default:
            return "getMilliseconds";
    }
}

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
value fn_time_field(const value* a, eval_context& ctx) {
    const value& v = a[0];
    if (v.kind() == kind::timestamp) {
        auto c = to_civil(v.as_time(), "UTC");
        return civil_field(*c, F);
    }
    if (v.kind() == kind::duration) {
        const auto d = v.as_time();
        switch (F) {
            case field::hours:
                return value::from_int(d.seconds / 3600);
            case field::minutes:
                return value::from_int(d.seconds / 60);
            case field::seconds:
                return value::from_int(d.seconds);
            case field::millis:
                return value::from_int(d.nanos / 1'000'000);
            default:
                break;
        }
    }
    if (v.kind() == kind::date) {
        const time_parts t{std::int64_t{v.as_date().days_since_epoch()} * 86400, 0};
        auto c = to_civil(t, "UTC");
        switch (F) {
            case field::full_year:
            case field::month:
            case field::date:
            case field::day_of_month:
            case field::day_of_week:
            case field::day_of_year:
                return civil_field(*c, F);
            default:
                break;
        }
    }
    return overload_error(ctx, field_name(F), a, 1);
}

template <field F>
value fn_time_field_tz(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::timestamp || a[1].kind() != kind::string)
        return overload_error(ctx, field_name(F), a, 2);
    auto c = to_civil(a[0].as_time(), a[1].as_string());
    if (!c)
        return ctx.error(eval_errc::invalid_argument,
                         "unknown time zone '" + std::string(a[1].as_string()) + "'");
    return civil_field(*c, F);
}

// ------------------------------------------------------------------ dates and times of day

value fn_date(const value* a, eval_context& ctx) {
    switch (a[0].kind()) {
        case kind::date:
            return a[0];
        case kind::string: {
            auto d = date::parse(a[0].as_string());
            if (!d)
                return ctx.error(
                    eval_errc::invalid_argument,
                    "invalid date '" + std::string(a[0].as_string()) + "' (expected YYYY-MM-DD)");
            return value::from_date(*d);
        }
        case kind::timestamp: {
            const auto s = a[0].as_time().seconds;
            const std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
            return value::from_date(date{static_cast<std::int32_t>(days)});
        }
        default:
            return overload_error(ctx, "date", a, 1);
    }
}

value fn_time_of_day(const value* a, eval_context& ctx) {
    switch (a[0].kind()) {
        case kind::time_of_day:
            return a[0];
        case kind::string: {
            auto t = time_of_day::parse(a[0].as_string());
            if (!t)
                return ctx.error(
                    eval_errc::invalid_argument,
                    "invalid time of day '" + std::string(a[0].as_string()) + "' (expected HH:MM)");
            return value::from_time_of_day(*t);
        }
        default:
            return overload_error(ctx, "time_of_day", a, 1);
    }
}

// Bounds for date arithmetic: years 0001-9999, as timestamps.
constexpr std::int64_t min_day = -719162;  // 0001-01-01
constexpr std::int64_t max_day = 2932896;  // 9999-12-31

value fn_add_days(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::date || a[1].kind() != kind::int_)
        return overload_error(ctx, "add_days", a, 2);
    const std::int64_t d = std::int64_t{a[0].as_date().days_since_epoch()};
    const std::int64_t n = a[1].as_int();
    if (n > max_day - min_day || n < min_day - max_day || d + n < min_day || d + n > max_day)
        return ctx.error(eval_errc::overflow, "date out of range");
    return value::from_date(date{static_cast<std::int32_t>(d + n)});
}

value fn_add_months(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::date || a[1].kind() != kind::int_)
        return overload_error(ctx, "add_months", a, 2);
    const std::int64_t n = a[1].as_int();
    if (n > 12 * 10000 || n < -12 * 10000)
        return ctx.error(eval_errc::overflow, "date out of range");
    const date r = a[0].as_date().add_months(static_cast<int>(n));
    if (r.days_since_epoch() < min_day || r.days_since_epoch() > max_day)
        return ctx.error(eval_errc::overflow, "date out of range");
    return value::from_date(r);
}

value fn_days_between(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::date || a[1].kind() != kind::date)
        return overload_error(ctx, "days_between", a, 2);
    return value::from_int(a[1].as_date() - a[0].as_date());
}

// ------------------------------------------------------------------ list extensions

// Indices of a list's elements grouped by equality: strings by sorting (n log n), anything
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
        auto* order = ctx.arena().allocate_array<std::uint32_t>(n);
        for (std::uint32_t i = 0; i < n; ++i)
            order[i] = i;
        // by text, then position: equal texts keep their order without stable_sort's buffer
        std::sort(order, order + n, [&](std::uint32_t a, std::uint32_t b) {
            const int c = items[a].as_string().compare(items[b].as_string());
            return c < 0 || (c == 0 && a < b);
        });
        for (std::uint32_t k = 0; k < n; ++k)
            first[order[k]] =
                (k > 0 && items[order[k]].as_string() == items[order[k - 1]].as_string())
                    ? first[order[k - 1]]
                    : order[k];
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

value fn_distinct(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::list) return overload_error(ctx, "distinct", a, 1);
    value* out = ctx.arena().allocate_array<value>(a[0].size());
    std::uint32_t k = 0;
    group_equal(a[0], ctx, [&](std::uint32_t i, std::uint32_t first) {
        if (first == i) out[k++] = a[0].list_begin()[i];
    });
    return value::from_list(out, k);
}

value fn_duplicates(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::list) return overload_error(ctx, "duplicates", a, 1);
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

void register_standard_functions(std::vector<function_def>& out) {
    auto add = [&](std::string_view name, std::uint32_t arity, bool member, native_function fn) {
        out.push_back({std::string(name), arity, member, fn, true});
    };
    auto both = [&](std::string_view name, std::uint32_t arity, native_function fn) {
        add(name, arity, false, fn);
        add(name, arity, true, fn);
    };
    both("size", 1, fn_size);
    add("distinct", 1, true, fn_distinct);
    add("duplicates", 1, true, fn_duplicates);
    add("contains", 2, true, fn_contains);
    add("startsWith", 2, true, fn_starts_with);
    add("endsWith", 2, true, fn_ends_with);
    both("matches", 2, fn_matches);
    add("lowerAscii", 1, true, fn_case<false>);
    add("upperAscii", 1, true, fn_case<true>);
    add("trim", 1, true, fn_trim);

    add("int", 1, false, fn_int);
    add("uint", 1, false, fn_uint);
    add("double", 1, false, fn_double);
    add("string", 1, false, fn_string);
    add("bytes", 1, false, fn_bytes);
    add("bool", 1, false, fn_bool);
    add("dyn", 1, false, fn_dyn);
    add("type", 1, false, fn_type);
    add("timestamp", 1, false, fn_timestamp);
    add("duration", 1, false, fn_duration);

    add("getFullYear", 1, true, fn_time_field<field::full_year>);
    add("getMonth", 1, true, fn_time_field<field::month>);
    add("getDate", 1, true, fn_time_field<field::date>);
    add("getDayOfMonth", 1, true, fn_time_field<field::day_of_month>);
    add("getDayOfWeek", 1, true, fn_time_field<field::day_of_week>);
    add("getDayOfYear", 1, true, fn_time_field<field::day_of_year>);
    add("getHours", 1, true, fn_time_field<field::hours>);
    add("getMinutes", 1, true, fn_time_field<field::minutes>);
    add("getSeconds", 1, true, fn_time_field<field::seconds>);
    add("getMilliseconds", 1, true, fn_time_field<field::millis>);
    add("getFullYear", 2, true, fn_time_field_tz<field::full_year>);
    add("getMonth", 2, true, fn_time_field_tz<field::month>);
    add("getDate", 2, true, fn_time_field_tz<field::date>);
    add("getDayOfMonth", 2, true, fn_time_field_tz<field::day_of_month>);
    add("getDayOfWeek", 2, true, fn_time_field_tz<field::day_of_week>);
    add("getDayOfYear", 2, true, fn_time_field_tz<field::day_of_year>);
    add("getHours", 2, true, fn_time_field_tz<field::hours>);
    add("getMinutes", 2, true, fn_time_field_tz<field::minutes>);
    add("getSeconds", 2, true, fn_time_field_tz<field::seconds>);
    add("getMilliseconds", 2, true, fn_time_field_tz<field::millis>);

    add("date", 1, false, fn_date);
    add("time_of_day", 1, false, fn_time_of_day);
    both("add_days", 2, fn_add_days);
    both("add_months", 2, fn_add_months);
    add("days_between", 2, false, fn_days_between);
}

}  // namespace telecomply::detail
