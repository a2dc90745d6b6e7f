// Durations read from text (CEL's duration('...')): the bounds of every unit, numbers of any
// size, signs, fractions and sums of parts. A duration is a signed 64-bit count of nanoseconds;
// text past it is an invalid duration, never an overflow of the parser's own arithmetic (the
// fuzzing campaign's first finding: '100000000000000000000000000h' overflowed a 128-bit
// product, reachable from every ruleset through constant folding).

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "expr/time.hpp"
#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/value.hpp"

using namespace telecomply;
using telecomply::detail::format_duration;
using telecomply::detail::parse_duration;

namespace {

// The duration as CEL prints it ("9223372036.854775807s"), or "invalid".
std::string parsed(const std::string& text) {
    const auto d = parse_duration(text);
    return d ? format_duration(*d) : "invalid";
}

struct unit_bounds {
    std::string unit;
    std::string largest;         // the largest count of the unit in range
    std::string largest_value;   // what it is
    std::string most_negative;   // the largest count of the unit in range below zero
    std::string negative_value;  // what it is
    std::string one_more;        // largest + 1
    std::string negative_one_more;
};

// Computed independently: floor((2^63 - 1) / unit) and floor(2^63 / unit) nanoseconds.
const std::vector<unit_bounds>& bounds() {
    static const std::vector<unit_bounds> rows = {
        {"ns", "9223372036854775807", "9223372036.854775807s", "9223372036854775808",
         "-9223372036.854775808s", "9223372036854775808", "9223372036854775809"},
        {"us", "9223372036854775", "9223372036.854775s", "9223372036854775", "-9223372036.854775s",
         "9223372036854776", "9223372036854776"},
        {"\xC2\xB5s", "9223372036854775", "9223372036.854775s", "9223372036854775",
         "-9223372036.854775s", "9223372036854776", "9223372036854776"},
        {"ms", "9223372036854", "9223372036.854s", "9223372036854", "-9223372036.854s",
         "9223372036855", "9223372036855"},
        {"s", "9223372036", "9223372036s", "9223372036", "-9223372036s", "9223372037",
         "9223372037"},
        {"m", "153722867", "9223372020s", "153722867", "-9223372020s", "153722868", "153722868"},
        {"h", "2562047", "9223369200s", "2562047", "-9223369200s", "2562048", "2562048"},
    };
    return rows;
}

}  // namespace

TEST_CASE("durations: the largest count of every unit is read, one more is invalid") {
    for (const auto& b : bounds()) {
        CAPTURE(b.unit);
        CHECK(parsed(b.largest + b.unit) == b.largest_value);
        CHECK(parsed("+" + b.largest + b.unit) == b.largest_value);
        CHECK(parsed("-" + b.most_negative + b.unit) == b.negative_value);
        CHECK(parsed(b.one_more + b.unit) == "invalid");
        CHECK(parsed("-" + b.negative_one_more + b.unit) == "invalid");
    }
}

TEST_CASE("durations: numbers of any size in any unit are invalid, not an overflow") {
    const std::vector<std::string> huge = {
        "100000000000000000000000000",               // the campaign's input, 10^26
        "170141183460469231731687303715884105727",   // 2^127 - 1
        "170141183460469231731687303715884105728",   // 2^127
        "340282366920938463463374607431768211456",   // 2^128
        std::string(400, '9'),                       // far past any integer type
        "1" + std::string(30, '0') + ".5",           // with a fraction
        "000000000000000000000000000000000000001e",  // leading zeros are fine, 'e' is no unit
    };
    for (const auto& b : bounds())
        for (const auto& n : huge) {
            CAPTURE(b.unit);
            CAPTURE(n);
            CHECK(parsed(n + b.unit) == "invalid");
            CHECK(parsed("-" + n + b.unit) == "invalid");
            CHECK(parsed("1" + b.unit + n + b.unit) == "invalid");  // as a later part
        }
    CHECK(parsed("000000000000000000000000000000000000001h") == "3600s");
}

TEST_CASE("durations: fractions of every size stay below one unit") {
    const std::string nines(400, '9');
    CHECK(parsed("0." + nines + "h") == "3599.999999999s");  // digits past the 18th dropped
    CHECK(parsed("-0." + nines + "h") == "-3599.999999999s");
    CHECK(parsed("0." + nines + "ns") == "0s");
    CHECK(parsed("." + nines + "s") == "0.999999999s");
    CHECK(parsed("2562047.25h") == "9223370100s");
    CHECK(parsed("2562047.9h") == "invalid");  // 9223372440s
    CHECK(parsed("9223372036.854775807s") == "9223372036.854775807s");
    CHECK(parsed("9223372036.854775808s") == "invalid");
    CHECK(parsed("-9223372036.854775808s") == "-9223372036.854775808s");
    CHECK(parsed("-9223372036.854775809s") == "invalid");
    CHECK(parsed("1.5h") == "5400s");
}

TEST_CASE("durations: parts each in range whose sum is not are invalid") {
    for (const auto& b : bounds()) {
        CAPTURE(b.unit);
        CHECK(parsed(b.largest + b.unit + b.largest + b.unit) == "invalid");
        CHECK(parsed("-" + b.most_negative + b.unit + b.most_negative + b.unit) == "invalid");
    }
    CHECK(parsed("9223372036s854775807ns") == "9223372036.854775807s");
    CHECK(parsed("9223372036s854775808ns") == "invalid");
    CHECK(parsed("-9223372036s854775808ns") == "-9223372036.854775808s");
    CHECK(parsed("2562047h47m16s854775807ns") == "9223372036.854775807s");
    CHECK(parsed("2562047h47m16s854775808ns") == "invalid");
    std::string many;  // 1023 parts of 2^53 ns, then one more: 2^63 ns
    for (int i = 0; i < 1023; ++i)
        many += "9007199254740992ns";
    CHECK(parsed(many) == "9214364837.600034816s");
    many += "9007199254740992ns";
    CHECK(parsed(many) == "invalid");
    CHECK(parsed("-" + many) == "-9223372036.854775808s");
    CHECK(parsed(many + many) == "invalid");
}

TEST_CASE("durations: out-of-range text is an error value in CEL, folded or not") {
    // a constant argument: folded when compiled, as a ruleset's condition is
    environment env;
    const auto folded = expression::compile("duration('100000000000000000000000000h')", env);
    eval_context ctx;
    const value v = folded.evaluate({}, ctx);
    REQUIRE(v.is_error());
    CHECK(v.as_error().code == eval_errc::invalid_argument);
    CHECK(v.to_string() ==
          "error(invalid_argument: invalid duration '100000000000000000000000000h')");
    // a variable's value: evaluated at run time
    telecomply::arena a;
    value_builder out(a);
    const std::vector<std::pair<std::string, value>> vars = {
        {"d", out.string("-" + std::string(60, '9') + "ms")}};
    const value w = evaluate_once("duration(d)", vars, out);
    REQUIRE(w.is_error());
    CHECK(w.as_error().code == eval_errc::invalid_argument);
}
