// `telecomply case durations` and `telecomply case forecast`: how long cases stay in each state
// and when an open case is likely to be decided (docs/workflow.md, "Time to a decision:
// durations and forecasts").

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/forecast.hpp"
#include "telecomply/cases/time_in_state.hpp"
#include "telecomply/rules/engine.hpp"

namespace telecomply::cli {

namespace {

struct time_args {
    std::string store = "cases.db";
    std::string id;
    std::string region;
    std::string now;
    std::string format = "text";
    std::size_t min_similar = forecast_options{}.min_similar;
};

// "3", "3.5", "-": a working-day figure in a table.
std::string figure(const std::optional<double>& x) {
    if (!x) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *x);
    std::string s = buf;
    while (s.back() == '0')
        s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
    if (s.size() >= width) return s + " ";
    const std::string fill(width - s.size(), ' ');
    return (right ? fill + s : s + fill) + " ";
}

// A table's line without the padding after its last column.
void line(std::string text) {
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    std::cout << text << "\n";
}

// The day the report is for: --as-of, else the store's clock's today.
date report_day(const common& c, const time_args& a) {
    if (const auto d = c.as_of_date()) return *d;
    const store_clock clock =
        a.now.empty() ? store_clock::from_environment() : store_clock::fixed(a.now);
    return clock.today();
}

void require_store(const std::string& store) {
    std::error_code ec;
    if (!std::filesystem::exists(store, ec))
        throw not_found_error("no case store '" + store + "' (`telecomply case new` creates one)");
}

void print_durations(const durations_report& r) {
    std::cout << "Time in state as of " << r.as_of.to_string()
              << (r.region ? " in " + *r.region : std::string())
              << " (working days on each region's calendar; median and p90 of closed visits)\n";
    line(pad("region", 7) + pad("state", 22) + pad("visits", 7, true) + pad("open", 5, true) +
         pad("median", 7, true) + pad("p90", 7, true) + pad("max", 5, true));
    for (const auto& s : r.states)
        line(pad(s.region, 7) + pad(s.state, 22) + pad(std::to_string(s.visits), 7, true) +
             pad(std::to_string(s.open), 5, true) + pad(figure(s.median), 7, true) +
             pad(figure(s.p90), 7, true) + pad(s.max ? std::to_string(*s.max) : "-", 5, true));
    std::cout << "\nTimers (cases): breached = a run passed its last day\n";
    line(pad("region", 7) + pad("timer", 22) + pad("kind", 9) + pad("breached", 9, true) +
         pad("on_time", 8, true) + pad("running", 8, true));
    for (const auto& t : r.timers)
        line(pad(t.region, 7) + pad(t.timer, 22) + pad(t.kind, 9) +
             pad(std::to_string(t.breached), 9, true) + pad(std::to_string(t.on_time), 8, true) +
             pad(std::to_string(t.running), 8, true));
    std::cout << "\nWhere cases wait (" << r.waiting.size() << " open case"
              << (r.waiting.size() == 1 ? "" : "s") << ")\n";
    for (const auto& w : r.waiting)
        std::cout << "  " << pad(w.region, 7) << pad(w.state, 22) << pad(w.case_id, 16) << "since "
                  << w.since.to_string() << "  "
                  << (w.working_days ? std::to_string(*w.working_days) : std::string("?"))
                  << " working days\n";
    if (!r.provisional_years.empty())
        std::cout << "PROVISIONAL: the counts cross " << year_list(r.provisional_years)
                  << ", whose calendar is not official yet\n";
}

int run_durations(const common& c, const time_args& a) {
    require_store(a.store);
    const date as_of = report_day(c, a);
    const case_manager manager(std::make_shared<const engine>(c.rulesets_dir()));
    auto store = case_store::open(a.store);
    const case_service service(store, manager);
    std::vector<std::string> skipped;
    const auto r = service.durations(
        as_of, a.region.empty() ? std::nullopt : std::optional<std::string>(a.region), &skipped);
    for (const auto& m : skipped)
        std::cerr << "telecomply: skipped: " << m << "\n";
    if (a.format == "json")
        std::cout << json_text(r.to_json(), 2) << "\n";
    else
        print_durations(r);
    return skipped.empty() ? exit_ok : exit_findings;
}

int run_forecast(const common& c, const time_args& a) {
    require_store(a.store);
    const date as_of = report_day(c, a);
    const case_manager manager(std::make_shared<const engine>(c.rulesets_dir()));
    auto store = case_store::open(a.store);
    const case_service service(store, manager);
    const auto f = service.forecast(a.id, as_of, forecast_options{a.min_similar});
    if (a.format == "json") {
        std::cout << json_text(f.to_json(), 2) << "\n";
        return exit_ok;
    }
    std::cout << "case " << f.case_id << "  " << f.region << "  " << f.state << " since "
              << f.in_state_since.to_string() << " (" << f.waited_working_days
              << (f.waited_working_days == 1 ? " working day" : " working days") << ")  as of "
              << f.as_of.to_string() << "\n";
    std::cout << "  likely    " << f.likely.to_string() << "\n";
    std::cout << "  earliest  " << f.earliest.to_string() << "\n";
    std::cout << "  latest    " << f.latest.to_string()
              << (f.bounded_by.empty() ? std::string() : "  (" + f.bounded_by + ")") << "\n";
    std::cout << "  basis     " << f.basis << ": " << (f.basis == "sla" ? "only " : "")
              << f.similar_cases << " similar case" << (f.similar_cases == 1 ? "" : "s")
              << (f.basis == "sla"           ? " (" + std::to_string(f.min_similar) + " needed)"
                  : f.scope == "all_regions" ? " in all regions"
                                             : " in " + f.region);
    if (f.p10)
        std::cout << "  (more working days: p10 " << figure(f.p10) << ", median "
                  << figure(f.median) << ", p90 " << figure(f.p90) << ")";
    std::cout << "\n";
    for (const auto& d : f.deadlines)
        std::cout << "  deadline  " << d.timer << " (" << d.kind << ")  " << d.due.to_string()
                  << (d.provisional ? "  PROVISIONAL" : "") << "\n";
    std::cout << "  " << f.explanation << "\n";
    return exit_ok;
}

}  // namespace

std::vector<command> add_case_time(CLI::App* cases, common& c) {
    auto a = std::make_shared<time_args>();
    const auto shared = [&c, a](CLI::App* sub) {
        add_rulesets_option(sub, c);
        sub->add_option("--store", a->store,
                        "the SQLite case store (default: cases.db; never created)");
        sub->add_option("--as-of", c.as_of,
                        "the day to report on, YYYY-MM-DD: events of later days are left out "
                        "(default: today on the store's clock)");
        sub->add_option("--format", a->format, "output format")
            ->check(CLI::IsMember({"text", "json"}));
        sub->add_option("--now", a->now,
                        "the store's clock, whose day is the default --as-of (RFC 3339 or "
                        "YYYY-MM-DD; default: TELECOMPLY_NOW, else the system clock)");
    };
    auto* dur = cases->add_subcommand(
        "durations",
        "time in state per region (visits, median and p90 in working days), timers breached "
        "and met, and where open cases wait");
    dur->add_option("--region", a->region, "only this region, e.g. CN-GD");
    shared(dur);
    auto* fc = cases->add_subcommand(
        "forecast",
        "when an open case is likely to be decided: from similar cases' history, bounded by its "
        "running SLA, or from the workflow's SLA when history is thin");
    fc->add_option("id", a->id, "case id")->required();
    fc->add_option("--min-similar", a->min_similar,
                   "the fewest similar cases a history needs to be the basis (default 5)")
        ->check(CLI::PositiveNumber);
    shared(fc);
    fc->footer(
        "Exit status: 0 forecast printed; 2 bad usage, no such store or case, or a case that "
        "awaits no decision (the message says when it was decided).");
    return {{dur, [&c, a] { return run_durations(c, *a); }},
            {fc, [&c, a] { return run_forecast(c, *a); }}};
}

}  // namespace telecomply::cli
