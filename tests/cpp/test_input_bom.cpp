// A UTF-8 byte order mark (Windows Notepad writes one) before JSON input is ignored, as RFC 8259
// §8.1 allows, by every reader: whole files, JSON Lines, applications and event data (issue 11).

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"

using namespace telecomply;

namespace {
const std::string k_bom = "\xEF\xBB\xBF";
}

TEST_CASE("input: a UTF-8 byte order mark before JSON is ignored by every reader") {
    const std::string app = testing::example("gd-retail-eligible").dump();
    CHECK(parse_input_json(k_bom + R"({"a": 1})", "data.json") == nlohmann::json{{"a", 1}});
    const auto& eng = testing::manager().rules();
    CHECK(eng.check(eng.parse(k_bom + app, "app.json")).outcome == decision::eligible);
    std::istringstream lines(k_bom + app + "\n" + app + "\n");
    std::size_t n = 0;
    (void)eng.parse_jsonl(lines, "apps.jsonl", [&](std::size_t, engine::parsed&& p) {
        CHECK(std::holds_alternative<document>(p));
        ++n;
    });
    CHECK(n == 2);
    // only at the start: a BOM anywhere else is what it is (not JSON)
    CHECK_THROWS_AS((void)parse_input_json(R"({"a": 1})" + k_bom, "data.json"), input_error);
    // and a BOM with nothing after it is still no JSON, named as such
    CHECK_THROWS_WITH_AS((void)parse_input_json(k_bom, "empty.json"),
                         doctest::Contains("empty.json"), input_error);
}
