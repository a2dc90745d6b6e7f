#pragma once
/// \file calendar_import.hpp
/// Importing a year's official arrangement into a calendar folder (`telecomply calendar
/// import`): when the State Council (or a region) publishes its 放假安排, the year stops being
/// provisional. The file format is that of the calendar files (docs/calendars.md).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "telecomply/base/date.hpp"
#include "telecomply/base/diagnostic.hpp"
#include "telecomply/domain/calendar.hpp"

namespace telecomply {

/// What an import did (or, dry, would do) to one year of one calendar.
struct calendar_year_change {
    std::string calendar;                       ///< "CN", or a region's overlay ("CN-GX")
    int year = 0;                               ///< the year imported
    std::optional<year_status> before;          ///< its status before; nullopt when the year is new
    year_status after = year_status::official;  ///< its status now
    std::vector<date> now_off;                  ///< days that were working days and are now off
    std::vector<date> now_working;  ///< days that were off and are now working days (调休)
};

/// The result of import_calendar().
struct calendar_import_report {
    std::filesystem::path written;  ///< the file written; empty when nothing was (a dry run, a
                                    ///< problem, or a file that would not change)
    std::vector<calendar_year_change> changes;  ///< one per imported year, ascending
    std::vector<diagnostic> problems;           ///< errors (why nothing was written) and warnings
    /// True when no problem is an error: the import is valid (and, unless dry, written).
    [[nodiscard]] bool ok() const noexcept {
        for (const auto& p : problems)
            if (!p.warning) return false;
        return true;
    }
};

/// How import_calendar() may change the files.
struct calendar_import_options {
    bool dry_run = false;  ///< check and report, write nothing
    /// Allow an official year to be replaced by different days (a corrected notice) or by a
    /// provisional year; without it that is an error.
    bool replace_official = false;
};

/// Adds or replaces years of the calendar files in `calendars_dir` (a rulesets folder's
/// `calendars/`) with the years of `file`.
///
/// `file` is a calendar document: `{"name": "CN", "YYYY": {"status": "official", "source":
/// "...", "off": [...], "work": [...]}, ...}` for the national calendar, or `{"name": "CN-GX",
/// "source": "...", "YYYY": {"off": [...]}}` for a region's days (its overlay file is created
/// when the region has none). A year without `status` is taken as official; an official year
/// must name its `source`. Each year replaces the year of the same number (official or
/// provisional) or extends the covered years at either end; the years must stay contiguous.
///
/// An official year that would get other days (or become provisional) is an error unless
/// `options.replace_official`; importing the same days again changes nothing and writes nothing.
///
/// Every check of lint_calendars() runs on the result before anything is written; on any error
/// nothing is written and `problems` says what, naming `file` with its line and JSON path for
/// the imported years. Warnings (e.g. a regional overlay without the imported year) do not
/// stop the import. Otherwise the calendar file is replaced atomically and durably (written to
/// a temporary file, synced, renamed over it; a symbolic link's target is replaced), unless
/// `options.dry_run`. Imports into one folder are serialized by a lock file
/// (`.calendar-import.lock`, flock), so concurrent imports from several processes each see the
/// other's years. Deadlines already counted are not changed here: case_service::tick(),
/// case_service::recompute() and case_service::apply() recount them (see
/// case_manager::recompute()).
///
/// Throws calendar_error, with the system's reason, only when `calendars_dir` cannot be read,
/// locked or written.
[[nodiscard]] calendar_import_report import_calendar(const std::filesystem::path& calendars_dir,
                                                     const std::filesystem::path& file,
                                                     const calendar_import_options& options);
/// import_calendar() with only `dry_run` set.
[[nodiscard]] calendar_import_report import_calendar(const std::filesystem::path& calendars_dir,
                                                     const std::filesystem::path& file,
                                                     bool dry_run = false);

}  // namespace telecomply
