// Time in state: the visits of cases to workflow states in working days, their medians and
// p90s per region and state, how the timers' runs ended, where open cases wait
// (include/telecomply/cases/time_in_state.hpp, case_service::durations()).

#include "telecomply/cases/time_in_state.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "cases/state_visits.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

double percentile(std::vector<int> values, double p) {
    if (values.empty()) throw usage_error("percentile of no values");
    if (!(p >= 0.0 && p <= 100.0))
        throw usage_error("percentile: p must be within [0, 100], not " + std::to_string(p));
    std::sort(values.begin(), values.end());
    // Hyndman & Fan definition 7 (numpy's "linear"): h = (n - 1) p / 100
    const double h = static_cast<double>(values.size() - 1) * p / 100.0;
    const auto k = static_cast<std::size_t>(std::floor(h));
    if (k + 1 >= values.size()) return values.back();
    const double lo = values[k];
    const double hi = values[k + 1];
    return lo + (h - static_cast<double>(k)) * (hi - lo);
}

namespace {

nlohmann::json opt_json(const std::optional<int>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Adds `years` to the sorted, distinct `into`.
void merge_years(std::vector<int>& into, const std::vector<int>& years) {
    for (const int y : years)
        if (!std::binary_search(into.begin(), into.end(), y))
            into.insert(std::upper_bound(into.begin(), into.end(), y), y);
}

// The region as the store keeps it (ISO 3166-2, "CN-GD"): from that or its GB/T 2260 code.
std::string region_code(const std::string& text) {
    const auto* r = find_region(text);
    if (r == nullptr)
        throw usage_error("unknown region '" + text +
                          "': give a province-level region's ISO 3166-2 code (CN-GD) or GB/T "
                          "2260 code (44)");
    return std::string(r->iso);
}

// How one case's runs of one timer ended: 0 none, 1 on time, 2 running, 3 breached.
enum class run_end : int { none = 0, on_time = 1, running = 2, breached = 3 };

}  // namespace

nlohmann::json state_visit::to_json() const {
    return {{"case_id", case_id},
            {"region", region},
            {"state", state},
            {"entered_on", entered_on.to_string()},
            {"entered_seq", entered_seq},
            {"entered_by", entered_by},
            {"left_on", left_on ? nlohmann::json(left_on->to_string()) : nlohmann::json(nullptr)},
            {"left_seq", left_on ? nlohmann::json(left_seq) : nlohmann::json(nullptr)},
            {"left_by", left_on ? nlohmann::json(left_by) : nlohmann::json(nullptr)},
            {"working_days", opt_json(working_days)},
            {"open", open()},
            {"provisional_years", provisional_years}};
}

nlohmann::json state_duration::to_json() const {
    return {{"region", region},     {"state", state},      {"visits", visits},
            {"open", open},         {"counted", counted},  {"median", opt_json(median)},
            {"p90", opt_json(p90)}, {"max", opt_json(max)}};
}

nlohmann::json timer_outcome::to_json() const {
    return {{"region", region},     {"timer", timer},     {"kind", kind},      {"raises", raises},
            {"breached", breached}, {"on_time", on_time}, {"running", running}};
}

nlohmann::json waiting_case::to_json() const {
    return {{"case_id", case_id},
            {"region", region},
            {"state", state},
            {"since", since.to_string()},
            {"working_days", opt_json(working_days)}};
}

nlohmann::json durations_report::to_json() const {
    nlohmann::json j = {{"as_of", as_of.to_string()},
                        {"region", region ? nlohmann::json(*region) : nlohmann::json(nullptr)},
                        {"states", nlohmann::json::array()},
                        {"timers", nlohmann::json::array()},
                        {"waiting", nlohmann::json::array()},
                        {"provisional_years", provisional_years},
                        {"visits", nlohmann::json::array()}};
    for (const auto& s : states)
        j["states"].push_back(s.to_json());
    for (const auto& t : timers)
        j["timers"].push_back(t.to_json());
    for (const auto& w : waiting)
        j["waiting"].push_back(w.to_json());
    for (const auto& v : visits)
        j["visits"].push_back(v.to_json());
    return j;
}

durations_report case_service::durations(date as_of, const std::optional<std::string>& region,
                                         std::vector<std::string>* skipped) const {
    durations_report r;
    r.as_of = as_of;
    if (region) r.region = region_code(*region);
    const auto all = paths(r.region, as_of, skipped);

    struct per_state {
        std::size_t visits = 0, open = 0;
        std::vector<int> closed;
    };
    std::map<std::pair<std::string, std::string>, per_state> by_state;
    std::map<std::pair<std::string, std::string>, timer_outcome> by_timer;
    for (const auto& p : all) {
        const auto& wf = manager_.workflow_for(p.region);
        const auto& cal = detail::calendar_of(manager_, p.region);
        auto visits = detail::visits_of(p, wf, cal, as_of);
        for (const auto& v : visits) {
            auto& s = by_state[{v.region, v.state}];
            ++s.visits;
            if (v.open())
                ++s.open;
            else if (v.working_days)
                s.closed.push_back(*v.working_days);
            merge_years(r.provisional_years, v.provisional_years);
        }
        // where it waits: its last visit, when it is one and awaits someone
        const auto& now = p.steps.back().state;
        if (!visits.empty() && visits.back().open() && !wf.is_final(now) &&
            !detail::decision_states(wf).contains(now))
            r.waiting.push_back(
                {p.id, p.region, now, visits.back().entered_on, visits.back().working_days});

        // the timers counted in working days: how each run ended
        for (const auto& [name, t] : wf.timers()) {
            if (t.working_days_param.empty()) continue;
            run_end end = run_end::none;
            const auto worst = [&end](run_end e) {
                if (static_cast<int>(e) > static_cast<int>(end)) end = e;
            };
            const case_deadline* running = nullptr;
            for (const auto& step : p.steps) {
                const auto it = step.deadlines.find(name);
                const bool recorded_passed = step.type == "timer" && step.timer == name;
                if (running != nullptr && it == step.deadlines.end()) {
                    // the run ended with this event: in time when on or before its last day
                    worst(recorded_passed || running->due < step.day ? run_end::breached
                                                                     : run_end::on_time);
                } else if (recorded_passed) {
                    worst(run_end::breached);  // passed, yet still running (not in this vocabulary)
                }
                running = it == step.deadlines.end() ? nullptr : &it->second;
            }
            if (running != nullptr) {
                if (running->due < as_of)
                    worst(run_end::breached);  // passed; a tick has not recorded it yet
                else if (end != run_end::breached)
                    end = run_end::running;
            }
            if (end == run_end::none) continue;
            auto& o = by_timer[{p.region, name}];
            o.region = p.region;
            o.timer = name;
            o.kind = t.kind;
            o.raises = t.raises;
            if (end == run_end::breached) ++o.breached;
            if (end == run_end::running) ++o.running;
            if (end == run_end::on_time) ++o.on_time;
        }
        std::move(visits.begin(), visits.end(), std::back_inserter(r.visits));
    }

    // per region, in the workflow's state order
    std::set<std::string> regions;
    for (const auto& [key, s] : by_state)
        regions.insert(key.first);
    for (const auto& reg : regions) {
        for (const auto& state : manager_.workflow_for(reg).states()) {
            const auto it = by_state.find({reg, state});
            if (it == by_state.end()) continue;
            state_duration d;
            d.region = reg;
            d.state = state;
            d.visits = it->second.visits;
            d.open = it->second.open;
            d.counted = it->second.closed.size();
            if (!it->second.closed.empty()) {
                d.median = percentile(it->second.closed, 50);
                d.p90 = percentile(it->second.closed, 90);
                d.max = *std::max_element(it->second.closed.begin(), it->second.closed.end());
            }
            r.states.push_back(std::move(d));
        }
    }
    for (auto& [key, o] : by_timer)
        r.timers.push_back(std::move(o));
    std::sort(r.waiting.begin(), r.waiting.end(), [](const waiting_case& a, const waiting_case& b) {
        const int wa = a.working_days.value_or(-1);
        const int wb = b.working_days.value_or(-1);
        return std::tie(wb, a.case_id) < std::tie(wa, b.case_id);
    });
    return r;
}

}  // namespace telecomply
