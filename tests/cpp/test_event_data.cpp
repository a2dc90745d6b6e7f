// Event data is checked (docs/policy.md §8): complaints name a number of the case, rejections
// give finding codes, supplement requests name what can be supplied; numbers compare in
// canonical form.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "service_testing.hpp"
#include "store_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/rules/input.hpp"
#include "test_clock.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using testing::ev;
using testing::example;
using testing::manager;

// The reason a refused event gives ("" when it was applied).
std::string refusal(const case_state& s, const case_event& e) {
    try {
        (void)manager().apply(s, e);
        return "";
    } catch (const transition_refused& x) {
        return x.what();
    }
}

case_state take(const case_state& s, const case_event& e) {
    return manager().apply(s, e).after;
}

case_state gd(const std::string& until) {
    auto s = manager().create(example("gd-retail-eligible"));
    s = take(s, ev("submit", "2026-03-02"));
    if (until == "submitted") return s;
    s = take(s, ev("accept", "2026-03-03"));
    if (until == "under_review") return s;
    return take(s, ev("approve", "2026-03-18"));
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("canonical phone numbers: one writing per number") {
    CHECK(canonical_phone("+86 138 6675 1415") == "13866751415");
    CHECK(canonical_phone("138-6675-1415") == "13866751415");
    CHECK(canonical_phone("0086 13866751415") == "13866751415");
    CHECK(canonical_phone("8613866751415") == "13866751415");
    CHECK(canonical_phone("+86 10 1234 5678") == "01012345678");  // the trunk 0 comes back
    CHECK(canonical_phone("010-12345678") == "01012345678");
    CHECK(canonical_phone("0757-22381234") == "075722381234");
    CHECK(canonical_phone("400 810 8888") == "4008108888");
    CHECK_FALSE(canonical_phone("1"));
    CHECK_FALSE(canonical_phone("+86 010 12345678"));  // trunk 0 after +86
    CHECK_FALSE(canonical_phone("138  6675 1415"));    // a doubled separator
    CHECK_FALSE(canonical_phone(""));
}

TEST_CASE("complaints name a number of the case, in any writing (issue 10)") {
    const auto w = gd("whitelisted");
    CHECK(has(refusal(w, ev("complaint", "2026-03-20", {{"number", "1"}})),
              "is not a valid phone number"));
    CHECK(has(refusal(w, ev("complaint", "2026-03-20", {{"number", "13900000010"}})),
              "(13900000010) is not a number of this case"));
    CHECK(has(refusal(w, ev("complaint", "2026-03-20", {{"number", 13866751415}})),
              "data.number must be"));
    // two writings of one number are one number
    auto s = take(w, ev("complaint", "2026-03-20", {{"number", "+86 138 6675 1415"}}));
    s = take(s, ev("complaint", "2026-03-21", {{"number", "13866751415"}}));
    REQUIRE(s.complaints.size() == 1);
    CHECK(s.complaints.at("13866751415").size() == 2);
    // a landline of the case, written with its area code
    s = take(s, ev("complaint", "2026-03-22", {{"number", "+86 757 2238 1234"}}));
    CHECK(s.complaints.count("075722381234") == 1);
}

TEST_CASE("rejections give finding codes; free text goes in note (issue 10)") {
    const auto r = gd("under_review");
    const auto why = refusal(r, ev("reject", "2026-03-20", {{"reasons", {"材料不全"}}}));
    CHECK(has(why, "data.reasons: \"材料不全\" is not a finding code of CN-GD@2026.1"));
    CHECK(has(why, "data.note"));
    CHECK(has(why, "MATERIAL_MISSING"));  // the codes are listed
    const auto s = take(r, ev("reject", "2026-03-20",
                              {{"reasons", {"MATERIAL_MISSING", "HISTORY_MISMATCH"}},
                               {"note", "营业执照副本缺失"}}));
    CHECK(s.state == "rejected");
    CHECK(s.rejection_reasons == std::vector<std::string>{"MATERIAL_MISSING", "HISTORY_MISMATCH"});
    CHECK(has(
        refusal(r, ev("reject", "2026-03-20", {{"reasons", {"MATERIAL_MISSING"}}, {"note", 7}})),
        "data.note must be text"));
}

TEST_CASE("supplement requests name what can be supplied (issue 10)") {
    const auto r = gd("under_review");
    CHECK(has(refusal(r, ev("request_supplement", "2026-03-20",
                            {{"items", {"materials.nonsense.path"}}})),
              "could never be supplied"));
    CHECK(has(refusal(r, ev("request_supplement", "2026-03-20", {{"items", {"nonsense"}}})),
              "\"nonsense\" is neither a kind of material"));
    // a kind of material, or a field of the application (also a field of each number)
    for (const char* item : {"tax_registration", "materials.tax_registration",
                             "applicant.legal_representative.name", "numbers.purpose"}) {
        CAPTURE(item);
        CHECK(take(r, ev("request_supplement", "2026-03-20", {{"items", {item}}})).state ==
              "supplement_requested");
    }
}

TEST_CASE("stored events replay as they were recorded, whatever the checks added since") {
    // a history written before event data was checked: a complaint about "1"
    testing::temp_db db;
    auto store = case_store::open(db.path());
    case_service service(store, manager(), testing::test_clock());
    const auto id = service.create(example("gd-retail-eligible"), ev("create", "2026-03-02")).id;
    for (const auto& [type, at] :
         {std::pair{"submit", "2026-03-02"}, {"accept", "2026-03-03"}, {"approve", "2026-03-18"}})
        (void)service.apply(id, ev(type, at));
    auto s = service.get(id);
    s.complaints["1"].push_back(*date::parse("2026-03-20"));
    ++s.version;
    event_input old{"complaint",       "officer-7", "2026-03-20",
                    {{"number", "1"}}, nullptr,     s.ruleset_digest};
    (void)store.append(id, 4, old, s.state, s.to_json());
    CHECK(service.verify(id).ok());
}

TEST_CASE("event data is read strictly: a key given twice is refused (issue 10)") {
    try {
        (void)parse_input_json(R"({"number": "13866751415",
  "number": "13985106886"})",
                               "--data");
        FAIL("accepted a duplicate key");
    } catch (const input_error& e) {
        CHECK(e.json_path() == "$.number");
        CHECK(e.line() == 1);  // the line of the first of the two
        CHECK(has(e.what(), "appears twice"));
    }
}

TEST_CASE("event data holds only the fields the event reads (issue 10)") {
    const auto w = gd("whitelisted");
    const auto why = refusal(
        w, ev("complaint", "2026-03-20", {{"number", "13866751415"}, {"notes", "typo of note"}}));
    CHECK(has(why, "data.notes is not a field of 'complaint' (it takes note, number, source)"));
    CHECK(has(refusal(w, ev("complaint", "2026-03-20", {{"number", "13866751415"}, {"note", 3}})),
              "data.note must be text"));
    CHECK(take(w, ev("complaint", "2026-03-20",
                     {{"number", "13866751415"}, {"note", "called at 22:00"}}))
              .state == "whitelisted");
    const auto r = gd("under_review");
    CHECK(has(refusal(r, ev("reject", "2026-03-20",
                            {{"reasons", {"MATERIAL_MISSING", "MATERIAL_MISSING"}}})),
              "is listed twice"));
    CHECK(has(refusal(r, ev("request_supplement", "2026-03-20", {{"items", {"submitted_on"}}})),
              "identifies the application"));
    CHECK(has(refusal(r, ev("request_supplement", "2026-03-20",
                            {{"items", {"tax_registration", "tax_registration"}}})),
              "is listed twice"));
    CHECK(has(refusal(gd("submitted"), ev("accept", "2026-03-20", {{"extra", 1}})),
              "data.extra is not a field of 'accept' (it takes note)"));
}

TEST_CASE(
    "only events that amend the application take a patch, and a changed applicant or "
    "number is judged against the store (issue 10)") {
    const auto w = gd("whitelisted");
    // a complaint, an approval, a change accepted: no patch
    const json numbers = {
        {"numbers", json::array({{{"number", "13900001111"}, {"purpose", "x"}}})}};
    CHECK(has(
        refusal(w, ev("complaint", "2026-03-20", {{"number", "13866751415"}, {"patch", numbers}})),
        "data.patch is not a field of 'complaint'"));
    CHECK(has(refusal(gd("under_review"), ev("approve", "2026-03-20", {{"patch", numbers}})),
              "data.patch is not a field of 'approve'"));
    const auto pending = take(w, ev("report_change", "2026-03-20", {{"changed_on", "2026-03-19"}}));
    REQUIRE(pending.state == "change_pending");
    const auto why_not =
        refusal(pending, ev("change_accepted", "2026-03-21", {{"patch", numbers}}));
    CHECK_MESSAGE(has(why_not, "data.patch is not a field of 'change_accepted'"), why_not);
    // a reported change may amend it (report_change amends the application)
    CHECK(take(w, ev("report_change", "2026-03-20",
                     {{"changed_on", "2026-03-19"}, {"patch", numbers}}))
              .state == "change_pending");

    // with a store: another company's live case holds the number
    testing::store_and_service f;
    json other = example("gd-retail-eligible");
    other["id"] = "OTHER";
    other["applicant"]["uscc"] = "91330110MA28C4LU3D";
    other["materials"]["business_license"]["uscc"] = "91330110MA28C4LU3D";
    other["numbers"] = json::array({{{"number", "13900001111"}, {"purpose", "x"}}});
    f.service.create(other, ev("create", "2026-03-02"), "OTHER");
    f.service.apply("OTHER", ev("submit", "2026-03-16"));
    f.service.create(example("gd-retail-eligible"), ev("create", "2026-03-02"), "GD");
    for (const auto& [type, at] :
         {std::pair{"submit", "2026-03-16"}, {"accept", "2026-03-17"}, {"approve", "2026-03-18"}})
        f.service.apply("GD", ev(type, at));
    const auto before = f.store.events("GD").size();
    json mine = example("gd-retail-eligible")["numbers"];
    mine.push_back({{"number", "+86 139 0000 1111"}, {"purpose", "x"}});
    CHECK_THROWS_WITH_AS(
        f.service.apply("GD", ev("report_change", "2026-03-20",
                                 {{"changed_on", "2026-03-19"}, {"patch", {{"numbers", mine}}}})),
        doctest::Contains("NUMBER_ALREADY_REGISTERED[13900001111]"), transition_refused);
    // nor become another company
    CHECK_THROWS_WITH_AS(
        f.service.apply("GD", ev("report_change", "2026-03-20",
                                 {{"changed_on", "2026-03-19"},
                                  {"patch", {{"applicant", {{"uscc", "91330110MA28C4LU3D"}}}}}})),
        doctest::Contains("cannot change the applicant"), transition_refused);
    CHECK(f.store.events("GD").size() == before);
    // a change the store has nothing against is taken, and the facts it was judged with kept
    const auto r = f.service.apply(
        "GD",
        ev("report_change", "2026-03-20",
           {{"changed_on", "2026-03-19"},
            {"patch",
             {{"numbers", json::array({{{"number", "13866751415"}, {"purpose", "安装预约"}}})}}}}));
    CHECK(r.after.state == "change_pending");
    CHECK(r.outcome.contains("store_facts"));
    CHECK(f.service.verify().ok());
}

TEST_CASE("a rejected change is undone; an accepted one stands (issue 10)") {
    testing::store_and_service f;
    f.service.create(example("gd-retail-eligible"), ev("create", "2026-03-02"), "GD");
    for (const auto& [type, at] :
         {std::pair{"submit", "2026-03-16"}, {"accept", "2026-03-17"}, {"approve", "2026-03-18"}})
        f.service.apply("GD", ev(type, at));
    const json before = f.service.get("GD").application;
    const json one = json::array({{{"number", "13866751415"}, {"purpose", "安装预约"}}});
    auto r =
        f.service.apply("GD", ev("report_change", "2026-03-20",
                                 {{"changed_on", "2026-03-19"}, {"patch", {{"numbers", one}}}}));
    CHECK(r.after.application["numbers"] == one);  // shown while pending
    REQUIRE(r.after.held_application);
    r = f.service.apply("GD", ev("change_rejected", "2026-03-21"));
    CHECK(r.after.state == "whitelisted");
    CHECK(r.after.application == before);  // undone
    CHECK_FALSE(r.after.held_application);
    CHECK_FALSE(r.after.to_json().contains("held_application"));
    // the store's index follows: every number of the application is held again
    CHECK(f.service.facts(example("gd-retail-eligible"), "OTHER").registrations.size() ==
          before["numbers"].size());
    r = f.service.apply("GD", ev("report_change", "2026-03-22",
                                 {{"changed_on", "2026-03-21"}, {"patch", {{"numbers", one}}}}));
    r = f.service.apply("GD", ev("change_accepted", "2026-03-23"));
    CHECK(r.after.application["numbers"] == one);  // stands
    CHECK_FALSE(r.after.held_application);
    CHECK(f.service.verify().ok());
}

TEST_CASE("an accepted change is judged by the rules: a change that fails them is not accepted") {
    const auto w = gd("whitelisted");
    const auto pending = take(
        w,
        ev("report_change", "2026-03-20",
           {{"changed_on", "2026-03-19"},
            {"patch", {{"materials", {{"business_license", {{"uscc", "91330110MA28C4LU3D"}}}}}}}}));
    REQUIRE(pending.state == "change_pending");
    CHECK(has(refusal(pending, ev("change_accepted", "2026-03-21")), "LICENSE_USCC_MISMATCH"));
    CHECK(take(pending, ev("change_rejected", "2026-03-21")).application == w.application);
}
