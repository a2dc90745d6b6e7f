// What the command line and the Python package both need, done once in the library (issue 9,
// "faces stay thin"): the time now in China Standard Time, reading input files, JSON text and
// JSON Lines, checking batches on threads, finding labels, verify plus replay, stored events as
// JSON, and timestamp/duration parts.

#include <doctest/doctest.h>

#include "store_testing.hpp"
#include "test_clock.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rules/batch.hpp"
#include "telecomply/base/clock.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/expr/time_parts.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path rulesets_dir{TELECOMPLY_RULESETS_DIR};
const fs::path examples_dir = rulesets_dir.parent_path() / "examples" / "applications";

const std::shared_ptr<const engine>& shared_engine() {
    static const auto e = std::make_shared<const engine>(rulesets_dir);
    return e;
}

std::string example_text(const std::string& name) {
    return read_input_file(examples_dir / (name + ".json"));
}

// One line of JSON text (JSON Lines hold one application per line).
std::string one_line(const std::string& text) {
    return json::parse(text).dump();
}

}  // namespace

// ------------------------------------------------------------------ clock

TEST_CASE("clock: RFC 3339 in China Standard Time, to the second") {
    using namespace std::chrono;
    // 2009-02-13T23:31:30Z is 2009-02-14 07:31:30 in Beijing
    const system_clock::time_point t{seconds{1234567890}};
    CHECK(to_rfc3339_cst(t) == "2009-02-14T07:31:30+08:00");
    CHECK(to_rfc3339_cst(t + milliseconds{999}) == "2009-02-14T07:31:30+08:00");
    // the day turns at 16:00 UTC
    const system_clock::time_point eve = sys_days{year{2025} / 12 / 31} + hours{16};
    CHECK(to_rfc3339_cst(eve - seconds{1}) == "2025-12-31T23:59:59+08:00");
    CHECK(to_rfc3339_cst(eve) == "2026-01-01T00:00:00+08:00");
    CHECK(to_rfc3339_cst(system_clock::time_point{}) == "1970-01-01T08:00:00+08:00");
    // before 1970 too
    CHECK(to_rfc3339_cst(system_clock::time_point{seconds{-1}}) == "1970-01-01T07:59:59+08:00");

    const auto before = to_rfc3339_cst(system_clock::now());
    const auto now = now_cst();
    const auto after = to_rfc3339_cst(system_clock::now());
    CHECK(now.size() == 25);
    CHECK(before <= now);
    CHECK(now <= after);
    CHECK(case_manager::event_date(now) == case_manager::event_date(before.substr(0, 10)));
}

// ------------------------------------------------------------------ input

TEST_CASE("input: read_input_file and parse_input_json name the file and the line") {
    const auto text = example_text("gd-retail-eligible");
    CHECK(parse_input_json(text, "app.json")["id"] == "GD-2026-0412");

    try {
        (void)read_input_file(examples_dir / "does-not-exist.json");
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(e.file() == (examples_dir / "does-not-exist.json").string());
        CHECK(e.line() == 0);
        CHECK(e.message() == "no such file");  // as `check` says it, every reader the same
    }
    try {
        (void)parse_input_json("{\n  \"a\": 1,\n  oops\n}", "x.json", 10);
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(e.file() == "x.json");
        CHECK(e.line() == 12);  // the third line of a text starting on line 10
        CHECK(std::string(e.message()).starts_with("invalid JSON: "));
    }
}

TEST_CASE("input: jsonl_reader skips blank lines and keeps the file's line numbers") {
    std::istringstream in("{\"a\":1}\n\n   \t\r\n{\"b\":2}\r\n  {\"c\":3}");
    jsonl_reader r(in);
    auto l = r.next();
    REQUIRE(l);
    CHECK(l->number == 1);
    CHECK(l->text == "{\"a\":1}");
    l = r.next();
    REQUIRE(l);
    CHECK(l->number == 4);
    CHECK(l->text == "{\"b\":2}\r");
    l = r.next();
    REQUIRE(l);
    CHECK(l->number == 5);
    CHECK(l->text == "  {\"c\":3}");
    CHECK(!r.next());
    CHECK(r.lines_read() == 5);

    std::istringstream empty("");
    jsonl_reader none(empty);
    CHECK(!none.next());
    CHECK(none.lines_read() == 0);
}

TEST_CASE("engine::parse_jsonl: a document or an input error per line, in order") {
    const engine& e = *shared_engine();
    const std::string good = one_line(example_text("gd-retail-eligible"));
    std::istringstream in(good + "\n\n{broken\n" + R"({"id": "X"})" + "\n" + good + "\n");
    std::vector<std::uint32_t> lines;
    std::vector<std::string> what;
    const auto n = e.parse_jsonl(in, "batch.jsonl", [&](std::uint32_t line, engine::parsed&& p) {
        lines.push_back(line);
        if (const auto* err = std::get_if<input_error>(&p)) {
            CHECK(err->file() == "batch.jsonl");
            CHECK(err->line() == line);
            what.push_back("error");
        } else {
            CHECK(e.check(std::get<document>(p)).outcome == decision::eligible);
            what.push_back("document");
        }
    });
    CHECK(n == 4);
    CHECK(lines == std::vector<std::uint32_t>{1, 3, 4, 5});
    CHECK(what == std::vector<std::string>{"document", "error", "error", "document"});
}

// ------------------------------------------------------------------ batches

TEST_CASE("batch: parallel_for calls every index once, on at most the threads asked") {
    using detail::batch_threads;
    CHECK(batch_threads(4, 10) == 4);
    CHECK(batch_threads(4, 2) == 2);
    CHECK(batch_threads(4, 0) == 1);
    CHECK(batch_threads(1, 1000) == 1);
    CHECK(batch_threads(0, 1000) >= 1);

    for (const unsigned threads : {0u, 1u, 3u, 16u}) {
        std::vector<std::atomic<int>> calls(101);
        std::mutex m;
        std::set<std::thread::id> ids;
        detail::parallel_for(calls.size(), threads, [&](std::size_t i) {
            ++calls[i];
            std::lock_guard lock(m);
            ids.insert(std::this_thread::get_id());
        });
        for (const auto& c : calls)
            CHECK(c == 1);
        CHECK(ids.size() <= batch_threads(threads, calls.size()));
    }
    // one thread: in order, on the calling thread
    std::vector<std::size_t> order;
    const auto caller = std::this_thread::get_id();
    detail::parallel_for(5, 1, [&](std::size_t i) {
        CHECK(std::this_thread::get_id() == caller);
        order.push_back(i);
    });
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
}

TEST_CASE("batch: a failure does not stop the others; the lowest index's error is rethrown") {
    for (const unsigned threads : {1u, 4u}) {
        std::vector<std::atomic<int>> calls(40);
        try {
            detail::parallel_for(calls.size(), threads, [&](std::size_t i) {
                ++calls[i];
                if (i == 7 || i == 30) throw std::runtime_error("item " + std::to_string(i));
                if (i == 13) throw usage_error("item 13");
            });
            FAIL("no error");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "item 7");
        }
        for (const auto& c : calls)
            CHECK(c == 1);
    }
}

TEST_CASE("engine::check_many: verdicts in input order; texts and documents; errors by index") {
    const engine& e = *shared_engine();
    const std::vector<std::string> names = {"gd-retail-eligible", "gd-new-company-ineligible",
                                            "sh-education-history-missing-needs-evidence"};
    std::vector<engine::batch_item> items;
    for (int round = 0; round < 20; ++round)
        for (const auto& n : names) {
            const auto text = example_text(n);
            if (round % 2 == 0)
                items.emplace_back(text);
            else
                items.emplace_back(document::parse(text));
        }
    for (const unsigned threads : {1u, 4u}) {
        const auto verdicts = e.check_many(items, {}, threads);
        REQUIRE(verdicts.size() == items.size());
        for (std::size_t i = 0; i < verdicts.size(); ++i) {
            const auto want = i % 3 == 0   ? decision::eligible
                              : i % 3 == 1 ? decision::ineligible
                                           : decision::needs_evidence;
            CHECK(verdicts[i].outcome == want);
        }
    }
    CHECK(e.check_many({}, {}, 4).empty());

    // the first failing item's error, with its type and its name
    items.emplace(items.begin() + 5, std::string("{\"id\": \"X\"}"));
    items.emplace(items.begin() + 2, document::parse(R"({"id": "Y"})"));
    try {
        (void)e.check_many(items, {}, 4, true, "apps");
        FAIL("no error");
    } catch (const input_error& err) {
        CHECK(err.file() == "apps[2]");
    }
    // a document not validated: check() finds no region
    std::vector<engine::batch_item> unvalidated;
    unvalidated.emplace_back(document::parse(R"({"id": "Y"})"));
    try {
        (void)e.check_many(unvalidated, {}, 1, false);
        FAIL("no error");
    } catch (const input_error& err) {
        CHECK(err.json_path() == "$.region");
    }
}

// ------------------------------------------------------------------ labels

TEST_CASE("verdict: findings and unknowns as CODE or CODE[subject]") {
    const engine& e = *shared_engine();
    const verdict v = e.check_json(example_text("gd-new-company-ineligible"));
    REQUIRE(!v.findings.empty());
    for (const auto& f : v.findings)
        CHECK(f.label() == (f.subject.empty() ? f.code() : f.code() + "[" + f.subject + "]"));
    finding with_subject = v.findings.front();
    with_subject.subject = "13800000000";
    CHECK(with_subject.label() == with_subject.code() + "[13800000000]");

    const verdict u = e.check_json(example_text("sh-education-history-missing-needs-evidence"));
    REQUIRE(!u.unknowns.empty());
    for (const auto& x : u.unknowns) {
        const std::string code = x.source && !x.source->code.empty() ? x.source->code : x.rule_id();
        CHECK(x.label() == (x.subject.empty() ? code : code + "[" + x.subject + "]"));
    }
    // what verdict_change lists
    const auto change = compare(u, v);
    CHECK(!change.added.empty());
    for (const auto& k : change.added)
        CHECK(std::any_of(v.findings.begin(), v.findings.end(),
                          [&](const finding& f) { return f.label() == k; }));
}

// ------------------------------------------------------------------ cases

TEST_CASE("case_service::verify: the chains, then replay; stored events as JSON") {
    testing::temp_db db;
    case_store store = case_store::open(db.path());
    const case_manager manager(shared_engine());
    case_service service(store, manager, testing::test_clock());
    const auto app = json::parse(example_text("gd-retail-eligible"));
    service.create(app, case_event{"create", "officer-7", "2026-03-02", json::object()}, "A");
    service.create(app, case_event{"create", "officer-7", "2026-03-02", json::object()}, "B");
    service.apply("A", case_event{"submit", "officer-7", "2026-03-16", json::object()});

    auto r = service.verify();
    CHECK(r.ok());
    CHECK(r.chains.cases == 2);
    CHECK(r.chains.events == 3);
    CHECK(r.replay.empty());
    r = service.verify("A");
    CHECK(r.ok());
    CHECK(r.chains.cases == 1);
    CHECK(r.chains.events == 2);
    CHECK_THROWS_AS((void)service.verify("nope"), not_found_error);

    SUBCASE("events as JSON") {
        const auto events = store.events("A");
        REQUIRE(events.size() == 2);
        const json j = events[1];
        CHECK(j.size() == 11);
        CHECK(j["snapshot_digest"] == events[1].snapshot_digest);
        CHECK(j["seq"] == 2);
        CHECK(j["type"] == "submit");
        CHECK(j["actor"] == "officer-7");
        CHECK(j["at"] == "2026-03-16");
        CHECK(j["payload"] == events[1].payload);
        CHECK(j["verdict"] == events[1].verdict);
        CHECK(j["ruleset_digest"] == events[1].ruleset_digest);
        CHECK(j["outcome"] == events[1].outcome);
        CHECK(j["prev_hash"] == events[0].hash);
        CHECK(j["hash"] == events[1].hash);
        CHECK(!j.contains("case_id"));
        // ordered_json keeps the documented order
        const nlohmann::ordered_json o = events[1];
        std::vector<std::string> keys;
        for (const auto& [k, v] : o.items())
            keys.push_back(k);
        CHECK(keys == std::vector<std::string>{"seq", "type", "actor", "at", "payload", "verdict",
                                               "ruleset_digest", "outcome", "snapshot_digest",
                                               "prev_hash", "hash"});
        CHECK(json::parse(o.dump()) == j);
        const json all = events;  // a vector of events: a JSON array
        REQUIRE(all.is_array());
        CHECK(all[1] == j);
    }
    SUBCASE("a snapshot edited: the chain check finds it (its last event recorded another)") {
        testing::raw_sql(db.path(),
                         "UPDATE cases SET snapshot = json_set(snapshot, '$.state', 'approved') "
                         "WHERE id = 'B';");
        r = service.verify();
        CHECK(!r.ok());
        REQUIRE(r.chains.problems.size() == 2);  // the digest, and the state column
        CHECK(r.chains.problems[0].case_id == "B");
        CHECK(service.verify("A").ok());
    }
    SUBCASE("an event edited: chain problems, no replay tried") {
        testing::raw_sql(db.path(),
                         "UPDATE events SET actor = 'someone' WHERE case_id = 'A' AND seq = 2;");
        r = service.verify();
        CHECK(!r.ok());
        REQUIRE(!r.chains.problems.empty());
        CHECK(r.chains.problems[0].case_id == "A");
        CHECK(r.chains.problems[0].seq == 2);
        CHECK(r.replay.empty());
        CHECK(service.verify("B").ok());
    }
}

// ------------------------------------------------------------------ time parts

TEST_CASE("time parts: durations and timestamps normalised from parts of any sign") {
    auto d = normalized_duration(1, -1);
    REQUIRE(d);
    CHECK(d->seconds == 0);
    CHECK(d->nanos == 999999999);
    d = normalized_duration(-1, 1);
    REQUIRE(d);
    CHECK(d->seconds == 0);
    CHECK(d->nanos == -999999999);
    d = normalized_duration(0, 2500000000);
    REQUIRE(d);
    CHECK(d->seconds == 2);
    CHECK(d->nanos == 500000000);
    d = normalized_duration(-86400, 5000);  // timedelta(seconds=-1, microseconds=5) per day
    REQUIRE(d);
    CHECK(d->seconds == -86399);
    CHECK(d->nanos == -999995000);
    CHECK(!normalized_duration(INT64_MAX, 1000000000));

    auto t = normalized_timestamp(0, -1);
    REQUIRE(t);
    CHECK(t->seconds == -1);
    CHECK(t->nanos == 999999999);
    t = normalized_timestamp(10, 1500000000);
    REQUIRE(t);
    CHECK(t->seconds == 11);
    CHECK(t->nanos == 500000000);
    CHECK(!normalized_timestamp(INT64_MIN, -1));
}
