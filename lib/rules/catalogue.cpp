// The catalogue: loading a folder of ruleset files (docs/rulesets.md).

#include "telecomply/rules/ruleset.hpp"

#include "base/enum_names.hpp"

#include <algorithm>
#include <set>

#include "base/json_io.hpp"
#include "rules/catalogue_source.hpp"
#include "rules/default_rulesets.hpp"
#include "rules/json_schema.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

using detail::json_date;

namespace {
constexpr auto k_phase_names = detail::make_enum_names<phase>({
    {phase::intake, "intake"},
    {phase::review, "review"},
    {phase::screening, "screening"},
});
}  // namespace

std::string_view to_string(phase p) noexcept {
    return k_phase_names.name(p, "intake");
}

namespace {

const detail::json_schema& ruleset_schema(const std::filesystem::path& dir) {
    // The schema of the format, from the folder being loaded or else the installed one.
    static std::mutex m;
    static std::map<std::string, std::unique_ptr<detail::json_schema>> cache;
    std::lock_guard lock(m);
    std::filesystem::path file = dir / "schema" / "ruleset.schema.json";
    if (!std::filesystem::exists(file))
        if (const auto fallback = detail::find_default_rulesets())
            file = *fallback / "schema" / "ruleset.schema.json";
    auto& slot = cache[file.string()];
    if (!slot) {
        slot = std::make_unique<detail::json_schema>();
        if (std::filesystem::exists(file)) *slot = detail::json_schema::load(file);
    }
    return *slot;
}

bool excluded_dir(const std::filesystem::path& rel) {
    const auto first = rel.begin()->string();
    return first == "calendars" || first == "schema" || first == "tests" || first == "workflow" ||
           (!first.empty() && (first[0] == '.' || first[0] == '_'));
}

}  // namespace

// ------------------------------------------------------------------ catalogue: loading

namespace {

// Runs `f`; a ruleset_error goes into `problems` when collecting (then false), else it is
// thrown.
template <class F>
bool collect(std::vector<diagnostic>* problems, F&& f) {
    if (problems == nullptr) {
        f();
        return true;
    }
    try {
        f();
        return true;
    } catch (const ruleset_error& e) {
        problems->push_back(e.to_diagnostic());
        return false;
    }
}

}  // namespace

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir) {
    return load_impl(dir, {}, nullptr);
}

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir,
                                           const std::vector<std::filesystem::path>& overlays) {
    return load_impl(dir, overlays, nullptr);
}

void catalogue::source::read_header() {
    const auto& j = json;
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        fail("$.id", "a ruleset needs a string id");
    id = j["id"].get<std::string>();
    // the national rules or a province-level region's: rules of any other id judge nothing
    if (id != "CN" && (find_region(id) == nullptr || find_region(id)->iso != id))
        fail("$.id", "unknown region '" + id +
                         "': a ruleset id is CN or the ISO 3166-2 code of one of the 31 "
                         "province-level regions (CN-GD)");
    if (!j.contains("version") || !j["version"].is_string())
        fail("$.version", "a ruleset needs a string version");
    version = j["version"].get<std::string>();
    const auto starts = json_date(j.value("effective_from", nlohmann::json()));
    if (!starts) fail("$.effective_from", "effective_from must be a date (YYYY-MM-DD)");
    from = *starts;
    if (j.contains("effective_to") && !j["effective_to"].is_null()) {
        to = json_date(j["effective_to"]);
        if (!to) fail("$.effective_to", "effective_to must be a date or null");
        if (*to < from) fail("$.effective_to", "effective_to is before effective_from");
    }
    if (j.contains("extends") && !j["extends"].is_null()) {
        if (!j["extends"].is_string()) fail("$.extends", "extends must be a string");
        const std::string ext = j["extends"].get<std::string>();
        const auto at = ext.find('@');
        extends_id = ext.substr(0, at);
        if (at != std::string::npos) extends_version = ext.substr(at + 1);
        // a revision may build on an earlier version of itself, named (CN-GD@2026.1)
        if (extends_id == id && extends_version.empty())
            fail("$.extends", "a ruleset extends itself only as an earlier version, named: \"" +
                                  id + "@VERSION\"");
        if (extends_id == id && extends_version == version)
            fail("$.extends", "a ruleset cannot extend itself");
    }
}

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir,
                                           std::vector<diagnostic>& problems) {
    return load(dir, {}, problems);
}

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir,
                                           const std::vector<std::filesystem::path>& overlays,
                                           std::vector<diagnostic>& problems) {
    try {
        return load_impl(dir, overlays, &problems);
    } catch (const ruleset_error& e) {
        problems.push_back(e.to_diagnostic());
        return nullptr;
    }
}

namespace {

// The ruleset files of one folder, sorted: deterministic order, deterministic errors.
std::vector<std::filesystem::path> ruleset_files(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw ruleset_error(dir.string(), 0, "", "not a folder of rulesets");
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) throw ruleset_error(dir.string(), 0, "", "cannot list the folder: " + ec.message());
        const auto rel = std::filesystem::relative(it->path(), dir);
        if (it->is_directory() && excluded_dir(rel)) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && it->path().extension() == ".json" && !excluded_dir(rel))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string span_of(const catalogue::source& s) {
    return s.from.to_string() + " to " + (s.to ? s.to->to_string() : std::string("open"));
}

}  // namespace

std::shared_ptr<catalogue> catalogue::load_impl(const std::filesystem::path& dir,
                                                const std::vector<std::filesystem::path>& overlays,
                                                std::vector<diagnostic>* problems) {
    auto cat = std::shared_ptr<catalogue>(new catalogue());
    cat->dir_ = dir;
    cat->overlays_ = overlays;
    const auto& schema = ruleset_schema(dir);

    // A folder given twice would define each of its versions twice.
    {
        std::error_code ec;
        std::vector<std::filesystem::path> seen{std::filesystem::weakly_canonical(dir, ec)};
        for (const auto& o : overlays) {
            const auto real = std::filesystem::weakly_canonical(o, ec);
            if (std::find(seen.begin(), seen.end(), real) != seen.end())
                throw ruleset_error(o.string(), 0, "",
                                    real == seen.front()
                                        ? "an overlay cannot be the base folder of rulesets"
                                        : "this overlay folder is given twice");
            seen.push_back(real);
        }
    }
    // The base, then each overlay: every file is read as one folder's would be.
    std::vector<std::pair<std::filesystem::path, std::size_t>> files;
    for (std::size_t layer = 0; layer <= overlays.size(); ++layer) {
        const auto& folder = layer == 0 ? dir : overlays[layer - 1];
        for (auto& f : ruleset_files(folder))
            files.emplace_back(std::move(f), layer);
        if (layer == 0) continue;
        for (const char* sub : {"calendars", "workflow", "schema"})
            if (std::error_code ec; std::filesystem::is_directory(folder / sub, ec))
                cat->notes_.push_back({(folder / sub).string(), 0, "",
                                       std::string("not read: ") + sub +
                                           " come from the base folder " + dir.string() +
                                           " (an overlay adds ruleset versions and tests)",
                                       true, "ruleset_error", true});
    }

    std::map<std::string, std::vector<std::shared_ptr<source>>, std::less<>> loading;
    for (const auto& [file, layer] : files) {
        const bool loaded = collect(problems, [&, &file = file, layer = layer] {
            auto s = std::make_shared<source>();
            s->file = file;
            s->layer = layer;
            s->text = detail::read_file(file, errc::ruleset_error);
            s->json = detail::parse_json(s->text, file.string(), errc::ruleset_error);
            detail::refuse_duplicate_keys(s->text, file.string(), errc::ruleset_error);
            // 150.0 where the schema says integer is one (draft-07), read as 150
            schema.conform_integers(s->json);
            if (auto f = schema.validate(s->json)) s->fail(f->json_path, f->message);
            s->read_header();
            auto& versions = loading[s->id];
            for (const auto& other : versions) {
                if (other->version == s->version)
                    s->fail("$.version", "version " + s->version + " of " + s->id +
                                             " is also defined in " + other->file.string());
                // An open-ended version ends where a later one starts (below): only closed
                // spans, or two versions starting on one day, truly overlap.
                const bool other_ends = !other->to && other->from < s->from;
                const bool this_ends = !s->to && s->from < other->from;
                const bool overlap = !other_ends && !this_ends &&
                                     (!other->to || s->from <= *other->to) &&
                                     (!s->to || other->from <= *s->to);
                if (overlap)
                    s->fail("$.effective_from", s->name() + " is in force on dates that " +
                                                    other->name() + " (" + other->file.string() +
                                                    ") also covers");
            }
            versions.push_back(std::move(s));
        });
        (void)loaded;
    }
    for (auto& [id, versions] : loading)
        std::sort(versions.begin(), versions.end(),
                  [](const auto& a, const auto& b) { return a->from < b->from; });
    for (auto& [id, versions] : loading) {
        std::erase_if(versions, [&](const std::shared_ptr<source>& s) {
            return !collect(problems, [&] {
                const auto parent = loading.find(s->extends_id);
                if (!s->extends_id.empty() && parent == loading.end())
                    s->fail("$.extends", "extends unknown ruleset '" + s->extends_id + "'" +
                                             (overlays.empty() && s->layer == 0
                                                  ? std::string()
                                                  : " (in " + dir.string() + " and its overlays)"));
                if (!s->extends_version.empty() &&
                    std::none_of(parent->second.begin(), parent->second.end(),
                                 [&](const auto& p) { return p->version == s->extends_version; }))
                    s->fail("$.extends", "extends unknown version '" + s->extends_id + "@" +
                                             s->extends_version + "'");
                if (s->extends_itself()) {
                    const auto& p = **std::find_if(
                        parent->second.begin(), parent->second.end(),
                        [&](const auto& v) { return v->version == s->extends_version; });
                    if (!(p.from < s->from))
                        s->fail("$.extends", s->name() + " may extend only an earlier version of " +
                                                 s->id + "; " + p.name() + " starts on " +
                                                 p.from.to_string());
                }
            });
        });
    }
    for (auto& [id, versions] : loading) {
        // An open-ended version ends the day before the next version of its id starts, so that
        // a revision (an overlay's above all) never has to edit the file beneath it. Only
        // versions that loaded count: a refused file ends nothing.
        for (std::size_t i = 0; i + 1 < versions.size(); ++i) {
            auto& s = *versions[i];
            const auto& next = *versions[i + 1];
            if (s.to) continue;
            s.to = next.from.add_days(-1);
            s.ended_by_next = true;
            cat->notes_.push_back({s.file.string(), detail::line_of(s.text, "$.effective_from"),
                                   "$.effective_from",
                                   s.name() + " is open-ended in its file; " + next.name() + " (" +
                                       next.file.string() + ") starts on " + next.from.to_string() +
                                       ", so " + s.name() + " is in force to " + s.to->to_string(),
                                   true, "ruleset_error", true});
        }
    }
    for (auto& [id, versions] : loading) {
        for (const auto& s : versions) {
            if (s->layer == 0) continue;
            std::string what = "defines " + s->name() + " (in force " + span_of(*s) + ")";
            if (!s->extends_id.empty()) {
                what += ", extending " + s->extends_id +
                        (s->extends_version.empty() ? " (the version in force on each date)"
                                                    : "@" + s->extends_version);
                if (const auto p = loading.find(s->extends_id);
                    !s->extends_version.empty() && p != loading.end())
                    for (const auto& v : p->second)
                        if (v->version == s->extends_version) what += " of " + v->file.string();
            }
            cat->notes_.push_back({s->file.string(), 0, "", what, true, "ruleset_error", true});
        }
        auto& out = cat->by_id_[id];
        for (auto& s : versions)
            out.push_back(std::move(s));
    }
    if (cat->by_id_.empty()) throw ruleset_error(dir.string(), 0, "", "no ruleset files found");

    std::error_code ec;
    const auto cal_dir = dir / "calendars";
    if (std::filesystem::is_directory(cal_dir, ec)) {
        try {
            cat->calendars_ = std::make_shared<calendar_set>(calendar_set::load(cal_dir));
        } catch (const calendar_error&) {
            if (problems == nullptr) throw;  // collecting: lint_calendars() says what is wrong
        }
    }
    return cat;
}

std::filesystem::path catalogue::file_of(std::string_view name) const {
    const auto at = name.find('@');
    if (at == std::string_view::npos) return {};
    const auto it = by_id_.find(name.substr(0, at));
    if (it == by_id_.end()) return {};
    for (const auto& s : it->second)
        if (s->version == name.substr(at + 1)) return s->file;
    return {};
}

std::vector<std::pair<std::string, std::string>> catalogue::list() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [id, versions] : by_id_)
        for (const auto& s : versions)
            out.emplace_back(id, s->version);
    return out;
}

}  // namespace telecomply
