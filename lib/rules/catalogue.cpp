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
    return load_impl(dir, nullptr);
}

void catalogue::source::read_header() {
    const auto& j = json;
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        fail("$.id", "a ruleset needs a string id");
    id = j["id"].get<std::string>();
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
        if (extends_id == id) fail("$.extends", "a ruleset cannot extend itself");
    }
}

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir,
                                           std::vector<diagnostic>& problems) {
    try {
        return load_impl(dir, &problems);
    } catch (const ruleset_error& e) {
        problems.push_back(e.to_diagnostic());
        return nullptr;
    }
}

std::shared_ptr<catalogue> catalogue::load_impl(const std::filesystem::path& dir,
                                                std::vector<diagnostic>* problems) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw ruleset_error(dir.string(), 0, "", "not a folder of rulesets");
    auto cat = std::shared_ptr<catalogue>(new catalogue());
    cat->dir_ = dir;
    const auto& schema = ruleset_schema(dir);

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
    std::sort(files.begin(), files.end());  // deterministic order, deterministic errors

    for (const auto& file : files) {
        const bool loaded = collect(problems, [&] {
            auto s = std::make_shared<source>();
            s->file = file;
            s->text = detail::read_file(file, errc::ruleset_error);
            s->json = detail::parse_json(s->text, file.string(), errc::ruleset_error);
            detail::refuse_duplicate_keys(s->text, file.string(), errc::ruleset_error);
            // 150.0 where the schema says integer is one (draft-07), read as 150
            schema.conform_integers(s->json);
            if (auto f = schema.validate(s->json)) s->fail(f->json_path, f->message);
            s->read_header();
            auto& versions = cat->by_id_[s->id];
            for (const auto& other : versions) {
                if (other->version == s->version)
                    s->fail("$.version", "version " + s->version + " of " + s->id +
                                             " is also defined in " + other->file.string());
                const bool overlap =
                    (!other->to || s->from <= *other->to) && (!s->to || other->from <= *s->to);
                if (overlap)
                    s->fail("$.effective_from", s->name() + " is in force on dates that " +
                                                    other->name() + " (" + other->file.string() +
                                                    ") also covers");
            }
            versions.push_back(std::move(s));
        });
        (void)loaded;
    }
    for (auto& [id, versions] : cat->by_id_) {
        std::sort(versions.begin(), versions.end(),
                  [](const auto& a, const auto& b) { return a->from < b->from; });
        std::erase_if(versions, [&](const std::shared_ptr<const source>& s) {
            return !collect(problems, [&] {
                if (!s->extends_id.empty() && !cat->by_id_.count(s->extends_id))
                    s->fail("$.extends", "extends unknown ruleset '" + s->extends_id + "'");
            });
        });
    }
    if (cat->by_id_.empty()) throw ruleset_error(dir.string(), 0, "", "no ruleset files found");

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

std::vector<std::pair<std::string, std::string>> catalogue::list() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [id, versions] : by_id_)
        for (const auto& s : versions)
            out.emplace_back(id, s->version);
    return out;
}

}  // namespace telecomply
