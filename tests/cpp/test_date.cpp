#include <doctest/doctest.h>

#include "telecomply/base/date.hpp"
#include "telecomply/base/error.hpp"

using telecomply::date;
using telecomply::time_of_day;

TEST_CASE("date parses ISO days and rejects everything else") {
    auto d = date::parse("2026-03-02");
    REQUIRE(d);
    CHECK(d->year() == 2026);
    CHECK(d->month() == 3);
    CHECK(d->day() == 2);
    CHECK(d->to_string() == "2026-03-02");
    CHECK(d->iso_weekday() == 1);  // a Monday
    CHECK_FALSE(date::parse("2026-02-29"));
    CHECK(date::parse("2024-02-29"));
    CHECK_FALSE(date::parse("2026-3-2"));
    CHECK_FALSE(date::parse("2026-03-02T00:00"));
    CHECK_FALSE(date::parse("0000-01-01"));
    CHECK_FALSE(date::parse(""));
    CHECK_THROWS_AS(date::parse_or_throw("x"), telecomply::usage_error);
}

TEST_CASE("date arithmetic") {
    auto a = *date::parse("2025-12-30");
    CHECK(a.add_days(3).to_string() == "2026-01-02");
    CHECK(a.add_days(3) - a == 3);
    CHECK(a < a.add_days(1));
    CHECK(date::parse("2025-01-31")->add_months(1).to_string() == "2025-02-28");
    CHECK(date::parse("2024-01-31")->add_months(1).to_string() == "2024-02-29");
    CHECK(date::parse("2025-03-15")->add_months(12).to_string() == "2026-03-15");
    CHECK(date::parse("1970-01-01")->days_since_epoch() == 0);
}

TEST_CASE("time of day") {
    auto t = time_of_day::parse("09:30");
    REQUIRE(t);
    CHECK(t->minutes() == 570);
    CHECK(t->to_string() == "09:30");
    CHECK(time_of_day::parse("24:00"));
    CHECK_FALSE(time_of_day::parse("24:01"));
    CHECK_FALSE(time_of_day::parse("9:30"));
    CHECK_FALSE(time_of_day::parse("09:60"));
    CHECK(*time_of_day::parse("08:00") < *time_of_day::parse("21:00"));
}
