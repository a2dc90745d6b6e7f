#pragma once
/// \file calendar.hpp
/// The working-day calendar behind every "N working days" deadline: weekends and the State
/// Council's public holidays are off, its make-up days (调休) are working days, and a region may
/// add its own statutory days off (壮族三月三 in CN-GX). Each covered year is either official (the
/// State Council's arrangement for that year, imported from its notice) or provisional (derived
/// from the statutory rules of 《全国年节及纪念日放假办法》 until the notice is published; see
/// docs/calendars.md). A calendar covers whole years and refuses to answer outside them rather
/// than guess.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"
#include "telecomply/base/diagnostic.hpp"

namespace telecomply {

namespace detail {
struct calendar_data;
struct calendar_disk_check;
}  // namespace detail

/// How settled a calendar year is (docs/calendars.md).
enum class year_status : std::uint8_t {
    official,     ///< the State Council's arrangement (with its 调休 make-up days) is imported
    provisional,  ///< derived from the statutory holidays; may change when the notice arrives
};

/// "official" or "provisional".
[[nodiscard]] std::string_view to_string(year_status s) noexcept;

/// A day reached by counting working days, and the provisional years the count crossed.
struct counted_date {
    date day;                            ///< the day reached
    std::vector<int> provisional_years;  ///< ascending; empty when every day counted is official
    /// True when the count crossed a provisional year: the day may move once that year's
    /// official arrangement is imported.
    [[nodiscard]] bool provisional() const noexcept { return !provisional_years.empty(); }
};

/// A working-day calendar over a contiguous range of whole years.
///
/// Immutable: copies share their data, so a calendar is cheap to copy and safe to read from any
/// number of threads. Queries are O(1) (add_working_days included) over tables built once when
/// the calendar is made.
class calendar {
  public:
    /// Builds a calendar from the JSON format of rulesets/calendars/CN.json (docs/calendars.md):
    /// `{"name": "CN", "YYYY": {"status": "official", "source": "...", "off": ["YYYY-MM-DD",
    /// ...], "work": [...]}, ...}`.
    ///
    /// Saturdays and Sundays are off unless listed under `work`; listed `off` days are off. A
    /// year's `status` is "official" or "provisional" (absent: official, as files written before
    /// years had a status held only official years); `source` names the notice or the rule the
    /// year's days come from. Keys starting with '_', `name` and `source` are metadata; `name`,
    /// when present, names the calendar (otherwise `name` below does). The covered years must be
    /// contiguous and there must be at least one. A document with `extends` is an overlay and is
    /// refused here (see with_overlay()), so a region's partial data cannot pass for a whole
    /// calendar.
    ///
    /// Throws calendar_error, naming `name` and the JSON path (e.g. `$.2025.off[3]`), for: a key
    /// that is neither metadata nor a 4-digit year; a year that is not an object or has keys
    /// other than `status`, `source`, `off`, `work` and '_' comments; a status other than
    /// official or provisional; a list that is not an array of `YYYY-MM-DD` strings; a date under
    /// another year's key; a date listed twice, or as both off and work; a `work` date that is
    /// already a working day (a weekday: make-up days are always weekend days, so this is a
    /// typo); make-up days in a provisional year (the statutory rules have none); a gap in the
    /// years. (An official year without a `source` is reported by lint_calendars(), not here.)
    [[nodiscard]] static calendar from_json(const nlohmann::json& j, std::string name = "CN");

    /// Reads and builds a calendar file (see from_json()); errors name the file, and JSON syntax
    /// errors give the line and column. The calendar's name is its `name` member or, without
    /// one, the file's stem. Throws calendar_error, also when the file cannot be read.
    [[nodiscard]] static calendar load(const std::filesystem::path& file);

    /// A region's calendar: this one with an overlay
    /// `{"name": "CN-XX", "extends": "CN", "source": "...", "YYYY": {"off": [...], "work":
    /// [...]}}` applied. The overlay's days replace this calendar's verdict on those days: a
    /// region may add its own statutory days off (`off`) or make-up days (`work`). An overlay
    /// year may say `"status": "provisional"` (its regional days are estimates, e.g. dates that
    /// follow a moon sighting); a year is provisional in the result when it is provisional in
    /// either. `name` is required; `extends`, when present, must be this calendar's name; the
    /// overlay's years must lie within this calendar's years (an overlay cannot extend
    /// coverage). Otherwise the rules and errors of from_json() apply, with "already a working
    /// day" judged against this calendar. Throws calendar_error.
    [[nodiscard]] calendar with_overlay(const nlohmann::json& overlay) const;

    /// The calendar's name, e.g. "CN" or "CN-GD".
    [[nodiscard]] const std::string& name() const noexcept;
    /// January 1 of the first covered year.
    [[nodiscard]] date first_day() const noexcept;
    /// December 31 of the last covered year.
    [[nodiscard]] date last_day() const noexcept;
    /// The first and the last covered year.
    [[nodiscard]] int first_year() const noexcept;
    [[nodiscard]] int last_year() const noexcept;
    /// True when first_day() <= d <= last_day().
    [[nodiscard]] bool covers(date d) const noexcept;

    /// True when `d` is a working day. O(1). Throws calendar_error, naming the date and the
    /// covered years, when `d` is not covered.
    [[nodiscard]] bool is_working_day(date d) const;

    /// The n-th working day after `from`: `from` itself never counts, n == 0 returns `from`
    /// unchanged (working day or not), n < 0 gives the |n|-th working day before `from`. O(1).
    ///
    /// docs/policy.md §5: a deadline of N working days from an event on day D falls on
    /// add_working_days(D, N), the N-th working day after D, whether or not D is a working day.
    ///
    /// Throws calendar_error when `from` is not covered or the answer would lie outside the
    /// covered years.
    [[nodiscard]] date add_working_days(date from, int n) const;

    /// add_working_days() together with the provisional years the count crossed: those of the
    /// days d with from < d <= result (n > 0) or result <= d < from (n < 0). A deadline computed
    /// this way is provisional when that list is not empty: it may move when those years'
    /// official arrangements are imported. Throws as add_working_days().
    [[nodiscard]] counted_date deadline(date from, int n) const;

    /// The number of working days d with a < d <= b; the negated count for b < a (the working
    /// days d with b < d <= a); 0 when a == b. O(1). Hence
    /// working_days_between(from, add_working_days(from, n)) == n for n >= 0, and for n < 0 when
    /// `from` is a working day. Throws calendar_error when a or b is not covered.
    [[nodiscard]] int working_days_between(date a, date b) const;

    /// A covered year's status. Throws calendar_error when the year is not covered.
    [[nodiscard]] year_status status(int year) const;
    /// A covered year's source: the notice or the rule its days come from ("" when the file
    /// gives none). For a regional calendar, the base's source and the overlay's, joined by
    /// "; ". Throws calendar_error when the year is not covered.
    [[nodiscard]] const std::string& source(int year) const;
    /// Every provisional year covered, ascending.
    [[nodiscard]] std::vector<int> provisional_years() const;
    /// The provisional years among the days d with min(a, b) < d <= max(a, b), ascending; days
    /// outside the covered years are ignored.
    [[nodiscard]] std::vector<int> provisional_years_between(date a, date b) const;

    /// A digest of everything that decides an answer (the name, each year's status and every
    /// day's working flag): 12 lowercase hex digits of its SHA-256. Two calendars with the same
    /// version answer every query alike; importing an official year changes it. Deadlines
    /// record `name()@version()` so that a recomputation can tell whether they may differ.
    [[nodiscard]] const std::string& version() const noexcept;

  private:
    friend class calendar_set;  // builds overlays from the base's tables
    explicit calendar(std::shared_ptr<const detail::calendar_data> data) noexcept;
    std::shared_ptr<const detail::calendar_data> data_;
};

/// Every problem of the calendar files of a folder (rulesets/calendars), collected rather than
/// thrown, each with the file, the line and the JSON path: everything calendar_set::load()
/// refuses, and also an official year without a `source` (the notice it was imported from).
/// An empty result means calendar_set::load(dir) succeeds. Never throws for bad content; a
/// folder that cannot be read is one diagnostic.
[[nodiscard]] std::vector<diagnostic> lint_calendars(const std::filesystem::path& dir);

/// All the calendars of a folder: one base calendar (a file without `extends`, normally CN.json)
/// and its regional overlays (CN-XX.json, each `"extends": "CN"`).
///
/// Immutable once loaded; safe to share between threads.
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

    /// The names of the regions with an overlay of their own, ascending.
    [[nodiscard]] std::vector<std::string> regions_with_overlays() const;

    /// The folder the set was loaded from.
    [[nodiscard]] const std::filesystem::path& dir() const noexcept;
    /// True when the folder's calendar files are no longer those that were loaded (a file was
    /// added, removed, replaced or rewritten since: an import ran), so that a long-running
    /// process can load them again instead of counting on stale days. Reads the folder's and
    /// the files' metadata only (no content), at most once a millisecond (the answer stands in
    /// between; once true it stays true); true when the folder cannot be read. Thread-safe.
    [[nodiscard]] bool changed_on_disk() const;

  private:
    friend std::vector<diagnostic> lint_calendars(const std::filesystem::path& dir);
    // Loads a folder's calendars, throwing at the first problem (sink == nullptr) or collecting
    // every problem into `sink` (then nullopt when any is an error).
    static std::optional<calendar_set> load_impl(const std::filesystem::path& dir,
                                                 std::vector<diagnostic>* sink);
    calendar_set(calendar base, std::map<std::string, calendar, std::less<>> regional);
    calendar base_;
    std::map<std::string, calendar, std::less<>> regional_;
    std::filesystem::path dir_;
    // The files as loaded and the last look at them (shared by copies; any thread may look).
    std::shared_ptr<detail::calendar_disk_check> check_;
};

}  // namespace telecomply
