// What the case store knows across cases (docs/policy.md §7): the applicant's record by USCC,
// the stricter history, HISTORY_MISMATCH and NUMBER_ALREADY_REGISTERED, in create, submit and
// check, and the index behind them.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "service_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/store_facts.hpp"
#include "test_clock.hpp"

using namespace telecomply;
using nlohmann::json;
using testing::ev;
using testing::example;
using testing::manager;
using testing::raw_sql;
using testing::temp_db;

namespace {

struct fixture : testing::store_and_service {
    // gd-retail-eligible as `id`, taken through `steps` (event, day).
    void make(const std::string& id, std::initializer_list<std::pair<const char*, json>> steps,
              json app = example("gd-retail-eligible")) {
        app["id"] = id;
        service.create(app, ev("create", "2026-03-02"), id);
        const char* days[] = {"2026-03-16", "2026-03-17", "2026-03-18", "2026-03-20", "2026-03-21"};
        std::size_t i = 0;
        for (const auto& [type, data] : steps)
            service.apply(id, ev(type, days[std::min<std::size_t>(i++, 4)], data));
    }
};

json application(const std::string& id, const std::string& submitted_on) {
    json app = example("gd-retail-eligible");
    app["id"] = id;
    app["submitted_on"] = submitted_on;
    return app;
}

json another_applicant(json app) {
    app["applicant"]["uscc"] = "91441900MA5FWQ3N2N";
    app["materials"]["business_license"]["uscc"] = "91441900MA5FWQ3N2N";
    return app;
}

std::vector<std::string> labels(const verdict& v, std::optional<severity> level = std::nullopt) {
    std::vector<std::string> out;
    for (const auto& f : v.findings)
        if (!level || f.level == *level) out.push_back(f.label());
    return out;
}

bool has(const std::vector<std::string>& xs, const std::string& x) {
    return std::find(xs.begin(), xs.end(), x) != xs.end();
}

const std::initializer_list<std::pair<const char*, json>> k_barred = {
    {"submit", json::object()},
    {"accept", json::object()},
    {"find_false_information", json::object()}};

}  // namespace

TEST_CASE("store facts: a barred company applying again with a clean declared history is refused") {
    fixture f;
    f.make("A", k_barred);
    const auto barred = f.service.get("A");
    REQUIRE(barred.state == "barred");
    REQUIRE(barred.banned_until);
    const std::string ban = barred.banned_until->to_string();

    // the same USCC declaring no ban and no rejections (the fault)
    json again = application("B", "2026-04-01");
    again["applicant"]["history"] = {
        {"banned_until", nullptr}, {"rejections_12m", 0}, {"violations_24m", 0}};
    const auto facts = f.service.facts(again);
    REQUIRE(facts.record);
    CHECK(facts.record->banned_until == barred.banned_until);

    const verdict v = f.service.check(again);
    CHECK(v.outcome == decision::ineligible);
    CHECK(has(labels(v, severity::blocking), "HISTORY_MISMATCH[banned_until]"));
    CHECK(has(labels(v, severity::blocking), "REAPPLY_BANNED"));
    // without the store, the same application passes: the store is what knows
    CHECK(manager().rules().check(manager().rules().validate(again)).outcome == decision::eligible);

    // case new: refused, nothing written
    CHECK_THROWS_WITH_AS(f.service.create(again, ev("create", "2026-04-01"), "B"),
                         doctest::Contains("HISTORY_MISMATCH[banned_until]"), transition_refused);
    CHECK_FALSE(f.store.get("B").has_value());

    // declaring the ban honestly: no mismatch, but the ban itself refuses the submission
    json honest = again;
    honest["applicant"]["history"]["banned_until"] = ban;
    const verdict h = f.service.check(honest);
    CHECK_FALSE(has(labels(h), "HISTORY_MISMATCH[banned_until]"));
    CHECK(has(labels(h, severity::blocking), "REAPPLY_BANNED"));
    f.service.create(honest, ev("create", "2026-04-01"), "B");
    CHECK_THROWS_WITH_AS(f.service.apply("B", ev("submit", "2026-04-01")),
                         doctest::Contains("REAPPLY_BANNED"), transition_refused);

    // an application that declares no history is no longer unknown for the history rules,
    // and case new refuses it too (the ban comes from the store alone)
    json silent = again;
    silent["applicant"].erase("history");
    silent["id"] = "S";
    CHECK_THROWS_WITH_AS(f.service.create(silent, ev("create", "2026-04-01"), "S"),
                         doctest::Contains("REAPPLY_BANNED"), transition_refused);
    CHECK_FALSE(f.store.get("S").has_value());
    const verdict s = f.service.check(silent);
    CHECK(s.outcome == decision::ineligible);
    CHECK(has(labels(s), "REAPPLY_BANNED"));
    CHECK_FALSE(has(labels(s), "HISTORY_MISMATCH[banned_until]"));  // nothing was declared
    CHECK(std::none_of(s.unknowns.begin(), s.unknowns.end(),
                       [](const auto& u) { return u.rule_id().rfind("history.", 0) == 0; }));
    // a ban is known however long ago it was imposed (the record's windows are 12 and 24
    // months; a ban is not windowed)
    CHECK(f.service.facts(application("L", "2030-01-01")).record->banned_until ==
          barred.banned_until);
    // after the ban, the company may apply again
    CHECK_FALSE(
        has(labels(f.service.check(application("C", barred.banned_until->add_days(1).to_string()))),
            "REAPPLY_BANNED"));
}

TEST_CASE("store facts: submit judges what the store learnt after the case was created") {
    fixture f;
    f.make("A", {{"submit", json::object()}, {"accept", json::object()}});
    f.make("B", {});  // the same applicant, created while A is under review (numbers: a warning)
    f.service.apply("A", ev("find_false_information", "2026-03-18"));
    CHECK_THROWS_WITH_AS(f.service.apply("B", ev("submit", "2026-03-19")),
                         doctest::Contains("HISTORY_MISMATCH[banned_until]"), transition_refused);
    CHECK(f.service.get("B").state == "draft");
}

TEST_CASE("store facts: rejections in 12 months and violations in 24 months, before submission") {
    fixture f;
    f.make("R", {{"submit", json::object()},
                 {"accept", json::object()},
                 {"reject", {{"reasons", json::array({"DAILY_CALL_CAP_EXCEEDED"})}}}});
    f.make("S", {{"submit", json::object()},
                 {"accept", json::object()},
                 {"approve", json::object()},
                 {"compliance_check_failed", json::object()}});
    // R rejected 2026-03-18, S suspended 2026-03-20
    auto facts = f.service.facts(application("X", "2026-06-01"));
    REQUIRE(facts.record);
    CHECK(facts.record->rejections_12m == 1);
    CHECK(facts.record->violations_24m == 1);
    CHECK(facts.record->evidence.size() == 2);
    const verdict v = f.service.check(application("X", "2026-06-01"));  // declares 0 and 0
    CHECK(has(labels(v, severity::blocking), "HISTORY_MISMATCH[rejections_12m]"));
    CHECK(has(labels(v, severity::blocking), "HISTORY_MISMATCH[violations_24m]"));

    // the windows: a rejection on the day of submission is not before it; one 12 months and
    // a day earlier is outside
    CHECK(f.service.facts(application("X", "2026-03-18")).record->rejections_12m == 0);
    CHECK(f.service.facts(application("X", "2027-03-18")).record->rejections_12m == 1);
    CHECK(f.service.facts(application("X", "2027-03-19")).record->rejections_12m == 0);
    CHECK(f.service.facts(application("X", "2028-03-20")).record->violations_24m == 1);
    CHECK(f.service.facts(application("X", "2028-03-21")).record->violations_24m == 0);
    // a case's own history is not the applicant's record
    CHECK(f.service.facts(application("R", "2026-06-01"), "R").record->rejections_12m == 0);
    // another applicant's record is its own
    CHECK(
        f.service.facts(another_applicant(application("Y", "2026-06-01"))).record->rejections_12m ==
        0);
}

TEST_CASE("store facts: a number on another live case") {
    fixture f;
    f.make("W",
           {{"submit", json::object()}, {"accept", json::object()}, {"approve", json::object()}});
    f.make("D", {});  // a draft holds nothing
    json other = another_applicant(application("O", "2026-04-01"));
    other["numbers"] = json::array({{{"number", "+86 138 6675 1415"}, {"purpose", "安装预约"}}});
    const verdict v = f.service.check(other);
    CHECK(has(labels(v, severity::blocking), "NUMBER_ALREADY_REGISTERED[13866751415]"));
    CHECK(v.outcome == decision::ineligible);
    const auto facts = f.service.facts(other);
    REQUIRE(facts.registrations.size() == 1);  // W only: the draft D is not live
    CHECK(facts.registrations[0].case_id == "W");
    CHECK(facts.registrations[0].state == "whitelisted");
    CHECK_THROWS_WITH_AS(f.service.create(other, ev("create", "2026-04-01"), "O"),
                         doctest::Contains("NUMBER_ALREADY_REGISTERED[13866751415]"),
                         transition_refused);

    // the same applicant: a warning, one per number
    json same = application("P", "2026-04-01");
    const verdict w = f.service.check(same);
    CHECK(has(labels(w, severity::warning), "NUMBER_ALREADY_REGISTERED[13866751415]"));
    CHECK_FALSE(has(labels(w, severity::blocking), "NUMBER_ALREADY_REGISTERED[13866751415]"));
    const auto all = labels(w);
    CHECK(std::count(all.begin(), all.end(), "NUMBER_ALREADY_REGISTERED[13866751415]") == 1);
    // once W no longer holds it (suspended still does; revoked does not)
    f.service.apply("W", ev("compliance_check_failed", "2026-03-20"));
    CHECK(has(labels(f.service.check(other)), "NUMBER_ALREADY_REGISTERED[13866751415]"));
    f.service.apply("W", ev("revoke", "2026-03-21"));
    CHECK_FALSE(has(labels(f.service.check(other)), "NUMBER_ALREADY_REGISTERED[13866751415]"));
}

TEST_CASE("store facts: recorded with the event, so a replay judges the same; the index verifies") {
    fixture f;
    f.make("A", {{"submit", json::object()}, {"accept", json::object()}});
    const auto events = f.store.events("A");
    REQUIRE(events.size() == 3);
    CHECK(events[1].type == "submit");
    REQUIRE(events[1].outcome.contains("store_facts"));
    CHECK(store_facts::from_json(events[1].outcome["store_facts"]).to_json() ==
          events[1].outcome["store_facts"]);
    // another case of the applicant barred later does not change how A's submission replays
    f.make("B", k_barred);
    CHECK(f.service.verify().ok());

    SUBCASE("an index entry removed (a ban forgotten) is found by verify") {
        raw_sql(f.db.path(), "DELETE FROM state_entries WHERE state = 'barred';");
        auto store = case_store::open(f.db.path());
        case_service service{store, manager(), testing::test_clock()};
        const auto r = service.verify();
        CHECK_FALSE(r.ok());
        CHECK(std::any_of(r.replay.begin(), r.replay.end(), [](const std::string& m) {
            return m.find("case B: the store's index") != std::string::npos;
        }));
    }
    SUBCASE("the numbers' index or the applicant column edited is found by verify") {
        for (const char* edit :
             {"DELETE FROM case_numbers WHERE case_id = 'A';",
              "UPDATE case_numbers SET number = '13866751416' WHERE number = '13866751415' AND "
              "case_id = 'A';",
              "UPDATE cases SET uscc = '91330110MA28C4LU3D' WHERE id = 'A';",
              "UPDATE cases SET numbers = '[]' WHERE id = 'A';"}) {
            CAPTURE(edit);
            testing::temp_db copy;
            std::filesystem::copy_file(f.db.path(), copy.path());  // the file and its log
            std::filesystem::copy_file(f.db.path().string() + "-wal",
                                       copy.path().string() + "-wal");
            raw_sql(copy.path(), edit);
            auto store = case_store::open(copy.path());
            const auto r = store.verify_all();
            CHECK(std::any_of(r.problems.begin(), r.problems.end(), [](const auto& p) {
                return p.case_id == "A" &&
                       p.message.find("index of its applicant or numbers") != std::string::npos;
            }));
        }
    }
    SUBCASE("an entry or a number of a case that does not exist is found by verify") {
        raw_sql(f.db.path(),
                "INSERT INTO state_entries VALUES('91330110MA28C4LU3D', 'GHOST', 1, 'barred', "
                "'2026-03-18', '2027-03-18'); INSERT INTO case_numbers VALUES('13900001111', "
                "'PHANTOM');");
        const auto r = case_store::open(f.db.path()).verify_all();
        CHECK(std::any_of(r.problems.begin(), r.problems.end(),
                          [](const auto& p) { return p.case_id == "GHOST"; }));
        CHECK(std::any_of(r.problems.begin(), r.problems.end(),
                          [](const auto& p) { return p.case_id == "PHANTOM"; }));
    }
    SUBCASE("an index to rebuild (an upgraded store) is rebuilt from the histories") {
        raw_sql(f.db.path(),
                "DELETE FROM state_entries; UPDATE store_meta SET value = 'rebuild' "
                "WHERE key = 'facts';");
        auto store = case_store::open(f.db.path());
        CHECK_FALSE(store.state_entries_complete());
        CHECK_THROWS_AS((void)facts_for(store, application("C", "2026-04-01")), store_error);
        case_service service{store, manager(), testing::test_clock()};
        CHECK(service.facts(application("C", "2026-04-01")).record->banned_until.has_value());
        CHECK(store.state_entries_complete());
        CHECK(service.verify().ok());
    }
}

TEST_CASE("store facts: JSON round trip and malformed records") {
    store_facts f;
    f.record = applicant_record{"91440604MA52HK7W1K", *date::parse("2027-06-01"), 2, 1, {"x"}};
    f.registrations.push_back({"13866751415", "W", "whitelisted", false});
    CHECK(store_facts::from_json(f.to_json()).to_json() == f.to_json());
    CHECK_THROWS_AS(store_facts::from_json(json::object()), store_error);
    CHECK_THROWS_AS(store_facts::from_json(json{{"record", 1}, {"registrations", json::array()}}),
                    store_error);
    CHECK(is_live_state("suspended"));
    CHECK_FALSE(is_live_state("draft"));
    CHECK_FALSE(is_live_state("barred"));
}

TEST_CASE("store facts: two submissions at once with one number cannot both pass") {
    for (int round = 0; round < 10; ++round) {
        CAPTURE(round);
        fixture f;
        json a = application("A", "2026-03-16");
        a["numbers"] = json::array({{{"number", "13866751415"}, {"purpose", "安装预约"}}});
        json b = another_applicant(a);
        b["id"] = "B";
        b["numbers"][0]["number"] = "+86 138 6675 1415";
        f.service.create(a, ev("create", "2026-03-02"), "A");
        f.service.create(b, ev("create", "2026-03-02"), "B");
        // two writers, each its own connection, as two processes would be
        int passed = 0;
        std::mutex m;
        std::vector<std::thread> writers;
        for (const char* id : {"A", "B"})
            writers.emplace_back([&, id] {
                auto store = case_store::open(f.db.path());
                case_service service(store, manager(), testing::test_clock());
                try {
                    service.apply(id, ev("submit", "2026-03-16"));
                    const std::lock_guard lock(m);
                    ++passed;
                } catch (const transition_refused&) {
                }
            });
        for (auto& w : writers)
            w.join();
        CHECK(passed == 1);
        CHECK(f.service.verify().ok());
    }
}
