// Screening call records (docs/policy.md §6): every boundary of the policy pinned, on CSV input.

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/utf8.hpp"
#include "scratch_dir.hpp"
#include "screening/call_time.hpp"
#include "screening/phone_key.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/screening/screener.hpp"

using namespace telecomply;
using telecomply::testing::scratch_dir;

namespace {

std::int64_t at(const std::string& local) {
    auto t = detail::parse_call_time(local, true);
    REQUIRE_MESSAGE(t.has_value(), local);
    return *t;
}

const std::shared_ptr<const catalogue>& rules() {
    static const std::shared_ptr<const catalogue> c = catalogue::load(TELECOMPLY_RULESETS_DIR);
    return c;
}

/// One call as a CSV row.
struct call {
    std::string caller, callee, start;
    std::int64_t duration = 60;
};

/// Collects every row's codes and errors.
struct collect final : screening_sink {
    std::vector<std::vector<std::string>> codes;  // by row - 1
    std::map<std::int64_t, call_row_error> errors;
    void rows(std::int64_t first, std::span<const std::uint8_t> c,
              std::span<const call_row_error> e) override {
        CHECK(first == static_cast<std::int64_t>(codes.size()) + 1);
        for (auto mask : c) {
            std::vector<std::string> names;
            for (auto n : call_finding_codes(mask))
                names.emplace_back(n);
            codes.push_back(names);
        }
        for (const auto& err : e)
            errors[err.row] = err;
    }
    [[nodiscard]] bool has(std::size_t row, const std::string& code) const {
        const auto& c = codes.at(row - 1);
        return std::find(c.begin(), c.end(), code) != c.end();
    }
};

struct screened {
    collect rows;
    screening_report report;
};

screened run(const std::vector<registry_entry>& registry, const std::vector<call>& calls,
             const std::vector<refusal>& refusals = {}, const std::string& raw_csv = {}) {
    scratch_dir dir;
    const auto file = dir.path / "calls.csv";
    {
        std::ofstream out(file);
        if (!raw_csv.empty()) {
            out << raw_csv;
        } else {
            out << "caller,callee,start,duration_s\n";
            for (const auto& c : calls)
                out << '"' << c.caller << "\"," << c.callee << ',' << c.start << ',' << c.duration
                    << "\n";
        }
    }
    const screening_context ctx(rules(), registry, refusals);
    auto source = call_source::csv_file(file);
    screened s;
    s.report = screen(ctx, *source, s.rows);
    return s;
}

registry_entry listed(const std::string& number, const std::string& region,
                      std::vector<whitelist_interval> intervals) {
    return registry_entry{number, region, "CASE-" + number, std::move(intervals)};
}

const std::string k_caller = "13800138000";
const std::string k_callee = "13912345678";

}  // namespace

TEST_CASE("screening: the calling window's bounds are inclusive") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    // CN 2026.1: 09:00-20:00
    const auto s = run(reg, {
                                {k_caller, k_callee, "2026-03-18 08:59:59", 30},  // before
                                {k_caller, k_callee, "2026-03-18 09:00:00", 30},  // at the start
                                {k_caller, k_callee, "2026-03-18 19:59:00", 60},  // ends at 20:00
                                {k_caller, k_callee, "2026-03-18 19:59:00", 61},  // ends after
                                {k_caller, k_callee, "2026-03-18 23:59:30", 60},  // over midnight
                            });
    CHECK(s.rows.codes[0] == std::vector<std::string>{"OUTSIDE_CALLING_WINDOW"});
    CHECK(s.rows.codes[1].empty());
    CHECK(s.rows.codes[2].empty());
    CHECK(s.rows.codes[3] == std::vector<std::string>{"OUTSIDE_CALLING_WINDOW"});
    CHECK(s.rows.codes[4] == std::vector<std::string>{"OUTSIDE_CALLING_WINDOW"});
    CHECK(s.report.by_code.at("OUTSIDE_CALLING_WINDOW") == 3);
}

TEST_CASE("screening: the cap-th call passes, the cap+1-th is flagged, and the number-day named") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    std::vector<call> calls;
    // CN 2026.1: 200 calls a day
    for (int i = 0; i < 201; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "2026-03-18 10:%02d:%02d", i / 60, i % 60);
        calls.push_back({k_caller, k_callee, t, 10});
    }
    auto s = run(reg, calls);
    CHECK(s.rows.codes[199].empty());
    CHECK(s.rows.codes[200] == std::vector<std::string>{"DAILY_CALL_CAP_EXCEEDED"});
    REQUIRE(s.report.number_days.size() == 1);
    CHECK(s.report.number_days[0] ==
          number_day_finding{k_caller, *date::parse("2026-03-18"), "CN-BJ", 201, 200});
    calls.pop_back();
    s = run(reg, calls);
    CHECK(s.report.number_days.empty());
    CHECK(s.report.flagged_rows == 0);
}

TEST_CASE("screening: GD's cap is 150") {
    const auto reg = {listed(k_caller, "CN-GD", {{at("2026-01-01"), std::nullopt}})};
    std::vector<call> calls;
    for (int i = 0; i < 151; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "2026-03-18 11:%02d:%02d", i / 60, i % 60);
        calls.push_back({k_caller, k_callee, t, 10});
    }
    const auto s = run(reg, calls);
    CHECK(s.rows.codes[149].empty());
    CHECK(s.rows.has(151, "DAILY_CALL_CAP_EXCEEDED"));
    REQUIRE(s.report.number_days.size() == 1);
    CHECK(s.report.number_days[0].cap == 150);
    CHECK(s.report.number_days[0].region == "CN-GD");
}

TEST_CASE("screening: calls out of start order are ranked by start, ties by row") {
    const auto reg = {listed(k_caller, "CN-GD", {{at("2026-01-01"), std::nullopt}})};
    std::vector<call> calls;
    for (int i = 0; i < 160; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "2026-03-18 12:%02d:%02d", i / 60, i % 60);
        calls.push_back({k_caller, k_callee, t, 10});
    }
    // two calls at the same second as the 150th: the earlier row ranks first
    calls.push_back({k_caller, k_callee, calls[149].start, 10});
    std::vector<std::size_t> order(calls.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::mt19937 rng(7);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<call> shuffled;
    for (auto i : order)
        shuffled.push_back(calls[i]);
    const auto s = run(reg, shuffled);
    CHECK(s.report.passes == 2);
    // flagged: the 11 calls after the 150th in start order, i.e. originals 150..159 and the
    // twin of 149 unless it comes after 149 in the shuffled rows
    std::size_t flagged = 0;
    for (std::size_t row = 1; row <= shuffled.size(); ++row) {
        const std::size_t original = order[row - 1];
        const bool is = s.rows.has(row, "DAILY_CALL_CAP_EXCEEDED");
        flagged += is;
        if (original >= 150 && original < 160) CHECK(is);
        if (original < 149) CHECK(!is);
    }
    CHECK(flagged == 11);
    // the 149th original and its twin: the later row is the one flagged
    const auto row_of = [&](std::size_t original) {
        return static_cast<std::size_t>(std::find(order.begin(), order.end(), original) -
                                        order.begin()) +
               1;
    };
    const std::size_t a = row_of(149), b = row_of(160);
    CHECK(s.rows.has(std::max(a, b), "DAILY_CALL_CAP_EXCEEDED"));
    CHECK(!s.rows.has(std::min(a, b), "DAILY_CALL_CAP_EXCEEDED"));
    CHECK(s.report.number_days.at(0).count == 161);
    CHECK(s.report.by_code.at("DAILY_CALL_CAP_EXCEEDED") == 11);
}

TEST_CASE("screening: a refusal counts from its exact time") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    const std::vector<refusal> refused = {{k_callee, at("2026-03-18 10:00:00")}};
    const auto s = run(reg,
                       {
                           {k_caller, k_callee, "2026-03-18 09:59:59"},
                           {k_caller, k_callee, "2026-03-18 10:00:00"},
                           {k_caller, "+86 139-1234-5678", "2026-03-18 10:00:01"},
                           {k_caller, "13700000000", "2026-03-18 10:00:02"},
                       },
                       refused);
    CHECK(s.rows.codes[0].empty());
    CHECK(s.rows.codes[1] == std::vector<std::string>{"CALLEE_REFUSED"});
    CHECK(s.rows.codes[2] == std::vector<std::string>{"CALLEE_REFUSED"});
    CHECK(s.rows.codes[3].empty());
}

TEST_CASE("screening: a suspension mid-day and a reinstatement") {
    const auto reg = {
        listed(k_caller, "CN-BJ",
               {{at("2026-01-01"), at("2026-03-18 14:00:00")}, {at("2026-03-20"), std::nullopt}})};
    const auto s = run(reg, {
                                {k_caller, k_callee, "2026-03-18 13:59:59"},
                                {k_caller, k_callee, "2026-03-18 14:00:00"},
                                {k_caller, k_callee, "2026-03-19 10:00:00"},
                                {k_caller, k_callee, "2026-03-20 10:00:00"},
                                {k_caller, k_callee, "2025-12-31 10:00:00"},
                            });
    CHECK(s.rows.codes[0].empty());
    CHECK(s.rows.codes[1] == std::vector<std::string>{"CALLER_NOT_WHITELISTED"});
    CHECK(s.rows.codes[2] == std::vector<std::string>{"CALLER_NOT_WHITELISTED"});
    CHECK(s.rows.codes[3].empty());
    CHECK(s.rows.codes[4] == std::vector<std::string>{"CALLER_NOT_WHITELISTED"});
}

TEST_CASE("screening: the rules in force change at midnight") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2025-01-01"), std::nullopt}})};
    // CN 2025.1: 08:00-21:00, cap 300; CN 2026.1: 09:00-20:00, cap 200
    std::vector<call> calls = {
        {k_caller, k_callee, "2025-12-31 20:30:00", 60},  // inside 2025's window
        {k_caller, k_callee, "2026-01-01 20:30:00", 60},  // outside 2026's
        {k_caller, k_callee, "2025-12-31 08:30:00", 60},
        {k_caller, k_callee, "2026-01-01 08:30:00", 60},
    };
    for (int i = 0; i < 250; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "2025-12-31 12:%02d:%02d", i / 60 % 60, i % 60);
        calls.push_back({k_caller, k_callee, t, 1});
        std::snprintf(t, sizeof t, "2026-01-01 12:%02d:%02d", i / 60 % 60, i % 60);
        calls.push_back({k_caller, k_callee, t, 1});
    }
    const auto s = run(reg, calls);
    CHECK(s.rows.codes[0].empty());
    // the latest of 2026-01-01's 252 calls: also over its cap (ranked by start)
    CHECK(s.rows.codes[1] ==
          std::vector<std::string>{"DAILY_CALL_CAP_EXCEEDED", "OUTSIDE_CALLING_WINDOW"});
    CHECK(s.rows.codes[2].empty());
    CHECK(s.rows.codes[3] == std::vector<std::string>{"OUTSIDE_CALLING_WINDOW"});
    REQUIRE(s.report.number_days.size() == 1);  // 252 calls on 2026-01-01 > 200; 252 < 300
    CHECK(s.report.number_days[0].day == *date::parse("2026-01-01"));
    CHECK(s.report.number_days[0].count == 252);
    CHECK(s.report.number_days[0].cap == 200);
}

TEST_CASE("screening: numbers are compared in canonical form") {
    const auto reg = {listed("+86 138-0013-8000", "CN-BJ", {{at("2026-01-01"), std::nullopt}}),
                      listed("010-12345678", "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    const auto s = run(reg, {
                                {"13800138000", k_callee, "2026-03-18 10:00:00"},
                                {"+86 138 0013 8000", k_callee, "2026-03-18 10:00:00"},
                                {"008613800138000", k_callee, "2026-03-18 10:00:00"},
                                {"8613800138000", k_callee, "2026-03-18 10:00:00"},
                                {"01012345678", k_callee, "2026-03-18 10:00:00"},
                                {"+86 10 1234 5678", k_callee, "2026-03-18 10:00:00"},
                                {"+86  138 0013 8000", k_callee, "2026-03-18 10:00:00"},
                                {"+86 (10) 1234-5678", k_callee, "2026-03-18 10:00:00"},
                                {"13800138001", k_callee, "2026-03-18 10:00:00"},
                            });
    for (std::size_t i = 0; i < 8; ++i)
        CHECK_MESSAGE(s.rows.codes[i].empty(), i);
    CHECK(s.rows.codes[8] == std::vector<std::string>{"CALLER_NOT_WHITELISTED"});
}

TEST_CASE("screening: a caller never listed gets only CALLER_NOT_WHITELISTED and refusals") {
    std::vector<call> calls;
    for (int i = 0; i < 400; ++i)
        calls.push_back({k_caller, k_callee, "2026-03-18 03:00:00", 60});
    const auto s = run({}, calls, {{k_callee, at("2026-01-01")}});
    for (const auto& c : s.rows.codes)
        CHECK(c == std::vector<std::string>{"CALLEE_REFUSED", "CALLER_NOT_WHITELISTED"});
    CHECK(s.report.number_days.empty());
    CHECK(s.report.by_code_region.at({"CALLER_NOT_WHITELISTED", ""}) == 400);
}

TEST_CASE("screening: a listed caller not whitelisted yet is judged by its region's rules") {
    const auto reg = {listed(k_caller, "CN-GD", {{at("2026-04-01"), std::nullopt}})};
    std::vector<call> calls;
    for (int i = 0; i < 151; ++i)
        calls.push_back({k_caller, k_callee, "2026-03-18 07:00:00", 60});
    const auto s = run(reg, calls);
    CHECK(s.rows.codes[0] ==
          std::vector<std::string>{"CALLER_NOT_WHITELISTED", "OUTSIDE_CALLING_WINDOW"});
    CHECK(s.rows.codes[150] == std::vector<std::string>{"CALLER_NOT_WHITELISTED",
                                                        "DAILY_CALL_CAP_EXCEEDED",
                                                        "OUTSIDE_CALLING_WINDOW"});
    CHECK(s.report.number_days.size() == 1);
}

TEST_CASE("screening: the region is that of the most recent case") {
    const auto reg = {
        registry_entry{k_caller, "CN-GD", "A", {{at("2026-01-01"), at("2026-02-01")}}},
        registry_entry{k_caller, "CN-BJ", "B", {{at("2026-03-01"), std::nullopt}}}};
    std::vector<call> calls;
    for (int i = 0; i < 160; ++i) {
        calls.push_back({k_caller, k_callee, "2026-01-15 10:00:00", 1});
        calls.push_back({k_caller, k_callee, "2026-03-15 10:00:00", 1});
    }
    const auto s = run(reg, calls);
    REQUIRE(s.report.number_days.size() == 1);  // 160 > GD's 150 in January; < BJ's 200 in March
    CHECK(s.report.number_days[0].region == "CN-GD");
    CHECK(s.report.number_days[0].day == *date::parse("2026-01-15"));
}

TEST_CASE("screening: a bad row is reported with its column and line, the rest is screened") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    const std::string csv =
        "\xEF\xBB\xBF"
        "caller,callee,start,duration_s,note\n"
        "13800138000,13912345678,2026-03-18 10:00:00,60,ok\n"
        "13800138000,13912345678,2026-03-18 25:00:00,60,bad hour\n"
        "\n"
        "abc,13912345678,2026-03-18 10:00:00,60,bad caller\n"
        "13800138000,13912345678,2026-03-18 10:00:00,-1,negative\n"
        "13800138000,13912345678,2026-03-18 10:00:00\n"
        "13800138000,,2026-03-18 10:00:00,60,no callee\n"
        "\"13800138000\",\"139\n12345678\",2026-03-18 07:00:00,60,quoted newline\n"
        "13800138000,13912345678,2026-03-18T02:00:00Z,60.0,utc\n";
    const auto s = run(reg, {}, {}, csv);
    CHECK(s.report.rows == 8);
    CHECK(s.report.bad_rows == 6);
    CHECK(s.rows.codes[0].empty());
    CHECK(s.rows.errors.at(2).column == "start");
    CHECK(s.rows.errors.at(2).line == 3);
    CHECK(s.rows.errors.at(3).column == "caller");
    CHECK(s.rows.errors.at(3).line == 5);
    CHECK(s.rows.errors.at(3).message == "caller: 'abc' is not a phone number");
    CHECK(s.rows.errors.at(4).column == "duration_s");
    CHECK(s.rows.errors.at(5).message == "the row has 3 fields; the header has 5");
    CHECK(s.rows.errors.at(6).message == "callee: missing");
    CHECK(s.rows.errors.at(7).column == "callee");  // "139\n12345678" is not a number
    CHECK(s.rows.errors.at(7).line == 9);
    CHECK(s.rows.codes[7].empty());  // 02:00Z is 10:00 in China; 60.0 s is whole
    CHECK(s.rows.errors.count(8) == 0);
}

TEST_CASE("screening: a row cut by a read boundary at the end of a batch keeps every field") {
    // The reader takes the file in chunks and hands out a batch once it holds 65,536 rows; the
    // fields of the row a chunk cut must reach the next batch. Rows of varied length put the
    // boundaries at varied offsets within a row (fixed seed: the same offsets on every run).
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    std::mt19937 rng(7);
    std::ostringstream csv;
    csv << "caller,callee,start,duration_s,note\n";
    const std::size_t n = 400000;
    for (std::size_t i = 0; i < n; ++i)
        csv << k_caller << ',' << k_callee << ",2026-03-18 10:00:00," << rng() % 1000 << ','
            << std::string(rng() % 40, 'x') << '\n';
    const auto s = run(reg, {}, {}, csv.str());
    CHECK(s.report.rows == n);
    CHECK(s.report.bad_rows == 0);
    CHECK(s.rows.errors.empty());
    if (!s.rows.errors.empty()) MESSAGE("first bad row: " << s.rows.errors.begin()->first);
}

TEST_CASE("screening: a CSV without a needed column is refused before any work") {
    scratch_dir dir;
    const auto file = dir.path / "calls.csv";
    std::ofstream(file) << "caller,callee,start\n1,2,3\n";
    CHECK_THROWS_WITH_AS(
        (void)call_source::csv_file(file),
        doctest::Contains("the header has no column 'duration_s' (call records need caller, "
                          "callee, start, duration_s; it has: caller, callee, start)"),
        input_error);
    CHECK_THROWS_WITH_AS((void)call_source::csv_file(dir.path / "none.csv"),
                         doctest::Contains("no such file"), input_error);
    CHECK_THROWS_WITH_AS((void)call_source::csv_file(dir.path), doctest::Contains("is a folder"),
                         input_error);
}

TEST_CASE("screening: call times") {
    CHECK(detail::parse_call_time("2026-03-18 09:30:00") == at("2026-03-18T09:30:00"));
    CHECK(detail::parse_call_time("2026-03-18T01:30:00Z") == at("2026-03-18 09:30:00"));
    CHECK(detail::parse_call_time("2026-03-18T09:30:00+08:00") == at("2026-03-18 09:30:00"));
    CHECK(detail::parse_call_time("2026-03-18 09:30:00.999") == at("2026-03-18 09:30:00"));
    CHECK(detail::parse_call_time("2026-03-18 09:30") == at("2026-03-18 09:30:00"));
    CHECK(!detail::parse_call_time("2026-02-30 09:30:00"));
    CHECK(!detail::parse_call_time("2026-03-18"));
    CHECK(!detail::parse_call_time("2026-03-18 24:00:00"));
    CHECK(!detail::parse_call_time("2026-03-18 09:30:00+8"));
    CHECK(detail::format_local_time(at("2026-03-18 09:30:05")) == "2026-03-18 09:30:05");
    CHECK(detail::local_day(at("2026-03-18 00:00:00")) ==
          date::parse("2026-03-18")->days_since_epoch());
    CHECK(detail::local_day(at("2026-03-18 00:00:00") - 1) ==
          date::parse("2026-03-17")->days_since_epoch());
}

TEST_CASE("screening: phone keys agree with canonical_phone") {
    for (const char* n : {"13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "8613800138000",
                          "010-12345678", "+86 10 1234 5678", "4001234567"})
        CHECK_MESSAGE(
            detail::phone_key_text(*detail::phone_key(std::string_view(n))) == *canonical_phone(n),
            n);
    CHECK(detail::phone_key_text(*detail::phone_key(std::string_view("10086"))) == "10086");
    CHECK(detail::phone_key_text(*detail::phone_key(std::string_view("075722381234"))) ==
          "075722381234");
    CHECK(!detail::phone_key(std::string_view("")));
    CHECK(!detail::phone_key(std::string_view("abc")));
    // separators canonical_phone() refuses do not make another number of a country code: a
    // caller written so was taken for an unlisted one, a callee's refusal was missed
    for (const char* n : {"+86  138 0013 8000", " +86 138 0013 8000 ", "0086-138-0013-8000 ",
                          "+86 (138) 0013-8000", "86 138 0013 8000 "})
        CHECK_MESSAGE(detail::phone_key(std::string_view(n)) ==
                          detail::phone_key(std::string_view("13800138000")),
                      n);
    CHECK(detail::phone_key(std::string_view("+86 (10) 1234-5678")) ==
          detail::phone_key(std::string_view("010-12345678")));
    CHECK(detail::phone_key_text(*detail::phone_key(std::string_view("(0757) 2238-1234"))) ==
          "075722381234");
    CHECK(!detail::phone_key(std::string_view("++86 138 0013 8000")));
    CHECK(!detail::phone_key(std::string_view("138+0013")));
    CHECK(*detail::phone_key(std::int64_t{13800138000}) ==
          *detail::phone_key(std::string_view("13800138000")));
}

TEST_CASE("screening: a message quoting a value is UTF-8, cut between characters") {
    const auto reg = {listed(k_caller, "CN-BJ", {{at("2026-01-01"), std::nullopt}})};
    // 20 CJK characters (60 bytes): quoted up to 40 bytes, which fall inside the 14th
    const std::string cjk = "未知号码未知号码未知号码未知号码未知号码";
    const std::string csv = "caller,callee,start,duration_s\n" + cjk +
                            ",13912345678,2026-03-18 10:00:00,60\n"
                            "138\xFF"
                            "00138000,13912345678,2026-03-18 10:00:00,60\n"
                            "13800138000,13912345678,2026-03-18 10:00:00,6\xFF\n";
    const auto s = run(reg, {}, {}, csv);
    REQUIRE(s.rows.errors.size() == 3);
    for (const auto& row_error : s.rows.errors)  // (doctest's message captures: no bindings)
        CHECK_MESSAGE(detail::utf8::valid(row_error.second.message), row_error.first);
    CHECK(s.rows.errors.at(1).message ==
          "caller: '未知号码未知号码未知号码未...' is not a phone number");
    CHECK(s.rows.errors.at(2).message ==
          "caller: '138\xEF\xBF\xBD"
          "00138000' is not a phone number");
    CHECK(s.rows.errors.at(3).message ==
          "duration_s: '6\xEF\xBF\xBD' is not a whole number of seconds");
}

TEST_CASE("screening: a header naming a needed column twice is refused, not half used") {
    scratch_dir dir;
    const auto file = dir.path / "calls.csv";
    std::ofstream(file) << "caller,callee,start,duration_s,start\n"
                           "13800138000,13912345678,2026-03-18 10:00:00,60,2026-03-18 22:00:00\n";
    CHECK_THROWS_WITH_AS((void)call_source::csv_file(file),
                         doctest::Contains("calls.csv:1: the header names the column 'start' "
                                           "twice (fields 3 and 5)"),
                         input_error);
    // and a refusal list's
    CHECK_THROWS_WITH_AS(
        (void)parse_refusals("callee,refused_at,callee\n13611112222,2026-03-01,13800138000\n",
                             "refusals.csv"),
        doctest::Contains("refusals.csv:1: the header names the column 'callee' twice"),
        input_error);
}

TEST_CASE("screening: no refusal at all is an empty list, not a file without a header") {
    CHECK(parse_refusals("", "refusals").empty());
    CHECK(parse_refusals(" \n\r\n", "refusals").empty());
    CHECK(parse_refusals("\xEF\xBB\xBF", "refusals").empty());
    CHECK(parse_refusals("callee,refused_at\n", "refusals").empty());
}

TEST_CASE("screening: a registry entry whose region has no rules is refused where it is given") {
    CHECK_THROWS_WITH_AS(screening_context(rules(), {registry_entry{k_caller, "CN-XX", "A", {}}}),
                         doctest::Contains("$[0].region: 'CN-XX' is not the ISO 3166-2 code"),
                         input_error);
}
