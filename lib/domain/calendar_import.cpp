// Importing official calendar years (docs/calendars.md, "Importing an official year").

#include "telecomply/domain/calendar_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/file_io.hpp"
#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

bool is_year_key(const std::string& key) {
    return key.size() == 4 &&
           std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string dump(const ojson& j) {
    return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// An array on one line with ", " between items, as the shipped files are written.
std::string dump_inline(const ojson& j) {
    if (!j.is_array()) return dump(j);
    std::string out = "[";
    for (std::size_t i = 0; i < j.size(); ++i)
        out += (i == 0 ? "" : ", ") + dump(j[i]);
    return out + "]";
}

// The house style of calendar files: one member per line, a year's members on lines of their
// own, lists on one line (a year's days read at a glance, and a diff shows the days changed).
std::string format_calendar(const ojson& doc) {
    std::string out = "{\n";
    std::size_t i = 0;
    for (const auto& [key, value] : doc.items()) {
        out += "  " + dump(ojson(key)) + ": ";
        if (value.is_object() && !value.empty()) {
            out += "{\n";
            std::size_t k = 0;
            for (const auto& [yk, yv] : value.items()) {
                out += "    " + dump(ojson(yk)) + ": " + dump_inline(yv);
                out += ++k < value.size() ? ",\n" : "\n";
            }
            out += "  }";
        } else {
            out += dump_inline(value);
        }
        out += ++i < doc.size() ? ",\n" : "\n";
    }
    return out + "}\n";
}

// A year's members in the order status, source, off, work, then comments.
ojson ordered_year(const ojson& y) {
    ojson out = ojson::object();
    for (const char* k : {"status", "source", "off", "work"})
        if (y.contains(k)) out[k] = y[k];
    for (const auto& [k, v] : y.items())
        if (!out.contains(k)) out[k] = v;
    return out;
}

// Metadata first (in the order written), then the years ascending.
ojson ordered_document(const ojson& doc) {
    ojson out = ojson::object();
    std::vector<std::string> years;
    for (const auto& [k, v] : doc.items()) {
        if (is_year_key(k))
            years.push_back(k);
        else
            out[k] = v;
    }
    std::sort(years.begin(), years.end());
    for (const auto& y : years)
        out[y] = doc[y];
    return out;
}

std::string read_bytes(const fs::path& file) {
    return detail::read_file(file, errc::calendar_error);
}

void write_bytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.flush();
    if (!out) throw calendar_error("cannot write '" + file.string() + "'");
}

[[noreturn]] void os_fail(const std::string& doing, const fs::path& file) {
    throw calendar_error("cannot " + doing + " '" + file.string() + "': " + std::strerror(errno));
}

// An exclusive lock on a calendar folder for one import: two imports at once would each merge
// into the file as it was and the later rename would drop the other's years.
class folder_lock {
  public:
    explicit folder_lock(const fs::path& dir) {
        const fs::path file = dir / ".calendar-import.lock";
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) os_fail("lock", file);
        while (::flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) os_fail("lock", file);
    }
    ~folder_lock() { ::close(fd_); }  // closing releases the lock
    folder_lock(const folder_lock&) = delete;
    folder_lock& operator=(const folder_lock&) = delete;

  private:
    int fd_ = -1;
};

// A scratch folder, removed when done.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        static std::atomic<unsigned> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path =
            fs::temp_directory_path() / ("telecomply-calendar-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(stamp) + "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
};

// Copies the calendar files of `from` into `to`.
void copy_calendars(const fs::path& from, const fs::path& to) {
    for (const auto& entry : fs::directory_iterator(from))
        if (entry.path().extension() == ".json" && entry.is_regular_file())
            fs::copy_file(entry.path(), to / entry.path().filename(),
                          fs::copy_options::overwrite_existing);
}

// Diagnostics found in a scratch copy, told as the files the user knows: problems of the
// imported years point into the import file (its lines), the others to the real calendar file
// (without a line: the merged text was not written).
void rename_files(std::vector<diagnostic>& ds, const fs::path& scratch, const fs::path& real_dir,
                  const fs::path& target_name, const fs::path& imported,
                  std::string_view imported_text, const std::vector<std::string>& years) {
    for (auto& d : ds) {
        const fs::path p(d.file);
        if (p == scratch) {
            d.file = real_dir.string();
            continue;
        }
        if (p.parent_path() != scratch) continue;
        const bool in_import = p.filename() == target_name &&
                               std::any_of(years.begin(), years.end(), [&](const std::string& y) {
                                   const auto prefix = "$." + y;
                                   return d.json_path == prefix ||
                                          d.json_path.starts_with(prefix + ".") ||
                                          d.json_path.starts_with(prefix + "[");
                               });
        if (in_import) {
            d.file = imported.string();
            d.line = detail::line_of(imported_text, d.json_path);
        } else {
            d.file = (real_dir / p.filename()).string();
            d.line = 0;
        }
    }
}

// `$.2027`: a calendar's paths spell year keys plainly (as its diagnostics do).
std::string year_path(std::string parent, std::string_view key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
    return plain ? std::move(parent) + "." + std::string(key)
                 : std::move(parent) + "[" + ojson(std::string(key)).dump() + "]";
}

// The folders whose lock an import of `target_name` takes: the calendar folder, and the folder
// of the file it really writes when that file is a symbolic link, ascending by their real paths
// (scripts/gen_calendars.py takes the same locks in the same order).
std::vector<fs::path> lock_folders(const fs::path& calendars_dir, const fs::path& target) {
    std::error_code ec;
    std::vector<fs::path> out{fs::weakly_canonical(calendars_dir, ec)};
    if (ec) out[0] = calendars_dir;
    if (fs::is_symlink(target, ec)) {
        const auto real = fs::weakly_canonical(target, ec);
        if (!ec) out.push_back(real.parent_path());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// A year's days as sets, with its status: what an official year's "the same days" means (the
// order of a list, its source text and comments do not count).
struct year_days {
    std::string status;
    std::set<std::string> off, work;
    bool operator==(const year_days&) const = default;
};
year_days days_of(const ojson& y) {
    year_days d;
    if (!y.is_object()) return d;
    d.status = y.value("status", std::string("official"));  // absent: not provisional
    for (const char* k : {"off", "work"})
        if (y.contains(k) && y[k].is_array())
            for (const auto& x : y[k])
                if (x.is_string()) (k[0] == 'o' ? d.off : d.work).insert(x.get<std::string>());
    return d;
}

}  // namespace

calendar_import_report import_calendar(const fs::path& calendars_dir, const fs::path& file,
                                       const calendar_import_options& options) {
    calendar_import_report report;
    auto problem = [&](const std::string& path, const std::string& message,
                       std::string_view text = {}) {
        report.problems.push_back({file.string(),
                                   text.empty() || path.empty() ? 0 : detail::line_of(text, path),
                                   path, message, false, "calendar_error"});
        return report;
    };
    auto warn = [&](const std::string& path, const std::string& message, std::string_view text) {
        report.problems.push_back(
            {file.string(), detail::line_of(text, path), path, message, true, "calendar_error"});
    };

    // The file to import: read before the folder is locked (it may be slow to come).
    std::error_code ec;
    if (file.native().find('\0') != std::string::npos)
        return problem("", "the file name contains a NUL character");
    if (!fs::exists(file, ec)) return problem("", "no such file");
    if (!fs::is_regular_file(file, ec)) return problem("", "not a file");
    std::string text;
    try {
        text = read_bytes(file);
    } catch (const calendar_error& e) {
        return problem("", e.what());
    }
    ojson in;
    try {
        in = ojson::parse(text);
    } catch (const ojson::exception& e) {
        // a syntax error or an unrepresentable number (1e400): the line and the JSON path
        const auto f = detail::find_json_failure(text, &year_path);
        if (!f) return problem("", "invalid JSON: " + detail::json_error_message(e));
        report.problems.push_back({file.string(), detail::line_at_byte(text, f->byte), f->path,
                                   "invalid JSON: " + f->message, false, "calendar_error"});
        return report;
    }
    // what nlohmann reads without complaint but no other reader does: a NUL byte (the end of
    // the text to nlohmann), nesting too deep, an integer beyond 64 bits
    if (const auto f = detail::find_json_failure(text, &year_path)) {
        report.problems.push_back({file.string(), detail::line_at_byte(text, f->byte), f->path,
                                   "invalid JSON: " + f->message, false, "calendar_error"});
        return report;
    }
    if (!in.is_object()) return problem("$", "expected a calendar document (a JSON object)");
    for (const auto& path : detail::duplicate_keys(text, &year_path))
        problem(path, "this key appears twice in its object (the last would silently win)", text);
    if (!report.ok()) return report;

    // The calendar it goes into, and the locks (a dry run only reads: it takes none, so it
    // works on a folder it may not write).
    const auto name_it = in.find("name");
    const std::string name =
        name_it != in.end() && name_it->is_string() ? name_it->get<std::string>() : std::string();
    const std::string target_name = name + ".json";
    std::vector<std::unique_ptr<folder_lock>> locks;
    if (!options.dry_run && !name.empty())
        for (const auto& folder : lock_folders(calendars_dir, calendars_dir / target_name))
            locks.push_back(std::make_unique<folder_lock>(folder));
    // The folder as it is must be sound: an import does not paper over other problems.
    for (auto& d : lint_calendars(calendars_dir))
        if (!d.warning) report.problems.push_back(std::move(d));
    if (!report.ok()) return report;
    const auto current = calendar_set::load(calendars_dir);
    const std::string& base_name = current.base().name();

    if (name.empty())
        return problem("$.name",
                       "the calendar to import into must be named: \"" + base_name +
                           "\" or a region's ISO 3166-2 code (\"CN-GX\")",
                       text);
    const bool is_base = name == base_name;
    if (is_base && in.contains("extends"))
        return problem("$.extends",
                       "the national calendar \"" + base_name +
                           "\" extends nothing; \"extends\" is for a region's days",
                       text);
    if (!is_base) {
        const auto* region = find_region(name);
        if (region == nullptr || region->iso != name)
            return problem("$.name",
                           "\"" + name + "\" is neither the base calendar \"" + base_name +
                               "\" nor the ISO 3166-2 code of a province-level region",
                           text);
        if (!in.contains("extends"))
            return problem("$",
                           "a region's days are an overlay: add \"extends\": \"" + base_name + "\"",
                           text);
    }

    std::vector<std::string> years;
    for (const auto& [k, v] : in.items()) {
        if (!is_year_key(k)) continue;
        years.push_back(k);
        if (!v.is_object()) continue;  // lint below says what is wrong
        const bool official = !v.contains("status") || v["status"] == "official";
        const bool has_source = (v.contains("source") && v["source"].is_string() &&
                                 !v["source"].get<std::string>().empty()) ||
                                (!is_base && in.contains("source"));
        if (official && !has_source)
            problem("$." + k, "an official year needs a \"source\": the notice it comes from",
                    text);
    }
    if (years.empty())
        return problem("$", "no year to import (expected keys such as \"2027\")", text);
    // The covered years must stay contiguous: a year may be added next to them only.
    {
        std::set<int> all;
        for (int y = current.base().first_year(); y <= current.base().last_year(); ++y)
            all.insert(y);
        for (const auto& y : years)
            all.insert(std::stoi(y));
        for (const auto& y : years) {
            const int n = std::stoi(y);
            const int lo = *all.begin();
            const int hi = *all.rbegin();
            // a year beyond a gap: the years between it and the covered ones are missing
            bool gap = false;
            for (int m = std::min(n, lo); m <= std::max(n, hi) && !gap; ++m)
                gap = all.count(m) == 0;
            if (gap && (n < current.base().first_year() || n > current.base().last_year()))
                problem("$." + y,
                        "year " + y + " is not next to the covered years " +
                            std::to_string(current.base().first_year()) + "-" +
                            std::to_string(current.base().last_year()) +
                            ": the years must stay contiguous (import the years between first)",
                        text);
        }
    }

    // The import file on its own: its dates, lists, keys and statuses, with its own lines.
    // (For a region, next to the base; the years it does not list are not its business.)
    {
        scratch_dir alone;
        if (!is_base) copy_calendars(calendars_dir, alone.path);
        for (const auto& entry : fs::directory_iterator(alone.path))
            if (entry.path().filename() != base_name + ".json") fs::remove(entry.path());
        write_bytes(alone.path / target_name, text);
        auto ds = lint_calendars(alone.path);
        std::erase_if(ds, [](const diagnostic& d) { return d.warning; });
        rename_files(ds, alone.path, calendars_dir, target_name, file, text, years);
        for (auto& d : ds) {
            if (d.file == (calendars_dir / target_name).string()) d.file = file.string();
            // a gap is said once, above
            if (d.message.find("must be contiguous") == std::string::npos)
                report.problems.push_back(std::move(d));
        }
    }
    if (!report.ok()) return report;

    // Merge into the calendar's file: each imported year replaces its namesake.
    const fs::path target = calendars_dir / target_name;
    const bool existed = fs::exists(target, ec);
    const std::string before_text = existed ? read_bytes(target) : std::string();
    const ojson before_doc = existed ? ojson::parse(before_text) : ojson::object();
    ojson doc = before_doc;
    if (!existed) {
        doc["name"] = name;
        doc["extends"] = base_name;
        // The region had no days of its own in the years it does not import: say so ({}),
        // rather than leave them unknown (provisional).
        for (int y = current.base().first_year(); y <= current.base().last_year(); ++y)
            if (!in.contains(std::to_string(y))) doc[std::to_string(y)] = ojson::object();
    }
    std::string regulation;
    if (!is_base && in.contains("source") && in["source"].is_string()) {
        regulation = in["source"].get<std::string>();
        if (!doc.contains("source")) doc["source"] = regulation;
    }
    for (const auto& y : years) {
        ojson year = ordered_year(in[y]);
        if (is_base && !year.contains("status")) {
            ojson with_status = ojson::object();
            with_status["status"] = "official";
            for (const auto& [k, v] : year.items())
                with_status[k] = v;
            year = std::move(with_status);
        }
        // A regional year cites the regulation of its file when the overlay cites another.
        if (!regulation.empty() && !year.contains("source") &&
            doc.value("source", "") != regulation) {
            ojson with_source = ojson::object();
            for (const auto& [k, v] : year.items()) {
                with_source[k] = v;
                if (k == "status") with_source["source"] = regulation;
            }
            if (!with_source.contains("source")) {
                ojson first = ojson::object();
                first["source"] = regulation;
                for (const auto& [k, v] : with_source.items())
                    first[k] = v;
                with_source = std::move(first);
            }
            year = std::move(with_source);
        }
        if (doc.contains(y) && days_of(doc[y]) == days_of(year)) continue;  // kept as written
        // An official year is the published arrangement: replacing it with other days (a
        // correction, or a provisional year) must be asked for. (`{}`, a year without days
        // or source, holds nothing to lose.)
        const bool was_official = doc.contains(y) && doc[y].is_object() && !doc[y].empty() &&
                                  doc[y].value("status", "official") != "provisional";
        if (was_official && !options.replace_official)
            problem("$." + y,
                    "year " + y + " of " + target_name + " is official already (" +
                        doc[y].value("source", std::string("no source")) +
                        ") and the file gives other days; to replace it, import with "
                        "--replace-official (replace_official)",
                    text);
        doc[y] = std::move(year);
    }
    if (!report.ok()) return report;
    doc = ordered_document(doc);
    const std::string merged = format_calendar(doc);

    // The folder with the merged file must pass every check (warnings are reported).
    scratch_dir after;
    copy_calendars(calendars_dir, after.path);
    write_bytes(after.path / target_name, merged);
    auto ds = lint_calendars(after.path);
    rename_files(ds, after.path, calendars_dir, target_name, file, text, years);
    for (auto& d : ds)
        report.problems.push_back(std::move(d));
    if (!report.ok()) return report;
    const auto updated = calendar_set::load(after.path);

    for (const auto& y : years) {
        calendar_year_change ch;
        ch.calendar = name;
        ch.year = std::stoi(y);
        const calendar& old_cal = current.for_region(name);
        const calendar& new_cal = updated.for_region(name);
        if (ch.year >= old_cal.first_year() && ch.year <= old_cal.last_year() &&
            (is_base || before_doc.contains(y)))
            ch.before = old_cal.status(ch.year);
        ch.after = new_cal.status(ch.year);
        for (date d = *date::from_ymd(ch.year, 1, 1); d.year() == ch.year; d = d.add_days(1)) {
            const bool was = old_cal.covers(d) ? old_cal.is_working_day(d) : !d.is_weekend();
            const bool now = new_cal.is_working_day(d);
            if (was && !now) ch.now_off.push_back(d);
            if (!was && now) {
                ch.now_working.push_back(d);
                // An official arrangement moves weekends, never the statutory days themselves.
                if (ch.before == year_status::provisional && !d.is_weekend())
                    warn("$." + y,
                         d.to_string() +
                             " is a statutory day off in the provisional year but a "
                             "working day in the imported one: check the notice",
                         text);
            }
        }
        report.changes.push_back(std::move(ch));
    }
    std::sort(report.changes.begin(), report.changes.end(),
              [](const auto& a, const auto& b) { return a.year < b.year; });
    if (options.dry_run) return report;
    if (existed && merged == before_text) return report;  // nothing to write

    detail::replace_file(target, merged, errc::calendar_error);
    report.written = target;
    return report;
}

calendar_import_report import_calendar(const fs::path& calendars_dir, const fs::path& file,
                                       bool dry_run) {
    calendar_import_options o;
    o.dry_run = dry_run;
    return import_calendar(calendars_dir, file, o);
}

}  // namespace telecomply
