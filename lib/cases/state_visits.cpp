// A case's history as states and days, what the workflow calls a decision, and the visits to
// states it makes (lib/cases/state_visits.hpp); case_service::paths() and path_of(), which read
// the histories for durations() and forecast().

#include "cases/state_visits.hpp"

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

namespace detail {

std::set<std::string> decision_transitions(const workflow& wf) {
    std::set<std::string> out;
    for (const auto& tr : wf.transitions())
        for (const auto& eff : tr.effects)
            if (eff.kind == "stop_timer")
                if (const auto* t = wf.timer(eff.arg); t != nullptr && t->kind == "sla")
                    out.insert(tr.id);
    return out;
}

std::set<std::string> decision_states(const workflow& wf) {
    const auto ids = decision_transitions(wf);
    std::set<std::string> out;
    for (const auto& tr : wf.transitions())
        if (ids.contains(tr.id)) out.insert(tr.to);
    return out;
}

std::vector<const workflow_timer*> decision_slas(const workflow& wf) {
    const auto ids = decision_transitions(wf);
    std::set<std::string> names;
    for (const auto& tr : wf.transitions())
        if (ids.contains(tr.id))
            for (const auto& eff : tr.effects)
                if (eff.kind == "stop_timer")
                    if (const auto* t = wf.timer(eff.arg); t != nullptr && t->kind == "sla")
                        names.insert(t->name);
    std::vector<const workflow_timer*> out;
    for (const auto& n : names)
        out.push_back(wf.timer(n));
    return out;
}

bool awaits_decision(const workflow& wf, std::string_view state) {
    if (!wf.has_state(state) || wf.is_final(state)) return false;
    if (decision_states(wf).contains(std::string(state))) return false;
    const auto ids = decision_transitions(wf);
    // breadth-first over the transitions: is a decision reachable from here?
    std::set<std::string> seen{std::string(state)};
    std::deque<std::string> todo{std::string(state)};
    while (!todo.empty()) {
        const std::string s = todo.front();
        todo.pop_front();
        for (const auto& tr : wf.transitions()) {
            bool from_here = false;
            for (const auto& f : tr.from)
                from_here = from_here || f == s;
            if (!from_here) continue;
            if (ids.contains(tr.id)) return true;
            if (seen.insert(tr.to).second) todo.push_back(tr.to);
        }
    }
    return false;
}

const workflow_transition* transition_taken(const workflow& wf, const std::string& before,
                                            const case_step& step) {
    if (!wf.has_state(before)) return nullptr;
    if (step.type == "timer") {
        const auto* t = wf.timer(step.timer);
        if (t == nullptr || t->kind == "sla") return nullptr;
        const workflow_transition* taken = nullptr;
        for (const auto* tr : wf.on_timer(before))
            if (tr->timer == step.timer) taken = tr;  // as case_manager::apply() chooses
        return taken;
    }
    // guards choose among transitions on one event; they differ in their target
    for (const auto* tr : wf.on_event(before, step.type))
        if (tr->to == step.state) return tr;
    return nullptr;
}

const calendar& calendar_of(const case_manager& m, std::string_view region) {
    const auto& cals = m.rules().rules().calendars();
    if (!cals)
        throw calendar_error("no working calendar: the rulesets folder '" +
                             m.rules().rules().dir().string() +
                             "' has no calendars/ folder, so working days cannot be counted");
    return cals->for_region(region);
}

std::optional<int> working_days(const calendar& cal, date a, date b) {
    if (!cal.covers(a) || !cal.covers(b)) return std::nullopt;
    return cal.working_days_between(a, b);
}

std::vector<state_visit> visits_of(const case_path& p, const workflow& wf, const calendar& cal,
                                   date as_of, std::vector<std::size_t>* first_step) {
    std::vector<state_visit> out;
    const auto& steps = p.steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (i > 0 && steps[i].state == steps[i - 1].state) continue;  // still the same visit
        if (wf.is_final(steps[i].state)) continue;                    // an end, not a wait
        state_visit v;
        v.case_id = p.id;
        v.region = p.region;
        v.state = steps[i].state;
        v.entered_on = steps[i].day;
        v.entered_seq = steps[i].seq;
        v.entered_by = steps[i].type;
        std::size_t j = i + 1;
        while (j < steps.size() && steps[j].state == v.state)
            ++j;
        date end = as_of;
        if (j < steps.size()) {
            v.left_on = steps[j].day;
            v.left_seq = steps[j].seq;
            v.left_by = steps[j].type;
            end = steps[j].day;
        }
        v.working_days = working_days(cal, v.entered_on, end);
        v.provisional_years = cal.provisional_years_between(v.entered_on, end);
        out.push_back(std::move(v));
        if (first_step != nullptr) first_step->push_back(i);
    }
    return out;
}

}  // namespace detail

detail::case_path case_service::path_of(const std::vector<stored_event>& events, date as_of,
                                        case_state* last) const {
    detail::case_path p;
    if (events.empty()) return p;
    p.id = events.front().case_id;
    use_pinned_of(events);  // reads only: the rules each event was judged by
    const workflow* wf = nullptr;
    std::set<std::string> decisions;
    std::string before;
    (void)manager_.replay(events, [&](const stored_event& e, const case_state& s) {
        const date day = case_manager::event_date(e.at);
        if (as_of < day) return;  // after the report's day: not yet known then
        if (wf == nullptr) {
            p.region = s.region;
            wf = &manager_.workflow_for(s.region);
            decisions = detail::decision_transitions(*wf);
        }
        detail::case_step step;
        step.seq = e.seq;
        step.type = e.type;
        step.day = day;
        step.state = s.state;
        step.deadlines = s.deadlines;
        if (e.type == "timer" && e.payload.is_object())
            step.timer = e.payload.value("timer", std::string());
        if (!before.empty()) {
            const auto* tr = detail::transition_taken(*wf, before, step);
            step.decision = tr != nullptr && decisions.contains(tr->id);
        }
        before = s.state;
        p.steps.push_back(std::move(step));
        if (last != nullptr) *last = s;
    });
    return p;
}

std::vector<detail::case_path> case_service::paths(const std::optional<std::string>& region,
                                                   date as_of,
                                                   std::vector<std::string>* skipped) const {
    std::vector<detail::case_path> out;
    // every history from one consistent read: a writer committing meanwhile is seen wholly or
    // not at all
    const auto view = store_.consistent_reads();
    const auto ids =
        region ? store_.case_ids_where(std::nullopt, region, std::nullopt) : store_.case_ids();
    for (const auto& id : ids) {
        try {
            auto p = path_of(store_.events(id), as_of, nullptr);
            if (!p.steps.empty()) out.push_back(std::move(p));
        } catch (const store_error& e) {
            if (e.code() != errc::integrity_error) throw;  // the store itself fails
            const std::string why = "case " + id +
                                    ": its history does not replay (`case verify` "
                                    "tells why): " +
                                    e.what();
            if (skipped == nullptr) throw integrity_error(why);
            skipped->push_back(why);
        } catch (const error& e) {
            const std::string why = "case " + id +
                                    ": its history does not replay (`case verify` "
                                    "tells why): " +
                                    e.what();
            if (skipped == nullptr) throw integrity_error(why);
            skipped->push_back(why);
        }
    }
    return out;
}

}  // namespace telecomply
