// A case is judged by the rules it pinned (docs/policy.md §8): the store keeps their content by
// digest; an edited or closed version in the catalogue is drift, never tampering.

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "scratch_dir.hpp"
#include "store_testing.hpp"
#include "telecomply/cases/cases.hpp"
#include "test_clock.hpp"

using namespace telecomply;
using nlohmann::json;
using testing::ev;
using testing::example;

namespace {

json read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return json::parse(in);
}
void write(const std::filesystem::path& p, const json& j) {
    std::ofstream(p) << j.dump(2);
}

// A Guangdong case accepted under the rules of `dir`, in the store at `db`.
std::string accepted_case(const std::filesystem::path& dir, const std::filesystem::path& db) {
    const case_manager m(std::make_shared<const engine>(dir));
    auto store = case_store::open(db);
    case_service svc(store, m, testing::test_clock());
    const auto id = svc.create(example("gd-retail-eligible"), ev("create", "2026-03-16")).id;
    (void)svc.apply(id, ev("submit", "2026-03-16"));
    (void)svc.apply(id, ev("accept", "2026-03-17"));
    return id;
}

// Makes the store at `db` look as a store written before contents were kept (schema 2): its
// events carry no snapshot digests (their chain recomputed without them) and no pinned content
// is kept.
void as_before_contents_were_kept(const std::filesystem::path& db, const std::string& id) {
    std::vector<stored_event> events;
    {
        auto store = case_store::open(db);
        events = store.events(id);
    }
    std::string sql = "DELETE FROM pinned_rulesets;";  // raw_sql drops the triggers
    std::string prev(64, '0');
    for (auto& e : events) {
        e.snapshot_digest.clear();
        e.prev_hash = prev;
        e.hash = event_hash(e);
        prev = e.hash;
        sql += "UPDATE events SET snapshot_digest = NULL, prev_hash = '" + e.prev_hash +
               "', hash = '" + e.hash + "' WHERE case_id = '" + id +
               "' AND seq = " + std::to_string(e.seq) + ";";
    }
    sql += "UPDATE cases SET last_hash = '" + prev + "' WHERE id = '" + id + "';";
    testing::raw_sql(db, sql);
}

// Edits CN-GD/2026.1.json of a rulesets folder in place.
template <class F>
void edit_gd(const std::filesystem::path& rules, F&& change) {
    const auto file = rules / "CN-GD" / "2026.1.json";
    auto gd = read(file);
    change(gd);
    write(file, gd);
}

// The store opened again with the rules of a folder as they are now (a new process).
struct reopened {
    case_manager m;
    case_store store;
    case_service svc;
    reopened(const std::filesystem::path& rules, const std::filesystem::path& db)
        : m(std::make_shared<const engine>(rules)),
          store(case_store::open(db)),
          svc(store, m, testing::test_clock()) {}
};

}  // namespace

TEST_CASE("pinned rules: an edited version judges no existing case, and is drift (issue 10)") {
    testing::scratch_dir rules(testing::rulesets_dir());
    testing::temp_db db;
    const auto id = accepted_case(rules.path, db.path());
    std::string pinned;
    {
        auto store = case_store::open(db.path());
        pinned = store.events(id).front().ruleset_digest;
        REQUIRE(store.get_pinned(pinned));
    }
    // the file is edited in place: under it, the company would be too new to approve
    edit_gd(rules.path, [](json& gd) { gd["parameters"]["min_company_age_days"] = 99999; });

    reopened opened(rules.path, db.path());
    auto& [m, store, svc] = opened;
    auto report = svc.verify();
    CHECK(report.ok());  // not tampering
    REQUIRE(report.drift.size() == 1);
    CHECK(report.drift[0].find("the store keeps the pinned content") != std::string::npos);
    // approval is judged by what the case pinned, and records that digest
    const auto r = svc.apply(id, ev("approve", "2026-03-18"));
    CHECK(r.after.state == "whitelisted");
    CHECK(store.events(id).back().ruleset_digest == pinned);
    CHECK(svc.verify().ok());
    // a new case is judged by the catalogue as it is now
    auto app = example("gd-retail-eligible");
    app["id"] = "GD-NEW";
    const auto fresh = svc.create(app, ev("create", "2026-03-16"));
    CHECK(fresh.ruleset_digest != pinned);
    CHECK_THROWS_AS((void)svc.apply("GD-NEW", ev("submit", "2026-03-16")), transition_refused);
}

TEST_CASE("pinned rules: a new version closing the old one is no tampering (issue 10)") {
    testing::scratch_dir rules(testing::rulesets_dir());
    testing::temp_db db;
    const auto id = accepted_case(rules.path, db.path());
    auto v1 = read(rules.path / "CN-GD" / "2026.1.json");
    auto v2 = v1;
    v1["effective_to"] = "2026-06-30";
    v2["version"] = "2026.2";
    v2["effective_from"] = "2026-07-01";
    write(rules.path / "CN-GD" / "2026.1.json", v1);
    write(rules.path / "CN-GD" / "2026.2.json", v2);
    reopened opened(rules.path, db.path());
    auto& [m, store, svc] = opened;
    const auto report = svc.verify(id);
    CHECK(report.ok());
    CHECK(report.drift.size() == 1);
    CHECK(svc.apply(id, ev("approve", "2026-03-18")).after.state == "whitelisted");
}

TEST_CASE("pinned rules: a store written before contents were kept") {
    testing::scratch_dir rules(testing::rulesets_dir());
    testing::temp_db db;
    const auto id = accepted_case(rules.path, db.path());
    as_before_contents_were_kept(db.path(), id);
    SUBCASE("the catalogue still holds the pinned version: its content is kept at the next event") {
        const case_manager m(std::make_shared<const engine>(testing::rulesets_dir()));
        auto store = case_store::open(db.path());
        case_service svc(store, m, testing::test_clock());
        CHECK(svc.verify().drift.empty());
        (void)svc.apply(id, ev("approve", "2026-03-18"));
        CHECK(store.get_pinned(store.events(id).front().ruleset_digest));
    }
    SUBCASE("a rule changed since: its history no longer replays; drift, not tampering") {
        edit_gd(rules.path, [](json& gd) { gd["parameters"]["daily_call_cap"] = 50; });
        reopened opened(rules.path, db.path());
        auto& [m, store, svc] = opened;
        const auto report = svc.verify();
        CHECK(report.ok());
        REQUIRE(report.drift.size() == 1);
        CHECK(report.drift[0].find("cannot be replayed on the catalogue's rules") !=
              std::string::npos);
    }
    SUBCASE("the version was edited since: drift without the content, still no tampering") {
        edit_gd(rules.path,
                [](json& gd) { gd["notes"].push_back("an edit after the case was created"); });
        reopened opened(rules.path, db.path());
        auto& [m, store, svc] = opened;
        const auto report = svc.verify();
        CHECK(report.ok());
        REQUIRE(report.drift.size() == 1);
        CHECK(report.drift[0].find("does not keep the pinned content") != std::string::npos);
        // judged by the catalogue's rules, and recorded as such
        (void)svc.apply(id, ev("approve", "2026-03-18"));
        CHECK(store.events(id).back().ruleset_digest == m.ruleset_for(svc.get(id))->digest());
        CHECK(svc.verify().ok());
        // re-pinning to the catalogue's content is an explicit event with a reason
        CHECK_THROWS_AS((void)svc.apply(id, ev("repin", "2026-03-19")), transition_refused);
        const auto r = svc.apply(
            id, ev("repin", "2026-03-19", {{"reason", "the 2026.1 file was corrected in place"}}));
        CHECK(r.after.state == "whitelisted");
        CHECK(r.after.ruleset_digest == m.ruleset_for(r.after)->digest());
        CHECK(store.get_pinned(r.after.ruleset_digest));
        const auto after = svc.verify();
        CHECK(after.ok());
        CHECK(after.drift.empty());
        // and a second time there is nothing to re-pin to
        CHECK_THROWS_AS((void)svc.apply(id, ev("repin", "2026-03-20", {{"reason", "again"}})),
                        transition_refused);
    }
}

TEST_CASE("pinned rules: content the store kept, deleted, is tampering, not drift") {
    testing::scratch_dir rules(testing::rulesets_dir());
    testing::temp_db db;
    const auto id = accepted_case(rules.path, db.path());
    testing::raw_sql(db.path(), "DELETE FROM pinned_rulesets;");
    edit_gd(rules.path, [](json& gd) { gd["parameters"]["daily_call_cap"] = 50; });
    reopened opened(rules.path, db.path());
    auto& [m, store, svc] = opened;
    const auto report = svc.verify();
    CHECK_FALSE(report.ok());
    CHECK(std::any_of(report.replay.begin(), report.replay.end(), [](const std::string& x) {
        return x.find("was kept in the store and is missing") != std::string::npos;
    }));
    const auto before = store.events(id).size();
    CHECK_THROWS_AS((void)svc.apply(id, ev("approve", "2026-03-18")), integrity_error);
    CHECK(store.events(id).size() == before);
}

TEST_CASE("pinned rules: kept content deleted is found even when the catalogue holds the same") {
    testing::temp_db db;
    const auto id = accepted_case(testing::rulesets_dir(), db.path());
    testing::raw_sql(db.path(), "DELETE FROM pinned_rulesets;");
    reopened opened(testing::rulesets_dir(), db.path());
    auto& [m, store, svc] = opened;
    const auto report = svc.verify();
    CHECK_FALSE(report.ok());
    CHECK(report.drift.empty());  // tampering, not an old store's drift
    CHECK(std::any_of(report.replay.begin(), report.replay.end(), [](const std::string& x) {
        return x.find("was kept in the store and is missing now") != std::string::npos;
    }));
}
