// Numbers in input (issue 11): integers written as 100.0 or 1e2 are integers where the
// application schema says integer (JSON Schema draft-07) and are judged as integers; numbers a
// double cannot hold (1e400) are bad input named by file, line and JSON path in every reader,
// never a library's own exception.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/workflow.hpp"

using namespace telecomply;
namespace fs = std::filesystem;

namespace {

const engine& rules() {
    return testing::manager().rules();
}

// The example application with `field` (a JSON pointer) written as the raw JSON text `number`.
std::string with_number(const std::string& pointer, const std::string& number) {
    auto app = testing::example("gd-retail-eligible");
    app[nlohmann::json::json_pointer(pointer)] = "@@";
    auto text = app.dump(1);
    return text.replace(text.find("\"@@\""), 4, number);
}

const std::vector<std::string> k_integer_fields = {
    "/materials/marketing_plan/daily_calls_per_number",
    "/materials/marketing_plan/consent/retention_days",
    "/applicant/history/violations_24m",
    "/applicant/history/rejections_12m",
};

// The verdict JSON of an application text, as `check` prints it.
std::string verdict_of(const std::string& text) {
    return rules().check(rules().parse(text, "app.json")).to_json().dump();
}

// JSONTestSuite's i_number_*overflow* / huge-exponent files and their kind: well-formed JSON a
// double cannot hold.
const std::vector<std::string> k_huge = {
    "[123123e100000]", "[-123123e100000]", "[1.5e+9999]", "[-1e+9999]",
    "[123e65536]",     "[1e400]",          "[-1e400]",    "[100000000000000000000e400]",
};

}  // namespace

TEST_CASE("numbers: 100.0 and 1e2 are integers where the schema says integer, judged as such") {
    for (const auto& field : k_integer_fields) {
        CAPTURE(field);
        const std::string as_int = verdict_of(with_number(field, "2"));
        for (const std::string written : {"2.0", "2e0", "2E0", "0.2e1", "20e-1", "2.000"}) {
            CAPTURE(written);
            const auto text = with_number(field, written);
            document doc = rules().parse(text, "app.json");
            std::string dotted = field.substr(1);
            std::replace(dotted.begin(), dotted.end(), '/', '.');
            REQUIRE(doc.at(dotted) != nullptr);
            CHECK(doc.at(dotted)->kind() == kind::int_);
            CHECK(doc.at(dotted)->as_int() == 2);
            // the same verdict, byte for byte, as the integer gives
            CHECK(verdict_of(text) == as_int);
            // from nlohmann (a Python dict, a pandas row with a float column) as from text
            const auto j = nlohmann::json::parse(text);
            CHECK(rules().check(rules().validate(j, "row")).to_json().dump() == as_int);
        }
        // not integers: refused, naming the field
        for (const std::string written : {"2.5", "1e20", "-0.5e-300"}) {
            CAPTURE(written);
            std::string path = "$" + field;
            std::replace(path.begin(), path.end(), '/', '.');
            CHECK_THROWS_WITH_AS((void)rules().parse(with_number(field, written), "app.json"),
                                 doctest::Contains(path.c_str()), input_error);
        }
    }
    // a field the schema does not call an integer keeps its double
    auto app = testing::example("gd-retail-eligible");
    app["extra"] = 2.0;
    const document doc = rules().validate(app, "app.json");
    CHECK(doc.at("extra")->kind() == kind::double_);
}

TEST_CASE("numbers: documents built by the caller are conformed too; check_many keeps them") {
    const auto text = with_number("/materials/marketing_plan/daily_calls_per_number", "1e3");
    document doc = document::parse(text, "app.json");
    REQUIRE(doc.at("materials.marketing_plan.daily_calls_per_number")->kind() == kind::double_);
    std::vector<engine::batch_item> items;
    items.emplace_back(document::parse(text, "app.json"));
    items.emplace_back(text);
    const auto verdicts = rules().check_many(items, {}, 1);
    REQUIRE(verdicts.size() == 2);
    CHECK(verdicts[0].to_json() == verdicts[1].to_json());
    CHECK(verdicts[0].outcome == decision::ineligible);  // 1000 calls a day: over the cap
    // the caller's document is as it was given
    CHECK(std::get<document>(items[0])
              .at("materials.marketing_plan.daily_calls_per_number")
              ->kind() == kind::double_);
    rules().validate(doc, "app.json");
    CHECK(doc.at("materials.marketing_plan.daily_calls_per_number")->kind() == kind::int_);
}

TEST_CASE("numbers: a number beyond a double is bad input with file, line and path everywhere") {
    for (const auto& huge : k_huge) {
        CAPTURE(huge);
        CHECK_THROWS_WITH_AS((void)parse_input_json(huge, "n.json"),
                             doctest::Contains("n.json:1: $[0]: invalid JSON"), input_error);
        CHECK_THROWS_WITH_AS((void)document::parse(huge, "n.json"),
                             doctest::Contains("n.json:1: $[0]: invalid JSON"), input_error);
    }
    // inside an application, on its line, in a whole file and in JSON Lines
    const auto text = with_number("/materials/marketing_plan/daily_calls_per_number", "1e400");
    const auto line = 1 + std::count(text.begin(), text.begin() + text.find("1e400"), '\n');
    const std::string where = "app.json:" + std::to_string(line) +
                              ": $.materials.marketing_plan.daily_calls_per_number: invalid JSON";
    CHECK_THROWS_WITH_AS((void)rules().parse(text, "app.json"), doctest::Contains(where.c_str()),
                         input_error);
    std::istringstream in(nlohmann::json::parse(with_number("/id", "\"A\"")).dump() + "\n" +
                          R"({"id": "B", "n": -1e400})" + "\n" +
                          nlohmann::json::parse(with_number("/id", "\"C\"")).dump() + "\n");
    std::vector<std::string> seen;
    (void)rules().check_stream(in, true, "apps.jsonl", {}, [&](std::size_t, engine::result&& r) {
        if (auto* e = std::get_if<input_error>(&r))
            seen.push_back(std::string(e->what()));
        else
            seen.push_back(std::get<verdict>(r).application);
    });
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == "A");
    CHECK(seen[1].starts_with("apps.jsonl:2: $.n: invalid JSON: number overflow"));
    CHECK(seen[2] == "C");
}

TEST_CASE("numbers: loaders of rulesets, calendars and workflows name 1e400 too") {
    testing::scratch_dir dir;
    // a ruleset
    fs::create_directories(dir.path / "CN");
    {
        std::ofstream(dir.path / "CN" / "2026.1.json")
            << "{\n  \"id\": \"CN\",\n  \"parameters\": {\"cap\": 1e400}\n}\n";
    }
    CHECK_THROWS_WITH_AS((void)catalogue::load(dir.path),
                         doctest::Contains("2026.1.json:3: $.parameters.cap: invalid JSON"),
                         ruleset_error);
    // a calendar
    const auto cal = dir.path / "calendars";
    fs::create_directories(cal);
    { std::ofstream(cal / "CN.json") << "{\"name\": \"CN\",\n \"years\": 1e400}\n"; }
    CHECK_THROWS_WITH_AS((void)calendar_set::load(cal),
                         doctest::Contains(":2: $.years: invalid JSON"), calendar_error);
    // a workflow
    const auto wf = dir.path / "workflow";
    fs::create_directories(wf);
    { std::ofstream(wf / "CN.json") << "{\"id\": \"CN\",\n \"version\": 1e400}\n"; }
    CHECK_THROWS_WITH_AS((void)workflow::load(wf),
                         doctest::Contains("CN.json:2: $.version: invalid JSON"), data_error);
}

TEST_CASE("input: a folder given as a file is named as one, by every reader") {
    testing::scratch_dir dir;
    CHECK_THROWS_WITH_AS((void)read_input_file(dir.path), doctest::Contains("is a folder"),
                         input_error);
}

TEST_CASE("numbers: a ruleset's integer parameter written as 150.0 is the integer 150") {
    // the ruleset schema is draft-07 too: where it says integer (daily_call_cap is a positive
    // integer), 150.0 and 1.5e2 are integers, read as 150
    const auto shipped = fs::path(TELECOMPLY_RULESETS_DIR);
    const auto app = testing::example("gd-retail-eligible").dump();
    const engine plain(shipped);
    const auto expected = plain.check_json(app, {}, "app.json").to_json().dump();
    for (const std::string written : {"150.0", "1.5e2"}) {
        CAPTURE(written);
        testing::scratch_dir dir(shipped);
        const auto file = dir.path / "CN-GD" / "2026.1.json";
        std::string text = read_input_file(file);
        const auto at = text.find("\"daily_call_cap\": 150");
        REQUIRE(at != std::string::npos);
        text.replace(at, std::string("\"daily_call_cap\": 150").size(),
                     "\"daily_call_cap\": " + written);
        dir.write("CN-GD/2026.1.json", text);
        const engine e(dir.path);
        // the same verdict, byte for byte: the parameter, the messages, the ruleset's digest
        CHECK(e.check_json(app, {}, "app.json").to_json().dump() == expected);
    }
    // a fraction is still refused, naming the parameter
    testing::scratch_dir dir(shipped);
    const auto file = dir.path / "CN-GD" / "2026.1.json";
    std::string text = read_input_file(file);
    text.replace(text.find("\"daily_call_cap\": 150"),
                 std::string("\"daily_call_cap\": 150").size(), "\"daily_call_cap\": 150.5");
    dir.write("CN-GD/2026.1.json", text);
    CHECK_THROWS_WITH_AS((void)engine(dir.path), doctest::Contains("$.parameters.daily_call_cap"),
                         ruleset_error);
}

TEST_CASE("numbers: an integer beyond int64 where the schema says integer is named as such") {
    // draft-07 calls 9223372036854775808 and 9.3e18 integers; telecomply judges int64 ones: the
    // error says so (it said "Value type not permitted by 'type' constraint", as for a string),
    // by every reader, while 2^63-1 and 9.2e18 are judged (over the cap)
    for (const auto& field : k_integer_fields) {
        CAPTURE(field);
        std::string path = "$" + field;
        std::replace(path.begin(), path.end(), '/', '.');
        for (const std::string written : {"9223372036854775808", "18446744073709551615", "9.3e18",
                                          "1e19", "-9.3e18", "1e300"}) {
            CAPTURE(written);
            const auto text = with_number(field, written);
            const std::string want = path + ": ";
            for (const bool via_json : {false, true}) {
                CAPTURE(via_json);
                try {
                    if (via_json)
                        (void)rules().validate(nlohmann::json::parse(text), "app.json");
                    else
                        (void)rules().parse(text, "app.json");
                    FAIL_CHECK("accepted");
                } catch (const input_error& e) {
                    CHECK(e.json_path() == path);
                    CHECK(std::string(e.message()).find("is an integer beyond the range") !=
                          std::string::npos);
                }
            }
        }
    }
    const auto field = std::string("/materials/marketing_plan/daily_calls_per_number");
    for (const std::string written : {"9223372036854775807", "9.2e18", "1e18"})
        CHECK(rules().check(rules().parse(with_number(field, written), "app.json")).outcome ==
              decision::ineligible);
}
