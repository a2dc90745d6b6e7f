#include "telecomply/calendar.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "telecomply/error.hpp"
#include "telecomply/identifiers.hpp"

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

using json = nlohmann::json;
using detail::calendar_data;

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& message) {
    throw calendar_error(source + ": " + path + ": " + message);
}

// `$.2025` for plain keys, `$["odd key"]` otherwise, so every path can be pasted back.
std::string member_path(const std::string& parent, const std::string& key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    });
    return plain ? parent + "." + key : parent + "[" + json(key).dump() + "]";
}

std::string quoted(const json& j) {
    constexpr std::size_t k_max = 60;  // keep messages readable when the value is large
    auto s = j.dump();
    if (s.size() > k_max) s = s.substr(0, k_max) + "...";
    return s;
}

bool is_metadata_key(const std::string& key) {
    return key.starts_with('_') || key == "name" || key == "extends";
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

std::string optional_name(const json& j, const std::string& source) {
    const auto it = j.find("name");
    if (it == j.end()) return {};
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
        fail(source, "$.name", "expected a non-empty string, got " + quoted(*it));
    return it->get<std::string>();
}

struct year_entry {
    int year;
    const json* days;
    std::string path;
};

// The year members of a calendar document, validated as keys and in ascending order.
std::vector<year_entry> year_members(const json& j, const std::string& source) {
    std::vector<year_entry> out;
    for (const auto& [key, value] : j.items()) {
        if (is_metadata_key(key)) continue;
        const auto path = member_path("$", key);
        const int y = parse_year_key(key);
        if (y == 0)
            fail(source, path,
                 "expected a 4-digit year key (or metadata: name, extends, _comment)");
        if (!value.is_object()) fail(source, path, "expected an object, got " + quoted(value));
        out.push_back({y, &value, path});
    }
    std::sort(out.begin(), out.end(),
              [](const year_entry& a, const year_entry& b) { return a.year < b.year; });
    return out;
}

// Applies one year's `off` and `work` lists to `flags` (indexed from `first`).
void apply_year(const year_entry& y, const std::string& source, date first,
                std::vector<std::uint8_t>& flags) {
    const date year_start = jan1(y.year);
    std::vector<std::string> listed_at(366);  // day of year -> path of its entry, for duplicates
    for (const auto& [key, value] : y.days->items()) {
        const auto path = member_path(y.path, key);
        if (key.starts_with('_')) continue;  // comments
        if (key != "off" && key != "work")
            fail(source, path, "unknown key: a year holds only \"off\" and \"work\"");
        if (!value.is_array())
            fail(source, path, "expected an array of YYYY-MM-DD dates, got " + quoted(value));
        const bool work = key == "work";
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto item_path = path + "[" + std::to_string(i) + "]";
            const auto& item = value[i];
            if (!item.is_string())
                fail(source, item_path, "expected a YYYY-MM-DD date string, got " + quoted(item));
            const auto d = date::parse(item.get_ref<const std::string&>());
            if (!d) fail(source, item_path, quoted(item) + " is not a real YYYY-MM-DD date");
            if (d->year() != y.year)
                fail(source, item_path,
                     d->to_string() + " is listed under year " + std::to_string(y.year));
            auto& seen = listed_at[static_cast<std::size_t>(*d - year_start)];
            if (!seen.empty())
                fail(source, item_path, d->to_string() + " is already listed at " + seen);
            auto& flag = flags[static_cast<std::size_t>(*d - first)];
            // Each day is listed once, so `flag` is still the weekday rule's (or the base
            // calendar's) verdict here.
            if (work && flag != 0)
                fail(source, item_path,
                     d->to_string() +
                         " is already a working day; make-up days (work) are days that would "
                         "otherwise be off");
            flag = work ? 1 : 0;
            seen = std::move(item_path);
        }
    }
}

// Builds the prefix count and the working-day index from per-day flags.
std::shared_ptr<const calendar_data> finish(calendar_data data,
                                            const std::vector<std::uint8_t>& flags) {
    data.cum.assign(flags.size() + 1, 0);
    data.working.clear();
    for (std::size_t i = 0; i < flags.size(); ++i) {
        data.cum[i + 1] = data.cum[i] + flags[i];
        if (flags[i] != 0) data.working.push_back(static_cast<std::int32_t>(i));
    }
    return std::make_shared<const calendar_data>(std::move(data));
}

std::shared_ptr<const calendar_data> build_base(const json& j, const std::string& source,
                                                std::string fallback_name) {
    if (!j.is_object()) fail(source, "$", "expected a JSON object, got " + quoted(j));
    if (j.contains("extends"))
        fail(source, "$.extends",
             "this is an overlay of another calendar; apply it to its base (with_overlay or "
             "calendar_set)");
    auto name = optional_name(j, source);
    if (name.empty()) name = std::move(fallback_name);
    if (name.empty()) fail(source, "$.name", "the calendar has no name");

    const auto years = year_members(j, source);
    if (years.empty()) fail(source, "$", "no year is covered (expected keys such as \"2025\")");
    for (std::size_t i = 1; i < years.size(); ++i)
        if (years[i].year != years[i - 1].year + 1)
            fail(source, years[i].path,
                 "the covered years must be contiguous, but " + std::to_string(years[i - 1].year) +
                     " is followed by " + std::to_string(years[i].year));

    calendar_data data;
    data.name = std::move(name);
    data.first_year = years.front().year;
    data.last_year = years.back().year;
    data.first = jan1(data.first_year);
    data.last = dec31(data.last_year);
    std::vector<std::uint8_t> flags(static_cast<std::size_t>(data.last - data.first) + 1);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = data.first.add_days(static_cast<std::int32_t>(i)).is_weekend() ? 0 : 1;
    for (const auto& y : years)
        apply_year(y, source, data.first, flags);
    return finish(std::move(data), flags);
}

std::shared_ptr<const calendar_data> build_overlay(const calendar_data& base, const json& j,
                                                   const std::string& source) {
    if (!j.is_object()) fail(source, "$", "expected a JSON object, got " + quoted(j));
    auto name = optional_name(j, source);
    if (name.empty()) fail(source, "$.name", "an overlay needs a name, e.g. \"CN-GD\"");
    if (const auto it = j.find("extends"); it != j.end()) {
        if (!it->is_string())
            fail(source, "$.extends", "expected the base calendar's name, got " + quoted(*it));
        if (*it != base.name)
            fail(source, "$.extends",
                 "extends " + quoted(*it) + " but is applied to calendar \"" + base.name + "\"");
    }

    calendar_data data;
    data.name = std::move(name);
    data.first_year = base.first_year;
    data.last_year = base.last_year;
    data.first = base.first;
    data.last = base.last;
    std::vector<std::uint8_t> flags(base.cum.size() - 1);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = base.working_at(i) ? 1 : 0;
    for (const auto& y : year_members(j, source)) {
        if (y.year < base.first_year || y.year > base.last_year)
            fail(source, y.path,
                 "year " + std::to_string(y.year) + " is not covered by the base calendar \"" +
                     base.name + "\" (" + base.years() + ")");
        apply_year(y, source, data.first, flags);
    }
    return finish(std::move(data), flags);
}

std::string label_of(const std::filesystem::path& file) {
    return "calendar file '" + file.string() + "'";
}

json read_json_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw calendar_error(label_of(file) + ": cannot be opened");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw calendar_error(label_of(file) + ": cannot be read");
    try {
        return json::parse(text.str());
    } catch (const json::parse_error& e) {
        // nlohmann's message reads "[json.exception.parse_error.101] parse error at line L,
        // column C: ..."; drop the bracketed id, keep the position.
        std::string what = e.what();
        if (const auto pos = what.find("] "); what.starts_with("[json.") && pos != what.npos)
            what.erase(0, pos + 2);
        throw calendar_error(label_of(file) + ": invalid JSON: " + what);
    }
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
    return calendar(build_base(j, "calendar '" + label + "'", std::move(name)));
}

calendar calendar::load(const std::filesystem::path& file) {
    return calendar(build_base(read_json_file(file), label_of(file), file.stem().string()));
}

calendar calendar::with_overlay(const nlohmann::json& overlay) const {
    std::string label = "calendar overlay";
    if (overlay.is_object())
        if (const auto it = overlay.find("name"); it != overlay.end() && it->is_string())
            label += " '" + it->get<std::string>() + "'";
    return calendar(build_overlay(*data_, overlay, label));
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
bool calendar::covers(date d) const noexcept {
    return d >= data_->first && d <= data_->last;
}

namespace {
[[noreturn]] void not_covered(const calendar_data& data, date d) {
    throw calendar_error("date " + d.to_string() + " is outside calendar '" + data.name +
                         "', which covers " + data.years() + " only");
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

int calendar::working_days_between(date a, date b) const {
    const auto& data = *data_;
    if (!covers(a)) not_covered(data, a);
    if (!covers(b)) not_covered(data, b);
    return data.cum[data.index(b) + 1] - data.cum[data.index(a) + 1];
}

// ---- calendar_set ----

calendar_set::calendar_set(calendar base, std::map<std::string, calendar, std::less<>> regional)
    : base_(std::move(base)), regional_(std::move(regional)) {}

calendar_set calendar_set::load(const std::filesystem::path& dir) {
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
    std::sort(files.begin(), files.end());  // deterministic "which file first" in errors

    struct doc {
        fs::path file;
        json j;
    };
    std::vector<doc> overlays;
    std::optional<doc> base_doc;
    for (const auto& f : files) {
        auto j = read_json_file(f);
        if (j.is_object() && j.contains("extends")) {
            overlays.push_back({f, std::move(j)});
        } else {
            if (base_doc)
                throw calendar_error(where + ": two base calendars (files without \"extends\"): '" +
                                     base_doc->file.filename().string() + "' and '" +
                                     f.filename().string() + "'");
            base_doc = doc{f, std::move(j)};
        }
    }
    if (!base_doc) throw calendar_error(where + ": no base calendar (a file without \"extends\")");

    const auto check_name = [](const calendar& c, const fs::path& f) {
        if (c.name() != f.stem().string())
            fail(label_of(f), "$.name",
                 "the name \"" + c.name() + "\" does not match the file name");
    };
    calendar base(
        build_base(base_doc->j, label_of(base_doc->file), base_doc->file.stem().string()));
    check_name(base, base_doc->file);

    std::map<std::string, calendar, std::less<>> regional;
    for (const auto& o : overlays) {
        const auto source = label_of(o.file);
        calendar c(build_overlay(*base.data_, o.j, source));
        const auto* region = find_region(c.name());
        if (region == nullptr || region->iso != c.name())
            fail(source, "$.name",
                 "\"" + c.name() + "\" is not the ISO 3166-2 code of a province-level region");
        check_name(c, o.file);
        regional.emplace(c.name(), std::move(c));
    }
    return calendar_set(std::move(base), std::move(regional));
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

}  // namespace telecomply
