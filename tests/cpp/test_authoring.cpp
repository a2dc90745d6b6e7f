// The rule-writer tools (authoring): overlays and self-extending versions, lint of field paths
// and relaxed parameters, coverage per rule, leaf traces, fixes as merge patches, fmt.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/fix.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/rules/ruleset_format.hpp"
#include "telecomply/rules/ruleset_tests.hpp"
#include "telecomply/workflow/lint.hpp"

namespace fs = std::filesystem;
using namespace telecomply;
using nlohmann::json;
using telecomply::testing::scratch_dir;

namespace {

const fs::path shipped = TELECOMPLY_RULESETS_DIR;
const fs::path source_root = shipped.parent_path();
const fs::path overlay = source_root / "examples" / "overlays" / "gd-2026.2";
const fs::path apps_dir = source_root / "examples" / "applications";
const fs::path authoring = fs::path(TELECOMPLY_TEST_DATA) / "authoring";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
json app_of(const std::string& name) {
    return json::parse(slurp(apps_dir / (name + ".json")));
}

// One engine over the shipped rulesets and the example overlay, shared by the tests.
const engine& gd_engine() {
    static const engine e(shipped, {overlay});
    return e;
}
const engine& plain_engine() {
    static const engine e(shipped);
    return e;
}

// Writes `rel` under `dir`, making its folders.
void put(const fs::path& dir, const std::string& rel, const std::string& text) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel, std::ios::binary) << text;
}
// A CN-GD version for an overlay: header, then `rest` (",\n  \"rules\": [...]" and so on).
std::string gd_version(const std::string& version, const std::string& from,
                       const std::string& extends, const std::string& rest = "",
                       const std::string& to = "") {
    return "{\n  \"id\": \"CN-GD\",\n  \"version\": \"" + version +
           "\",\n  \"effective_from\": \"" + from + "\",\n" +
           (to.empty() ? "" : "  \"effective_to\": \"" + to + "\",\n") +
           (extends.empty() ? "" : "  \"extends\": \"" + extends + "\",\n") +
           "  \"title\": {\"zh\": \"测试\", \"en\": \"test\"}" + rest + "\n}\n";
}
// The message of the ruleset_error loading `dir` with `overlays` throws ("" when none).
std::string load_error(const fs::path& dir, const std::vector<fs::path>& overlays,
                       std::string* file = nullptr, std::string* path = nullptr) {
    try {
        (void)catalogue::load(dir, overlays);
    } catch (const ruleset_error& e) {
        if (file) *file = e.file();
        if (path) *path = e.json_path();
        return e.message();
    }
    return "";
}
std::vector<std::string> messages(const std::vector<diagnostic>& ds, const std::string& part,
                                  diagnostic_severity sev) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        if (d.severity() == sev && d.message.find(part) != std::string::npos)
            out.push_back(d.message);
    return out;
}
const rule_trace* trace_of(const verdict& v, const std::string& rule_id) {
    for (const auto& t : *v.trace)
        if (t.source && t.source->id == rule_id) return &t;
    return nullptr;
}

}  // namespace

TEST_CASE("authoring: an overlay version extends its predecessor and ends it") {
    const auto& cat = gd_engine().rules();
    CHECK(cat.overlays() == std::vector<fs::path>{overlay});
    CHECK(cat.file_of("CN-GD@2026.2") == overlay / "CN-GD" / "2026.2.json");
    CHECK(cat.file_of("CN-GD@2026.1") == shipped / "CN-GD" / "2026.1.json");
    CHECK(cat.file_of("CN-GD@2099.1").empty());
    const auto list = cat.list();
    CHECK(list.size() == 65);
    CHECK(std::count(list.begin(), list.end(),
                     std::pair<std::string, std::string>{"CN-GD", "2026.2"}) == 1);

    const auto v1 = cat.get("CN-GD", "2026.1");
    REQUIRE(v1->effective_to());
    CHECK(v1->effective_to()->to_string() == "2026-06-30");
    const auto v2 = cat.get("CN-GD", "2026.2");
    CHECK_FALSE(v2->effective_to());
    CHECK(v2->effective_from().to_string() == "2026-07-01");
    CHECK(v2->chain() == std::vector<std::string>{"CN@2026.1", "CN-GD@2026.1", "CN-GD@2026.2"});
    CHECK(v2->parameters()["daily_call_cap"] == 120);
    CHECK(v2->parameters()["min_company_age_days"] == 180);        // CN-GD@2026.1's
    CHECK(v2->parameters()["max_numbers_per_application"] == 50);  // CN's
    REQUIRE(v2->find_rule("number.purpose"));
    CHECK(v2->find_rule("number.purpose")->origin == "CN-GD@2026.2");
    REQUIRE(v2->find_rule("company.too_new"));
    CHECK(v2->find_rule("company.too_new")->origin == "CN-GD@2026.1");
    CHECK(v2->find_rule("company.too_new")->level == severity::blocking);  // the override kept
    CHECK(v2->rules().size() == v1->rules().size() + 1);

    CHECK(cat.resolve("CN-GD", *date::parse("2026-06-30"))->version() == "2026.1");
    CHECK(cat.resolve("CN-GD", *date::parse("2026-07-01"))->version() == "2026.2");
    // without the overlay CN-GD@2026.1 stays open-ended
    CHECK_FALSE(plain_engine().rules().get("CN-GD", "2026.1")->effective_to());
    CHECK(plain_engine().rules().notes().empty());
}

TEST_CASE("authoring: loading notes which file defines what and which version ended") {
    const auto& notes = gd_engine().rules().notes();
    REQUIRE(notes.size() == 2);
    for (const auto& n : notes) {
        CHECK(n.severity() == diagnostic_severity::note);
        CHECK(n.warning);
        CHECK(n.code == "ruleset_error");
    }
    const auto v1_file = (shipped / "CN-GD" / "2026.1.json").string();
    const auto v2_file = (overlay / "CN-GD" / "2026.2.json").string();
    CHECK(notes[0].file == v1_file);
    CHECK(notes[0].json_path == "$.effective_from");
    CHECK(notes[0].line == 4);
    CHECK(notes[0].message ==
          "CN-GD@2026.1 is open-ended in its file; CN-GD@2026.2 (" + v2_file +
              ") starts on 2026-07-01, so CN-GD@2026.1 is in force to 2026-06-30");
    CHECK(notes[1].file == v2_file);
    CHECK(notes[1].line == 0);
    CHECK(notes[1].message ==
          "defines CN-GD@2026.2 (in force 2026-07-01 to open), extending "
          "CN-GD@2026.1 of " +
              v1_file);
    const auto report = lint_folder(shipped, {overlay});
    CHECK(report.versions == 65);
    CHECK(report.errors() == 0);
    CHECK(report.problems.empty());
    CHECK(report.notes.size() == 2);
}

TEST_CASE("authoring: a self-extending chain rebuilds from its content with the same digest") {
    const auto v2 = gd_engine().rules().get("CN-GD", "2026.2");
    const auto& content = v2->content();
    REQUIRE(content.size() == 3);
    CHECK(content[2]["name"] == "CN-GD@2026.2");
    const auto again = gd_engine().rules().from_content(content, "pinned", v2->digest());
    CHECK(again->digest() == v2->digest());
    CHECK(again->chain() == v2->chain());
    CHECK(again->rules().size() == v2->rules().size());
    CHECK(again->parameters() == v2->parameters());
    CHECK_THROWS_AS((void)plain_engine().rules().from_content(content, "pinned", "sha256:00"),
                    ruleset_error);
}

TEST_CASE("authoring: overlay versions that cannot be loaded") {
    const scratch_dir o;
    const auto v1_file = (shipped / "CN-GD" / "2026.1.json").string();
    SUBCASE("restating a version beneath names both files") {
        put(o.path, "CN-GD/2026.1.json", slurp(shipped / "CN-GD" / "2026.1.json"));
        std::string file, path;
        CHECK(load_error(shipped, {o.path}, &file, &path) ==
              "version 2026.1 of CN-GD is also defined in " + v1_file);
        CHECK(file == (o.path / "CN-GD" / "2026.1.json").string());
        CHECK(path == "$.version");
    }
    SUBCASE("extending itself") {
        put(o.path, "CN-GD/2026.2.json", gd_version("2026.2", "2026-07-01", "CN-GD@2026.2"));
        std::string path;
        CHECK(load_error(shipped, {o.path}, nullptr, &path) == "a ruleset cannot extend itself");
        CHECK(path == "$.extends");
    }
    SUBCASE("extending an unknown version") {
        put(o.path, "CN-GD/2026.2.json", gd_version("2026.2", "2026-07-01", "CN-GD@2027.1"));
        CHECK(load_error(shipped, {o.path}) == "extends unknown version 'CN-GD@2027.1'");
    }
    SUBCASE("an earlier version extending a later one") {
        put(o.path, "CN-GD/2027.1.json", gd_version("2027.1", "2027-01-01", "CN-GD@2027.2"));
        put(o.path, "CN-GD/2027.2.json", gd_version("2027.2", "2027-06-01", "CN-GD@2026.1"));
        std::string file;
        CHECK(load_error(shipped, {o.path}, &file) ==
              "CN-GD@2027.1 may extend only an earlier version of CN-GD; CN-GD@2027.2 starts on "
              "2027-06-01");
        CHECK(file == (o.path / "CN-GD" / "2027.1.json").string());
    }
    SUBCASE("two versions starting on one day") {
        put(o.path, "CN-GD/2026.5.json", gd_version("2026.5", "2026-01-01", "CN-GD@2025.1"));
        CHECK(load_error(shipped, {o.path})
                  .find("CN-GD@2026.5 is in force on dates that CN-GD@2026.1 (" + v1_file +
                        ") also covers") == 0);
    }
    SUBCASE("a closed span over an open-ended one that starts inside it") {
        put(o.path, "CN-GD/2026.5.json",
            gd_version("2026.5", "2025-12-01", "CN-GD@2025.1", "", "2026-03-31"));
        CHECK(load_error(shipped, {o.path}).find("also covers") != std::string::npos);
    }
    SUBCASE("an overlay that is no folder") {
        std::string file;
        CHECK(load_error(shipped, {o.path / "nope"}, &file) == "not a folder of rulesets");
        CHECK(file == (o.path / "nope").string());
    }
    SUBCASE("collecting: the bad file is reported, the rest loads") {
        put(o.path, "CN-GD/2026.2.json", gd_version("2026.2", "2026-07-01", "CN-GD@2027.1"));
        std::vector<diagnostic> problems;
        const auto cat = catalogue::load(shipped, {o.path}, problems);
        REQUIRE(cat);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].message == "extends unknown version 'CN-GD@2027.1'");
        CHECK(cat->list().size() == 64);
        CHECK(cat->file_of("CN-GD@2026.2").empty());
        // the version it would have followed is not ended by a version that did not load
        CHECK_FALSE(cat->get("CN-GD", "2026.1")->effective_to());
        CHECK_NOTHROW((void)cat->resolve("CN-GD", *date::parse("2026-07-06")));
        CHECK(cat->notes().empty());
    }
}

TEST_CASE("authoring: lint names misspelt fields with a suggestion") {
    const auto report = lint_folder(shipped, {authoring / "typos"});
    const auto file = (authoring / "typos" / "CN-GD" / "2026.2.json").string();
    REQUIRE(report.problems.size() == 2);
    const auto& e = report.problems[0];
    CHECK(e.severity() == diagnostic_severity::error);
    CHECK(e.file == file);
    CHECK(e.line == 19);
    CHECK(e.json_path == "$.rules[0].require");
    CHECK(e.message ==
          "rule 'number.purpose': field path numbers.purpse is not in the application "
          "schema: numbers allows no member 'purpse'; did you mean 'purpose'?");
    const auto& w = report.problems[1];
    CHECK(w.severity() == diagnostic_severity::warning);
    CHECK(w.line == 29);
    CHECK(w.json_path == "$.rules[1].require");
    CHECK(
        w.message ==
        "rule 'plan.daily_calls_strict': field path materials.marketing_plan.daily_call_per_number "
        "is not in the application schema: materials.marketing_plan has no member "
        "'daily_call_per_number'; did you mean 'daily_calls_per_number'? (the schema leaves the "
        "object open, so it may be supplied, but no application is checked to have it)");
    CHECK(report.errors() == 1);
}

TEST_CASE("authoring: lint checks field paths in comprehensions, when, variables and app.") {
    const scratch_dir o;
    const std::string rule_head =
        R"({"id": "%ID", "code": "XX_%UP", "phase": "intake", "severity": "warning",
      "message": {"zh": "x", "en": "x"}, "remedy": {"zh": "x", "en": "x"}, "reference": "t", )";
    auto rule = [&](const std::string& id, const std::string& body) {
        std::string h = rule_head;
        for (auto at = h.find("%ID"); at != std::string::npos; at = h.find("%ID"))
            h.replace(at, 3, id);
        h.replace(h.find("%UP"), 3, std::string(1, static_cast<char>(id[0] - 'a' + 'A')));
        return h + body + "}";
    };
    put(o.path, "CN-GD/2026.2.json",
        gd_version(
            "2026.2", "2026-07-01", "CN-GD@2026.1",
            ",\n  \"variables\": [{\"name\": \"nope\", \"expression\": "
            "\"has(materials.licence)\"}],\n"
            "  \"rules\": [\n" +
                rule("a", R"~("require": "numbers.all(m, has(m.purpse))")~") + ",\n" +
                rule("b", R"~("when": "has(app.materials.pledge)", "require": "true")~") + ",\n" +
                rule("c", R"~("require": "applicant.name.first == 'x'")~") + ",\n" +
                rule(
                    "d",
                    R"~("require": "size(variables.duplicate_numbers) == 0 && params.daily_call_cap > 1 && variables.nope")~") +
                ",\n" +
                rule("e", R"~("require": "has(app.materials.marketing_plan.consent.methd)")~") +
                ",\n" +
                rule("f", R"~("each": "app.numbers", "as": "k", "require": "k.numbr != ''")~") +
                "\n  ]"));
    const auto report = lint_folder(shipped, {o.path});
    const auto has = [&](const std::string& path, const std::string& message,
                         diagnostic_severity sev) {
        return std::any_of(
            report.problems.begin(), report.problems.end(), [&](const diagnostic& p) {
                return p.json_path == path && p.message == message && p.severity() == sev;
            });
    };
    const auto error = diagnostic_severity::error;
    const std::string members =
        "(its members: business_license, data_security_pledge, industry_license, "
        "legal_rep_id, marketing_plan, org_code_certificate, power_of_attorney, "
        "tax_registration)";
    CHECK(has("$.rules[1].when",
              "rule 'b': field path materials.pledge is not in the application "
              "schema: materials allows no member 'pledge' " +
                  members,
              error));
    CHECK(has("$.rules[2].require",
              "rule 'c': field path applicant.name.first is not in the "
              "application schema: applicant.name is a string, which has no field 'first'",
              error));
    CHECK(has("$.variables[0].expression",
              "variable 'nope': field path materials.licence is not in "
              "the application schema: materials allows no member 'licence' " +
                  members,
              error));
    CHECK(has("$.rules[4].require",
              "rule 'e': field path materials.marketing_plan.consent.methd is "
              "not in the application schema: materials.marketing_plan.consent has no member "
              "'methd'; did you mean 'method'? (the schema leaves the object open, so it may be "
              "supplied, but no application is checked to have it)",
              diagnostic_severity::warning));
    CHECK(has("$.rules[5].require",
              "rule 'f': field path numbers.numbr is not in the application "
              "schema: numbers allows no member 'numbr'; did you mean 'number'?",
              error));
    // a comprehension's variable: numbers.all(m, has(m.purpse)) reads numbers[].purpse
    CHECK(has("$.rules[0].require",
              "rule 'a': field path numbers.purpse is not in the application "
              "schema: numbers allows no member 'purpse'; did you mean 'purpose'?",
              error));
    // variables.NAME and params are not schema paths: rule d is clean
    for (const auto& p : report.problems)
        CHECK(p.json_path.find("rules[3]") == std::string::npos);
    CHECK(report.problems.size() == 6);
    // the catalogue's own lint says the same
    const auto cat = catalogue::load(shipped, {o.path});
    CHECK(messages(cat->lint(), "field path", diagnostic_severity::error).size() == 5);
}

TEST_CASE("authoring: lint warns when a region relaxes a national parameter") {
    const auto report = lint_folder(shipped, {authoring / "relaxed"});
    const auto relaxed = messages(report.problems, "relaxes", diagnostic_severity::warning);
    CHECK(relaxed == std::vector<std::string>{
                         "CN-GD@2026.2 relaxes the national parameter 'calling_window': "
                         "08:00-20:00 where the national rules have 09:00-20:00 (a narrower "
                         "window is stricter)",
                         "CN-GD@2026.2 relaxes the national parameter 'daily_call_cap': 250 where "
                         "the national rules have 200 (a lower value is stricter)"});
    CHECK(report.errors() == 0);
    for (const auto& p : report.problems)
        if (p.message.find("'daily_call_cap'") != std::string::npos) {
            CHECK(p.json_path == "$.parameters.daily_call_cap");
            CHECK(p.line == 8);
        }
    // the shipped rulesets relax nothing
    CHECK(messages(lint_folder(shipped).problems, "relaxes", diagnostic_severity::warning).empty());
}

TEST_CASE("authoring: every direction of x-stricter, and equal or stricter values pass") {
    const scratch_dir d;
    put(d.path, "CN/2026.1.json",
        R"({"id": "CN", "version": "2026.1", "effective_from": "2026-01-01",
  "title": {"zh": "国", "en": "national"},
  "parameters": {"daily_call_cap": 200, "channels": ["in_person"], "licensed_industries": ["finance", "education"],
                 "min_company_age_days": 90, "calling_window": {"start": "09:00", "end": "20:00"}},
  "rules": [{"id": "r", "code": "R", "phase": "intake", "severity": "warning",
             "require": "channel in params.channels && params.daily_call_cap > 0 && size(params.licensed_industries) > 0 && params.min_company_age_days > 0 && params.calling_window.start != ''",
             "message": {"zh": "x", "en": "x"}, "remedy": {"zh": "x", "en": "x"}, "reference": "t"}]})");
    const auto region = [&](const std::string& id, const std::string& params) {
        put(d.path, id + "/2026.1.json",
            R"({"id": ")" + id +
                R"(", "version": "2026.1", "effective_from": "2026-01-01", "extends": "CN",
  "title": {"zh": "省", "en": "region"}, "parameters": )" +
                params + "}");
    };
    region(
        "CN-AH",
        R"({"channels": ["online", "in_person"], "licensed_industries": ["finance"], "min_company_age_days": 30})");
    region(
        "CN-BJ",
        R"({"daily_call_cap": 200, "channels": ["in_person"], "licensed_industries": ["education", "finance", "healthcare"],
                       "min_company_age_days": 180, "calling_window": {"start": "09:30", "end": "19:00"}})");
    region("CN-CQ",
           R"({"calling_window": {"start": "09:00", "end": "20:30"}, "daily_call_cap": 199})");
    const auto report = lint_folder(d.path);
    CHECK(report.errors() == 0);
    std::vector<std::string> got;
    for (const auto& p : report.problems)
        if (p.message.find("relaxes") != std::string::npos)
            got.push_back(p.file.substr(d.path.string().size() + 1) + " " + p.message);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{
                     "CN-AH/2026.1.json CN-AH@2026.1 relaxes the national parameter 'channels': it "
                     "allows \"online\", which the national rules do not (fewer is stricter)",
                     "CN-AH/2026.1.json CN-AH@2026.1 relaxes the national parameter "
                     "'licensed_industries': it leaves out \"education\", which the national rules "
                     "list (more is stricter)",
                     "CN-AH/2026.1.json CN-AH@2026.1 relaxes the national parameter "
                     "'min_company_age_days': 30 where the national rules have 90 (a higher value "
                     "is stricter)",
                     "CN-CQ/2026.1.json CN-CQ@2026.1 relaxes the national parameter "
                     "'calling_window': 09:00-20:30 where the national rules have 09:00-20:00 (a "
                     "narrower window is stricter)"});
}

TEST_CASE("authoring: coverage is per rule as merged, by origin") {
    const engine e(shipped, {authoring / "coverage"});
    const auto report = run_ruleset_tests(e, authoring / "coverage" / "tests");
    CHECK(report.failed() == 0);
    CHECK(report.cases.size() == 2);
    const rule_key ours{"CN-GD@2026.2", "number.purpose"};
    REQUIRE(report.rule_coverage.contains(ours));
    CHECK(report.rule_coverage.at(ours).fired == 0);
    CHECK(report.rule_coverage.at(ours).not_fired == 1);
    CHECK(report.rule_coverage.at(ours).code == "NUMBER_PURPOSE_MISSING");
    CHECK(report.rule_coverage.at(ours).file == authoring / "coverage" / "CN-GD" / "2026.2.json");
    const rule_key hb{"CN-HB@2025.1", "number.purpose"};
    REQUIRE(report.rule_coverage.contains(hb));
    CHECK(report.rule_coverage.at(hb).fired == 1);
    // by code alone it looks covered
    CHECK(report.coverage.at("NUMBER_PURPOSE_MISSING").fired == 1);
    CHECK(report.never_fired(authoring / "coverage") == std::vector<rule_key>{ours});
    CHECK(report.rules_of(authoring / "coverage") == std::vector<rule_key>{ours});

    const auto example = run_ruleset_tests(gd_engine(), overlay / "tests");
    CHECK(example.failed() == 0);
    CHECK(example.cases.size() == 3);
    CHECK(example.never_fired(overlay).empty());
    CHECK(example.rules_of(overlay) == std::vector<rule_key>{{"CN-GD@2026.2", "number.purpose"}});
    CHECK(example.rule_coverage.at({"CN-GD@2026.2", "number.purpose"}).fired == 1);
}

TEST_CASE("authoring: a trace shows the leaves read and the parameters used") {
    const auto app = gd_engine().validate(app_of("gd-new-company-ineligible"));
    check_options opts;
    opts.trace = true;
    const auto v = gd_engine().check(app, opts);
    REQUIRE(v.trace);
    const auto* cap = trace_of(v, "plan.daily_calls");
    REQUIRE(cap);
    CHECK(cap->outcome == "fail");
    CHECK_FALSE(cap->full);
    CHECK(cap->inputs == std::map<std::string, std::string>{
                             {"materials.marketing_plan.daily_calls_per_number", "180"}});
    CHECK(cap->params == std::map<std::string, std::string>{{"params.daily_call_cap", "150"}});
    const auto* age = trace_of(v, "company.too_new");
    REQUIRE(age);
    CHECK(age->params.at("params.min_company_age_days") == "180");
    const auto* window = trace_of(v, "plan.calling_hours");
    REQUIRE(window);
    CHECK(window->outcome == "pass");
    CHECK(window->params.at("params.calling_window.start") == "\"09:00\"");
    CHECK_FALSE(window->inputs.contains("materials.marketing_plan.calling_hours"));
    const auto* count = trace_of(v, "numbers.count");
    REQUIRE(count);
    CHECK(count->inputs.at("numbers").starts_with("\"(list: "));
    // no path is a prefix of another; objects and lists over 80 characters are summarised
    for (const auto& t : *v.trace)
        for (const auto& input : t.inputs) {
            // not a structured binding: clang 14 cannot capture one in doctest's lambdas
            const std::string& path = input.first;
            const std::string& text = input.second;
            for (const auto& other : t.inputs)
                CHECK_FALSE(other.first.starts_with(path + "."));
            if (json::parse(text).is_structured())
                CHECK_MESSAGE(text.size() <= 80, path, " ", text);
            CHECK(path != "materials");
        }
    const auto* plan = trace_of(v, "material.marketing_plan");
    REQUIRE(plan);
    CHECK(plan->inputs == std::map<std::string, std::string>{
                              {"materials.marketing_plan", "\"(object: 7 members)\""}});
    CHECK(plan->params.empty());
    // the JSON: the remedy of failing and unknown rules only; write_json agrees with to_json
    const auto j = v.to_json();
    for (const auto& t : j["trace"])
        CHECK(t.contains("remedy") == (t["outcome"] == "fail" || t["outcome"] == "unknown"));
    std::string text;
    v.write_json(text);
    CHECK(json::parse(text) == j);

    opts.trace_full = true;
    const auto full = gd_engine().check(app, opts);
    const auto* whole = trace_of(full, "plan.daily_calls");
    REQUIRE(whole);
    CHECK(whole->full);
    CHECK(json::parse(whole->inputs.at("materials")) ==
          app_of("gd-new-company-ineligible")["materials"]);
    CHECK(whole->inputs.contains("materials.marketing_plan"));
    const auto full_json = full.to_json();  // not a temporary's member: range-for keeps no temporary
    for (const auto& t : full_json["trace"])
        CHECK(t.contains("remedy"));
    std::string full_text;
    full.write_json(full_text);
    CHECK(json::parse(full_text) == full.to_json());
    CHECK(full_text.size() > text.size());
}

namespace {
// plan_fixes() of `app`; checks that the plan's patch, applied, gives `after`.
fix_plan plan_and_verify(const engine& e, const json& app) {
    const auto plan = plan_fixes(e, app);
    auto patched = app;
    patched.merge_patch(plan.patch);
    CHECK(e.check(e.validate(patched)).outcome == plan.after);
    for (const auto& f : plan.fixes) {
        if (f.kind == "add" || f.kind == "none") CHECK(f.patch.is_null());
        if (!f.patch.is_null()) CHECK(f.verified);
    }
    return plan;
}
}  // namespace

TEST_CASE("authoring: fixes set, remove, truncate, add, or say why none can") {
    const auto& e = plain_engine();
    SUBCASE("a cap exceeded is set to the bound; the founding date is a fact") {
        const auto plan = plan_and_verify(e, app_of("gd-new-company-ineligible"));
        REQUIRE(plan.fixes.size() == 2);
        CHECK(plan.fixes[0].kind == "set");
        CHECK(plan.fixes[0].path == "materials.marketing_plan.daily_calls_per_number");
        CHECK(plan.fixes[0].text ==
              "materials.marketing_plan.daily_calls_per_number 180 → at most 150");
        CHECK(plan.fixes[0].patch ==
              json::parse(R"({"materials": {"marketing_plan": {"daily_calls_per_number": 150}}})"));
        CHECK(plan.fixes[1].code == "COMPANY_TOO_NEW");
        CHECK(plan.fixes[1].kind == "none");
        CHECK(plan.fixes[1].text ==
              "no change to the application can clear this: it depends on "
              "applicant.established_on, submitted_on (facts the application states, "
              "readOnly in its schema)");
        CHECK_FALSE(plan.fixes[1].verified);
        CHECK_FALSE(plan.patch.contains("applicant"));
        CHECK(plan.after == decision::ineligible);
        CHECK_FALSE(plan.complete());
    }
    SUBCASE("too many numbers and a channel not accepted") {
        const auto app = app_of("bj-online-too-many-numbers-ineligible");
        const auto plan = plan_and_verify(e, app);
        REQUIRE(plan.fixes.size() == 2);
        CHECK(plan.fixes[0].kind == "truncate");
        CHECK(plan.fixes[0].text == "numbers: keep at most 30 (remove the last 5)");
        CHECK(plan.fixes[1].kind == "set");
        CHECK(plan.fixes[1].text == "channel online → one of in_person");
        CHECK(plan.patch["channel"] == "in_person");
        CHECK(plan.patch["numbers"].size() == 30);
        CHECK(plan.patch["numbers"][0] == app["numbers"][0]);
        CHECK(plan.complete());
        CHECK(plan.to_json()["complete"] == true);
    }
    SUBCASE("an MVNO number is removed") {
        const auto app = app_of("js-mvno-number-ineligible");
        const auto plan = plan_and_verify(e, app);
        REQUIRE(plan.fixes.size() == 1);
        CHECK(plan.fixes[0].kind == "remove");
        CHECK(plan.fixes[0].subject == "17051236789");
        CHECK(plan.fixes[0].text == "remove 17051236789 from numbers");
        CHECK(plan.patch["numbers"].size() == app["numbers"].size() - 1);
        CHECK(plan.complete());
    }
    SUBCASE("a missing material is to be supplied") {
        auto app = app_of("gd-retail-eligible");
        app["materials"].erase("data_security_pledge");
        const auto plan = plan_and_verify(e, app);
        REQUIRE(plan.fixes.size() == 1);
        CHECK(plan.fixes[0].kind == "add");
        CHECK(plan.fixes[0].path == "materials.data_security_pledge");
        CHECK(plan.fixes[0].text == "add materials.data_security_pledge");
        CHECK(plan.patch == json::object());
        CHECK_FALSE(plan.complete());
        CHECK(plan.to_text().find(
                  "add materials.data_security_pledge (the applicant must supply it)") !=
              std::string::npos);
    }
    SUBCASE("an eligible application needs nothing") {
        const auto plan = plan_and_verify(e, app_of("gd-retail-eligible"));
        CHECK((plan.fixes.empty() && plan.patch == json::object() && plan.complete()));
    }
    SUBCASE("an unknown with a missing input") {
        const auto plan = plan_and_verify(e, app_of("fj-logistics-details-missing-needs-evidence"));
        CHECK(plan.before == decision::needs_evidence);
        REQUIRE_FALSE(plan.fixes.empty());
        CHECK(plan.fixes[0].kind == "add");
        CHECK(plan.fixes[0].path == "materials.business_license.valid_until");
        CHECK_FALSE(plan.complete());
    }
}

TEST_CASE("authoring: merge_patch_between is an RFC 7386 merge patch") {
    CHECK(merge_patch_between(json::parse(R"({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]})"),
                              json::parse(R"({"a": 1, "b": {"c": 5}, "e": [1], "f": true})")) ==
          json::parse(R"({"b": {"c": 5, "d": null}, "e": [1], "f": true})"));
    CHECK(merge_patch_between(json::parse(R"({"a": {"b": 1}})"), json::parse(R"({"a": 7})")) ==
          json::parse(R"({"a": 7})"));
    CHECK(merge_patch_between(json::object(), json::object()) == json::object());
    std::mt19937 rng(20260701);
    const std::vector<std::string> keys{"a", "b", "c", "d"};
    std::function<json(int)> random_value = [&](int depth) -> json {
        switch (rng() % (depth > 2 ? 4 : 6)) {
            case 0:
                return static_cast<int>(rng() % 5);
            case 1:
                return std::string(1, static_cast<char>('x' + rng() % 3));
            case 2:
                return rng() % 2 == 0;
            case 3:
                return json::array({static_cast<int>(rng() % 3), "y"});
            default: {
                json o = json::object();
                for (const auto& k : keys)
                    if (rng() % 2) o[k] = random_value(depth + 1);
                return o;
            }
        }
    };
    for (int i = 0; i < 500; ++i) {
        json a = json::object(), b = json::object();
        for (const auto& k : keys) {
            if (rng() % 3) a[k] = random_value(0);
            if (rng() % 3) b[k] = rng() % 2 && a.contains(k) ? a[k] : random_value(0);
        }
        auto applied = a;
        applied.merge_patch(merge_patch_between(a, b));
        CHECK_MESSAGE(applied == b, a.dump(), " -> ", b.dump());
    }
}

TEST_CASE("authoring: fmt leaves the shipped rulesets as they are") {
    std::vector<fs::path> files;
    for (const auto& root : {shipped, overlay, authoring})
        for (const auto& f : fs::recursive_directory_iterator(root)) {
            const auto rel = fs::relative(f.path(), root).string();
            if (f.path().extension() == ".json" && rel.find("schema") == std::string::npos &&
                rel.find("tests") == std::string::npos &&
                rel.find("calendars") == std::string::npos &&
                rel.find("workflow") == std::string::npos)
                files.push_back(f.path());
        }
    CHECK(files.size() >= 67);
    for (const auto& f : files) {
        const auto text = slurp(f);
        CHECK_MESSAGE(format_ruleset(text, f.string()) == text, f);
        CHECK_FALSE(format_ruleset_file(f, false));
    }
}

TEST_CASE("authoring: fmt is canonical, idempotent and keeps the value") {
    const std::string messy =
        R"({"rules": [{"require": "true", "id": "r", "remedy": {"en": "b", "zh": "a"}, "zzz": 1, "code": "X"}],
 "title": {"en": "x", "zh": "y"}, "version": "2026.2", "extends": "CN-GD@2026.1", "id": "CN-GD",
 "parameters": {"daily_call_cap": 150.0, "z": 1e2, "calling_window": {"end": "20:00", "start": "09:00"}},
 "notes": ["\u4e2d\u6587 \"quoted\" \/ slash"], "effective_from": "2026-07-01"})";
    const auto once = format_ruleset(messy, "messy.json");
    CHECK(format_ruleset(once, "messy.json") == once);
    CHECK(json::parse(once) == json::parse(messy));
    CHECK(once.find("150.0") != std::string::npos);
    CHECK(once == R"({
  "id": "CN-GD",
  "version": "2026.2",
  "effective_from": "2026-07-01",
  "extends": "CN-GD@2026.1",
  "title": {"zh": "y", "en": "x"},
  "parameters": {
    "daily_call_cap": 150.0,
    "z": 100.0,
    "calling_window": {"end": "20:00", "start": "09:00"}
  },
  "rules": [
    {"id": "r", "code": "X", "require": "true", "remedy": {"zh": "a", "en": "b"}, "zzz": 1}
  ],
  "notes": ["中文 \"quoted\" / slash"]
}
)");
    // every shipped file, its members shuffled, comes back canonical
    std::mt19937 rng(7);
    for (const auto* name : {"CN/2026.1.json", "CN-GD/2026.1.json", "CN-BJ/2025.1.json"}) {
        const auto text = slurp(shipped / name);
        auto ordered = nlohmann::ordered_json::parse(text);
        nlohmann::ordered_json shuffled = nlohmann::ordered_json::object();
        std::vector<std::string> ks;
        for (const auto& [k, v] : ordered.items())
            ks.push_back(k);
        std::shuffle(ks.begin(), ks.end(), rng);
        for (const auto& k : ks)
            shuffled[k] = ordered[k];
        CHECK(format_ruleset(shuffled.dump(4), name) == text);
        CHECK(format_ruleset(shuffled.dump(), name) == text);
    }
}

TEST_CASE("authoring: fmt refuses bad JSON, naming the line") {
    try {
        (void)format_ruleset("{\"id\": \"CN-GD\",\n \"id\": \"x\"}", "dup.json");
        FAIL("no error");
    } catch (const ruleset_error& e) {
        CHECK(e.file() == "dup.json");
        CHECK(e.json_path() == "$.id");
        CHECK(e.line() == 1);
        CHECK(e.message().find("this key appears twice") == 0);
    }
    try {
        (void)format_ruleset("{\n  \"id\": \"CN-GD\",\n  \"version\": ,\n}", "syntax.json");
        FAIL("no error");
    } catch (const ruleset_error& e) {
        CHECK(e.file() == "syntax.json");
        CHECK(e.line() == 3);
    }
    const scratch_dir d;
    const auto f = d.write("x.json", "{\"version\": \"1\", \"id\": \"X\"}");
    CHECK(format_ruleset_file(f, false));
    CHECK(slurp(f) == "{\"version\": \"1\", \"id\": \"X\"}");
    CHECK(format_ruleset_file(f, true));
    CHECK(slurp(f) == "{\"id\": \"X\", \"version\": \"1\"}\n");
    CHECK_FALSE(format_ruleset_file(f, true));
    CHECK_THROWS_AS(format_ruleset_file(d.path / "missing.json", false), ruleset_error);
    // the formatted file keeps the permissions of the one it replaces
    const auto ro = d.write("ro.json", "{\"version\": \"1\", \"id\": \"X\"}");
    std::filesystem::permissions(
        ro, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
    CHECK(format_ruleset_file(ro, true));
    CHECK(std::filesystem::status(ro).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::group_read));
    CHECK(slurp(ro) == "{\"id\": \"X\", \"version\": \"1\"}\n");
}
