#pragma once
// A case's history as states and days, what the workflow calls a decision, and the visits to
// states a history makes: what case_service::durations() and case_service::forecast() share
// (docs/workflow.md, "Time to a decision"). Private to the library.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "telecomply/base/date.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/time_in_state.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply::detail {

/// A case after one of its events.
struct case_step {
    std::int64_t seq = 0;
    std::string type;                                ///< the event's type
    std::string timer;                               ///< for a `timer` event, the timer that passed
    date day;                                        ///< the event's day in China Standard Time
    std::string state;                               ///< the state the event left the case in
    std::map<std::string, case_deadline> deadlines;  ///< the timers running after it
    bool decision = false;  ///< the event took a decision transition (decision_transitions())
};

/// A case's history replayed: one step per event, in order.
struct case_path {
    std::string id, region;
    std::vector<case_step> steps;
};

/// The ids of the transitions that decide a case: those with a stop_timer effect on a timer of
/// kind "sla" (the bureau's clock stops when it answers).
[[nodiscard]] std::set<std::string> decision_transitions(const workflow& wf);
/// The states decision transitions lead to (whitelisted, rejected, barred).
[[nodiscard]] std::set<std::string> decision_states(const workflow& wf);
/// The SLA timers a decision transition stops (review_sla), by name.
[[nodiscard]] std::vector<const workflow_timer*> decision_slas(const workflow& wf);
/// Whether a case in `state` still awaits a decision: the state is neither final nor one a
/// decision leads to, and some decision transition can be reached from it.
[[nodiscard]] bool awaits_decision(const workflow& wf, std::string_view state);
/// The transition an event took from `before` into `after`: the timer's transition for a
/// `timer` event of a deadline; nullptr for events no transition names (create,
/// recompute_deadlines, repin, an SLA's timer).
[[nodiscard]] const workflow_transition* transition_taken(const workflow& wf,
                                                          const std::string& before,
                                                          const case_step& step);

/// The calendar of a region's deadlines; calendar_error when the rulesets have none.
[[nodiscard]] const calendar& calendar_of(const case_manager& m, std::string_view region);

/// Working days d with a < d <= b on `cal`; nullopt when the calendar does not cover them.
[[nodiscard]] std::optional<int> working_days(const calendar& cal, date a, date b);

/// A case's visits to states (time_in_state.hpp): a visit starts at each step whose state
/// differs from the step before, and ends at the next such step or, still open, at `as_of`.
/// Visits to final states are left out. `first_step` receives, per visit, the index of the
/// step that entered it (when given).
[[nodiscard]] std::vector<state_visit> visits_of(const case_path& p, const workflow& wf,
                                                 const calendar& cal, date as_of,
                                                 std::vector<std::size_t>* first_step = nullptr);

}  // namespace telecomply::detail
