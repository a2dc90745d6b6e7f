// Time to a decision: time in state in working days, SLA outcomes, where cases wait, and the
// forecast of an open case (docs/workflow.md, "Time to a decision: durations and forecasts").
// Every figure below is counted by hand on the shipped CN calendar: 2026's Qingming holiday is
// 04-04..04-06 (Sat-Mon), May Day 05-01..05-05 with Saturday 05-09 a make-up working day, and
// 2027 is a provisional year.

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "service_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/forecast.hpp"
#include "telecomply/cases/time_in_state.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

using testing::ev;
using testing::example;

date day(const char* text) {
    return *date::parse(text);
}

// A store of Guangdong cases (review_sla: 40 working days), all created and submitted on
// 2026-03-16 (the example's submission day); the tests' clock is injected (2040-01-01).
struct gd_store : testing::store_and_service {
    // A case accepted on `accept_on` and, when given, approved on `approve_on`.
    void add(const std::string& id, const std::string& accept_on,
             const std::optional<std::string>& approve_on = std::nullopt) {
        (void)service.create(example("gd-retail-eligible"), ev("create", "2026-03-16"), id);
        (void)service.apply(id, ev("submit", "2026-03-16"));
        (void)service.apply(id, ev("accept", accept_on));
        if (approve_on) (void)service.apply(id, ev("approve", *approve_on));
    }
};

const state_duration* find_state(const durations_report& r, const std::string& state) {
    for (const auto& s : r.states)
        if (s.state == state) return &s;
    return nullptr;
}

// Five cases accepted on 2026-04-01 (a Wednesday) and approved 2, 3, 5, 8 and 12 working days
// later, across the Qingming weekend; one more accepted on 04-21 and still under review.
struct five_decided : gd_store {
    five_decided() {
        add("H1", "2026-04-01", "2026-04-03");  // 04-02, 04-03: 2
        add("H2", "2026-04-01", "2026-04-07");  // + 04-07 (04-04..06 off): 3
        add("H3", "2026-04-01", "2026-04-09");  // 5
        add("H4", "2026-04-01", "2026-04-14");  // 8
        add("H5", "2026-04-01", "2026-04-20");  // 12
        add("T", "2026-04-21");
    }
};

}  // namespace

TEST_CASE("percentile interpolates linearly between closest ranks, as numpy's default") {
    CHECK(percentile({2, 3, 5, 8, 12}, 50) == doctest::Approx(5.0));
    CHECK(percentile({2, 3, 5, 8, 12}, 90) == doctest::Approx(10.4));  // 8 + 0.6 * (12 - 8)
    CHECK(percentile({2, 3, 5, 8, 12}, 10) == doctest::Approx(2.4));
    CHECK(percentile({12, 2, 8}, 50) == doctest::Approx(8.0));  // unsorted input
    CHECK(percentile({1, 2, 3, 4}, 50) == doctest::Approx(2.5));
    CHECK(percentile({7}, 90) == doctest::Approx(7.0));
    CHECK(percentile({1, 9}, 100) == doctest::Approx(9.0));
    CHECK_THROWS_AS((void)percentile({}, 50), usage_error);
    CHECK_THROWS_AS((void)percentile({1}, 101), usage_error);
}

TEST_CASE("time in state: working days per visit, medians and p90s, timers, where cases wait") {
    five_decided s;
    const auto r = s.service.durations(day("2026-04-27"));
    CHECK(r.as_of == day("2026-04-27"));

    const auto* review = find_state(r, "under_review");
    REQUIRE(review != nullptr);
    CHECK(review->region == "CN-GD");
    CHECK(review->visits == 6);
    CHECK(review->open == 1);
    CHECK(review->counted == 5);
    CHECK(*review->median == doctest::Approx(5.0));
    CHECK(*review->p90 == doctest::Approx(10.4));
    CHECK(*review->max == 12);

    const auto* submitted = find_state(r, "submitted");
    REQUIRE(submitted != nullptr);
    CHECK(submitted->visits == 6);
    CHECK(submitted->open == 0);
    // 03-16 -> 04-01: 12 working days (five cases); 03-16 -> 04-21: 25 (T)
    CHECK(*submitted->median == doctest::Approx(12.0));
    CHECK(*submitted->p90 == doctest::Approx(18.5));  // h = 5 * 0.9 = 4.5: 12 + 0.5 * (25 - 12)
    CHECK(*submitted->max == 25);
    const auto* draft = find_state(r, "draft");
    REQUIRE(draft != nullptr);
    CHECK(*draft->max == 0);  // created and submitted on one day
    CHECK(find_state(r, "whitelisted")->open == 5);
    CHECK(find_state(r, "whitelisted")->counted == 0);
    CHECK_FALSE(find_state(r, "whitelisted")->median.has_value());

    // the visits: H2's stay in under_review, and T's open one
    bool seen_h2 = false, seen_t = false;
    for (const auto& v : r.visits) {
        if (v.case_id == "H2" && v.state == "under_review") {
            seen_h2 = true;
            CHECK(v.entered_on == day("2026-04-01"));
            CHECK(v.entered_by == "accept");
            CHECK(v.left_on == day("2026-04-07"));
            CHECK(v.left_by == "approve");
            CHECK(v.working_days == 3);
            CHECK_FALSE(v.open());
        }
        if (v.case_id == "T" && v.state == "under_review") {
            seen_t = true;
            CHECK(v.open());
            CHECK(v.working_days == 4);  // 04-22, 04-23, 04-24, 04-27
            CHECK(v.to_json()["left_on"].is_null());
        }
    }
    CHECK(seen_h2);
    CHECK(seen_t);

    REQUIRE(r.timers.size() == 1);  // review_sla (the supplement deadline never ran)
    CHECK(r.timers[0].timer == "review_sla");
    CHECK(r.timers[0].kind == "sla");
    CHECK(r.timers[0].raises == "REVIEW_OVERDUE");
    CHECK(r.timers[0].on_time == 5);
    CHECK(r.timers[0].running == 1);
    CHECK(r.timers[0].breached == 0);

    REQUIRE(r.waiting.size() == 1);
    CHECK(r.waiting[0].case_id == "T");
    CHECK(r.waiting[0].state == "under_review");
    CHECK(r.waiting[0].since == day("2026-04-21"));
    CHECK(r.waiting[0].working_days == 4);
    CHECK(r.provisional_years.empty());

    // as the store stood earlier: later events are left out
    const auto early = s.service.durations(day("2026-04-08"));
    const auto* then = find_state(early, "under_review");
    CHECK(then->visits == 5);  // T was not accepted yet
    CHECK(then->open == 3);    // H3, H4 and H5 still under review
    CHECK(then->counted == 2);
    CHECK(*then->median == doctest::Approx(2.5));

    // a region filter, by ISO or GB/T 2260 code
    CHECK(s.service.durations(day("2026-04-27"), "44").states.size() == r.states.size());
    CHECK(s.service.durations(day("2026-04-27"), "CN-SD").states.empty());
    CHECK_THROWS_AS((void)s.service.durations(day("2026-04-27"), "CN-XX"), usage_error);

    const auto j = r.to_json();
    CHECK(j["as_of"] == "2026-04-27");
    CHECK(j["region"].is_null());
    CHECK(j["timers"][0]["on_time"] == 5);
}

TEST_CASE("forecast from the history of five similar cases") {
    five_decided s;
    // T has waited 1 working day (04-22): every case stayed at least that long; remaining
    // working days 1, 2, 4, 7, 11
    const auto f = s.service.forecast("T", day("2026-04-22"));
    CHECK(f.basis == "history");
    CHECK(f.scope == "region");
    CHECK(f.similar_cases == 5);
    CHECK(f.similar_in_region == 5);
    CHECK(f.state == "under_review");
    CHECK(f.in_state_since == day("2026-04-21"));
    CHECK(f.waited_working_days == 1);
    CHECK(*f.p10 == doctest::Approx(1.4));
    CHECK(*f.median == doctest::Approx(4.0));
    CHECK(*f.p90 == doctest::Approx(9.4));
    CHECK(f.earliest == day("2026-04-23"));  // 1 working day after 04-22
    CHECK(f.likely == day("2026-04-28"));    // 4
    CHECK(f.latest == day("2026-05-09"));    // 10, past May Day, on the make-up Saturday
    CHECK(f.bounded_by.empty());             // review_sla runs to 06-18
    CHECK_FALSE(f.history_latest.has_value());
    REQUIRE(f.deadlines.size() == 1);
    CHECK(f.deadlines[0].timer == "review_sla");
    CHECK(f.deadlines[0].due == day("2026-06-18"));
    CHECK(f.deadlines[0].bounds);
    CHECK(f.explanation ==
          "From 5 similar cases in CN-GD (in under_review at least 1 working day, then decided): "
          "1.4 to 9.4 more working days, median 4; likely decided on 2026-04-28, between "
          "2026-04-23 and 2026-05-09.");
    const auto j = f.to_json();
    CHECK(j["basis"] == "history");
    CHECK(j["remaining_working_days"]["median"] == 4.0);
    CHECK(j["latest"] == "2026-05-09");
    CHECK(j["bounded_by"].is_null());
}

TEST_CASE("forecast falls back to the workflow's SLA when too few cases waited as long") {
    five_decided s;
    // T has waited 4 working days: only H3, H4 and H5 stayed that long
    const auto f = s.service.forecast("T", day("2026-04-27"));
    CHECK(f.basis == "sla");
    CHECK(f.scope.empty());
    CHECK(f.similar_cases == 3);
    CHECK_FALSE(f.p10.has_value());
    CHECK(f.earliest == day("2026-04-27"));
    CHECK(f.likely == day("2026-06-18"));
    CHECK(f.latest == day("2026-06-18"));  // 40 working days from the acceptance on 04-21
    CHECK(f.bounded_by == "review_sla");
    CHECK(f.explanation ==
          "Only 3 similar finished cases (3 in CN-GD; 5 needed): the forecast follows the "
          "workflow's SLA. review_sla runs to 2026-06-18 (40 working days from 2026-04-21): "
          "decided by then at the latest.");
    CHECK(f.to_json()["remaining_working_days"].is_null());

    // with a lower threshold the three cases are enough: remaining 1, 4, 8
    const auto three = s.service.forecast("T", day("2026-04-27"), forecast_options{3});
    CHECK(three.basis == "history");
    CHECK(*three.median == doctest::Approx(4.0));
}

TEST_CASE("forecast before the review clock starts counts the SLA from as_of") {
    gd_store s;
    (void)s.service.create(example("gd-retail-eligible"), ev("create", "2026-03-16"), "N");
    (void)s.service.apply("N", ev("submit", "2026-03-16"));
    const auto f = s.service.forecast("N", day("2026-04-01"));
    CHECK(f.basis == "sla");
    CHECK(f.state == "submitted");
    CHECK(f.waited_working_days == 12);
    CHECK(f.latest == day("2026-06-01"));  // 40 working days from 04-01
    CHECK(f.bounded_by.empty());
    CHECK(f.explanation.find("review_sla (40 working days) has not started (it starts with "
                             "accept): counted from 2026-04-01, decided by 2026-06-01 at the "
                             "latest.") != std::string::npos);
}

TEST_CASE("a running SLA caps the history's latest day") {
    gd_store s;
    // five cases accepted on 03-17 and decided 38, 42, 45, 48 and 54 working days later (the
    // last four after their own SLA); T accepted 04-13, whose SLA's last day is 06-10
    s.add("H1", "2026-03-17", "2026-05-13");
    s.add("H2", "2026-03-17", "2026-05-19");
    s.add("H3", "2026-03-17", "2026-05-22");
    s.add("H4", "2026-03-17", "2026-05-27");
    s.add("H5", "2026-03-17", "2026-06-04");
    s.add("T", "2026-04-13");
    // on 06-04 T has waited 36 working days: remaining 2, 6, 9, 12, 18
    const auto f = s.service.forecast("T", day("2026-06-04"));
    CHECK(f.basis == "history");
    CHECK(f.waited_working_days == 36);
    CHECK(*f.p10 == doctest::Approx(3.6));
    CHECK(*f.median == doctest::Approx(9.0));
    CHECK(*f.p90 == doctest::Approx(15.6));
    CHECK(f.earliest == day("2026-06-09"));
    CHECK(f.likely == day("2026-06-10"));  // 06-17 by the history, capped
    CHECK(f.latest == day("2026-06-10"));
    CHECK(f.history_latest == day("2026-06-29"));
    CHECK(f.bounded_by == "review_sla");
    CHECK(f.explanation.find(" The latest is capped at review_sla's last day 2026-06-10, by "
                             "which the workflow requires a decision (the history alone gives "
                             "2026-06-29).") != std::string::npos);

    // the SLA outcomes: H1 on time, the four others breached, T running
    const auto r = s.service.durations(day("2026-06-04"));
    REQUIRE(r.timers.size() == 1);
    CHECK(r.timers[0].breached == 4);
    CHECK(r.timers[0].on_time == 1);
    CHECK(r.timers[0].running == 1);
    // a week after its last day, T's SLA counts as breached though no tick recorded it
    const auto later = s.service.durations(day("2026-06-17"));
    CHECK(later.timers[0].breached == 5);
    CHECK(later.timers[0].running == 0);
    const auto overdue = s.service.forecast("T", day("2026-06-17"));
    CHECK(overdue.explanation.find("review_sla's last day 2026-06-10 has passed: the decision "
                                   "is overdue") != std::string::npos);
}

TEST_CASE("counts across a provisional calendar year are flagged, not refused") {
    gd_store s;
    s.add("P", "2026-12-28");
    const auto r = s.service.durations(day("2027-01-06"));
    CHECK(r.provisional_years == std::vector<int>{2027});
    REQUIRE(r.waiting.size() == 1);
    CHECK(r.waiting[0].working_days == 6);  // 12-29..31, 01-04..06 (01-01 off)
    const auto f = s.service.forecast("P", day("2027-01-06"));
    CHECK(f.basis == "sla");
    CHECK(f.latest == day("2027-03-01"));
    CHECK(f.provisional_years == std::vector<int>{2027});
    CHECK(f.deadlines.at(0).provisional);
    CHECK(f.explanation.find("Provisional: the count crosses 2027") != std::string::npos);
}

TEST_CASE("forecast refuses decided, unknown and not yet existing cases") {
    five_decided s;
    try {
        (void)s.service.forecast("H1", day("2026-04-27"));
        FAIL("a decided case was forecast");
    } catch (const usage_error& e) {
        CHECK(std::string(e.what()) ==
              "case H1 was decided on 2026-04-03: whitelisted by approve (event 4): no decision "
              "to forecast");
    }
    CHECK_THROWS_AS((void)s.service.forecast("nope", day("2026-04-27")), not_found_error);
    try {
        (void)s.service.forecast("T", day("2026-03-01"));
        FAIL("a case forecast before it existed");
    } catch (const usage_error& e) {
        CHECK(std::string(e.what()).find("did not exist yet on 2026-03-01") != std::string::npos);
    }
    // as the store stood on 04-02, H1 was still under review
    CHECK(s.service.forecast("H1", day("2026-04-02")).state == "under_review");
}
