// Rulesets: loading, composition, versions, verdicts, unknowns, obligations and located errors.
#include <doctest/doctest.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/lint.hpp"

namespace fs = std::filesystem;
using namespace telecomply;
using nlohmann::json;

namespace {

const fs::path data = TELECOMPLY_TEST_DATA;

nlohmann::json clean_app() {
    std::ifstream in(data / "applications" / "gd-clean.json");
    return nlohmann::json::parse(in);
}

verdict check(const engine& e, const nlohmann::json& app, check_options opts = {}) {
    return e.check(document::from_json(app), opts);
}

bool has_finding(const verdict& v, const std::string& code, const std::string& subject = "") {
    for (const auto& f : v.findings)
        if (f.code() == code && (subject.empty() || f.subject == subject)) return true;
    return false;
}

// A scratch copy of the test rulesets where one file can be replaced to break it.
struct scratch {
    fs::path dir;
    scratch() {
        dir = fs::temp_directory_path() /
              ("telecomply-rs-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::remove_all(dir);
        fs::copy(data / "rulesets", dir, fs::copy_options::recursive);
    }
    ~scratch() { fs::remove_all(dir); }
    void write(const std::string& rel, const std::string& text) const {
        fs::create_directories((dir / rel).parent_path());
        std::ofstream(dir / rel) << text;
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

}  // namespace

TEST_CASE("a clean application is eligible under the region's rules in force") {
    const engine e(data / "rulesets");
    const auto v = check(e, clean_app());
    CHECK(v.outcome == decision::eligible);
    CHECK(v.findings.empty());
    CHECK(v.unknowns.empty());
    CHECK(v.application == "T-GD-1");
    CHECK(v.region == "CN-GD");
    CHECK(v.as_of.to_string() == "2026-03-02");
    REQUIRE(v.rules);
    CHECK(v.rules->id() == "CN-GD");
    CHECK(v.rules->version() == "2026.1");
    CHECK(v.rules->chain() == std::vector<std::string>{"CN@2026.1", "CN-GD@2026.1"});
    CHECK(v.rules->digest().rfind("sha256:", 0) == 0);
    CHECK(v.rules->digest().size() == 7 + 64);
}

TEST_CASE("parameters and severities are overridden by the child") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 151;  // GD cap 150, CN 200
    auto v = check(e, app);
    CHECK(v.outcome == decision::ineligible);
    REQUIRE(has_finding(v, "DAILY_CALL_CAP_EXCEEDED"));
    CHECK(v.findings[0].message().en == "Daily calls over 150");
    CHECK(v.findings[0].remedy().zh == "降至 150 以内");
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 150;  // exactly at the cap
    CHECK_FALSE(has_finding(check(e, app), "DAILY_CALL_CAP_EXCEEDED"));

    // COMPANY_TOO_NEW: a warning nationally, blocking in GD (override)
    app["applicant"]["established_on"] = "2026-01-01";
    v = check(e, app);
    REQUIRE(has_finding(v, "COMPANY_TOO_NEW"));
    CHECK(v.findings[0].level == severity::blocking);
    CHECK(v.outcome == decision::ineligible);
    app["region"] = "CN-BJ";
    v = check(e, app);
    REQUIRE(has_finding(v, "COMPANY_TOO_NEW"));
    CHECK(v.findings[0].level == severity::warning);
}

TEST_CASE("the version in force on the submission date is used, or on as_of") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["region"] = "CN-BJ";
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 250;
    app["submitted_on"] = "2025-06-01";  // CN-BJ has no 2025 version
    CHECK_THROWS_AS(check(e, app), not_found_error);
    app["region"] = "CN";
    auto v = check(e, app);
    CHECK(v.rules->version() == "2025.1");
    CHECK_FALSE(has_finding(v, "DAILY_CALL_CAP_EXCEEDED"));  // 2025 cap is 300
    check_options opts;
    opts.as_of = date::parse("2026-02-01");
    v = check(e, app, opts);
    CHECK(v.rules->version() == "2026.1");
    CHECK(has_finding(v, "DAILY_CALL_CAP_EXCEEDED"));  // 2026 cap is 200
    CHECK(v.as_of.to_string() == "2026-02-01");
    opts.as_of = date::parse("2024-12-31");
    CHECK_THROWS_WITH_AS(check(e, app, opts), doctest::Contains("in force on 2024-12-31"),
                         not_found_error);
    app["region"] = "CN-XX";
    CHECK_THROWS_AS(check(e, app), not_found_error);
}

TEST_CASE("absent inputs make a rule unknown and the decision needs_evidence") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["applicant"].erase("history");
    auto v = check(e, app);
    CHECK(v.outcome == decision::needs_evidence);
    REQUIRE(v.unknowns.size() == 1);
    CHECK(v.unknowns[0].rule_id() == "history.violations");
    CHECK(v.unknowns[0].missing == std::vector<std::string>{"applicant.history"});
    // a blocking finding wins over unknowns
    app["materials"].erase("business_license");
    v = check(e, app);
    CHECK(v.outcome == decision::ineligible);
    CHECK(has_finding(v, "MATERIAL_MISSING", "business_license"));
    // a rule that tests for absence itself is never unknown; a when that is false: not applicable
    app = clean_app();
    app.erase("materials");
    v = check(e, app);
    CHECK(has_finding(v, "MATERIAL_MISSING", "business_license"));
    // has() tests the whole path: with no materials at all, the plan rule does not apply
    for (const auto& u : v.unknowns)
        CHECK(u.rule_id() != "plan.daily_calls");
    CHECK(v.outcome == decision::ineligible);
}

TEST_CASE("per-element rules: one finding per subject, in order, with info last") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["numbers"] = nlohmann::json::array({{{"number", "13800138000"}, {"purpose", "a"}},
                                            {{"number", "13800138000"}, {"purpose", "b"}},
                                            {{"number", "13912345678"}, {"purpose", "  "}},
                                            {{"number", "13912345678"}}});
    const auto v = check(e, app);
    std::vector<std::string> got;
    for (const auto& f : v.findings)
        got.push_back(f.code() + ":" + f.subject);
    CHECK(got == std::vector<std::string>{
                     "NUMBER_PURPOSE_MISSING:13912345678", "NUMBER_DUPLICATE:13800138000",
                     "NUMBER_DUPLICATE:13912345678", "NUMBER_NOTED:13912345678"});
    CHECK(v.findings[1].message().en == "Duplicate number 13800138000");
    // 4 numbers > threshold 2: obligation, reported once
    REQUIRE(v.obligations.size() == 1);
    CHECK(v.obligations[0].code == "SITE_INSPECTION_REQUIRED");
}

TEST_CASE("overrides: a when removed with null, a rule disabled") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["region"] = "CN-BJ";
    app["numbers"] = nlohmann::json::array({{{"number", "13912345678"}, {"purpose", "x"}}});
    const auto v = check(e, app);
    REQUIRE(v.obligations.size() == 1);           // BJ: always, whatever the count
    CHECK_FALSE(has_finding(v, "NUMBER_NOTED"));  // disabled in BJ
    CHECK(v.rules->find_rule("number.info") == nullptr);
    CHECK(v.rules->find_rule("obligation.site_inspection")->origin == "CN-BJ@2026.1");
    // intake only: review-phase obligations are not evaluated
    check_options intake;
    intake.include_review = false;
    CHECK(check(e, app, intake).obligations.empty());
}

TEST_CASE("verdict JSON carries the contract's fields") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["materials"].erase("business_license");
    app["applicant"].erase("history");
    const auto j = check(e, app).to_json();
    CHECK(j["application"] == "T-GD-1");
    CHECK(j["region"] == "CN-GD");
    CHECK(j["as_of"] == "2026-03-02");
    CHECK(j["decision"] == "ineligible");
    CHECK(j["ruleset"]["id"] == "CN-GD");
    CHECK(j["ruleset"]["version"] == "2026.1");
    CHECK(j["ruleset"]["chain"].size() == 2);
    REQUIRE(j["findings"].size() == 1);
    const auto& f = j["findings"][0];
    CHECK(f["code"] == "MATERIAL_MISSING");
    CHECK(f["subject"] == "business_license");
    CHECK(f["severity"] == "blocking");
    CHECK(f["message"]["zh"] == "缺少材料：business_license");
    CHECK(f["remedy"]["en"] == "Submit the business_license");
    CHECK(f["reference"] == "test");
    CHECK(f["rule"] == "material.business_license");
    REQUIRE(j["unknowns"].size() == 1);
    CHECK(j["unknowns"][0]["rule"] == "history.violations");
    CHECK(j["unknowns"][0]["missing"][0] == "applicant.history");
    CHECK(j["obligations"].is_array());
    CHECK_FALSE(j.contains("trace"));
}

TEST_CASE("explain traces each rule's inputs and outcome") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 900;
    check_options opts;
    opts.trace = true;
    const auto v = check(e, app, opts);
    REQUIRE(v.trace);
    const rule_trace* cap = nullptr;
    for (const auto& t : *v.trace)
        if (t.source->id == "plan.daily_calls") cap = &t;
    REQUIRE(cap != nullptr);
    CHECK(cap->outcome == "fail");
    CHECK(cap->inputs.at("materials.marketing_plan.daily_calls_per_number") == "900");
    CHECK(v.to_json()["trace"].size() == v.trace->size());
}

TEST_CASE("loading errors name the file, the line and the JSON path") {
    SUBCASE("an override of an unknown rule id") {
        scratch s;
        s.write("CN-GD/2026.1.json", R"({
  "id": "CN-GD", "version": "2026.1", "effective_from": "2026-01-01", "extends": "CN",
  "title": {"zh": "x", "en": "x"},
  "overrides": [
    {"id": "no.such.rule", "severity": "info"}
  ]
})");
        const auto cat = catalogue::load(s.dir);
        try {
            (void)cat->resolve("CN-GD", *date::parse("2026-03-01"));
            FAIL("expected ruleset_error");
        } catch (const ruleset_error& e) {
            CHECK(e.file().ends_with("CN-GD/2026.1.json"));
            CHECK(e.json_path() == "$.overrides[0].id");
            CHECK(e.line() == 5);
            CHECK(e.message().find("no.such.rule") != std::string::npos);
        }
    }
    SUBCASE("a rule id the parent already has") {
        scratch s;
        s.write("CN-GD/2026.1.json",
                R"({"id": "CN-GD", "version": "2026.1", "effective_from": "2026-01-01",
 "title": {"zh": "x", "en": "x"}, "extends": "CN", "rules": [{"id": "company.too_new", "code": "X", "phase": "intake", "require": "true",
 "severity": "info", "message": {"zh": "x", "en": "x"}, "remedy": {"zh": "x", "en": "x"}, "reference": "x"}]})");
        const auto cat = catalogue::load(s.dir);
        CHECK_THROWS_WITH_AS((void)cat->resolve("CN-GD", *date::parse("2026-03-01")),
                             doctest::Contains("already defined"), ruleset_error);
    }
    SUBCASE("an expression that does not compile, with its position") {
        scratch s;
        s.write("CN-GD/2026.1.json",
                R"({"id": "CN-GD", "version": "2026.1", "effective_from": "2026-01-01",
 "extends": "CN", "title": {"zh": "x", "en": "x"},
 "rules": [{"id": "bad", "code": "X", "phase": "intake", "require": "numbers.size( > 1",
 "severity": "info", "message": {"zh": "x", "en": "x"}, "remedy": {"zh": "x", "en": "x"}, "reference": "x"}]})");
        const auto cat = catalogue::load(s.dir);
        try {
            (void)cat->resolve("CN-GD", *date::parse("2026-03-01"));
            FAIL("expected ruleset_error");
        } catch (const ruleset_error& e) {
            CHECK(e.json_path() == "$.rules[0].require");
            CHECK(e.line() == 3);
            CHECK(e.message().find("1:15") != std::string::npos);
        }
    }
    SUBCASE("a parameter that does not exist") {
        scratch s;
        s.write("CN-GD/2026.1.json",
                R"({"id": "CN-GD", "version": "2026.1", "effective_from": "2026-01-01",
 "extends": "CN", "title": {"zh": "x", "en": "x"}, "overrides": [{"id": "plan.daily_calls",
 "require": "materials.marketing_plan.daily_calls_per_number <= params.daily_cap"}]})");
        const auto cat = catalogue::load(s.dir);
        CHECK_THROWS_WITH_AS((void)cat->resolve("CN-GD", *date::parse("2026-03-01")),
                             doctest::Contains("no field 'daily_cap'"), ruleset_error);
        std::vector<catalogue::problem> errors;
        for (const auto& p : cat->lint())
            if (!p.warning) errors.push_back(p);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].json_path == "$.overrides[0].require");
    }
    SUBCASE("malformed JSON") {
        scratch s;
        s.write("CN-GD/2026.1.json", "{\n  \"id\": \"CN-GD\",\n  \"version\": 2026.1,,\n}");
        try {
            (void)catalogue::load(s.dir);
            FAIL("expected ruleset_error");
        } catch (const ruleset_error& e) {
            CHECK(e.line() == 3);
            CHECK(e.file().ends_with("CN-GD/2026.1.json"));
        }
    }
    SUBCASE("overlapping versions and duplicates") {
        scratch s;
        // an open-ended version is ended by a later one; one starting the same day overlaps,
        // as does a closed span inside a closed one
        s.write("CN/2026.2.json",
                R"({"id": "CN", "version": "2026.2", "effective_from": "2026-01-01",
 "title": {"zh": "x", "en": "x"}, "rules": []})");
        CHECK_THROWS_WITH_AS((void)catalogue::load(s.dir), doctest::Contains("also covers"),
                             ruleset_error);
        s.write("CN/2026.2.json",
                R"({"id": "CN", "version": "2026.2", "effective_from": "2025-06-01",
 "effective_to": "2025-07-01", "title": {"zh": "x", "en": "x"}, "rules": []})");
        CHECK_THROWS_WITH_AS((void)catalogue::load(s.dir), doctest::Contains("also covers"),
                             ruleset_error);
    }
    SUBCASE("extends an unknown ruleset") {
        scratch s;
        s.write("CN-SH/2026.1.json",
                R"({"id": "CN-SH", "version": "2026.1", "effective_from": "2026-01-01",
 "title": {"zh": "x", "en": "x"}, "extends": "CN-XX"})");
        CHECK_THROWS_WITH_AS((void)catalogue::load(s.dir),
                             doctest::Contains("unknown ruleset 'CN-XX'"), ruleset_error);
    }
}

TEST_CASE("JSON Lines batches keep input order and report bad lines by line and path") {
    const engine e(data / "rulesets");
    auto good = clean_app();
    auto second = clean_app();
    second["id"] = "T-GD-2";
    std::stringstream in;
    in << good.dump() << "\n\n"
       << R"({"id": "bad", "region": "CN-GD",)"
       << "\n"
       << second.dump() << "\n";
    for (unsigned threads : {1u, 2u}) {
        std::vector<std::string> seen;
        std::stringstream copy(in.str());
        const auto n = e.check_stream(
            copy, true, "batch.jsonl", {},
            [&](std::size_t, engine::result&& r) {
                if (auto* err = std::get_if<input_error>(&r)) {
                    CHECK(err->line() == 3);
                    CHECK(err->file() == "batch.jsonl");
                    seen.push_back("error");
                } else {
                    seen.push_back(std::get<verdict>(r).application);
                }
            },
            threads);
        CHECK(n == 3);
        CHECK(seen == std::vector<std::string>{"T-GD-1", "error", "T-GD-2"});
    }
}

TEST_CASE("a ruleset is safe to share across threads") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 151;
    const auto doc = document::from_json(app);
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                const auto v = e.check(doc);
                if (v.outcome != decision::ineligible || v.findings.size() != 1) ++wrong;
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(wrong == 0);
}

TEST_CASE("deeply nested applications are refused as input errors, never a crash") {
    const engine e(data / "rulesets");
    auto app = clean_app();
    nlohmann::json deep = nlohmann::json::array();
    for (int i = 0; i < 5000; ++i)
        deep = nlohmann::json::array({std::move(deep)});
    app["extra"] = std::move(deep);
    CHECK_THROWS_WITH_AS((void)e.validate(app, "deep.json"), doctest::Contains("deeper than"),
                         input_error);
    const std::string text =
        R"({"id": "x", "region": "CN-GD", "submitted_on": "2026-03-02", "extra": )" +
        std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK_THROWS_AS((void)e.parse(text, "deep.json"), input_error);
}

TEST_CASE("lint warns about parameters nothing reads, where they are set") {
    const auto cat = catalogue::load(data / "rulesets");
    const auto problems = cat->lint();
    std::vector<std::string> got;
    for (const auto& p : problems) {
        CHECK(p.warning);
        got.push_back(fs::path(p.file).parent_path().filename().string() + "/" +
                      fs::path(p.file).filename().string() + " " + p.json_path);
    }
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"CN/2025.1.json $.parameters.channels",
                                          "CN/2025.1.json $.parameters.inspection_threshold",
                                          "CN/2026.1.json $.parameters.channels"});
    // a parameter read elsewhere (by a workflow) is not unused
    CHECK(cat->lint({"channels", "inspection_threshold"}).empty());
}

TEST_CASE("a JSON array of applications: each bad element named by its index, the rest checked") {
    const engine e(data / "rulesets");
    auto good = clean_app();
    auto bad_type = clean_app();
    bad_type["numbers"] = "13800138000";
    auto unknown_region = clean_app();
    unknown_region["region"] = "CN-XZ";
    std::stringstream in(nlohmann::json::array({good, bad_type, unknown_region, good}).dump(2));
    std::vector<std::string> seen;
    const auto n =
        e.check_stream(in, false, "batch.json", {}, [&](std::size_t i, engine::result&& r) {
            if (auto* err = std::get_if<input_error>(&r))
                seen.push_back(std::to_string(i) + " " + err->json_path());
            else
                seen.push_back(std::to_string(i) + " " +
                               std::string(to_string(std::get<verdict>(r).outcome)));
        });
    CHECK(n == 4);
    CHECK(seen ==
          std::vector<std::string>{"0 eligible", "1 $[1].numbers", "2 $[2].region", "3 eligible"});
}

TEST_CASE("lint_folder: every problem of a folder in one run, each once") {
    testing::scratch_dir dir(fs::path(TELECOMPLY_RULESETS_DIR));
    auto edit = [&](const std::string& rel, const std::function<void(json&)>& f) {
        std::ifstream in(dir.path / rel);
        json j = json::parse(in);
        f(j);
        std::ofstream(dir.path / rel) << j.dump(2);
    };
    // a schema error in one file, another in a second file, and a bad expression in the
    // national rules that every region inherits
    edit("CN-GD/2026.1.json", [](json& j) { j["rules"][0]["severity"] = "fatal"; });
    edit("CN-SH/2025.1.json", [](json& j) { j["effective_from"] = 2025; });
    edit("CN/2026.1.json", [](json& j) { j["rules"][3]["require"] = "1 &&& 2"; });
    const auto r = lint_folder(dir.path);
    auto count = [&](std::string_view file, std::string_view text) {
        return std::count_if(r.problems.begin(), r.problems.end(), [&](const diagnostic& d) {
            return d.file.find(file) != std::string::npos &&
                   d.message.find(text) != std::string::npos;
        });
    };
    CHECK(count("CN-GD/2026.1.json", "enum") == 1);
    // the enum failure says what is allowed
    CHECK(count("CN-GD/2026.1.json", "(allowed: \"blocking\", \"warning\", \"info\")") == 1);
    CHECK(count("CN-SH/2025.1.json", "") == 1);
    CHECK(count("CN/2026.1.json", "unexpected '&'") == 1);  // once, not once per region
    CHECK(r.errors() == r.problems.size());
    for (const auto& p : r.problems) {
        CHECK(p.code == "ruleset_error");  // one diagnostic type, with the kind of file
        CHECK(p.severity() == diagnostic_severity::error);
    }
    const ruleset_error e("f.json", 3, "$.x", "bad");
    const auto d = e.to_diagnostic();
    CHECK(d.file == "f.json");
    CHECK(d.line == 3);
    CHECK(d.json_path == "$.x");
    CHECK(d.message == "bad");
    CHECK(d.code == "ruleset_error");
    CHECK(r.versions > 50);  // the other files were still checked
    // the shipped folder is clean
    CHECK(lint_folder(TELECOMPLY_RULESETS_DIR).errors() == 0);
}

TEST_CASE("a finding copied out of its verdict outlives the verdict and the engine") {
    finding kept;
    obligation kept_obligation;
    {
        const engine e(TELECOMPLY_RULESETS_DIR);
        std::ifstream in(fs::path(TELECOMPLY_RULESETS_DIR).parent_path() / "examples" /
                         "applications" / "gd-new-company-ineligible.json");
        std::ostringstream text;
        text << in.rdbuf();
        const auto v = e.check(e.parse(text.str(), "gd.json"));
        REQUIRE_FALSE(v.findings.empty());
        kept = v.findings.front();
    }
    // the engine, its catalogue and the verdict are gone; the finding's rule is not
    REQUIRE(kept.source != nullptr);
    CHECK(kept.code() == "DAILY_CALL_CAP_EXCEEDED");
    CHECK_FALSE(kept.message().en.empty());
    CHECK(kept_obligation.source == nullptr);
}

TEST_CASE(
    "the default rulesets folder: TELECOMPLY_RULESETS as is, else the source tree for a "
    "program of the build tree") {
    // tests/install_consumer.cmake checks an install moved elsewhere, and a program outside the
    // build tree
    const char* before = std::getenv("TELECOMPLY_RULESETS");  // NOLINT(concurrency-mt-unsafe)
    const std::string saved = before != nullptr ? before : "";
    ::setenv("TELECOMPLY_RULESETS", "/nowhere/rulesets", 1);  // NOLINT(concurrency-mt-unsafe)
    CHECK(catalogue::default_dir() == fs::path("/nowhere/rulesets"));
    ::setenv("TELECOMPLY_RULESETS", "", 1);  // NOLINT(concurrency-mt-unsafe): empty is unset
    CHECK(fs::equivalent(catalogue::default_dir(), TELECOMPLY_RULESETS_DIR));
    ::unsetenv("TELECOMPLY_RULESETS");  // NOLINT(concurrency-mt-unsafe)
    CHECK(fs::equivalent(catalogue::default_dir(), TELECOMPLY_RULESETS_DIR));
    if (before != nullptr)
        ::setenv("TELECOMPLY_RULESETS", saved.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
}
