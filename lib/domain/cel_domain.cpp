// Domain extension functions: Chinese identifiers, phone numbers and working days.

#include <string>

#include "telecomply/domain/cel_functions.hpp"

#include "expr/cel_program.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply::detail {

namespace {

value fn_uscc_valid(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string) return no_overload_error(ctx, "uscc_valid", a, 1);
    return value::from_bool(uscc_valid(a[0].as_string()));
}

// A date argument may be given as a date or as a YYYY-MM-DD string.
bool as_date(const value& v, date& out) {
    if (v.kind() == kind::date) {
        out = v.as_date();
        return true;
    }
    if (v.kind() == kind::string) {
        if (auto d = date::parse(v.as_string())) {
            out = *d;
            return true;
        }
    }
    return false;
}

value fn_resident_id_valid(const value* a, eval_context& ctx) {
    date on;
    if (a[0].kind() != kind::string || !as_date(a[1], on))
        return no_overload_error(ctx, "resident_id_valid", a, 2);
    return value::from_bool(resident_id_valid(a[0].as_string(), on));
}

value fn_phone_kind(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string) return no_overload_error(ctx, "phone_kind", a, 1);
    // to_string returns a view of a static string: no allocation
    return value::from_string(to_string(classify_phone(a[0].as_string())));
}

value fn_mvno(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string) return no_overload_error(ctx, "mvno", a, 1);
    return value::from_bool(classify_phone(a[0].as_string()) == phone_kind::mvno);
}

value fn_carrier(const value* a, eval_context& ctx) {
    if (a[0].kind() != kind::string) return no_overload_error(ctx, "carrier", a, 1);
    return value::from_string(to_string(carrier_of(a[0].as_string())));
}

// Working days: the calendars are the function's state; a date outside their years is an error
// value, never a guess.
template <class F>
value with_calendar(eval_context& ctx, const void* state, const value& region, F&& f) {
    const auto* calendars = static_cast<const calendar_set*>(state);
    if (calendars == nullptr)
        return ctx.error(eval_errc::invalid_argument,
                         "no working calendar is configured for this expression");
    try {
        const calendar& cal = calendars->for_region(region.as_string());
        return f(cal);
    } catch (const error& e) {
        return ctx.error(eval_errc::invalid_argument, e.what());
    }
}

value fn_add_working_days(const value* a, eval_context& ctx, const void* state) {
    date d;
    if (!as_date(a[0], d) || a[1].kind() != kind::int_ || a[2].kind() != kind::string)
        return no_overload_error(ctx, "add_working_days", a, 3);
    const std::int64_t n = a[1].as_int();
    if (n > 100000 || n < -100000)
        return ctx.error(eval_errc::invalid_argument, "add_working_days: count out of range");
    return with_calendar(ctx, state, a[2], [&](const calendar& c) {
        return value::from_date(c.add_working_days(d, static_cast<int>(n)));
    });
}

value fn_working_days_between(const value* a, eval_context& ctx, const void* state) {
    date x, y;
    if (!as_date(a[0], x) || !as_date(a[1], y) || a[2].kind() != kind::string)
        return no_overload_error(ctx, "working_days_between", a, 3);
    return with_calendar(ctx, state, a[2], [&](const calendar& c) {
        return value::from_int(c.working_days_between(x, y));
    });
}

value fn_is_working_day(const value* a, eval_context& ctx, const void* state) {
    date d;
    if (!as_date(a[0], d) || a[1].kind() != kind::string)
        return no_overload_error(ctx, "is_working_day", a, 2);
    return with_calendar(ctx, state, a[1],
                         [&](const calendar& c) { return value::from_bool(c.is_working_day(d)); });
}

}  // namespace

}  // namespace telecomply::detail

namespace telecomply {

void install_domain_functions(environment& env, std::shared_ptr<const calendar_set> calendars) {
    using namespace detail;
    for (const bool member : {false, true}) {
        env.add_function("uscc_valid", 1, member, fn_uscc_valid);
        env.add_function("resident_id_valid", 2, member, fn_resident_id_valid);
        env.add_function("phone_kind", 1, member, fn_phone_kind);
    }
    env.add_function("mvno", 1, false, fn_mvno);
    env.add_function("carrier", 1, false, fn_carrier);
    // the calendars are the working-day functions' state, kept alive by what compiles with them
    std::shared_ptr<const void> state = std::move(calendars);
    env.add_function("add_working_days", 3, false, fn_add_working_days, state);
    env.add_function("add_working_days", 3, true, fn_add_working_days, state);
    env.add_function("working_days_between", 3, false, fn_working_days_between, state);
    env.add_function("is_working_day", 2, false, fn_is_working_day, state);
    env.add_function("is_working_day", 2, true, fn_is_working_day, state);
}

}  // namespace telecomply
