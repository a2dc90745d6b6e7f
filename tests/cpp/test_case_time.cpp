// Events are evidence (docs/policy.md §8): never dated before their case's last event, never
// more than a day after the store's clock; the clock is injected.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "store_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/event_time.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using testing::ev;
using testing::example;
using testing::manager;

// A Guangdong case approved on 2026-03-18, in a store whose clock says 2026-03-20 10:00.
struct approved_case {
    testing::temp_db db;
    case_store store = case_store::open(db.path());
    case_service service{store, manager(), store_clock::fixed("2026-03-20T10:00:00+08:00")};
    std::string id;

    approved_case() {
        const json app = example("gd-retail-eligible");
        id = service.create(app, ev("create", "2026-03-02"), {}).id;
        for (const auto& [type, at] : {std::pair{"submit", "2026-03-02"},
                                       {"accept", "2026-03-03"},
                                       {"approve", "2026-03-18T15:30:00+08:00"}})
            (void)service.apply(id, ev(type, at));
    }

    // The event is refused with a reason naming `why`, and nothing is written.
    void refused(const case_event& e, const std::string& why) {
        const auto before = store.events(id).size();
        try {
            (void)service.apply(id, e);
            FAIL("accepted: " << e.type << " at " << e.at);
        } catch (const transition_refused& x) {
            CHECK(std::string(x.what()).find(why) != std::string::npos);
        }
        CHECK(store.events(id).size() == before);
    }
};

}  // namespace

TEST_CASE("event times: a day or an instant, compared in China Standard Time") {
    const auto day = event_time::parse("2026-03-18");
    const auto morning = event_time::parse("2026-03-18T09:00:00+08:00");
    const auto evening = event_time::parse("2026-03-18T20:00:00+08:00");
    // 2026-03-18T23:30 in Beijing is still 15:30 UTC on the 18th; 17:00 UTC is the 19th there
    CHECK(event_time::parse("2026-03-18T17:00:00Z").day == *date::parse("2026-03-19"));
    CHECK(morning.before(evening));
    CHECK_FALSE(evening.before(morning));
    CHECK_FALSE(day.before(morning));  // a bare day is not before an instant on it
    CHECK_FALSE(morning.before(day));
    CHECK(day.before(event_time::parse("2026-03-19")));
    CHECK_THROWS_AS(event_time::parse("18/03/2026"), usage_error);
    CHECK_THROWS_AS(event_time::parse("2026-02-30"), usage_error);
}

TEST_CASE("store clock: fixed, from the environment, or the system clock") {
    const auto c = store_clock::fixed("2026-03-20");
    CHECK(c.is_fixed());
    CHECK(c.now_text() == "2026-03-20T00:00:00+08:00");  // the day's first instant in Beijing
    CHECK(c.today() == *date::parse("2026-03-20"));
    CHECK(store_clock::fixed("2026-03-19T16:30:00Z").now_text() == "2026-03-20T00:30:00+08:00");
    CHECK_THROWS_AS(store_clock::fixed("tomorrow"), usage_error);

    ::setenv("TELECOMPLY_NOW", "2031-05-06T07:08:09+08:00", 1);  // NOLINT(concurrency-mt-unsafe)
    CHECK(store_clock::from_environment().now_text() == "2031-05-06T07:08:09+08:00");
    ::setenv("TELECOMPLY_NOW", "soon", 1);  // NOLINT(concurrency-mt-unsafe)
    try {
        (void)store_clock::from_environment();
        FAIL("accepted TELECOMPLY_NOW=soon");
    } catch (const usage_error& e) {
        CHECK(std::string(e.what()).find("TELECOMPLY_NOW") != std::string::npos);
    }
    ::unsetenv("TELECOMPLY_NOW");  // NOLINT(concurrency-mt-unsafe)
    CHECK_FALSE(store_clock::from_environment().is_fixed());
}

TEST_CASE("events out of time are refused and write nothing (issue 10)") {
    approved_case c;
    // before the case's last event (approved 2026-03-18 15:30)
    c.refused(ev("complaint", "2025-01-01", {{"number", "13866751415"}}), "before the case's last");
    c.refused(ev("report_change", "2026-03-01", {{"patch", json::object()}}),
              "before the case's last");
    c.refused(ev("complaint", "2026-03-18T15:00:00+08:00", {{"number", "13866751415"}}),
              "before the case's last");
    // more than a day after the store's clock (2026-03-20 10:00)
    c.refused(ev("complaint", "2062-03-16"), "after the store's clock");
    c.refused(ev("complaint", "2026-03-22"), "after the store's clock");
    c.refused(ev("complaint", "2026-03-21T10:00:01+08:00"), "after the store's clock");
    // the same day as the last event (a bare day), and up to a day ahead, are in time
    const json number = {{"number", example("gd-retail-eligible")["numbers"][0]["number"]}};
    CHECK(c.service.apply(c.id, ev("complaint", "2026-03-18", number)).after.state ==
          "whitelisted");
    CHECK(c.service.apply(c.id, ev("complaint", "2026-03-21", number)).after.state ==
          "whitelisted");
    // and then nothing before that
    c.refused(ev("complaint", "2026-03-20", number), "before the case's last");
    CHECK(c.service.verify().ok());
}

TEST_CASE("a bare day between two instants does not let time run backwards") {
    approved_case c;  // approved 2026-03-18 15:30
    const json number = {{"number", example("gd-retail-eligible")["numbers"][0]["number"]}};
    (void)c.service.apply(c.id, ev("complaint", "2026-03-18", number));  // a bare day: in time
    // an instant of that day before the approval's instant is still before it
    c.refused(ev("complaint", "2026-03-18T09:00:00+08:00", number), "before event 4");
    // the same, from a service that did not write the last event (no cached time)
    case_service other(c.store, manager(), store_clock::fixed("2026-03-20T10:00:00+08:00"));
    CHECK_THROWS_AS((void)other.apply(c.id, ev("complaint", "2026-03-18T15:29:59+08:00", number)),
                    transition_refused);
    // after it, in time
    CHECK(other.apply(c.id, ev("complaint", "2026-03-18T16:00:00+08:00", number)).after.version ==
          6);
}

TEST_CASE("a case cannot be created in the store's future") {
    testing::temp_db db;
    case_store store = case_store::open(db.path());
    case_service service(store, manager(), store_clock::fixed("2026-03-01"));
    CHECK_THROWS_AS((void)service.create(example("gd-retail-eligible"), ev("create", "2026-03-05")),
                    transition_refused);
    CHECK(store.case_ids().empty());
    CHECK(service.create(example("gd-retail-eligible"), ev("create", "2026-03-02")).state ==
          "draft");
}

TEST_CASE("out of order submit, then an earlier request: both refused (issue 10)") {
    testing::temp_db db;
    case_store store = case_store::open(db.path());
    case_service service(store, manager(), store_clock::fixed("2026-03-20"));
    const auto id = service.create(example("gd-retail-eligible"), ev("create", "2026-03-02")).id;
    CHECK_THROWS_AS((void)service.apply(id, ev("submit", "2062-03-16")), transition_refused);
    (void)service.apply(id, ev("submit", "2026-03-16"));
    (void)service.apply(id, ev("accept", "2026-03-17"));
    CHECK_THROWS_AS((void)service.apply(id, ev("request_supplement", "2026-03-16",
                                               {{"items", json::array({"tax_registration"})}})),
                    transition_refused);
    CHECK(store.events(id).size() == 3);
}

TEST_CASE("a tick dated before a case's last event leaves it for a later tick") {
    testing::temp_db db;
    case_store store = case_store::open(db.path());
    case_service service(store, manager(), store_clock::fixed("2026-07-01"));
    const auto id = service.create(example("gd-retail-eligible"), ev("create", "2026-03-02")).id;
    (void)service.apply(id, ev("submit", "2026-03-16"));
    (void)service.apply(id, ev("accept", "2026-03-17"));  // review_sla: last day 2026-05-15
    (void)service.apply(id, ev("schedule_inspection", "2026-06-10"));
    CHECK(service.tick(*date::parse("2026-06-01")).empty());  // before 06-10: nothing written
    CHECK(store.events(id).size() == 4);
    const auto done = service.tick(*date::parse("2026-06-11"));
    REQUIRE(done.size() == 1);
    CHECK(done[0].second.at == "2026-06-11");
    CHECK(service.verify().ok());
}
