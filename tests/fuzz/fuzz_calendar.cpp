// libFuzzer target: a calendar document, read the three ways the library reads one: as a whole
// calendar (calendar::from_json), as a region's overlay on the shipped national calendar
// (with_overlay), and as a file to import into a calendars folder (import_calendar, a dry run
// first; when that is clean, a real import into a scratch copy of the shipped calendars, which
// must then load and lint clean). Every calendar built is queried across its years, and the
// documented identity working_days_between(d, add_working_days(d, n)) == n (n >= 0) is held
// to. Bad documents are calendar_errors or reported problems, never a crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fuzz_support.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/calendar_import.hpp"

namespace {

using namespace telecomply;

struct setting {
    fuzz::scratch_dir root{"calendar"};
    std::filesystem::path input = root.path() / "import.json";
    std::filesystem::path folder = root.path() / "calendars";
    calendar national = calendar::load(fuzz::rulesets_dir() / "calendars" / "CN.json");
};

setting& the_setting() {
    static setting s;
    return s;
}

[[noreturn]] void bug(const char* what) {
    std::fprintf(stderr, "fuzz_calendar: %s\n", what);
    std::abort();
}

// Days across the calendar's years, counts of every size, each way.
void query(const calendar& c) {
    (void)c.version();
    (void)c.provisional_years();
    for (int y = c.first_year(); y <= c.last_year() && y < c.first_year() + 50; ++y) {
        (void)c.status(y);
        (void)c.source(y);
    }
    const date first = c.first_day(), last = c.last_day();
    for (const date d : {first, first.add_days((last - first) / 2), last, last.add_days(-3)}) {
        if (!c.covers(d)) continue;
        (void)c.is_working_day(d);
        for (const int n : {0, 1, 7, 250, -1, -30, 100000}) {
            fuzz::expected_errors([&] {
                const date to = c.add_working_days(d, n);
                const counted_date counted = c.deadline(d, n);
                if (counted.day != to) bug("deadline() and add_working_days() disagree");
                if (n >= 0 && c.working_days_between(d, to) != n)
                    bug("working_days_between(d, add_working_days(d, n)) != n");
                (void)c.provisional_years_between(d, to);
            });
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& s = the_setting();
    const auto text = fuzz::text(data, size);
    if (const auto j = fuzz::parse_json(text)) {
        fuzz::expected_errors([&] { query(calendar::from_json(*j, "FZ")); });
        fuzz::expected_errors([&] { query(s.national.with_overlay(*j)); });
    }
    fuzz::write_file(s.input, text);
    std::filesystem::remove_all(s.folder);
    fuzz::copy_from_rulesets("calendars", s.root.path());
    const auto dry = import_calendar(s.folder, s.input, /*dry_run=*/true);
    if (!dry.ok() || dry.changes.empty()) return 0;
    const auto done = import_calendar(s.folder, s.input, /*dry_run=*/false);
    if (!done.ok()) bug("an import its dry run accepted failed");
    for (const auto& d : lint_calendars(s.folder))
        if (!d.warning) bug("an imported folder does not lint clean");
    const auto set = calendar_set::load(s.folder);
    query(set.base());
    for (const auto& region : set.regions_with_overlays())
        query(set.for_region(region));
    return 0;
}
