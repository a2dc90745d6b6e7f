// Guards and effects: what a workflow transition does to a case (docs/workflow.md, "Guards" and
// "Effects").

#include "telecomply/cases/cases.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "cases/case_support.hpp"
#include "expr/time.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply::detail {

// Timer `t` counted from `from` (the event's date, or the current last day of a timer being
// extended).
case_deadline timer_due(const event_context& c, const workflow_timer& t, date from) {
    case_deadline d;
    d.from = from;
    if (!t.working_days_param.empty()) {
        if (c.cal == nullptr)
            throw workflow_error(
                "no working calendar: the rulesets folder '" + c.eng.rules().dir().string() +
                "' has no calendars/ folder, so deadlines in working days cannot be counted");
        const auto n = int_param(*c.rules, t.working_days_param);
        try {
            auto counted = c.cal->deadline(from, static_cast<int>(n));
            d.due = counted.day;
            d.working_days = static_cast<int>(n);
            d.calendar = calendar_label(*c.cal);
            d.provisional_years = std::move(counted.provisional_years);
            return d;
        } catch (const calendar_error& e) {
            // never a guess: say which deadline cannot be computed
            throw calendar_error("the deadline '" + t.name + "' (" + std::to_string(n) +
                                 " working days from " + from.to_string() + ", " +
                                 t.working_days_param + " of " + c.rules->id() + "@" +
                                 c.rules->version() + ") cannot be computed: " + e.what());
        }
    }
    if (!t.months_param.empty()) {
        d.due = from.add_months(static_cast<int>(int_param(*c.rules, t.months_param)));
        return d;
    }
    if (!t.days_param.empty()) {
        d.due = from.add_days(static_cast<std::int32_t>(int_param(*c.rules, t.days_param)));
        return d;
    }
    throw workflow_error("timer '" + t.name + "' has no duration");
}

namespace {

// ---- what the guards read ----

bool path_present(const nlohmann::json& app, const std::string& item) {
    // "business_license" names a material kind; a dotted path starts at the application
    std::string path = item.find('.') == std::string::npos ? "materials." + item : item;
    const nlohmann::json* cur = &app;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto dot = path.find('.', start);
        const std::string key =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!cur->is_object() || !cur->contains(key)) return false;
        cur = &(*cur)[key];
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return !cur->is_null();
}

std::size_t complaints_in_window(const case_state& s, const std::string& number, date day,
                                 std::int64_t window) {
    std::size_t n = 1;  // this complaint
    auto it = s.complaints.find(number);
    if (it != s.complaints.end())
        for (const auto& d : it->second)
            if (d > day.add_days(static_cast<std::int32_t>(-window)) && !(day < d)) ++n;
    return n;
}

// The case's rules on its application; with a case store, on the stricter history and with
// the store's findings (docs/policy.md §7).
verdict run_rules(const event_context& c, const case_state& s, bool include_review) {
    check_options opts;
    opts.as_of = s.pinned_on;
    opts.include_review = include_review;
    thread_local eval_context ctx;
    const store_facts* facts = c.store_facts_for_rules(s.application);
    if (facts == nullptr) return c.rules->check(document::from_json(s.application), opts, ctx);
    verdict v =
        c.rules->check(document::from_json(with_store_history(s.application, *facts)), opts, ctx);
    add_store_findings(v, s.application, *facts);
    return v;
}

// The obligations the rules ask for now, open unless already met. Met ones stay on record (an
// inspection that took place); open ones the rules no longer ask for (the application was
// patched below the inspection threshold) are dropped.
void record_obligations(case_state& next, const verdict& v) {
    std::map<std::string, bool> updated;
    for (const auto& [code, met] : next.obligations)
        if (met) updated[code] = true;
    for (const auto& o : v.obligations)
        updated.emplace(o.code, false);
    next.obligations = std::move(updated);
}

// ---- guards: one function each, registered under the vocabulary's names ----

// A guard: whether it holds for `next` (which it may update with findings and obligations);
// `reason` says why not, `summary` what a rules evaluation decided.
using guard_fn = bool (*)(case_state& next, const event_context& c, std::string& reason,
                          nlohmann::json& summary);

bool intake_rules(case_state& next, const event_context& c, std::string& reason,
                  nlohmann::json& summary) {
    const verdict v = run_rules(c, next, false);
    summary = verdict_summary(v);
    next.findings = findings_json(v);
    if (v.has_blocking()) {
        reason = "intake rules: blocking findings " + finding_list(v, true);
        return false;
    }
    if (!v.unknowns.empty()) {
        reason = "intake rules: cannot be decided: " + unknown_list(v, false);
        return false;
    }
    // The review phase's obligations (SITE_INSPECTION_REQUIRED) are known from the submission
    // on: record them, so that the case shows what review must do (docs/policy.md §2: obligations
    // are reported whatever the decision).
    record_obligations(next, run_rules(c, next, true));
    return true;
}

bool approval(case_state& next, const event_context& c, std::string& reason,
              nlohmann::json& summary) {
    const verdict v = run_rules(c, next, true);
    summary = verdict_summary(v);
    next.findings = findings_json(v);
    record_obligations(next, v);
    if (v.has_blocking()) {
        reason = "approval: blocking findings " + finding_list(v, true);
        return false;
    }
    if (const auto u = unknown_list(v, true); !u.empty()) {
        reason = "approval: cannot be decided: " + u;
        return false;
    }
    std::string open;
    for (const auto& [code, met] : next.obligations)
        if (!met) open += (open.empty() ? "" : ", ") + code;
    if (!open.empty()) {
        reason = "approval: obligations not met: " + open;
        return false;
    }
    return true;
}

bool supplement_complete(case_state& next, const event_context&, std::string& reason,
                         nlohmann::json&) {
    std::string missing;
    for (const auto& item : next.requested_items)
        if (!path_present(next.application, item)) missing += (missing.empty() ? "" : ", ") + item;
    if (!missing.empty()) {
        reason = "supplement: still missing " + missing;
        return false;
    }
    return true;
}

bool renewal_window(case_state& next, const event_context& c, std::string& reason,
                    nlohmann::json&) {
    if (!next.validity_until) {
        reason = "renewal: the case has no validity period";
        return false;
    }
    const auto window = int_param(*c.rules, "renewal_window_days");
    const date opens = next.validity_until->add_days(static_cast<std::int32_t>(-window));
    if (c.day < opens || *next.validity_until < c.day) {
        reason =
            "renewal: only from " + opens.to_string() + " to " + next.validity_until->to_string();
        return false;
    }
    return true;
}

// complaints_at_threshold and complaints_below_threshold: the same count, either side of it.
template <bool at_threshold>
bool complaints(case_state& next, const event_context& c, std::string& reason, nlohmann::json&) {
    const std::string given = text_of(c.event.data, "number");
    if (given.empty()) {
        reason = "a complaint needs data.number";
        return false;
    }
    const std::string number = canonical_phone(given).value_or(given);
    const auto threshold = int_param(*c.rules, "complaint_threshold");
    const auto window = c.rules->parameters().value("complaint_window_days", 30);
    const auto n = complaints_in_window(next, number, c.day, window);
    const bool at = static_cast<std::int64_t>(n) >= threshold;
    if (at_threshold != at) {
        reason = "complaints for " + number + " in " + std::to_string(window) +
                 " days: " + std::to_string(n) + (at ? " (at or over " : " (below ") +
                 std::to_string(threshold) + ")";
        return false;
    }
    return true;
}

const std::map<std::string, guard_fn, std::less<>>& guard_table() {
    static const std::map<std::string, guard_fn, std::less<>> table = {
        {"intake_rules", &intake_rules},
        {"approval", &approval},
        {"supplement_complete", &supplement_complete},
        {"renewal_window", &renewal_window},
        {"complaints_below_threshold", &complaints<false>},
        {"complaints_at_threshold", &complaints<true>},
    };
    return table;
}

// ---- effects: a payload check (before anything changes) and an action, each ----

struct effect_impl {
    // Refuses the event when its data lacks what the effect needs (nullptr: nothing needed).
    void (*check)(const case_state& s, const event_context& c) = nullptr;
    void (*apply)(const workflow_effect& eff, case_state& next, const event_context& c) = nullptr;
    // The fields of event data it reads (every event may also carry a text `note`).
    std::vector<std::string_view> reads = {};
};

bool string_list(const nlohmann::json& r) {
    return r.is_array() && !r.empty() &&
           std::all_of(r.begin(), r.end(), [](const nlohmann::json& x) { return x.is_string(); });
}

template <bool extend>
void start_timer(const workflow_effect& eff, case_state& next, const event_context& c) {
    const workflow_timer* timer = c.wf.timer(eff.arg);
    if (timer == nullptr) throw workflow_error("an effect starts unknown timer " + eff.arg);
    // extend_timer: a new period following the running one (a renewal); from the event's date
    // when the timer is not running
    const auto running = next.deadlines.find(eff.arg);
    const date from = extend && running != next.deadlines.end() ? running->second.due : c.day;
    case_deadline due;
    try {
        due = timer_due(c, *timer, from);
    } catch (const calendar_error&) {
        // A replay on a calendar that no longer covers the days: the record says what was
        // counted then.
        const auto* rec = c.recorded;
        if (rec == nullptr || !rec->contains("deadlines") || !(*rec)["deadlines"].contains(eff.arg))
            throw;
        due = case_deadline::from_json((*rec)["deadlines"][eff.arg]);
    }
    if (eff.arg == "validity") next.validity_until = due.due;
    next.deadlines[eff.arg] = std::move(due);
}

void stop_timer(const workflow_effect& eff, case_state& next, const event_context&) {
    next.deadlines.erase(eff.arg);
}

void meet_obligation(const workflow_effect& eff, case_state& next, const event_context&) {
    next.obligations[eff.arg] = true;
}

void ban(const workflow_effect& eff, case_state& next, const event_context& c) {
    next.banned_until = c.day.add_days(static_cast<std::int32_t>(int_param(*c.rules, eff.arg)));
}

// Finding codes a decision may give besides those of the case's rules: what the store and
// the workflow find (docs/policy.md §5 and §7).
constexpr std::array<std::string_view, 3> k_case_codes = {
    "HISTORY_MISMATCH", "NUMBER_ALREADY_REGISTERED", "SUPPLEMENT_DEADLINE_MISSED"};

void record_check(const case_state& s, const event_context& c) {
    const auto& e = c.event;
    const auto reasons = e.data.value("reasons", nlohmann::json());
    if (!string_list(reasons))
        refuse(s, e, "data.reasons must list the finding codes of the decision");
    // A rejection's reasons are codes, not prose (docs/policy.md §8): free text goes in
    // data.note. Other decisions (inspection_failed) may give the inspection's own reasons.
    if (c.replaying || e.type != "reject") return;
    std::set<std::string, std::less<>> known(k_case_codes.begin(), k_case_codes.end());
    for (const auto& r : c.rules->rules())
        if (!r.code.empty()) known.insert(r.code);
    std::set<std::string, std::less<>> given;
    for (const auto& r : reasons)
        if (!given.insert(r.get<std::string>()).second)
            refuse(s, e, "data.reasons: " + r.dump() + " is listed twice");
    for (const auto& r : reasons)
        if (!known.contains(r.get<std::string>())) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            refuse(s, e,
                   "data.reasons: " + r.dump() + " is not a finding code of " + c.rules->id() +
                       "@" + c.rules->version() +
                       " (write free text in data.note); codes: " + list);
        }
}

void record(const workflow_effect&, case_state& next, const event_context& c) {
    const auto& reasons = c.event.data.value("reasons", nlohmann::json::array());
    next.rejection_reasons.clear();
    for (const auto& r : reasons)
        if (r.is_string()) next.rejection_reasons.push_back(r.get<std::string>());
}

void change_lateness_check(const case_state& s, const event_context& c) {
    const auto& e = c.event;
    if (!json_date(e.data.value("changed_on", nlohmann::json())))
        refuse(s, e, "data.changed_on (YYYY-MM-DD) is required: the date of the change");
}

void check_change_lateness(const workflow_effect& eff, case_state& next, const event_context& c) {
    const auto changed = json_date(c.event.data.value("changed_on", nlohmann::json()));
    if (!changed) return;  // checked before effects run
    const auto limit = int_param(*c.rules, eff.arg);
    if (c.cal == nullptr)
        throw workflow_error(
            "no working calendar: the rulesets folder '" + c.eng.rules().dir().string() +
            "' has no calendars/ folder, so deadlines in working days cannot be counted");
    // The deadline is the limit-th working day after the change (docs/policy.md §5: met by a report
    // on that day). A report on any later day is late, also on the non-working days just after
    // the deadline, when no further working day has passed yet.
    if (!(*changed < c.day)) return;  // reported on or before the change: in time
    counted_date counted;
    try {
        counted = c.cal->deadline(*changed, static_cast<int>(limit));
    } catch (const calendar_error& e) {
        // A last day after the covered years is after the report too: in time.
        if (c.cal->covers(*changed) && c.cal->covers(c.day)) return;
        throw calendar_error("the change-report deadline (" + std::to_string(limit) +
                             " working days from data.changed_on " + changed->to_string() +
                             ") cannot be computed: " + e.what());
    }
    const date last_day = counted.day;
    if (!(last_day < c.day)) return;
    nlohmann::json w = {{"code", "CHANGE_REPORTED_LATE"},
                        {"severity", "warning"},
                        {"changed_on", changed->to_string()},
                        {"reported_on", c.day.to_string()},
                        {"last_day", last_day.to_string()},
                        {"working_days", c.cal->working_days_between(*changed, c.day)},
                        {"limit", limit},
                        {"calendar", calendar_label(*c.cal)}};
    // judged on a provisional calendar: it may change once the year is official
    if (counted.provisional()) w["provisional_years"] = counted.provisional_years;
    next.warnings.push_back(std::move(w));
}

// The case's numbers, canonical (the application's own writing may differ).
std::set<std::string, std::less<>> case_numbers(const case_state& s) {
    std::set<std::string, std::less<>> out;
    for (const auto& n : s.application.value("numbers", nlohmann::json::array()))
        if (n.is_object())
            if (auto c = canonical_phone(text_of(n, "number"))) out.insert(std::move(*c));
    return out;
}

void complaint_check(const case_state& s, const event_context& c) {
    if (c.replaying) return;
    const auto& e = c.event;
    const auto it = e.data.find("number");
    if (it == e.data.end() || !it->is_string())
        refuse(s, e, "data.number must be the complained-about number (text)");
    const auto number = canonical_phone(it->get<std::string>());
    if (!number) refuse(s, e, "data.number " + it->dump() + " is not a valid phone number");
    if (!case_numbers(s).contains(*number))
        refuse(s, e,
               "data.number " + it->dump() + " (" + *number + ") is not a number of this case");
    // who passed the complaint on (a hotline, an import's source column): kept as evidence
    if (const auto src = e.data.find("source"); src != e.data.end() && !src->is_string())
        refuse(s, e, "data.source must be text (who passed the complaint on)");
}

void count_complaint(const workflow_effect&, case_state& next, const event_context& c) {
    // counted by the canonical form, so that "+86 138 6675 1415" and "13866751415" are one
    const std::string number = text_of(c.event.data, "number");
    next.complaints[canonical_phone(number).value_or(number)].push_back(c.day);
}

void require_items_check(const case_state& s, const event_context& c) {
    const auto& e = c.event;
    const auto items = e.data.value("items", nlohmann::json());
    if (!string_list(items)) refuse(s, e, "data.items must list the requested materials");
    if (c.replaying) return;
    // a material kind ("tax_registration") or a field of the application
    // ("applicant.legal_representative.name"): something that can be supplied
    std::set<std::string, std::less<>> given;
    for (const auto& i : items) {
        const auto item = i.get<std::string>();
        if (!given.insert(item).second)
            refuse(s, e, "data.items: " + i.dump() + " is listed twice");
        // who applies, where and when are the application's identity, not something to supply
        if (item == "id" || item == "region" || item == "submitted_on")
            refuse(s, e,
                   "data.items: " + i.dump() +
                       " identifies the application; it cannot be requested as a supplement");
        if (!c.eng.application_path_known("materials." + item) &&
            !c.eng.application_path_known(item))
            refuse(s, e,
                   "data.items: " + i.dump() +
                       " is neither a kind of material (materials.<kind>) nor a field of the "
                       "application schema, so it could never be supplied");
    }
}

void require_items(const workflow_effect&, case_state& next, const event_context& c) {
    next.requested_items.clear();
    for (const auto& i : c.event.data.value("items", nlohmann::json::array()))
        if (i.is_string()) next.requested_items.push_back(i.get<std::string>());
}

void amend_application(const workflow_effect&, case_state&, const event_context&) {}

// A reported change is applied at once (the case shows it while pending), and the application
// before it is held until an officer decides.
void hold_change(const workflow_effect&, case_state& next, const event_context& c) {
    // a report without a patch changed nothing to undo
    if (c.event.data.contains("patch")) next.held_application = c.before.application;
}
void accept_change(const workflow_effect&, case_state& next, const event_context&) {
    next.held_application.reset();
}
void revert_change(const workflow_effect&, case_state& next, const event_context&) {
    if (next.held_application) next.application = std::move(*next.held_application);
    next.held_application.reset();
}

const std::map<std::string, effect_impl, std::less<>>& effect_table() {
    static const std::map<std::string, effect_impl, std::less<>> table = {
        {"start_timer", {nullptr, &start_timer<false>}},
        {"extend_timer", {nullptr, &start_timer<true>}},
        {"stop_timer", {nullptr, &stop_timer}},
        {"meet_obligation", {nullptr, &meet_obligation}},
        {"ban", {nullptr, &ban}},
        {"record", {&record_check, &record, {"reasons"}}},
        {"check_change_lateness", {&change_lateness_check, &check_change_lateness, {"changed_on"}}},
        {"count_complaint", {&complaint_check, &count_complaint, {"number", "source"}}},
        {"require_items", {&require_items_check, &require_items, {"items"}}},
        // the patch itself is applied before the guards run (case_manager::apply_impl)
        {"amend_application", {nullptr, &amend_application, {"patch"}}},
        {"hold_change", {nullptr, &hold_change}},
        {"accept_change", {nullptr, &accept_change}},
        {"revert_change", {nullptr, &revert_change}},
    };
    return table;
}

const effect_impl& effect_of(const workflow_transition& t, const workflow_effect& eff) {
    const auto it = effect_table().find(eff.kind);
    // workflow loading refuses words outside the vocabulary, and a test checks that every one
    // has an implementation: this is a bug, not bad input
    if (it == effect_table().end())
        throw workflow_error("transition " + t.id + ": effect '" + eff.kind +
                             "' has no implementation");
    return it->second;
}

}  // namespace

std::vector<std::string> implemented_guards() {
    std::vector<std::string> out;
    for (const auto& [name, fn] : guard_table())
        out.push_back(name);
    return out;
}

std::vector<std::string> implemented_effects() {
    std::vector<std::string> out;
    for (const auto& [name, impl] : effect_table())
        out.push_back(name);
    return out;
}

bool guard_holds(const workflow_transition& t, case_state& next, const event_context& c,
                 std::string& reason, nlohmann::json& summary) {
    if (t.guard.empty()) return true;
    const auto it = guard_table().find(t.guard);
    if (it == guard_table().end())
        throw workflow_error("transition " + t.id + ": guard '" + t.guard +
                             "' has no implementation");
    return it->second(next, c, reason, summary);
}

void apply_effects(const workflow_transition& t, case_state& next, const event_context& c) {
    for (const auto& eff : t.effects)
        effect_of(t, eff).apply(eff, next, c);
}

// Payload requirements of effects, checked before anything changes.
void check_payload(const workflow_transition& t, const case_state& s, const event_context& c) {
    for (const auto& eff : t.effects)
        if (const auto& impl = effect_of(t, eff); impl.check != nullptr) impl.check(s, c);
    if (c.replaying) return;
    // Every field of the data is one the event reads: a misspelt field ("notes", "reason")
    // would otherwise be kept as evidence while the event ignored it.
    const auto& e = c.event;
    std::set<std::string_view> reads = {"note"};
    for (const auto& eff : t.effects)
        for (const auto field : effect_of(t, eff).reads)
            reads.insert(field);
    if (t.guard == "complaints_below_threshold" || t.guard == "complaints_at_threshold")
        reads.insert("number");
    for (const auto& [key, v] : e.data.items())
        if (!reads.contains(key)) {
            std::string list;
            for (const auto field : reads)
                list += (list.empty() ? "" : ", ") + std::string(field);
            refuse(s, e,
                   "data." + key + " is not a field of '" + e.type + "' (it takes " + list + ")");
        }
    if (e.data.contains("note") && !e.data["note"].is_string())
        refuse(s, e, "data.note must be text");
}

// The deadlines an event started, extended or changed go into its outcome (what the store
// keeps with it). In a replay (`recorded` set), they are taken from the record instead: they
// were counted on the calendar of that day.
void record_deadlines(const workflow_transition& t, const case_state& before, case_state& next,
                      const nlohmann::json* recorded, nlohmann::json& outcome) {
    if (recorded != nullptr) {
        if (recorded->contains("deadlines"))
            for (const auto& [name, d] : (*recorded)["deadlines"].items()) {
                if (!next.deadlines.contains(name)) continue;
                next.deadlines[name] = case_deadline::from_json(d);
                if (name == "validity") next.validity_until = next.deadlines[name].due;
            }
        // the warnings it raised (CHANGE_REPORTED_LATE), as judged on the calendar of that day
        next.warnings = before.warnings;
        for (const auto& w : recorded->value("warnings", nlohmann::json::array()))
            next.warnings.push_back(w);
        outcome = *recorded;
        return;
    }
    auto set = nlohmann::json::object();
    for (const auto& [name, d] : next.deadlines) {
        const auto it = before.deadlines.find(name);
        if (it == before.deadlines.end() || !(it->second == d)) set[name] = d.to_json();
    }
    auto raised = nlohmann::json::array();
    for (std::size_t i = before.warnings.size(); i < next.warnings.size(); ++i)
        raised.push_back(next.warnings[i]);
    if (!set.empty()) outcome["deadlines"] = std::move(set);
    // A lateness judgement depends on the calendar of the day: it is recorded even when
    // nothing was late, so that a replay on a later calendar does not judge it again.
    const bool judged = std::any_of(t.effects.begin(), t.effects.end(), [](const auto& eff) {
        return eff.kind == "check_change_lateness";
    });
    if (judged || !raised.empty()) outcome["warnings"] = std::move(raised);
}

}  // namespace telecomply::detail
