// When an open case is likely to be decided: the remaining working days of similar cases, the
// case's running SLA, the workflow's SLA when history is thin
// (include/telecomply/cases/forecast.hpp, case_service::forecast()).

#include "telecomply/cases/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/case_support.hpp"
#include "cases/state_visits.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"

namespace telecomply {

namespace {

// "3", "3.5", "12.25": a working-day figure as the sentence writes it.
std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", x);
    std::string s = buf;
    while (s.back() == '0')
        s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

std::string plural(long long n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void merge_years(std::vector<int>& into, const std::vector<int>& years) {
    for (const int y : years)
        if (!std::binary_search(into.begin(), into.end(), y))
            into.insert(std::upper_bound(into.begin(), into.end(), y), y);
}

// One observation: a similar case's visit to the state, and when the decision came after it.
struct sample {
    std::string case_id, region;
    int stay = 0;   // working days the visit lasted
    int total = 0;  // working days from entering the state to the decision
};

std::size_t distinct_cases(const std::vector<const sample*>& xs) {
    std::set<std::string> ids;
    for (const auto* x : xs)
        ids.insert(x->case_id);
    return ids.size();
}

// The events that start a timer ("accept"), for the sentence.
std::string starters(const workflow& wf, const std::string& timer) {
    std::set<std::string> names;
    for (const auto& tr : wf.transitions())
        for (const auto& eff : tr.effects)
            if (eff.kind == "start_timer" && eff.arg == timer)
                names.insert(tr.event.empty() ? tr.id : tr.event);
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

nlohmann::json decision_forecast::to_json() const {
    const auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    nlohmann::json dl = nlohmann::json::array();
    for (const auto& d : deadlines)
        dl.push_back({{"timer", d.timer},
                      {"kind", d.kind},
                      {"due", d.due.to_string()},
                      {"provisional", d.provisional},
                      {"bounds", d.bounds}});
    return {
        {"case_id", case_id},
        {"region", region},
        {"state", state},
        {"as_of", as_of.to_string()},
        {"in_state_since", in_state_since.to_string()},
        {"waited_working_days", waited_working_days},
        {"basis", basis},
        {"scope", scope},
        {"similar_cases", similar_cases},
        {"similar_in_region", similar_in_region},
        {"min_similar", min_similar},
        {"remaining_working_days",
         p10 ? nlohmann::json{{"p10", opt(p10)}, {"median", opt(median)}, {"p90", opt(p90)}}
             : nlohmann::json(nullptr)},
        {"earliest", earliest.to_string()},
        {"likely", likely.to_string()},
        {"latest", latest.to_string()},
        {"bounded_by", bounded_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(bounded_by)},
        {"history_latest",
         history_latest ? nlohmann::json(history_latest->to_string()) : nlohmann::json(nullptr)},
        {"deadlines", std::move(dl)},
        {"provisional_years", provisional_years},
        {"explanation", explanation}};
}

decision_forecast case_service::forecast(const std::string& case_id, date as_of,
                                         const forecast_options& opts) const {
    (void)load(case_id);  // not_found_error, or integrity_error for an edited case
    case_state last;
    const auto target = path_of(store_.events(case_id), as_of, &last);
    if (target.steps.empty())
        throw usage_error("case " + case_id + " did not exist yet on " + as_of.to_string() +
                          ": nothing to forecast");
    const auto& wf = manager_.workflow_for(target.region);
    const auto& cal = detail::calendar_of(manager_, target.region);
    const std::string state = target.steps.back().state;
    if (!detail::awaits_decision(wf, state)) {
        // say what was decided, and when
        for (auto it = target.steps.rbegin(); it != target.steps.rend(); ++it)
            if (it->decision)
                throw usage_error("case " + case_id + " was decided on " + it->day.to_string() +
                                  ": " + it->state + " by " + it->type + " (event " +
                                  std::to_string(it->seq) + ")" +
                                  (state == it->state ? std::string() : "; it is now " + state) +
                                  ": no decision to forecast");
        throw usage_error("case " + case_id + " is " + state +
                          (wf.is_final(state) ? ", a final state"
                                              : ", from which the workflow reaches no decision") +
                          ": no decision to forecast");
    }

    decision_forecast f;
    f.case_id = case_id;
    f.region = target.region;
    f.state = state;
    f.as_of = as_of;
    f.min_similar = opts.min_similar;
    const auto visits = detail::visits_of(target, wf, cal, as_of);
    f.in_state_since = visits.back().entered_on;  // awaiting: not final, so the last is a visit
    if (!visits.back().working_days)
        throw calendar_error("case " + case_id + ": the calendar of " + target.region +
                             " does not cover " + f.in_state_since.to_string() + " to " +
                             as_of.to_string());
    const int waited = *visits.back().working_days;
    f.waited_working_days = waited;
    merge_years(f.provisional_years, visits.back().provisional_years);

    // ---- similar cases: a visit to this state at least as long as this case's wait so far,
    // then a decision
    std::vector<std::string> skipped;  // other cases that do not replay are left out
    std::vector<sample> samples;
    for (const auto& p : paths(std::nullopt, as_of, &skipped)) {
        if (p.id == case_id) continue;
        const auto& pwf = manager_.workflow_for(p.region);
        const auto& pcal = detail::calendar_of(manager_, p.region);
        std::vector<std::size_t> first;
        const auto pv = detail::visits_of(p, pwf, pcal, as_of, &first);
        for (std::size_t k = 0; k < pv.size(); ++k) {
            const auto& v = pv[k];
            if (v.state != state || v.open() || !v.working_days || *v.working_days < waited)
                continue;
            for (std::size_t j = first[k] + 1; j < p.steps.size(); ++j) {
                if (!p.steps[j].decision) continue;
                if (const auto total = detail::working_days(pcal, v.entered_on, p.steps[j].day))
                    samples.push_back({p.id, p.region, *v.working_days, *total});
                break;  // the first decision after the visit
            }
        }
    }
    std::vector<const sample*> in_region, everywhere;
    for (const auto& s : samples) {
        everywhere.push_back(&s);
        if (s.region == f.region) in_region.push_back(&s);
    }
    f.similar_in_region = distinct_cases(in_region);
    const std::size_t similar_all = distinct_cases(everywhere);
    const std::vector<const sample*>* chosen = nullptr;
    if (f.similar_in_region >= opts.min_similar && f.similar_in_region > 0) {
        chosen = &in_region;
        f.scope = "region";
        f.similar_cases = f.similar_in_region;
    } else if (similar_all >= opts.min_similar && similar_all > 0) {
        chosen = &everywhere;
        f.scope = "all_regions";
        f.similar_cases = similar_all;
    } else {
        f.similar_cases = similar_all;
    }

    // ---- the running timers, and the SLA a decision stops
    const auto slas = detail::decision_slas(wf);
    const auto is_decision_sla = [&](const std::string& name) {
        return std::any_of(slas.begin(), slas.end(),
                           [&](const workflow_timer* t) { return t->name == name; });
    };
    std::optional<forecast_deadline> bound;    // a decision SLA not yet past
    std::optional<forecast_deadline> overdue;  // a decision SLA already past
    for (const auto& [name, d] : last.deadlines) {
        const auto* t = wf.timer(name);
        forecast_deadline fd{name, t != nullptr ? t->kind : "", d.due, d.provisional(), false};
        if (is_decision_sla(name)) {
            if (as_of <= d.due) {
                fd.bounds = true;
                if (!bound || d.due < bound->due) bound = fd;
            } else if (!overdue) {
                overdue = fd;
            }
        }
        merge_years(f.provisional_years, d.provisional_years);
        f.deadlines.push_back(std::move(fd));
    }
    // an SLA whose tick already raised its flag has stopped running: it is overdue all the same
    for (const auto* t : slas)
        if (!bound && !overdue && !t->raises.empty() && last.flags.contains(t->raises))
            for (auto it = target.steps.rbegin(); it != target.steps.rend() && !overdue; ++it)
                if (const auto d = it->deadlines.find(t->name); d != it->deadlines.end())
                    overdue = forecast_deadline{t->name, t->kind, d->second.due,
                                                d->second.provisional(), false};
    const std::string overdue_text = overdue ? " " + overdue->timer + "'s last day " +
                                                   overdue->due.to_string() +
                                                   " has passed: the decision is overdue."
                                             : std::string();

    if (chosen != nullptr) {
        f.basis = "history";
        std::vector<int> remaining;
        for (const auto* s : *chosen)
            remaining.push_back(s->total - waited);  // total >= stay >= waited
        f.p10 = percentile(remaining, 10);
        f.median = percentile(remaining, 50);
        f.p90 = percentile(remaining, 90);
        // a hair of tolerance: 4 * 0.9 interpolates to 15.600000000000001, and a whole number
        // reached by interpolation must not round up to the next day
        constexpr double eps = 1e-9;
        f.earliest = cal.add_working_days(as_of, static_cast<int>(std::floor(*f.p10 + eps)));
        f.likely = cal.add_working_days(as_of, static_cast<int>(std::floor(*f.median + 0.5 + eps)));
        f.latest = cal.add_working_days(as_of, static_cast<int>(std::ceil(*f.p90 - eps)));
        std::string scope_text = f.scope == "region"
                                     ? "in " + f.region
                                     : "in all regions (" + std::to_string(f.similar_in_region) +
                                           " in " + f.region + ", fewer than " +
                                           std::to_string(opts.min_similar) + ")";
        const auto n_similar = static_cast<long long>(f.similar_cases);
        f.explanation = "From " + plural(n_similar, "similar case") + " " + scope_text + " (in " +
                        state + " at least " + plural(waited, "working day") +
                        ", then decided): " + num(*f.p10) + " to " + num(*f.p90) +
                        " more working days, median " + num(*f.median) + "; likely decided on " +
                        f.likely.to_string() + ", between " + f.earliest.to_string() + " and " +
                        f.latest.to_string() + ".";
        if (bound && bound->due < f.latest) {
            // the SLA is the workflow's promise: no forecast past it while it runs
            f.history_latest = f.latest;
            f.latest = bound->due;
            f.likely = std::min(f.likely, f.latest);
            f.earliest = std::min(f.earliest, f.latest);
            f.bounded_by = bound->timer;
            f.explanation += " The latest is capped at " + bound->timer + "'s last day " +
                             bound->due.to_string() +
                             ", by which the workflow requires a decision (the history alone "
                             "gives " +
                             f.history_latest->to_string() + ").";
        }
        f.explanation += overdue_text;
    } else {
        f.basis = "sla";
        const auto n_similar = static_cast<long long>(f.similar_cases);
        const std::string few = "Only " + plural(n_similar, "similar finished case") + " (" +
                                std::to_string(f.similar_in_region) + " in " + f.region + "; " +
                                std::to_string(opts.min_similar) +
                                " needed): the forecast follows the workflow's SLA. ";
        f.earliest = as_of;
        if (bound) {
            f.latest = bound->due;
            f.bounded_by = bound->timer;
            const auto& d = last.deadlines.at(bound->timer);
            f.explanation = few + bound->timer + " runs to " + bound->due.to_string() +
                            (d.working_days != 0 ? " (" + plural(d.working_days, "working day") +
                                                       " from " + d.from.to_string() + ")"
                                                 : std::string()) +
                            ": decided by then at the latest.";
        } else if (overdue) {
            f.latest = as_of;
            f.bounded_by = overdue->timer;
            f.explanation = few + overdue->timer + "'s last day " + overdue->due.to_string() +
                            " has passed: the decision is overdue, and the workflow gives no "
                            "later day.";
        } else {
            // the clock has not started: the longest SLA a decision stops, counted from as_of
            const auto rs = manager_.ruleset_for(last);
            const workflow_timer* longest = nullptr;
            std::int64_t n = -1;
            for (const auto* t : slas) {
                if (t->working_days_param.empty()) continue;
                const auto k = detail::int_param(*rs, t->working_days_param);
                if (k > n) {
                    n = k;
                    longest = t;
                }
            }
            if (longest == nullptr)
                throw usage_error("case " + case_id + ": " + few +
                                  "But the workflow has no SLA in working days that a decision "
                                  "stops: no forecast can be made");
            const auto counted = cal.deadline(as_of, static_cast<int>(n));
            f.latest = counted.day;
            merge_years(f.provisional_years, counted.provisional_years);
            f.explanation = few + longest->name + " (" + plural(n, "working day") +
                            ") has not started (it starts with " + starters(wf, longest->name) +
                            "): counted from " + as_of.to_string() + ", decided by " +
                            f.latest.to_string() + " at the latest.";
        }
        f.likely = f.latest;
    }
    merge_years(f.provisional_years, cal.provisional_years_between(as_of, f.latest));
    if (!f.provisional_years.empty()) {
        std::string years;
        for (const int y : f.provisional_years)
            years += (years.empty() ? "" : ", ") + std::to_string(y);
        f.explanation +=
            " Provisional: the count crosses " + years + ", whose calendar is not official yet.";
    }
    return f;
}

}  // namespace telecomply
