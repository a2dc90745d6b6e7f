// The functions expressions can call: CEL's string functions and this domain's extensions
// (dates, times of day, Chinese identifiers, phone numbers, working days).

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/cel_functions.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

// ---- helpers

std::shared_ptr<const calendar_set> calendars() {
    static const auto set = std::make_shared<calendar_set>(
        calendar_set::load(std::string(TELECOMPLY_RULESETS_DIR) + "/calendars"));
    return set;
}

// Compiles `src` in a checked environment, with the CN calendars unless told otherwise, whose
// variables are the members of `vars`; returns the result rendered in CEL syntax.
std::string show(std::string_view src, const json& vars = json::object(),
                 bool with_calendars = true) {
    environment env;
    install_domain_functions(env, with_calendars ? calendars() : nullptr);
    const auto doc = document::from_json(vars);
    for (const auto& [name, _] : vars.items())
        env.declare(name);
    std::vector<value> slots(env.slot_count());
    for (const auto& [name, _] : vars.items())
        slots[static_cast<std::size_t>(env.slot(name))] = *doc.root().find(name);
    const auto e = expression::compile(src, env);
    eval_context ctx;
    return e.evaluate(slots, ctx).to_string();
}

// The error code and message of an expression that evaluates to an error.
struct failure {
    eval_errc code{};
    std::string message;
};
failure error_of(std::string_view src, const json& vars = json::object(),
                 bool with_calendars = true) {
    environment env;
    install_domain_functions(env, with_calendars ? calendars() : nullptr);
    const auto doc = document::from_json(vars);
    for (const auto& [name, _] : vars.items())
        env.declare(name);
    std::vector<value> slots(env.slot_count());
    for (const auto& [name, _] : vars.items())
        slots[static_cast<std::size_t>(env.slot(name))] = *doc.root().find(name);
    const auto e = expression::compile(src, env);
    eval_context ctx;
    const value v = e.evaluate(slots, ctx);
    REQUIRE_MESSAGE(v.is_error(), src << " gave " << v.to_string());
    return {v.as_error().code, std::string(v.as_error().message)};
}

}  // namespace

// ------------------------------------------------------------------ strings

TEST_CASE("CEL functions: size") {
    CHECK(show("'abc'.size()") == "3");
    CHECK(show("size('中文')") == "2");   // code points
    CHECK(show("size(b'中文')") == "6");  // bytes
    CHECK(show("size([1, [2, 3]])") == "2");
    CHECK(show("{'a': 1}.size()") == "1");
    CHECK(show("size('')") == "0");
    CHECK(show("size(1)") == "error(no_such_overload: no such overload: size(int))");
    CHECK(show("size(null)") == "error(no_such_overload: no such overload: size(null_type))");
}

// Lists of strings longer than 8 are grouped by hashing, shorter or mixed ones pairwise: both
// must give each repeated value once, in the order of its first repetition (duplicates), and
// each value once in the order of its first appearance (distinct).
TEST_CASE("CEL functions: duplicates and distinct, by hashing and pairwise") {
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7fffu;
    };
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = next() % 40;
        const std::size_t alphabet = 1 + next() % 12;
        json xs = json::array();
        for (std::size_t i = 0; i < n; ++i) {
            // short and long texts, some sharing their first bytes
            const auto k = next() % alphabet;
            xs.push_back(k % 3 == 0 ? std::string(1, static_cast<char>('a' + k))
                                    : "1380000" + std::to_string(1000 + k));
        }
        json repeated = json::array(), once = json::array();
        for (std::size_t i = 0; i < xs.size(); ++i) {
            bool seen_before = false;
            for (std::size_t j = 0; j < i; ++j)
                seen_before = seen_before || xs[j] == xs[i];
            if (!seen_before) {
                once.push_back(xs[i]);
                continue;
            }
            bool counted = false;
            for (const auto& r : repeated)
                counted = counted || r == xs[i];
            if (!counted) repeated.push_back(xs[i]);
        }
        const json vars = {{"xs", xs}};
        const auto expect = [](const json& list) {
            return document::from_json(list).root().to_string();
        };
        CHECK(show("xs.duplicates()", vars) == expect(repeated));
        CHECK(show("xs.distinct()", vars) == expect(once));
        // the pairwise path: the same list with a number at the end
        const json mixed = {{"xs", [&] {
                                 json m = xs;
                                 m.push_back(7);
                                 return m;
                             }()}};
        CHECK(show("xs.duplicates()", mixed) == expect(repeated));
    }
}

TEST_CASE("CEL functions: contains, startsWith, endsWith") {
    CHECK(show("'13800138000'.contains('0013')") == "true");
    CHECK(show("'abc'.contains('')") == "true");
    CHECK(show("'abc'.contains('d')") == "false");
    CHECK(show("'申请号码'.contains('号')") == "true");
    CHECK(show("'13800138000'.startsWith('138')") == "true");
    CHECK(show("'13800138000'.startsWith('139')") == "false");
    CHECK(show("'010-12345678'.endsWith('5678')") == "true");
    CHECK(show("'a'.endsWith('ba')") == "false");
    CHECK(show("'abc'.contains(1)") ==
          "error(no_such_overload: no such overload: contains(string, int))");
    CHECK(show("[1].contains(1)") ==
          "error(no_such_overload: no such overload: contains(list, int))");
    CHECK(show("b'abc'.startsWith(b'a')") ==
          "error(no_such_overload: no such overload: startsWith(bytes, bytes))");
    CHECK(show("1.endsWith('1')") ==
          "error(no_such_overload: no such overload: endsWith(int, string))");
}

TEST_CASE("CEL functions: matches") {
    CHECK(show(R"('13800138000'.matches('^1[3-9]\\d{9}$'))") == "true");
    CHECK(show(R"(matches('1380013800', '^1[3-9]\\d{9}$'))") == "false");
    CHECK(show("'abc'.matches('b')") == "true");  // a partial match, as RE2::PartialMatch
    CHECK(show("'abc'.matches('^b')") == "false");
    CHECK(show(R"('a.b'.matches(r'^a\.b$'))") == "true");
    CHECK(show(R"('axb'.matches(r'^a\.b$'))") == "false");
    CHECK(show(R"('申请号码'.matches('^\\p{Han}+$'))") == "true");
    CHECK(show("'申请号码'.matches('^.{4}$')") == "true");  // a dot is a code point
    CHECK(show("1.matches('1')") == "error(no_such_overload: no such overload: matches(int))");
    // a pattern known only at run time is compiled when evaluated
    const json vars = {{"pattern", "^[0-9]+$"}, {"bad", "(["}, {"s", "12345"}};
    CHECK(show("s.matches(pattern)", vars) == "true");
    CHECK(show("'12a'.matches(pattern)", vars) == "false");
    const auto f = error_of("s.matches(bad)", vars);
    CHECK(f.code == eval_errc::invalid_argument);
    CHECK(f.message.starts_with("invalid regular expression '([': "));
    CHECK(show("s.matches(1)", vars) ==
          "error(no_such_overload: no such overload: matches(string, int))");
}

TEST_CASE("CEL functions: lowerAscii, upperAscii, trim") {
    CHECK(show("'AbC中Ä'.lowerAscii()") == R"("abc中Ä")");
    CHECK(show("'AbC中ä'.upperAscii()") == R"("ABC中ä")");
    CHECK(show("''.upperAscii()") == R"("")");
    CHECK(show("'  a b \\t\\n'.trim()") == R"("a b")");
    CHECK(show("'   '.trim()") == R"("")");
    CHECK(show("'x'.trim()") == R"("x")");
    // Unicode White_Space, as cel-spec's strings extension: ideographic (U+3000), no-break
    // (U+00A0, U+202F), em (U+2003), line separator (U+2028) spaces are blank
    CHECK(show("'\u3000a\u3000'.trim()") == R"("a")");
    CHECK(show("'\u3000\u3000'.trim()") == R"("")");
    CHECK(show("'\u00a0\u202f\u2003\u2028 x y\u00a0'.trim()") == R"("x y")");
    CHECK(show("'a\u3000b'.trim()") == "\"a\u3000b\"");  // inner space kept
    CHECK(show("'\u200bx'.trim()") == "\"\u200bx\"");    // zero width space is not White_Space
    CHECK(show("1.trim()") == "error(no_such_overload: no such overload: trim(int))");
    CHECK(show("1.lowerAscii()") == "error(no_such_overload: no such overload: lowerAscii(int))");
}

// ------------------------------------------------------------------ dates

TEST_CASE("CEL functions: date() and comparisons") {
    CHECK(show("date('2026-03-02')") == R"(date("2026-03-02"))");
    CHECK(show("string(date('2026-03-02'))") == R"("2026-03-02")");
    CHECK(show("date('2026-03-02') < date('2026-03-03')") == "true");
    CHECK(show("date('2026-03-02') <= date('2026-03-02')") == "true");
    CHECK(show("date('2026-03-02') > date('2025-12-31')") == "true");
    CHECK(show("date('2026-03-02') == date('2026-03-02')") == "true");
    CHECK(show("date('2026-03-02') != date('2026-03-03')") == "true");
    CHECK(show("date(date('2026-03-02')) == date('2026-03-02')") == "true");
    CHECK(show("date('2026-03-02') in [date('2026-03-01'), date('2026-03-02')]") == "true");
    CHECK(show("date('2026-03-02') < '2026-03-03'") ==
          "error(no_such_overload: no such overload: date < string)");
    CHECK(show("date('2026-03-02') < timestamp('2026-03-03T00:00:00Z')") ==
          "error(no_such_overload: no such overload: date < google.protobuf.Timestamp)");
    // from and to timestamps, in UTC
    CHECK(show("date(timestamp('2026-03-02T23:59:59Z'))") == R"(date("2026-03-02"))");
    CHECK(show("date(timestamp('1969-12-31T23:00:00Z'))") == R"(date("1969-12-31"))");
    CHECK(show("string(timestamp(date('2026-03-02')))") == R"("2026-03-02T00:00:00Z")");
    // from a document
    const json app = {{"app", {{"signed_on", "2026-03-02"}}}};
    CHECK(show("date(app.signed_on) >= date('2026-01-01')", app) == "true");

    for (auto bad :
         {"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-3-2", "0000-01-01", "",
          "2026/03/02", " 2026-03-02", "2026-03-02T00:00:00Z", "二〇二六-03-02"}) {
        CAPTURE(bad);
        const auto f = error_of("date('" + std::string(bad) + "')");
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message == "invalid date '" + std::string(bad) + "' (expected YYYY-MM-DD)");
    }
    CHECK(show("date('2024-02-29')") == R"(date("2024-02-29"))");  // a leap day
    CHECK(show("date('0001-01-01')") == R"(date("0001-01-01"))");
    CHECK(show("date('9999-12-31')") == R"(date("9999-12-31"))");
    CHECK(show("date(20260302)") == "error(no_such_overload: no such overload: date(int))");
    // an invalid date poisons a comparison, it does not make it false
    CHECK(error_of("date('2026-02-30') < date('2026-03-01')").code == eval_errc::invalid_argument);
    CHECK(
        error_of("date(app.signed_on) < date('2026-03-01')", {{"app", {{"signed_on", "2026.3.2"}}}})
            .code == eval_errc::invalid_argument);
}

TEST_CASE("CEL functions: add_days, add_months, date differences") {
    CHECK(show("date('2026-02-27').add_days(2)") == R"(date("2026-03-01"))");
    CHECK(show("add_days(date('2026-03-01'), -1)") == R"(date("2026-02-28"))");
    CHECK(show("date('2024-02-28').add_days(1)") == R"(date("2024-02-29"))");
    CHECK(show("date('2026-12-31').add_days(1)") == R"(date("2027-01-01"))");
    CHECK(show("date('2026-03-02').add_days(0)") == R"(date("2026-03-02"))");
    CHECK(show("date('2026-03-02').add_days(365)") == R"(date("2027-03-02"))");
    CHECK(show("date('9999-12-31').add_days(1)") == "error(overflow: date out of range)");
    CHECK(show("date('0001-01-01').add_days(-1)") == "error(overflow: date out of range)");
    CHECK(show("date('2026-01-01').add_days(9223372036854775807)") ==
          "error(overflow: date out of range)");
    CHECK(show("date('2026-01-01').add_days(-9223372036854775807 - 1)") ==
          "error(overflow: date out of range)");
    CHECK(show("date('2026-01-01').add_days(1.5)") ==
          "error(no_such_overload: no such overload: add_days(date, double))");
    CHECK(show("'2026-01-01'.add_days(1)") ==
          "error(no_such_overload: no such overload: add_days(string, int))");

    // months clamp to the end of the month
    CHECK(show("date('2026-01-31').add_months(1)") == R"(date("2026-02-28"))");
    CHECK(show("date('2024-01-31').add_months(1)") == R"(date("2024-02-29"))");
    CHECK(show("date('2026-03-31').add_months(-1)") == R"(date("2026-02-28"))");
    CHECK(show("date('2026-05-31').add_months(1)") == R"(date("2026-06-30"))");
    CHECK(show("date('2026-01-15').add_months(12)") == R"(date("2027-01-15"))");
    CHECK(show("date('2026-12-31').add_months(2)") == R"(date("2027-02-28"))");
    CHECK(show("add_months(date('2026-01-31'), -13)") == R"(date("2024-12-31"))");
    CHECK(show("date('2024-02-29').add_months(12)") == R"(date("2025-02-28"))");
    CHECK(show("date('2026-03-02').add_months(0)") == R"(date("2026-03-02"))");
    // clamping does not accumulate: each call starts from its own day
    CHECK(show("date('2026-01-31').add_months(1).add_months(1)") == R"(date("2026-03-28"))");
    CHECK(show("date('2026-01-31').add_months(2)") == R"(date("2026-03-31"))");
    CHECK(show("date('9999-12-01').add_months(1)") == "error(overflow: date out of range)");
    CHECK(show("date('0001-01-31').add_months(-1)") == "error(overflow: date out of range)");
    CHECK(show("date('2026-01-01').add_months(200000)") == "error(overflow: date out of range)");
    CHECK(show("date('2026-01-01').add_months(-9223372036854775807)") ==
          "error(overflow: date out of range)");

    CHECK(show("date('2026-03-02') - date('2026-01-01')") == "60");
    CHECK(show("date('2026-01-01') - date('2026-03-02')") == "-60");
    CHECK(show("date('2025-01-01') - date('2024-01-01')") == "366");
    CHECK(show("days_between(date('2026-01-01'), date('2026-03-02'))") == "60");
    CHECK(show("days_between(date('2026-03-02'), date('2026-03-02'))") == "0");
    CHECK(show("days_between('2026-01-01', '2026-03-02')") ==
          "error(no_such_overload: no such overload: days_between(string, string))");
    CHECK(show("date('2026-03-02') + 1") ==
          "error(no_such_overload: no such overload: date + int)");
    CHECK(show("date('2026-03-02') - 1") ==
          "error(no_such_overload: no such overload: date - int)");
    CHECK(show("date('2026-03-02') + date('2026-03-02')") ==
          "error(no_such_overload: no such overload: date + date)");
}

TEST_CASE("CEL functions: date accessors") {
    // 2026-03-02 is a Monday
    CHECK(show("date('2026-03-02').getFullYear()") == "2026");
    CHECK(show("date('2026-03-02').getMonth()") == "2");  // 0-based, as for timestamps
    CHECK(show("date('2026-03-02').getDate()") == "2");   // 1-based
    CHECK(show("date('2026-03-02').getDayOfMonth()") == "1");
    CHECK(show("date('2026-03-02').getDayOfWeek()") == "1");
    CHECK(show("date('2026-03-02').getDayOfYear()") == "60");
    CHECK(show("date('2026-12-31').getDayOfYear()") == "364");
    CHECK(show("date('2024-12-31').getDayOfYear()") == "365");
    CHECK(show("date('2026-01-01').getMonth()") == "0");
    CHECK(show("date('1969-07-20').getFullYear()") == "1969");
    CHECK(show("date('0001-01-01').getDayOfWeek()") == "1");
    CHECK(show("date('2026-03-02').getHours()") ==
          "error(no_such_overload: no such overload: getHours(date))");
    CHECK(show("date('2026-03-02').getFullYear('Asia/Shanghai')") ==
          "error(no_such_overload: no such overload: getFullYear(date, string))");
}

TEST_CASE("CEL functions: time_of_day") {
    CHECK(show("time_of_day('09:00')") == R"(time_of_day("09:00"))");
    CHECK(show("string(time_of_day('21:05'))") == R"("21:05")");
    CHECK(show("time_of_day('09:00') < time_of_day('18:00')") == "true");
    CHECK(show("time_of_day('08:59') >= time_of_day('09:00')") == "false");
    CHECK(show("time_of_day('00:00') < time_of_day('23:59')") == "true");
    CHECK(show("time_of_day('24:00') > time_of_day('23:59')") == "true");  // end of day
    CHECK(show("time_of_day('09:00:00') == time_of_day('09:00')") == "true");
    CHECK(show("time_of_day(time_of_day('09:00')) == time_of_day('09:00')") == "true");
    const json call = {{"call", {{"at", "20:45"}}}};
    CHECK(show("time_of_day(call.at) >= time_of_day('08:00') && "
               "time_of_day(call.at) <= time_of_day('21:00')",
               call) == "true");
    for (auto bad : {"9:00", "09:60", "25:00", "24:01", "09:00:30", "0900", "", "09:00 ", "ab:cd",
                     "-1:00", "09:0", "09:00:0"}) {
        CAPTURE(bad);
        const auto f = error_of("time_of_day('" + std::string(bad) + "')");
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message == "invalid time of day '" + std::string(bad) + "' (expected HH:MM)");
    }
    CHECK(show("time_of_day(900)") ==
          "error(no_such_overload: no such overload: time_of_day(int))");
    CHECK(show("time_of_day('09:00') < '10:00'") ==
          "error(no_such_overload: no such overload: time_of_day < string)");
    CHECK(show("time_of_day('09:00') == '09:00'") == "false");
    CHECK(show("time_of_day('09:00') - time_of_day('08:00')") ==
          "error(no_such_overload: no such overload: time_of_day - time_of_day)");
}

// ------------------------------------------------------------------ identifiers

TEST_CASE("CEL functions: uscc_valid") {
    CHECK(show("uscc_valid('91110000600037341L')") == "true");
    CHECK(show("'91110000600037341L'.uscc_valid()") == "true");
    CHECK(show("uscc_valid('91110000600037341l')") == "false");   // lowercase
    CHECK(show("uscc_valid('91110000600037341K')") == "false");   // check character
    CHECK(show("uscc_valid('91110000600037341')") == "false");    // 17 characters
    CHECK(show("uscc_valid(' 91110000600037341L')") == "false");  // no trimming
    CHECK(show("uscc_valid('')") == "false");
    CHECK(show("uscc_valid(91110000600037341)") ==
          "error(no_such_overload: no such overload: uscc_valid(int))");
    const json app = {{"app", {{"uscc", "91110000600037341L"}}}};
    CHECK(show("app.uscc.uscc_valid() && uscc_valid(app.uscc)", app) == "true");
    CHECK(error_of("uscc_valid(app.missing)", app).code == eval_errc::no_such_field);
}

TEST_CASE("CEL functions: resident_id_valid") {
    CHECK(show("resident_id_valid('11010519491231002X', date('2026-03-02'))") == "true");
    CHECK(show("resident_id_valid('11010519491231002X', '2026-03-02')") == "true");
    CHECK(show("'11010519491231002X'.resident_id_valid(date('2026-03-02'))") == "true");
    CHECK(show("resident_id_valid('11010519491231002x', '2026-03-02')") == "false");
    CHECK(show("resident_id_valid('110105194912310021', '2026-03-02')") == "false");
    CHECK(show("resident_id_valid('', '2026-03-02')") == "false");

    // a birth date after the reference day is invalid; born on that day is fine
    const std::string first17 = "11010520270315001";
    const std::string id = first17 + resident_id_check_char(first17);
    const json vars = {{"id", id}};
    CHECK(show("resident_id_valid(id, '2027-03-14')", vars) == "false");
    CHECK(show("resident_id_valid(id, '2027-03-15')", vars) == "true");
    CHECK(show("resident_id_valid(id, date('2027-03-15').add_days(-1))", vars) == "false");

    // a bad reference date is an error value, never a verdict
    const auto bad = error_of("resident_id_valid('11010519491231002X', '2026-02-30')");
    CHECK(bad.code == eval_errc::no_such_overload);
    CHECK(error_of("resident_id_valid('11010519491231002X', 20260302)").code ==
          eval_errc::no_such_overload);
    CHECK(error_of("resident_id_valid(11010519491231002, '2026-03-02')").code ==
          eval_errc::no_such_overload);
}

TEST_CASE("CEL functions: phone_kind, mvno, carrier") {
    struct item {
        std::string_view number, kind;
    };
    for (const item& i :
         {item{"13800138000", "mobile"}, item{"+86 138 0013 8000", "mobile"},
          item{"17012345678", "mvno"}, item{"16212345678", "mvno"},
          item{"010-12345678", "landline"}, item{"0755 1234 5678", "landline"},
          item{"4001234567", "service"}, item{"95588", "invalid"}, item{"10690000123", "invalid"},
          item{"14512345678", "data_card"}, item{"1440123456789", "iot"}, item{"12345", "invalid"},
          item{"", "invalid"}, item{"110", "invalid"}, item{"1380013800a", "invalid"}}) {
        CAPTURE(i.number);
        const json vars = {{"n", i.number}};
        CHECK(show("phone_kind(n)", vars) == "\"" + std::string(i.kind) + "\"");
        CHECK(show("n.phone_kind()", vars) == "\"" + std::string(i.kind) + "\"");
        CHECK(show("mvno(n)", vars) == (i.kind == "mvno" ? "true" : "false"));
    }
    CHECK(show("phone_kind('13800138000') == 'mobile'") == "true");
    CHECK(show("phone_kind(13800138000)") ==
          "error(no_such_overload: no such overload: phone_kind(int))");
    CHECK(show("mvno(17012345678)") == "error(no_such_overload: no such overload: mvno(int))");

    CHECK(show("carrier('13800138000')") == R"("china_mobile")");
    CHECK(show("carrier('+86 138 0013 8000')") == R"("china_mobile")");
    CHECK(show("carrier('13012345678')") == R"("china_unicom")");
    CHECK(show("carrier('13312345678')") == R"("china_telecom")");
    CHECK(show("carrier('19212345678')") == R"("china_broadnet")");
    CHECK(show("carrier('17012345678')") == R"("virtual_operator")");
    CHECK(show("carrier('010-12345678')") == R"("none")");
    CHECK(show("carrier('14512345678')") == R"("none")");
    CHECK(show("carrier('')") == R"("none")");
    CHECK(show("carrier(1)") == "error(no_such_overload: no such overload: carrier(int))");

    // as a rule would use them
    const json app = {{"app", {{"numbers", {"13800138000", "17012345678", "010-12345678"}}}}};
    CHECK(show("app.numbers.filter(n, phone_kind(n) == 'mobile' || phone_kind(n) == 'landline')",
               app) == R"(["13800138000", "010-12345678"])");
    CHECK(show("app.numbers.exists(n, mvno(n))", app) == "true");
    CHECK(show("app.numbers.map(n, carrier(n))", app) ==
          R"(["china_mobile", "virtual_operator", "none"])");
}

// ------------------------------------------------------------------ working days

TEST_CASE("CEL functions: working days across the 2026 Spring Festival") {
    // 2026: Feb 15-23 off; Saturdays Feb 14 and Feb 28 are make-up working days.
    CHECK(show("add_working_days(date('2026-02-13'), 1, 'CN')") == R"(date("2026-02-14"))");
    CHECK(show("add_working_days(date('2026-02-13'), 2, 'CN')") == R"(date("2026-02-24"))");
    CHECK(show("add_working_days(date('2026-02-13'), 5, 'CN')") == R"(date("2026-02-27"))");
    CHECK(show("add_working_days(date('2026-02-13'), 6, 'CN')") == R"(date("2026-02-28"))");
    CHECK(show("add_working_days(date('2026-02-13'), 7, 'CN')") == R"(date("2026-03-02"))");
    CHECK(show("add_working_days(date('2026-02-16'), 1, 'CN')") == R"(date("2026-02-24"))");
    CHECK(show("add_working_days(date('2026-02-24'), -1, 'CN')") == R"(date("2026-02-14"))");
    CHECK(show("add_working_days(date('2026-02-16'), 0, 'CN')") == R"(date("2026-02-16"))");
    CHECK(show("add_working_days('2026-02-13', 5, 'CN')") == R"(date("2026-02-27"))");
    CHECK(show("date('2026-02-13').add_working_days(5, 'CN')") == R"(date("2026-02-27"))");
    // 15 working days from Tuesday 10 February
    CHECK(show("date('2026-02-10').add_working_days(15, 'CN')") == R"(date("2026-03-09"))");

    CHECK(show("working_days_between(date('2026-02-13'), date('2026-03-02'), 'CN')") == "7");
    CHECK(show("working_days_between(date('2026-03-02'), date('2026-02-13'), 'CN')") == "-7");
    CHECK(show("working_days_between('2026-02-14', '2026-02-24', 'CN')") == "1");
    CHECK(show("working_days_between(date('2026-02-16'), date('2026-02-16'), 'CN')") == "0");
    CHECK(show("working_days_between(date('2026-02-14'), date('2026-02-23'), 'CN')") == "0");

    CHECK(show("is_working_day(date('2026-02-13'), 'CN')") == "true");
    CHECK(show("is_working_day(date('2026-02-14'), 'CN')") == "true");   // make-up Saturday
    CHECK(show("is_working_day(date('2026-02-16'), 'CN')") == "false");  // Spring Festival
    CHECK(show("is_working_day(date('2026-02-28'), 'CN')") == "true");   // make-up Saturday
    CHECK(show("is_working_day(date('2026-03-01'), 'CN')") == "false");  // Sunday
    CHECK(show("date('2026-03-02').is_working_day('CN')") == "true");
    CHECK(show("is_working_day('2026-10-01', 'CN')") == "false");  // National Day

    // regions without an overlay of their own follow the national calendar
    CHECK(show("add_working_days(date('2026-02-13'), 2, 'CN-GD')") == R"(date("2026-02-24"))");
    CHECK(show("add_working_days(date('2026-02-13'), 2, '44')") == R"(date("2026-02-24"))");

    SUBCASE("a deadline rule over a document") {
        environment env;
        install_domain_functions(env, calendars());
        env.declare("app");
        const auto rule = expression::compile(
            "date(app.decided_on) <= add_working_days(date(app.received_on), 5, app.region)", env);
        CHECK_FALSE(rule.is_constant());
        CHECK(rule.input_paths() ==
              std::vector<std::string>{"app.decided_on", "app.received_on", "app.region"});
        eval_context ctx;
        auto verdict = [&](std::string_view decided) {
            const auto doc = document::from_json({{"received_on", "2026-02-12"},
                                                  {"decided_on", std::string(decided)},
                                                  {"region", "CN"}});
            const value vars[] = {doc.root()};
            ctx.reset();
            return rule.evaluate(vars, ctx).to_string();
        };
        // Thursday 12 Feb + 5 working days: 13, 14 (Sat), 24, 25, 26 February
        CHECK(verdict("2026-02-26") == "true");
        CHECK(verdict("2026-02-27") == "false");
        CHECK(verdict("2026-02-20") == "true");
    }
    SUBCASE("constant calls are folded with the environment's calendars") {
        environment env;
        install_domain_functions(env, calendars());
        const auto e = expression::compile("add_working_days(date('2026-02-13'), 7, 'CN')", env);
        CHECK(e.is_constant());
        env.declare("x");
        const auto e2 = expression::compile("is_working_day(x, 'CN')", env);
        // later changes to the environment do not affect a compiled expression (which keeps
        // the calendars it was compiled with alive)
        install_domain_functions(env, nullptr);
        eval_context ctx;
        CHECK(e.evaluate({}, ctx).to_string() == R"(date("2026-03-02"))");
        const value vars[] = {value::from_date(*date::parse("2026-02-14"))};
        CHECK(e2.evaluate(vars, ctx).is_true());
        const auto e3 = expression::compile("is_working_day(x, 'CN')", env);
        CHECK(e3.evaluate(vars, ctx).as_error().message ==
              "no working calendar is configured for this expression");
    }
}

TEST_CASE("CEL functions: working-day errors") {
    // outside the calendar's years (2024-2035)
    for (auto src :
         {"add_working_days(date('2036-01-04'), 1, 'CN')",
          "add_working_days(date('2023-12-29'), 1, 'CN')",
          "is_working_day(date('2023-12-31'), 'CN')", "is_working_day('2036-01-01', 'CN')",
          "working_days_between(date('2035-12-01'), date('2036-01-10'), 'CN')",
          "working_days_between(date('2023-12-01'), date('2024-01-10'), 'CN')"}) {
        CAPTURE(src);
        const auto f = error_of(src);
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message.find("is outside calendar 'CN'") != std::string::npos);
    }
    {
        // the answer would lie beyond the covered years
        const auto f = error_of("add_working_days(date('2035-12-28'), 5, 'CN')");
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message.find("the result lies after the years covered") != std::string::npos);
        CHECK(error_of("add_working_days(date('2024-01-03'), -5, 'CN')").code ==
              eval_errc::invalid_argument);
    }
    {
        // also when the date comes from a document, at run time
        const json app = {{"app", {{"received_on", "2036-01-05"}}}};
        const auto f = error_of("add_working_days(app.received_on, 3, 'CN')", app);
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message.find("2036-01-05") != std::string::npos);
    }
    {
        const auto f = error_of("is_working_day(date('2026-03-02'), 'XX')");
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message.starts_with("unknown region 'XX'"));
    }
    CHECK(error_of("add_working_days(date('2026-03-02'), 100001, 'CN')").message ==
          "add_working_days: count out of range");
    CHECK(error_of("add_working_days(date('2026-03-02'), -100001, 'CN')").code ==
          eval_errc::invalid_argument);
    CHECK(show("add_working_days(date('2026-03-02'), 1.5, 'CN')") ==
          "error(no_such_overload: no such overload: add_working_days(date, double, string))");
    CHECK(show("add_working_days(date('2026-03-02'), 1, 44)") ==
          "error(no_such_overload: no such overload: add_working_days(date, int, int))");
    CHECK(show("add_working_days('2026-02-30', 1, 'CN')") ==
          "error(no_such_overload: no such overload: add_working_days(string, int, string))");
    CHECK(show("is_working_day(1, 'CN')") ==
          "error(no_such_overload: no such overload: is_working_day(int, string))");
    CHECK(show("working_days_between(date('2026-03-02'), 1, 'CN')") ==
          "error(no_such_overload: no such overload: working_days_between(date, int, string))");

    // without calendars in the environment every working-day function is an error value
    for (auto src : {"add_working_days(date('2026-02-13'), 1, 'CN')",
                     "working_days_between(date('2026-02-13'), date('2026-03-02'), 'CN')",
                     "is_working_day(date('2026-02-13'), 'CN')"}) {
        CAPTURE(src);
        const auto f = error_of(src, json::object(), false);
        CHECK(f.code == eval_errc::invalid_argument);
        CHECK(f.message == "no working calendar is configured for this expression");
    }
    environment env;
    install_domain_functions(env, nullptr);
    CHECK_FALSE(expression::compile("is_working_day(date('2026-02-13'), 'CN')", env).is_constant());
    // the domain functions belong to the domain layer: a plain environment has none
    environment plain;
    CHECK_THROWS_AS((void)expression::compile("phone_kind('13800138000')", plain),
                    expression_error);
}
