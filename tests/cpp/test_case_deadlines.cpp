// Case deadlines on official and provisional calendar years: computed and marked provisional,
// recounted when an official year is imported (recorded as an event, replayed as recorded),
// regional days off, and dates past every covered year. Dates are worked out by hand in the
// comments from rulesets/calendars/*.json and tests/data/calendars/.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "scratch_dir.hpp"
#include "store_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/calendar_import.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/rules/engine.hpp"
#include "test_clock.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;
using testing::temp_db;

namespace {

const fs::path k_rulesets{TELECOMPLY_RULESETS_DIR};
const fs::path k_fixture =
    fs::path(TELECOMPLY_TEST_DATA) / "calendars" / "CN-2027-official-fixture.json";

date d(std::string_view s) {
    return date::parse_or_throw(s);
}

json read_json(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE_MESSAGE(in, p.string());
    return json::parse(in);
}

json example(const std::string& name) {
    return read_json(k_rulesets.parent_path() / "examples" / "applications" / (name + ".json"));
}

case_event ev(std::string type, std::string at, json data = json::object()) {
    return case_event{std::move(type), "officer-7", std::move(at), std::move(data)};
}

// A copy of the shipped rulesets folder (rules, calendars, workflow) to change in a test.
struct rulesets_copy : testing::scratch_dir {
    rulesets_copy() : scratch_dir(k_rulesets) {}
    [[nodiscard]] fs::path calendars() const { return path / "calendars"; }
};

std::shared_ptr<const case_manager> manager_for(const fs::path& rulesets) {
    return std::make_shared<const case_manager>(std::make_shared<const engine>(rulesets));
}

const case_manager& shipped() {
    static const auto m = manager_for(k_rulesets);
    return *m;
}

// A case of `region` in state `state`, without going through the rules (the deadline logic
// is what is under test): the gd-retail example moved to the region.
case_state case_in(const case_manager& m, const std::string& region, const std::string& state,
                   const std::string& submitted = "2026-11-30") {
    json app = example("gd-retail-eligible");
    app["region"] = region;
    app["id"] = region + "-1";
    app["submitted_on"] = submitted;
    case_state s = m.create(app);
    s.state = state;
    s.version = 1;
    return s;
}

}  // namespace

TEST_CASE("case deadlines: accept today works in every region; the deadline says provisional") {
    // 2026-11-30 (Mon), the day the outage was reported: review clocks of 20 to 60 working days.
    const auto& cals = *shipped().rules().rules().calendars();
    for (const auto& r : regions()) {
        CAPTURE(r.iso);
        const auto s = case_in(shipped(), std::string(r.iso), "submitted");
        const auto after = shipped().apply(s, ev("accept", "2026-11-30")).after;
        REQUIRE(after.deadlines.contains("review_sla"));
        const auto& dl = after.deadlines.at("review_sla");
        CHECK(dl.from == d("2026-11-30"));
        const auto& cal = cals.for_region(r.iso);
        CHECK(dl.due == cal.add_working_days(d("2026-11-30"), dl.working_days));
        CHECK(dl.provisional_years == cal.provisional_years_between(dl.from, dl.due));
        CHECK(dl.calendar == cal.name() + "@" + cal.version());
        const auto j = after.summary()["deadlines"]["review_sla"];
        CHECK(j["due"] == dl.due.to_string());
        CHECK(j["provisional"] == dl.provisional());
    }
    // By hand. CN (30): Dec 2026 has 23 working days (12-01..31), then 2027-01-04..08 (28),
    // 01-11 (29), 01-12 (30), counted across 元旦 2027 (provisional).
    auto dl = shipped()
                  .apply(case_in(shipped(), "CN-HE", "submitted"), ev("accept", "2026-11-30"))
                  .after.deadlines.at("review_sla");
    CHECK(dl.due == d("2027-01-12"));
    CHECK(dl.working_days == 30);
    CHECK(dl.provisional_years == std::vector<int>{2027});
    // CN-GD (40): 01-13..15 (33), 01-18..22 (38), 01-25 (39), 01-26 (40).
    dl = shipped()
             .apply(case_in(shipped(), "CN-GD", "submitted"), ev("accept", "2026-11-30"))
             .after.deadlines.at("review_sla");
    CHECK(dl.due == d("2027-01-26"));
    CHECK(dl.provisional());
    // CN-SC (60), across the provisional Spring Festival (02-05, 02-08..10 off): 01-27..29 (43),
    // 02-01..04 (47), 02-11..12 (49), 02-15..19 (54), 02-22..26 (59), 03-01 (60).
    dl = shipped()
             .apply(case_in(shipped(), "CN-SC", "submitted"), ev("accept", "2026-11-30"))
             .after.deadlines.at("review_sla");
    CHECK(dl.due == d("2027-03-01"));
    CHECK(dl.provisional());
    // CN-BJ (20) ends in 2026: 12-01..04 (4), 07..11 (9), 14..18 (14), 21..25 (19), 28 (20).
    dl = shipped()
             .apply(case_in(shipped(), "CN-BJ", "submitted"), ev("accept", "2026-11-30"))
             .after.deadlines.at("review_sla");
    CHECK(dl.due == d("2026-12-28"));
    CHECK_FALSE(dl.provisional());
}

TEST_CASE("case deadlines: provisional National Day 2027 and the change-report warning") {
    // A supplement of 15 working days requested on Fri 2027-09-24: 09-27..30 (4), [10-01..05
    // off: 国庆 with 补假 for Sat 10-02 and Sun 10-03], 10-06..08 (7), 10-11..15 (12),
    // 10-18..20 (15).
    const auto s = case_in(shipped(), "CN-HE", "under_review");
    const auto r = shipped().apply(
        s, ev("request_supplement", "2027-09-24", {{"items", json::array({"tax_registration"})}}));
    const auto& dl = r.after.deadlines.at("supplement_deadline");
    CHECK(dl.due == d("2027-10-20"));
    CHECK(dl.provisional_years == std::vector<int>{2027});
    // The outcome (stored with the event) carries it, with the calendar it was counted on.
    CHECK(r.outcome["deadlines"]["supplement_deadline"]["due"] == "2027-10-20");
    CHECK(r.outcome["deadlines"]["supplement_deadline"]["calendar"] == dl.calendar);

    // A change on Thu 2027-09-30 reported on 10-20, with 10 working days to report it:
    // [10-01..05 off], 10-06..08 (3), 10-11..15 (8), 10-18 (9), 10-19 (10): the last day is
    // 10-19, judged on the provisional 2027, so 10-20 is late.
    auto w = case_in(shipped(), "CN-HE", "whitelisted");
    const auto late =
        shipped().apply(w, ev("report_change", "2027-10-20", {{"changed_on", "2027-09-30"}})).after;
    REQUIRE(late.warnings.size() == 1);
    CHECK(late.warnings[0]["code"] == "CHANGE_REPORTED_LATE");
    CHECK(late.warnings[0]["last_day"] == "2027-10-19");
    CHECK(late.warnings[0]["provisional_years"] == json::array({2027}));
}

TEST_CASE("case deadlines: CN-GX counts 壮族三月三, official and provisional years") {
    const json items = {{"items", json::array({"tax_registration"})}};
    // 2025 (official): 15 working days from Fri 03-28. CN: 03-31..04-03 (4), [04-04 清明,
    // weekend], 04-07..11 (9), 04-14..18 (14), 04-21 (15). CN-GX also has Mon 03-31 and Tue
    // 04-01 off: 04-02..03 (2), 04-07..11 (7), 04-14..18 (12), 04-21..23 (15).
    auto gx = case_in(shipped(), "CN-GX", "under_review", "2025-03-20");
    auto dl = shipped()
                  .apply(gx, ev("request_supplement", "2025-03-28", items))
                  .after.deadlines.at("supplement_deadline");
    CHECK(dl.due == d("2025-04-23"));
    CHECK_FALSE(dl.provisional());
    CHECK(dl.calendar.starts_with("CN-GX@"));
    auto he = case_in(shipped(), "CN-HE", "under_review", "2025-03-20");
    CHECK(shipped()
              .apply(he, ev("request_supplement", "2025-03-28", items))
              .after.deadlines.at("supplement_deadline")
              .due == d("2025-04-21"));

    // 2027 (provisional): from Thu 04-01. CN-GX: 04-02 (1), [Mon 04-05 清明], 04-06..08 (4),
    // [Fri 04-09 and Sat 04-10 三月三, 补假 Mon 04-12], 04-13..16 (8), 04-19..23 (13),
    // 04-26..27 (15). Nationally it would be 04-23.
    gx = case_in(shipped(), "CN-GX", "under_review", "2027-03-20");
    dl = shipped()
             .apply(gx, ev("request_supplement", "2027-04-01", items))
             .after.deadlines.at("supplement_deadline");
    CHECK(dl.due == d("2027-04-27"));
    CHECK(dl.provisional_years == std::vector<int>{2027});
}

TEST_CASE("case deadlines: an imported official year moves open deadlines, recorded as events") {
    rulesets_copy dir;
    temp_db db;
    const json app = example("sc-finance-site-inspection-eligible");
    const std::string id = app["id"];
    {
        // Accepted on Mon 2026-11-30 in CN-SC (60 working days): 2027-03-01, provisional.
        const auto m = manager_for(dir.path);
        auto store = case_store::open(db.path());
        case_service svc(store, *m, testing::test_clock());
        (void)svc.create(app, ev("create", "2026-11-30"));
        REQUIRE(svc.apply(id, ev("submit", "2026-11-30")).after.state == "submitted");
        const auto r = svc.apply(id, ev("accept", "2026-11-30"));
        CHECK(r.after.deadlines.at("review_sla").due == d("2027-03-01"));
        CHECK(r.after.deadlines.at("review_sla").provisional());
        // the store keeps what accept computed, with the calendar version
        const auto evs = store.events(id);
        CHECK(evs.back().outcome["deadlines"]["review_sla"]["due"] == "2027-03-01");
    }

    // The official 2027 arrives (a test fixture): 02-11 and 02-12 become days off and Sat
    // 02-20 a working day, so the 60th working day is Tue 03-02.
    REQUIRE(import_calendar(dir.calendars(), k_fixture).ok());
    const auto m = manager_for(dir.path);
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    const auto before = store.get(id)->version;

    // `show` uses the current calendar, and says the deadline moved.
    const auto shown = svc.get(id);
    const auto& dl = shown.deadlines.at("review_sla");
    CHECK(dl.due == d("2027-03-02"));
    CHECK_FALSE(dl.provisional());
    REQUIRE(dl.moved_from);
    CHECK(*dl.moved_from == d("2027-03-01"));
    CHECK(store.get(id)->version == before);  // showing writes nothing

    // `tick` records the recount as an event of its own (the history says which calendar).
    const auto done = svc.tick(d("2026-12-01"));
    REQUIRE(done.size() == 1);
    CHECK(done[0].second.type == "recompute_deadlines");
    const auto evs = store.events(id);
    CHECK(evs.back().type == "recompute_deadlines");
    const auto cal = m->rules().rules().calendars()->for_region("CN-SC");
    CHECK(evs.back().outcome["deadlines"]["review_sla"]["calendar"] == "CN@" + cal.version());
    CHECK(evs.back().outcome["deadlines"]["review_sla"]["moved_from"] == "2027-03-01");
    CHECK(store.get(id)->snapshot["deadlines"]["review_sla"]["due"] == "2027-03-02");
    CHECK(svc.tick(d("2026-12-01")).empty());  // nothing more to record

    // The history replays to the snapshot, on the new calendar and on the old one alike: each
    // event's deadlines are taken as recorded.
    CHECK(store.verify_all().ok());
    CHECK(svc.check_replay(id).empty());
    auto old_store = case_store::open(db.path());
    case_service old_svc(old_store, shipped(), testing::test_clock());
    CHECK(old_svc.check_replay(id).empty());
}

TEST_CASE("case deadlines: an event after an import is judged by the new calendar") {
    rulesets_copy dir;
    temp_db db;
    const json app = example("gd-retail-eligible");
    const std::string id = app["id"];
    const json items = {{"items", json::array({"tax_registration"})}};
    {
        const auto m = manager_for(dir.path);
        auto store = case_store::open(db.path());
        case_service svc(store, *m, testing::test_clock());
        (void)svc.create(app, ev("create", "2027-01-20"));
        REQUIRE(svc.apply(id, ev("submit", "2027-01-20")).after.state == "submitted");
        // 15 working days from Mon 2027-01-25, provisional: 01-26..29 (4), 02-01..04 (8),
        // 02-11..12 (10), 02-15..19 (15).
        const auto r = svc.apply(id, ev("request_supplement", "2027-01-25", items));
        CHECK(r.after.deadlines.at("supplement_deadline").due == d("2027-02-19"));
    }
    // On the provisional calendar a supplement on Mon 02-22 is too late...
    {
        const auto m = manager_for(dir.path);
        auto store = case_store::open(db.path());
        case_service svc(store, *m, testing::test_clock());
        const json patch = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};
        CHECK_THROWS_AS(svc.apply(id, ev("supplement", "2027-02-22", patch)), transition_refused);
    }
    // ...on the official one (02-11, 02-12 off, Sat 02-20 working) the 15th is 02-22 itself:
    // 02-01..04 (8), 02-15..19 (13), 02-20 (14), 02-22 (15).
    REQUIRE(import_calendar(dir.calendars(), k_fixture).ok());
    const auto m = manager_for(dir.path);
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    const json patch = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};
    const auto r = svc.apply(id, ev("supplement", "2027-02-22", patch));
    CHECK(r.after.state == "under_review");
    const auto evs = store.events(id);
    REQUIRE(evs.size() >= 2);
    CHECK(evs[evs.size() - 2].type == "recompute_deadlines");  // recorded first
    CHECK(evs.back().type == "supplement");
    CHECK(svc.check_replay(id).empty());
}

TEST_CASE("case deadlines: a forged recompute_deadlines is refused") {
    const auto s = case_in(shipped(), "CN-GD", "submitted");
    const auto a = shipped().apply(s, ev("accept", "2026-11-30")).after;
    // nothing to recompute on the calendar it was counted on
    CHECK_FALSE(shipped().recompute(a, "2026-12-01").has_value());
    json forged = a.deadlines.at("review_sla").to_json();
    forged["due"] = "2027-12-31";
    CHECK_THROWS_AS((void)shipped().apply(a, ev("recompute_deadlines", "2026-12-01",
                                                {{"deadlines", {{"review_sla", forged}}}})),
                    transition_refused);
    CHECK_THROWS_AS((void)shipped().apply(a, ev("recompute_deadlines", "2026-12-01")),
                    transition_refused);
}

TEST_CASE("case deadlines: past the last covered year is a calendar_error, never a guess") {
    // A calendar folder with the official years only (2024-2026).
    rulesets_copy dir;
    json cn = read_json(dir.calendars() / "CN.json");
    for (auto it = cn.begin(); it != cn.end();)
        it = it->is_object() && it->value("status", "") == "provisional" ? cn.erase(it)
                                                                         : std::next(it);
    std::ofstream(dir.calendars() / "CN.json") << cn.dump(2);
    for (const auto& e : fs::directory_iterator(dir.calendars()))
        if (e.path().filename() != "CN.json") fs::remove(e.path());
    const auto m = manager_for(dir.path);
    temp_db db;
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    json app = example("gd-retail-eligible");
    app["submitted_on"] = "2026-12-01";
    const std::string id = app["id"];
    (void)svc.create(app, ev("create", "2026-12-01"));
    REQUIRE(svc.apply(id, ev("submit", "2026-12-01")).after.state == "submitted");
    const auto before = store.get(id)->version;
    const auto s = svc.get(id);
    const json snapshot = s.to_json();
    try {
        (void)m->apply(s, ev("accept", "2026-12-01"));
        FAIL_CHECK("no error");
    } catch (const calendar_error& e) {
        CHECK(e.code() == errc::calendar_error);
        const std::string what = e.what();
        CHECK(what.find("the deadline 'review_sla' (40 working days from 2026-12-01") !=
              std::string::npos);
        CHECK(what.find("after the years covered by calendar 'CN' (2024-2026)") !=
              std::string::npos);
    }
    CHECK(s.to_json() == snapshot);
    CHECK_THROWS_AS(svc.apply(id, ev("accept", "2026-12-01")), calendar_error);
    CHECK(store.get(id)->version == before);
    // 15 working days from Thu 12-10 end on the last covered day, 12-31; from Fri 12-11 they
    // do not fit.
    const json items = {{"items", json::array({"tax_registration"})}};
    CHECK(m->apply(s, ev("request_supplement", "2026-12-10", items))
              .after.deadlines.at("supplement_deadline")
              .due == d("2026-12-31"));
    CHECK_THROWS_AS((void)m->apply(s, ev("request_supplement", "2026-12-11", items)),
                    calendar_error);
    CHECK(store.get(id)->version == before);
}

TEST_CASE("case deadlines: a store does not record on calendars that changed on disk") {
    rulesets_copy dir;
    temp_db db;
    const json app = example("gd-retail-eligible");
    const std::string id = app["id"];
    const auto m = manager_for(dir.path);  // loaded before the import
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    (void)svc.create(app, ev("create", "2027-01-15"));
    REQUIRE(svc.apply(id, ev("submit", "2027-01-15")).after.state == "submitted");
    REQUIRE(import_calendar(dir.calendars(), k_fixture).ok());
    const auto before = store.get(id)->version;
    try {
        (void)svc.apply(id, ev("accept", "2027-01-15"));
        FAIL_CHECK("no error");
    } catch (const calendar_error& e) {
        CHECK(std::string(e.what()).find("changed after they were loaded") != std::string::npos);
    }
    CHECK_THROWS_AS((void)svc.tick(d("2027-01-16")), calendar_error);
    CHECK_THROWS_AS((void)svc.recompute("2027-01-16"), calendar_error);
    CHECK(store.get(id)->version == before);
    // a service on freshly loaded rules works
    const auto fresh = manager_for(dir.path);
    case_service svc2(store, *fresh, testing::test_clock());
    CHECK(svc2.apply(id, ev("accept", "2027-01-15")).after.state == "under_review");
}

TEST_CASE("case deadlines: a refused event writes no recount either") {
    rulesets_copy dir;
    temp_db db;
    const json app = example("sc-finance-site-inspection-eligible");
    const std::string id = app["id"];
    {
        const auto m = manager_for(dir.path);
        auto store = case_store::open(db.path());
        case_service svc(store, *m, testing::test_clock());
        (void)svc.create(app, ev("create", "2026-11-30"));
        (void)svc.apply(id, ev("submit", "2026-11-30"));
        (void)svc.apply(id, ev("accept", "2026-11-30"));
    }
    REQUIRE(import_calendar(dir.calendars(), k_fixture).ok());
    const auto m = manager_for(dir.path);
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    const auto before = store.get(id)->version;
    // refused by the workflow
    CHECK_THROWS_AS(svc.apply(id, ev("resubmit", "2026-12-01")), transition_refused);
    // failed on the calendar: a supplement deadline past the covered years
    CHECK_THROWS_AS(svc.apply(id, ev("request_supplement", "2035-12-28",
                                     {{"items", json::array({"tax_registration"})}})),
                    calendar_error);
    CHECK(store.get(id)->version == before);
    CHECK(store.events(id).back().type == "accept");
    // an event that goes through records the recount first
    const auto r = svc.apply(id, ev("schedule_inspection", "2026-12-01"));
    CHECK(r.after.state == "site_inspection");
    const auto evs = store.events(id);
    CHECK(evs[evs.size() - 2].type == "recompute_deadlines");
}

TEST_CASE("case deadlines: replay takes what was recorded, whatever the calendar now covers") {
    // A history made on the shipped calendars (deadlines in 2027) replays on a calendar folder
    // that ends in 2026: the recorded deadlines are not counted again.
    temp_db db;
    const json app = example("gd-retail-eligible");
    const std::string id = app["id"];
    {
        auto store = case_store::open(db.path());
        case_service svc(store, shipped(), testing::test_clock());
        (void)svc.create(app, ev("create", "2026-11-30"));
        (void)svc.apply(id, ev("submit", "2026-11-30"));
        (void)svc.apply(id, ev("accept", "2026-11-30"));
    }
    rulesets_copy dir;
    json cn = read_json(dir.calendars() / "CN.json");
    for (auto it = cn.begin(); it != cn.end();)
        it = it->is_object() && it->value("status", "") == "provisional" ? cn.erase(it)
                                                                         : std::next(it);
    std::ofstream(dir.calendars() / "CN.json") << cn.dump(2);
    for (const auto& e : fs::directory_iterator(dir.calendars()))
        if (e.path().filename() != "CN.json") fs::remove(e.path());
    const auto m = manager_for(dir.path);
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    CHECK(svc.check_replay(id).empty());
}

TEST_CASE("case deadlines: change reports judged once, on the calendar of the day") {
    // Not late when reported before the change, or when the last day lies after the years
    // the calendar covers.
    auto w = case_in(shipped(), "CN-HE", "whitelisted");
    auto r = shipped().apply(w, ev("report_change", "2026-12-01", {{"changed_on", "2035-12-28"}}));
    CHECK(r.after.warnings.empty());
    CHECK(r.outcome["warnings"] == json::array());  // judged, and recorded as judged
    r = shipped().apply(w, ev("report_change", "2035-12-31", {{"changed_on", "2035-12-28"}}));
    CHECK(r.after.warnings.empty());
    try {
        (void)shipped().apply(w, ev("report_change", "2026-12-01", {{"changed_on", "2023-12-28"}}));
        FAIL_CHECK("no error");
    } catch (const calendar_error& e) {
        CHECK(std::string(e.what()).find("data.changed_on 2023-12-28") != std::string::npos);
    }

    // A late report on the provisional 2027 keeps its warning in a replay on the official
    // calendar, where the same report would be in time.
    rulesets_copy dir;
    temp_db db;
    json app = example("gd-retail-eligible");
    const std::string id = app["id"];
    {
        const auto m = manager_for(dir.path);
        auto store = case_store::open(db.path());
        case_service svc(store, *m, testing::test_clock());
        (void)svc.create(app, ev("create", "2027-01-04"));
        (void)svc.apply(id, ev("submit", "2027-01-04"));
        (void)svc.apply(id, ev("accept", "2027-01-04"));
        (void)svc.apply(id, ev("approve", "2027-01-05"));
        // changed Mon 2027-02-01, 10 working days: 02-02..04 (3), 02-11..12 (5), 02-15..19
        // (10): last day 02-19 provisionally; reported Mon 02-22: late.
        const auto late =
            svc.apply(id, ev("report_change", "2027-02-22", {{"changed_on", "2027-02-01"}}));
        REQUIRE(late.after.warnings.size() == 1);
        CHECK(late.after.warnings[0]["last_day"] == "2027-02-19");
    }
    // Officially 02-11 and 02-12 are off and Sat 02-20 works: the last day is 02-20.
    REQUIRE(import_calendar(dir.calendars(), k_fixture).ok());
    const auto m = manager_for(dir.path);
    auto store = case_store::open(db.path());
    case_service svc(store, *m, testing::test_clock());
    CHECK(svc.check_replay(id).empty());
    CHECK(svc.get(id).warnings.size() == 1);
}

TEST_CASE("case deadlines: a store written before deadlines had details replays clean") {
    // Made with this version, then rewritten as the first store schema wrote it: no outcomes
    // (the hashes recomputed without them), deadlines as bare dates, warnings without the
    // calendar.
    temp_db db;
    json app = example("gd-retail-eligible");
    const std::string id = app["id"];
    {
        auto store = case_store::open(db.path());
        case_service svc(store, shipped(), testing::test_clock());
        (void)svc.create(app, ev("create", "2026-03-02"));
        (void)svc.apply(id, ev("submit", "2026-03-02"));
        (void)svc.apply(id, ev("accept", "2026-03-03"));
        (void)svc.apply(id, ev("approve", "2026-03-05"));
        // changed 05-06, reported 06-30: late
        const auto r =
            svc.apply(id, ev("report_change", "2026-06-30", {{"changed_on", "2026-05-06"}}));
        REQUIRE(r.after.warnings.size() == 1);
    }
    {
        auto store = case_store::open(db.path());
        std::string sql;
        std::string prev(64, '0');
        for (auto e : store.events(id)) {
            e.outcome = nullptr;
            e.snapshot_digest.clear();
            e.prev_hash = prev;
            e.hash = event_hash(e);
            sql += "UPDATE events SET outcome = NULL, snapshot_digest = NULL, prev_hash = '" + e.prev_hash + "', hash = '" +
                   e.hash + "' WHERE case_id = '" + id + "' AND seq = " + std::to_string(e.seq) +
                   ";";
            prev = e.hash;
        }
        json snap = store.get(id)->snapshot;
        for (auto& [name, d] : snap["deadlines"].items())
            d = d["due"];
        for (auto& w : snap["warnings"])
            w.erase("calendar");
        sql += "UPDATE cases SET last_hash = '" + prev + "', snapshot = '" + snap.dump() +
               "' WHERE id = '" + id + "';";
        testing::raw_sql(db.path(), sql);
    }
    auto store = case_store::open(db.path());
    case_service svc(store, shipped(), testing::test_clock());
    CHECK(store.verify_all().ok());
    CHECK(svc.check_replay(id).empty());
    CHECK(svc.get(id).deadlines.at("validity").due == d("2027-03-05"));
    // A new event carries the old deadline forward; the case still replays clean.
    (void)svc.apply(id, ev("change_accepted", "2026-07-01"));
    CHECK(store.verify_all().ok());
    CHECK(svc.check_replay(id).empty());
    // An edited old deadline is still caught.
    json snap = store.get(id)->snapshot;
    snap["deadlines"]["validity"] = {{"due", "2030-01-01"}, {"from", "2030-01-01"}};
    testing::raw_sql(db.path(),
                     "UPDATE cases SET snapshot = '" + snap.dump() + "' WHERE id = '" + id + "';");
    CHECK_FALSE(svc.check_replay(id).empty());
}
