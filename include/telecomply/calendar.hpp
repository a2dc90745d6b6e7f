#pragma once
/// \file calendar.hpp
/// The working-day calendar behind every "N working days" deadline: weekends and the State
/// Council's public holidays are off, its make-up days (调休) are working days. A calendar covers
/// whole years and refuses to answer outside them rather than guess.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "telecomply/date.hpp"

namespace telecomply {

namespace detail {
struct calendar_data;
}

/// A working-day calendar over a contiguous range of whole years.
///
/// Immutable: copies share their data, so a calendar is cheap to copy and safe to read from any
/// number of threads. Queries are O(1) (add_working_days included) over tables built once when
/// the calendar is made.
class calendar {
  public:
    /// Builds a calendar from the JSON format of rulesets/calendars/CN.json:
    /// `{"YYYY": {"off": ["YYYY-MM-DD", ...], "work": [...]}, ...}`.
    ///
    /// Saturdays and Sundays are off unless listed under `work`; listed `off` days are off. Keys
    /// starting with '_' and `name` are metadata; `name`, when present, names the calendar
    /// (otherwise `name` below does). The covered years must be contiguous and there must be at
    /// least one. A document with `extends` is an overlay and is refused here (see
    /// with_overlay()), so a region's partial data cannot pass for a whole calendar.
    ///
    /// Throws calendar_error, naming `name` and the JSON path (e.g. `$.2025.off[3]`), for: a key
    /// that is neither metadata nor a 4-digit year; a year that is not an object or has keys other
    /// than `off`, `work` and '_' comments; a list that is not an array of `YYYY-MM-DD` strings;
    /// a date under another year's key; a date listed twice, or as both off and work; a `work`
    /// date that is already a working day (a weekday: make-up days are always weekend days, so
    /// this is a typo); a gap in the years.
    [[nodiscard]] static calendar from_json(const nlohmann::json& j, std::string name = "CN");

    /// Reads and builds a calendar file (see from_json()); errors name the file, and JSON syntax
    /// errors give the line and column. The calendar's name is its `name` member or, without
    /// one, the file's stem. Throws calendar_error, also when the file cannot be read.
    [[nodiscard]] static calendar load(const std::filesystem::path& file);

    /// A region's calendar: this one with an overlay
    /// `{"name": "CN-XX", "extends": "CN", "YYYY": {"off": [...], "work": [...]}}` applied.
    /// The overlay's days replace this calendar's verdict on those days: a region may add its own
    /// holidays (`off`) or make-up days (`work`). `name` is required; `extends`, when present,
    /// must be this calendar's name; the overlay's years must lie within this calendar's years
    /// (an overlay cannot extend coverage). Otherwise the rules and errors of from_json() apply,
    /// with "already a working day" judged against this calendar. Throws calendar_error.
    [[nodiscard]] calendar with_overlay(const nlohmann::json& overlay) const;

    /// The calendar's name, e.g. "CN" or "CN-GD".
    [[nodiscard]] const std::string& name() const noexcept;
    /// January 1 of the first covered year.
    [[nodiscard]] date first_day() const noexcept;
    /// December 31 of the last covered year.
    [[nodiscard]] date last_day() const noexcept;
    /// True when first_day() <= d <= last_day().
    [[nodiscard]] bool covers(date d) const noexcept;

    /// True when `d` is a working day. O(1). Throws calendar_error, naming the date and the
    /// covered years, when `d` is not covered.
    [[nodiscard]] bool is_working_day(date d) const;

    /// The n-th working day after `from`: `from` itself never counts, n == 0 returns `from`
    /// unchanged (working day or not), n < 0 gives the |n|-th working day before `from`. O(1).
    ///
    /// POLICY: a deadline of N working days from an event on day D falls on
    /// add_working_days(D, N), the N-th working day after D, whether or not D is a working day.
    ///
    /// Throws calendar_error when `from` is not covered or the answer would lie outside the
    /// covered years.
    [[nodiscard]] date add_working_days(date from, int n) const;

    /// The number of working days d with a < d <= b; the negated count for b < a (the working
    /// days d with b < d <= a); 0 when a == b. O(1). Hence
    /// working_days_between(from, add_working_days(from, n)) == n for n >= 0, and for n < 0 when
    /// `from` is a working day. Throws calendar_error when a or b is not covered.
    [[nodiscard]] int working_days_between(date a, date b) const;

  private:
    friend class calendar_set;  // builds overlays from the base's tables
    explicit calendar(std::shared_ptr<const detail::calendar_data> data) noexcept;
    std::shared_ptr<const detail::calendar_data> data_;
};

/// All the calendars of a folder: one base calendar (a file without `extends`, normally CN.json)
/// and its regional overlays (CN-XX.json, each `"extends": "CN"`).
class calendar_set {
  public:
    /// Loads every `*.json` file of `dir` (not recursively). Exactly one file must be a base
    /// calendar; every other file must be an overlay that extends it, whose `name` is the ISO
    /// 3166-2 code of one of the 31 province-level regions (see find_region()) and equals the
    /// file's stem. Throws calendar_error (naming the file) for a missing or unreadable folder,
    /// no base or two bases, or any bad file.
    [[nodiscard]] static calendar_set load(const std::filesystem::path& dir);

    /// The base calendar.
    [[nodiscard]] const calendar& base() const noexcept;

    /// The region's calendar: its overlay applied to the base, or the base calendar when the
    /// region has no overlay. `region` is an ISO 3166-2 code ("CN-GD") or GB/T 2260 code ("44")
    /// of one of the 31 regions, or the base calendar's name. Throws usage_error for any other
    /// text. The reference lives as long as this set.
    [[nodiscard]] const calendar& for_region(std::string_view region) const;

  private:
    calendar_set(calendar base, std::map<std::string, calendar, std::less<>> regional);
    calendar base_;
    std::map<std::string, calendar, std::less<>> regional_;
};

}  // namespace telecomply
