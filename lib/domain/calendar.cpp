#include "telecomply/domain/calendar.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/digest.hpp"
#include "base/enum_names.hpp"
#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

namespace detail {

/// The precomputed tables of a calendar. Day i is first + i; the working flag of day i is
/// cum[i + 1] - cum[i], so one table answers both is_working_day and working_days_between.
struct calendar_data {
    std::string name;
    int first_year = 0;
    int last_year = 0;
    date first;
    date last;
    std::vector<std::int32_t> cum;      ///< cum[i] = working days among days [0, i); size N + 1
    std::vector<std::int32_t> working;  ///< offsets of the working days, ascending
    std::vector<year_status> status;    ///< per year, from first_year
    std::vector<std::string> source;    ///< per year, from first_year
    std::string version;                ///< see calendar::version()

    [[nodiscard]] std::size_t index(date d) const noexcept {
        return static_cast<std::size_t>(d - first);
    }
    [[nodiscard]] bool working_at(std::size_t i) const noexcept { return cum[i + 1] != cum[i]; }
    [[nodiscard]] std::string years() const {
        return first_year == last_year
                   ? std::to_string(first_year)
                   : std::to_string(first_year) + "-" + std::to_string(last_year);
    }
};

}  // namespace detail

namespace {
constexpr auto k_year_status_names = detail::make_enum_names<year_status>({
    {year_status::official, "official"},
    {year_status::provisional, "provisional"},
});
}  // namespace

std::string_view to_string(year_status s) noexcept {
    return k_year_status_names.name(s, "provisional");
}

namespace {

using json = nlohmann::json;
using detail::calendar_data;

// Where problems go: thrown as calendar_error (loading), or collected as diagnostics (lint),
// in which case the caller skips the offending item and goes on.
class reporter {
  public:
    /// `label` prefixes thrown messages ("calendar file 'x.json'"); with a sink, problems are
    /// collected as diagnostics of `file`, with lines looked up in `text` when given.
    reporter(std::string label, std::vector<diagnostic>* sink = nullptr, std::string file = {},
             std::string_view text = {})
        : label_(std::move(label)), sink_(sink), file_(std::move(file)), text_(text) {}

    void error(const std::string& path, const std::string& message) { add(path, message, false); }
    void warning(const std::string& path, const std::string& message) { add(path, message, true); }
    [[nodiscard]] bool failed() const noexcept { return errors_ != 0; }
    [[nodiscard]] bool collecting() const noexcept { return sink_ != nullptr; }
    [[nodiscard]] const std::string& label() const noexcept { return label_; }

  private:
    void add(const std::string& path, const std::string& message, bool warning) {
        if (sink_ == nullptr) {
            if (warning) return;
            throw calendar_error(label_ + ": " + path + ": " + message);
        }
        if (!warning) ++errors_;
        const std::uint32_t line = text_.empty() || path.empty() ? 0 : detail::line_of(text_, path);
        sink_->push_back({file_, line, path, message, warning, "calendar_error"});
    }
    std::string label_;
    std::vector<diagnostic>* sink_;
    std::string file_;
    std::string_view text_;
    std::size_t errors_ = 0;
};

// `$.2025` for plain keys, `$["odd key"]` otherwise, so every path can be pasted back.
std::string member_path(const std::string& parent, const std::string& key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    });
    return plain ? parent + "." + key : parent + "[" + json(key).dump() + "]";
}

std::string calendar_path(std::string parent, std::string_view key) {
    return member_path(parent, std::string(key));
}

std::string quoted(const json& j) {
    constexpr std::size_t k_max = 60;  // keep messages readable when the value is large
    auto s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > k_max) s = s.substr(0, k_max) + "...";
    return s;
}

bool is_metadata_key(const std::string& key) {
    return key.starts_with('_') || key == "name" || key == "extends" || key == "source";
}

// A year key: exactly four ASCII digits, 0001-9999 (the years date::parse accepts).
int parse_year_key(const std::string& key) {
    if (key.size() != 4) return 0;
    int y = 0;
    for (char c : key) {
        if (c < '0' || c > '9') return 0;
        y = y * 10 + (c - '0');
    }
    return y;
}

date jan1(int year) {
    return *date::from_ymd(year, 1, 1);
}
date dec31(int year) {
    return *date::from_ymd(year, 12, 31);
}

std::string optional_name(const json& j, reporter& r) {
    const auto it = j.find("name");
    if (it == j.end()) return {};
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
        r.error("$.name", "expected a non-empty string, got " + quoted(*it));
        return {};
    }
    return it->get<std::string>();
}

// The top-level `source` of a document (an overlay's regulation); "" when absent.
std::string document_source(const json& j, reporter& r) {
    const auto it = j.find("source");
    if (it == j.end()) return {};
    if (!it->is_string()) {
        r.error("$.source", "expected the title of the notice or regulation, got " + quoted(*it));
        return {};
    }
    return it->get<std::string>();
}

struct year_entry {
    int year;
    const json* days;
    std::string path;
    std::optional<year_status> status;  ///< as written; nullopt when absent
    std::string source;                 ///< as written; "" when absent
};

// The year members of a calendar document, validated as keys and in ascending order, with their
// status and source read.
std::vector<year_entry> year_members(const json& j, reporter& r) {
    std::vector<year_entry> out;
    for (const auto& [key, value] : j.items()) {
        if (is_metadata_key(key)) continue;
        const auto path = member_path("$", key);
        const int y = parse_year_key(key);
        if (y == 0) {
            r.error(path,
                    "expected a 4-digit year key (or metadata: name, extends, source, _comment)");
            continue;
        }
        if (!value.is_object()) {
            r.error(path, "expected an object, got " + quoted(value));
            continue;
        }
        year_entry e{y, &value, path, std::nullopt, {}};
        if (const auto st = value.find("status"); st != value.end()) {
            if (*st == "official") {
                e.status = year_status::official;
            } else if (*st == "provisional") {
                e.status = year_status::provisional;
            } else {
                r.error(path + ".status",
                        "expected \"official\" or \"provisional\", got " + quoted(*st));
            }
        }
        if (const auto src = value.find("source"); src != value.end()) {
            if (src->is_string())
                e.source = src->get<std::string>();
            else
                r.error(path + ".source",
                        "expected the title of the notice or rule, got " + quoted(*src));
        }
        out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(),
              [](const year_entry& a, const year_entry& b) { return a.year < b.year; });
    return out;
}

// Applies one year's `off` and `work` lists to `flags` (indexed from `first`). A bad entry is
// reported and skipped.
void apply_year(const year_entry& y, reporter& r, date first, std::vector<std::uint8_t>& flags,
                bool provisional) {
    const date year_start = jan1(y.year);
    std::vector<std::string> listed_at(366);  // day of year -> path of its entry, for duplicates
    for (const auto& [key, value] : y.days->items()) {
        const auto path = member_path(y.path, key);
        if (key.starts_with('_') || key == "status" || key == "source") continue;
        if (key != "off" && key != "work") {
            r.error(path,
                    "unknown key: a year holds only \"status\", \"source\", \"off\" and \"work\"");
            continue;
        }
        if (!value.is_array()) {
            r.error(path, "expected an array of YYYY-MM-DD dates, got " + quoted(value));
            continue;
        }
        const bool work = key == "work";
        if (work && provisional && !value.empty())
            r.error(path,
                    "a provisional year has no make-up working days: the statutory rules give "
                    "none (only the State Council's notice does; import it as an official year)");
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto item_path = path + "[" + std::to_string(i) + "]";
            const auto& item = value[i];
            if (!item.is_string()) {
                r.error(item_path, "expected a YYYY-MM-DD date string, got " + quoted(item));
                continue;
            }
            const auto d = date::parse(item.get_ref<const std::string&>());
            if (!d) {
                r.error(item_path, quoted(item) + " is not a real YYYY-MM-DD date");
                continue;
            }
            if (d->year() != y.year) {
                r.error(item_path,
                        d->to_string() + " is listed under year " + std::to_string(y.year));
                continue;
            }
            auto& seen = listed_at[static_cast<std::size_t>(*d - year_start)];
            if (!seen.empty()) {
                r.error(item_path, d->to_string() + " is already listed at " + seen);
                continue;
            }
            auto& flag = flags[static_cast<std::size_t>(*d - first)];
            // Each day is listed once, so `flag` is still the weekday rule's (or the base
            // calendar's) verdict here.
            if (work && flag != 0) {
                r.error(item_path, d->to_string() +
                                       " is already a working day; make-up days (work) are days "
                                       "that would otherwise be off (weekends)");
                continue;
            }
            flag = work ? 1 : 0;
            seen = std::move(item_path);
        }
    }
}

// Builds the prefix count, the working-day index and the version from per-day flags.
std::shared_ptr<const calendar_data> finish(calendar_data data,
                                            const std::vector<std::uint8_t>& flags) {
    data.cum.assign(flags.size() + 1, 0);
    data.working.clear();
    std::string canonical = data.name + "\n";
    for (int y = data.first_year; y <= data.last_year; ++y)
        canonical +=
            std::to_string(y) + " " +
            std::string(to_string(data.status[static_cast<std::size_t>(y - data.first_year)])) +
            "\n";
    canonical.reserve(canonical.size() + flags.size());
    for (std::size_t i = 0; i < flags.size(); ++i) {
        data.cum[i + 1] = data.cum[i] + flags[i];
        if (flags[i] != 0) data.working.push_back(static_cast<std::int32_t>(i));
        canonical += flags[i] != 0 ? '1' : '0';
    }
    const auto digest = detail::sha256_hex(canonical);  // "sha256:<64 hex>"
    data.version = digest.substr(digest.find(':') + 1, 12);
    return std::make_shared<const calendar_data>(std::move(data));
}

// A base calendar; nullptr when `r` collects and found errors.
std::shared_ptr<const calendar_data> build_base(const json& j, reporter& r,
                                                std::string fallback_name) {
    if (!j.is_object()) {
        r.error("$", "expected a JSON object, got " + quoted(j));
        return nullptr;
    }
    if (j.contains("extends")) {
        r.error("$.extends",
                "this is an overlay of another calendar; apply it to its base (with_overlay or "
                "calendar_set)");
        return nullptr;
    }
    auto name = optional_name(j, r);
    if (name.empty()) name = std::move(fallback_name);
    if (name.empty()) r.error("$.name", "the calendar has no name");
    (void)document_source(j, r);

    const auto years = year_members(j, r);
    if (years.empty()) {
        r.error("$", "no year is covered (expected keys such as \"2025\")");
        return nullptr;
    }
    for (std::size_t i = 1; i < years.size(); ++i)
        if (years[i].year != years[i - 1].year + 1)
            r.error(years[i].path, "the covered years must be contiguous, but " +
                                       std::to_string(years[i - 1].year) + " is followed by " +
                                       std::to_string(years[i].year));

    calendar_data data;
    data.name = std::move(name);
    data.first_year = years.front().year;
    data.last_year = years.back().year;
    data.first = jan1(data.first_year);
    data.last = dec31(data.last_year);
    std::vector<std::uint8_t> flags(static_cast<std::size_t>(data.last - data.first) + 1);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = data.first.add_days(static_cast<std::int32_t>(i)).is_weekend() ? 0 : 1;
    for (const auto& y : years) {
        const auto status = y.status.value_or(year_status::official);
        if (r.collecting() && status == year_status::official && y.source.empty()) {
            // A year without a status comes from a file written before years had one: say what
            // to add, without refusing the file.
            if (y.status)
                r.error(y.path + ".status",
                        "an official year needs a \"source\": the notice its days come from "
                        "(e.g. the State Council's 放假安排 notice with its number and date)");
            else
                r.warning(y.path,
                          "no \"status\" (taken as official) and no \"source\": add \"status\": "
                          "\"official\" and the notice the days come from");
        }
        data.status.push_back(status);
        data.source.push_back(y.source);
        apply_year(y, r, data.first, flags, status == year_status::provisional);
    }
    if (r.failed()) return nullptr;
    return finish(std::move(data), flags);
}

// A regional calendar: `base` with an overlay; nullptr when `r` collects and found errors.
std::shared_ptr<const calendar_data> build_overlay(const calendar_data& base, const json& j,
                                                   reporter& r) {
    if (!j.is_object()) {
        r.error("$", "expected a JSON object, got " + quoted(j));
        return nullptr;
    }
    auto name = optional_name(j, r);
    if (name.empty() && !r.failed()) r.error("$.name", "an overlay needs a name, e.g. \"CN-GD\"");
    if (const auto it = j.find("extends"); it != j.end()) {
        if (!it->is_string())
            r.error("$.extends", "expected the base calendar's name, got " + quoted(*it));
        else if (*it != base.name)
            r.error("$.extends",
                    "extends " + quoted(*it) + " but is applied to calendar \"" + base.name + "\"");
    }
    const auto regulation = document_source(j, r);

    calendar_data data;
    data.name = std::move(name);
    data.first_year = base.first_year;
    data.last_year = base.last_year;
    data.first = base.first;
    data.last = base.last;
    data.status = base.status;
    data.source = base.source;
    std::vector<std::uint8_t> flags(base.cum.size() - 1);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = base.working_at(i) ? 1 : 0;
    std::vector<bool> listed(data.status.size(), false);
    for (const auto& y : year_members(j, r)) {
        if (y.year < base.first_year || y.year > base.last_year) {
            r.error(y.path, "year " + std::to_string(y.year) +
                                " is not covered by the base calendar \"" + base.name + "\" (" +
                                base.years() + ")");
            continue;
        }
        const auto k = static_cast<std::size_t>(y.year - base.first_year);
        listed[k] = true;
        if (y.status == year_status::provisional) data.status[k] = year_status::provisional;
        const auto& own = y.source.empty() ? regulation : y.source;
        if (r.collecting() && own.empty())
            r.error(y.path,
                    "regional days need a \"source\": the regulation that gives them "
                    "(at the top of the file, or in the year)");
        if (!own.empty()) data.source[k] += (data.source[k].empty() ? "" : "; ") + own;
        apply_year(y, r, data.first, flags, y.status == year_status::provisional);
    }
    // A year the overlay does not list: the region's days that year are unknown, so the year
    // is provisional for the region (and lint says to add it, `{}` when there are none).
    std::string missing;
    for (std::size_t k = 0; k < listed.size(); ++k) {
        if (listed[k]) continue;
        data.status[k] = year_status::provisional;
        missing +=
            (missing.empty() ? "" : ", ") + std::to_string(base.first_year + static_cast<int>(k));
    }
    if (r.collecting() && !missing.empty())
        r.warning("$", "no entry for " + missing + ", which the base calendar \"" + base.name +
                           "\" covers: the region's own days those years are not counted, and "
                           "the years are provisional for the region (add each year, {} if the "
                           "region has none that year; scripts/gen_calendars.py generates the "
                           "regions it knows, CN-GX and CN-XJ)");
    if (r.failed()) return nullptr;
    return finish(std::move(data), flags);
}

std::string label_of(const std::filesystem::path& file) {
    return "calendar file '" + file.string() + "'";
}

// The bytes of a calendar file; throws calendar_error naming it.
std::string read_text(const std::filesystem::path& file) {
    return detail::read_file(file, errc::calendar_error);
}

// Parses calendar JSON text; throws calendar_error with the line and column of a syntax error.
json parse_text(const std::string& text, const std::filesystem::path& file) {
    return detail::parse_json(text, label_of(file), errc::calendar_error);
}

json read_json_file(const std::filesystem::path& file) {
    const auto text = read_text(file);
    auto j = parse_text(text, file);
    for (const auto& path : detail::duplicate_keys(text, &calendar_path))
        throw calendar_error(
            label_of(file) + ": " + path +
            ": this key appears twice in its object (the last would silently win)");
    return j;
}

}  // namespace

// ---- calendar ----

calendar::calendar(std::shared_ptr<const detail::calendar_data> data) noexcept
    : data_(std::move(data)) {}

calendar calendar::from_json(const nlohmann::json& j, std::string name) {
    // Label errors with the document's own name when it has a usable one.
    std::string label = name;
    if (j.is_object())
        if (const auto it = j.find("name"); it != j.end() && it->is_string())
            label = it->get<std::string>();
    reporter r("calendar '" + label + "'");
    return calendar(build_base(j, r, std::move(name)));
}

calendar calendar::load(const std::filesystem::path& file) {
    reporter r(label_of(file));
    return calendar(build_base(read_json_file(file), r, file.stem().string()));
}

calendar calendar::with_overlay(const nlohmann::json& overlay) const {
    std::string label = "calendar overlay";
    if (overlay.is_object())
        if (const auto it = overlay.find("name"); it != overlay.end() && it->is_string())
            label += " '" + it->get<std::string>() + "'";
    reporter r(label);
    return calendar(build_overlay(*data_, overlay, r));
}

const std::string& calendar::name() const noexcept {
    return data_->name;
}
date calendar::first_day() const noexcept {
    return data_->first;
}
date calendar::last_day() const noexcept {
    return data_->last;
}
int calendar::first_year() const noexcept {
    return data_->first_year;
}
int calendar::last_year() const noexcept {
    return data_->last_year;
}
bool calendar::covers(date d) const noexcept {
    return d >= data_->first && d <= data_->last;
}
const std::string& calendar::version() const noexcept {
    return data_->version;
}

namespace {
[[noreturn]] void not_covered(const calendar_data& data, date d) {
    throw calendar_error("date " + d.to_string() + " is outside calendar '" + data.name +
                         "', which covers " + data.years() + " only");
}

std::size_t year_index(const calendar_data& data, int year) {
    if (year < data.first_year || year > data.last_year)
        throw calendar_error("year " + std::to_string(year) + " is outside calendar '" + data.name +
                             "', which covers " + data.years() + " only");
    return static_cast<std::size_t>(year - data.first_year);
}
}  // namespace

bool calendar::is_working_day(date d) const {
    if (!covers(d)) not_covered(*data_, d);
    return data_->working_at(data_->index(d));
}

date calendar::add_working_days(date from, int n) const {
    const auto& data = *data_;
    if (!covers(from)) not_covered(data, from);
    if (n == 0) return from;
    const auto i = data.index(from);
    // The working days are numbered 0, 1, ... in data.working; cum[i] of them lie before
    // `from` and cum[i + 1] up to and including it.
    const std::int64_t k =
        n > 0 ? std::int64_t{data.cum[i + 1]} + n - 1 : std::int64_t{data.cum[i]} + n;
    if (k < 0 || k >= static_cast<std::int64_t>(data.working.size()))
        throw calendar_error("add_working_days(" + from.to_string() + ", " + std::to_string(n) +
                             "): the result lies " + (n > 0 ? "after" : "before") +
                             " the years covered by calendar '" + data.name + "' (" + data.years() +
                             ")");
    return data.first.add_days(data.working[static_cast<std::size_t>(k)]);
}

counted_date calendar::deadline(date from, int n) const {
    counted_date out{add_working_days(from, n), {}};
    // the days counted: (from, day] forwards, [day, from) backwards
    out.provisional_years =
        n >= 0 ? provisional_years_between(from, out.day)
               : provisional_years_between(out.day.add_days(-1), from.add_days(-1));
    return out;
}

int calendar::working_days_between(date a, date b) const {
    const auto& data = *data_;
    if (!covers(a)) not_covered(data, a);
    if (!covers(b)) not_covered(data, b);
    return data.cum[data.index(b) + 1] - data.cum[data.index(a) + 1];
}

year_status calendar::status(int year) const {
    return data_->status[year_index(*data_, year)];
}

const std::string& calendar::source(int year) const {
    return data_->source[year_index(*data_, year)];
}

std::vector<int> calendar::provisional_years() const {
    std::vector<int> out;
    for (int y = data_->first_year; y <= data_->last_year; ++y)
        if (data_->status[static_cast<std::size_t>(y - data_->first_year)] ==
            year_status::provisional)
            out.push_back(y);
    return out;
}

std::vector<int> calendar::provisional_years_between(date a, date b) const {
    if (b < a) std::swap(a, b);
    std::vector<int> out;
    if (a == b) return out;
    const int from = std::max(a.add_days(1).year(), data_->first_year);
    const int to = std::min(b.year(), data_->last_year);
    for (int y = from; y <= to; ++y)
        if (data_->status[static_cast<std::size_t>(y - data_->first_year)] ==
            year_status::provisional)
            out.push_back(y);
    return out;
}

// ---- calendar_set ----

calendar_set::calendar_set(calendar base, std::map<std::string, calendar, std::less<>> regional)
    : base_(std::move(base)), regional_(std::move(regional)) {}

namespace {

struct calendar_file {
    std::filesystem::path path;
    std::string text;
    json j;
    bool parsed = false;
};

// The `*.json` files of a calendar folder, sorted (deterministic "which file first" in errors).
std::vector<std::filesystem::path> calendar_files(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    const auto where = "calendar folder '" + dir.string() + "'";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw calendar_error(where + ": not a readable folder");
    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec);
    if (ec) throw calendar_error(where + ": " + ec.message());
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) throw calendar_error(where + ": " + ec.message());
        const auto& p = it->path();
        if (p.extension() == ".json" && !p.filename().string().starts_with('.') &&
            it->is_regular_file(ec))
            files.push_back(p);
    }
    if (ec) throw calendar_error(where + ": " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

namespace detail {
/// What a calendar file was when it was read: a change to it changes the stamp.
struct calendar_file_stamp {
    std::string name;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    bool operator==(const calendar_file_stamp&) const = default;
};
/// The files as loaded, and the last look at them.
struct calendar_disk_check {
    std::vector<calendar_file_stamp> stamps;
    std::atomic<std::int64_t> last_ns{0};
    std::atomic<bool> changed{false};
};
}  // namespace detail

namespace detail {
namespace {
calendar_file_stamp stamp_of(const std::filesystem::path& p, std::string name) {
    struct ::stat st {};
    if (::stat(p.c_str(), &st) != 0)
        throw calendar_error(label_of(p) + ": cannot be read: " + std::strerror(errno));
    return {std::move(name), static_cast<std::uint64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<std::uint64_t>(st.st_ino)};
}
}  // namespace

// The folder first (a file added, removed or renamed into it changes its mtime), then each
// file (an edit in place changes the file's).
std::vector<calendar_file_stamp> stamp_files(const std::filesystem::path& dir) {
    std::vector<calendar_file_stamp> out{stamp_of(dir, ".")};
    for (const auto& f : calendar_files(dir))
        out.push_back(stamp_of(f, f.filename().string()));
    return out;
}

bool stamps_changed(const std::filesystem::path& dir,
                    const std::vector<calendar_file_stamp>& stamps) {
    // The same names as when they were taken: no listing of the folder (this runs before every
    // recorded event).
    for (const auto& s : stamps)
        if (stamp_of(s.name == "." ? dir : dir / s.name, s.name) != s) return true;
    return false;
}
}  // namespace detail

calendar_set calendar_set::load(const std::filesystem::path& dir) {
    return *load_impl(dir, nullptr);
}

std::optional<calendar_set> calendar_set::load_impl(const std::filesystem::path& dir,
                                                    std::vector<diagnostic>* sink) {
    const auto where = "calendar folder '" + dir.string() + "'";
    const auto stamps = detail::stamp_files(dir);  // before reading: a change after it shows
    std::vector<calendar_file> files;
    for (auto& f : calendar_files(dir)) {
        calendar_file cf{f, {}, {}, false};
        try {
            cf.text = read_text(f);
            cf.j = parse_text(cf.text, f);
            cf.parsed = true;
        } catch (const calendar_error& e) {
            if (sink == nullptr) throw;
            std::string m = e.message();
            const auto prefix = label_of(f) + ": ";
            if (m.starts_with(prefix)) m.erase(0, prefix.size());
            sink->push_back({f.string(), e.line(), e.json_path(), m, false, "calendar_error"});
        }
        if (cf.parsed) {
            reporter r(label_of(f), sink, f.string(), cf.text);
            for (const auto& path : detail::duplicate_keys(cf.text, &calendar_path))
                r.error(path, "this key appears twice in its object (the last would silently win)");
            if (r.failed()) cf.parsed = false;
        }
        files.push_back(std::move(cf));
    }

    const calendar_file* base_doc = nullptr;
    std::vector<const calendar_file*> overlays;
    bool folder_ok = true;
    for (const auto& f : files) {
        if (!f.parsed) {
            folder_ok = false;
            continue;
        }
        if (f.j.is_object() && f.j.contains("extends")) {
            overlays.push_back(&f);
        } else if (base_doc != nullptr) {
            const auto m = "two base calendars (files without \"extends\"): '" +
                           base_doc->path.filename().string() + "' and '" +
                           f.path.filename().string() + "'";
            if (sink == nullptr) throw calendar_error(where + ": " + m);
            sink->push_back({f.path.string(), 0, "", m, false, "calendar_error"});
            folder_ok = false;
        } else {
            base_doc = &f;
        }
    }
    if (base_doc == nullptr) {
        const std::string m = "no base calendar (a file without \"extends\")";
        if (sink == nullptr) throw calendar_error(where + ": " + m);
        if (folder_ok) sink->push_back({dir.string(), 0, "", m, false, "calendar_error"});
        return std::nullopt;
    }

    // The name must match the file's, whatever else is wrong with the file.
    const auto check_name = [](const calendar_file& f, reporter& r) {
        const auto it = f.j.is_object() ? f.j.find("name") : f.j.end();
        if (it == f.j.end() || !it->is_string()) return;
        if (*it != f.path.stem().string())
            r.error("$.name", "the name " + it->dump() + " does not match the file name (" +
                                  f.path.filename().string() + ")");
    };
    reporter rb(label_of(base_doc->path), sink, base_doc->path.string(), base_doc->text);
    check_name(*base_doc, rb);
    const auto base_data = build_base(base_doc->j, rb, base_doc->path.stem().string());
    if (!base_data || rb.failed()) return std::nullopt;  // overlays cannot be judged without it
    calendar base(base_data);

    std::map<std::string, calendar, std::less<>> regional;
    for (const auto* o : overlays) {
        reporter r(label_of(o->path), sink, o->path.string(), o->text);
        check_name(*o, r);
        const auto data = build_overlay(*base_data, o->j, r);
        if (!data) continue;
        const auto* region = find_region(data->name);
        if (region == nullptr || region->iso != data->name)
            r.error("$.name",
                    "\"" + data->name + "\" is not the ISO 3166-2 code of a province-level region");
        if (!r.failed()) regional.emplace(data->name, calendar(data));
    }
    if (sink != nullptr &&
        std::any_of(sink->begin(), sink->end(), [](const diagnostic& d) { return !d.warning; }))
        return std::nullopt;
    calendar_set out(std::move(base), std::move(regional));
    out.dir_ = dir;
    out.check_ = std::make_shared<detail::calendar_disk_check>();
    out.check_->stamps = stamps;
    return out;
}

bool calendar_set::changed_on_disk() const {
    if (dir_.empty() || !check_) return false;
    if (check_->changed.load(std::memory_order_acquire)) return true;  // for good
    // Stat calls cost microseconds and this runs before every recorded event: within a
    // millisecond of the last look the answer stands (an import racing an event that closely
    // is a race either way; the event is ordered before it).
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    constexpr std::int64_t k_interval_ns = 1'000'000;
    if (now - check_->last_ns.load(std::memory_order_relaxed) < k_interval_ns) return false;
    bool changed = true;  // a folder that went away or cannot be read is not what was loaded
    try {
        changed = detail::stamps_changed(dir_, check_->stamps);
    } catch (const calendar_error&) {
    }
    if (changed) check_->changed.store(true, std::memory_order_release);
    check_->last_ns.store(now, std::memory_order_relaxed);
    return changed;
}

const std::filesystem::path& calendar_set::dir() const noexcept {
    return dir_;
}

const calendar& calendar_set::base() const noexcept {
    return base_;
}

const calendar& calendar_set::for_region(std::string_view region) const {
    if (const auto it = regional_.find(region); it != regional_.end()) return it->second;
    if (region == base_.name()) return base_;
    if (const auto* r = find_region(region)) {
        const auto it = regional_.find(r->iso);
        return it != regional_.end() ? it->second : base_;
    }
    throw usage_error("unknown region '" + std::string(region) +
                      "': expected an ISO 3166-2 code such as CN-GD, a GB/T 2260 code such as 44, "
                      "or '" +
                      base_.name() + "'");
}

std::vector<std::string> calendar_set::regions_with_overlays() const {
    std::vector<std::string> out;
    for (const auto& [name, c] : regional_)
        out.push_back(name);
    return out;
}

std::vector<diagnostic> lint_calendars(const std::filesystem::path& dir) {
    std::vector<diagnostic> out;
    try {
        (void)calendar_set::load_impl(dir, &out);
    } catch (const calendar_error& e) {
        out.push_back({dir.string(), 0, "", e.what(), false, "calendar_error"});
    }
    return out;
}

}  // namespace telecomply
