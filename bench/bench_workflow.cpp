// Throughput of the approval workflow (targets: workflow transitions in memory >= 5 M/s;
// durable case events into SQLite >= 20 k/s batched; measured: docs/performance.md):
//
//   bench_workflow [seconds_per_measure] [durable_single] [durable_batched]
//
// (a) the raw state machine: look up the transitions for (state, event) in a loaded workflow
//     with workflow::on_event() and move the state, over a realistic life of a case (a cycle of
//     19 events from draft to a final state, then the next case);
// (b) case_manager::apply in memory: events whose guards run no rules (accept, report_change,
//     complaint...), events whose guards run the rules (submit, approve), and the whole life;
// (c) durable case events through case_service into SQLite (WAL, synchronous=FULL): one event
//     per transaction, and 1000 per case_store::transaction; and, to show where that time goes,
//     case reads (row and snapshot parsed into a case_state) and snapshot serialisations.
// Prints one JSON line.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telecomply/base/clock.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace telecomply;
using clock_type = std::chrono::steady_clock;

constexpr int k_batch = 1000;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Runs `body(n)` (which does n operations) with growing n until it takes `seconds`; returns
// operations per second.
template <class F>
double rate(double seconds, F&& body) {
    std::int64_t n = 1000;
    for (;;) {
        const auto t0 = clock_type::now();
        body(n);
        const double s = seconds_since(t0);
        if (s >= seconds) return static_cast<double>(n) / s;
        n = s < seconds / 20 ? n * 10 : static_cast<std::int64_t>(n * (seconds * 1.2 / s));
    }
}

json read_json(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p.string() + ": cannot open");
    return json::parse(in);
}

case_event ev(std::string type, std::string at, json data = json::object()) {
    return case_event{std::move(type), "officer-7", std::move(at), std::move(data)};
}

// The life of a case as (state, event) steps: the workflow's first transition for each.
const std::vector<const char*> k_life = {"submit",
                                         "accept",
                                         "request_supplement",
                                         "supplement",
                                         "schedule_inspection",
                                         "inspection_passed",
                                         "approve",
                                         "complaint",
                                         "report_change",
                                         "change_accepted",
                                         "complaint",
                                         "report_change",
                                         "change_rejected",
                                         "compliance_check_failed",
                                         "reinstate",
                                         "submit_renewal",
                                         "approve_renewal",
                                         "compliance_check_failed",
                                         "revoke"};

void remove_db(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(p.string() + suffix, ec);
}

volatile std::size_t g_sink = 0;  // keeps the optimiser from dropping measured work

}  // namespace

int main(int argc, char** argv) try {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    const std::int64_t single = argc > 2 ? std::atoll(argv[2]) : 500;
    const std::int64_t batched = argc > 3 ? std::atoll(argv[3]) : 20'000;
    const fs::path rulesets{TELECOMPLY_RULESETS_DIR};
    const fs::path examples = rulesets.parent_path() / "examples" / "applications";

    // ---- (a) the raw state machine
    const workflow wf = workflow::load(rulesets / "workflow", "CN-GD");
    {  // the cycle must be a real path through the workflow, ending in a final state
        std::string s = wf.initial();
        for (const char* e : k_life) {
            const auto ts = wf.on_event(s, e);
            if (ts.empty()) throw std::runtime_error(std::string("not a path at ") + e);
            s = ts.front()->to;
        }
        if (!wf.is_final(s)) throw std::runtime_error("the benchmark's life does not end");
    }
    const double transitions_rate = rate(seconds, [&](std::int64_t n) {
        std::string_view s = wf.initial();
        std::size_t k = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto ts = wf.on_event(s, k_life[k]);
            s = ts.front()->to;  // the first transition: what an unguarded machine takes
            if (++k == k_life.size()) {
                k = 0;
                s = wf.initial();  // the next case
            }
        }
        g_sink = g_sink + s.size();
    });

    // ---- (b) case_manager::apply in memory
    const auto eng = std::make_shared<const engine>(rulesets);
    const case_manager manager(eng);
    const json app = read_json(examples / "gd-retail-eligible.json");  // CN-GD, 11 numbers
    const case_state draft = manager.create(app);
    const case_state submitted = manager.apply(draft, ev("submit", "2026-03-16")).after;
    const case_state review = manager.apply(submitted, ev("accept", "2026-03-17")).after;
    const case_state whitelisted = manager.apply(review, ev("approve", "2026-03-18")).after;

    // without rule-running guards: whitelisted -> change_pending -> whitelisted -> suspended
    // -> whitelisted, and accept
    const std::vector<std::pair<case_event, const case_state*>> plain = {
        {ev("report_change", "2026-04-01", {{"changed_on", "2026-03-31"}}), &whitelisted},
        {ev("accept", "2026-03-17"), &submitted},
        {ev("complaint", "2026-04-01", {{"number", "13866751415"}}), &whitelisted},
        {ev("compliance_check_failed", "2026-04-01"), &whitelisted},
        {ev("schedule_inspection", "2026-03-18"), &review},
    };
    const double plain_rate = rate(seconds, [&](std::int64_t n) {
        std::size_t k = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto r = manager.apply(*plain[k].second, plain[k].first);
            g_sink = g_sink + static_cast<std::size_t>(r.after.version);
            if (++k == plain.size()) k = 0;
        }
    });
    // with rule-running guards: submit (intake rules) and approve (all rules, obligations)
    const std::vector<std::pair<case_event, const case_state*>> guarded = {
        {ev("submit", "2026-03-16"), &draft},
        {ev("approve", "2026-03-18"), &review},
    };
    const double guarded_rate = rate(seconds, [&](std::int64_t n) {
        std::size_t k = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto r = manager.apply(*guarded[k].second, guarded[k].first);
            g_sink = g_sink + static_cast<std::size_t>(r.after.version);
            if (++k == guarded.size()) k = 0;
        }
    });
    // a whole life, event after event (2 of its 19 events run the rules)
    const json items = {{"items", json::array({"tax_registration"})}};
    const json patch = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};
    const std::vector<case_event> life = {
        ev("submit", "2026-03-16"),
        ev("accept", "2026-03-17"),
        ev("request_supplement", "2026-03-18", items),
        ev("supplement", "2026-03-20", patch),
        ev("schedule_inspection", "2026-03-23"),
        ev("inspection_passed", "2026-03-24"),
        ev("approve", "2026-03-25"),
        ev("complaint", "2026-04-01", {{"number", "13866751415"}}),
        ev("report_change", "2026-04-02", {{"changed_on", "2026-04-01"}}),
        ev("change_accepted", "2026-04-03"),
        ev("complaint", "2026-04-07", {{"number", "13985106886"}}),
        ev("report_change", "2026-04-08", {{"changed_on", "2026-04-07"}}),
        ev("change_rejected", "2026-04-09"),
        ev("compliance_check_failed", "2026-05-06"),
        ev("reinstate", "2026-05-07"),
        ev("submit_renewal", "2027-03-01"),
        ev("approve_renewal", "2027-03-10"),
        ev("compliance_check_failed", "2027-04-01"),
        ev("revoke", "2027-04-02"),
    };
    const double life_rate = rate(seconds, [&](std::int64_t n) {
        case_state s = draft;
        std::size_t k = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            s = manager.apply(s, life[k]).after;
            if (++k == life.size()) {
                k = 0;
                s = draft;
            }
        }
        g_sink = g_sink + static_cast<std::size_t>(s.version);
    });

    // ---- (c) durable case events through case_service
    const fs::path file = fs::temp_directory_path() /
                          ("telecomply-bench-workflow-" + std::to_string(::getpid()) + ".db");
    remove_db(file);
    double single_rate = 0, batched_rate = 0, read_rate = 0, write_rate = 0;
    {
        auto store = case_store::open(file);
        case_service service(store, manager, store_clock::fixed("2040-01-01"));
        constexpr int k_cases = 10;
        for (int c = 0; c < k_cases; ++c) {
            const std::string id = "C" + std::to_string(c);
            // numbers of its own: the same numbers on ten live cases would each be reported
            // (NUMBER_ALREADY_REGISTERED), which is not the workload measured here
            json own = app;
            for (std::size_t k = 0; k < own["numbers"].size(); ++k)
                own["numbers"][k]["number"] =
                    "1380013" + std::to_string(1000 + c * 100 + static_cast<int>(k));
            service.create(own, ev("create", "2026-03-02"), id);
            service.apply(id, ev("submit", "2026-03-16"));
            service.apply(id, ev("accept", "2026-03-17"));
            service.apply(id, ev("approve", "2026-03-18"));
        }
        // whitelisted -> change_pending -> whitelisted -> suspended -> whitelisted, round robin
        // over the cases: four events that run no rules (a rejected change: accepting one
        // judges the changed application by the rules), each read and appended with its
        // snapshot (the application included) and hash
        const std::vector<case_event> cycle = {
            ev("report_change", "2026-04-02", {{"changed_on", "2026-04-01"}}),
            ev("change_rejected", "2026-04-03"),
            ev("compliance_check_failed", "2026-04-07"),
            ev("reinstate", "2026-04-08"),
        };
        std::int64_t done = 0;
        // events are recorded in time order: one second apart, from 2026-04-02 on
        const auto t_base = std::chrono::system_clock::time_point{std::chrono::seconds{1775059200}};
        auto next_event = [&] {
            const std::int64_t round = done / k_cases;
            const std::string id = "C" + std::to_string(done % k_cases);
            case_event e = cycle[static_cast<std::size_t>(round % 4)];
            e.at = to_rfc3339_cst(t_base + std::chrono::seconds{done});
            service.apply(id, e);
            ++done;
        };
        auto t0 = clock_type::now();
        for (std::int64_t i = 0; i < single; ++i)
            next_event();
        single_rate = static_cast<double>(single) / seconds_since(t0);
        // finish the round so that every case is whitelisted again
        while (done % (4 * k_cases) != 0)
            next_event();

        t0 = clock_type::now();
        for (std::int64_t i = 0; i < batched;) {
            auto tx = store.begin();
            for (int j = 0; j < k_batch && i < batched; ++j, ++i)
                next_event();
            tx.commit();
        }
        batched_rate = static_cast<double>(batched) / seconds_since(t0);

        // where an event's time goes besides SQLite: reading the case (the snapshot's JSON
        // text parsed into a case_state) and writing it (the case as JSON, then as text)
        read_rate = rate(seconds, [&](std::int64_t n) {
            for (std::int64_t i = 0; i < n; ++i)
                g_sink = g_sink + static_cast<std::size_t>(service.get("C0").version);
        });
        const case_state c0 = service.get("C0");
        write_rate = rate(seconds, [&](std::int64_t n) {
            for (std::int64_t i = 0; i < n; ++i)
                g_sink = g_sink + c0.to_json().dump().size();
        });
        const auto report = store.verify_all();
        if (!report.ok()) throw std::runtime_error("the store does not verify");
        for (const auto& id : store.case_ids())
            if (!service.check_replay(id).empty())
                throw std::runtime_error("case " + id + " does not replay");
    }
    remove_db(file);

    const json out = {
        {"bench", "workflow"},
        {"workflow_transitions_per_s", static_cast<std::int64_t>(transitions_rate)},
        {"apply_per_s_without_rule_guards", static_cast<std::int64_t>(plain_rate)},
        {"apply_per_s_with_rule_guards", static_cast<std::int64_t>(guarded_rate)},
        {"apply_per_s_whole_life", static_cast<std::int64_t>(life_rate)},
        {"durable_events_per_s_one_per_transaction", static_cast<std::int64_t>(single_rate)},
        {"durable_events_per_s_batched_1000", static_cast<std::int64_t>(batched_rate)},
        {"durable_events", {{"single", single}, {"batched", batched}}},
        {"case_reads_per_s", static_cast<std::int64_t>(read_rate)},
        {"case_snapshots_serialised_per_s", static_cast<std::int64_t>(write_rate)},
    };
    std::printf("%s\n", out.dump().c_str());
    return g_sink == 42 ? 1 : 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_workflow: %s\n", e.what());
    return 1;
}
