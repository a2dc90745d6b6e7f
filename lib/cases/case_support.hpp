#pragma once
// What the case layer's files share in private: small readers of event data, the text and
// JSON of a rules evaluation, and the guards and effects that carry out a workflow transition
// on a case (the vocabulary the workflow layer names; docs/workflow.md).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/store_facts.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply::detail {

// ---- event data and JSON (case_support.cpp)

/// A text field of event data or of an application: "" when absent or not a string.
std::string text_of(const nlohmann::json& j, const char* key);
/// A date as JSON: "YYYY-MM-DD", or null.
nlohmann::json date_or_null(const std::optional<date>& d);
/// A "YYYY-MM-DD" string as a date; nullopt for anything else.
std::optional<date> json_date(const nlohmann::json& j);
/// Throws transition_refused naming the case, the event, the state and `why`.
[[noreturn]] void refuse(const case_state& s, const case_event& e, const std::string& why);
/// "CODE[subject], CODE2" of a verdict's findings (the blocking ones only when asked).
std::string finding_list(const verdict& v, bool blocking_only);
/// The undecided rules as finding codes with what is missing.
std::string unknown_list(const verdict& v, bool blocking_only);
/// [{code, severity, rule, subject?}] of a verdict's findings.
nlohmann::json findings_json(const verdict& v);
/// {decision, ruleset, findings, unknowns, obligations}: what an event's guard decided.
nlohmann::json verdict_summary(const verdict& v);
/// An integer parameter of a ruleset; workflow_error when it has none.
std::int64_t int_param(const ruleset& rs, const std::string& name);
/// "CN-GX@1a2b3c4d5e6f": a calendar and its version, as deadlines record them.
std::string calendar_label(const calendar& cal);

// ---- guards and effects (transitions.cpp)

// Everything one event needs while it is being applied.
struct event_context {
    const engine& eng;
    const workflow& wf;
    std::shared_ptr<const ruleset> rules;
    const calendar* cal;
    date day;
    const case_event& event;
    /// The case as it was before this event (before any patch).
    const case_state& before;
    /// In a replay, the event's recorded outcome (its deadlines, as counted then); else null.
    const nlohmann::json* recorded = nullptr;
    /// True in a replay: stored events are judged as they were recorded, without the checks
    /// of event data added since (docs/policy.md §8), so that older histories still replay.
    bool replaying = false;
    /// Live, with a case store: what it knows of the application (docs/policy.md §7), asked
    /// for only when a guard runs the rules. Null without a store.
    const std::function<store_facts(const nlohmann::json&)>* facts_source = nullptr;
    /// The facts the rules were judged with (asked once; in a replay, the recorded ones).
    mutable std::optional<store_facts> facts;

    /// The store's facts for this event, or null when there are none (no store; a replayed
    /// event that recorded none).
    [[nodiscard]] const store_facts* store_facts_for_rules(const nlohmann::json& application) const;
};

/// Timer `t` counted from `from` (the event's date, or the last day of the period a renewal
/// extends). Throws calendar_error naming the deadline when it cannot be counted.
case_deadline timer_due(const event_context& c, const workflow_timer& t, date from);
/// Whether transition `t`'s guard holds for the case `next` (which a guard may update with
/// findings and obligations); `reason` says why not, `summary` what a rules evaluation decided.
bool guard_holds(const workflow_transition& t, case_state& next, const event_context& c,
                 std::string& reason, nlohmann::json& summary);
/// The guards and effects the case layer implements (each name of the workflow vocabulary
/// must be among them; a test checks it).
std::vector<std::string> implemented_guards();
std::vector<std::string> implemented_effects();
/// Carries out transition `t`'s effects on `next`.
void apply_effects(const workflow_transition& t, case_state& next, const event_context& c);
/// Refuses an event whose data the effects of `t` need and it lacks, or (live, not in a
/// replay) whose data names what the case or its rules do not know (docs/policy.md §8).
void check_payload(const workflow_transition& t, const case_state& s, const event_context& c);
/// The deadlines (and lateness judgements) an event set, into its outcome; in a replay, taken
/// from the recorded outcome instead.
void record_deadlines(const workflow_transition& t, const case_state& before, case_state& next,
                      const nlohmann::json* recorded, nlohmann::json& outcome);

}  // namespace telecomply::detail
