// Domain extension functions: Chinese identifiers, phone numbers and working days, each a
// typed overload (see function_adapter.hpp). A date argument may be a date or a YYYY-MM-DD
// string (application fields are JSON strings): date_arg.

#include <string>

#include "telecomply/domain/cel_functions.hpp"

#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/expr/function_adapter.hpp"

namespace telecomply {
namespace detail {
/// A date argument: a date, or a string that is a YYYY-MM-DD date (any other string is not
/// accepted: "no such overload").
struct date_arg {
    date d;
};
}  // namespace detail

template <>
struct arg_traits<detail::date_arg> {
    static constexpr kind_set kinds = kind::date | kind::string;
    static bool accepts(const value& v) {
        return v.kind() == kind::date || date::parse(v.as_string()).has_value();
    }
    static detail::date_arg get(const value& v) {
        return {v.kind() == kind::date ? v.as_date() : *date::parse(v.as_string())};
    }
};

}  // namespace telecomply

namespace telecomply::detail {

namespace {

bool uscc_is_valid(std::string_view s) {
    return uscc_valid(s);
}
bool resident_id_is_valid(std::string_view id, date_arg on) {
    return resident_id_valid(id, on.d);
}

value phone_kind_of(std::string_view s) {
    // to_string returns a view of a static string: no allocation
    return value::from_string(to_string(classify_phone(s)));
}
bool is_mvno(std::string_view s) {
    return classify_phone(s) == phone_kind::mvno;
}
value carrier_name(std::string_view s) {
    return value::from_string(to_string(carrier_of(s)));
}

// Working days: the calendars are the functions' state; a date outside their years is an error
// value, never a guess.
template <class F>
value with_calendar(const calendar_set& calendars, eval_context& ctx, std::string_view region,
                    F&& f) {
    try {
        return f(calendars.for_region(region));
    } catch (const error& e) {
        return ctx.error(eval_errc::invalid_argument, e.what());
    }
}

value add_working_days(const calendar_set& cals, eval_context& ctx, date_arg d, std::int64_t n,
                       std::string_view region) {
    if (n > 100000 || n < -100000)
        return ctx.error(eval_errc::invalid_argument, "add_working_days: count out of range");
    return with_calendar(cals, ctx, region, [&](const calendar& c) {
        return value::from_date(c.add_working_days(d.d, static_cast<int>(n)));
    });
}

value working_days_between(const calendar_set& cals, eval_context& ctx, date_arg from, date_arg to,
                           std::string_view region) {
    return with_calendar(cals, ctx, region, [&](const calendar& c) {
        return value::from_int(c.working_days_between(from.d, to.d));
    });
}

value is_working_day(const calendar_set& cals, eval_context& ctx, date_arg d,
                     std::string_view region) {
    return with_calendar(cals, ctx, region, [&](const calendar& c) {
        return value::from_bool(c.is_working_day(d.d));
    });
}

value no_calendar(const value*, eval_context& ctx) {
    return ctx.error(eval_errc::invalid_argument,
                     "no working calendar is configured for this expression");
}

}  // namespace

}  // namespace telecomply::detail

namespace telecomply {

void install_domain_functions(environment& env, std::shared_ptr<const calendar_set> calendars) {
    using namespace detail;
    for (const bool member : {false, true}) {
        add_overload<uscc_is_valid>(env, "uscc_valid", member);
        add_overload<resident_id_is_valid>(env, "resident_id_valid", member);
        add_overload<phone_kind_of>(env, "phone_kind", member);
    }
    add_overload<is_mvno>(env, "mvno", false);
    add_overload<carrier_name>(env, "carrier", false);
    if (!calendars) {
        for (const bool member : {false, true}) {
            env.add_function("add_working_days", 3, member, no_calendar);
            env.add_function("is_working_day", 2, member, no_calendar);
        }
        env.add_function("working_days_between", 3, false, no_calendar);
        return;
    }
    // the calendars are the working-day functions' state, kept alive by what compiles with them
    for (const bool member : {false, true}) {
        add_overload<add_working_days>(env, "add_working_days", member, calendars);
        add_overload<is_working_day>(env, "is_working_day", member, calendars);
    }
    add_overload<working_days_between>(env, "working_days_between", false, calendars);
}

}  // namespace telecomply
