// Official and provisional calendar years, regional days off, calendar lint and the import of
// an official year (docs/calendars.md). Dates are worked out by hand in the comments from
// rulesets/calendars/*.json.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "scratch_dir.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/calendar_import.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

date d(std::string_view s) {
    return date::parse_or_throw(s);
}

const fs::path k_calendars = fs::path(TELECOMPLY_RULESETS_DIR) / "calendars";
const fs::path k_fixture =
    fs::path(TELECOMPLY_TEST_DATA) / "calendars" / "CN-2027-official-fixture.json";

const calendar_set& shipped() {
    static const calendar_set set = calendar_set::load(k_calendars);
    return set;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A copy of the shipped calendar folder, and a folder beside it for the files to import (in
// the calendar folder they would be calendars themselves).
struct calendar_copy : testing::scratch_dir {
    testing::scratch_dir import_dir;
    calendar_copy() : scratch_dir(k_calendars) {}
    [[nodiscard]] fs::path imports() const { return import_dir.path; }
    fs::path write_import(const std::string& name, const std::string& text) const {
        return import_dir.write(name, text);
    }
};

bool has_problem(const std::vector<diagnostic>& ds, std::string_view path, std::string_view text) {
    for (const auto& p : ds)
        if (p.json_path == path && p.message.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("calendar years: the shipped calendar is official to 2026 and provisional to 2035") {
    const calendar& cn = shipped().base();
    CHECK(cn.first_day() == d("2024-01-01"));
    CHECK(cn.last_day() >= d("2035-12-31"));
    for (int y = 2024; y <= 2026; ++y) {
        CAPTURE(y);
        CHECK(cn.status(y) == year_status::official);
        CHECK(cn.source(y).find("国务院办公厅") != std::string::npos);  // the notice
    }
    for (int y = 2027; y <= 2035; ++y) {
        CAPTURE(y);
        CHECK(cn.status(y) == year_status::provisional);
        CHECK_FALSE(cn.source(y).empty());
    }
    CHECK(cn.provisional_years().front() == 2027);
    CHECK_THROWS_AS((void)cn.status(2023), calendar_error);
    CHECK(to_string(year_status::official) == "official");
    CHECK(to_string(year_status::provisional) == "provisional");
    CHECK(cn.version().size() == 12);
    CHECK(cn.version() == calendar::load(k_calendars / "CN.json").version());
    // A region with days of its own has its own version.
    CHECK(shipped().for_region("CN-GX").version() != cn.version());
}

TEST_CASE("calendar years: deadlines across provisional 2027 are computed and marked") {
    const calendar& cn = shipped().base();

    // The issue's example: Mon 2026-12-28 + 5 = Tue 29 (1), Wed 30 (2), Thu 31 (3),
    // [Fri 2027-01-01 元旦], Mon 01-04 (4), Tue 01-05 (5).
    auto r = cn.deadline(d("2026-12-28"), 5);
    CHECK(r.day == d("2027-01-05"));
    CHECK(r.provisional());
    CHECK(r.provisional_years == std::vector<int>{2027});
    CHECK(cn.add_working_days(d("2026-12-28"), 5) == d("2027-01-05"));

    // Wholly inside an official year: not provisional, even when it ends on 12-31.
    r = cn.deadline(d("2026-12-25"), 4);  // Mon 28 .. Thu 31
    CHECK(r.day == d("2026-12-31"));
    CHECK_FALSE(r.provisional());

    // Spring Festival 2027 (provisional): 除夕 Fri 02-05, 初一..初三 Sat 02-06..Mon 02-08, and
    // 补假 for the weekend days on Tue 02-09 and Wed 02-10 (Article 6). No make-up days.
    for (const char* off : {"2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"})
        CHECK_FALSE(cn.is_working_day(d(off)));
    CHECK(cn.add_working_days(d("2027-02-04"), 1) == d("2027-02-11"));
    CHECK(cn.is_working_day(d("2027-02-11")));
    // 30 working days from Mon 2027-01-18: 01-19..22 (4), 01-25..29 (9), 02-01..04 (13),
    // 02-11..12 (15), 02-15..19 (20), 02-22..26 (25), 03-01..05 (30).
    CHECK(cn.add_working_days(d("2027-01-18"), 30) == d("2027-03-05"));

    // National Day 2027: Fri 10-01, Sat 10-02, Sun 10-03 with 补假 Mon 10-04 and Tue 10-05.
    // 15 from Fri 09-24: 09-27..30 (4), 10-06..08 (7), 10-11..15 (12), 10-18..20 (15).
    r = cn.deadline(d("2027-09-24"), 15);
    CHECK(r.day == d("2027-10-20"));
    CHECK(r.provisional_years == std::vector<int>{2027});

    // Backwards: the days counted are [result, from).
    r = cn.deadline(d("2027-01-05"), -2);  // Mon 01-04 (1), Thu 2026-12-31 (2)
    CHECK(r.day == d("2026-12-31"));
    CHECK(r.provisional_years == std::vector<int>{2027});
    r = cn.deadline(d("2026-12-31"), -1);
    CHECK_FALSE(r.provisional());

    // A long count names every provisional year it crosses.
    r = cn.deadline(d("2026-06-01"), 400);
    CHECK(r.provisional_years == std::vector<int>{2027, 2028});
    CHECK(cn.provisional_years_between(d("2030-01-01"), d("2026-01-01")) ==
          std::vector<int>{2027, 2028, 2029, 2030});  // either order; (min, max]
    CHECK(cn.provisional_years_between(d("2026-12-31"), d("2026-12-31")).empty());

    // Past the last covered year is still an error, never a guess.
    CHECK_THROWS_AS((void)cn.deadline(cn.last_day(), 1), calendar_error);
    CHECK_THROWS_AS((void)cn.is_working_day(cn.last_day().add_days(1)), calendar_error);
}

TEST_CASE("calendar years: CN-GX counts 壮族三月三 in official and provisional years") {
    const calendar& gx = shipped().for_region("CN-GX");
    const calendar& cn = shipped().base();
    CHECK(&shipped().for_region("45") == &gx);  // GB/T 2260 code of Guangxi
    CHECK(gx.source(2025).find("广西") != std::string::npos);

    // 2025 (official): 农历三月初三 = Mon 03-31, and Tue 04-01.
    CHECK_FALSE(gx.is_working_day(d("2025-03-31")));
    CHECK_FALSE(gx.is_working_day(d("2025-04-01")));
    CHECK(gx.add_working_days(d("2025-03-28"), 1) == d("2025-04-02"));
    CHECK(cn.add_working_days(d("2025-03-28"), 1) == d("2025-03-31"));
    CHECK(gx.status(2025) == year_status::official);
    CHECK_FALSE(gx.deadline(d("2025-03-28"), 1).provisional());

    // 2024: Thu 04-11 and Fri 04-12: Wed 04-10 + 1 = Mon 04-15.
    CHECK(gx.add_working_days(d("2024-04-10"), 1) == d("2024-04-15"));

    // 2027 (provisional): Fri 04-09 and Sat 04-10, 补假 Mon 04-12 for the Saturday.
    auto r = gx.deadline(d("2027-04-08"), 1);
    CHECK(r.day == d("2027-04-13"));
    CHECK(r.provisional_years == std::vector<int>{2027});
    CHECK(cn.add_working_days(d("2027-04-08"), 1) == d("2027-04-09"));

    // 2033: Sat 04-02 and Sun 04-03; Mon 04-04 is 清明 nationally, so the 补假 days are the next
    // working days, Tue 04-05 and Wed 04-06: Fri 04-01 + 1 = Thu 04-07.
    CHECK(gx.add_working_days(d("2033-04-01"), 1) == d("2033-04-07"));
    CHECK(cn.add_working_days(d("2033-04-01"), 1) == d("2033-04-05"));

    // A region without days of its own follows the national calendar.
    CHECK(&shipped().for_region("CN-GD") == &cn);
}

TEST_CASE("calendar years: lint_calendars collects every problem with file, line and path") {
    calendar_copy dir;
    CHECK(lint_calendars(dir.path).empty());  // the shipped folder is clean

    dir.write("CN.json", R"({
  "name": "CN",
  "2025": {
    "status": "official",
    "off": ["2025-01-01", "2026-01-01"],
    "work": ["2025-01-01", "2025-03-04"]
  },
  "2026": {
    "status": "provisional",
    "source": "statutory",
    "off": ["2026-01-01"],
    "work": ["2026-01-04"]
  },
  "2027": {"status": "draft", "source": "x"}
}
)");
    const auto ds = lint_calendars(dir.path);
    // every problem at once, not the first only
    CHECK(has_problem(ds, "$.2025.status", "needs a \"source\""));
    CHECK(has_problem(ds, "$.2025.off[1]", "listed under year 2025"));
    CHECK(has_problem(ds, "$.2025.work[0]", "already listed at $.2025.off[0]"));
    CHECK(has_problem(ds, "$.2025.work[1]", "already a working day"));
    CHECK(has_problem(ds, "$.2026.work", "a provisional year has no make-up working days"));
    CHECK(has_problem(ds, "$.2027.status", "\"official\" or \"provisional\""));
    for (const auto& p : ds) {
        CAPTURE(p.message);
        CHECK(p.code == "calendar_error");
        CHECK(p.file == (dir.path / "CN.json").string());
        CHECK_FALSE(p.warning);
        CHECK(p.line > 0);
    }
    for (const auto& p : ds)
        if (p.json_path == "$.2025.off[1]") CHECK(p.line == 5);
    // calendar_set::load refuses the same folder (at the first problem)
    CHECK_THROWS_AS((void)calendar_set::load(dir.path), calendar_error);

    SUBCASE("regional days need their regulation") {
        calendar_copy dir2;
        dir2.write("CN-GX.json",
                   R"({"name": "CN-GX", "extends": "CN", "2025": {"off": ["2025-03-31"]}})");
        const auto ds2 = lint_calendars(dir2.path);
        CHECK(has_problem(ds2, "$.2025", "the regulation that gives them"));
        // loading does not insist (only lint does)
        CHECK_NOTHROW((void)calendar_set::load(dir2.path));
    }
    SUBCASE("invalid JSON names the file and the position") {
        calendar_copy dir3;
        dir3.write("CN-GX.json", "{\"name\": \"CN-GX\",\n \"extends\": }");
        const auto ds3 = lint_calendars(dir3.path);
        REQUIRE(ds3.size() == 1);
        CHECK(ds3[0].file == (dir3.path / "CN-GX.json").string());
        CHECK(ds3[0].message.find("line 2") != std::string::npos);
    }
}

TEST_CASE("calendar years: lint catches duplicate keys, names, legacy years, missing years") {
    calendar_copy dir;
    SUBCASE("a key twice: the last would silently win") {
        dir.write("CN.json", R"({
  "name": "CN",
  "2026": {"status": "official", "source": "a", "off": []},
  "2026": {"status": "official", "source": "b", "off": ["2026-01-01"]}
})");
        const auto ds = lint_calendars(dir.path);
        CHECK(has_problem(ds, "$.2026", "appears twice"));
        CHECK_THROWS_AS((void)calendar_set::load(dir.path), calendar_error);
        CHECK_THROWS_AS((void)calendar::load(dir.path / "CN.json"), calendar_error);
    }
    SUBCASE("a file without statuses (written before years had one) is a warning, not an error") {
        dir.write("CN.json", R"({"name": "CN", "2026": {"off": ["2026-01-01"]}})");
        for (const auto& e : fs::directory_iterator(dir.path))
            if (e.path().filename() != "CN.json") fs::remove(e.path());
        const auto ds = lint_calendars(dir.path);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].warning);
        CHECK(ds[0].json_path == "$.2026");
        CHECK(ds[0].line == 1);
        CHECK(calendar_set::load(dir.path).base().status(2026) == year_status::official);
    }
    SUBCASE("an overlay: provisional make-up days, a wrong name, a missing year") {
        dir.write("CN-XJ.json", R"({"name": "CN-GX", "extends": "CN",
 "2027": {"status": "provisional", "off": [], "work": ["2027-02-06"]}})");
        const auto ds = lint_calendars(dir.path);
        CHECK(has_problem(ds, "$.2027.work", "a provisional year has no make-up working days"));
        CHECK(has_problem(ds, "$.name", "does not match the file name"));
        CHECK(has_problem(ds, "$.2027", "the regulation that gives them"));
        CHECK(has_problem(ds, "$", "no entry for 2024"));
    }
}

TEST_CASE("calendar years: a set knows when its files changed on disk") {
    calendar_copy dir;
    const auto set = calendar_set::load(dir.path);
    CHECK(set.dir() == dir.path);
    CHECK_FALSE(set.changed_on_disk());
    REQUIRE(import_calendar(dir.path, k_fixture).ok());
    CHECK(set.changed_on_disk());
    CHECK_FALSE(calendar_set::load(dir.path).changed_on_disk());
    fs::remove_all(dir.path);
    CHECK(set.changed_on_disk());
}

TEST_CASE("calendar years: importing an official year replaces the provisional one") {
    calendar_copy dir;
    const auto before_text = read(dir.path / "CN.json");

    SUBCASE("a dry run reports and writes nothing") {
        const auto r = import_calendar(dir.path, k_fixture, true);
        REQUIRE(r.ok());
        CHECK(r.written.empty());
        CHECK(read(dir.path / "CN.json") == before_text);
        REQUIRE(r.changes.size() == 1);
        CHECK(r.changes[0].calendar == "CN");
        CHECK(r.changes[0].year == 2027);
        CHECK(r.changes[0].before == year_status::provisional);
        CHECK(r.changes[0].after == year_status::official);
        // Thu 02-11 and Fri 02-12 are now off; Sat 02-20 is a make-up working day.
        CHECK(r.changes[0].now_off == std::vector<date>{d("2027-02-11"), d("2027-02-12")});
        CHECK(r.changes[0].now_working == std::vector<date>{d("2027-02-20")});
    }
    SUBCASE("written: the year is official, other years untouched, and deadlines move") {
        const auto old_set = calendar_set::load(dir.path);
        const auto r = import_calendar(dir.path, k_fixture);
        REQUIRE(r.ok());
        CHECK(r.written == dir.path / "CN.json");
        const auto set = calendar_set::load(dir.path);
        CHECK(set.base().status(2027) == year_status::official);
        CHECK(set.base().source(2027).find("TEST FIXTURE") != std::string::npos);
        CHECK(set.base().status(2028) == year_status::provisional);
        CHECK(set.base().status(2026) == year_status::official);
        CHECK(set.base().version() != old_set.base().version());
        // 30 from Mon 2027-01-18 was 03-05; now 02-11 and 02-12 are off and Sat 02-20 works:
        // 01-19..22 (4), 01-25..29 (9), 02-01..04 (13), 02-15..19 (18), 02-20 (19),
        // 02-22..26 (24), 03-01..05 (29), Mon 03-08 (30).
        const auto moved = set.base().deadline(d("2027-01-18"), 30);
        CHECK(moved.day == d("2027-03-08"));
        CHECK_FALSE(moved.provisional());
        // The regions see the new national year too.
        CHECK(set.for_region("CN-GX").status(2027) == year_status::provisional);  // its own days
        CHECK(set.for_region("CN-GX").add_working_days(d("2027-02-10"), 1) == d("2027-02-15"));
        // The file stays in the house style: a year's lists on one line each.
        const auto text = read(dir.path / "CN.json");
        CHECK(text.find("\"2027\": {\n    \"status\": \"official\",") != std::string::npos);
        CHECK(lint_calendars(dir.path).empty());
        // Importing it again changes no day.
        const auto again = import_calendar(dir.path, k_fixture);
        REQUIRE(again.ok());
        CHECK(again.changes[0].before == year_status::official);
        CHECK(again.changes[0].now_off.empty());
        CHECK(again.changes[0].now_working.empty());
    }
    SUBCASE("a bad file is refused whole, with its line and path, and nothing is written") {
        const auto bad = dir.write_import("bad-2027.json", R"({
  "name": "CN",
  "2027": {
    "status": "official",
    "source": "a notice",
    "off": ["2027-01-01", "2027-13-01"],
    "work": ["2027-02-17"]
  }
})");
        const auto r = import_calendar(dir.path, bad);
        CHECK_FALSE(r.ok());
        CHECK(r.written.empty());
        CHECK(has_problem(r.problems, "$.2027.off[1]", "not a real YYYY-MM-DD date"));
        CHECK(has_problem(r.problems, "$.2027.work[0]", "already a working day"));
        for (const auto& p : r.problems) {
            CHECK(p.file == bad.string());
            CHECK(p.line > 0);
        }
        CHECK(read(dir.path / "CN.json") == before_text);
    }
    SUBCASE("an official year must name its source") {
        const auto bad =
            dir.write_import("nosource.json", R"({"name": "CN", "2027": {"off": ["2027-01-01"]}})");
        const auto r = import_calendar(dir.path, bad);
        CHECK(has_problem(r.problems, "$.2027", "needs a \"source\""));
        CHECK(read(dir.path / "CN.json") == before_text);
    }
    SUBCASE("years must stay contiguous; one more year at the end is fine") {
        const auto gap =
            dir.write_import("gap.json", R"({"name": "CN", "2040": {"status": "official",
            "source": "a notice", "off": ["2040-01-01"]}})");
        const auto r = import_calendar(dir.path, gap);
        CHECK_FALSE(r.ok());
        CHECK(has_problem(r.problems, "$.2040", "contiguous"));
        const int next = shipped().base().last_year() + 1;
        const auto y = std::to_string(next);
        const auto more =
            dir.write_import("more.json", R"({"name": "CN", ")" + y +
                                              R"(": {"status": "provisional", "source":
            "statutory", "off": [")" + y + R"(-01-01"]}})");
        const auto r2 = import_calendar(dir.path, more);
        REQUIRE(r2.ok());
        CHECK_FALSE(r2.changes[0].before.has_value());
        const auto set = calendar_set::load(dir.path);
        CHECK(set.base().last_year() == next);
        // The regional overlays do not list the new year yet: said, and provisional there.
        CHECK(has_problem(r2.problems, "$", "no entry for " + y));
        CHECK(set.for_region("CN-GX").status(next) == year_status::provisional);
    }
    SUBCASE("a region's days: its overlay is created when it has none") {
        const auto sh = dir.write_import("sh.json", R"({"name": "CN-SH", "extends": "CN",
            "source": "a regulation of the region", "2027": {"off": ["2027-03-01"]}})");
        const auto r = import_calendar(dir.path, sh);
        REQUIRE(r.ok());
        CHECK(r.written == dir.path / "CN-SH.json");
        REQUIRE(r.changes.size() == 1);
        CHECK_FALSE(r.changes[0].before.has_value());  // new for the region
        const auto set = calendar_set::load(dir.path);
        CHECK_FALSE(set.for_region("CN-SH").is_working_day(d("2027-03-01")));
        CHECK(set.base().is_working_day(d("2027-03-01")));
        // The region had no days of its own in the other years: they are recorded as {}
        // and keep their status.
        CHECK(set.for_region("CN-SH").status(2026) == year_status::official);
        CHECK(set.for_region("CN-SH").status(2027) == year_status::provisional);  // the base's
        CHECK(read(dir.path / "CN-SH.json").find("\"2026\": {}") != std::string::npos);
        CHECK(lint_calendars(dir.path).empty());
        // Its regulation is kept; a year imported later under another regulation cites it.
        const auto sh2 = dir.write_import("sh2.json", R"({"name": "CN-SH", "extends": "CN",
            "source": "another regulation", "2028": {"off": ["2028-03-01"]}})");
        REQUIRE(import_calendar(dir.path, sh2).ok());
        const auto sh_file = read(dir.path / "CN-SH.json");
        CHECK(sh_file.find("\"source\": \"a regulation of the region\"") != std::string::npos);
        CHECK(sh_file.find("\"source\": \"another regulation\"") != std::string::npos);
        CHECK(calendar_set::load(dir.path).for_region("CN-SH").source(2028).find(
                  "another regulation") != std::string::npos);
    }
    SUBCASE("the same days in another order, or with the status written out, change nothing") {
        REQUIRE(import_calendar(dir.path, k_fixture).ok());
        json fx = json::parse(read(k_fixture));
        auto& off = fx["2027"]["off"];
        std::reverse(off.begin(), off.end());
        fx["2027"]["source"] = "the same notice, cited differently";
        const auto rev = dir.write_import("rev.json", fx.dump());
        const auto r = import_calendar(dir.path, rev);
        REQUIRE(r.ok());
        CHECK(r.written.empty());
        const auto gx = dir.write_import("gx.json", R"({"name": "CN-GX", "extends": "CN",
            "2025": {"status": "official", "source": "the notice", "off": ["2025-04-01", "2025-03-31"]}})");
        const auto r2 = import_calendar(dir.path, gx);
        REQUIRE(r2.ok());
        CHECK(r2.written.empty());
    }
    SUBCASE("an official year that leaves a statutory day working is imported with a warning") {
        const auto thin = dir.write_import("thin.json", R"({"name": "CN", "2027": {
            "status": "official", "source": "a notice", "off": ["2027-01-01"]}})");
        const auto r = import_calendar(dir.path, thin, true);
        REQUIRE(r.ok());
        CHECK(has_problem(r.problems, "$.2027", "2027-02-05 is a statutory day off"));
        CHECK(has_problem(r.problems, "$.2027", "2027-10-01 is a statutory day off"));
    }
    SUBCASE("a year far from the covered ones is refused at its line in the import file") {
        const auto far = dir.write_import("far.json",
                                          "{\"name\": \"CN\",\n \"1970\": {\"status\": "
                                          "\"official\", \"source\": \"x\", \"off\": []}}");
        const auto r = import_calendar(dir.path, far);
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].file == far.string());
        CHECK(r.problems[0].json_path == "$.1970");
        CHECK(r.problems[0].line == 2);
        CHECK(r.problems[0].message.find("contiguous") != std::string::npos);
    }
    SUBCASE("a dry run takes no lock (it works on a folder it may not write)") {
        REQUIRE(import_calendar(dir.path, k_fixture, true).ok());
        CHECK_FALSE(fs::exists(dir.path / ".calendar-import.lock"));
    }
    SUBCASE("two folders whose CN.json links to one file: imports into both keep both years") {
        testing::scratch_dir shared;
        const auto real = shared.write("CN.json", read(dir.path / "CN.json"));
        calendar_copy other;
        for (const auto* folder : {&dir.path, &other.path}) {
            fs::remove(*folder / "CN.json");
            fs::create_symlink(real, *folder / "CN.json");
        }
        const auto y2028 = dir.write_import("y2028.json", R"({"name": "CN", "2028": {
            "status": "official", "source": "a notice", "off": ["2028-01-03"], "work": []}})");
        for (int round = 0; round < 3; ++round) {
            std::thread t1([&] { (void)import_calendar(dir.path, k_fixture); });
            std::thread t2([&] { (void)import_calendar(other.path, y2028); });
            t1.join();
            t2.join();
        }
        const auto set = calendar_set::load(dir.path);
        CHECK(set.base().status(2027) == year_status::official);
        CHECK(set.base().status(2028) == year_status::official);
    }
    SUBCASE("an official year is not replaced by other days unless asked") {
        REQUIRE(import_calendar(dir.path, k_fixture).ok());
        const auto after_fixture = read(dir.path / "CN.json");
        // the same days again: nothing to do, nothing written
        const auto same = import_calendar(dir.path, k_fixture);
        CHECK(same.ok());
        CHECK(same.written.empty());
        const auto other = dir.write_import("other.json", R"({"name": "CN", "2027": {
            "status": "provisional", "source": "statutory", "off": ["2027-01-01"]}})");
        const auto r = import_calendar(dir.path, other);
        CHECK(has_problem(r.problems, "$.2027", "is official already"));
        CHECK(read(dir.path / "CN.json") == after_fixture);
        calendar_import_options force;
        force.replace_official = true;
        const auto forced = import_calendar(dir.path, other, force);
        REQUIRE(forced.ok());
        CHECK(calendar_set::load(dir.path).base().status(2027) == year_status::provisional);
        // 2024 likewise
        const auto y2024 = dir.write_import("y2024.json", R"({"name": "CN", "2024": {
            "status": "official", "source": "a notice", "off": ["2024-01-01"]}})");
        CHECK(has_problem(import_calendar(dir.path, y2024).problems, "$.2024", "official already"));
    }
    SUBCASE("two imports at once keep both years") {
        const auto y2028 = dir.write_import("y2028.json", R"({"name": "CN", "2028": {
            "status": "official", "source": "a notice", "off": ["2028-01-03"], "work": []}})");
        for (int round = 0; round < 3; ++round) {
            calendar_import_report a, b;
            std::thread t1([&] { a = import_calendar(dir.path, k_fixture); });
            std::thread t2([&] { b = import_calendar(dir.path, y2028); });
            t1.join();
            t2.join();
            CHECK(a.ok());
            CHECK(b.ok());
        }
        const auto set = calendar_set::load(dir.path);
        CHECK(set.base().status(2027) == year_status::official);
        CHECK(set.base().status(2028) == year_status::official);
        CHECK(lint_calendars(dir.path).empty());
        // no temporary file is left behind
        for (const auto& e : fs::directory_iterator(dir.path))
            CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
    SUBCASE("a symbolic link to the calendar file: its target is replaced") {
        const auto real = dir.import_dir.write("real-CN.json", read(dir.path / "CN.json"));
        fs::remove(dir.path / "CN.json");
        fs::create_symlink(real, dir.path / "CN.json");
        REQUIRE(import_calendar(dir.path, k_fixture).ok());
        CHECK(fs::is_symlink(dir.path / "CN.json"));
        CHECK(calendar_set::load(dir.path).base().status(2027) == year_status::official);
    }
    SUBCASE("the import file's own problems name its lines") {
        const auto dup = dir.write_import("dup.json", R"({
  "name": "CN",
  "2027": {"status": "official", "source": "a", "off": ["2027-01-01"]},
  "2027": {"status": "official", "source": "b", "off": ["2027-01-02"]}
})");
        auto r = import_calendar(dir.path, dup);
        REQUIRE_FALSE(r.ok());
        CHECK(has_problem(r.problems, "$.2027", "appears twice"));
        CHECK(r.problems[0].file == dup.string());
        CHECK(r.problems[0].line == 3);
        const auto extends = dir.write_import("ext.json", R"({"name": "CN", "extends": "CN",
            "2027": {"status": "official", "source": "a", "off": []}})");
        CHECK(has_problem(import_calendar(dir.path, extends).problems, "$.extends",
                          "extends nothing"));
        const auto unknown = dir.write_import("unknown.json", R"({"name": "CN", "2027x": {},
            "2027": {"status": "official", "source": "a", "off": []}})");
        CHECK(has_problem(import_calendar(dir.path, unknown).problems, "$.2027x", "4-digit year"));
        r = import_calendar(dir.path, dir.imports());
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].message == "not a file");
        CHECK(read(dir.path / "CN.json") == before_text);
    }
    SUBCASE("names that are neither the base nor a region") {
        const auto hk = dir.write_import("hk.json", R"({"name": "CN-HK", "extends": "CN",
            "source": "x", "2027": {"off": ["2027-03-01"]}})");
        CHECK(has_problem(import_calendar(dir.path, hk).problems, "$.name", "neither"));
        const auto none = dir.write_import("none.json", R"({"2027": {}})");
        CHECK(has_problem(import_calendar(dir.path, none).problems, "$.name", "must be named"));
        const auto r = import_calendar(dir.path, dir.imports() / "missing.json");
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].message == "no such file");  // as every reader says it
    }
}
