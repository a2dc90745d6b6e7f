#pragma once
/// \file cases.hpp
/// Cases: one application's life through the approval workflow (docs/policy.md §5,
/// docs/workflow.md). case_manager holds the pure logic (events, guards, deadlines, replay);
/// case_service adds the durable, tamper-evident store.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/date.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/complaints.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/forecast.hpp"
#include "telecomply/cases/registry.hpp"
#include "telecomply/cases/store_facts.hpp"
#include "telecomply/cases/time_in_state.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply {

namespace detail {
struct case_path;  // a case's history as states and days (lib/cases/state_visits.hpp)
}  // namespace detail

/// An event as given by a caller: `at` is an RFC 3339 time or a YYYY-MM-DD date (dates of
/// deadlines are taken in China Standard Time, UTC+8).
struct case_event {
    std::string type;
    std::string actor = "system";
    std::string at;
    nlohmann::json data = nlohmann::json::object();
};

/// A running timer of a case: its last day and how it was reached (docs/workflow.md, "Cases and
/// events"). A value type.
struct case_deadline {
    date due;   ///< the last day on which the deadline is met (an event that day is in time)
    date from;  ///< the day the count started: the event's date, or the end of the period a
                ///< renewal extends
    int working_days = 0;  ///< N for a deadline of N working days; 0 for calendar months or days
    std::string calendar;  ///< `name@version` of the calendar it was counted on ("" unless
                           ///< counted in working days)
    std::vector<int> provisional_years;  ///< the provisional calendar years the count crossed
    std::optional<date> moved_from;      ///< the last day before a calendar change moved it

    /// True when the count crossed a provisional year: the day may move when that year's
    /// official arrangement is imported.
    [[nodiscard]] bool provisional() const noexcept { return !provisional_years.empty(); }
    /// `{"due", "provisional", "provisional_years", "from", "working_days"?, "calendar"?,
    /// "moved_from"?}`.
    [[nodiscard]] nlohmann::json to_json() const;
    /// The inverse of to_json(); also a bare "YYYY-MM-DD" (snapshots written before deadlines
    /// had details). Throws store_error when malformed.
    static case_deadline from_json(const nlohmann::json& j);
    bool operator==(const case_deadline&) const = default;
};

/// The state of a case: everything a guard, a deadline or a report needs. A value type.
struct case_state {
    std::string id;
    std::string region;
    nlohmann::json application;  ///< the application as it stands (events may patch it)
    std::string ruleset_id, ruleset_version, ruleset_digest;
    std::optional<date> pinned_on;  ///< the date whose rules the case follows (submitted_on)
    std::string state;
    std::int64_t version = 0;                           ///< number of events applied
    std::map<std::string, case_deadline> deadlines;     ///< running timers by name
    std::set<std::string> flags;                        ///< e.g. REVIEW_OVERDUE
    std::map<std::string, bool> obligations;            ///< code -> met
    nlohmann::json findings = nlohmann::json::array();  ///< of the last rules evaluation
    nlohmann::json warnings = nlohmann::json::array();  ///< e.g. CHANGE_REPORTED_LATE
    std::vector<std::string> requested_items;
    std::vector<std::string> rejection_reasons;
    std::map<std::string, std::vector<date>> complaints;  ///< number -> complaint dates
    std::optional<date> banned_until;
    std::optional<date> validity_until;
    /// While a reported change is pending (hold_change): the application as it was before it,
    /// restored when the change is rejected (revert_change). In the snapshot only when set.
    std::optional<nlohmann::json> held_application;

    /// The full case as JSON (the store's snapshot).
    [[nodiscard]] nlohmann::json to_json() const;
    static case_state from_json(const nlohmann::json& j);
    /// The summary `case event --format json` prints: {id, region, state, ruleset_version,
    /// deadlines{name: case_deadline::to_json()} (the running timers), obligations [{code,
    /// met}], findings}, and when set: flags, warnings, rejection_reasons, banned_until,
    /// validity_until, requested_items (what a supplement must bring), complaints {number:
    /// {count, dates}} (canonical numbers; dates YYYY-MM-DD).
    [[nodiscard]] nlohmann::json summary() const;
};

/// A case as `case show` presents it: its state on the current calendar, and what its history
/// tells about it (case_service::report()). A value type.
struct case_report {
    case_state state;  ///< as case_service::get()
    /// An event of the case's history, as the report names it.
    struct event_ref {
        std::int64_t seq = 0;
        std::string type, actor, at;
        nlohmann::json data;  ///< the event's data (reasons, note, number...)
    };
    /// The event that moved the case into its current state (why it is suspended, barred,
    /// rejected...); nullopt for a case still in its first state.
    std::optional<event_ref> entered;
    /// A deadline that was missed: its timer fell due and a tick recorded it (the case moved,
    /// or an SLA flag was raised). Kept visible after the timer stops running.
    struct missed_deadline {
        std::string timer;
        date last_day;  ///< its last day
        event_ref by;   ///< the `timer` event that recorded it
    };
    std::vector<missed_deadline> missed;  ///< in the order they fell due

    /// state.summary() and: `entered_state` {seq, event, actor, at, data} when set,
    /// `missed_deadlines` [{timer, last_day, recorded_at, seq}] when any.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// What applying an event did.
struct transition_result {
    case_state after;
    std::string transition;  ///< the workflow transition id taken
    nlohmann::json verdict;  ///< summary of the rules evaluation a guard ran (null if none)
    /// What the event computed, to be stored with it (event_input::outcome):
    /// `{"deadlines": {name: case_deadline::to_json()}}` for the deadlines it started, extended
    /// or recomputed; null when none.
    nlohmann::json outcome;
    /// The digest of the rules the event was judged by: the case's pinned digest, unless the
    /// pinned content is not known and the catalogue's version differs (drift).
    std::string judged_by;
};

/// The workflow logic over immutable rules, workflows and calendars. Thread-safe.
class case_manager {
  public:
    /// `rulesets` is a folder with ruleset files, calendars/ and workflow/.
    explicit case_manager(std::shared_ptr<const engine> rules);

    /// A new case in the workflow's initial state for a (schema-valid) application, pinning the
    /// ruleset version in force on its submission date. `id` defaults to the application's id.
    [[nodiscard]] case_state create(const nlohmann::json& application, std::string id = {}) const;
    /// Applies an event: the new state, or transition_refused (the input state is untouched)
    /// naming the reason: not allowed in this state, or which guard failed and why.
    [[nodiscard]] transition_result apply(const case_state& s, const case_event& e) const;
    /// apply() with what a case store knows (docs/policy.md §7): when the event's guard runs
    /// the rules, `facts` is called (once, with the application as the event leaves it) and the
    /// rules judge the stricter history and report the store's findings (store_facts.hpp); the
    /// facts are recorded in the event's outcome
    /// (`store_facts`), so that a replay judges with the same facts.
    [[nodiscard]] transition_result apply(
        const case_state& s, const case_event& e,
        const std::function<store_facts(const nlohmann::json&)>& facts) const;
    /// The automatic events time has made due at `now` (timers past their last day), in the
    /// order they fell due; apply each with apply().
    [[nodiscard]] std::vector<case_event> due(const case_state& s, date now) const;
    /// Rebuilds a case from its stored events alone. A deadline an event recorded in its
    /// outcome is taken as recorded (it was counted on the calendar of that day, which may
    /// have changed since), so a history replays whatever calendars were imported after it.
    [[nodiscard]] case_state replay(const std::vector<stored_event>& events) const;
    /// replay(), telling `each` the case as it stood after every event, in order (the create
    /// event included).
    case_state replay(
        const std::vector<stored_event>& events,
        const std::function<void(const stored_event&, const case_state&)>& each) const;

    /// The case's working-day deadlines counted again on the current calendar of its region:
    /// a `recompute_deadlines` event (actor "system", at `at`) whose data names every deadline
    /// whose last day or provisional years differ, with `moved_from` set where the last day
    /// moved; nullopt when none differs. Apply it with apply() (which checks it against the
    /// calendar) before other events, as case_service does. A deadline that can no longer be
    /// counted (its days lie outside the calendar) is left as it is.
    [[nodiscard]] std::optional<case_event> recompute(const case_state& s,
                                                      const std::string& at) const;
    /// `s` with recompute() applied but not counted as an event: what the case looks like on
    /// the current calendar (what `case show` prints).
    [[nodiscard]] case_state on_current_calendar(const case_state& s) const;

    [[nodiscard]] const workflow& workflow_for(std::string_view region) const;

    /// The rules a case is judged by: the content it pinned (pin()), else the catalogue's
    /// version in force on its pinned date (which differs from what was pinned when the
    /// catalogue's file changed since and the content was not kept: drift).
    [[nodiscard]] std::shared_ptr<const ruleset> ruleset_for(const case_state& s) const;
    /// Makes a pinned ruleset's content (from a case store) the rules of every case that
    /// pinned its digest. Throws ruleset_error when the content does not rebuild to its
    /// digest. Thread-safe.
    void pin(const pinned_ruleset& r) const;
    /// Whether the content of `digest` is known (pin()ned, or the catalogue's own).
    [[nodiscard]] bool knows_pinned(const std::string& digest) const;
    [[nodiscard]] const engine& rules() const noexcept { return *engine_; }

    /// The date of an event time: YYYY-MM-DD, or RFC 3339 converted to UTC+8.
    static date event_date(std::string_view at);

  private:
    [[nodiscard]] transition_result apply_impl(
        const case_state& s, const case_event& e, const nlohmann::json* recorded, bool replaying,
        const std::function<store_facts(const nlohmann::json&)>* facts) const;
    [[nodiscard]] const calendar* calendar_for(std::string_view region) const;
    std::shared_ptr<const engine> engine_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::shared_ptr<const workflow>, std::less<>> workflows_;
    mutable std::map<std::string, std::shared_ptr<const ruleset>, std::less<>> pinned_;
};

/// What case_service::verify() found: the store's hash chains, then, when they hold, whether
/// replaying each case's events rebuilds its stored snapshot.
struct case_verify_report {
    verify_report chains;  ///< cases and events checked, and the hash-chain problems found
    /// Where a replay differs from the stored snapshot ("case ID: replayed 'state' differs from
    /// the stored snapshot"); empty when the chains do not hold (no replay is tried then).
    std::vector<std::string> replay;
    /// Cases whose pinned rules differ from what the catalogue now holds for their date (an
    /// edited file, a version closed by a new one): not tampering, and not counted by ok().
    std::vector<std::string> drift;
    /// True when the chains hold and every replay matches.
    [[nodiscard]] bool ok() const noexcept { return chains.ok() && replay.empty(); }
    /// {ok, cases, events, problems: [{case_id, seq, kind: "chain" | "replay", message}],
    /// drift: [text]}: what `case verify --format json` prints and CaseStore.verify() returns.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// Which cases case_service::list() returns: every condition given must hold.
struct case_filter {
    std::optional<std::string> state = {};   ///< in this state ("whitelisted")
    std::optional<std::string> region = {};  ///< of this region ("CN-GD")
    std::optional<std::string> uscc = {};  ///< of this applicant (统一社会信用代码), any case
    std::optional<date> due_before = {};  ///< a running deadline's last day is before this day
    std::optional<date> overdue_on = {};  ///< a running deadline's last day passed before it
};

/// Cases kept in a case store: create, apply events with optimistic concurrency, tick, verify.
///
/// Events are evidence (docs/policy.md §8): create() and apply() refuse (transition_refused,
/// nothing written) an event dated before its case's last event, or more than one day after
/// `clock` (the system clock unless a caller fixes it, as tests and simulations do).
/// Corrections are new events, never rewrites. Automatic events (tick(), recompute()) are
/// dated by their callers and not checked against the clock.
class case_service {
  public:
    case_service(case_store& store, const case_manager& manager, store_clock clock = {})
        : store_(store), manager_(manager), clock_(clock) {}

    /// The clock event times are judged against.
    [[nodiscard]] const store_clock& clock() const noexcept { return clock_; }

    /// Checks an application with what the store knows (docs/policy.md §7; check_with_store()
    /// in store_facts.hpp): the rules in force judge the stricter history, and
    /// HISTORY_MISMATCH and NUMBER_ALREADY_REGISTERED are reported. `case_id`: the case the
    /// application is, left out of the facts ("" for none). Reads only (the first use after an
    /// upgrade from schema 3 rebuilds the store's index once).
    [[nodiscard]] verdict check(const nlohmann::json& application, const check_options& opts = {},
                                std::string_view case_id = {}) const;
    /// What the store knows for an application (facts_for() in store_facts.hpp).
    [[nodiscard]] store_facts facts(const nlohmann::json& application,
                                    std::string_view case_id = {}) const;
    /// Creates a case from an application (recorded as its first event, "create"). Refused
    /// (transition_refused, nothing written) when the store's facts give a blocking finding
    /// (store_findings()): a barred applicant, a history declared less strictly than the store
    /// shows, a number on another applicant's live case.
    case_state create(const nlohmann::json& application, const case_event& e, std::string id = {});
    /// Applies an event to the stored case; transition_refused when the workflow refuses it
    /// (nothing written).
    /// When the calendar has changed since the case's deadlines were counted and one of them
    /// differs now, a `recompute_deadlines` event is stored first, so the event is judged by
    /// the current calendar; when the event is refused, neither is written. calendar_error
    /// (nothing written) when the calendar files changed on disk after the rules were loaded
    /// (calendar_set::changed_on_disk()): load the rules again first.
    /// `expected_version`: the version the caller decided on (what it showed an officer); when
    /// given and the stored case has moved on since (or moves on before the append commits),
    /// conflict_error and nothing written. Without it, the event is judged against the case as
    /// it is read now, and when another writer appends in between, the case is read again and
    /// the event judged again on it, up to k_write_attempts times (then conflict_error).
    transition_result apply(const std::string& case_id, const case_event& e,
                            std::optional<std::int64_t> expected_version = std::nullopt);
    /// How many times apply() without an expected version tries a conflicted append.
    static constexpr int k_write_attempts = 50;
    /// The stored case (its snapshot) on the calendar of the loaded rules (case_manager::
    /// on_current_calendar(): deadlines a calendar change has moved show where they are now,
    /// with `moved_from`); not_found_error when unknown. When the calendar files changed on disk
    /// after the rules were loaded, this is the view of the loaded ones: load the rules again
    /// to see the new days (writes refuse until then).
    [[nodiscard]] case_state get(const std::string& case_id) const;
    /// The cases `filter` selects, in case id order, on the calendar of the loaded rules (as
    /// get()). State, region and applicant (USCC, any case) are chosen from the store's columns
    /// (the applicant by index) before any case is read; deadlines are then judged on each
    /// chosen case. A case edited
    /// outside the library (integrity_error) is left out and its error added to `skipped`;
    /// with `skipped` null, the error is thrown.
    [[nodiscard]] std::vector<case_state> list(const case_filter& filter = {},
                                               std::vector<std::string>* skipped = nullptr) const;
    /// Applies every automatic event due at `now` to every case, after recording any
    /// `recompute_deadlines` a calendar change calls for. A case whose last event is dated
    /// after `now` is left for a later tick (its events stay in time order). Returns (case id,
    /// event) pairs, the recomputations included. A case edited outside the library is left out and
    /// its error added to `skipped` (the others still move); with `skipped` null, the error is
    /// thrown.
    std::vector<std::pair<std::string, case_event>> tick(
        date now, const std::string& actor = "system", std::vector<std::string>* skipped = nullptr);
    /// Records a `recompute_deadlines` event (at `at`) on every case whose working-day deadlines
    /// the current calendar counts differently (after an official year was imported). Returns
    /// (case id, event) pairs.
    std::vector<std::pair<std::string, case_event>> recompute(const std::string& at,
                                                              const std::string& actor = "system");
    /// Why the case's pinned rules differ from the catalogue's version for its date (drift), or
    /// nullopt when they do not.
    [[nodiscard]] std::optional<std::string> drift(const std::string& case_id) const;
    /// The case with what its history tells (case_report): why it is in its state, the
    /// deadlines it missed. Replays the history (as history()); the same errors.
    [[nodiscard]] case_report report(const std::string& case_id) const;
    /// The case's events with the state each left it in ("submitted", "whitelisted"...), by
    /// replaying them on the rules it pinned. Throws not_found_error for an unknown case,
    /// integrity_error when the history does not replay (verify() tells why).
    [[nodiscard]] std::vector<std::pair<stored_event, std::string>> history(
        const std::string& case_id) const;
    /// Replays a case from its events and compares with the stored snapshot; the differences.
    [[nodiscard]] std::vector<std::string> check_replay(const std::string& case_id) const;
    /// Verifies one case (`case_id`) or every case (nullopt): case_store::verify() /
    /// verify_all(), then, only when no chain problem was found, check_replay() of each case.
    /// Throws not_found_error for an unknown `case_id`, store_error when the store fails.
    /// Reads only (nothing is written). Like the rest of case_service, not safe to share between
    /// threads.
    [[nodiscard]] case_verify_report verify(
        const std::optional<std::string>& case_id = std::nullopt) const;

    /// The registry of whitelisted numbers (registry.hpp; docs/workflow.md, "The registry of
    /// whitelisted numbers"): for every number any case's application has listed, that case's
    /// region and the intervals during which the case held the number whitelisted, replayed
    /// from the case's history. Sorted by number, then case id. Every history comes from one
    /// consistent read of the store (case_store::consistent_reads()): a writer committing
    /// meanwhile is seen wholly or not at all. Reads only, never writes; replays every case
    /// (about as long as verify()'s replay). A case whose history does not replay (edited
    /// outside telecomply) is left out and its error added to `skipped`; with `skipped` null,
    /// integrity_error is thrown. store_error when the store fails. Like the rest of
    /// case_service, not safe to share between threads.
    [[nodiscard]] std::vector<registry_entry> registry(
        std::vector<std::string>* skipped = nullptr) const;

    /// Imports complaints (complaints.hpp; docs/workflow.md, "Complaints"): each record becomes
    /// a `complaint` event (by `actor`, at its received_at, data `{number, source?}` with the
    /// number in canonical form) on the case that whitelisted its number at that time (as
    /// registry() tells), through apply(): the hash chain, the time rules, the store's index
    /// and the workflow's complaint threshold (which suspends the case) all apply as to any
    /// event. Records are applied in time order (records of one instant in input order); each
    /// is one event, committed on its own. A record whose number and time (the same instant, or
    /// the same bare day) a complaint event of a case holding that number already records is a
    /// duplicate and adds nothing, so importing a file again is harmless. No case whitelisting
    /// the number then, or more than one, leaves it unmatched; a refusal of the workflow or of
    /// the time rules (a complaint dated before the case's last event, or more than a day after
    /// the clock), or a conflict with other writers k_write_attempts times over, leaves it
    /// refused; with the reason. A bad record (no number, an invalid number, a time that is
    /// neither RFC 3339 nor YYYY-MM-DD, a source that is not UTF-8) is an error naming its file,
    /// line and JSON path (or CSV column), and the rest go on. Replays every case once, and the
    /// matched case again after each event. Throws store_error when the store fails (what was
    /// applied until then stays applied), calendar_error as apply(). Like the rest of
    /// case_service, not safe to share between threads.
    complaint_import_report import_complaints(const std::vector<complaint_record>& records,
                                              const std::string& actor = "system");
    /// The same for a batch read from a file: the batch's bad records are the report's first
    /// errors.
    complaint_import_report import_complaints(const complaint_batch& batch,
                                              const std::string& actor = "system");

    /// Time in state (time_in_state.hpp; docs/workflow.md, "Time to a decision"): every
    /// visit of every case (of `region`, an ISO 3166-2 or GB/T 2260 code, when given) to a
    /// workflow state, in working days on its region's calendar, as the store stood at the end
    /// of `as_of` (events of later days are left out, and cases created later); per region and
    /// state the median and p90 of the closed visits (percentile()); per region and timer how
    /// many cases breached it; the open cases and how long they have waited. Replays every case
    /// from one consistent read; reads only. A case whose history does not replay is left out
    /// and its error added to `skipped` (integrity_error when null). usage_error for an unknown
    /// region; calendar_error when the rulesets have no calendars. Like the rest of
    /// case_service, not safe to share between threads.
    [[nodiscard]] durations_report durations(date as_of,
                                             const std::optional<std::string>& region = {},
                                             std::vector<std::string>* skipped = nullptr) const;
    /// When an open case is likely to be decided (forecast.hpp): from the remaining working
    /// days of similar cases (other cases that were in the case's current state at least as
    /// long as it has waited, and were then decided; its region's, else every region's when
    /// its region has fewer than opts.min_similar), bounded by its running SLA; with too few
    /// of them, from the workflow's SLA. As the store stood at the end of `as_of`. Throws
    /// not_found_error for an unknown case; usage_error for a case that does not await a
    /// decision at as_of (decided: the message gives its decision, state and day; in a final
    /// state; or created after as_of); integrity_error when its history does not replay (other
    /// cases that do not replay are left out of the history). Reads only.
    [[nodiscard]] decision_forecast forecast(const std::string& case_id, date as_of,
                                             const forecast_options& opts = {}) const;

  private:
    // Every case's history (of `region` when given) up to the end of `as_of`, replayed, from
    // one consistent read: cases created later are left out; one that does not replay is added
    // to `skipped` (integrity_error when null).
    [[nodiscard]] std::vector<detail::case_path> paths(const std::optional<std::string>& region,
                                                       date as_of,
                                                       std::vector<std::string>* skipped) const;
    // One case's history up to the end of `as_of`, replayed; `last` (when given) receives the
    // case as it stood after the last event kept.
    [[nodiscard]] detail::case_path path_of(const std::vector<stored_event>& events, date as_of,
                                            case_state* last) const;
    transition_result apply_once(const std::string& case_id, const case_event& e,
                                 std::optional<std::int64_t> expected_version);
    [[nodiscard]] case_state load(const std::string& case_id) const;
    // Makes the content pinned as `digest` the case's rules (from the store; for a case `s`
    // whose pinned version the catalogue still holds unchanged, kept in the store now).
    // False when it is not known: drift.
    bool use_pinned(const std::string& digest, const case_state* s) const;
    // integrity_error when a case created since the store keeps pinned contents (its first
    // event has a snapshot digest) lacks the content of `digest`.
    void require_kept(const std::string& case_id, const std::vector<stored_event>& events,
                      const std::string& digest) const;
    // use_pinned() for every digest a history was judged by, each once.
    void use_pinned_of(const std::vector<stored_event>& events) const;
    // drift(), also saying whether the store keeps the pinned content.
    [[nodiscard]] std::optional<std::string> drift_of(const std::string& case_id,
                                                      bool* content_kept) const;
    // Applies `e` to `s` (the stored case) and appends it with its outcome.
    transition_result append(const std::string& case_id, const case_state& s, const case_event& e);
    // Appends `e` (applied to `s` with result `r`) with its outcome.
    void write(const std::string& case_id, const case_state& s, const case_event& e,
               const transition_result& r);
    // Rebuilds the store's state entries from the histories when a schema upgrade left them
    // to be rebuilt (case_store::state_entries_complete()).
    void ensure_state_entries() const;
    // calendar_error when the calendar files changed since the rules were loaded: counting on
    // stale days would record wrong deadlines (or recount them backwards).
    void require_current_calendars() const;
    // transition_refused when `e` is dated before `last_at` (the case's last event) or more
    // than a day after the clock.
    void check_time(const case_state& s, const case_event& e,
                    const std::optional<std::string>& last_at) const;
    case_store& store_;
    const case_manager& manager_;
    store_clock clock_;
    // The cases this service wrote last, so that a writer appending to the same cases does not
    // parse their snapshots back; used only while the stored version still matches.
    // Whether the store's state entries are known to be complete (ensure_state_entries()).
    mutable bool entries_complete_ = false;
    // With each, the `at` of its last event (ours).
    std::map<std::string, std::pair<case_state, std::string>, std::less<>> recent_;
};

}  // namespace telecomply
