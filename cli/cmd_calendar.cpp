// `telecomply calendar`: import an official year into the working-day calendars (and recount
// stored cases' deadlines), show the years a calendar covers.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telecomply/base/clock.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/calendar_import.hpp"
#include "telecomply/rules/engine.hpp"

namespace telecomply::cli {

namespace {

struct calendar_args {
    std::vector<std::string> files;
    bool dry_run = false;
    bool replace_official = false;
    std::string store;
    std::string at;
    std::string region = "CN";
    std::string format = "text";
};

std::string day_list(const std::vector<date>& days) {
    std::string out;
    for (const auto& d : days)
        out += (out.empty() ? "" : " ") + d.to_string();
    return out;
}

// `calendar import`: each file on its own (a bad one does not stop the others); then, with
// --store, the deadlines of stored cases are recounted on the new calendars. Everything that
// can be checked before writing is checked first (--at, --store).
int run_calendar_import(const common& c, const calendar_args& a) {
    const auto dir = c.rulesets_dir() / "calendars";
    const std::string at = a.at.empty() ? now_cst() : a.at;
    (void)case_manager::event_date(at);  // usage_error for a bad --at, before any write
    std::optional<case_store> store;
    if (!a.store.empty() && !a.dry_run) {
        if (!std::filesystem::exists(a.store))
            throw usage_error("--store '" + a.store +
                              "': no such case store (it is not created here)");
        store = case_store::open(a.store);
    }
    calendar_import_options options;
    options.dry_run = a.dry_run;
    options.replace_official = a.replace_official;
    int status = exit_ok;
    bool written = false;
    for (const auto& f : a.files) {
        calendar_import_report r;
        try {
            r = import_calendar(dir, f, options);
        } catch (const error& e) {
            std::cout << f << ": not imported: " << e.what() << "\n";
            status = exit_bad;
            continue;
        }
        for (const auto& p : r.problems)
            print_diagnostic(p);
        if (!r.ok()) {
            std::size_t errors = 0;
            for (const auto& p : r.problems)
                errors += p.warning ? 0 : 1;
            std::cout << f << ": not imported (" << errors << " error" << (errors == 1 ? "" : "s")
                      << ")\n";
            status = exit_bad;
            continue;
        }
        for (const auto& ch : r.changes) {
            std::cout << ch.calendar << " " << ch.year << ": "
                      << (ch.before ? std::string(to_string(*ch.before)) : std::string("new"))
                      << " -> " << to_string(ch.after);
            if (ch.now_off.empty() && ch.now_working.empty()) std::cout << ", no day changes";
            std::cout << "\n";
            if (!ch.now_off.empty()) std::cout << "  now off:     " << day_list(ch.now_off) << "\n";
            if (!ch.now_working.empty())
                std::cout << "  now working: " << day_list(ch.now_working) << "\n";
        }
        if (a.dry_run)
            std::cout << "(dry run: nothing written)\n";
        else if (r.written.empty())
            std::cout << "unchanged: nothing to write\n";
        else
            std::cout << "written: " << r.written.string() << "\n";
        written = written || !r.written.empty();
    }
    if (!a.store.empty() && a.dry_run)
        std::cout << "(dry run: the deadlines in " << a.store << " are not recounted)\n";
    if (store && written) {
        // the rules loaded now see the calendars as written
        auto eng = std::make_shared<const engine>(c.load_rules());
        const case_manager manager(eng);
        case_service service(*store, manager);
        const auto done = service.recompute(at, "calendar-import");
        for (const auto& [id, e] : done)
            print_automatic(id, e);
        std::cout << done.size() << " case" << (done.size() == 1 ? "" : "s")
                  << " with deadlines recounted\n";
    }
    return status;
}

// `calendar show`: the years a region's calendar covers, their status and source.
int run_calendar_show(const common& c, const calendar_args& a) {
    const auto set = calendar_set::load(c.rulesets_dir() / "calendars");
    const calendar& cal = set.for_region(a.region);
    if (a.format == "json") {
        auto years = nlohmann::json::array();
        for (int y = cal.first_year(); y <= cal.last_year(); ++y)
            years.push_back({{"year", y},
                             {"status", std::string(to_string(cal.status(y)))},
                             {"source", cal.source(y)}});
        std::cout << json_text({{"name", cal.name()},
                                {"version", cal.version()},
                                {"first_day", cal.first_day().to_string()},
                                {"last_day", cal.last_day().to_string()},
                                {"years", years}},
                               2)
                  << "\n";
        return exit_ok;
    }
    std::cout << "calendar " << cal.name() << "@" << cal.version() << "  "
              << cal.first_day().to_string() << " to " << cal.last_day().to_string() << "\n";
    for (int y = cal.first_year(); y <= cal.last_year(); ++y)
        std::cout << "  " << y << "  " << to_string(cal.status(y)) << "  " << cal.source(y) << "\n";
    return exit_ok;
}

}  // namespace

command add_calendar(CLI::App& app, common& c) {
    auto cal = std::make_shared<calendar_args>();
    auto* calendars = app.add_subcommand(
        "calendar", "working-day calendars: import an official year, show the years covered");
    calendars->require_subcommand(1);
    add_rulesets_option(calendars, c);
    auto* cal_import = calendars->add_subcommand(
        "import", "add or replace years from an official holiday arrangement (docs/calendars.md)");
    cal_import->add_option("files", cal->files, "calendar files to import")->required();
    add_rulesets_option(cal_import, c);
    cal_import->add_flag("--dry-run", cal->dry_run, "check and report, write nothing");
    cal_import->add_flag("--replace-official", cal->replace_official,
                         "allow an official year to get other days (a corrected notice)");
    cal_import->add_option("--store", cal->store,
                           "then recount the deadlines of the cases in this store");
    cal_import->add_option("--at", cal->at,
                           "time recorded on the recounts (RFC 3339 or YYYY-MM-DD; default: now)");
    auto* cal_show =
        calendars->add_subcommand("show", "the years a calendar covers, their status and source");
    cal_show->add_option("--region", cal->region, "CN (default) or a region, e.g. CN-GX");
    add_rulesets_option(cal_show, c);
    cal_show->add_option("--format", cal->format, "text or json")
        ->check(CLI::IsMember({"text", "json"}));
    return {calendars, [&c, cal, cal_import, cal_show] {
                if (*cal_import) return run_calendar_import(c, *cal);
                if (*cal_show) return run_calendar_show(c, *cal);
                return exit_bad;
            }};
}

}  // namespace telecomply::cli
