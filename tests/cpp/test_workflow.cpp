// Workflow definitions: the shipped CN and CN-BJ, docs/policy.md §5 transition by transition,
// overlays, located load errors, graph analyses and the DOT / Mermaid drawings.
#include <doctest/doctest.h>

#include "cases/case_support.hpp"

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace fs = std::filesystem;
using namespace telecomply;
using nlohmann::json;

namespace {

const fs::path workflow_dir = fs::path(TELECOMPLY_RULESETS_DIR) / "workflow";

json read_json(const fs::path& file) {
    std::ifstream in(file);
    return json::parse(in);
}
json cn_json() {
    return read_json(workflow_dir / "CN.json");
}

// The parameter names of the CN 2026.1 ruleset that the workflow reads.
const std::vector<std::string> cn_parameters = {"calling_window",
                                                "daily_call_cap",
                                                "max_numbers_per_application",
                                                "channels",
                                                "licensed_industries",
                                                "high_risk_industries",
                                                "inspection_threshold",
                                                "max_violations_24m",
                                                "max_rejections_12m",
                                                "min_company_age_days",
                                                "review_sla_working_days",
                                                "supplement_deadline_working_days",
                                                "change_report_working_days",
                                                "false_information_ban_days",
                                                "whitelist_validity_months",
                                                "renewal_window_days",
                                                "complaint_threshold",
                                                "complaint_window_days"};

// docs/policy.md §5, one row per source state; "(timer)" for the automatic transitions.
struct row {
    const char* from;
    const char* event;
    const char* to;
};
const std::vector<row> policy_table = {
    {"draft", "submit", "submitted"},
    {"draft", "withdraw", "withdrawn"},
    {"rejected", "withdraw", "withdrawn"},
    {"rectifying", "withdraw", "withdrawn"},
    {"submitted", "accept", "under_review"},
    {"submitted", "request_supplement", "supplement_requested"},
    {"under_review", "request_supplement", "supplement_requested"},
    {"supplement_requested", "supplement", "under_review"},
    {"supplement_requested", "(supplement_deadline)", "rejected"},
    {"under_review", "schedule_inspection", "site_inspection"},
    {"site_inspection", "inspection_passed", "under_review"},
    {"site_inspection", "inspection_failed", "rejected"},
    {"under_review", "approve", "whitelisted"},
    {"under_review", "reject", "rejected"},
    {"under_review", "find_false_information", "barred"},
    {"site_inspection", "find_false_information", "barred"},
    {"rejected", "rectify", "rectifying"},
    {"rectifying", "resubmit", "submitted"},
    {"whitelisted", "report_change", "change_pending"},
    {"change_pending", "change_accepted", "whitelisted"},
    {"change_pending", "change_rejected", "whitelisted"},
    {"whitelisted", "complaint", "whitelisted"},
    {"whitelisted", "complaint", "suspended"},
    {"whitelisted", "compliance_check_failed", "suspended"},
    {"suspended", "reinstate", "whitelisted"},
    {"suspended", "revoke", "revoked"},
    {"whitelisted", "submit_renewal", "renewal_review"},
    {"renewal_review", "approve_renewal", "whitelisted"},
    {"whitelisted", "(validity)", "expired"},
    {"renewal_review", "(validity)", "expired"},
};

const workflow_transition* find(const workflow& w, const std::string& from,
                                const std::string& event, const std::string& to) {
    const bool timer = event.front() == '(';
    const auto candidates = timer ? w.on_timer(from) : w.on_event(from, event);
    for (const auto* t : candidates)
        if (t->to == to && (!timer || "(" + t->timer + ")" == event)) return t;
    return nullptr;
}

const workflow_transition& by_id(const workflow& w, const std::string& id) {
    for (const auto& t : w.transitions())
        if (t.id == id) return t;
    throw std::runtime_error("no transition " + id);
}

bool has_effect(const workflow_transition& t, const std::string& kind, const std::string& arg) {
    return std::any_of(t.effects.begin(), t.effects.end(),
                       [&](const workflow_effect& e) { return e.kind == kind && e.arg == arg; });
}

// The message of the workflow_error `f` throws ("" when it throws nothing).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const workflow_error& e) {
        CHECK(e.code() == errc::workflow_error);
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool any_contains(const std::vector<std::string>& messages, const std::string& part) {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const std::string& m) { return contains(m, part); });
}

json transition(const std::string& id, const std::string& from, const std::string& event,
                const std::string& to) {
    return {{"id", id}, {"from", {from}}, {"event", event}, {"to", to}};
}

// A scratch folder for definition files.
struct scratch {
    fs::path dir;
    scratch() {
        static int counter = 0;
        dir = fs::temp_directory_path() /
              ("telecomply-wf-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~scratch() { fs::remove_all(dir); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name) << text;
    }
};

}  // namespace

TEST_CASE("workflow: the shipped CN and CN-BJ load") {
    const auto cn = workflow::load(workflow_dir);
    CHECK(cn.id() == "CN");
    CHECK(cn.initial() == "draft");
    CHECK(cn.states() == std::vector<std::string>{"draft", "submitted", "under_review",
                                                  "supplement_requested", "site_inspection",
                                                  "rejected", "rectifying", "whitelisted",
                                                  "change_pending", "suspended", "renewal_review",
                                                  "withdrawn", "barred", "revoked", "expired"});
    std::vector<std::string> finals;
    for (const auto& s : cn.states())
        if (cn.is_final(s)) finals.push_back(s);
    CHECK(finals == std::vector<std::string>{"withdrawn", "barred", "revoked", "expired"});
    CHECK_FALSE(cn.is_final("nowhere"));
    CHECK(cn.has_state("renewal_review"));
    CHECK_FALSE(cn.has_state("nowhere"));
    CHECK(cn.events().size() == 22);

    const auto bj = workflow::load(workflow_dir, "CN-BJ");
    CHECK(bj.id() == "CN-BJ");
    CHECK(bj.states() == cn.states());
    CHECK(bj.transitions().size() == cn.transitions().size());

    // A region without an overlay gets the national workflow.
    CHECK(workflow::load(workflow_dir, "CN-GD").id() == "CN");
    CHECK_THROWS_AS((void)workflow::load(workflow_dir, "../CN"), usage_error);
    CHECK_THROWS_AS((void)workflow::load(workflow_dir / "nowhere"), not_found_error);

    // from_json gives the same workflow as load.
    const auto direct = workflow::from_json(cn_json());
    CHECK(direct.transitions().size() == cn.transitions().size());
    const json bj_overlay = read_json(workflow_dir / "CN-BJ.json");
    CHECK(workflow::from_json(cn_json(), &bj_overlay).id() == "CN-BJ");
}

TEST_CASE("workflow: every transition of docs/policy.md section 5 is in CN") {
    const auto w = workflow::load(workflow_dir);
    std::size_t edges = 0;
    for (const auto& t : w.transitions())
        edges += t.from.size();
    CHECK(edges == policy_table.size());  // nothing more than the table
    for (const auto& r : policy_table) {
        CAPTURE(r.from);
        CAPTURE(r.event);
        CAPTURE(r.to);
        CHECK(find(w, r.from, r.event, r.to) != nullptr);
    }
    // Events that the table does not allow in a state are refused there.
    CHECK(w.on_event("draft", "approve").empty());
    CHECK(w.on_event("withdrawn", "submit").empty());
    CHECK(w.on_timer("under_review").empty());
    CHECK_THROWS_AS((void)w.on_event("nowhere", "submit"), usage_error);
}

TEST_CASE("workflow: guards, effects, reasons and timers of CN") {
    const auto w = workflow::load(workflow_dir);
    CHECK(by_id(w, "submit").guard == "intake_rules");
    CHECK(by_id(w, "resubmit").guard == "intake_rules");

    const auto& accept = by_id(w, "accept");
    CHECK(has_effect(accept, "start_timer", "review_sla"));

    const auto& request = *find(w, "under_review", "request_supplement", "supplement_requested");
    CHECK(request.from == std::vector<std::string>{"submitted", "under_review"});
    CHECK(has_effect(request, "start_timer", "supplement_deadline"));
    CHECK(has_effect(request, "require_items", ""));

    const auto& supplement = by_id(w, "supplement");
    CHECK(supplement.guard == "supplement_complete");
    CHECK(has_effect(supplement, "stop_timer", "supplement_deadline"));

    const auto& missed = *find(w, "supplement_requested", "(supplement_deadline)", "rejected");
    CHECK(missed.event.empty());
    CHECK(missed.reason == "SUPPLEMENT_DEADLINE_MISSED");

    CHECK(has_effect(by_id(w, "inspection_passed"), "meet_obligation", "SITE_INSPECTION_REQUIRED"));

    const auto& approve = by_id(w, "approve");
    CHECK(approve.guard == "approval");
    CHECK(has_effect(approve, "start_timer", "validity"));
    CHECK(has_effect(approve, "stop_timer", "review_sla"));
    CHECK(has_effect(by_id(w, "reject"), "record", "rejection"));

    const auto& false_info = *find(w, "site_inspection", "find_false_information", "barred");
    CHECK(has_effect(false_info, "ban", "false_information_ban_days"));

    CHECK(has_effect(by_id(w, "report_change"), "check_change_lateness",
                     "change_report_working_days"));

    const auto complaints = w.on_event("whitelisted", "complaint");
    REQUIRE(complaints.size() == 2);
    CHECK(complaints[0]->to == "whitelisted");
    CHECK(complaints[0]->guard == "complaints_below_threshold");
    CHECK(complaints[1]->to == "suspended");
    CHECK(complaints[1]->guard == "complaints_at_threshold");
    for (const auto* c : complaints)
        CHECK(has_effect(*c, "count_complaint", ""));

    CHECK(by_id(w, "submit_renewal").guard == "renewal_window");
    CHECK(has_effect(by_id(w, "approve_renewal"), "extend_timer", "validity"));
    const auto expiry = w.on_timer("renewal_review");
    REQUIRE(expiry.size() == 1);
    CHECK(expiry[0]->timer == "validity");
    CHECK(expiry[0]->to == "expired");
    CHECK(expiry[0]->from == std::vector<std::string>{"whitelisted", "renewal_review"});

    REQUIRE(w.timers().size() == 3);
    const auto* sla = w.timer("review_sla");
    REQUIRE(sla != nullptr);
    CHECK(sla->kind == "sla");
    CHECK(sla->raises == "REVIEW_OVERDUE");
    CHECK(sla->working_days_param == "review_sla_working_days");
    const auto* deadline = w.timer("supplement_deadline");
    REQUIRE(deadline != nullptr);
    CHECK(deadline->kind == "deadline");
    CHECK(deadline->working_days_param == "supplement_deadline_working_days");
    const auto* validity = w.timer("validity");
    REQUIRE(validity != nullptr);
    CHECK(validity->kind == "deadline");
    CHECK(validity->months_param == "whitelist_validity_months");
    CHECK(validity->working_days_param.empty());
    CHECK(w.timer("nowhere") == nullptr);
}

TEST_CASE("workflow: the CN-BJ overlay sends accept to the site inspection") {
    const auto cn = workflow::load(workflow_dir);
    const auto bj = workflow::load(workflow_dir, "CN-BJ");
    const auto accept = bj.on_event("submitted", "accept");
    REQUIRE(accept.size() == 1);
    CHECK(accept[0]->id == "accept");
    CHECK(accept[0]->to == "site_inspection");
    CHECK(has_effect(*accept[0], "start_timer", "review_sla"));
    CHECK(find(bj, "site_inspection", "inspection_passed", "under_review") != nullptr);
    // Replaced in place: the order of the other transitions is the national one.
    for (std::size_t i = 0; i < cn.transitions().size(); ++i) {
        CHECK(bj.transitions()[i].id == cn.transitions()[i].id);
        if (cn.transitions()[i].id != "accept")
            CHECK(bj.transitions()[i].to == cn.transitions()[i].to);
    }
}

TEST_CASE("workflow: analyse() of the shipped workflows is clean") {
    for (const char* region : {"CN", "CN-BJ"}) {
        CAPTURE(region);
        const auto w = workflow::load(workflow_dir, region);
        const auto a = w.analyse(known_guards(), cn_parameters);
        CHECK(a.unreachable.empty());
        CHECK(a.cannot_finish.empty());
        CHECK(a.problems.empty());
        for (const auto& p : a.problems)
            MESSAGE(p);
        // Without parameters the parameter checks are skipped, and nothing else changes.
        CHECK(w.analyse(known_guards()).problems.empty());
    }
    CHECK(known_guards().size() == 6);
}

TEST_CASE("workflow: shortest paths") {
    const auto cn = workflow::load(workflow_dir);
    CHECK(cn.analyse(known_guards()).shortest_to_whitelisted ==
          std::vector<std::string>{"submit", "accept", "approve"});
    CHECK(cn.shortest_path("draft", "whitelisted") ==
          std::vector<std::string>{"submit", "accept", "approve"});
    const auto bj = workflow::load(workflow_dir, "CN-BJ");
    CHECK(bj.analyse(known_guards()).shortest_to_whitelisted ==
          std::vector<std::string>{"submit", "accept", "inspection_passed", "approve"});

    // Timer transitions count as a step named after the timer.
    CHECK(cn.shortest_path("whitelisted", "expired") == std::vector<std::string>{"(validity)"});
    CHECK(cn.shortest_path("supplement_requested", "withdrawn") ==
          std::vector<std::string>{"(supplement_deadline)", "withdraw"});
    // Ties go to the transition defined first: complaint (at threshold) before
    // compliance_check_failed.
    CHECK(cn.shortest_path("whitelisted", "revoked") ==
          std::vector<std::string>{"complaint", "revoke"});
    // Unreachable (nothing leaves a final state) and zero-length paths are empty.
    CHECK(cn.shortest_path("expired", "draft").empty());
    CHECK(cn.shortest_path("draft", "draft").empty());
    CHECK(cn.shortest_path("whitelisted", "draft").empty());
    CHECK_THROWS_AS((void)cn.shortest_path("draft", "nowhere"), usage_error);
}

TEST_CASE("workflow: structural errors are workflow_error with the JSON path") {
    SUBCASE("a transition to an unknown state") {
        auto j = cn_json();
        j["transitions"][2]["to"] = "nowhere";
        const auto msg = error_of([&] { (void)workflow::from_json(j, nullptr, "cn-test"); });
        CHECK(contains(msg, "cn-test: $.transitions[2].to: "));
        CHECK(contains(msg, "transition 'accept' goes to unknown state 'nowhere'"));
    }
    SUBCASE("a transition from an unknown state") {
        auto j = cn_json();
        j["transitions"][1]["from"][1] = "limbo";
        const auto msg = error_of([&] { (void)workflow::from_json(j); });
        CHECK(contains(msg, "$.transitions[1].from[1]: "));
        CHECK(contains(msg, "unknown state 'limbo'"));
    }
    SUBCASE("a duplicate transition id") {
        auto j = cn_json();
        j["transitions"][5]["id"] = "submit";
        const auto msg = error_of([&] { (void)workflow::from_json(j); });
        CHECK(contains(msg,
                       "$.transitions[5].id: transition id 'submit' is also used by "
                       "$.transitions[0]"));
    }
    SUBCASE("a missing or unknown initial state") {
        auto j = cn_json();
        j.erase("initial");
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.initial: missing: a workflow needs an initial state"));
        j["initial"] = "start";
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.initial: unknown state 'start'"));
    }
    SUBCASE("malformed shapes") {
        auto j = cn_json();
        j["transitions"][0]["timer"] = "validity";
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.transitions[0]: a transition has either an \"event\" or a \"timer\", "
                       "not both"));
        j = cn_json();
        j["transitions"][0]["gaurd"] = "approval";
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.transitions[0].gaurd: unknown key 'gaurd'"));
        j = cn_json();
        j["states"][3] = {{"name", "draft"}};
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.states[3].name: state 'draft' is defined twice"));
        j = cn_json();
        j["timers"]["validity"]["days"] = "whitelist_validity_days";
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.timers.validity: a timer names exactly one parameter"));
        j = cn_json();
        j["transitions"][2]["effects"][0] = {{"start_timer", "review_sla"}, {"stop_timer", "x"}};
        CHECK(contains(error_of([&] { (void)workflow::from_json(j); }),
                       "$.transitions[2].effects[0]: an effect is an object with one key"));
    }
}

TEST_CASE("workflow: overlays") {
    const auto base = cn_json();
    const auto overlay_error = [&](const json& overlay) {
        return error_of([&] { (void)workflow::from_json(base, &overlay, "test"); });
    };
    json overlay = {{"id", "CN-XX"}, {"extends", "CN"}};

    SUBCASE("replacing an unknown id") {
        auto t = transition("acept", "submitted", "accept", "site_inspection");
        t["replace"] = true;
        overlay["transitions"] = json::array({t});
        const auto msg = overlay_error(overlay);
        CHECK(contains(msg,
                       "test (overlay): $.transitions[0].id: replaces unknown transition "
                       "'acept'"));
    }
    SUBCASE("removing an unknown id") {
        overlay["remove"] = {"schedule_inspection", "shedule"};
        CHECK(
            contains(overlay_error(overlay), "$.remove[1]: removes unknown transition 'shedule'"));
    }
    SUBCASE("adding an id the base defines, without replace") {
        overlay["transitions"] =
            json::array({transition("accept", "submitted", "accept", "site_inspection")});
        CHECK(contains(overlay_error(overlay),
                       "$.transitions[0].id: transition 'accept' is already defined by CN (add "
                       "\"replace\": true to replace it)"));
    }
    SUBCASE("defining and removing one id") {
        auto t = transition("accept", "submitted", "accept", "site_inspection");
        t["replace"] = true;
        overlay["transitions"] = json::array({t});
        overlay["remove"] = {"accept"};
        CHECK(contains(overlay_error(overlay),
                       "$.remove[0]: transition 'accept' is both defined and removed"));
    }
    SUBCASE("extending another workflow") {
        overlay["extends"] = "CN-BJ";
        CHECK(contains(overlay_error(overlay),
                       "$.extends: extends 'CN-BJ' but the base workflow is 'CN'"));
    }
    SUBCASE("an added transition to an unknown state points at the overlay") {
        overlay["transitions"] =
            json::array({transition("escalate", "under_review", "accept", "tribunal")});
        CHECK(contains(overlay_error(overlay),
                       "test (overlay): $.transitions[0].to: transition 'escalate' goes to "
                       "unknown state 'tribunal'"));
    }
    SUBCASE("removing and adding transitions") {
        overlay["remove"] = {"schedule_inspection"};
        overlay["transitions"] =
            json::array({transition("withdraw_review", "under_review", "withdraw", "withdrawn")});
        const auto w = workflow::from_json(base, &overlay);
        CHECK(w.id() == "CN-XX");
        CHECK(w.on_event("under_review", "schedule_inspection").empty());
        CHECK(w.transitions().back().id == "withdraw_review");
        CHECK(w.on_event("under_review", "withdraw").size() == 1);
        // site_inspection was only entered by schedule_inspection.
        const auto a = w.analyse(known_guards());
        CHECK(a.unreachable == std::vector<std::string>{"site_inspection"});
        CHECK(any_contains(a.problems,
                           "event 'schedule_inspection' is declared but no transition uses it"));
    }
}

TEST_CASE("workflow: load errors name the file and line") {
    scratch s;
    auto j = cn_json();
    j["transitions"][3]["to"] = "nowhere";
    s.write("CN.json", j.dump(2));
    const auto msg = error_of([&] { (void)workflow::load(s.dir); });
    const auto text = j.dump(2);
    const auto line =
        1 +
        std::count(text.begin(), text.begin() + static_cast<long>(text.find("\"nowhere\"")), '\n');
    CHECK(contains(msg, (s.dir / "CN.json").string() + ":" + std::to_string(line) +
                            ": $.transitions[3].to: "));

    s.write("CN.json", "{\"id\": \"CN\",\n \"states\": [}");
    CHECK(contains(error_of([&] { (void)workflow::load(s.dir); }),
                   "CN.json:2: $.states[0]: invalid JSON"));

    s.write("CN.json", cn_json().dump(2));
    s.write("CN-XX.json",
            "{\n  \"id\": \"CN-XX\",\n  \"extends\": \"CN\",\n  \"remove\": "
            "[\"nothing\"]\n}\n");
    CHECK(contains(error_of([&] { (void)workflow::load(s.dir, "CN-XX"); }),
                   "CN-XX.json:4: $.remove[0]: removes unknown transition 'nothing'"));
}

TEST_CASE("workflow: analyse() finds the smells") {
    SUBCASE("an unreachable state") {
        auto j = cn_json();
        j["states"].push_back({{"name", "limbo"}});
        j["transitions"].push_back(transition("leave_limbo", "limbo", "withdraw", "withdrawn"));
        const auto a = workflow::from_json(j).analyse(known_guards());
        CHECK(a.unreachable == std::vector<std::string>{"limbo"});
        CHECK(a.cannot_finish.empty());
        CHECK(a.problems.empty());
    }
    SUBCASE("states that cannot reach an end") {
        auto j = cn_json();
        j["states"].push_back({{"name", "appeal"}});
        j["states"].push_back({{"name", "appeal_hearing"}});
        j["events"].push_back("appeal");
        j["transitions"].push_back(transition("appeal", "rejected", "appeal", "appeal"));
        j["transitions"].push_back(transition("hear", "appeal", "appeal", "appeal_hearing"));
        j["transitions"].push_back(transition("rehear", "appeal_hearing", "appeal", "appeal"));
        const auto a = workflow::from_json(j).analyse(known_guards());
        CHECK(a.unreachable.empty());
        CHECK(a.cannot_finish == std::vector<std::string>{"appeal", "appeal_hearing"});
    }
    SUBCASE("no final state at all") {
        auto j = cn_json();
        for (auto& s : j["states"])
            s.erase("final");
        const auto a = workflow::from_json(j).analyse(known_guards());
        CHECK(a.cannot_finish.size() == 15);
    }
    SUBCASE("an unknown guard or effect is refused when the workflow loads") {
        auto j = cn_json();
        j["transitions"][0]["guard"] = "intake_rule";
        CHECK_THROWS_WITH_AS((void)workflow::from_json(j),
                             doctest::Contains("$.transitions[0].guard: unknown guard "
                                               "'intake_rule' (known: intake_rules, approval"),
                             workflow_error);
        auto k = cn_json();
        k["transitions"][0]["effects"] = json::array({{{"start_timers", "review_sla"}}});
        CHECK_THROWS_WITH_AS((void)workflow::from_json(k),
                             doctest::Contains("$.transitions[0].effects[0].start_timers: unknown "
                                               "effect 'start_timers'"),
                             workflow_error);
    }
    SUBCASE("two guardless transitions on one state and event") {
        auto j = cn_json();
        j["transitions"].push_back(
            transition("approve_fast", "under_review", "reject", "whitelisted"));
        const auto a = workflow::from_json(j).analyse(known_guards());
        REQUIRE(a.problems.size() == 1);
        CHECK(a.problems[0] ==
              "transitions 'reject' and 'approve_fast' both leave "
              "'under_review' on event 'reject' (no guard, no guard): "
              "nondeterministic, the guards do not tell them apart");
    }
    SUBCASE("guards that do not exclude each other") {
        auto j = cn_json();
        auto t = transition("approve_fast", "under_review", "approve", "whitelisted");
        t["guard"] = "intake_rules";
        j["transitions"].push_back(t);
        const auto a = workflow::from_json(j).analyse(known_guards());
        CHECK(any_contains(a.problems,
                           "transitions 'approve' and 'approve_fast' both leave "
                           "'under_review' on event 'approve' (guard 'approval', "
                           "guard 'intake_rules')"));
        // The complaint pair carries complementary guards: not reported.
        CHECK_FALSE(any_contains(a.problems, "complaint"));
    }
    SUBCASE("unknown events, timers, effects and parameters") {
        auto j = cn_json();
        j["transitions"][0]["event"] = "sumbit";
        j["transitions"][3]["effects"].push_back({{"stop_timer", "supplement"}});
        j["transitions"][11]["effects"][0]["ban"] = "ban_days";
        j["transitions"][5]["timer"] = "review_sla";
        j["transitions"].push_back(
            {{"id", "lapse"}, {"from", {"suspended"}}, {"timer", "suspension"}, {"to", "revoked"}});
        j["timers"]["review_sla"]["working_days"] = "review_days";
        const auto w = workflow::from_json(j);
        const auto a = w.analyse(known_guards(), cn_parameters);
        CHECK(a.problems.size() == 7);  // (an unknown effect is refused when loading)
        CHECK(any_contains(a.problems, "transition 'submit': unknown event 'sumbit'"));
        CHECK(any_contains(a.problems,
                           "transition 'request_supplement': stop_timer names unknown timer "
                           "'supplement'"));
        CHECK(any_contains(a.problems,
                           "transition 'find_false_information': ban names unknown parameter "
                           "'ban_days'"));
        CHECK(any_contains(a.problems,
                           "transition 'supplement_missed': timer 'review_sla' is an SLA"));
        CHECK(any_contains(a.problems, "transition 'lapse': unknown timer 'suspension'"));
        CHECK(any_contains(a.problems, "timer 'review_sla': unknown parameter 'review_days'"));
        CHECK(any_contains(a.problems, "event 'submit' is declared but no transition uses it"));
        // Without parameter names the parameter checks are skipped.
        CHECK_FALSE(any_contains(w.analyse(known_guards()).problems, "unknown parameter"));
    }
    SUBCASE("a guard needing a parameter the ruleset lacks") {
        std::vector<std::string> params = cn_parameters;
        params.erase(std::find(params.begin(), params.end(), "renewal_window_days"));
        const auto a = workflow::load(workflow_dir).analyse(known_guards(), params);
        CHECK(a.problems == std::vector<std::string>{
                                "transition 'submit_renewal': guard 'renewal_window' needs "
                                "parameter 'renewal_window_days', which the ruleset does not "
                                "define"});
    }
    SUBCASE("a transition leaving a final state") {
        auto j = cn_json();
        j["transitions"].push_back(transition("unexpire", "expired", "reinstate", "whitelisted"));
        const auto a = workflow::from_json(j).analyse(known_guards());
        CHECK(a.problems ==
              std::vector<std::string>{"transition 'unexpire': leaves final state 'expired'"});
    }
}

TEST_CASE("workflow: DOT and Mermaid drawings") {
    const auto w = workflow::load(workflow_dir);
    const auto dot = w.to_dot();
    const auto mermaid = w.to_mermaid();
    CHECK(dot.rfind("digraph \"CN\" {\n", 0) == 0);
    CHECK(dot.substr(dot.size() - 2) == "}\n");
    CHECK(contains(dot, "\n    \"_start\" -> \"draft\";\n"));
    CHECK(contains(dot, "\n    \"draft\";\n"));
    CHECK(contains(dot, "\n    \"withdrawn\" [shape=doublecircle];\n"));
    CHECK(contains(dot, "\n    \"draft\" -> \"submitted\" [label=\"submit [intake_rules]\"];\n"));
    CHECK(contains(dot,
                   "\n    \"supplement_requested\" -> \"rejected\" "
                   "[label=\"(supplement_deadline)\", style=dashed];\n"));
    CHECK(contains(dot,
                   "\n    \"whitelisted\" -> \"suspended\" "
                   "[label=\"complaint [complaints_at_threshold]\"];\n"));
    CHECK(mermaid.rfind("stateDiagram-v2\n", 0) == 0);
    CHECK(contains(mermaid, "\n    [*] --> draft\n"));
    CHECK(contains(mermaid, "\n    draft --> submitted : submit [intake_rules]\n"));
    CHECK(contains(mermaid, "\n    renewal_review --> expired : (validity)\n"));
    CHECK(contains(mermaid, "\n    expired --> [*]\n"));

    for (const auto& s : w.states()) {
        CAPTURE(s);
        CHECK(contains(
            dot, "\n    \"" + s + "\"" + (w.is_final(s) ? " [shape=doublecircle]" : "") + ";\n"));
        CHECK(contains(mermaid, "\n    " + s + "\n"));
        CHECK(contains(mermaid, "\n    " + s + " --> [*]\n") == w.is_final(s));
    }
    std::size_t dot_edges = 0;
    std::size_t mermaid_edges = 0;
    for (std::size_t p = 0; (p = dot.find("\" -> \"", p)) != std::string::npos; ++p)
        ++dot_edges;
    for (std::size_t p = 0; (p = mermaid.find(" : ", p)) != std::string::npos; ++p)
        ++mermaid_edges;
    CHECK(dot_edges == policy_table.size() + 1);  // + the start arrow
    CHECK(mermaid_edges == policy_table.size());
    for (const auto& r : policy_table) {
        const auto* t = find(w, r.from, r.event, r.to);
        REQUIRE(t != nullptr);
        const std::string label =
            std::string(r.event) + (t->guard.empty() ? "" : " [" + t->guard + "]");
        CHECK(contains(dot, "\n    \"" + std::string(r.from) + "\" -> \"" + r.to + "\" [label=\"" +
                                label + "\""));
        CHECK(contains(mermaid,
                       "\n    " + std::string(r.from) + " --> " + r.to + " : " + label + "\n"));
    }
    CHECK(contains(workflow::load(workflow_dir, "CN-BJ").to_dot(),
                   "\n    \"submitted\" -> \"site_inspection\" [label=\"accept\"];\n"));
}

TEST_CASE("workflow: copies share one immutable graph across threads") {
    const auto w = workflow::load(workflow_dir, "CN-BJ");
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (std::size_t i = 0; i < ok.size(); ++i)
        threads.emplace_back([copy = w, &ok, i] {
            for (int k = 0; k < 50; ++k) {
                const auto a = copy.analyse(known_guards());
                if (a.problems.empty() && a.shortest_to_whitelisted.size() == 4) ++ok[i];
            }
        });
    for (auto& t : threads)
        t.join();
    for (const int n : ok)
        CHECK(n == 50);
    CHECK(&w.transitions() == &workflow(w).transitions());
}

TEST_CASE("workflow: one vocabulary of guards and effects, each implemented by the case layer") {
    const auto& v = workflow_vocabulary::standard();
    std::vector<std::string> guards, effects;
    for (const auto& g : v.guards())
        guards.push_back(g.name);
    for (const auto& e : v.effects())
        effects.push_back(e.name);
    auto sorted = [](std::vector<std::string> x) {
        std::sort(x.begin(), x.end());
        return x;
    };
    // every word has an implementation, and every implementation a word
    CHECK(sorted(guards) == sorted(detail::implemented_guards()));
    CHECK(sorted(effects) == sorted(detail::implemented_effects()));
    CHECK(known_guards() == guards);
    // what the analyses read comes from the entries
    REQUIRE(v.guard("renewal_window") != nullptr);
    CHECK(v.guard("renewal_window")->parameters == std::vector<std::string>{"renewal_window_days"});
    CHECK(v.exclusive("complaints_at_threshold", "complaints_below_threshold"));
    CHECK_FALSE(v.exclusive("approval", "intake_rules"));
    REQUIRE(v.effect("ban") != nullptr);
    CHECK(v.effect("ban")->arg == effect_arg::parameter);
    CHECK(v.effect("record")->payload == std::vector<std::string>{"reasons"});
    CHECK(v.guard("nothing") == nullptr);
    CHECK(v.effect("nothing") == nullptr);
    // every event data field a word reads is documented (what `case event --help` lists)
    for (const auto& g : v.guards())
        for (const auto& f : g.payload)
            CHECK_MESSAGE(v.payload(f) != nullptr, g.name << " reads undocumented data." << f);
    for (const auto& e : v.effects())
        for (const auto& f : e.payload)
            CHECK_MESSAGE(v.payload(f) != nullptr, e.name << " reads undocumented data." << f);
    // and each event of the national workflow says which fields it takes
    const auto w = workflow::load(workflow_dir);
    auto fields = [&](std::string_view event) {
        std::vector<std::string> out;
        for (const auto* f : v.payload_of(w, event))
            out.push_back(f->name);
        return out;
    };
    CHECK(fields("reject") == std::vector<std::string>{"reasons"});
    CHECK(fields("request_supplement") == std::vector<std::string>{"items"});
    CHECK(fields("complaint") == std::vector<std::string>{"number", "source"});
    CHECK(fields("report_change") == std::vector<std::string>{"changed_on", "patch"});
    CHECK(fields("submit") == std::vector<std::string>{"patch"});
    CHECK(fields("accept").empty());
}
