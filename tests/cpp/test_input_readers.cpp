// The two JSON readers (simdjson for applications and JSON Lines, nlohmann for whole files, case
// data, rulesets, calendars and workflows) read the same texts the same way, and refuse what they
// refuse with the file, the line and the JSON path: deep nesting (in memory linear in the depth),
// integers beyond 64 bits, keys given twice and NUL bytes (issue 11, faults 3 and 4, their kind).

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"
#include "case_testing.hpp"
#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/rules/ruleset_tests.hpp"
#include "telecomply/workflow/lint.hpp"
#include "telecomply/workflow/workflow.hpp"

using namespace telecomply;
namespace fs = std::filesystem;

namespace {

const engine& rules() {
    return testing::manager().rules();
}

// `levels` arrays, one inside the other: [[[...]]]
std::string nested(std::size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
}

// The example application, pretty-printed, with one more member: "extra": <raw JSON text>.
std::string app_with(const std::string& raw) {
    auto app = testing::example("gd-retail-eligible");
    app["extra"] = "@@";
    auto text = app.dump(2);
    return text.replace(text.find("\"@@\""), 4, raw);
}

std::size_t line_of_text(const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    REQUIRE(at != std::string::npos);
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + at, '\n'));
}

}  // namespace

TEST_CASE("readers: both nest up to 1024 levels and refuse the 1025th, with file, line, path") {
    for (const std::size_t levels : {1023U, 1024U}) {
        CAPTURE(levels);
        const auto text = nested(levels);
        CHECK_NOTHROW((void)parse_input_json(text, "n.json"));
        CHECK_NOTHROW((void)document::parse(text, "n.json"));
        CHECK(document::from_json(nlohmann::json::parse(text)).root().kind() == kind::list);
    }
    const auto text = "\n" + nested(1025);
    CHECK_THROWS_WITH_AS((void)parse_input_json(text, "n.json"),
                         doctest::Contains("n.json:2: $[0]"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_input_json(text, "n.json"),
                         doctest::Contains("nests deeper than 1024 levels"), input_error);
    CHECK_THROWS_WITH_AS((void)document::parse(text, "n.json"), doctest::Contains("n.json:2: $[0]"),
                         input_error);
    CHECK_THROWS_WITH_AS((void)document::parse(text, "n.json"),
                         doctest::Contains("nests deeper than 1024 levels"), input_error);
    CHECK_THROWS_AS((void)document::from_json(nlohmann::json::parse(text)), input_error);

    // inside an application: the member named, on its line, by every reader
    const auto app = app_with(nested(1100));
    const std::string where =
        "app.json:" + std::to_string(line_of_text(app, "\"extra\"")) + ": $.extra[0][0]";
    CHECK_THROWS_WITH_AS((void)rules().parse(app, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
    CHECK_THROWS_WITH_AS((void)parse_input_json(app, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
}

TEST_CASE("readers: very deep nesting is refused quickly, in memory linear in the depth") {
    // 300,000 levels are 600 KB of text; a JSON path kept for every open level (as before)
    // took memory quadratic in the depth: tens of gigabytes, std::bad_alloc or the OOM killer.
    const auto text = nested(300000);
    CHECK_THROWS_WITH_AS((void)document::parse(text, "deep.json"),
                         doctest::Contains("nests deeper than 1024 levels"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_input_json(text, "deep.json"),
                         doctest::Contains("nests deeper than 1024 levels"), input_error);
    CHECK_THROWS_AS((void)rules().parse(text, "deep.json"), input_error);
    CHECK(detail::duplicate_keys(text).empty());
    std::string keyed;
    for (int i = 0; i < 300000; ++i)
        keyed += "{\"k\":";
    CHECK_THROWS_WITH_AS((void)document::parse(keyed, "deep.json"),
                         doctest::Contains("deep.json:1: $.k.k.k"), input_error);
    // the loaders of rulesets, calendars and workflows read through the same function
    testing::scratch_dir dir;
    fs::create_directories(dir.path / "workflow");
    {
        std::ofstream(dir.path / "workflow" / "CN.json")
            << "{\"id\": \"CN\",\n \"x\": " << text << "}\n";
    }
    CHECK_THROWS_WITH_AS((void)workflow::load(dir.path / "workflow"),
                         doctest::Contains("CN.json:2: $.x[0]"), data_error);
    fs::create_directories(dir.path / "calendars");
    {
        std::ofstream(dir.path / "calendars" / "CN.json")
            << "{\"name\": \"CN\",\n \"x\": " << text << "}\n";
    }
    CHECK_THROWS_WITH_AS((void)calendar_set::load(dir.path / "calendars"),
                         doctest::Contains(":2: $.x[0]"), calendar_error);
}

TEST_CASE("readers: an integer beyond 64 bits is refused by both, with line and path") {
    // simdjson refuses it, nlohmann would round it to a double: never a silent rounding
    for (const std::string big :
         {"18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"}) {
        CAPTURE(big);
        const auto text = app_with(big);
        const std::string where =
            "app.json:" + std::to_string(line_of_text(text, "\"extra\"")) + ": $.extra: ";
        CHECK_THROWS_WITH_AS((void)document::parse(text, "app.json"),
                             doctest::Contains(where.c_str()), input_error);
        CHECK_THROWS_WITH_AS((void)parse_input_json(text, "app.json"),
                             doctest::Contains(where.c_str()), input_error);
        CHECK_THROWS_WITH_AS((void)rules().parse(text, "app.json"),
                             doctest::Contains(where.c_str()), input_error);
        CHECK_THROWS_WITH_AS(
            (void)parse_input_json(text, "app.json"),
            doctest::Contains(("the integer " + big + " is beyond 64 bits").c_str()), input_error);
        std::istringstream lines(
            "{}\n" +
            nlohmann::json::parse(app_with("1")).dump().replace(1, 0, "\"n\": " + big + ", ") +
            "\n");
        std::vector<std::string> seen;
        (void)rules().parse_jsonl(lines, "apps.jsonl", [&](std::size_t, engine::parsed&& p) {
            if (auto* e = std::get_if<input_error>(&p)) seen.emplace_back(e->what());
        });
        REQUIRE(seen.size() == 2);
        CHECK(seen[1].starts_with("apps.jsonl:2: $.n: invalid JSON: the integer"));
    }
    // the largest of each kind still read, the same by both readers
    for (const std::string edge : {"18446744073709551615", "-9223372036854775808"}) {
        CAPTURE(edge);
        const auto text = app_with(edge);
        const document a = document::parse(text, "app.json");
        const document b = document::from_json(parse_input_json(text, "app.json"));
        CHECK(a.at("extra")->to_string() == b.at("extra")->to_string());
    }
    // a ruleset, a calendar, a workflow: the same
    testing::scratch_dir dir;
    fs::create_directories(dir.path / "workflow");
    {
        std::ofstream(dir.path / "workflow" / "CN.json")
            << "{\"id\": \"CN\",\n \"version\": 99999999999999999999}\n";
    }
    CHECK_THROWS_WITH_AS((void)workflow::load(dir.path / "workflow"),
                         doctest::Contains("CN.json:2: $.version: invalid JSON: the integer"),
                         data_error);
}

TEST_CASE("readers: a key given twice is named by line and path by every reader") {
    auto text = app_with("{\"x\": 1,\n \"x\": 2}");
    const std::string where =
        "app.json:" + std::to_string(line_of_text(text, "{\"x\": 1")) + ": $.extra.x";
    CHECK_THROWS_WITH_AS((void)parse_input_json(text, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
    CHECK_THROWS_WITH_AS((void)document::parse(text, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
    CHECK_THROWS_WITH_AS((void)rules().parse(text, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
    std::istringstream lines("{}\n" + nlohmann::json::parse(app_with("1")).dump() + "\n" +
                             R"({"id": "B", "id": "C"})" + "\n");
    std::vector<std::string> seen;
    (void)rules().parse_jsonl(lines, "apps.jsonl", [&](std::size_t, engine::parsed&& p) {
        if (auto* e = std::get_if<input_error>(&p)) seen.emplace_back(e->what());
    });
    REQUIRE(seen.size() == 2);  // {} is refused by the schema, the last by its key
    CHECK(seen[1].starts_with("apps.jsonl:3: $.id: this key appears twice"));
}

TEST_CASE("readers: a NUL byte is not JSON to any reader, named where it is") {
    const std::string app = app_with("1");
    const std::string trailing = app + std::string(1, '\0') + R"({"id": "other"})";
    const auto line = std::to_string(1 + std::count(app.begin(), app.end(), '\n'));
    for (const auto& text : {trailing, std::string("{\"a\":\n") + '\0' + "1}"}) {
        CHECK_THROWS_WITH_AS((void)parse_input_json(text, "nul.json"),
                             doctest::Contains("NUL byte"), input_error);
        CHECK_THROWS_WITH_AS((void)document::parse(text, "nul.json"), doctest::Contains("NUL byte"),
                             input_error);
    }
    CHECK_THROWS_WITH_AS((void)parse_input_json(trailing, "nul.json"),
                         doctest::Contains(("nul.json:" + line + ": $: invalid JSON").c_str()),
                         input_error);
    CHECK_THROWS_WITH_AS((void)parse_input_json(std::string("{\"a\":\n") + '\0' + "1}", "nul.json"),
                         doctest::Contains("nul.json:2: $.a: invalid JSON"), input_error);
    // the loaders too: a calendar file cut short by a NUL is not read as the part before it
    testing::scratch_dir dir;
    fs::create_directories(dir.path / "calendars");
    {
        std::ofstream f(dir.path / "calendars" / "CN.json", std::ios::binary);
        f << "{\"name\": \"CN\"}" << '\0' << "garbage";
    }
    CHECK_THROWS_WITH_AS((void)calendar_set::load(dir.path / "calendars"),
                         doctest::Contains("NUL byte"), calendar_error);
}

TEST_CASE(
    "readers: a key given twice in a ruleset, a workflow, a schema or a test file is refused") {
    // nlohmann keeps the last silently: a parameter given twice, a rule's second `require`, a
    // workflow's second `initial` were used without a word (lint: 0 errors), as calendars and
    // applications never were
    const auto shipped = fs::path(TELECOMPLY_RULESETS_DIR);
    struct edit {
        std::string file, from, to, path;
    };
    const std::vector<edit> edits = {
        {"CN-GD/2026.1.json", "\"daily_call_cap\": 150",
         "\"daily_call_cap\": 150, \"daily_call_cap\": 99999", "$.parameters.daily_call_cap"},
        {"workflow/CN.json", "\"initial\":", "\"initial\": \"draft\", \"initial\":", "$.initial"},
        {"schema/application.schema.json", "\"type\": \"object\"",
         "\"type\": \"object\", \"type\": \"array\"", "$.type"},
    };
    for (const auto& e : edits) {
        CAPTURE(e.file);
        testing::scratch_dir dir(shipped);
        std::string text = read_input_file(dir.path / e.file);
        const auto at = text.find(e.from);
        REQUIRE(at != std::string::npos);
        text.replace(at, e.from.size(), e.to);
        dir.write(e.file, text);
        const auto line = std::to_string(1 + std::count(text.begin(), text.begin() + at, '\n'));
        const std::string where = e.file + ":" + line + ": " + e.path + ": this key appears twice";
        if (e.file.starts_with("workflow"))
            CHECK_THROWS_WITH_AS((void)workflow::load(dir.path / "workflow"),
                                 doctest::Contains(where.c_str()), error);
        else
            CHECK_THROWS_WITH_AS((void)engine(dir.path), doctest::Contains(where.c_str()), error);
        if (e.file.starts_with("CN-GD")) {
            const auto report = lint_folder(dir.path);
            CHECK(std::any_of(
                report.problems.begin(), report.problems.end(),
                [&](const diagnostic& p) { return p.json_path == e.path && !p.warning; }));
        }
    }
    testing::scratch_dir dir(shipped);
    dir.write(
        "tests/twice.json",
        "{\"cases\": [{\"name\": \"a\",\n \"name\": \"b\", \"fixture\": \"clean-gd-2026\"}]}");
    const engine e(dir.path);
    CHECK_THROWS_WITH_AS((void)run_ruleset_tests(e, dir.path / "tests"),
                         doctest::Contains("twice.json:1: $.cases[0].name: this key appears twice"),
                         input_error);
}
