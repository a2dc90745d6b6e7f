// What lint asks of a workflow graph: shortest event paths, unreachable states, states that cannot
// finish, unknown names, nondeterminism, the parameters it reads.

#include "telecomply/workflow/workflow.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/workflow/vocabulary.hpp"
#include "workflow/workflow_impl.hpp"

namespace telecomply {

using detail::contains;
using detail::in_quotes;

std::vector<std::string> workflow::shortest_path(std::string_view from, std::string_view to) const {
    const auto& g = impl_->graph;
    const auto source = impl_->vertex(from);
    const auto target = impl_->vertex(to);
    if (source == target) return {};
    const auto tree = impl_->search_from(source);
    if (!tree.reached[target]) return {};
    std::vector<std::string> steps;
    for (auto v = target; v != source; v = boost::source(tree.pred[v], g))
        steps.push_back(impl_->step_name(impl_->transitions[g[tree.pred[v]].transition]));
    std::reverse(steps.begin(), steps.end());
    return steps;
}

workflow::analysis workflow::analyse(const std::vector<std::string>& guards,
                                     const std::vector<std::string>& parameters) const {
    const auto& w = *impl_;
    const auto& g = w.graph;
    const auto n = boost::num_vertices(g);
    analysis out;

    // Reachability from the initial state.
    const auto forward = w.search_from(w.vertex(w.initial));
    for (std::size_t v = 0; v < n; ++v)
        if (!forward.reached[v]) out.unreachable.push_back(g[v].name);

    // States that reach no end: a BFS from every final state over the reversed edges.
    std::vector<impl::vertex_t> finals;
    for (std::size_t v = 0; v < n; ++v)
        if (g[v].final) finals.push_back(v);
    std::vector<boost::default_color_type> color(n, boost::white_color);
    if (!finals.empty()) {
        const auto reversed = boost::make_reverse_graph(g);
        boost::queue<impl::vertex_t> queue;
        boost::breadth_first_search(
            reversed, finals.begin(), finals.end(), queue,
            boost::make_bfs_visitor(boost::null_visitor()),
            boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g)));
    }
    for (std::size_t v = 0; v < n; ++v)
        if (!g[v].final && color[v] == boost::white_color) out.cannot_finish.push_back(g[v].name);

    // Names each transition uses.
    std::set<std::string, std::less<>> started_timers, used_events;
    for (const auto& t : w.transitions) {
        if (!t.event.empty()) used_events.insert(t.event);
        for (const auto& e : t.effects)
            if (e.kind == "start_timer" || e.kind == "extend_timer") started_timers.insert(e.arg);
    }
    const bool check_params = !parameters.empty();
    auto& problems = out.problems;
    for (const auto& t : w.transitions) {
        const auto who = "transition " + in_quotes(t.id) + ": ";
        for (const auto& f : t.from)
            if (g[w.vertex(f)].final)
                problems.push_back(who + "leaves final state " + in_quotes(f));
        if (!t.event.empty() && !contains(w.events, t.event))
            problems.push_back(who + "unknown event " + in_quotes(t.event) +
                               " (not in the workflow's events)");
        if (!t.timer.empty()) {
            const auto* tm = timer(t.timer);
            if (tm == nullptr)
                problems.push_back(who + "unknown timer " + in_quotes(t.timer));
            else if (tm->kind != "deadline")
                problems.push_back(who + "timer " + in_quotes(t.timer) +
                                   " is an SLA: it raises a flag and cannot move the case");
            else if (started_timers.count(t.timer) == 0)
                problems.push_back(who + "timer " + in_quotes(t.timer) +
                                   " is never started, so the transition can never happen");
        }
        if (!t.guard.empty()) {
            if (!contains(guards, t.guard)) {
                problems.push_back(who + "unknown guard " + in_quotes(t.guard));
            } else if (check_params) {
                if (const auto* g = workflow_vocabulary::standard().guard(t.guard))
                    for (const auto& p : g->parameters)
                        if (!contains(parameters, p))
                            problems.push_back(who + "guard " + in_quotes(t.guard) +
                                               " needs parameter " + in_quotes(p) +
                                               ", which the ruleset does not define");
            }
        }
        for (const auto& e : t.effects) {
            const auto* kind = workflow_vocabulary::standard().effect(e.kind);
            if (kind == nullptr) {
                problems.push_back(who + "unknown effect " + in_quotes(e.kind));
                continue;
            }
            switch (kind->arg) {
                case effect_arg::timer:
                    if (timer(e.arg) == nullptr)
                        problems.push_back(who + e.kind + " names unknown timer " +
                                           in_quotes(e.arg));
                    break;
                case effect_arg::code:
                    if (e.arg.empty()) problems.push_back(who + e.kind + " needs a code, not true");
                    break;
                case effect_arg::parameter:
                    if (e.arg.empty())
                        problems.push_back(who + e.kind + " needs a parameter name, not true");
                    else if (check_params && !contains(parameters, e.arg))
                        problems.push_back(who + e.kind + " names unknown parameter " +
                                           in_quotes(e.arg));
                    break;
                case effect_arg::flag:
                    if (!e.arg.empty())
                        problems.push_back(who + e.kind + " takes true, not " + in_quotes(e.arg));
                    break;
            }
        }
    }

    if (check_params)
        for (const auto& [name, tm] : w.timers)
            for (const auto* p : {&tm.working_days_param, &tm.months_param, &tm.days_param})
                if (!p->empty() && !contains(parameters, *p))
                    problems.push_back("timer " + in_quotes(name) + ": unknown parameter " +
                                       in_quotes(*p));

    for (const auto& e : w.events)
        if (used_events.count(e) == 0)
            problems.push_back("event " + in_quotes(e) + " is declared but no transition uses it");

    // Nondeterminism: two transitions leaving one state on one event (or timer) whose guards do
    // not exclude each other. Reported once per pair, naming every state they share.
    std::map<std::pair<std::size_t, std::size_t>, std::vector<std::string>> clashes;
    for (const auto v : boost::make_iterator_range(boost::vertices(g))) {
        std::vector<std::size_t> out_ts;
        for (const auto e : boost::make_iterator_range(boost::out_edges(v, g)))
            out_ts.push_back(g[e].transition);
        for (std::size_t i = 0; i < out_ts.size(); ++i)
            for (std::size_t k = i + 1; k < out_ts.size(); ++k) {
                const auto& a = w.transitions[out_ts[i]];
                const auto& b = w.transitions[out_ts[k]];
                if (a.event != b.event || a.timer != b.timer) continue;
                if (workflow_vocabulary::standard().exclusive(a.guard, b.guard)) continue;
                clashes[std::minmax(out_ts[i], out_ts[k])].push_back(g[v].name);
            }
    }
    for (const auto& [pair, where] : clashes) {
        const auto& a = w.transitions[pair.first];
        const auto& b = w.transitions[pair.second];
        std::string states;
        for (const auto& s : where)
            states += (states.empty() ? "" : ", ") + in_quotes(s);
        const auto guard = [](const std::string& s) {
            return s.empty() ? std::string("no guard") : "guard " + in_quotes(s);
        };
        problems.push_back(
            "transitions " + in_quotes(a.id) + " and " + in_quotes(b.id) + " both leave " + states +
            " on " +
            (a.event.empty() ? "timer " + in_quotes(a.timer) : "event " + in_quotes(a.event)) +
            " (" + guard(a.guard) + ", " + guard(b.guard) +
            "): nondeterministic, the guards do not tell them apart");
    }

    if (has_state("whitelisted"))
        out.shortest_to_whitelisted = shortest_path(w.initial, "whitelisted");
    return out;
}

std::vector<std::string> workflow::parameters_used() const {
    std::set<std::string> out;
    for (const auto& [name, t] : timers())
        for (const auto* p : {&t.working_days_param, &t.months_param, &t.days_param})
            if (!p->empty()) out.insert(*p);
    for (const auto& t : transitions()) {
        const auto& vocabulary = workflow_vocabulary::standard();
        if (const auto* g = vocabulary.guard(t.guard))
            out.insert(g->parameters.begin(), g->parameters.end());
        for (const auto& e : t.effects) {
            const auto* k = vocabulary.effect(e.kind);
            if (k != nullptr && k->arg == effect_arg::parameter && !e.arg.empty())
                out.insert(e.arg);
        }
    }
    return {out.begin(), out.end()};
}

}  // namespace telecomply
