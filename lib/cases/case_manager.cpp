// The workflow logic of cases: create, apply an event, what time makes due, replay, recounts after
// a calendar change.

#include "telecomply/cases/cases.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "cases/case_keys.hpp"
#include "cases/case_support.hpp"
#include "expr/time.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"

namespace telecomply {

using detail::apply_effects;
using detail::calendar_label;
using detail::check_payload;
using detail::event_context;
using detail::guard_holds;
using detail::record_deadlines;
using detail::refuse;
using detail::text_of;

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
    return event_time::parse(at).day;
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
    return apply_impl(s, e, nullptr, false, nullptr);
}

transition_result case_manager::apply(
    const case_state& s, const case_event& e,
    const std::function<store_facts(const nlohmann::json&)>& facts) const {
    return apply_impl(s, e, nullptr, false, &facts);
}

transition_result case_manager::apply_impl(
    const case_state& s, const case_event& e, const nlohmann::json* recorded, bool replaying,
    const std::function<store_facts(const nlohmann::json&)>* facts) const {
    const auto& wf = workflow_for(s.region);
    const date day = event_date(e.at);
    if (!e.data.is_object()) refuse(s, e, "event data must be a JSON object");
    if (!s.pinned_on) throw store_error("case " + s.id + " has no pinned date");
    auto rs = ruleset_for(s);
    const calendar* cal = calendar_for(s.region);
    if (recorded != nullptr && recorded->is_null()) recorded = nullptr;  // nothing was recorded
    event_context ctx{*engine_, wf, rs, cal, day, e, s, recorded, replaying, facts, std::nullopt};

    transition_result out{s, "", nullptr, nullptr, rs->digest()};
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

    // ---- re-pinning: the case is judged from now on by the catalogue's current content of
    // the version in force on its pinned date (an explicit, recorded decision, with a reason)
    if (e.type == "repin") {
        const auto reason = e.data.value("reason", nlohmann::json());
        if (!reason.is_string() ||
            reason.get<std::string>().find_first_not_of(" \t\n") == std::string::npos)
            refuse(s, e, "data.reason must say why the case is re-pinned");
        std::shared_ptr<const ruleset> to;
        if (recorded != nullptr) {
            // the record names what it was re-pinned to; its content is the store's
            const std::string digest =
                recorded->value("repinned", nlohmann::json::object()).value("to", "");
            case_state probe = s;
            probe.ruleset_digest = digest;
            to = ruleset_for(probe);
            if (to->digest() != digest)
                throw integrity_error("case " + s.id + ": the rules it was re-pinned to (" +
                                      digest + ") are not kept in the store");
        } else {
            to = engine_->rules().resolve(s.region, *s.pinned_on);
            if (to->digest() == s.ruleset_digest)
                refuse(s, e,
                       "the case is already pinned to " + to->id() + "@" + to->version() + " (" +
                           to->digest() + ")");
        }
        next.ruleset_id = to->id();
        next.ruleset_version = to->version();
        next.ruleset_digest = to->digest();
        ++next.version;
        out.transition = "repin";
        out.judged_by = to->digest();
        out.outcome = {{"repinned", {{"from", s.ruleset_digest}, {"to", to->digest()}}}};
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

    // An event may carry a JSON Merge Patch of the application (a supplement, a rectification,
    // a reported change): only events whose transition amends the application take it
    // (check_payload() refuses it elsewhere).
    if (e.data.contains("patch")) {
        if (!e.data["patch"].is_object())
            refuse(s, e, "data.patch must be a JSON object (a merge patch)");
        next.application.merge_patch(e.data["patch"]);
        if (text_of(next.application, "id") != text_of(s.application, "id") ||
            text_of(next.application, "region") != text_of(s.application, "region"))
            refuse(s, e, "a patch cannot change the application's id or region");
        // the applicant is who the case is about: it may be filled in, not changed
        const auto before_uscc = detail::keys_of_application(s.application).uscc;
        if (!before_uscc.empty() &&
            detail::keys_of_application(next.application).uscc != before_uscc)
            refuse(s, e,
                   "a patch cannot change the applicant (applicant.uscc " + before_uscc +
                       "): another applicant is another application");
        try {
            (void)engine_->validate(next.application, "<patched application>");
        } catch (const input_error& err) {
            refuse(s, e, std::string("the patched application is not valid: ") + err.what());
        }
        // A patch that changes the applicant or the numbers is judged against what the store
        // knows now (docs/policy.md §7), whether or not the event runs the rules: a whitelisted
        // case cannot take another company's number, or become another company, unseen.
        if (!replaying && detail::keys_of_application(next.application) !=
                              detail::keys_of_application(s.application))
            if (const store_facts* f = ctx.store_facts_for_rules(next.application)) {
                std::string blocking;
                for (const auto& x : store_findings(next.application, *f))
                    if (x.level == severity::blocking)
                        blocking += (blocking.empty() ? "" : ", ") + x.label();
                if (!blocking.empty())
                    refuse(s, e, "the amended application: the case store knows " + blocking);
            }
    }

    std::string why_not;
    for (const auto* t : candidates) {
        std::string reason;
        nlohmann::json summary = nullptr;
        check_payload(*t, s, ctx);
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
        // what the store knew when the rules ran: a replay judges with the same facts
        if (ctx.facts && !replaying) out.outcome["store_facts"] = ctx.facts->to_json();
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

std::shared_ptr<const ruleset> case_manager::ruleset_for(const case_state& s) const {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = pinned_.find(s.ruleset_digest); it != pinned_.end()) return it->second;
    }
    if (!s.pinned_on) throw store_error("case " + s.id + " has no pinned date");
    return engine_->rules().resolve(s.region, *s.pinned_on);
}

void case_manager::pin(const pinned_ruleset& r) const {
    {
        std::lock_guard lock(mutex_);
        if (pinned_.contains(r.digest)) return;
    }
    auto rs =
        engine_->rules().from_content(r.content, "pinned " + r.id + "@" + r.version, r.digest);
    std::lock_guard lock(mutex_);
    pinned_.emplace(r.digest, std::move(rs));
}

bool case_manager::knows_pinned(const std::string& digest) const {
    std::lock_guard lock(mutex_);
    return pinned_.contains(digest);
}

case_state case_manager::replay(const std::vector<stored_event>& events) const {
    return replay(events, nullptr);
}

case_state case_manager::replay(
    const std::vector<stored_event>& events,
    const std::function<void(const stored_event&, const case_state&)>& each) const {
    if (events.empty() || events.front().type != "create")
        throw integrity_error("a case's history must start with its create event");
    const auto& first = events.front();
    case_state s = create(first.payload.at("application"), first.case_id);
    // the rules it pinned are those its create event recorded (evidence), whatever the
    // catalogue says now
    if (!first.ruleset_digest.empty() && first.ruleset_digest != s.ruleset_digest) {
        s.ruleset_digest = first.ruleset_digest;
        std::lock_guard lock(mutex_);
        if (const auto it = pinned_.find(s.ruleset_digest); it != pinned_.end()) {
            s.ruleset_id = it->second->id();
            s.ruleset_version = it->second->version();
        }
    }
    s.version = 1;
    if (each) each(first, s);
    for (std::size_t i = 1; i < events.size(); ++i) {
        const auto& ev = events[i];
        case_event e{ev.type, ev.actor, ev.at, ev.payload};
        try {
            s = apply_impl(s, e, &ev.outcome, true, nullptr).after;
        } catch (const transition_refused& err) {
            throw integrity_error("case " + first.case_id + ": stored event " +
                                  std::to_string(ev.seq) + " (" + ev.type +
                                  ") does not replay: " + err.what());
        }
        if (each) each(ev, s);
    }
    return s;
}

}  // namespace telecomply
