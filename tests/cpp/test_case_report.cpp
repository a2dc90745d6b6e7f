// Seeing a case (issue: `case show`): what it was asked for, complaints per number, why it is in
// its state, and the deadlines it missed, which stay visible after their timers stop.

#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "service_testing.hpp"

using namespace telecomply;
using nlohmann::json;
using testing::ev;
using testing::example;

namespace {
struct fixture : testing::store_and_service {
    const std::string id = "GD-2026-0412";
    fixture() { service.create(example("gd-retail-eligible"), ev("create", "2026-03-02")); }
    void to(const char* type, const char* at, json data = json::object()) {
        service.apply(id, ev(type, at, std::move(data)));
    }
};
}  // namespace

TEST_CASE("case report: complaints per number, and why the case was suspended") {
    fixture f;
    f.to("submit", "2026-03-16");
    f.to("accept", "2026-03-17");
    f.to("approve", "2026-03-18");
    f.to("complaint", "2026-04-01", {{"number", "+86 138 6675 1415"}});
    f.to("complaint", "2026-04-03", {{"number", "13866751415"}});
    f.to("complaint", "2026-04-03", {{"number", "13985106886"}});
    auto r = f.service.report(f.id);
    const json j = r.to_json();
    CHECK(j["complaints"]["13866751415"]["count"] == 2);
    CHECK(j["complaints"]["13866751415"]["dates"] == json::array({"2026-04-01", "2026-04-03"}));
    CHECK(j["complaints"]["13985106886"]["count"] == 1);
    REQUIRE(r.entered);
    CHECK(r.entered->type == "approve");  // whitelisted since the approval

    f.to("compliance_check_failed", "2026-04-07", {{"note", "calls after 21:00 on 2026-04-05"}});
    r = f.service.report(f.id);
    CHECK(r.state.state == "suspended");
    REQUIRE(r.entered);
    CHECK(r.entered->type == "compliance_check_failed");
    CHECK(r.entered->at == "2026-04-07");
    CHECK(r.entered->data["note"] == "calls after 21:00 on 2026-04-05");
    CHECK(r.to_json()["entered_state"]["event"] == "compliance_check_failed");
    CHECK(r.missed.empty());
    CHECK_FALSE(r.to_json().contains("missed_deadlines"));
}

TEST_CASE("case report: requested items, and a missed deadline stays visible") {
    fixture f;
    f.to("submit", "2026-03-16");
    f.to("accept", "2026-03-17");
    f.to("request_supplement", "2026-03-18",
         {{"items", json::array({"tax_registration", "materials.marketing_plan.script"})}});
    auto r = f.service.report(f.id);
    CHECK(r.to_json()["requested_items"] ==
          json::array({"tax_registration", "materials.marketing_plan.script"}));
    CHECK(r.missed.empty());
    // the supplement's last day passes: a tick rejects the case
    const auto done = f.service.tick(*date::parse("2026-06-01"));
    REQUIRE_FALSE(done.empty());
    r = f.service.report(f.id);
    CHECK(r.state.state == "rejected");
    REQUIRE_FALSE(r.missed.empty());
    CHECK(r.missed.front().by.type == "timer");
    CHECK(r.state.deadlines.count(r.missed.front().timer) == 0);  // no longer running...
    const json j = r.to_json();
    REQUIRE(j.contains("missed_deadlines"));  // ...but still shown
    CHECK(j["missed_deadlines"][0]["timer"] == r.missed.front().timer);
    CHECK(j["missed_deadlines"][0]["last_day"] == r.missed.front().last_day.to_string());
    REQUIRE(r.entered);
    CHECK(r.entered->type == "timer");  // why it was rejected
}

TEST_CASE("case report: a case in its first state entered nothing") {
    fixture f;
    const auto r = f.service.report(f.id);
    CHECK(r.state.state == "draft");
    CHECK_FALSE(r.entered);
    CHECK_FALSE(r.to_json().contains("entered_state"));
    CHECK_THROWS_AS((void)f.service.report("nowhere"), not_found_error);
}

TEST_CASE("case list: chosen by the store's columns, confirmed on each case") {
    testing::store_and_service f;
    json a = example("gd-retail-eligible");
    f.service.create(a, ev("create", "2026-03-02"), "A");
    f.service.apply("A", ev("submit", "2026-03-16"));
    json b = example("sc-finance-site-inspection-eligible");
    f.service.create(b, ev("create", "2026-03-02"), "B");
    const auto ids = [](const std::vector<case_state>& cs) {
        std::vector<std::string> out;
        for (const auto& c : cs)
            out.push_back(c.id);
        return out;
    };
    CHECK(ids(f.service.list()) == std::vector<std::string>{"A", "B"});
    CHECK(ids(f.service.list({.state = "submitted"})) == std::vector<std::string>{"A"});
    CHECK(ids(f.service.list({.region = b["region"].get<std::string>()})) ==
          std::vector<std::string>{"B"});
    // the applicant, whatever the case of its letters
    std::string uscc = a["applicant"]["uscc"];
    for (auto& ch : uscc)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(ids(f.service.list({.uscc = uscc})) == std::vector<std::string>{"A"});
    CHECK(f.service.list({.state = "barred"}).empty());
    CHECK(ids(f.service.list({.state = "submitted", .region = "CN-GD"})) ==
          std::vector<std::string>{"A"});
    // a case edited outside the library is found when chosen, and reported, not shown
    testing::raw_sql(f.db.path(),
                     "UPDATE cases SET snapshot = replace(snapshot, "
                     "'\"draft\"', '\"whitelisted\"') WHERE id = 'B';");
    std::vector<std::string> skipped;
    CHECK(ids(f.service.list({}, &skipped)) == std::vector<std::string>{"A"});
    CHECK(skipped.size() == 1);
    CHECK_THROWS_AS((void)f.service.list(), integrity_error);
}
