// Cases: events, guards, effects and deadlines of the approval workflow (docs/workflow.md).

#include "telecomply/cases.hpp"

#include <algorithm>

#include "telecomply/calendar.hpp"
#include "telecomply/detail/time.hpp"
#include "telecomply/error.hpp"

namespace telecomply {

namespace {

// A text field of event data or of an application: "" when absent or not a string (the
// callers say what was expected), never a JSON type error.
std::string text_of(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json date_or_null(const std::optional<date>& d) {
    return d ? nlohmann::json(d->to_string()) : nlohmann::json(nullptr);
}

std::optional<date> json_date(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    return date::parse(j.get_ref<const std::string&>());
}

[[noreturn]] void refuse(const case_state& s, const case_event& e, const std::string& why) {
    throw transition_refused("case " + s.id + ": event '" + e.type + "' refused in state '" +
                             s.state + "': " + why);
}

std::string finding_list(const verdict& v, bool blocking_only) {
    std::string out;
    for (const auto& f : v.findings) {
        if (blocking_only && f.level != severity::blocking) continue;
        out +=
            (out.empty() ? "" : ", ") + f.code() + (f.subject.empty() ? "" : "[" + f.subject + "]");
    }
    return out;
}

// Undecided rules as their finding codes (the public contract; the rule id when a rule has no
// code) with the subject and what is missing: "REAPPLY_BANNED (missing applicant.history)".
std::string unknown_list(const verdict& v, bool blocking_only) {
    std::string out;
    for (const auto& u : v.unknowns) {
        if (blocking_only && (!u.source || u.source->level != severity::blocking)) continue;
        const std::string& code =
            u.source && !u.source->code.empty() ? u.source->code : u.rule_id();
        out += (out.empty() ? "" : ", ") + code + (u.subject.empty() ? "" : "[" + u.subject + "]");
        if (!u.missing.empty()) {
            out += " (missing";
            for (const auto& m : u.missing)
                out += " " + m;
            out += ")";
        } else if (!u.reason.empty()) {
            out += " (" + u.reason + ")";
        }
    }
    return out;
}

nlohmann::json findings_json(const verdict& v) {
    auto out = nlohmann::json::array();
    for (const auto& f : v.findings) {
        nlohmann::json o = {{"code", f.code()},
                            {"severity", std::string(to_string(f.level))},
                            {"rule", f.rule_id()}};
        if (!f.subject.empty()) o["subject"] = f.subject;
        out.push_back(std::move(o));
    }
    return out;
}

nlohmann::json verdict_summary(const verdict& v) {
    nlohmann::json j = {{"decision", std::string(to_string(v.outcome))},
                        {"ruleset", v.rules->id() + "@" + v.rules->version()},
                        {"findings", findings_json(v)}};
    auto unknowns = nlohmann::json::array();
    for (const auto& u : v.unknowns)
        unknowns.push_back(u.rule_id());
    j["unknowns"] = std::move(unknowns);
    auto obligations = nlohmann::json::array();
    for (const auto& o : v.obligations)
        obligations.push_back(o.code);
    j["obligations"] = std::move(obligations);
    return j;
}

std::int64_t int_param(const ruleset& rs, const std::string& name) {
    const auto& p = rs.parameters();
    if (!p.contains(name) || !p[name].is_number_integer())
        throw workflow_error("the ruleset " + rs.id() + "@" + rs.version() +
                             " has no integer parameter '" + name + "' that the workflow needs");
    return p[name].get<std::int64_t>();
}

}  // namespace

// ------------------------------------------------------------------ case_state

nlohmann::json case_deadline::to_json() const {
    nlohmann::json j = {{"due", due.to_string()},
                        {"provisional", provisional()},
                        {"provisional_years", provisional_years},
                        {"from", from.to_string()}};
    if (working_days != 0) j["working_days"] = working_days;
    if (!calendar.empty()) j["calendar"] = calendar;
    if (moved_from) j["moved_from"] = moved_from->to_string();
    return j;
}

case_deadline case_deadline::from_json(const nlohmann::json& j) {
    const auto bad = [&](const std::string& why) {
        return store_error("a stored deadline is malformed (" + why + "): " +
                           j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    };
    case_deadline d;
    if (j.is_string()) {  // written before deadlines had details: the last day alone
        const auto due = json_date(j);
        if (!due) throw bad("not a date");
        d.due = d.from = *due;
        return d;
    }
    if (!j.is_object()) throw bad("not an object");
    const auto due = json_date(j.value("due", nlohmann::json()));
    const auto from = json_date(j.value("from", nlohmann::json()));
    if (!due || !from) throw bad("due and from must be YYYY-MM-DD dates");
    d.due = *due;
    d.from = *from;
    const auto& n = j.value("working_days", nlohmann::json(0));
    if (!n.is_number_integer()) throw bad("working_days must be an integer");
    d.working_days = n.get<int>();
    const auto& cal = j.value("calendar", nlohmann::json(""));
    if (!cal.is_string()) throw bad("calendar must be a string");
    d.calendar = cal.get<std::string>();
    for (const auto& y : j.value("provisional_years", nlohmann::json::array())) {
        if (!y.is_number_integer()) throw bad("provisional_years must list years");
        d.provisional_years.push_back(y.get<int>());
    }
    if (j.contains("moved_from")) {
        d.moved_from = json_date(j["moved_from"]);
        if (!d.moved_from) throw bad("moved_from must be a YYYY-MM-DD date");
    }
    return d;
}

namespace {
nlohmann::json deadlines_json(const std::map<std::string, case_deadline>& deadlines) {
    auto out = nlohmann::json::object();
    for (const auto& [k, d] : deadlines)
        out[k] = d.to_json();
    return out;
}

nlohmann::json obligations_json(const std::map<std::string, bool>& obligations) {
    auto out = nlohmann::json::array();
    for (const auto& [code, met] : obligations)
        out.push_back({{"code", code}, {"met", met}});
    return out;
}
}  // namespace

nlohmann::json case_state::to_json() const {
    nlohmann::json j;
    j["id"] = id;
    j["region"] = region;
    j["state"] = state;
    j["version"] = version;
    j["ruleset"] = {{"id", ruleset_id}, {"version", ruleset_version}, {"digest", ruleset_digest}};
    j["pinned_on"] = date_or_null(pinned_on);
    j["deadlines"] = deadlines_json(deadlines);
    j["flags"] = flags;
    j["obligations"] = obligations_json(obligations);
    j["findings"] = findings;
    j["warnings"] = warnings;
    j["requested_items"] = requested_items;
    j["rejection_reasons"] = rejection_reasons;
    auto cp = nlohmann::json::object();
    for (const auto& [number, dates] : complaints) {
        auto arr = nlohmann::json::array();
        for (const auto& d : dates)
            arr.push_back(d.to_string());
        cp[number] = std::move(arr);
    }
    j["complaints"] = std::move(cp);
    j["banned_until"] = date_or_null(banned_until);
    j["validity_until"] = date_or_null(validity_until);
    j["application"] = application;
    return j;
}

case_state case_state::from_json(const nlohmann::json& j) {
    case_state s;
    try {
        s.id = j.at("id").get<std::string>();
        s.region = j.at("region").get<std::string>();
        s.state = j.at("state").get<std::string>();
        s.version = j.at("version").get<std::int64_t>();
        s.ruleset_id = j.at("ruleset").at("id").get<std::string>();
        s.ruleset_version = j.at("ruleset").at("version").get<std::string>();
        s.ruleset_digest = j.at("ruleset").at("digest").get<std::string>();
        s.pinned_on = json_date(j.value("pinned_on", nlohmann::json()));
        for (const auto& [k, v] : j.at("deadlines").items())
            s.deadlines[k] = case_deadline::from_json(v);
        for (const auto& f : j.at("flags"))
            s.flags.insert(f.get<std::string>());
        for (const auto& o : j.at("obligations"))
            s.obligations[o.at("code").get<std::string>()] = o.at("met").get<bool>();
        s.findings = j.at("findings");
        s.warnings = j.at("warnings");
        s.requested_items = j.at("requested_items").get<std::vector<std::string>>();
        s.rejection_reasons = j.at("rejection_reasons").get<std::vector<std::string>>();
        for (const auto& [number, dates] : j.at("complaints").items())
            for (const auto& d : dates)
                if (auto x = json_date(d)) s.complaints[number].push_back(*x);
        s.banned_until = json_date(j.value("banned_until", nlohmann::json()));
        s.validity_until = json_date(j.value("validity_until", nlohmann::json()));
        s.application = j.at("application");
    } catch (const nlohmann::json::exception& e) {
        throw store_error(std::string("a stored case snapshot is malformed: ") + e.what());
    }
    return s;
}

nlohmann::json case_state::summary() const {
    nlohmann::json j;
    j["id"] = id;
    j["region"] = region;
    j["state"] = state;
    j["ruleset_version"] = ruleset_version;
    // running timers only: a revoked or expired whitelisting has no validity deadline left
    // (validity_until says when it was to end)
    j["deadlines"] = deadlines_json(deadlines);
    if (validity_until) j["validity_until"] = validity_until->to_string();
    j["obligations"] = obligations_json(obligations);
    j["findings"] = findings;
    if (!flags.empty()) j["flags"] = flags;
    if (!warnings.empty()) j["warnings"] = warnings;
    if (!rejection_reasons.empty()) j["rejection_reasons"] = rejection_reasons;
    if (banned_until) j["banned_until"] = banned_until->to_string();
    return j;
}

// ------------------------------------------------------------------ case_manager

case_manager::case_manager(std::shared_ptr<const engine> rules) : engine_(std::move(rules)) {
    if (!engine_) throw usage_error("case_manager: no engine");
}

const workflow& case_manager::workflow_for(std::string_view region) const {
    std::lock_guard lock(mutex_);
    auto it = workflows_.find(region);
    if (it == workflows_.end()) {
        auto wf = std::make_shared<const workflow>(
            workflow::load(engine_->rules().dir() / "workflow", region));
        it = workflows_.emplace(std::string(region), std::move(wf)).first;
    }
    return *it->second;
}

date case_manager::event_date(std::string_view at) {
    if (at.size() == 10) {
        if (auto d = date::parse(at)) return *d;
    } else if (auto t = detail::parse_timestamp(at)) {
        // dates of deadlines are dates in China Standard Time (UTC+8, no daylight saving)
        const std::int64_t local = t->seconds + std::int64_t{8} * 3600;
        const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
        return date{static_cast<std::int32_t>(days)};
    }
    throw usage_error("event time '" + std::string(at) +
                      "' is neither YYYY-MM-DD nor an RFC 3339 time");
}

case_state case_manager::create(const nlohmann::json& application, std::string id) const {
    const document doc = engine_->validate(application, "<application>");
    const date submitted = *date::parse(application.at("submitted_on").get<std::string>());
    const std::string region = application.at("region").get<std::string>();
    const auto rs = engine_->rules().resolve(region, submitted);
    const auto& wf = workflow_for(region);
    case_state s;
    s.id = id.empty() ? application.at("id").get<std::string>() : std::move(id);
    s.region = region;
    s.application = application;
    s.ruleset_id = rs->id();
    s.ruleset_version = rs->version();
    s.ruleset_digest = rs->digest();
    s.pinned_on = submitted;
    s.state = wf.initial();
    return s;
}

namespace {

// Everything one event needs while it is being applied.
struct event_context {
    const engine& eng;
    const workflow& wf;
    std::shared_ptr<const ruleset> rules;
    const calendar* cal;
    date day;
    const case_event& event;
    /// In a replay, the event's recorded outcome (its deadlines, as counted then); else null.
    const nlohmann::json* recorded = nullptr;
};

std::string calendar_label(const calendar& cal) {
    return cal.name() + "@" + cal.version();
}

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

// ---- guards ----

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

verdict run_rules(const event_context& c, const case_state& s, bool include_review) {
    check_options opts;
    opts.as_of = s.pinned_on;
    opts.include_review = include_review;
    thread_local eval_context ctx;
    return c.rules->check(document::from_json(s.application), opts, ctx);
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

bool guard_holds(const workflow_transition& t, case_state& next, const event_context& c,
                 std::string& reason, nlohmann::json& summary) {
    const std::string& g = t.guard;
    if (g.empty()) return true;
    if (g == "intake_rules") {
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
        // The review phase's obligations (SITE_INSPECTION_REQUIRED) are known from the
        // submission on: record them, so that the case shows what review must do (POLICY.md §2:
        // obligations are reported whatever the decision).
        record_obligations(next, run_rules(c, next, true));
        return true;
    }
    if (g == "approval") {
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
    if (g == "supplement_complete") {
        std::string missing;
        for (const auto& item : next.requested_items)
            if (!path_present(next.application, item))
                missing += (missing.empty() ? "" : ", ") + item;
        if (!missing.empty()) {
            reason = "supplement: still missing " + missing;
            return false;
        }
        return true;
    }
    if (g == "renewal_window") {
        if (!next.validity_until) {
            reason = "renewal: the case has no validity period";
            return false;
        }
        const auto window = int_param(*c.rules, "renewal_window_days");
        const date opens = next.validity_until->add_days(static_cast<std::int32_t>(-window));
        if (c.day < opens || *next.validity_until < c.day) {
            reason = "renewal: only from " + opens.to_string() + " to " +
                     next.validity_until->to_string();
            return false;
        }
        return true;
    }
    if (g == "complaints_below_threshold" || g == "complaints_at_threshold") {
        const std::string number = text_of(c.event.data, "number");
        if (number.empty()) {
            reason = "a complaint needs data.number";
            return false;
        }
        const auto threshold = int_param(*c.rules, "complaint_threshold");
        const auto window = c.rules->parameters().value("complaint_window_days", 30);
        const auto n = complaints_in_window(next, number, c.day, window);
        const bool at = static_cast<std::int64_t>(n) >= threshold;
        if ((g == "complaints_at_threshold") != at) {
            reason = "complaints for " + number + " in " + std::to_string(window) +
                     " days: " + std::to_string(n) + (at ? " (at or over " : " (below ") +
                     std::to_string(threshold) + ")";
            return false;
        }
        return true;
    }
    throw workflow_error("unknown guard '" + g + "' in transition " + t.id);
}

// ---- effects ----

void apply_effects(const workflow_transition& t, case_state& next, const event_context& c) {
    for (const auto& eff : t.effects) {
        if (eff.kind == "start_timer" || eff.kind == "extend_timer") {
            const workflow_timer* timer = c.wf.timer(eff.arg);
            if (timer == nullptr)
                throw workflow_error("transition " + t.id + " starts unknown timer " + eff.arg);
            // extend_timer: a new period following the running one (a renewal); from the
            // event's date when the timer is not running
            const auto running = next.deadlines.find(eff.arg);
            const date from = eff.kind == "extend_timer" && running != next.deadlines.end()
                                  ? running->second.due
                                  : c.day;
            case_deadline due;
            try {
                due = timer_due(c, *timer, from);
            } catch (const calendar_error&) {
                // A replay on a calendar that no longer covers the days: the record says what
                // was counted then.
                const auto* rec = c.recorded;
                if (rec == nullptr || !rec->contains("deadlines") ||
                    !(*rec)["deadlines"].contains(eff.arg))
                    throw;
                due = case_deadline::from_json((*rec)["deadlines"][eff.arg]);
            }
            if (eff.arg == "validity") next.validity_until = due.due;
            next.deadlines[eff.arg] = std::move(due);
        } else if (eff.kind == "stop_timer") {
            next.deadlines.erase(eff.arg);
        } else if (eff.kind == "meet_obligation") {
            next.obligations[eff.arg] = true;
        } else if (eff.kind == "ban") {
            next.banned_until =
                c.day.add_days(static_cast<std::int32_t>(int_param(*c.rules, eff.arg)));
        } else if (eff.kind == "record") {
            const auto& reasons = c.event.data.value("reasons", nlohmann::json::array());
            next.rejection_reasons.clear();
            for (const auto& r : reasons)
                if (r.is_string()) next.rejection_reasons.push_back(r.get<std::string>());
        } else if (eff.kind == "check_change_lateness") {
            const auto changed = json_date(c.event.data.value("changed_on", nlohmann::json()));
            if (!changed) continue;  // validated before effects run
            const auto limit = int_param(*c.rules, eff.arg);
            if (c.cal == nullptr)
                throw workflow_error(
                    "no working calendar: the rulesets folder '" + c.eng.rules().dir().string() +
                    "' has no calendars/ folder, so deadlines in working days cannot be counted");
            // The deadline is the limit-th working day after the change (POLICY.md §5: met by a
            // report on that day). A report on any later day is late, also on the non-working
            // days just after the deadline, when no further working day has passed yet.
            if (!(*changed < c.day)) continue;  // reported on or before the change: in time
            counted_date counted;
            try {
                counted = c.cal->deadline(*changed, static_cast<int>(limit));
            } catch (const calendar_error& e) {
                // A last day after the covered years is after the report too: in time.
                if (c.cal->covers(*changed) && c.cal->covers(c.day)) continue;
                throw calendar_error("the change-report deadline (" + std::to_string(limit) +
                                     " working days from data.changed_on " + changed->to_string() +
                                     ") cannot be computed: " + e.what());
            }
            const date last_day = counted.day;
            if (last_day < c.day) {
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
        } else if (eff.kind == "count_complaint") {
            next.complaints[text_of(c.event.data, "number")].push_back(c.day);
        } else if (eff.kind == "require_items") {
            next.requested_items.clear();
            for (const auto& i : c.event.data.value("items", nlohmann::json::array()))
                if (i.is_string()) next.requested_items.push_back(i.get<std::string>());
        } else {
            throw workflow_error("transition " + t.id + " has unknown effect " + eff.kind);
        }
    }
}

// Payload requirements of effects, checked before anything changes.
void check_payload(const workflow_transition& t, const case_state& s, const case_event& e) {
    for (const auto& eff : t.effects) {
        if (eff.kind == "record") {
            const auto& r = e.data.value("reasons", nlohmann::json());
            if (!r.is_array() || r.empty() ||
                !std::all_of(r.begin(), r.end(),
                             [](const nlohmann::json& x) { return x.is_string(); }))
                refuse(s, e, "data.reasons must list the finding codes of the decision");
        } else if (eff.kind == "check_change_lateness") {
            if (!json_date(e.data.value("changed_on", nlohmann::json())))
                refuse(s, e, "data.changed_on (YYYY-MM-DD) is required: the date of the change");
        } else if (eff.kind == "require_items") {
            const auto& r = e.data.value("items", nlohmann::json());
            if (!r.is_array() || r.empty() ||
                !std::all_of(r.begin(), r.end(),
                             [](const nlohmann::json& x) { return x.is_string(); }))
                refuse(s, e, "data.items must list the requested materials");
        }
    }
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

}  // namespace

const calendar* case_manager::calendar_for(std::string_view region) const {
    if (const auto& cals = engine_->rules().calendars()) return &cals->for_region(region);
    return nullptr;
}

std::optional<case_event> case_manager::recompute(const case_state& s,
                                                  const std::string& at) const {
    const calendar* cal = calendar_for(s.region);
    if (cal == nullptr) return std::nullopt;
    auto changed = nlohmann::json::object();
    for (const auto& [name, d] : s.deadlines) {
        if (d.working_days == 0) continue;  // calendar months or days: no calendar involved
        counted_date counted;
        try {
            counted = cal->deadline(d.from, d.working_days);
        } catch (const calendar_error&) {
            continue;  // no longer countable here: keep what was counted, never guess
        }
        if (counted.day == d.due && counted.provisional_years == d.provisional_years) continue;
        case_deadline now = d;
        now.due = counted.day;
        now.provisional_years = std::move(counted.provisional_years);
        now.calendar = calendar_label(*cal);
        if (counted.day != d.due) now.moved_from = d.due;
        changed[name] = now.to_json();
    }
    if (changed.empty()) return std::nullopt;
    return case_event{"recompute_deadlines", "system", at, {{"deadlines", std::move(changed)}}};
}

case_state case_manager::on_current_calendar(const case_state& s) const {
    case_state out = s;
    if (const auto e = recompute(s, "1970-01-01"))
        for (const auto& [name, d] : e->data["deadlines"].items())
            out.deadlines[name] = case_deadline::from_json(d);
    return out;
}

transition_result case_manager::apply(const case_state& s, const case_event& e) const {
    return apply_impl(s, e, nullptr);
}

transition_result case_manager::apply_impl(const case_state& s, const case_event& e,
                                           const nlohmann::json* recorded) const {
    const auto& wf = workflow_for(s.region);
    const date day = event_date(e.at);
    if (!e.data.is_object()) refuse(s, e, "event data must be a JSON object");
    if (!s.pinned_on) throw store_error("case " + s.id + " has no pinned date");
    auto rs = engine_->rules().resolve(s.region, *s.pinned_on);
    const calendar* cal = calendar_for(s.region);
    if (recorded != nullptr && recorded->is_null()) recorded = nullptr;  // nothing was recorded
    event_context ctx{*engine_, wf, rs, cal, day, e, recorded};

    transition_result out{s, "", nullptr, nullptr};
    case_state& next = out.after;

    // ---- a calendar change (see recompute()) ----
    if (e.type == "recompute_deadlines") {
        const auto& changed = e.data.value("deadlines", nlohmann::json());
        if (!changed.is_object() || changed.empty())
            refuse(s, e, "data.deadlines must name the recomputed deadlines");
        // Live, it must be what the current calendar gives; in a replay it is the record of
        // what the calendar of that day gave.
        if (recorded == nullptr) {
            const auto expected = recompute(s, e.at);
            if (!expected || expected->data != e.data)
                refuse(s, e,
                       "the deadlines given are not those the current calendar gives (" +
                           (expected ? expected->data["deadlines"].dump() : std::string("none")) +
                           ")");
        }
        for (const auto& [name, d] : changed.items()) {
            if (!s.deadlines.contains(name)) refuse(s, e, "timer '" + name + "' is not running");
            try {
                next.deadlines[name] = case_deadline::from_json(d);
            } catch (const store_error& err) {
                refuse(s, e, err.what());
            }
        }
        ++next.version;
        out.transition = "recompute_deadlines";
        out.outcome = {{"deadlines", changed}};
        return out;
    }

    // ---- automatic events (deadlines) ----
    if (e.type == "timer") {
        const std::string name = text_of(e.data, "timer");
        const workflow_timer* t = wf.timer(name);
        if (t == nullptr) refuse(s, e, "unknown timer '" + name + "'");
        auto it = s.deadlines.find(name);
        if (it == s.deadlines.end()) refuse(s, e, "timer '" + name + "' is not running");
        if (!(it->second.due < day))
            refuse(s, e,
                   "timer '" + name + "' runs until " + it->second.due.to_string() +
                       " and is not yet due");
        next.deadlines.erase(name);
        if (t->kind == "sla") {
            if (!t->raises.empty()) next.flags.insert(t->raises);
            out.transition = "timer:" + name;
        } else {
            const workflow_transition* taken = nullptr;
            for (const auto* tr : wf.on_timer(s.state))
                if (tr->timer == name) taken = tr;
            if (taken == nullptr) refuse(s, e, "timer '" + name + "' moves nothing in this state");
            if (!taken->reason.empty()) next.rejection_reasons = {taken->reason};
            for (const auto& eff : taken->effects)
                if (eff.kind == "stop_timer") next.deadlines.erase(eff.arg);
            next.state = taken->to;
            out.transition = taken->id;
        }
        ++next.version;
        return out;
    }

    const auto candidates = wf.on_event(s.state, e.type);
    if (candidates.empty()) {
        std::string allowed;
        for (const auto& ev : wf.events())
            if (!wf.on_event(s.state, ev).empty()) allowed += (allowed.empty() ? "" : ", ") + ev;
        refuse(s, e,
               "not allowed in this state" + (allowed.empty() ? std::string(" (a final state)")
                                                              : " (allowed: " + allowed + ")"));
    }

    // A deadline that moves the case from this state and whose last day is before the event's
    // date has been missed, whether or not a tick has run since: the case belongs in the
    // deadline's target state (a supplement after the supplement deadline does not meet it; a
    // renewal decided after the validity ended does not revive an expired whitelisting).
    for (const auto* tr : wf.on_timer(s.state)) {
        const auto it = s.deadlines.find(tr->timer);
        if (it != s.deadlines.end() && it->second.due < day)
            refuse(s, e,
                   "the deadline '" + tr->timer + "' passed (its last day was " +
                       it->second.due.to_string() + "): the case is due to move to '" + tr->to +
                       "' (case tick)");
    }

    // An event may carry a JSON Merge Patch of the application (a supplement, a rectification).
    if (e.data.contains("patch")) {
        if (!e.data["patch"].is_object())
            refuse(s, e, "data.patch must be a JSON object (a merge patch)");
        next.application.merge_patch(e.data["patch"]);
        if (text_of(next.application, "id") != text_of(s.application, "id") ||
            text_of(next.application, "region") != text_of(s.application, "region"))
            refuse(s, e, "a patch cannot change the application's id or region");
        try {
            (void)engine_->validate(next.application, "<patched application>");
        } catch (const input_error& err) {
            refuse(s, e, std::string("the patched application is not valid: ") + err.what());
        }
    }

    std::string why_not;
    for (const auto* t : candidates) {
        std::string reason;
        nlohmann::json summary = nullptr;
        check_payload(*t, s, e);
        case_state trial = next;  // a guard may record findings; only the taken one keeps them
        const bool ok = guard_holds(*t, trial, ctx, reason, summary);
        if (!ok) {
            why_not += (why_not.empty() ? "" : "; ") + reason;
            continue;
        }
        if (!summary.is_null()) out.verdict = summary;
        next = std::move(trial);
        apply_effects(*t, next, ctx);
        record_deadlines(*t, s, next, recorded, out.outcome);
        next.state = t->to;
        ++next.version;
        out.transition = t->id;
        return out;
    }
    refuse(s, e, why_not);
}

std::vector<case_event> case_manager::due(const case_state& s, date now) const {
    const auto& wf = workflow_for(s.region);
    std::vector<std::pair<date, std::string>> fell_due;
    for (const auto& [name, d] : s.deadlines)
        if (d.due < now) fell_due.emplace_back(d.due, name);
    std::sort(fell_due.begin(), fell_due.end());
    std::vector<case_event> out;
    std::string state = s.state;
    // Timers stopped by a transition taken earlier in this list (a missed supplement deadline
    // rejects the case and stops the review clock): they are no longer due.
    std::set<std::string, std::less<>> stopped;
    for (const auto& [last_day, name] : fell_due) {
        if (stopped.count(name) != 0) continue;
        const workflow_timer* t = wf.timer(name);
        if (t == nullptr) continue;
        bool moves = t->kind == "sla";
        std::string to;
        const workflow_transition* taken = nullptr;
        for (const auto* tr : wf.on_timer(state))
            if (tr->timer == name) taken = tr;  // as apply() chooses
        if (taken != nullptr) {
            moves = true;
            to = taken->to;
            stopped.insert(name);
            for (const auto& eff : taken->effects)
                if (eff.kind == "stop_timer") stopped.insert(eff.arg);
        }
        if (!moves) continue;  // a timer that moves nothing here (it should have been stopped)
        case_event e;
        e.type = "timer";
        e.actor = "system";
        e.at = now.to_string();
        e.data = {{"timer", name}, {"last_day", last_day.to_string()}};
        out.push_back(std::move(e));
        if (!to.empty()) state = to;
        if (wf.is_final(state)) break;
    }
    return out;
}

case_state case_manager::replay(const std::vector<stored_event>& events) const {
    if (events.empty() || events.front().type != "create")
        throw integrity_error("a case's history must start with its create event");
    const auto& first = events.front();
    case_state s = create(first.payload.at("application"), first.case_id);
    s.version = 1;
    for (std::size_t i = 1; i < events.size(); ++i) {
        const auto& ev = events[i];
        case_event e{ev.type, ev.actor, ev.at, ev.payload};
        try {
            s = apply_impl(s, e, &ev.outcome).after;
        } catch (const transition_refused& err) {
            throw integrity_error("case " + first.case_id + ": stored event " +
                                  std::to_string(ev.seq) + " (" + ev.type +
                                  ") does not replay: " + err.what());
        }
    }
    return s;
}

// ------------------------------------------------------------------ case_service

case_state case_service::create(const nlohmann::json& application, const case_event& e,
                                std::string id) {
    case_state s = manager_.create(application, std::move(id));
    (void)case_manager::event_date(e.at);  // a bad time is refused before anything is written
    s.version = 1;
    event_input first{"create", e.actor,         e.at, {{"application", application}},
                      nullptr,  s.ruleset_digest};
    store_.create(s.id, s.region, first, s.state, s.to_json());
    return s;
}

transition_result case_service::apply(const std::string& case_id, const case_event& e,
                                      std::optional<std::int64_t> expected_version) {
    // A remembered state is used only if it is still the stored one: judging an event against
    // an out-of-date case would refuse (or allow) it wrongly.
    const auto cached = recent_.find(case_id);
    const bool from_cache =
        cached != recent_.end() && store_.version(case_id) == cached->second.version;
    case_state s = from_cache ? cached->second : load(case_id);
    if (expected_version && *expected_version != s.version)
        throw conflict_error("case " + case_id + " is at version " + std::to_string(s.version) +
                             ", not " + std::to_string(*expected_version) +
                             ": it changed since it was read; read it again and decide again");
    (void)case_manager::event_date(e.at);  // a bad time is refused before anything is written
    require_current_calendars();
    // Deadlines a calendar change has moved are recorded first, so that the event is judged
    // by the current calendar and a replay sees the same history. Both are decided before
    // either is written: a refused event writes nothing, not even the recount.
    std::optional<std::pair<case_event, transition_result>> recount;
    if (e.type != "recompute_deadlines")
        if (auto rc = manager_.recompute(s, e.at)) {
            auto rr = manager_.apply(s, *rc);
            recount.emplace(std::move(*rc), std::move(rr));
        }
    const case_state& judged = recount ? recount->second.after : s;
    auto r = manager_.apply(judged, e);
    if (recount) write(case_id, s, recount->first, recount->second);
    write(case_id, judged, e, r);
    return r;
}

void case_service::require_current_calendars() const {
    const auto& cals = manager_.rules().rules().calendars();
    if (cals && cals->changed_on_disk())
        throw calendar_error("the calendar files in '" + cals->dir().string() +
                             "' changed after they were loaded (a calendar import?): load the "
                             "rules again (a new engine, or open the store again) before "
                             "recording events; nothing was written");
}

transition_result case_service::append(const std::string& case_id, const case_state& s,
                                       const case_event& e) {
    auto r = manager_.apply(s, e);
    write(case_id, s, e, r);
    return r;
}

void case_service::write(const std::string& case_id, const case_state& s, const case_event& e,
                         const transition_result& r) {
    event_input ev{e.type, e.actor, e.at, e.data, r.verdict, r.after.ruleset_digest};
    ev.outcome = r.outcome;
    try {
        store_.append(case_id, s.version, ev, r.after.state, r.after.to_json());
    } catch (const conflict_error&) {
        recent_.erase(case_id);  // another writer got in between: nothing of ours is current
        throw;
    }
    if (recent_.size() >= 4096) recent_.clear();  // a bound, not an LRU: refilled on demand
    recent_[case_id] = r.after;
}

case_state case_service::load(const std::string& case_id) const {
    const auto row = store_.get(case_id);
    if (!row) throw not_found_error("no case '" + case_id + "' in " + store_.path().string());
    case_state s = case_state::from_json(row->snapshot);
    s.version = row->version;
    return s;
}

case_state case_service::get(const std::string& case_id) const {
    return manager_.on_current_calendar(load(case_id));
}

std::vector<std::pair<std::string, case_event>> case_service::tick(date now,
                                                                   const std::string& actor) {
    require_current_calendars();
    std::vector<std::pair<std::string, case_event>> done;
    for (const auto& id : store_.case_ids()) {
        case_state s = load(id);
        if (auto rc = manager_.recompute(s, now.to_string())) {
            rc->actor = actor;
            s = append(id, s, *rc).after;
            done.emplace_back(id, std::move(*rc));
        }
        for (auto e : manager_.due(s, now)) {
            e.actor = actor;
            s = append(id, s, e).after;
            done.emplace_back(id, e);
        }
    }
    return done;
}

std::vector<std::pair<std::string, case_event>> case_service::recompute(const std::string& at,
                                                                        const std::string& actor) {
    (void)case_manager::event_date(at);
    require_current_calendars();
    std::vector<std::pair<std::string, case_event>> done;
    constexpr int k_tries = 20;  // another writer on the same case: read it again
    for (const auto& id : store_.case_ids()) {
        for (int attempt = 1;; ++attempt) {
            try {
                const case_state s = load(id);
                if (auto rc = manager_.recompute(s, at)) {
                    rc->actor = actor;
                    (void)append(id, s, *rc);
                    done.emplace_back(id, std::move(*rc));
                }
                break;
            } catch (const conflict_error&) {
                recent_.erase(id);
                if (attempt == k_tries) throw;
            }
        }
    }
    return done;
}

namespace {

// Snapshots written by the first version of the store (schema 1) hold a deadline as its last
// day alone (a later event carries it forward as {due, from: due}), and warnings without the
// calendar they were judged on. Where the stored snapshot has that older form and agrees on
// the day, the replayed case is compared in that form: an untouched old store verifies.
void align_legacy(nlohmann::json& replayed, const nlohmann::json& stored) {
    const auto legacy_deadline = [](const nlohmann::json& d) {
        return d.is_string() ||
               (d.is_object() && !d.contains("calendar") && !d.contains("working_days") &&
                d.contains("from") &&
                d.value("from", nlohmann::json()) == d.value("due", nlohmann::json()));
    };
    if (stored.contains("deadlines") && stored["deadlines"].is_object() &&
        replayed["deadlines"].is_object())
        for (const auto& [name, sd] : stored["deadlines"].items()) {
            if (!legacy_deadline(sd) || !replayed["deadlines"].contains(name)) continue;
            const auto& due = sd.is_string() ? sd : sd["due"];
            if (replayed["deadlines"][name].value("due", nlohmann::json()) == due)
                replayed["deadlines"][name] = sd;
        }
    if (stored.contains("warnings") && stored["warnings"].is_array() &&
        replayed["warnings"].is_array() && stored["warnings"].size() == replayed["warnings"].size())
        for (std::size_t i = 0; i < stored["warnings"].size(); ++i) {
            const auto& sw = stored["warnings"][i];
            auto& rw = replayed["warnings"][i];
            if (sw.is_object() && rw.is_object() && !sw.contains("calendar")) {
                rw.erase("calendar");
                rw.erase("provisional_years");
            }
        }
}

}  // namespace

std::vector<std::string> case_service::check_replay(const std::string& case_id) const {
    const auto row = store_.get(case_id);
    if (!row) throw not_found_error("no case '" + case_id + "' in " + store_.path().string());
    std::vector<std::string> diffs;
    case_state replayed;
    try {
        replayed = manager_.replay(store_.events(case_id));
    } catch (const error& e) {
        return {e.what()};
    }
    auto a = replayed.to_json();
    const auto& b = row->snapshot;
    align_legacy(a, b);
    const std::string prefix = "case " + case_id + ": ";
    auto say = [&](std::string_view what, const std::string& key, std::string_view rest) {
        std::string m = prefix;
        m.append(what).append(key).append(rest);
        diffs.push_back(std::move(m));
    };
    for (const auto& [k, v] : a.items())
        if (!b.contains(k) || b[k] != v) say("replayed '", k, "' differs from the stored snapshot");
    for (const auto& [k, v] : b.items())
        if (!a.contains(k)) say("the stored snapshot has an extra '", k, "'");
    return diffs;
}

}  // namespace telecomply
