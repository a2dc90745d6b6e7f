// Cases through the approval workflow (docs/policy.md §5, docs/workflow.md): every transition
// allowed and refused, deadlines on the working calendar, replay and tampering, concurrent writers.
//
// Applications are the shipped examples (examples/applications/) and fixtures
// (rulesets/tests/fixtures/) on the shipped rulesets, calendar and workflows. Dates in comments
// are worked out by hand from rulesets/calendars/CN.json: "WD7" is the 7th working day after the
// event's date (the event's date itself never counts).

#include <doctest/doctest.h>

#include "store_testing.hpp"
#include "test_clock.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

#include <sqlite3.h>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/workflow/workflow.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path rulesets_dir{TELECOMPLY_RULESETS_DIR};
const fs::path source_dir = rulesets_dir.parent_path();

const case_manager& manager() {
    static const case_manager m(std::make_shared<const engine>(rulesets_dir));
    return m;
}

json read_json(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE_MESSAGE(in, p.string());
    return json::parse(in);
}
json example(const std::string& name) {
    return read_json(source_dir / "examples" / "applications" / (name + ".json"));
}
json fixture(const std::string& name) {
    return read_json(rulesets_dir / "tests" / "fixtures" / (name + ".json"));
}
// The application as if submitted on another day (rules pinned to that day).
json submitted_on(json app, const std::string& day) {
    app["submitted_on"] = day;
    return app;
}

date d(std::string_view s) {
    const auto x = date::parse(s);
    REQUIRE_MESSAGE(x.has_value(), std::string(s));
    return *x;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

case_event ev(std::string type, std::string at, json data = json::object()) {
    case_event e;
    e.type = std::move(type);
    e.actor = "officer-7";
    e.at = std::move(at);
    e.data = std::move(data);
    return e;
}

// ---- in memory (case_manager) ----

// Applies an event that must move the case to `to`.
case_state take(const case_state& s, const case_event& e, std::string_view to) {
    INFO("event " << e.type << " at " << e.at << " in state " << s.state << " of " << s.id);
    const auto r = manager().apply(s, e);  // an exception fails the test with its message
    CHECK(r.after.state == to);
    CHECK(r.after.version == s.version + 1);
    return r.after;
}

// An event that must be refused: transition_refused, and the case exactly as it was. Returns
// the message.
std::string refused_in_memory(const case_state& s, const case_event& e) {
    INFO("event " << e.type << " at " << e.at << " in state " << s.state << " of " << s.id);
    const json before = s.to_json();
    std::string what;
    try {
        (void)manager().apply(s, e);
        FAIL_CHECK("the event was not refused");
    } catch (const transition_refused& x) {
        what = x.what();
        CHECK(x.code() == errc::transition_refused);
    }
    CHECK(s.to_json() == before);
    return what;
}

// What time makes due at `now`, applied in memory (what case_service::tick does per case).
case_state tick(case_state s, date now) {
    for (const auto& e : manager().due(s, now))
        s = manager().apply(s, e).after;
    return s;
}

case_state create(const json& app) {
    return manager().create(app);
}

// ---- the shipped Guangdong example through every state ----
//
// gd-retail-eligible: CN-GD, rules 2026.1, submitted Mon 2026-03-16, 11 numbers, retail (no
// obligation). accept on Tue 03-17 starts the review clock (40 working days in CN-GD); approve on
// Wed 03-18 starts a validity of 12 months: last day 2027-03-18.
struct step {
    std::string parent, type, at;
    json data;
};
const std::map<std::string, step>& gd_steps() {
    static const std::map<std::string, step> steps = {
        {"submitted", {"draft", "submit", "2026-03-16", json::object()}},
        {"under_review", {"submitted", "accept", "2026-03-17", json::object()}},
        {"supplement_requested",
         {"under_review",
          "request_supplement",
          "2026-03-18",
          {{"items", json::array({"tax_registration"})}}}},
        {"site_inspection", {"under_review", "schedule_inspection", "2026-03-18", json::object()}},
        {"rejected",
         {"under_review",
          "reject",
          "2026-03-18",
          {{"reasons", json::array({"DAILY_CALL_CAP_EXCEEDED"})}}}},
        {"rectifying", {"rejected", "rectify", "2026-03-19", json::object()}},
        {"whitelisted", {"under_review", "approve", "2026-03-18", json::object()}},
        {"change_pending",
         {"whitelisted", "report_change", "2026-03-20", {{"changed_on", "2026-03-19"}}}},
        {"suspended", {"whitelisted", "compliance_check_failed", "2026-03-20", json::object()}},
        {"renewal_review", {"whitelisted", "submit_renewal", "2027-03-01", json::object()}},
        {"withdrawn", {"draft", "withdraw", "2026-03-16", json::object()}},
        {"barred", {"under_review", "find_false_information", "2026-03-18", json::object()}},
        {"revoked", {"suspended", "revoke", "2026-03-21", json::object()}},
        // the validity's last day is 2027-03-18: a tick on the next day expires the case
        {"expired", {"whitelisted", "tick", "2027-03-19", json::object()}},
    };
    return steps;
}
std::vector<step> gd_path(const std::string& state) {
    std::vector<step> out;
    for (std::string s = state; s != "draft";) {
        const auto& st = gd_steps().at(s);
        out.push_back(st);
        s = st.parent;
    }
    std::reverse(out.begin(), out.end());
    return out;
}
// The date of the last step to `state` (events "now" in that state).
std::string gd_date(const std::string& state) {
    return state == "draft" ? "2026-03-16" : gd_steps().at(state).at;
}
case_state gd_case(const std::string& state) {
    case_state s = create(example("gd-retail-eligible"));
    for (const auto& st : gd_path(state)) {
        if (st.type == "tick")
            s = tick(s, d(st.at));
        else
            s = manager().apply(s, ev(st.type, st.at, st.data)).after;
    }
    REQUIRE(s.state == state);
    return s;
}

// docs/policy.md §5, written out independently of rulesets/workflow/CN.json: the events each state
// allows.
const std::map<std::string, std::set<std::string>>& policy_events() {
    static const std::map<std::string, std::set<std::string>> m = {
        {"draft", {"submit", "withdraw"}},
        {"submitted", {"accept", "request_supplement"}},
        {"under_review",
         {"request_supplement", "schedule_inspection", "approve", "reject",
          "find_false_information"}},
        {"supplement_requested", {"supplement"}},
        {"site_inspection", {"inspection_passed", "inspection_failed", "find_false_information"}},
        {"rejected", {"withdraw", "rectify"}},
        {"rectifying", {"withdraw", "resubmit"}},
        {"whitelisted",
         {"report_change", "complaint", "compliance_check_failed", "submit_renewal"}},
        {"change_pending", {"change_accepted", "change_rejected"}},
        {"suspended", {"reinstate", "revoke"}},
        {"renewal_review", {"approve_renewal"}},
        {"withdrawn", {}},
        {"barred", {}},
        {"revoked", {}},
        {"expired", {}},
    };
    return m;
}

// Data each event needs, so that a refusal is about the state and not the payload.
json plausible_data(const std::string& event) {
    if (event == "request_supplement") return {{"items", json::array({"tax_registration"})}};
    if (event == "reject" || event == "inspection_failed")
        return {{"reasons", json::array({"DAILY_CALL_CAP_EXCEEDED"})}};
    if (event == "report_change") return {{"changed_on", "2026-03-19"}};
    if (event == "complaint") return {{"number", "13866751415"}};
    return json::object();
}

// ---- through the store (case_service) ----

using testing::temp_db;

using testing::raw_sql;

struct service_fixture {
    temp_db db;
    case_store store = case_store::open(db.path());
    case_service service{store, manager(), testing::test_clock()};

    case_state create(const json& app, const std::string& id = {},
                      const std::string& at = "2026-03-02T09:00:00+08:00") {
        return service.create(app, ev("create", at), id);
    }

    case_state take(const std::string& id, const case_event& e, std::string_view to) {
        INFO("event " << e.type << " at " << e.at << " on case " << id);
        const auto before = store.get(id);
        REQUIRE(before);
        const auto r = service.apply(id, e);
        CHECK(r.after.state == to);
        const auto row = store.get(id);
        REQUIRE(row);
        CHECK(row->version == before->version + 1);
        CHECK(row->state == to);
        CHECK(row->snapshot == r.after.to_json());
        return r.after;
    }

    // Refused by the manager (the case unchanged) and by the service: nothing written.
    std::string refused(const std::string& id, const case_event& e) {
        const auto row = store.get(id);
        REQUIRE(row);
        const auto events = store.events(id).size();
        const std::string what = refused_in_memory(service.get(id), e);
        CHECK_THROWS_AS(service.apply(id, e), transition_refused);
        const auto after = store.get(id);
        REQUIRE(after);
        CHECK(after->version == row->version);
        CHECK(after->state == row->state);
        CHECK(after->snapshot == row->snapshot);
        CHECK(store.events(id).size() == events);
        return what;
    }

    // The automatic events due at `now` for one case only (tick() ticks every case).
    void tick_one(const std::string& id, date now) {
        for (const auto& e : manager().due(service.get(id), now))
            service.apply(id, e);
    }

    // gd-retail-eligible under `id`, brought to `state` by the steps above.
    void reach_gd(const std::string& id, const std::string& state) {
        create(example("gd-retail-eligible"), id);
        for (const auto& st : gd_path(state)) {
            if (st.type == "tick")
                tick_one(id, d(st.at));
            else
                service.apply(id, ev(st.type, st.at, st.data));
        }
        REQUIRE(service.get(id).state == state);
    }

    void check_replays(const std::string& id) {
        INFO("case " << id);
        const auto diffs = service.check_replay(id);
        for (const auto& x : diffs)
            FAIL_CHECK(x);
        const auto row = store.get(id);
        REQUIRE(row);
        CHECK(manager().replay(store.events(id)).to_json() == row->snapshot);
        CHECK(store.verify(id).ok());
    }
};

// `how_many` more valid mobile numbers: 139 0000 0010, 0011...
json more_numbers(json numbers, int how_many) {
    for (int i = 0; i < how_many; ++i) {
        const std::string n = std::to_string(13900000000LL + 10 + i);
        numbers.push_back({{"number", n}, {"purpose", "售后回访"}});
    }
    return numbers;
}

}  // namespace

// ======================================================================== creation

TEST_CASE("cases: create pins the ruleset in force on the submission date") {
    const auto gd = create(example("gd-retail-eligible"));
    CHECK(gd.id == "GD-2026-0412");
    CHECK(gd.region == "CN-GD");
    CHECK(gd.state == "draft");
    CHECK(gd.version == 0);
    CHECK(gd.ruleset_id == "CN-GD");
    CHECK(gd.ruleset_version == "2026.1");
    CHECK(gd.pinned_on == d("2026-03-16"));
    CHECK(gd.ruleset_digest.starts_with("sha256:"));
    CHECK(gd.deadlines.empty());

    const auto sd = create(example("sd-travel-eligible"));
    CHECK(sd.ruleset_version == "2025.1");
    CHECK(manager().create(example("sd-travel-eligible"), "other-id").id == "other-id");

    // the summary `case show --format json` prints
    const auto summary = gd.summary();
    for (const char* key :
         {"id", "region", "state", "ruleset_version", "deadlines", "obligations", "findings"})
        CHECK_MESSAGE(summary.contains(key), key);
    CHECK(summary["deadlines"].is_object());

    service_fixture f;
    const auto stored = f.create(example("gd-retail-eligible"));
    CHECK(stored.version == 1);
    const auto events = f.store.events(stored.id);
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "create");
    CHECK(events[0].payload.at("application") == example("gd-retail-eligible"));
    CHECK(f.service.get(stored.id).to_json() == stored.to_json());
    CHECK_THROWS_AS((void)f.service.get("nowhere"), not_found_error);
    CHECK_THROWS_AS(f.service.apply("nowhere", ev("submit", "2026-03-16")), not_found_error);
    // one id, one case
    CHECK_THROWS_AS(f.create(example("gd-retail-eligible")), conflict_error);
}

// ======================================================================== the matrix

TEST_CASE("cases: the shipped workflow allows exactly the events of docs/policy.md section 5") {
    for (const char* region : {"CN-GD", "CN-BJ", "CN"}) {
        CAPTURE(region);
        const auto& wf = manager().workflow_for(region);
        CHECK(wf.states().size() == policy_events().size());
        for (const auto& state : wf.states())
            for (const auto& event : wf.events()) {
                CAPTURE(state);
                CAPTURE(event);
                CHECK(!wf.on_event(state, event).empty() == policy_events().at(state).count(event));
            }
    }
}

TEST_CASE("cases: every event a state does not allow is refused there; nothing is written") {
    const auto& wf = manager().workflow_for("CN-GD");
    int checked = 0;
    // names, not structured bindings: CAPTURE captures them in a lambda, which C++20 allows
    // (P1091) but clang before 16 refuses
    for (const auto& entry : policy_events()) {
        const std::string& state = entry.first;
        const auto& allowed = entry.second;
        CAPTURE(state);
        // a store per case: one applicant's barred case would refuse its next application
        service_fixture f;
        const std::string id = "GD-" + state;
        f.reach_gd(id, state);
        for (const auto& event : wf.events()) {
            if (allowed.count(event) != 0) continue;
            CAPTURE(event);
            const auto what = f.refused(id, ev(event, gd_date(state), plausible_data(event)));
            CHECK(contains(what, "event '" + event + "' refused in state '" + state + "'"));
            CHECK(contains(what, "not allowed in this state"));
            if (wf.is_final(state)) CHECK(contains(what, "final state"));
            ++checked;
        }
        // an unknown event, too
        CHECK(contains(f.refused(id, ev("bribe", gd_date(state))), "not allowed"));
        f.check_replays(id);  // and it still replays to its snapshot
    }
    CHECK(checked > 250);
}

TEST_CASE("cases: every transition of docs/policy.md section 5 is taken from each of its states") {
    struct row {
        std::string from, event, at;
        json data;
        std::string to;
    };
    const json tax = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};
    const json reasons = {{"reasons", json::array({"DAILY_CALL_CAP_EXCEEDED"})}};
    const json items = {{"items", json::array({"tax_registration"})}};
    const std::vector<row> rows = {
        {"draft", "submit", "2026-03-16", json::object(), "submitted"},
        {"draft", "withdraw", "2026-03-16", json::object(), "withdrawn"},
        {"rejected", "withdraw", "2026-03-20", json::object(), "withdrawn"},
        {"rectifying", "withdraw", "2026-03-20", json::object(), "withdrawn"},
        {"submitted", "accept", "2026-03-17", json::object(), "under_review"},
        {"submitted", "request_supplement", "2026-03-17", items, "supplement_requested"},
        {"under_review", "request_supplement", "2026-03-18", items, "supplement_requested"},
        {"supplement_requested", "supplement", "2026-03-20", tax, "under_review"},
        {"under_review", "schedule_inspection", "2026-03-18", json::object(), "site_inspection"},
        {"site_inspection", "inspection_passed", "2026-03-20", json::object(), "under_review"},
        {"site_inspection", "inspection_failed", "2026-03-20", reasons, "rejected"},
        {"under_review", "approve", "2026-03-18", json::object(), "whitelisted"},
        {"under_review", "reject", "2026-03-18", reasons, "rejected"},
        {"under_review", "find_false_information", "2026-03-18", json::object(), "barred"},
        {"site_inspection", "find_false_information", "2026-03-20", json::object(), "barred"},
        {"rejected", "rectify", "2026-03-20", json::object(), "rectifying"},
        {"rectifying", "resubmit", "2026-03-20", json::object(), "submitted"},
        {"whitelisted",
         "report_change",
         "2026-03-20",
         {{"changed_on", "2026-03-19"}},
         "change_pending"},
        {"change_pending", "change_accepted", "2026-03-23", json::object(), "whitelisted"},
        {"change_pending", "change_rejected", "2026-03-23", json::object(), "whitelisted"},
        {"whitelisted", "complaint", "2026-03-20", {{"number", "13866751415"}}, "whitelisted"},
        {"whitelisted", "compliance_check_failed", "2026-03-20", json::object(), "suspended"},
        {"suspended", "reinstate", "2026-03-23", json::object(), "whitelisted"},
        {"suspended", "revoke", "2026-03-23", json::object(), "revoked"},
        {"whitelisted", "submit_renewal", "2027-03-01", json::object(), "renewal_review"},
        {"renewal_review", "approve_renewal", "2027-03-05", json::object(), "whitelisted"},
        // automatic: the timers' last days are 2026-04-09 (supplement) and 2027-03-18
        {"supplement_requested",
         "timer",
         "2026-04-10",
         {{"timer", "supplement_deadline"}},
         "rejected"},
        {"whitelisted", "timer", "2027-03-19", {{"timer", "validity"}}, "expired"},
        {"renewal_review", "timer", "2027-03-19", {{"timer", "validity"}}, "expired"},
    };
    std::set<std::pair<std::string, std::string>> covered;
    for (const auto& r : rows) {
        CAPTURE(r.from);
        CAPTURE(r.event);
        const auto s = gd_case(r.from);
        take(s, ev(r.event, r.at, r.data), r.to);
        covered.emplace(r.from, r.event);
    }
    // every (state, event) pair docs/policy.md allows is in the table
    for (const auto& entry : policy_events())
        for (const auto& event : entry.second) {
            const std::string& state = entry.first;
            CAPTURE(state);
            CAPTURE(event);
            CHECK(covered.count({state, event}) == 1);
        }
}

TEST_CASE("cases: final states refuse everything, timers included, and tick leaves them") {
    for (const char* state : {"withdrawn", "barred", "revoked", "expired"}) {
        CAPTURE(state);
        const auto s = gd_case(state);
        CHECK(manager().workflow_for("CN-GD").is_final(s.state));
        for (const auto& event : manager().workflow_for("CN-GD").events())
            CHECK(contains(refused_in_memory(s, ev(event, "2027-06-01", plausible_data(event))),
                           "a final state"));
        for (const char* timer : {"review_sla", "supplement_deadline", "validity"})
            CHECK(contains(refused_in_memory(s, ev("timer", "2027-06-01", {{"timer", timer}})),
                           "not running"));
        CHECK(s.deadlines.empty());
        CHECK(manager().due(s, d("2028-12-31")).empty());
    }
}

// ======================================================================== intake

TEST_CASE("cases: submit runs the intake rules of the pinned ruleset") {
    SUBCASE("an eligible application is submitted; its findings are kept") {
        const auto s =
            take(create(example("gd-retail-eligible")), ev("submit", "2026-03-16"), "submitted");
        CHECK(s.findings == json::array());
        const auto r =
            manager().apply(create(example("zj-ecommerce-eligible")), ev("submit", "2025-11-10"));
        CHECK(r.transition == "submit");
        REQUIRE(r.verdict.is_object());
        CHECK(r.verdict["decision"] == "eligible");
        CHECK(r.verdict["ruleset"] == "CN-ZJ@2025.1");
        REQUIRE(r.after.findings.size() == 1);
        CHECK(r.after.findings[0]["code"] == "LEGACY_CERTIFICATE_SATISFIED");
        CHECK(r.after.findings[0]["severity"] == "info");
    }
    SUBCASE("a missing material is a blocking finding: refused, naming the code and subject") {
        auto app = example("gd-retail-eligible");
        app["materials"].erase("marketing_plan");
        service_fixture f;
        const auto s = f.create(app);
        const auto what = f.refused(s.id, ev("submit", "2026-03-16"));
        CHECK(contains(what, "blocking"));
        CHECK(contains(what, "MATERIAL_MISSING[marketing_plan]"));
        // the applicant supplies it with the submission: a merge patch of the application
        const auto fixed =
            f.take(s.id,
                   ev("submit", "2026-03-16",
                      {{"patch",
                        {{"materials",
                          {{"marketing_plan",
                            example("gd-retail-eligible")["materials"]["marketing_plan"]}}}}}}),
                   "submitted");
        CHECK(fixed.application == example("gd-retail-eligible"));
        f.check_replays(s.id);
    }
    SUBCASE("an unknown (applicant.history removed) refuses submit, naming the finding codes") {
        auto app = example("gd-retail-eligible");
        app["applicant"].erase("history");
        const auto what = refused_in_memory(create(app), ev("submit", "2026-03-16"));
        CHECK(contains(what, "REAPPLY_BANNED"));
        CHECK(contains(what, "VIOLATION_HISTORY"));
        CHECK(contains(what, "REJECTION_COOLDOWN"));
        CHECK(contains(what, "applicant.history"));
        // the shipped needs-evidence example: the same
        const auto sh = create(example("sh-education-history-missing-needs-evidence"));
        CHECK(contains(refused_in_memory(sh, ev("submit", "2026-03-23")), "REAPPLY_BANNED"));
        // and a missing licence date (FJ example): LICENSE_EXPIRED cannot be decided
        const auto fj = create(example("fj-logistics-details-missing-needs-evidence"));
        const auto why = refused_in_memory(fj, ev("submit", "2025-09-15"));
        CHECK(contains(why, "LICENSE_EXPIRED"));
        CHECK(contains(why, "materials.business_license.valid_until"));
        CHECK(contains(why, "RESIDENT_ID_INVALID"));
    }
    SUBCASE("nothing unknown: a warning rule that cannot be decided refuses submit too") {
        // CN-ZJ keeps the national COMPANY_TOO_NEW, a warning; without the establishment date
        // it cannot be decided, and the intake is not complete (docs/policy.md §5: "nothing
        // unknown")
        auto app = example("zj-ecommerce-eligible");
        app["applicant"].erase("established_on");
        const auto what = refused_in_memory(create(app), ev("submit", "2025-11-10"));
        CHECK(contains(what, "COMPANY_TOO_NEW (missing applicant.established_on)"));
    }
    SUBCASE("the ineligible examples are refused with their blocking codes") {
        const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
            {"gd-new-company-ineligible", {"COMPANY_TOO_NEW", "DAILY_CALL_CAP_EXCEEDED"}},
            {"cq-banned-reapplicant-ineligible", {"REAPPLY_BANNED", "NUMBER_NOT_ALLOWED"}},
            {"js-mvno-number-ineligible", {"NUMBER_MVNO"}},
            {"bj-online-too-many-numbers-ineligible",
             {"NUMBER_COUNT_EXCEEDED", "CHANNEL_NOT_ACCEPTED"}},
            {"hb-numbers-without-purpose-ineligible", {"NUMBER_PURPOSE_MISSING"}},
            {"hn-real-estate-2026-rules-ineligible",
             {"MATERIAL_MISSING[industry_license]", "CONSENT_MECHANISM_MISSING"}},
        };
        for (const auto& entry : cases) {
            const auto& name = entry.first;
            const auto& codes = entry.second;
            CAPTURE(name);
            const auto app = example(name);
            const auto what = refused_in_memory(
                create(app), ev("submit", app["submitted_on"].get<std::string>()));
            for (const auto& code : codes)
                CHECK_MESSAGE(contains(what, code), what);
        }
    }
    SUBCASE("a patch may not change the id or region, nor make the application invalid") {
        const auto s = create(example("gd-retail-eligible"));
        CHECK(contains(refused_in_memory(s, ev("submit", "2026-03-16", {{"patch", {{"id", "X"}}}})),
                       "id or region"));
        CHECK(contains(
            refused_in_memory(s, ev("submit", "2026-03-16", {{"patch", {{"region", "CN-BJ"}}}})),
            "id or region"));
        CHECK(contains(
            refused_in_memory(s, ev("submit", "2026-03-16", {{"patch", {{"numbers", "138"}}}})),
            "not valid"));
        CHECK(contains(refused_in_memory(s, ev("submit", "2026-03-16", {{"patch", json::array()}})),
                       "merge patch"));
    }
    SUBCASE("bad event times are usage errors, the case untouched") {
        const auto s = create(example("gd-retail-eligible"));
        CHECK_THROWS_AS((void)manager().apply(s, ev("submit", "16/03/2026")), usage_error);
        CHECK_THROWS_AS((void)manager().apply(s, ev("submit", "2026-02-30")), usage_error);
        // RFC 3339 times are dated in China Standard Time: 17:00Z on the 15th is the 16th in
        // Beijing
        CHECK(case_manager::event_date("2026-03-15T17:00:00Z") == d("2026-03-16"));
        CHECK(case_manager::event_date("2026-03-15T15:59:59Z") == d("2026-03-15"));
    }
}

TEST_CASE("cases: withdraw from draft, rejected and rectifying") {
    for (const char* from : {"draft", "rejected", "rectifying"}) {
        CAPTURE(from);
        const auto s = gd_case(from);
        const auto w = take(s, ev("withdraw", "2026-03-20"), "withdrawn");
        CHECK(w.deadlines.empty());
    }
    for (const char* from : {"submitted", "under_review", "supplement_requested", "site_inspection",
                             "whitelisted", "suspended"})
        CHECK(contains(refused_in_memory(gd_case(from), ev("withdraw", "2026-03-20")),
                       "not allowed"));
}

// ======================================================================== supplements

TEST_CASE("cases: request_supplement names items; supplement needs them all") {
    SUBCASE("data.items is required: a non-empty list of strings") {
        for (const auto& data :
             {json::object(), json{{"items", json::array()}}, json{{"items", "tax_registration"}},
              json{{"items", json::array({1, 2})}}}) {
            CAPTURE(data.dump());
            CHECK(contains(refused_in_memory(gd_case("under_review"),
                                             ev("request_supplement", "2026-03-18", data)),
                           "data.items"));
        }
    }
    SUBCASE("from under_review: the deadline runs 15 working days; the review clock keeps on") {
        service_fixture f;
        f.reach_gd("C", "under_review");
        // requested on Wed 2026-03-18. WD1-3 03-19, 03-20, 03-23 (Sat/Sun 21-22 off)...
        // WD1 Thu 03-19, WD2 Fri 03-20, WD3-7 Mon 03-23..Fri 03-27, WD8-9 Mon 03-30, Tue 03-31,
        // WD10-12 Wed 04-01..Fri 04-03, Qingming 04-04..04-06 off (Sat..Mon), WD13 Tue 04-07,
        // WD14 Wed 04-08, WD15 Thu 04-09.
        auto s = f.take("C",
                        ev("request_supplement", "2026-03-18",
                           {{"items", json::array({"tax_registration", "org_code_certificate"})}}),
                        "supplement_requested");
        CHECK(s.requested_items ==
              std::vector<std::string>{"tax_registration", "org_code_certificate"});
        CHECK(s.deadlines.at("supplement_deadline").due == d("2026-04-09"));
        CHECK(s.deadlines.at("review_sla").due == d("2026-05-15"));

        // nothing supplied yet: refused, naming both
        auto what = f.refused("C", ev("supplement", "2026-03-25"));
        CHECK(contains(what, "still missing tax_registration, org_code_certificate"));
        // one of the two: still refused, naming the other; the patch is not kept
        what = f.refused("C",
                         ev("supplement", "2026-03-25",
                            {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}}));
        CHECK(contains(what, "still missing org_code_certificate"));
        CHECK(!contains(what, "tax_registration,"));
        CHECK(!f.service.get("C").application["materials"].contains("tax_registration"));

        // both, on the last day: meets the deadline
        s = f.take("C",
                   ev("supplement", "2026-04-09",
                      {{"patch",
                        {{"materials",
                          {{"tax_registration", json::object()},
                           {"org_code_certificate", json::object()}}}}}}),
                   "under_review");
        CHECK(s.deadlines.count("supplement_deadline") == 0);
        CHECK(s.deadlines.at("review_sla").due == d("2026-05-15"));
        CHECK(s.application["materials"].contains("org_code_certificate"));
        // a tick long after the old supplement deadline does nothing to it
        f.tick_one("C", d("2026-05-15"));
        CHECK(f.service.get("C").state == "under_review");
        f.check_replays("C");
    }
    SUBCASE("from submitted; dotted paths name any part of the application") {
        const auto s0 = gd_case("submitted");
        auto s = take(s0,
                      ev("request_supplement", "2026-03-17",
                         {{"items", json::array({"applicant.legal_representative.name",
                                                 "materials.industry_license"})}}),
                      "supplement_requested");
        // WD15 from Tue 03-17: 03-18..03-20 (3), 03-23..27 (8), 03-30, 31 (10), 04-01..03 (13),
        // Qingming off, 04-07 (14), 04-08 (15)
        CHECK(s.deadlines.at("supplement_deadline").due == d("2026-04-08"));
        CHECK(s.deadlines.count("review_sla") == 0);  // the review clock starts with accept
        // the legal representative's name is present already; the industry licence is not
        const auto what = refused_in_memory(s, ev("supplement", "2026-03-20"));
        CHECK(contains(what, "still missing materials.industry_license"));
        CHECK(!contains(what, "legal_representative"));
        s = take(s,
                 ev("supplement", "2026-03-20",
                    {{"patch",
                      {{"materials",
                        {{"industry_license",
                          {{"industry", "retail"},
                           {"number", "粤零售-2020-001"},
                           {"valid_until", "2029-12-31"}}}}}}}}),
                 "under_review");
        CHECK(s.deadlines.empty());
    }
    SUBCASE("the deadline passes: a tick the day after rejects, SUPPLEMENT_DEADLINE_MISSED") {
        service_fixture f;
        f.reach_gd("C", "supplement_requested");  // requested Wed 03-18: last day Thu 04-09
        const auto before = f.store.get("C")->version;
        CHECK(f.service.tick(d("2026-04-09")).empty());  // on the last day: nothing
        CHECK(f.store.get("C")->version == before);
        const auto done = f.service.tick(d("2026-04-10"));
        REQUIRE(done.size() == 1);
        CHECK(done[0].first == "C");
        CHECK(done[0].second.type == "timer");
        CHECK(done[0].second.data["timer"] == "supplement_deadline");
        CHECK(done[0].second.data["last_day"] == "2026-04-09");
        const auto s = f.service.get("C");
        CHECK(s.state == "rejected");
        CHECK(s.rejection_reasons == std::vector<std::string>{"SUPPLEMENT_DEADLINE_MISSED"});
        CHECK(s.deadlines.empty());  // the review clock stops with the rejection
        CHECK(s.flags.empty());
        CHECK(f.service.tick(d("2026-12-31")).empty());
        f.check_replays("C");
    }
    SUBCASE("a tick long after both deadlines: rejected once, no REVIEW_OVERDUE, no error") {
        service_fixture f;
        f.reach_gd("C", "supplement_requested");  // supplement 04-09, review clock 05-15
        const auto done = f.service.tick(d("2026-06-01"));
        REQUIRE(done.size() == 1);
        CHECK(done[0].second.data["timer"] == "supplement_deadline");
        const auto s = f.service.get("C");
        CHECK(s.state == "rejected");
        CHECK(s.flags.empty());
        CHECK(s.deadlines.empty());
        f.check_replays("C");
        // in memory, the same
        const auto m = tick(gd_case("supplement_requested"), d("2026-06-01"));
        CHECK(m.state == "rejected");
        CHECK(m.flags.empty());
    }
    SUBCASE("a supplement after the last day is refused even before the tick has run") {
        const auto s = gd_case("supplement_requested");  // last day Thu 04-09
        const json patch = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};
        take(s, ev("supplement", "2026-04-09", patch), "under_review");
        const auto what = refused_in_memory(s, ev("supplement", "2026-04-10", patch));
        CHECK(contains(what, "supplement_deadline"));
        CHECK(contains(what, "2026-04-09"));
    }
}

// ======================================================================== inspections

TEST_CASE("cases: site inspections and the SITE_INSPECTION_REQUIRED obligation") {
    // sc-finance-site-inspection-eligible: CN-SC 2026.1, finance (a high-risk industry),
    // submitted Mon 2026-02-09.
    const auto sc = example("sc-finance-site-inspection-eligible");
    auto s = take(create(sc), ev("submit", "2026-02-09"), "submitted");
    // known from the submission on, and shown (docs/policy.md §2: whatever the decision)
    CHECK(s.obligations == std::map<std::string, bool>{{"SITE_INSPECTION_REQUIRED", false}});
    CHECK(s.summary()["obligations"] ==
          json::array({{{"code", "SITE_INSPECTION_REQUIRED"}, {"met", false}}}));
    s = take(s, ev("accept", "2026-02-10"), "under_review");
    SUBCASE("approve waits for the inspection; inspection_passed meets the obligation") {
        auto what = refused_in_memory(s, ev("approve", "2026-02-11"));
        CHECK(contains(what, "obligations not met: SITE_INSPECTION_REQUIRED"));
        s = take(s, ev("schedule_inspection", "2026-02-11"), "site_inspection");
        CHECK(contains(refused_in_memory(s, ev("approve", "2026-02-12")), "not allowed"));
        s = take(s, ev("inspection_passed", "2026-02-12"), "under_review");
        CHECK(s.obligations == std::map<std::string, bool>{{"SITE_INSPECTION_REQUIRED", true}});
        const auto r = manager().apply(s, ev("approve", "2026-02-13"));
        CHECK(r.after.state == "whitelisted");
        CHECK(r.verdict["obligations"] == json::array({"SITE_INSPECTION_REQUIRED"}));
        CHECK(r.after.validity_until == d("2027-02-13"));
        CHECK(r.after.deadlines.count("review_sla") == 0);
        CHECK(r.after.deadlines.at("validity").due == d("2027-02-13"));
        CHECK(r.after.summary()["obligations"] ==
              json::array({{{"code", "SITE_INSPECTION_REQUIRED"}, {"met", true}}}));
    }
    SUBCASE("inspection_failed needs reasons and rejects") {
        s = take(s, ev("schedule_inspection", "2026-02-11"), "site_inspection");
        CHECK(
            contains(refused_in_memory(s, ev("inspection_failed", "2026-02-12")), "data.reasons"));
        CHECK(contains(refused_in_memory(s, ev("inspection_failed", "2026-02-12",
                                               {{"reasons", json::array({3})}})),
                       "data.reasons"));
        s = take(s,
                 ev("inspection_failed", "2026-02-12",
                    {{"reasons", json::array({"SITE_INSPECTION_FAILED"})}}),
                 "rejected");
        CHECK(s.rejection_reasons == std::vector<std::string>{"SITE_INSPECTION_FAILED"});
        CHECK(s.deadlines.empty());
        // still open: never met
        CHECK(s.obligations == std::map<std::string, bool>{{"SITE_INSPECTION_REQUIRED", false}});
    }
    SUBCASE("more numbers than inspection_threshold (20 in 2026.1) need an inspection") {
        auto app = example("gd-retail-eligible");
        app["numbers"] = more_numbers(app["numbers"], 9);  // 20 numbers: not more than 20
        auto g = take(create(app), ev("submit", "2026-03-16"), "submitted");
        CHECK(g.obligations.empty());
        g = take(g, ev("accept", "2026-03-17"), "under_review");
        take(g, ev("approve", "2026-03-18"), "whitelisted");

        app["numbers"] = more_numbers(example("gd-retail-eligible")["numbers"], 10);  // 21
        g = take(create(app), ev("submit", "2026-03-16"), "submitted");
        CHECK(g.obligations == std::map<std::string, bool>{{"SITE_INSPECTION_REQUIRED", false}});
        g = take(g, ev("accept", "2026-03-17"), "under_review");
        CHECK(contains(refused_in_memory(g, ev("approve", "2026-03-18")),
                       "SITE_INSPECTION_REQUIRED"));
        {
            // the applicant withdraws a number at a supplement: 20, no inspection needed any
            // more; the open obligation is dropped when approval runs the rules again
            auto fewer = app;
            fewer["numbers"].erase(fewer["numbers"].size() - 1);
            auto h = take(g,
                          ev("request_supplement", "2026-03-18",
                             {{"items", json::array({"tax_registration"})}}),
                          "supplement_requested");
            h = take(h,
                     ev("supplement", "2026-03-19",
                        {{"patch",
                          {{"numbers", fewer["numbers"]},
                           {"materials", {{"tax_registration", json::object()}}}}}}),
                     "under_review");
            h = take(h, ev("approve", "2026-03-20"), "whitelisted");
            CHECK(h.obligations.empty());
        }
        g = take(g, ev("schedule_inspection", "2026-03-18"), "site_inspection");
        g = take(g, ev("inspection_passed", "2026-03-19"), "under_review");
        take(g, ev("approve", "2026-03-20"), "whitelisted");
    }
    SUBCASE("2025.1: the threshold is 30 and real estate is not yet high-risk") {
        // clean-hn-2025: CN-HN, real_estate, exactly 30 numbers
        const auto hn = fixture("clean-hn-2025");
        REQUIRE(hn["numbers"].size() == 30);
        auto h = take(create(hn), ev("submit", "2025-10-20"), "submitted");
        h = take(h, ev("accept", "2025-10-21"), "under_review");
        take(h, ev("approve", "2025-10-22"), "whitelisted");
        auto more = hn;
        more["numbers"] = more_numbers(hn["numbers"], 1);  // 31
        h = take(create(more), ev("submit", "2025-10-20"), "submitted");
        h = take(h, ev("accept", "2025-10-21"), "under_review");
        CHECK(contains(refused_in_memory(h, ev("approve", "2025-10-22")),
                       "SITE_INSPECTION_REQUIRED"));
    }
}

// ======================================================================== decisions

TEST_CASE("cases: approve refused on a blocking finding; reject, rectify, resubmit") {
    // The applicant supplies the requested tax registration, and with it raises the daily calls
    // per number to 180, over Guangdong's cap of 150.
    service_fixture f;
    f.reach_gd("C", "supplement_requested");
    f.take("C",
           ev("supplement", "2026-03-20",
              {{"patch",
                {{"materials",
                  {{"tax_registration", json::object()},
                   {"marketing_plan", {{"daily_calls_per_number", 180}}}}}}}}),
           "under_review");
    auto what = f.refused("C", ev("approve", "2026-03-23"));
    CHECK(contains(what, "approval: blocking findings DAILY_CALL_CAP_EXCEEDED"));

    // reject needs the finding codes
    CHECK(contains(f.refused("C", ev("reject", "2026-03-23")), "data.reasons"));
    CHECK(contains(f.refused("C", ev("reject", "2026-03-23", {{"reasons", json::array()}})),
                   "data.reasons"));
    auto s = f.take(
        "C", ev("reject", "2026-03-23", {{"reasons", json::array({"DAILY_CALL_CAP_EXCEEDED"})}}),
        "rejected");
    CHECK(s.rejection_reasons == std::vector<std::string>{"DAILY_CALL_CAP_EXCEEDED"});
    CHECK(s.deadlines.empty());
    CHECK(contains(f.refused("C", ev("resubmit", "2026-03-24")), "not allowed"));

    f.take("C", ev("rectify", "2026-03-24"), "rectifying");
    // resubmitted unchanged: the same guard as submit refuses it
    what = f.refused("C", ev("resubmit", "2026-03-25"));
    CHECK(contains(what, "DAILY_CALL_CAP_EXCEEDED"));
    what = f.refused("C",
                     ev("resubmit", "2026-03-25",
                        {{"patch", {{"materials", {{"marketing_plan", {{"script", nullptr}}}}}}}}));
    CHECK(contains(what, "PLAN_INCOMPLETE[script]"));
    // a patch that fixes it
    s = f.take(
        "C",
        ev("resubmit", "2026-03-25",
           {{"patch", {{"materials", {{"marketing_plan", {{"daily_calls_per_number", 120}}}}}}}}),
        "submitted");
    CHECK(s.application["materials"]["marketing_plan"]["daily_calls_per_number"] == 120);
    CHECK(s.findings == json::array());
    // a fresh review: accept on Thu 03-26 restarts the clock, 40 working days: 05-26
    s = f.take("C", ev("accept", "2026-03-26"), "under_review");
    CHECK(s.deadlines.at("review_sla").due == d("2026-05-26"));
    s = f.take("C", ev("approve", "2026-03-27"), "whitelisted");
    CHECK(s.validity_until == d("2027-03-27"));
    f.check_replays("C");
}

TEST_CASE("cases: false information bars the applicant for false_information_ban_days") {
    SUBCASE("from under_review") {
        const auto s =
            take(gd_case("under_review"), ev("find_false_information", "2026-04-01"), "barred");
        CHECK(s.banned_until == d("2027-04-01"));  // 2026-04-01 + 365 days (no 29 February)
        CHECK(s.deadlines.empty());
        CHECK(s.summary()["banned_until"] == "2027-04-01");
        // the ban feeds the next application's history: REAPPLY_BANNED up to its last day
        auto next = example("gd-retail-eligible");
        next["id"] = "GD-2027-0001";
        next["applicant"]["history"]["banned_until"] = s.banned_until->to_string();
        CHECK(contains(
            refused_in_memory(create(submitted_on(next, "2027-04-01")), ev("submit", "2027-04-01")),
            "REAPPLY_BANNED"));
        take(create(submitted_on(next, "2027-04-02")), ev("submit", "2027-04-02"), "submitted");
    }
    SUBCASE("from site_inspection, across 29 February 2028") {
        auto app = submitted_on(example("sc-finance-site-inspection-eligible"), "2026-02-09");
        auto s = take(create(app), ev("submit", "2026-02-09"), "submitted");
        s = take(s, ev("accept", "2026-02-10"), "under_review");
        s = take(s, ev("schedule_inspection", "2026-02-11"), "site_inspection");
        s = take(s, ev("find_false_information", "2026-02-12"), "barred");
        CHECK(s.banned_until == d("2027-02-12"));
        CHECK(s.deadlines.empty());
        // 365 days from 2027-03-01 cross 2028-02-29: 2028-02-29
        const auto t =
            take(gd_case("under_review"), ev("find_false_information", "2027-03-01"), "barred");
        CHECK(t.banned_until == d("2028-02-29"));
    }
}

// ======================================================================== after approval

TEST_CASE("cases: report_change and CHANGE_REPORTED_LATE (10 working days)") {
    const auto w = gd_case("whitelisted");
    CHECK(contains(refused_in_memory(w, ev("report_change", "2026-04-16")), "changed_on"));
    CHECK(contains(
        refused_in_memory(w, ev("report_change", "2026-04-16", {{"changed_on", "2026-04-31"}})),
        "changed_on"));

    // changed on Wed 2026-04-01: WD1 Thu 04-02, WD2 Fri 04-03, Qingming 04-04..06 off, WD3-6
    // Tue 04-07..Fri 04-10, WD7-10 Mon 04-13..Thu 04-16, WD11 Fri 04-17.
    auto on_time = take(w, ev("report_change", "2026-04-16", {{"changed_on", "2026-04-01"}}),
                        "change_pending");
    CHECK(on_time.warnings.empty());
    on_time = take(on_time, ev("change_accepted", "2026-04-20"), "whitelisted");
    CHECK(on_time.warnings.empty());

    auto late = take(w, ev("report_change", "2026-04-17", {{"changed_on", "2026-04-01"}}),
                     "change_pending");
    REQUIRE(late.warnings.size() == 1);
    CHECK(late.warnings[0]["code"] == "CHANGE_REPORTED_LATE");
    CHECK(late.warnings[0]["severity"] == "warning");
    CHECK(late.warnings[0]["changed_on"] == "2026-04-01");
    CHECK(late.warnings[0]["reported_on"] == "2026-04-17");
    CHECK(late.warnings[0]["last_day"] == "2026-04-16");
    CHECK(late.warnings[0]["working_days"] == 11);
    CHECK(late.warnings[0]["limit"] == 10);
    late = take(late, ev("change_rejected", "2026-04-20"), "whitelisted");
    CHECK(late.warnings.size() == 1);  // the warning stays on the case
    CHECK(late.summary()["warnings"][0]["code"] == "CHANGE_REPORTED_LATE");

    // changed on Thu 04-02: WD10 is Fri 04-17, the last day. A report on Sat 04-18 is after it:
    // late, although no working day has passed since.
    CHECK(
        take(w, ev("report_change", "2026-04-17", {{"changed_on", "2026-04-02"}}), "change_pending")
            .warnings.empty());
    for (const char* day : {"2026-04-18", "2026-04-19", "2026-04-20"}) {
        CAPTURE(day);
        const auto weekend =
            take(w, ev("report_change", day, {{"changed_on", "2026-04-02"}}), "change_pending");
        REQUIRE(weekend.warnings.size() == 1);
        CHECK(weekend.warnings[0]["last_day"] == "2026-04-17");
        CHECK(weekend.warnings[0]["working_days"] == (std::string(day) == "2026-04-20" ? 11 : 10));
    }
    // a change dated on the report's day, or announced ahead: not late
    CHECK(
        take(w, ev("report_change", "2026-04-17", {{"changed_on", "2026-04-17"}}), "change_pending")
            .warnings.empty());
    CHECK(
        take(w, ev("report_change", "2026-04-17", {{"changed_on", "2026-05-01"}}), "change_pending")
            .warnings.empty());
    // a change date outside the calendar's years: an error, not a guess
    CHECK_THROWS_AS(
        (void)manager().apply(w, ev("report_change", "2026-04-17", {{"changed_on", "2023-12-29"}})),
        calendar_error);
}

TEST_CASE("cases: complaints suspend at complaint_threshold within 30 days, per number") {
    const auto w = gd_case("whitelisted");  // CN-GD: the national threshold, 5
    const std::string a = "13866751415", b = "13985106886", c = "18647812363";
    auto complain = [](case_state s, const std::string& number, const std::string& day,
                       const std::string& to) {
        return take(s, ev("complaint", day, {{"number", number}}), to);
    };
    CHECK(contains(refused_in_memory(w, ev("complaint", "2026-04-01")), "data.number"));

    SUBCASE("the fifth in 30 days suspends") {
        auto s = w;
        for (const char* day : {"2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04"})
            s = complain(s, a, day, "whitelisted");
        s = complain(s, a, "2026-04-05", "suspended");
        CHECK(s.complaints.at(a).size() == 5);
    }
    SUBCASE("the window is the 30 days ending on the complaint's day") {
        auto s = w;
        for (const char* day : {"2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04"})
            s = complain(s, a, day, "whitelisted");
        // on 04-30 the window is 04-01..04-30: five complaints
        complain(s, a, "2026-04-30", "suspended");
        // on 05-01 it is 04-02..05-01: the one of 04-01 has fallen out, four
        s = complain(s, a, "2026-05-01", "whitelisted");
        // on 05-02: 04-03, 04-04, 05-01 and this one, four
        s = complain(s, a, "2026-05-02", "whitelisted");
        // on 05-04: 05-01, 05-02 and this one (April's are out), three
        s = complain(s, a, "2026-05-04", "whitelisted");
        s = complain(s, a, "2026-05-05", "whitelisted");  // four
        complain(s, a, "2026-05-06", "suspended");        // 05-01, 02, 04, 05, 06: five
    }
    SUBCASE("spread over numbers: no number reaches five") {
        auto s = w;
        for (const auto& n : {a, b, c})
            for (const char* day : {"2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04"})
                s = complain(s, n, day, "whitelisted");
        CHECK(s.complaints.size() == 3);
        complain(s, b, "2026-04-05", "suspended");
    }
    SUBCASE("CN-SD: the threshold is 3") {
        // sd-travel-eligible: CN-SD 2025.1, submitted Mon 2025-04-14
        auto s =
            take(create(example("sd-travel-eligible")), ev("submit", "2025-04-14"), "submitted");
        s = take(s, ev("accept", "2025-04-15"), "under_review");
        s = take(s, ev("approve", "2025-04-16"), "whitelisted");
        const std::string n = example("sd-travel-eligible")["numbers"][0]["number"];
        s = complain(s, n, "2025-05-01", "whitelisted");
        s = complain(s, n, "2025-05-02", "whitelisted");
        complain(s, n, "2025-05-03", "suspended");
        // 2026.1 too (clean-sd-2026)
        auto t = take(create(fixture("clean-sd-2026")), ev("submit", "2026-06-15"), "submitted");
        t = take(t, ev("accept", "2026-06-16"), "under_review");
        t = take(t, ev("approve", "2026-06-17"), "whitelisted");
        const std::string m = fixture("clean-sd-2026")["numbers"][0]["number"];
        t = complain(t, m, "2026-07-01", "whitelisted");
        t = complain(t, m, "2026-07-01", "whitelisted");
        complain(t, m, "2026-07-01", "suspended");
    }
}

TEST_CASE("cases: suspension, reinstatement and revocation") {
    auto s = take(gd_case("whitelisted"), ev("compliance_check_failed", "2026-05-01"), "suspended");
    CHECK(s.validity_until == d("2027-03-18"));
    CHECK(contains(refused_in_memory(s, ev("complaint", "2026-05-02", {{"number", "13866751415"}})),
                   "not allowed"));
    s = take(s, ev("reinstate", "2026-05-10"), "whitelisted");
    CHECK(s.deadlines.at("validity").due == d("2027-03-18"));  // reinstating does not renew
    s = take(s, ev("compliance_check_failed", "2026-06-01"), "suspended");
    s = take(s, ev("revoke", "2026-06-02"), "revoked");
    CHECK(s.deadlines.empty());
    // the summary shows no validity deadline for a revoked whitelisting
    CHECK(s.summary()["deadlines"] == json::object());
    CHECK(s.summary()["validity_until"] == "2027-03-18");
    CHECK(manager().due(s, d("2027-12-31")).empty());
}

TEST_CASE("cases: the validity ends while suspended or while a change is pending") {
    // docs/policy.md §5 expires whitelisted and renewal_review cases only: a suspended case stays
    // suspended (revoke or reinstate decide), and expires at the tick after its reinstatement
    for (const char* state : {"suspended", "change_pending"}) {
        CAPTURE(state);
        auto s = gd_case(state);
        CHECK(s.deadlines.at("validity").due == d("2027-03-18"));
        CHECK(manager().due(s, d("2027-06-01")).empty());
        s = take(
            s,
            ev(std::string(state) == "suspended" ? "reinstate" : "change_accepted", "2027-06-01"),
            "whitelisted");
        // whitelisted again, but its validity has ended: nothing more until the tick
        CHECK(contains(
            refused_in_memory(s, ev("complaint", "2027-06-02", {{"number", "13866751415"}})),
            "the deadline 'validity' passed (its last day was 2027-03-18)"));
        CHECK(tick(s, d("2027-06-02")).state == "expired");
    }
}

TEST_CASE("cases: renewal within renewal_window_days before the validity ends") {
    // approved Wed 2026-03-18: valid to 2027-03-18, the renewal window opens 30 days before,
    // on 2027-02-16
    const auto w = gd_case("whitelisted");
    CHECK(w.validity_until == d("2027-03-18"));
    auto what = refused_in_memory(w, ev("submit_renewal", "2027-02-15"));
    CHECK(contains(what, "only from 2027-02-16 to 2027-03-18"));
    take(w, ev("submit_renewal", "2027-02-16"), "renewal_review");
    take(w, ev("submit_renewal", "2027-03-18"), "renewal_review");
    refused_in_memory(w, ev("submit_renewal", "2027-03-19"));
    refused_in_memory(w, ev("submit_renewal", "2026-03-19"));

    SUBCASE("approve_renewal: a new period of 12 months following the current one") {
        auto r = take(w, ev("submit_renewal", "2027-03-01"), "renewal_review");
        r = take(r, ev("approve_renewal", "2027-03-10"), "whitelisted");
        CHECK(r.validity_until == d("2028-03-18"));
        CHECK(r.deadlines.at("validity").due == d("2028-03-18"));
        CHECK(tick(r, d("2028-03-18")).state == "whitelisted");
        CHECK(tick(r, d("2028-03-19")).state == "expired");
        // the next renewal window follows the new period
        refused_in_memory(r, ev("submit_renewal", "2028-02-16"));
        take(r, ev("submit_renewal", "2028-02-17"), "renewal_review");
    }
    SUBCASE("the validity ends: expired by the tick after its last day") {
        CHECK(manager().due(w, d("2027-03-18")).empty());
        const auto e = tick(w, d("2027-03-19"));
        CHECK(e.state == "expired");
        CHECK(e.deadlines.empty());
        CHECK(e.summary()["deadlines"] == json::object());
        CHECK(w.summary()["deadlines"]["validity"]["due"] == "2027-03-18");
        // from renewal_review, too, when the renewal is not decided in time
        const auto r = take(w, ev("submit_renewal", "2027-03-01"), "renewal_review");
        CHECK(tick(r, d("2027-03-18")).state == "renewal_review");
        CHECK(tick(r, d("2027-03-19")).state == "expired");
        // and no decision after the end, before the tick
        CHECK(contains(refused_in_memory(r, ev("approve_renewal", "2027-03-19")), "validity"));
    }
    SUBCASE("through the store") {
        service_fixture f;
        f.reach_gd("C", "whitelisted");
        f.take("C", ev("submit_renewal", "2027-02-16"), "renewal_review");
        CHECK(f.service.tick(d("2027-03-18")).empty());
        REQUIRE(f.service.tick(d("2027-03-19")).size() == 1);
        CHECK(f.service.get("C").state == "expired");
        f.check_replays("C");
    }
}

TEST_CASE("cases: CN-BJ sends accepted applications to the site inspection") {
    // bj-insurance-site-inspection-eligible: CN-BJ 2026.1, in person, submitted Mon 2026-05-11
    auto s = take(create(example("bj-insurance-site-inspection-eligible")),
                  ev("submit", "2026-05-11"), "submitted");
    CHECK(s.obligations == std::map<std::string, bool>{{"SITE_INSPECTION_REQUIRED", false}});
    s = take(s, ev("accept", "2026-05-12"), "site_inspection");
    // the review clock starts with accept, 20 working days in Beijing: from Tue 05-12, 05-13..15
    // (3), 05-18..22 (8), 05-25..29 (13), 06-01..05 (18), 06-08 (19), 06-09 (20)
    CHECK(s.deadlines.at("review_sla").due == d("2026-06-09"));
    CHECK(contains(refused_in_memory(s, ev("approve", "2026-05-13")), "not allowed"));
    s = take(s, ev("inspection_passed", "2026-05-14"), "under_review");
    CHECK(s.obligations.at("SITE_INSPECTION_REQUIRED"));
    s = take(s, ev("approve", "2026-05-15"), "whitelisted");
    // in Guangdong accept goes to under_review
    CHECK(gd_case("under_review").state == "under_review");
    // a Beijing case found false at the inspection
    auto t = take(create(example("bj-insurance-site-inspection-eligible")),
                  ev("submit", "2026-05-11"), "submitted");
    t = take(t, ev("accept", "2026-05-12"), "site_inspection");
    take(t, ev("find_false_information", "2026-05-13"), "barred");
}

// ======================================================================== deadlines

TEST_CASE("cases: the review clock is an SLA: REVIEW_OVERDUE the day after its last day") {
    // Each region's review_sla_working_days from an accept on Thu 2026-02-12, the Thursday before
    // the 2026 Spring Festival (02-15..02-23 off, Sat 02-14 and Sat 02-28 working days):
    //   WD1 Fri 02-13, WD2 Sat 02-14 (make-up), WD3-6 Tue 02-24..Fri 02-27, WD7 Sat 02-28
    //   (make-up), WD8-12 Mon 03-02..Fri 03-06, WD13-17 03-09..03-13, WD18-20 03-16..03-18,
    //   WD21-22 03-19, 03-20, WD23-27 03-23..03-27, WD28-30 03-30, 03-31, 04-01,
    //   WD31-32 04-02, 04-03, Qingming 04-04..04-06 off, WD33-36 04-07..04-10,
    //   WD37-40 04-13..04-16, WD41 04-17, WD42-46 04-20..24, WD47-50 04-27..30,
    //   Labour Day 05-01..05-05 off, WD51-53 05-06..05-08, WD54 Sat 05-09 (make-up),
    //   WD55-59 05-11..05-15, WD60 Mon 05-18.
    struct row {
        std::string name, region, last_day;
        json app;
    };
    const std::vector<row> rows = {
        {"national (CN-ZJ)", "CN-ZJ", "2026-04-01",
         submitted_on(fixture("clean-zj-2026"), "2026-02-10")},
        {"CN-BJ", "CN-BJ", "2026-03-18",
         submitted_on(example("bj-insurance-site-inspection-eligible"), "2026-02-10")},
        {"CN-GD", "CN-GD", "2026-04-16", submitted_on(example("gd-retail-eligible"), "2026-02-10")},
        {"CN-SC", "CN-SC", "2026-05-18", example("sc-finance-site-inspection-eligible")},
    };
    for (const auto& r : rows) {
        CAPTURE(r.name);
        auto s = take(create(r.app), ev("submit", "2026-02-10"), "submitted");
        const std::string review = r.region == "CN-BJ" ? "site_inspection" : "under_review";
        s = take(s, ev("accept", "2026-02-12"), review);
        CHECK(s.deadlines.at("review_sla").due == d(r.last_day));
        const date last = d(r.last_day);
        // a tick on the last day does nothing
        CHECK(manager().due(s, last).empty());
        CHECK(tick(s, last).to_json() == s.to_json());
        // the day after: the flag, the same state, the clock gone
        const auto late = tick(s, last.add_days(1));
        CHECK(late.state == review);
        CHECK(late.flags == std::set<std::string>{"REVIEW_OVERDUE"});
        CHECK(late.deadlines.count("review_sla") == 0);
        CHECK(late.summary()["flags"] == json::array({"REVIEW_OVERDUE"}));
        CHECK(tick(late, last.add_days(30)).to_json() == late.to_json());  // raised once
        // deciding on the last day: no flag ever; an overdue case can still be decided
        auto decide = [&](case_state x, const std::string& day) {
            if (r.region == "CN-SC" || r.region == "CN-BJ") {  // both need an inspection
                if (x.state == "under_review")
                    x = take(x, ev("schedule_inspection", day), "site_inspection");
                x = take(x, ev("inspection_passed", day), "under_review");
            }
            return take(x, ev("approve", day), "whitelisted");
        };
        const auto on_time = decide(s, r.last_day);
        CHECK(on_time.deadlines.count("review_sla") == 0);
        CHECK(tick(on_time, last.add_days(1)).flags.empty());
        CHECK(decide(late, last.add_days(2).to_string()).flags.count("REVIEW_OVERDUE") == 1);
    }
    SUBCASE("through the store: the flag is an event of its own") {
        service_fixture f;
        f.reach_gd("C", "under_review");  // accept Tue 2026-03-17: 40 working days to 05-15
        CHECK(f.service.get("C").deadlines.at("review_sla").due == d("2026-05-15"));
        CHECK(f.service.tick(d("2026-05-15")).empty());
        const auto done = f.service.tick(d("2026-05-16"));
        REQUIRE(done.size() == 1);
        CHECK(done[0].second.data["timer"] == "review_sla");
        const auto s = f.service.get("C");
        CHECK(s.state == "under_review");
        CHECK(s.flags.count("REVIEW_OVERDUE") == 1);
        CHECK(f.store.events("C").back().type == "timer");
        f.take("C", ev("approve", "2026-05-18"), "whitelisted");
        f.check_replays("C");
    }
}

TEST_CASE("cases: the supplement deadline across the Spring Festival and National Day") {
    struct row {
        std::string name, submitted, accepted, requested, last_day, sla_last_day;
        json app;
    };
    const std::vector<row> rows = {
        // 2025 Spring Festival: 01-28..02-04 off, Sun 01-26 and Sat 02-08 working days.
        // Requested Fri 01-24: WD1 Sun 01-26, WD2 Mon 01-27, holiday, WD3-5 Wed 02-05..Fri 02-07,
        // WD6 Sat 02-08, WD7-11 Mon 02-10..Fri 02-14, WD12-15 Mon 02-17..Thu 02-20.
        // Review clock from the same day, 30: WD16 Fri 02-21, WD17-21 02-24..28,
        // WD22-26 03-03..07, WD27-30 03-10..13.
        {"2025 Spring Festival", "2025-01-20", "2025-01-24", "2025-01-24", "2025-02-20",
         "2025-03-13", submitted_on(example("zj-ecommerce-eligible"), "2025-01-20")},
        // 2025 National Day: 10-01..10-08 off, Sun 09-28 and Sat 10-11 working days.
        // Requested Fri 09-26: WD1 Sun 09-28, WD2-3 Mon 09-29, Tue 09-30, holiday,
        // WD4-5 Thu 10-09, Fri 10-10, WD6 Sat 10-11, WD7-11 10-13..17, WD12-15 10-20..23.
        // Review clock, 30: WD16 Fri 10-24, WD17-21 10-27..31, WD22-26 11-03..07,
        // WD27-30 11-10..13.
        {"2025 National Day", "2025-09-22", "2025-09-26", "2025-09-26", "2025-10-23", "2025-11-13",
         submitted_on(example("zj-ecommerce-eligible"), "2025-09-22")},
        // 2026 Spring Festival: 02-15..02-23 off, Sat 02-14 and Sat 02-28 working days.
        // Requested Thu 02-12: WD1 Fri 02-13, WD2 Sat 02-14, holiday, WD3-6 Tue 02-24..Fri 02-27,
        // WD7 Sat 02-28, WD8-12 03-02..06, WD13-15 Mon 03-09..Wed 03-11.
        // Review clock (CN-ZJ, national 30): see the SLA test above, 04-01.
        {"2026 Spring Festival", "2026-02-10", "2026-02-12", "2026-02-12", "2026-03-11",
         "2026-04-01", submitted_on(fixture("clean-zj-2026"), "2026-02-10")},
        // 2026 National Day: 10-01..10-07 off (and Mid-Autumn 09-25..27), Sun 09-20 and Sat
        // 10-10 working days. Requested Fri 09-18: WD1 Sun 09-20, WD2-5 Mon 09-21..Thu 09-24,
        // Mid-Autumn 09-25..27, WD6-8 Mon 09-28..Wed 09-30, holiday, WD9-10 Thu 10-08, Fri 10-09,
        // WD11 Sat 10-10, WD12-15 Mon 10-12..Thu 10-15.
        // Review clock, 30: WD16 Fri 10-16, WD17-21 10-19..23, WD22-26 10-26..30,
        // WD27-30 11-02..05.
        {"2026 National Day", "2026-09-16", "2026-09-18", "2026-09-18", "2026-10-15", "2026-11-05",
         submitted_on(fixture("clean-zj-2026"), "2026-09-16")},
    };
    for (const auto& r : rows) {
        CAPTURE(r.name);
        auto s = take(create(r.app), ev("submit", r.submitted), "submitted");
        s = take(s, ev("accept", r.accepted), "under_review");
        CHECK(s.deadlines.at("review_sla").due == d(r.sla_last_day));
        s = take(s,
                 ev("request_supplement", r.requested,
                    {{"items", json::array({"org_code_certificate"})}}),
                 "supplement_requested");
        const date last = d(r.last_day);
        CHECK(s.deadlines.at("supplement_deadline").due == last);
        const json patch = {{"patch", {{"materials", {{"org_code_certificate", json::object()}}}}}};
        // an event on the last day meets it
        const auto met = take(s, ev("supplement", r.last_day, patch), "under_review");
        CHECK(met.deadlines.count("supplement_deadline") == 0);
        // a tick on the last day does nothing
        CHECK(manager().due(s, last).empty());
        // a tick the day after rejects
        const auto missed = tick(s, last.add_days(1));
        CHECK(missed.state == "rejected");
        CHECK(missed.rejection_reasons == std::vector<std::string>{"SUPPLEMENT_DEADLINE_MISSED"});
        // the review clock: overdue only the day after its own last day
        CHECK(tick(met, d(r.sla_last_day)).flags.empty());
        CHECK(tick(met, d(r.sla_last_day).add_days(1)).flags.count("REVIEW_OVERDUE") == 1);
    }
}

TEST_CASE("cases: a deadline from a holiday or a make-up day: that day itself never counts") {
    struct row {
        std::string requested, last_day;
        json app;
    };
    const std::vector<row> rows = {
        // Sun 2025-01-26, a make-up working day: WD1 Mon 01-27, Spring Festival 01-28..02-04,
        // WD2-4 Wed 02-05..Fri 02-07, WD5 Sat 02-08 (make-up), WD6-10 02-10..14,
        // WD11-15 Mon 02-17..Fri 02-21.
        {"2025-01-26", "2025-02-21", submitted_on(example("zj-ecommerce-eligible"), "2025-01-20")},
        // Fri 2025-10-03, in the National Day holiday: WD1 Thu 10-09, WD2 Fri 10-10, WD3 Sat
        // 10-11 (make-up), WD4-8 10-13..17, WD9-13 10-20..24, WD14 Mon 10-27, WD15 Tue 10-28.
        {"2025-10-03", "2025-10-28", submitted_on(example("zj-ecommerce-eligible"), "2025-09-22")},
        // Wed 2026-02-18, in the Spring Festival holiday: WD1-4 Tue 02-24..Fri 02-27, WD5 Sat
        // 02-28 (make-up), WD6-10 03-02..06, WD11-15 Mon 03-09..Fri 03-13.
        {"2026-02-18", "2026-03-13", submitted_on(example("gd-retail-eligible"), "2026-02-10")},
        // Sun 2026-09-20, a make-up working day: WD1-4 Mon 09-21..Thu 09-24, Mid-Autumn
        // 09-25..27, WD5-7 Mon 09-28..Wed 09-30, National Day 10-01..07, WD8-9 Thu 10-08, Fri
        // 10-09, WD10 Sat 10-10 (make-up), WD11-15 Mon 10-12..Fri 10-16.
        {"2026-09-20", "2026-10-16", submitted_on(example("gd-retail-eligible"), "2026-09-16")},
    };
    for (const auto& r : rows) {
        CAPTURE(r.requested);
        auto s = take(create(r.app), ev("submit", r.app["submitted_on"].get<std::string>()),
                      "submitted");
        s = take(s,
                 ev("request_supplement", r.requested,
                    {{"items", json::array({"org_code_certificate"})}}),
                 "supplement_requested");
        CHECK(s.deadlines.at("supplement_deadline").due == d(r.last_day));
        CHECK(tick(s, d(r.last_day)).state == "supplement_requested");
        CHECK(tick(s, d(r.last_day).add_days(1)).state == "rejected");
    }
}

// ======================================================================== replay and tampering

TEST_CASE("cases: complete histories replay to their stored snapshots") {
    service_fixture f;
    const json tax = {{"patch", {{"materials", {{"tax_registration", json::object()}}}}}};

    // 1. Guangdong: supplement, approval, complaints, a late change, suspension and
    //    reinstatement, renewal, expiry.
    f.reach_gd("GD", "supplement_requested");
    f.take("GD", ev("supplement", "2026-03-25T10:00:00+08:00", tax), "under_review");
    f.take("GD", ev("approve", "2026-03-26T16:30:00+08:00"), "whitelisted");
    for (const char* day : {"2026-04-01", "2026-04-02"})
        f.take("GD", ev("complaint", day, {{"number", "13866751415"}}), "whitelisted");
    f.take("GD", ev("report_change", "2026-04-20", {{"changed_on", "2026-04-01"}}),
           "change_pending");
    f.take("GD", ev("change_accepted", "2026-04-21"), "whitelisted");
    f.take("GD", ev("compliance_check_failed", "2026-05-06"), "suspended");
    f.take("GD", ev("reinstate", "2026-05-20"), "whitelisted");
    f.take("GD", ev("submit_renewal", "2027-03-01"), "renewal_review");
    f.take("GD", ev("approve_renewal", "2027-03-15"), "whitelisted");

    // 2. Sichuan: inspection, approval, five complaints on one number, revocation.
    const auto sc = example("sc-finance-site-inspection-eligible");
    f.create(sc, "SC", "2026-02-09");
    f.take("SC", ev("submit", "2026-02-09"), "submitted");
    f.take("SC", ev("accept", "2026-02-10"), "under_review");
    f.take("SC", ev("schedule_inspection", "2026-02-11"), "site_inspection");
    f.take("SC", ev("inspection_passed", "2026-02-25"), "under_review");
    f.take("SC", ev("approve", "2026-02-26"), "whitelisted");
    const std::string n = sc["numbers"][0]["number"];
    for (int i = 1; i <= 4; ++i)
        f.take("SC", ev("complaint", "2026-03-0" + std::to_string(i), {{"number", n}}),
               "whitelisted");
    f.take("SC", ev("complaint", "2026-03-05", {{"number", n}}), "suspended");
    f.take("SC", ev("revoke", "2026-03-10"), "revoked");

    // 3. Zhejiang 2025: the supplement deadline missed (tick), rectified, resubmitted, the
    //    review overdue (tick), approved late.
    f.create(submitted_on(example("zj-ecommerce-eligible"), "2025-01-20"), "ZJ", "2025-01-20");
    f.take("ZJ", ev("submit", "2025-01-20"), "submitted");
    f.take("ZJ",
           ev("request_supplement", "2025-01-24", {{"items", json::array({"tax_registration"})}}),
           "supplement_requested");

    // 4. Beijing: accepted into the inspection, false information found.
    f.create(example("bj-insurance-site-inspection-eligible"), "BJ");
    f.take("BJ", ev("submit", "2026-05-11"), "submitted");
    f.take("BJ", ev("accept", "2026-05-12"), "site_inspection");
    f.take("BJ", ev("find_false_information", "2026-05-13"), "barred");

    // 5. A draft with a refused submit (not recorded), then withdrawn.
    auto bad = example("gd-new-company-ineligible");
    f.create(bad, "NEW");
    f.refused("NEW", ev("submit", "2026-04-20"));
    f.take("NEW", ev("withdraw", "2026-04-21"), "withdrawn");

    // the ticks: every case at once
    CHECK(f.service.tick(d("2025-02-20")).empty());  // ZJ: the last day of its supplement
    auto done = f.service.tick(d("2025-02-21"));
    REQUIRE(done.size() == 1);
    CHECK(done[0].first == "ZJ");
    f.take("ZJ", ev("rectify", "2025-02-24"), "rectifying");
    f.take("ZJ", ev("resubmit", "2025-02-25", tax), "submitted");
    f.take("ZJ", ev("accept", "2025-02-26"), "under_review");
    // 30 working days from Wed 02-26: 02-27, 28 (2), 03-03..07 (7), 03-10..14 (12),
    // 03-17..21 (17), 03-24..28 (22), 03-31..04-03 (26), Qingming 04-04..06 off, 04-07..10 (30)
    CHECK(f.service.get("ZJ").deadlines.at("review_sla").due == d("2025-04-10"));
    done = f.service.tick(d("2025-04-11"));
    REQUIRE(done.size() == 1);
    CHECK(f.service.get("ZJ").flags.count("REVIEW_OVERDUE") == 1);
    f.take("ZJ", ev("approve", "2025-04-14"), "whitelisted");
    // ZJ's validity ends 2026-04-14
    done = f.service.tick(d("2026-04-15"));
    REQUIRE(done.size() == 1);
    CHECK(f.service.get("ZJ").state == "expired");
    // approved 2026-03-26, renewed 2027-03-15: the new period follows the old one
    CHECK(f.service.get("GD").validity_until == d("2028-03-26"));
    CHECK(f.service.tick(d("2028-03-26")).empty());
    done = f.service.tick(d("2028-03-27"));
    REQUIRE(done.size() == 1);
    CHECK(f.service.get("GD").state == "expired");

    for (const auto& id : f.store.case_ids())
        f.check_replays(id);
    CHECK(f.store.case_ids().size() == 5);
    CHECK(f.store.verify_all().ok());
}

TEST_CASE("cases: a tampered event is detected by verify; a tampered snapshot on reading") {
    service_fixture f;
    f.reach_gd("C", "whitelisted");
    f.take("C", ev("complaint", "2026-04-01", {{"number", "13866751415"}}), "whitelisted");
    REQUIRE(f.store.verify("C").ok());
    REQUIRE(f.service.check_replay("C").empty());

    SUBCASE("an event's payload edited") {
        // the complaint was about another number
        raw_sql(f.db.path(),
                "UPDATE events SET payload = '{\"number\":\"13985106886\"}' WHERE case_id = 'C' "
                "AND seq = 5;");
        const auto report = f.store.verify("C");
        CHECK(!report.ok());
        REQUIRE(!report.problems.empty());
        CHECK(report.problems[0].case_id == "C");
        CHECK(report.problems[0].seq == 5);
        // and the replay no longer gives the snapshot
        CHECK(!f.service.check_replay("C").empty());
    }
    SUBCASE("the stored snapshot edited (issue 10): refused on reading, found by verify") {
        // whitelisted until 2030: what an editor would want the bureau to see
        raw_sql(f.db.path(),
                "UPDATE cases SET snapshot = json_set(snapshot, '$.validity_until', "
                "'2030-01-01') WHERE id = 'C';");
        const auto report = f.store.verify("C");
        REQUIRE(report.problems.size() == 1);
        CHECK(contains(report.problems[0].message, "not the one its last event recorded"));
        CHECK_THROWS_AS((void)f.store.get("C"), integrity_error);
        CHECK_THROWS_AS((void)f.service.get("C"), integrity_error);
        // nothing is appended on top of it by a writer that reads it (a new process)
        case_service reader(f.store, manager(), testing::test_clock());
        const auto before = f.store.events("C").size();
        CHECK_THROWS_AS(
            reader.apply("C", ev("complaint", "2026-04-02", {{"number", "13866751415"}})),
            integrity_error);
        CHECK(f.store.events("C").size() == before);
        const auto diffs = f.service.check_replay("C");
        REQUIRE(diffs.size() == 1);
        CHECK(contains(diffs[0], "not the one its last event recorded"));
    }
    SUBCASE("the snapshot and its digest column edited together: the hash still tells") {
        const auto edited = f.store.get("C")->snapshot;
        json forged = edited;
        forged["validity_until"] = "2030-01-01";
        const std::string text = forged.dump();
        raw_sql(f.db.path(), "UPDATE cases SET snapshot = '" + text + "' WHERE id = 'C';" +
                                 "UPDATE events SET snapshot_digest = '" + "sha256:" +
                                 std::string(64, '0') + "' WHERE case_id = 'C' AND seq = 5;");
        CHECK_THROWS_AS((void)f.store.get("C"), integrity_error);
        CHECK(!f.store.verify("C").ok());
    }
    SUBCASE("the case's version column edited") {
        raw_sql(f.db.path(), "UPDATE cases SET version = 6 WHERE id = 'C';");
        CHECK_THROWS_AS((void)f.store.get("C"), integrity_error);
        CHECK(!f.store.verify("C").ok());
    }
    SUBCASE("a guard's event removed from the middle") {
        raw_sql(f.db.path(), "DELETE FROM events WHERE case_id = 'C' AND seq = 2;");
        CHECK(!f.store.verify("C").ok());
    }
}

// ======================================================================== concurrency

TEST_CASE("cases: two services on one file; the stale writer gets conflict_error") {
    temp_db db;
    case_store store_a = case_store::open(db.path());
    case_store store_b = case_store::open(db.path());
    case_service a(store_a, manager(), testing::test_clock());
    case_service b(store_b, manager(), testing::test_clock());
    a.create(example("gd-retail-eligible"), ev("create", "2026-03-02"), "C");
    a.apply("C", ev("submit", "2026-03-16"));
    a.apply("C", ev("accept", "2026-03-17"));
    a.apply("C", ev("approve", "2026-03-18"));

    SUBCASE("stated versions: both read version 4, the second write is refused") {
        const auto seen_a = store_a.get("C")->version;
        const auto seen_b = store_b.get("C")->version;
        REQUIRE(seen_a == 4);
        REQUIRE(seen_b == 4);
        a.apply("C", ev("compliance_check_failed", "2026-04-01"), seen_a);
        const auto row = store_b.get("C");
        CHECK_THROWS_AS(
            b.apply("C", ev("complaint", "2026-04-01", {{"number", "13866751415"}}), seen_b),
            conflict_error);
        CHECK(store_b.get("C")->version == 5);
        CHECK(store_b.get("C")->snapshot == row->snapshot);
        CHECK(store_b.events("C").size() == 5);
        // reading again, B sees the suspension: its complaint is now refused by the workflow
        CHECK_THROWS_AS(b.apply("C", ev("complaint", "2026-04-01", {{"number", "13866751415"}}),
                                std::int64_t{5}),
                        transition_refused);
        b.apply("C", ev("reinstate", "2026-04-02"), std::int64_t{5});
        CHECK(a.get("C").state == "whitelisted");
        CHECK(a.get("C").version == 6);
    }
    SUBCASE("a writer that read before another committed: judged again on the fresh case") {
        // A holds the write lock with an uncommitted event; B reads the committed case
        // (version 4), decides, and waits for the lock; A commits; B's append finds version 5,
        // so B reads the case again (suspended now) and judges its complaint on it: refused.
        auto tx = store_a.begin();
        a.apply("C", ev("compliance_check_failed", "2026-04-01"));
        std::atomic<bool> started{false};
        std::optional<std::string> outcome;
        std::thread writer([&] {
            started = true;
            try {
                b.apply("C", ev("complaint", "2026-04-01", {{"number", "13866751415"}}));
                outcome = "applied";
            } catch (const conflict_error&) {
                outcome = "conflict";
            } catch (const transition_refused&) {
                outcome = "refused";
            } catch (const std::exception& e) {
                outcome = e.what();
            }
        });
        while (!started)
            std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        tx.commit();
        writer.join();
        CHECK(outcome == std::optional<std::string>("refused"));
        const auto row = store_b.get("C");
        CHECK(row->version == 5);
        CHECK(row->state == "suspended");
        CHECK(store_b.events("C").size() == 5);
        CHECK(case_state::from_json(row->snapshot).complaints.empty());
    }
    SUBCASE("many writers in threads: every event once, the chain and replay consistent") {
        // the case's ten mobile numbers, at most two complaints each: below the threshold
        const json numbers = example("gd-retail-eligible")["numbers"];
        constexpr int threads = 4, per_thread = 5;
        std::atomic<int> conflicts{0};
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                case_store store = case_store::open(db.path());
                case_service service(store, manager(), testing::test_clock());
                for (int i = 0; i < per_thread; ++i) {
                    const std::string number = numbers[(t * per_thread + i) % 10]["number"];
                    for (;;) {
                        try {
                            service.apply("C", ev("complaint", "2026-04-01", {{"number", number}}));
                            break;
                        } catch (const conflict_error&) {
                            ++conflicts;
                        }
                    }
                }
            });
        for (auto& th : pool)
            th.join();
        const auto s = a.get("C");
        CHECK(s.version == 4 + threads * per_thread);
        CHECK(s.state == "whitelisted");
        CHECK(s.complaints.size() == 10);  // every number, twice
        CHECK(store_a.verify("C").ok());
        CHECK(a.check_replay("C").empty());
        MESSAGE("conflicts retried: " << conflicts.load());
    }
}

TEST_CASE("cases: a service's remembered states never hide another writer's events") {
    temp_db db;
    case_store store_a = case_store::open(db.path());
    case_store store_b = case_store::open(db.path());
    case_service a(store_a, manager(), testing::test_clock());
    case_service b(store_b, manager(), testing::test_clock());
    a.create(example("gd-retail-eligible"), ev("create", "2026-03-02"), "C");
    a.apply("C", ev("submit", "2026-03-16"));  // A now remembers version 2
    b.apply("C", ev("accept", "2026-03-17"));  // behind A's back: version 3, under_review

    SUBCASE("without a stated version, A judges the event against the case as it is now") {
        const auto r = a.apply("C", ev("approve", "2026-03-18"));
        CHECK(r.after.state == "whitelisted");
        CHECK(r.after.version == 4);
        CHECK(store_a.events("C").size() == 4);
        CHECK(store_a.get("C")->snapshot == r.after.to_json());
    }
    SUBCASE("with a stated version, A is told its view is stale and nothing is written") {
        CHECK_THROWS_AS(a.apply("C", ev("accept", "2026-03-18"), std::int64_t{2}), conflict_error);
        CHECK(store_a.events("C").size() == 3);
    }
    SUBCASE("an event in a rolled-back transaction is forgotten") {
        {
            auto tx = store_a.begin();
            a.apply("C", ev("approve", "2026-03-18"));
            tx.rollback();
        }
        CHECK(store_a.get("C")->state == "under_review");
        const auto r = a.apply("C", ev("schedule_inspection", "2026-03-19"));
        CHECK(r.after.state == "site_inspection");
        CHECK(r.after.version == 4);
        CHECK(store_a.verify("C").ok());
    }
}
