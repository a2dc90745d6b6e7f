#pragma once
/// \file date.hpp
/// Civil dates (no time zone) and times of day, as policy documents write them:
/// `YYYY-MM-DD` and `HH:MM`.

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telecomply {

/// A calendar date in the proleptic Gregorian calendar, held as days since 1970-01-01.
/// Trivially copyable; ordered; the difference of two dates is a number of days.
class date {
  public:
    constexpr date() noexcept = default;
    /// From days since 1970-01-01.
    constexpr explicit date(std::int32_t days_since_epoch) noexcept : days_(days_since_epoch) {}
    /// From a std::chrono day point.
    constexpr explicit date(std::chrono::sys_days d) noexcept
        : days_(static_cast<std::int32_t>(d.time_since_epoch().count())) {}
    /// From year, month (1-12) and day (1-31); returns nullopt when that day does not exist.
    static std::optional<date> from_ymd(int year, unsigned month, unsigned day) noexcept;
    /// Parses exactly `YYYY-MM-DD` (a real calendar day, years 0001-9999); nullopt otherwise.
    static std::optional<date> parse(std::string_view text) noexcept;
    /// Parses `YYYY-MM-DD` or throws telecomply::usage_error naming the text.
    static date parse_or_throw(std::string_view text);

    [[nodiscard]] constexpr std::int32_t days_since_epoch() const noexcept { return days_; }
    [[nodiscard]] constexpr std::chrono::sys_days sys_days() const noexcept {
        return std::chrono::sys_days{std::chrono::days{days_}};
    }
    [[nodiscard]] std::chrono::year_month_day ymd() const noexcept {
        return std::chrono::year_month_day{sys_days()};
    }
    [[nodiscard]] int year() const noexcept;
    [[nodiscard]] unsigned month() const noexcept;  ///< 1-12
    [[nodiscard]] unsigned day() const noexcept;    ///< 1-31
    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    [[nodiscard]] unsigned iso_weekday() const noexcept;
    [[nodiscard]] bool is_weekend() const noexcept { return iso_weekday() >= 6; }

    /// This date plus n calendar days (n may be negative).
    [[nodiscard]] constexpr date add_days(std::int32_t n) const noexcept { return date{days_ + n}; }
    /// This date plus n calendar months, clamped to the end of the month (Jan 31 + 1 = Feb 28/29).
    [[nodiscard]] date add_months(int n) const noexcept;
    /// `YYYY-MM-DD`.
    [[nodiscard]] std::string to_string() const;

    friend constexpr auto operator<=>(date, date) noexcept = default;
    friend constexpr bool operator==(date, date) noexcept = default;
    /// Days from b to a.
    friend constexpr std::int32_t operator-(date a, date b) noexcept { return a.days_ - b.days_; }

  private:
    std::int32_t days_ = 0;
};

/// A time of day to the minute (`HH:MM`, 00:00-23:59; `24:00` is accepted as end of day).
class time_of_day {
  public:
    constexpr time_of_day() noexcept = default;
    constexpr explicit time_of_day(std::int32_t minutes) noexcept : minutes_(minutes) {}
    /// Parses `HH:MM` (or `HH:MM:SS` with seconds ignored only when :00); nullopt otherwise.
    static std::optional<time_of_day> parse(std::string_view text) noexcept;
    [[nodiscard]] constexpr std::int32_t minutes() const noexcept { return minutes_; }
    [[nodiscard]] constexpr int hour() const noexcept { return minutes_ / 60; }
    [[nodiscard]] constexpr int minute() const noexcept { return minutes_ % 60; }
    /// `HH:MM`.
    [[nodiscard]] std::string to_string() const;
    friend constexpr auto operator<=>(time_of_day, time_of_day) noexcept = default;
    friend constexpr bool operator==(time_of_day, time_of_day) noexcept = default;

  private:
    std::int32_t minutes_ = 0;
};

}  // namespace telecomply
