#pragma once
/// \file time_in_state.hpp
/// How long cases stay in each workflow state, in working days on the calendar of the case's
/// region (the calendar its deadlines are counted on), and how their timers ended: the report
/// behind `telecomply case durations` and Python's CaseStore.time_in_state(), durations() and
/// sla_breaches() (docs/workflow.md, "Time to a decision: durations and forecasts"). Computed by
/// case_service::durations() (cases.hpp) from the store's histories.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"

namespace telecomply {

/// The p-th percentile (0 <= p <= 100) of `values` by linear interpolation between closest
/// ranks: with the values sorted as x[0] <= ... <= x[n-1], h = (n - 1) * p / 100 and k =
/// floor(h), it is x[k] + (h - k) * (x[k+1] - x[k]) (x[k] when k = n - 1). This is definition 7
/// of Hyndman and Fan, "Sample quantiles in statistical packages" (The American Statistician
/// 50(4), 1996): numpy.percentile's default method ("linear"), R's quantile() default type 7
/// and Excel's PERCENTILE.INC. The median is percentile(values, 50). Throws usage_error for no
/// values or p outside [0, 100]. Pure; thread-safe.
[[nodiscard]] double percentile(std::vector<int> values, double p);

/// One visit of a case to a workflow state: from the event that entered it to the event that
/// left it, or to the report's `as_of` while the case is still there. Events that leave the
/// state as it was (a complaint below the threshold, an SLA's timer) do not end a visit. A
/// case's stay in a final state (withdrawn, barred...) is not a visit: it never ends. A value
/// type.
struct state_visit {
    std::string case_id, region, state;
    date entered_on;               ///< the day (China Standard Time) of the event that entered it
    std::int64_t entered_seq = 0;  ///< that event's seq (1: the case's creation)
    std::string entered_by;        ///< that event's type ("accept", "timer"...)
    std::optional<date> left_on;   ///< the day of the event that left it; nullopt while open
    std::int64_t left_seq = 0;     ///< that event's seq; 0 while open
    std::string left_by;           ///< that event's type; "" while open
    /// Working days spent: the working days d with entered_on < d <= left_on (or as_of), on the
    /// region's calendar (calendar::working_days_between()); a visit that starts and ends on
    /// one day, or over a weekend, spent 0. nullopt when the calendar does not cover the days.
    std::optional<int> working_days;
    /// The provisional calendar years among those days: the count may change when their
    /// official arrangement is imported (docs/calendars.md).
    std::vector<int> provisional_years;
    /// True while the case is still in the state at as_of (left_on is nullopt).
    [[nodiscard]] bool open() const noexcept { return !left_on.has_value(); }
    /// `{case_id, region, state, entered_on, entered_seq, entered_by, left_on, left_seq,
    /// left_by, working_days, open, provisional_years}`; dates YYYY-MM-DD, left_on, left_by,
    /// left_seq and working_days null when not set.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// The visits to one state of one region's cases. Median, p90 and max are over the closed
/// visits counted in working days only: an open visit has not ended, so its time so far is a
/// lower bound that would bias them down (it is counted in `open`, and its wait so far is in
/// durations_report::waiting).
struct state_duration {
    std::string region, state;
    std::size_t visits = 0;        ///< every visit, open ones included
    std::size_t open = 0;          ///< visits still open at as_of
    std::size_t counted = 0;       ///< closed visits whose working days are known: the sample
    std::optional<double> median;  ///< percentile(…, 50) of the sample (working days)
    std::optional<double> p90;     ///< percentile(…, 90) of the sample (working days)
    std::optional<int> max;        ///< the longest closed visit (working days)
    /// `{region, state, visits, open, counted, median, p90, max}` (null when nothing counted).
    [[nodiscard]] nlohmann::json to_json() const;
};

/// How the runs of one timer ended, per case, in one region. Only timers counted in working
/// days are reported (review_sla, supplement_deadline): they measure how long someone takes to
/// act; a validity in months measures a whitelisting's life, not a wait.
///
/// A run starts when an event sets the timer and ends when an event stops it (or a tick
/// records it passed). A run is breached when it ended after its last day, or is still running
/// at as_of with its last day before as_of (the deadline passed, whether or not a tick has
/// recorded it yet); on time when it ended on or before its last day. Each case counts once
/// per timer: breached when any of its runs was, else running when its last run still is,
/// else on time.
struct timer_outcome {
    std::string region, timer;
    std::string kind;          ///< the workflow's kind: "sla" or "deadline"
    std::string raises;        ///< the flag an SLA raises ("REVIEW_OVERDUE"); "" for deadlines
    std::size_t breached = 0;  ///< cases with a run that passed its last day
    std::size_t on_time = 0;   ///< cases whose runs all ended on or before their last day
    std::size_t running = 0;   ///< cases whose run is still running and not yet due
    /// `{region, timer, kind, raises, breached, on_time, running}`.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// An open case waiting in its state: one not in a final state nor in a state a decision leads
/// to (whitelisted, rejected: see case_service::forecast()).
struct waiting_case {
    std::string case_id, region, state;
    date since;                       ///< the day it entered the state
    std::optional<int> working_days;  ///< waited so far at as_of (nullopt: not countable)
    /// `{case_id, region, state, since, working_days}`.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// What case_service::durations() found. A value type.
struct durations_report {
    date as_of;                          ///< events of later days were left out
    std::optional<std::string> region;   ///< the region reported on; nullopt: every region
    std::vector<state_visit> visits;     ///< by case id, then in time order
    std::vector<state_duration> states;  ///< by region, then in the workflow's state order
    std::vector<timer_outcome> timers;   ///< by region, then timer name
    std::vector<waiting_case> waiting;   ///< longest wait first, then by case id
    std::vector<int> provisional_years;  ///< every provisional year a count crossed, ascending
    /// `{as_of, region, states: [...], timers: [...], waiting: [...], provisional_years,
    /// visits: [...]}` (each element its to_json()).
    [[nodiscard]] nlohmann::json to_json() const;
};

}  // namespace telecomply
