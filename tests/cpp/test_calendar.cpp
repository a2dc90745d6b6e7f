#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"

#include "telecomply/domain/calendar.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

date d(std::string_view s) {
    return date::parse_or_throw(s);
}

const fs::path k_calendars = fs::path(TELECOMPLY_RULESETS_DIR) / "calendars";

json shipped_cn_json() {
    std::ifstream in(k_calendars / "CN.json");
    return json::parse(in);
}

// The official years of the shipped calendar alone (2024-2026): the tests of coverage edges
// and of make-up days run on these, whatever provisional years are shipped after them.
json cn_json() {
    json j = shipped_cn_json();
    for (auto it = j.begin(); it != j.end();)
        it = it->is_object() && it->value("status", "official") == "provisional" ? j.erase(it)
                                                                                 : std::next(it);
    return j;
}

const calendar& cn() {
    static const calendar c = calendar::from_json(cn_json(), "CN");
    return c;
}

// The message of the calendar_error that `f` throws ("" if it throws nothing).
std::string calendar_error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const calendar_error& e) {
        CHECK(e.code() == errc::calendar_error);
        return e.what();
    }
    FAIL_CHECK("no calendar_error thrown");
    return {};
}

std::string from_json_error(const json& j, std::string name = "test-source") {
    return calendar_error_of([&] { (void)calendar::from_json(j, std::move(name)); });
}

using temp_dir = testing::scratch_dir;

// Reference implementations that walk day by day using only is_working_day, to check the
// precomputed tables against.
std::optional<date> naive_add(const calendar& c, date from, int n) {
    const int step = n > 0 ? 1 : -1;
    date cur = from;
    for (int left = n > 0 ? n : -n; left > 0;) {
        cur = cur.add_days(step);
        if (!c.covers(cur)) return std::nullopt;
        if (c.is_working_day(cur)) --left;
    }
    return cur;
}

int naive_between(const calendar& c, date a, date b) {
    const bool neg = b < a;
    if (neg) std::swap(a, b);
    int count = 0;
    for (date x = a.add_days(1); x <= b; x = x.add_days(1))
        count += c.is_working_day(x) ? 1 : 0;
    return neg ? -count : count;
}

int working_days_in_year(const calendar& c, int year) {
    return c.working_days_between(d(std::to_string(year - 1) + "-12-31"),
                                  d(std::to_string(year) + "-12-31"));
}

}  // namespace

TEST_CASE("calendar: the official years of the CN calendar cover 2024-2026") {
    const auto& c = cn();
    CHECK(c.name() == "CN");
    CHECK(c.first_day() == d("2024-01-01"));
    CHECK(c.last_day() == d("2026-12-31"));
    CHECK(c.covers(d("2024-01-01")));
    CHECK(c.covers(d("2026-12-31")));
    CHECK_FALSE(c.covers(d("2023-12-31")));
    CHECK_FALSE(c.covers(d("2027-01-01")));
    // Working days per year, counted independently from the data (261 or 262 weekdays minus
    // weekday holidays plus make-up days).
    // (2024-01-01 itself is not counted, but it is a holiday anyway.)
    CHECK(c.working_days_between(d("2024-01-01"), d("2024-12-31")) == 251);
    CHECK(working_days_in_year(c, 2025) == 248);
    CHECK(working_days_in_year(c, 2026) == 248);
    // The ruleset file is the shared data plus its name.
    const auto j = cn_json();
    CHECK(j.at("name") == "CN");
    CHECK(j.contains("_about"));
    CHECK(calendar::from_json(j).name() == "CN");
}

TEST_CASE("calendar: weekends are off, weekdays work") {
    const auto& c = cn();
    // 2025-03-03 (Mon) .. 2025-03-09 (Sun): an ordinary week.
    CHECK(c.is_working_day(d("2025-03-03")));
    CHECK(c.is_working_day(d("2025-03-04")));
    CHECK(c.is_working_day(d("2025-03-05")));
    CHECK(c.is_working_day(d("2025-03-06")));
    CHECK(c.is_working_day(d("2025-03-07")));
    CHECK_FALSE(c.is_working_day(d("2025-03-08")));
    CHECK_FALSE(c.is_working_day(d("2025-03-09")));
    CHECK(c.working_days_between(d("2025-03-02"), d("2025-03-09")) == 5);
    // Every Saturday and Sunday of 2025 is off except the listed make-up days.
    const std::vector<date> makeups{d("2025-01-26"), d("2025-02-08"), d("2025-04-27"),
                                    d("2025-09-28"), d("2025-10-11")};
    for (date x = d("2025-01-01"); x <= d("2025-12-31"); x = x.add_days(1)) {
        if (!x.is_weekend()) continue;
        const bool makeup = std::find(makeups.begin(), makeups.end(), x) != makeups.end();
        CAPTURE(x.to_string());
        CHECK(c.is_working_day(x) == makeup);
    }
}

TEST_CASE("calendar: 2025 Spring Festival") {
    const auto& c = cn();
    for (date x = d("2025-01-28"); x <= d("2025-02-04"); x = x.add_days(1)) {
        CAPTURE(x.to_string());
        CHECK_FALSE(c.is_working_day(x));
    }
    CHECK(c.is_working_day(d("2025-01-26")));  // Sunday, make-up day
    CHECK(c.is_working_day(d("2025-02-08")));  // Saturday, make-up day
    CHECK(c.is_working_day(d("2025-01-27")));
    CHECK(c.is_working_day(d("2025-02-05")));
    CHECK_FALSE(c.is_working_day(d("2025-01-25")));  // ordinary Saturday
    CHECK_FALSE(c.is_working_day(d("2025-02-09")));  // ordinary Sunday

    // Deadlines by hand. Fri 01-24 -> [Sat 25 off] Sun 26 (make-up) = 1, Mon 27 = 2,
    // [Tue 28 .. Tue 02-04 off] Wed 02-05 = 3, Thu 06 = 4, Fri 07 = 5, Sat 08 (make-up) = 6,
    // [Sun 09 off] Mon 10 = 7.
    CHECK(c.add_working_days(d("2025-01-24"), 1) == d("2025-01-26"));
    CHECK(c.add_working_days(d("2025-01-24"), 2) == d("2025-01-27"));
    CHECK(c.add_working_days(d("2025-01-24"), 3) == d("2025-02-05"));
    CHECK(c.add_working_days(d("2025-01-24"), 5) == d("2025-02-07"));
    CHECK(c.add_working_days(d("2025-01-24"), 6) == d("2025-02-08"));
    CHECK(c.add_working_days(d("2025-01-24"), 7) == d("2025-02-10"));
    // From a Saturday or a holiday: the event day never counts.
    CHECK(c.add_working_days(d("2025-01-25"), 1) == d("2025-01-26"));
    CHECK(c.add_working_days(d("2025-01-28"), 1) == d("2025-02-05"));
    CHECK(c.add_working_days(d("2025-02-04"), 1) == d("2025-02-05"));
    CHECK(c.add_working_days(d("2025-01-27"), 1) == d("2025-02-05"));
    // Backwards: the |n|-th working day before.
    CHECK(c.add_working_days(d("2025-02-05"), -1) == d("2025-01-27"));
    CHECK(c.add_working_days(d("2025-02-05"), -2) == d("2025-01-26"));
    CHECK(c.add_working_days(d("2025-02-05"), -3) == d("2025-01-24"));
    CHECK(c.add_working_days(d("2025-02-10"), -1) == d("2025-02-08"));
    CHECK(c.add_working_days(d("2025-02-09"), -1) == d("2025-02-08"));  // from a Sunday
    CHECK(c.add_working_days(d("2025-02-01"), -1) == d("2025-01-27"));  // from a holiday
    // Counts.
    CHECK(c.working_days_between(d("2025-01-24"), d("2025-02-10")) == 7);
    CHECK(c.working_days_between(d("2025-02-10"), d("2025-01-24")) == -7);
    CHECK(c.working_days_between(d("2025-01-27"), d("2025-02-04")) == 0);
    CHECK(c.working_days_between(d("2025-01-25"), d("2025-01-26")) == 1);
}

TEST_CASE("calendar: 2025 National Day") {
    const auto& c = cn();
    for (date x = d("2025-10-01"); x <= d("2025-10-08"); x = x.add_days(1)) {
        CAPTURE(x.to_string());
        CHECK_FALSE(c.is_working_day(x));
    }
    CHECK(c.is_working_day(d("2025-09-28")));  // Sunday, make-up day
    CHECK(c.is_working_day(d("2025-10-11")));  // Saturday, make-up day
    CHECK_FALSE(c.is_working_day(d("2025-09-27")));
    CHECK_FALSE(c.is_working_day(d("2025-10-12")));
    // Fri 09-26 -> [Sat 27 off] Sun 28 (make-up) = 1, Mon 29 = 2, Tue 30 = 3,
    // [Wed 10-01 .. Wed 10-08 off] Thu 09 = 4, Fri 10 = 5, Sat 11 (make-up) = 6,
    // [Sun 12 off] Mon 13 = 7.
    CHECK(c.add_working_days(d("2025-09-26"), 1) == d("2025-09-28"));
    CHECK(c.add_working_days(d("2025-09-26"), 4) == d("2025-10-09"));
    CHECK(c.add_working_days(d("2025-09-30"), 1) == d("2025-10-09"));
    CHECK(c.add_working_days(d("2025-09-30"), 3) == d("2025-10-11"));
    CHECK(c.add_working_days(d("2025-09-30"), 4) == d("2025-10-13"));
    CHECK(c.add_working_days(d("2025-10-01"), 1) == d("2025-10-09"));
    CHECK(c.add_working_days(d("2025-10-09"), -1) == d("2025-09-30"));
    CHECK(c.add_working_days(d("2025-10-13"), -1) == d("2025-10-11"));
    CHECK(c.working_days_between(d("2025-09-26"), d("2025-10-13")) == 7);
}

TEST_CASE("calendar: 2026 Spring Festival") {
    const auto& c = cn();
    for (date x = d("2026-02-15"); x <= d("2026-02-23"); x = x.add_days(1)) {
        CAPTURE(x.to_string());
        CHECK_FALSE(c.is_working_day(x));
    }
    CHECK(c.is_working_day(d("2026-02-14")));  // Saturday, make-up day
    CHECK(c.is_working_day(d("2026-02-28")));  // Saturday, make-up day
    CHECK_FALSE(c.is_working_day(d("2026-03-01")));
    // Fri 02-13 -> Sat 14 (make-up) = 1, [Sun 15 .. Mon 23 off] Tue 24 = 2, Wed 25 = 3,
    // Thu 26 = 4, Fri 27 = 5, Sat 28 (make-up) = 6, [Sun 03-01 off] Mon 03-02 = 7.
    CHECK(c.add_working_days(d("2026-02-13"), 1) == d("2026-02-14"));
    CHECK(c.add_working_days(d("2026-02-13"), 2) == d("2026-02-24"));
    CHECK(c.add_working_days(d("2026-02-14"), 1) == d("2026-02-24"));
    CHECK(c.add_working_days(d("2026-02-13"), 6) == d("2026-02-28"));
    CHECK(c.add_working_days(d("2026-02-13"), 7) == d("2026-03-02"));
    CHECK(c.add_working_days(d("2026-02-24"), -1) == d("2026-02-14"));
    CHECK(c.add_working_days(d("2026-02-24"), -2) == d("2026-02-13"));
    CHECK(c.working_days_between(d("2026-02-13"), d("2026-03-02")) == 7);
}

TEST_CASE("calendar: 2026 Mid-Autumn and National Day") {
    const auto& c = cn();
    for (date x = d("2026-10-01"); x <= d("2026-10-07"); x = x.add_days(1)) {
        CAPTURE(x.to_string());
        CHECK_FALSE(c.is_working_day(x));
    }
    CHECK_FALSE(c.is_working_day(d("2026-09-25")));  // Friday, Mid-Autumn Festival
    CHECK(c.is_working_day(d("2026-09-20")));        // Sunday, make-up day
    CHECK(c.is_working_day(d("2026-10-10")));        // Saturday, make-up day
    CHECK(c.is_working_day(d("2026-10-08")));
    CHECK_FALSE(c.is_working_day(d("2026-10-11")));
    // Fri 09-18 -> [Sat 19 off] Sun 20 (make-up) = 1, Mon 21 .. Thu 24 = 2..5,
    // [Fri 25 .. Sun 27 off] Mon 28 = 6, Tue 29 = 7, Wed 30 = 8, [Thu 10-01 .. Wed 10-07 off]
    // Thu 08 = 9, Fri 09 = 10, Sat 10 (make-up) = 11, [Sun 11 off] Mon 12 = 12.
    CHECK(c.add_working_days(d("2026-09-18"), 1) == d("2026-09-20"));
    CHECK(c.add_working_days(d("2026-09-24"), 1) == d("2026-09-28"));
    CHECK(c.add_working_days(d("2026-09-18"), 8) == d("2026-09-30"));
    CHECK(c.add_working_days(d("2026-09-30"), 1) == d("2026-10-08"));
    CHECK(c.add_working_days(d("2026-09-30"), 3) == d("2026-10-10"));
    CHECK(c.add_working_days(d("2026-09-30"), 4) == d("2026-10-12"));
    CHECK(c.add_working_days(d("2026-09-18"), 12) == d("2026-10-12"));
    CHECK(c.add_working_days(d("2026-10-12"), -12) == d("2026-09-18"));
    CHECK(c.working_days_between(d("2026-09-18"), d("2026-10-12")) == 12);
}

TEST_CASE("calendar: n == 0 and negative n") {
    const auto& c = cn();
    // n == 0 returns the day itself, working or not.
    CHECK(c.add_working_days(d("2025-03-04"), 0) == d("2025-03-04"));
    CHECK(c.add_working_days(d("2025-03-08"), 0) == d("2025-03-08"));  // Saturday
    CHECK(c.add_working_days(d("2025-10-01"), 0) == d("2025-10-01"));  // holiday
    CHECK(c.working_days_between(d("2025-10-01"), d("2025-10-01")) == 0);
    CHECK(c.working_days_between(d("2025-03-04"), d("2025-03-04")) == 0);
    // Negative n across a year boundary: Fri 2025-01-03 -> [Jan 1 off] Thu 01-02 = -1,
    // Tue 2024-12-31 = -2.
    CHECK(c.add_working_days(d("2025-01-03"), -1) == d("2025-01-02"));
    CHECK(c.add_working_days(d("2025-01-03"), -2) == d("2024-12-31"));
    CHECK(c.add_working_days(d("2024-12-31"), 2) == d("2025-01-03"));
    // A long way back and forth.
    CHECK(c.add_working_days(d("2026-12-31"), -(248 + 248 - 1)) ==
          c.add_working_days(d("2024-12-31"), 1));
}

TEST_CASE("calendar: outside the covered years is an error, never a guess") {
    const auto& c = cn();
    const auto msg = calendar_error_of([&] { (void)c.is_working_day(d("2027-01-04")); });
    CHECK(msg.find("2027-01-04") != std::string::npos);
    CHECK(msg.find("2024-2026") != std::string::npos);
    CHECK(msg.find("CN") != std::string::npos);
    calendar_error_of([&] { (void)c.is_working_day(d("2023-12-31")); });
    calendar_error_of([&] { (void)c.is_working_day(date{}); });
    calendar_error_of([&] { (void)c.add_working_days(d("2027-01-04"), 1); });
    calendar_error_of([&] { (void)c.add_working_days(d("2027-01-04"), 0); });
    calendar_error_of([&] { (void)c.add_working_days(d("2023-12-29"), 5); });
    calendar_error_of([&] { (void)c.working_days_between(d("2025-01-01"), d("2027-01-01")); });
    calendar_error_of([&] { (void)c.working_days_between(d("2023-12-31"), d("2025-01-01")); });
    calendar_error_of([&] { (void)c.working_days_between(d("2030-01-01"), d("2030-01-01")); });

    // Running past the end: Fri 2026-12-25 has Mon 28 .. Thu 31 = 4 working days after it.
    CHECK(c.add_working_days(d("2026-12-25"), 4) == d("2026-12-31"));
    const auto past = calendar_error_of([&] { (void)c.add_working_days(d("2026-12-25"), 5); });
    CHECK(past.find("2026-12-25") != std::string::npos);
    CHECK(past.find("after") != std::string::npos);
    calendar_error_of([&] { (void)c.add_working_days(d("2026-12-31"), 1); });
    // Running past the start: 2024-01-01 is a holiday, so Tue 01-02 is the first working day.
    CHECK(c.add_working_days(d("2024-01-03"), -1) == d("2024-01-02"));
    const auto before = calendar_error_of([&] { (void)c.add_working_days(d("2024-01-02"), -1); });
    CHECK(before.find("before") != std::string::npos);
    calendar_error_of([&] { (void)c.add_working_days(d("2024-01-01"), -1); });
    // Extreme n does not overflow.
    calendar_error_of([&] { (void)c.add_working_days(d("2025-06-01"), INT_MAX); });
    calendar_error_of([&] { (void)c.add_working_days(d("2025-06-01"), INT_MIN); });
    calendar_error_of([&] { (void)c.add_working_days(d("2025-06-01"), 1000); });
}

TEST_CASE("calendar: tables agree with a day-by-day walk over 2025-2026 (property)") {
    const auto& c = cn();
    int checked = 0;
    for (date from = d("2025-01-01"); from <= d("2026-12-31"); from = from.add_days(1)) {
        const bool working = c.is_working_day(from);
        for (int n = -25; n <= 25; ++n) {
            const auto expected = naive_add(c, from, n);
            if (!expected) {
                CHECK_THROWS_AS((void)c.add_working_days(from, n), calendar_error);
                continue;
            }
            const date got = c.add_working_days(from, n);
            if (got != *expected) {
                FAIL_CHECK(from.to_string() << " + " << n << ": " << got.to_string()
                                            << " != " << expected->to_string());
                continue;
            }
            const int between = c.working_days_between(from, got);
            if (n != 0 && !c.is_working_day(got)) FAIL_CHECK("not a working day");
            // (from, got] holds n working days; backwards, [got, from) holds |n|.
            if (n >= 0 && between != n) FAIL_CHECK(from.to_string() << " " << n);
            if (n < 0 && between != n + (working ? 0 : 1)) FAIL_CHECK(from.to_string() << n);
            if (n < 0 && working && c.add_working_days(got, -n) != from) FAIL_CHECK("round trip");
            ++checked;
        }
        // working_days_between against the walk, for both orders.
        for (int k = -40; k <= 40; k += 3) {
            const date other = from.add_days(k);
            if (!c.covers(other)) continue;
            if (c.working_days_between(from, other) != naive_between(c, from, other))
                FAIL_CHECK(from.to_string() << " .. " << other.to_string());
        }
    }
    CHECK(checked > 700 * 50);
    // Additivity over random triples.
    std::mt19937 rng(20250101);
    std::uniform_int_distribution<int> pick(0, c.last_day() - c.first_day());
    for (int i = 0; i < 2000; ++i) {
        const date a = c.first_day().add_days(pick(rng));
        const date b = c.first_day().add_days(pick(rng));
        const date x = c.first_day().add_days(pick(rng));
        CHECK(c.working_days_between(a, b) + c.working_days_between(b, x) ==
              c.working_days_between(a, x));
        CHECK(c.working_days_between(a, b) == -c.working_days_between(b, a));
    }
}

TEST_CASE("calendar: malformed data names the JSON path and the source") {
    SUBCASE("a bad date string, in the real data") {
        auto j = cn_json();
        j["2025"]["off"][3] = "2025-02-30";
        const auto msg = from_json_error(j, "CN-edited");
        CHECK(msg.find("$.2025.off[3]") != std::string::npos);
        CHECK(msg.find("2025-02-30") != std::string::npos);
        // The document's own name labels the error.
        CHECK(msg.find("CN") != std::string::npos);
    }
    SUBCASE("the source name is used when the document has none") {
        const auto msg = from_json_error({{"2025", {{"off", {"2025-1-1"}}}}}, "my-source");
        CHECK(msg.find("my-source") != std::string::npos);
        CHECK(msg.find("$.2025.off[0]") != std::string::npos);
    }
    SUBCASE("date strings") {
        for (const char* bad : {"2025-13-01", "2025-02-29", "20250101", "2025-01-01T00:00", "",
                                " 2025-01-01", "2025/01/01"}) {
            CAPTURE(bad);
            const auto msg = from_json_error({{"2025", {{"work", {"2025-01-26", bad}}}}});
            CHECK(msg.find("$.2025.work[1]") != std::string::npos);
            CHECK(msg.find("test-source") != std::string::npos);
        }
    }
    SUBCASE("a date under the wrong year key") {
        const auto msg =
            from_json_error({{"2024", json::object()}, {"2025", {{"off", {"2024-12-31"}}}}});
        CHECK(msg.find("$.2025.off[0]") != std::string::npos);
        CHECK(msg.find("2024-12-31") != std::string::npos);
    }
    SUBCASE("not an array, not a string, not an object") {
        CHECK(from_json_error({{"2025", {{"off", "2025-01-01"}}}}).find("$.2025.off:") !=
              std::string::npos);
        CHECK(from_json_error({{"2025", {{"off", json::object()}}}}).find("$.2025.off:") !=
              std::string::npos);
        CHECK(from_json_error({{"2025", {{"off", {20250101}}}}}).find("$.2025.off[0]") !=
              std::string::npos);
        CHECK(from_json_error({{"2025", {{"off", {nullptr}}}}}).find("$.2025.off[0]") !=
              std::string::npos);
        CHECK(from_json_error({{"2025", json::array()}}).find("$.2025:") != std::string::npos);
        CHECK(from_json_error({{"2025", "off"}}).find("$.2025:") != std::string::npos);
        CHECK(from_json_error(json::array()).find("$:") != std::string::npos);
        CHECK(from_json_error(json(42)).find("$:") != std::string::npos);
    }
    SUBCASE("keys") {
        CHECK(from_json_error({{"2025x", json::object()}}).find("$.2025x:") != std::string::npos);
        CHECK(from_json_error({{"25", json::object()}}).find("$.25:") != std::string::npos);
        CHECK(from_json_error({{"0000", json::object()}}).find("$.0000:") != std::string::npos);
        CHECK(from_json_error({{"odd key", json::object()}}).find("$[\"odd key\"]") !=
              std::string::npos);
        CHECK(from_json_error({{"2025", {{"of", json::array()}}}}).find("$.2025.of:") !=
              std::string::npos);
        CHECK(from_json_error({{"name", 5}, {"2025", json::object()}}).find("$.name:") !=
              std::string::npos);
        CHECK(from_json_error({{"name", ""}, {"2025", json::object()}}).find("$.name:") !=
              std::string::npos);
    }
    SUBCASE("coverage") {
        CHECK(from_json_error({{"name", "CN"}}).find("$:") != std::string::npos);
        CHECK(from_json_error(json::object()).find("$:") != std::string::npos);
        const auto gap = from_json_error({{"2024", json::object()}, {"2026", json::object()}});
        CHECK(gap.find("$.2026") != std::string::npos);
        CHECK(gap.find("contiguous") != std::string::npos);
    }
    SUBCASE("contradictions and typos") {
        const auto twice = from_json_error({{"2025", {{"off", {"2025-01-01", "2025-01-01"}}}}});
        CHECK(twice.find("$.2025.off[1]") != std::string::npos);
        CHECK(twice.find("$.2025.off[0]") != std::string::npos);
        const auto both =
            from_json_error({{"2025", {{"off", {"2025-01-26"}}, {"work", {"2025-01-26"}}}}});
        CHECK(both.find("$.2025.work[0]") != std::string::npos);
        CHECK(both.find("$.2025.off[0]") != std::string::npos);
        // A weekday is already a working day: listing it under work is a typo.
        const auto weekday = from_json_error({{"2025", {{"work", {"2025-09-29"}}}}});
        CHECK(weekday.find("$.2025.work[0]") != std::string::npos);
        CHECK(weekday.find("already a working day") != std::string::npos);
    }
    SUBCASE("an overlay is not a base calendar") {
        const auto msg =
            from_json_error({{"name", "CN-GD"}, {"extends", "CN"}, {"2025", json::object()}});
        CHECK(msg.find("$.extends") != std::string::npos);
    }
    SUBCASE("metadata and comments are ignored") {
        const auto c = calendar::from_json({{"_about", "x"},
                                            {"_version", 3},
                                            {"2025", {{"_note", "none"}, {"off", {"2025-01-01"}}}}},
                                           "mine");
        CHECK(c.name() == "mine");
        CHECK(c.first_day() == d("2025-01-01"));
        CHECK(c.last_day() == d("2025-12-31"));
        CHECK_FALSE(c.is_working_day(d("2025-01-01")));
        CHECK(c.is_working_day(d("2025-01-02")));
        // A year with no lists follows the weekend rule alone.
        const auto plain = calendar::from_json({{"name", "plain"}, {"2030", json::object()}});
        CHECK(plain.name() == "plain");
        // 2030 has 261 weekdays; Tue 01-01 itself is not counted.
        CHECK(plain.working_days_between(d("2030-01-01"), d("2030-12-31")) == 260);
        CHECK(plain.is_working_day(d("2030-01-01")));
    }
}

TEST_CASE("calendar: load() names the file") {
    temp_dir tmp;
    SUBCASE("missing file") {
        const auto msg = calendar_error_of([&] { (void)calendar::load(tmp.path / "nope.json"); });
        CHECK(msg.find("nope.json") != std::string::npos);
    }
    SUBCASE("JSON syntax error with line and column") {
        const auto f = tmp.write("broken.json", "{\n  \"2025\": {\n    \"off\": [,]\n  }\n}\n");
        const auto msg = calendar_error_of([&] { (void)calendar::load(f); });
        CHECK(msg.find("broken.json") != std::string::npos);
        CHECK(msg.find("line 3") != std::string::npos);
        CHECK(msg.find("column") != std::string::npos);
    }
    SUBCASE("bad data") {
        const auto f = tmp.write("bad.json", R"({"2025": {"off": ["2025-01-01", 7]}})");
        const auto msg = calendar_error_of([&] { (void)calendar::load(f); });
        CHECK(msg.find("bad.json") != std::string::npos);
        CHECK(msg.find("$.2025.off[1]") != std::string::npos);
    }
    SUBCASE("the name defaults to the file's stem") {
        const auto f = tmp.write("XY.json", R"({"2025": {}})");
        CHECK(calendar::load(f).name() == "XY");
    }
}

TEST_CASE("calendar: a regional overlay") {
    const auto& base = cn();
    // A hypothetical Guangdong holiday on Mon 2025-03-03 with a make-up day on Sat 2025-03-08,
    // and Wed 2025-10-08 (a national holiday) made a regional working day.
    const json overlay = {
        {"name", "CN-GD"},
        {"extends", "CN"},
        {"2025", {{"off", {"2025-03-03"}}, {"work", {"2025-03-08", "2025-10-08"}}}}};
    const auto gd = base.with_overlay(overlay);
    CHECK(gd.name() == "CN-GD");
    CHECK(gd.first_day() == base.first_day());
    CHECK(gd.last_day() == base.last_day());

    CHECK_FALSE(gd.is_working_day(d("2025-03-03")));
    CHECK(gd.is_working_day(d("2025-03-08")));
    CHECK(gd.is_working_day(d("2025-10-08")));
    // The base is unchanged.
    CHECK(base.is_working_day(d("2025-03-03")));
    CHECK_FALSE(base.is_working_day(d("2025-03-08")));
    CHECK_FALSE(base.is_working_day(d("2025-10-08")));
    // National days carry over.
    CHECK_FALSE(gd.is_working_day(d("2025-10-07")));
    CHECK(gd.is_working_day(d("2025-10-11")));
    CHECK_FALSE(gd.is_working_day(d("2026-02-16")));

    // Fri 02-28: base -> Mon 03-03; GD -> [Mon 03-03 off] Tue 03-04.
    CHECK(base.add_working_days(d("2025-02-28"), 1) == d("2025-03-03"));
    CHECK(gd.add_working_days(d("2025-02-28"), 1) == d("2025-03-04"));
    // Fri 03-07 -> GD: Sat 03-08 (make-up); base: Mon 03-10.
    CHECK(gd.add_working_days(d("2025-03-07"), 1) == d("2025-03-08"));
    CHECK(base.add_working_days(d("2025-03-07"), 1) == d("2025-03-10"));
    // The week loses a Monday and gains a Saturday.
    CHECK(gd.working_days_between(d("2025-03-02"), d("2025-03-09")) == 5);
    // Tue 09-30 -> GD: Wed 10-08 = 1, Thu 09 = 2; base: Thu 10-09 = 1.
    CHECK(gd.add_working_days(d("2025-09-30"), 1) == d("2025-10-08"));
    CHECK(base.add_working_days(d("2025-09-30"), 1) == d("2025-10-09"));
    CHECK(gd.working_days_between(d("2024-12-31"), d("2025-12-31")) == 248 + 1);

    SUBCASE("overlay errors") {
        const auto err = [&](const json& o) {
            return calendar_error_of([&] { (void)base.with_overlay(o); });
        };
        CHECK(err({{"name", "CN-GD"}, {"extends", "CN-SH"}}).find("$.extends") !=
              std::string::npos);
        CHECK(err({{"name", "CN-GD"}, {"extends", 1}}).find("$.extends") != std::string::npos);
        CHECK(err({{"extends", "CN"}}).find("$.name") != std::string::npos);
        CHECK(err(json::array()).find("$:") != std::string::npos);
        const auto outside = err({{"name", "CN-GD"}, {"2027", {{"off", {"2027-01-04"}}}}});
        CHECK(outside.find("$.2027") != std::string::npos);
        CHECK(outside.find("2024-2026") != std::string::npos);
        CHECK(outside.find("CN-GD") != std::string::npos);
        // Already a working day in the base.
        const auto working = err({{"name", "CN-GD"}, {"2025", {{"work", {"2025-03-04"}}}}});
        CHECK(working.find("$.2025.work[0]") != std::string::npos);
        CHECK(err({{"name", "CN-GD"}, {"2025", {{"off", {"2026-01-05"}}}}}).find("$.2025.off[0]") !=
              std::string::npos);
        CHECK(err({{"name", "CN-GD"}, {"2025", {{"off", {"2025-02-29"}}}}}).find("$.2025.off[0]") !=
              std::string::npos);
    }
    SUBCASE("an overlay without extends applies to whatever it is given") {
        const auto x = base.with_overlay({{"name", "CN-HI"}, {"2026", {{"off", {"2026-04-13"}}}}});
        CHECK_FALSE(x.is_working_day(d("2026-04-13")));
    }
}

TEST_CASE("calendar: copies share data and reads are thread-safe") {
    const auto& c = cn();
    const calendar copy = c;  // NOLINT(performance-unnecessary-copy-initialization)
    CHECK(&copy.name() == &c.name());
    std::atomic<long> total{0};
    std::vector<std::thread> threads;
    threads.reserve(2);
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&copy, &total] {
            long sum = 0;
            for (date x = copy.first_day(); x <= copy.last_day(); x = x.add_days(1))
                sum += copy.working_days_between(copy.first_day(), x) +
                       (copy.is_working_day(x) ? 1 : 0);
            total += sum;
        });
    }
    for (auto& th : threads)
        th.join();
    long expected = 0;
    for (date x = c.first_day(); x <= c.last_day(); x = x.add_days(1))
        expected += c.working_days_between(c.first_day(), x) + (c.is_working_day(x) ? 1 : 0);
    CHECK(total == 2 * expected);
}

TEST_CASE("calendar_set: the ruleset folder") {
    const auto set = calendar_set::load(k_calendars);
    CHECK(set.base().name() == "CN");
    // Regions with statutory days of their own have an overlay; the others get the base.
    CHECK(set.for_region("CN-GX").name() == "CN-GX");
    CHECK(&set.for_region("45") == &set.for_region("CN-GX"));
    const auto regions = set.regions_with_overlays();
    CHECK(std::find(regions.begin(), regions.end(), "CN-GX") != regions.end());
    CHECK(&set.for_region("CN-GD") == &set.base());
    CHECK(&set.for_region("44") == &set.base());
    CHECK(&set.for_region("CN") == &set.base());
    CHECK_THROWS_AS((void)set.for_region("CN-XX"), usage_error);
    CHECK_THROWS_AS((void)set.for_region("cn-gd"), usage_error);
    CHECK_THROWS_AS((void)set.for_region(""), usage_error);
    CHECK_THROWS_AS((void)set.for_region("CN-HK"), usage_error);
}

TEST_CASE("calendar_set: base and overlays from a folder") {
    temp_dir tmp;
    tmp.write("CN.json", cn_json().dump());
    const std::string gd =
        R"({"name": "CN-GD", "extends": "CN", "2025": {"off": ["2025-03-03"], "work": ["2025-03-08"]}})";

    SUBCASE("overlays by ISO or GB code; other regions get the base") {
        tmp.write("CN-GD.json", gd);
        tmp.write("README.md", "not a calendar");
        const auto set = calendar_set::load(tmp.path);
        CHECK(set.base().name() == "CN");
        const auto& cal = set.for_region("CN-GD");
        CHECK(cal.name() == "CN-GD");
        CHECK(&set.for_region("44") == &cal);
        CHECK_FALSE(cal.is_working_day(d("2025-03-03")));
        CHECK(cal.is_working_day(d("2025-03-08")));
        CHECK(&set.for_region("CN-BJ") == &set.base());
        CHECK(set.base().is_working_day(d("2025-03-03")));
        // A copy of the set stays usable on its own.
        const auto copy = set;  // NOLINT(performance-unnecessary-copy-initialization)
        CHECK(copy.for_region("CN-GD").name() == "CN-GD");
    }
    SUBCASE("an overlay whose name is not its file name") {
        tmp.write("CN-SH.json", gd);
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("CN-SH.json") != std::string::npos);
        CHECK(msg.find("$.name") != std::string::npos);
    }
    SUBCASE("an overlay that is not a region") {
        tmp.write("CN-XX.json", R"({"name": "CN-XX", "extends": "CN"})");
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("CN-XX.json") != std::string::npos);
    }
    SUBCASE("an overlay of another base") {
        tmp.write("CN-GD.json", R"({"name": "CN-GD", "extends": "HK"})");
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("CN-GD.json") != std::string::npos);
        CHECK(msg.find("$.extends") != std::string::npos);
    }
    SUBCASE("bad overlay data names the file and path") {
        tmp.write("CN-GD.json", R"({"name": "CN-GD", "extends": "CN", "2025": {"off": [1]}})");
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("CN-GD.json") != std::string::npos);
        CHECK(msg.find("$.2025.off[0]") != std::string::npos);
    }
    SUBCASE("two bases") {
        tmp.write("CN2.json", R"({"2025": {}})");
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("CN2.json") != std::string::npos);
    }
    SUBCASE("a base whose name is not its file name") {
        fs::remove(tmp.path / "CN.json");
        tmp.write("Base.json", R"({"name": "CN", "2025": {}})");
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("Base.json") != std::string::npos);
    }
    SUBCASE("no base") {
        fs::remove(tmp.path / "CN.json");
        tmp.write("CN-GD.json", gd);
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path); });
        CHECK(msg.find("no base") != std::string::npos);
    }
    SUBCASE("missing folder") {
        const auto msg = calendar_error_of([&] { (void)calendar_set::load(tmp.path / "none"); });
        CHECK(msg.find("none") != std::string::npos);
    }
}
