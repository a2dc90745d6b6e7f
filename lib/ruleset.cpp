// Rulesets: loading files, composing extends chains, compiling rules, checking applications.

#include "telecomply/ruleset.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "telecomply/detail/json_support.hpp"
#include "telecomply/error.hpp"

namespace telecomply {

std::string_view to_string(phase p) noexcept {
    switch (p) {
        case phase::intake:
            return "intake";
        case phase::review:
            return "review";
        case phase::screening:
            return "screening";
    }
    return "intake";
}

// ------------------------------------------------------------------ sources

struct catalogue::source {
    std::filesystem::path file;
    std::string text;  // kept for locating lines in error messages
    nlohmann::json json;
    std::string id, version;
    date from;
    std::optional<date> to;
    std::string extends_id, extends_version;  // version empty: the one in force on the date

    [[nodiscard]] std::string name() const { return id + "@" + version; }
    [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
        throw ruleset_error(file.string(), detail::line_of(text, path), path, msg);
    }
    [[nodiscard]] bool covers(date d) const { return from <= d && (!to || d <= *to); }
};

namespace {

using detail::json_path_append_index;
using detail::json_path_append_key;

// Top-level application fields bound as rule variables, in slot order after `app`.
const std::vector<std::string> top_level_fields = {
    "id", "region", "submitted_on", "channel", "applicant", "submitter", "materials", "numbers"};

// Absent top-level fields evaluate to these: a missing-input error naming the field.
struct absent_fields {
    std::vector<error_info> infos;
    absent_fields() {
        for (const auto& f : top_level_fields)
            infos.push_back(error_info{eval_errc::no_such_field, 0, "no such key", f, nullptr});
    }
};
const absent_fields& absent() {
    static const absent_fields a;
    return a;
}

std::optional<date> json_date(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    return date::parse(j.get_ref<const std::string&>());
}

localized json_localized(const nlohmann::json& j) {
    localized l;
    if (j.is_object()) {
        l.zh = j.value("zh", "");
        l.en = j.value("en", "");
    }
    return l;
}

const detail::json_schema& ruleset_schema(const std::filesystem::path& dir) {
    // The schema of the format, from the folder being loaded or else the installed one.
    static std::mutex m;
    static std::map<std::string, std::unique_ptr<detail::json_schema>> cache;
    std::lock_guard lock(m);
    std::filesystem::path file = dir / "schema" / "ruleset.schema.json";
    if (!std::filesystem::exists(file))
        file = catalogue::default_dir() / "schema" / "ruleset.schema.json";
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

std::filesystem::path catalogue::default_dir() {
    if (const char* env = std::getenv("TELECOMPLY_RULESETS"); env != nullptr && *env != '\0')
        return env;
    std::error_code ec;
#ifdef TELECOMPLY_INSTALLED_RULESETS
    if (std::filesystem::is_directory(TELECOMPLY_INSTALLED_RULESETS, ec))
        return TELECOMPLY_INSTALLED_RULESETS;
#endif
#ifdef TELECOMPLY_SOURCE_RULESETS
    if (std::filesystem::is_directory(TELECOMPLY_SOURCE_RULESETS, ec))
        return TELECOMPLY_SOURCE_RULESETS;
#endif
    return "rulesets";
}

std::shared_ptr<catalogue> catalogue::load(const std::filesystem::path& dir) {
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
        auto s = std::make_shared<source>();
        s->file = file;
        s->text = detail::read_file(file, errc::ruleset_error);
        s->json = detail::parse_json(s->text, file.string(), errc::ruleset_error);
        if (auto f = schema.validate(s->json)) s->fail(f->json_path, f->message);
        const auto& j = s->json;
        if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
            s->fail("$.id", "a ruleset needs a string id");
        s->id = j["id"].get<std::string>();
        if (!j.contains("version") || !j["version"].is_string())
            s->fail("$.version", "a ruleset needs a string version");
        s->version = j["version"].get<std::string>();
        auto from = json_date(j.value("effective_from", nlohmann::json()));
        if (!from) s->fail("$.effective_from", "effective_from must be a date (YYYY-MM-DD)");
        s->from = *from;
        if (j.contains("effective_to") && !j["effective_to"].is_null()) {
            s->to = json_date(j["effective_to"]);
            if (!s->to) s->fail("$.effective_to", "effective_to must be a date or null");
            if (*s->to < s->from)
                s->fail("$.effective_to", "effective_to is before effective_from");
        }
        if (j.contains("extends") && !j["extends"].is_null()) {
            if (!j["extends"].is_string()) s->fail("$.extends", "extends must be a string");
            const std::string ext = j["extends"].get<std::string>();
            const auto at = ext.find('@');
            s->extends_id = ext.substr(0, at);
            if (at != std::string::npos) s->extends_version = ext.substr(at + 1);
            if (s->extends_id == s->id) s->fail("$.extends", "a ruleset cannot extend itself");
        }
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
    }
    for (auto& [id, versions] : cat->by_id_) {
        std::sort(versions.begin(), versions.end(),
                  [](const auto& a, const auto& b) { return a->from < b->from; });
        for (const auto& s : versions) {
            if (!s->extends_id.empty() && !cat->by_id_.count(s->extends_id))
                s->fail("$.extends", "extends unknown ruleset '" + s->extends_id + "'");
        }
    }
    if (cat->by_id_.empty()) throw ruleset_error(dir.string(), 0, "", "no ruleset files found");

    const auto cal_dir = dir / "calendars";
    if (std::filesystem::is_directory(cal_dir, ec))
        cat->calendars_ = std::make_shared<calendar_set>(calendar_set::load(cal_dir));
    return cat;
}

std::vector<std::pair<std::string, std::string>> catalogue::list() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [id, versions] : by_id_)
        for (const auto& s : versions)
            out.emplace_back(id, s->version);
    return out;
}

// ------------------------------------------------------------------ catalogue: composing

namespace {

struct rule_source {
    nlohmann::json json;           // the merged rule object
    const catalogue::source* src;  // the file that defined or last changed it
    std::string path;              // JSON path of that definition in src
};

}  // namespace

std::shared_ptr<const ruleset> catalogue::build(const source& leaf, date on) const {
    // The chain, root first.
    std::vector<const source*> chain{&leaf};
    std::set<std::string> seen{leaf.id};
    while (!chain.back()->extends_id.empty()) {
        const source& child = *chain.back();
        const auto& versions = by_id_.at(child.extends_id);
        const source* parent = nullptr;
        for (const auto& v : versions) {
            if (child.extends_version.empty() ? v->covers(on)
                                              : v->version == child.extends_version) {
                parent = v.get();
                break;
            }
        }
        if (parent == nullptr)
            child.fail(
                "$.extends",
                child.extends_version.empty()
                    ? "no version of " + child.extends_id + " is in force on " + on.to_string()
                    : "no version " + child.extends_version + " of " + child.extends_id);
        if (!seen.insert(parent->id).second) child.fail("$.extends", "extends forms a cycle");
        chain.push_back(parent);
    }
    std::reverse(chain.begin(), chain.end());

    std::string key;
    for (const auto* s : chain)
        key += s->name() + ">";
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }

    auto rs = std::shared_ptr<ruleset>(new ruleset());
    rs->id_ = leaf.id;
    rs->version_ = leaf.version;
    rs->from_ = leaf.from;
    rs->to_ = leaf.to;
    rs->params_json_ = nlohmann::json::object();
    std::vector<rule_source> merged;
    std::string digest_input;
    for (const auto* s : chain) {
        rs->chain_.push_back(s->name());
        digest_input += s->name() + "\n" + s->json.dump() + "\n";
        const auto& j = s->json;
        if (j.contains("parameters"))
            for (const auto& [k, v] : j["parameters"].items())
                rs->params_json_[k] = v;
        if (j.contains("overrides")) {
            const auto& ov = j["overrides"];
            for (std::size_t i = 0; i < ov.size(); ++i) {
                const std::string path = json_path_append_index("$.overrides", i);
                const std::string id = ov[i].value("id", "");
                auto it = std::find_if(merged.begin(), merged.end(), [&](const rule_source& r) {
                    return r.json.value("id", "") == id;
                });
                if (it == merged.end())
                    s->fail(path + ".id",
                            "override of unknown rule '" + id + "' (no parent rule has this id)");
                if (ov[i].value("disabled", false)) {
                    merged.erase(it);
                    continue;
                }
                for (const auto& [k, v] : ov[i].items()) {
                    if (k == "id") continue;
                    if (v.is_null())
                        it->json.erase(k);  // null removes a field (e.g. a `when`)
                    else
                        it->json[k] = v;
                }
                it->src = s;
                it->path = path;
            }
        }
        if (j.contains("rules")) {
            const auto& rules = j["rules"];
            for (std::size_t i = 0; i < rules.size(); ++i) {
                const std::string path = json_path_append_index("$.rules", i);
                const std::string id = rules[i].value("id", "");
                for (const auto& r : merged) {
                    if (r.json.value("id", "") == id)
                        s->fail(path + ".id", "rule id '" + id + "' is already defined by " +
                                                  r.src->name() + " (use overrides to change it)");
                }
                merged.push_back({rules[i], s, path});
            }
        }
        if (j.contains("notes"))
            for (const auto& n : j["notes"])
                if (n.is_string()) rs->notes_.push_back(s->name() + ": " + n.get<std::string>());
    }
    rs->digest_ = detail::sha256_hex(digest_input);
    // Variables: a child's definition of a name replaces its parent's, in the parent's place.
    struct variable_source {
        std::string name, expr;
        const source* src;
        std::string path;
    };
    std::vector<variable_source> variables;
    for (const auto* s : chain) {
        if (!s->json.contains("variables")) continue;
        const auto& vs = s->json["variables"];
        for (std::size_t i = 0; i < vs.size(); ++i) {
            const std::string path = json_path_append_index("$.variables", i);
            variable_source v{vs[i].value("name", ""), vs[i].value("expression", ""), s, path};
            auto it = std::find_if(variables.begin(), variables.end(),
                                   [&](const variable_source& x) { return x.name == v.name; });
            if (it != variables.end())
                *it = std::move(v);
            else
                variables.push_back(std::move(v));
        }
    }
    rs->params_doc_ = document::from_json(rs->params_json_);

    // One environment for every rule: the fixed variables, every `as` name, params constant.
    environment env;
    env.declare("app");
    for (const auto& f : top_level_fields)
        env.declare(f);
    env.declare("as_of");
    for (const auto& r : merged)
        if (r.json.contains("each")) env.declare(r.json.value("as", "item"));
    env.define_constant("params", rs->params_doc_.root());
    env.set_calendars(calendars_);
    // each variable sees the ones before it
    for (const auto& v : variables) {
        ruleset_variable out{v.name, v.expr, {}, -1, v.src->name()};
        try {
            out.expr = expression::compile(v.expr, env);
        } catch (const error& e) {
            v.src->fail(v.path + ".expression", "variable '" + v.name + "': " + e.what());
        }
        out.slot = env.declare("variables." + v.name);
        rs->variables_.push_back(std::move(out));
    }

    rs->slot_count_ = env.slot_count();
    rs->rules_.reserve(merged.size());
    for (const auto& r : merged) {
        const auto& j = r.json;
        rule out;
        out.id = j.value("id", "");
        out.code = j.value("code", "");
        out.subject = j.value("subject", "");
        const std::string ph = j.value("phase", "intake");
        out.phase = ph == "review"      ? phase::review
                    : ph == "screening" ? phase::screening
                                        : phase::intake;
        const std::string sev = j.value("severity", "blocking");
        out.level = sev == "warning" ? severity::warning
                    : sev == "info"  ? severity::info
                                     : severity::blocking;
        out.message = json_localized(j.value("message", nlohmann::json()));
        out.remedy = json_localized(j.value("remedy", nlohmann::json()));
        out.reference = j.value("reference", "");
        if (j.contains("obligations"))
            for (const auto& o : j["obligations"])
                out.obligations.push_back(o.get<std::string>());
        out.origin = r.src->name();
        out.params = &rs->params_json_;
        if (out.code.empty() && out.obligations.empty())
            r.src->fail(r.path, "rule '" + out.id + "' has neither a code nor obligations");
        if (!out.code.empty() && !j.contains("require"))
            r.src->fail(r.path, "rule '" + out.id + "' has a code but no require condition");
        auto compile = [&](const char* key, std::string& src_out, expression& expr_out) {
            if (!j.contains(key)) return;
            src_out = j[key].get<std::string>();
            try {
                expr_out = expression::compile(src_out, env);
            } catch (const error& e) {
                // r.path is where the rule was defined, or last overridden
                r.src->fail(r.path + "." + key, "rule '" + out.id + "': " + e.what());
            }
        };
        if (j.contains("each")) {
            out.each_var = j.value("as", "item");
            out.each_slot = env.slot(out.each_var);
        }
        compile("when", out.when_src, out.when);
        compile("require", out.require_src, out.require);
        compile("each", out.each_src, out.each);
        compile("subject_expr", out.subject_src, out.subject_expr);
        rs->rules_.push_back(std::move(out));
    }

    std::lock_guard lock(mutex_);
    auto [it, inserted] = cache_.emplace(key, rs);
    return it->second;
}

std::shared_ptr<const ruleset> catalogue::resolve(std::string_view region, date on) const {
    auto it = by_id_.find(region);
    if (it == by_id_.end())
        throw not_found_error("no ruleset for region '" + std::string(region) + "' in " +
                              dir_.string());
    for (const auto& s : it->second)
        if (s->covers(on)) return build(*s, on);
    std::string versions;
    for (const auto& s : it->second)
        versions += (versions.empty() ? "" : ", ") + s->version + " (" + s->from.to_string() +
                    " to " + (s->to ? s->to->to_string() : std::string("open")) + ")";
    throw not_found_error("no version of the " + std::string(region) + " rules is in force on " +
                          on.to_string() + "; versions: " + versions);
}

std::shared_ptr<const ruleset> catalogue::get(std::string_view id, std::string_view version) const {
    auto it = by_id_.find(id);
    if (it != by_id_.end())
        for (const auto& s : it->second)
            if (s->version == version) return build(*s, s->from);
    throw not_found_error("no ruleset " + std::string(id) + "@" + std::string(version));
}

namespace {
// Parameters of a merged ruleset that no expression, message or remedy reads.
std::vector<std::string> unused_parameters(const ruleset& rs,
                                           const std::vector<std::string>& used_elsewhere) {
    std::string text;
    for (const auto& r : rs.rules())
        for (const std::string* t : {&r.when_src, &r.require_src, &r.each_src, &r.subject_src,
                                     &r.message.zh, &r.message.en, &r.remedy.zh, &r.remedy.en})
            text += *t + "\n";
    for (const auto& v : rs.variables())
        text += v.source + "\n";
    auto read = [&](const std::string& name) {
        const std::string needle = "params." + name;
        for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) {
            const std::size_t end = p + needle.size();
            if (end == text.size() ||
                !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
                return true;
        }
        return false;
    };
    std::vector<std::string> out;
    for (const auto& [name, v] : rs.parameters().items())
        if (!read(name) &&
            std::find(used_elsewhere.begin(), used_elsewhere.end(), name) == used_elsewhere.end())
            out.push_back(name);
    return out;
}
}  // namespace

std::vector<catalogue::problem> catalogue::lint(
    const std::vector<std::string>& used_elsewhere) const {
    std::vector<problem> out;
    auto report = [&](const ruleset_error& e, bool warning) {
        // a parent's problem shows up once, not once per child that inherits it
        for (const auto& p : out)
            if (p.file == e.file() && p.json_path == e.json_path() && p.message == e.message())
                return;
        out.push_back({e.file(), e.line(), e.json_path(), e.message(), warning});
    };
    for (const auto& [id, versions] : by_id_) {
        for (std::size_t i = 0; i < versions.size(); ++i) {
            const auto& s = versions[i];
            if (i + 1 < versions.size()) {
                const auto& next = versions[i + 1];
                if (s->to && s->to->add_days(1) < next->from)
                    out.push_back({s->file.string(), detail::line_of(s->text, "$.effective_to"),
                                   "$.effective_to",
                                   "gap: no version of " + id + " is in force from " +
                                       s->to->add_days(1).to_string() + " to " +
                                       next->from.add_days(-1).to_string(),
                                   true});
            }
            // Compile against every parent version this one can meet.
            std::vector<date> dates{s->from};
            for (const auto& [pid, pversions] : by_id_) {
                if (pid != s->extends_id || !s->extends_version.empty()) continue;
                for (const auto& p : pversions)
                    if (s->covers(p->from) && p->from != s->from) dates.push_back(p->from);
            }
            for (date d : dates) {
                try {
                    const auto rs = build(*s, d);
                    // a parameter this file sets that its own merged rules never read
                    for (const auto& name : unused_parameters(*rs, used_elsewhere)) {
                        if (!s->json.contains("parameters") ||
                            !s->json["parameters"].contains(name))
                            continue;
                        const std::string path = json_path_append_key("$.parameters", name);
                        const std::string msg = "parameter '" + name + "' is read by no rule" +
                                                (used_elsewhere.empty() ? "" : " and no workflow");
                        const bool seen =
                            std::any_of(out.begin(), out.end(), [&](const problem& p) {
                                return p.file == s->file.string() && p.message == msg;
                            });
                        if (!seen)
                            out.push_back({s->file.string(), detail::line_of(s->text, path), path,
                                           msg, true});
                    }
                } catch (const ruleset_error& e) {
                    report(e, false);
                } catch (const error& e) {
                    out.push_back({s->file.string(), 0, "", e.what(), false});
                }
            }
        }
    }
    return out;
}

// ------------------------------------------------------------------ checking

const std::vector<std::string>& ruleset::variable_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v{"app"};
        v.insert(v.end(), top_level_fields.begin(), top_level_fields.end());
        v.push_back("as_of");
        return v;
    }();
    return names;
}

const rule* ruleset::find_rule(std::string_view id) const noexcept {
    for (const auto& r : rules_)
        if (r.id == id) return &r;
    return nullptr;
}

namespace {

enum class outcome { pass, fail, unknown, not_applicable };

struct evaluation {
    outcome result = outcome::pass;
    const error_info* error = nullptr;
    const expression* expr = nullptr;  // the expression that raised `error`
};

evaluation evaluate_rule_body(const rule& r, std::span<const value> slots, eval_context& ctx) {
    if (r.when.valid()) {
        const value w = r.when.evaluate(slots, ctx);
        if (w.is_error()) return {outcome::unknown, &w.as_error(), &r.when};
        if (!w.is_bool()) return {outcome::unknown, nullptr, &r.when};
        if (!w.as_bool()) return {outcome::not_applicable, nullptr, nullptr};
    }
    if (r.is_obligation_rule() && !r.require.valid()) return {outcome::fail, nullptr, nullptr};
    const value q = r.require.evaluate(slots, ctx);
    if (q.is_error()) return {outcome::unknown, &q.as_error(), &r.require};
    if (!q.is_bool()) return {outcome::unknown, nullptr, &r.require};
    return {q.as_bool() ? outcome::pass : outcome::fail, nullptr, nullptr};
}

void fill_unknown(unknown_outcome& u, const evaluation& ev) {
    if (ev.error == nullptr) {
        u.reason = "the condition did not evaluate to true or false";
        return;
    }
    bool only_missing = true;
    for (const error_info* e = ev.error; e != nullptr; e = e->next) {
        if (e->code == eval_errc::no_such_field && !e->path.empty()) {
            std::string p(e->path);
            if (p.rfind("app.", 0) == 0) p = p.substr(4);
            if (std::find(u.missing.begin(), u.missing.end(), p) == u.missing.end())
                u.missing.push_back(std::move(p));
        } else {
            only_missing = false;
        }
    }
    std::sort(u.missing.begin(), u.missing.end());
    if (!only_missing && ev.expr != nullptr) u.reason = ev.expr->describe(*ev.error);
}

nlohmann::json trace_inputs(const rule& r, const document& app, std::span<const value> slots,
                            const std::vector<ruleset_variable>& vars) {
    nlohmann::json inputs = nlohmann::json::object();
    for (const expression* e : {&r.each, &r.when, &r.require, &r.subject_expr}) {
        if (!e->valid()) continue;
        for (const auto& p : e->input_paths()) {
            if (p.find("[]") != std::string::npos || inputs.contains(p)) continue;
            std::string q = p.rfind("app.", 0) == 0 ? p.substr(4) : p;
            if (q == "app") continue;
            if (q == "as_of") {
                inputs[q] = to_json(slots[1 + top_level_fields.size()]);
                continue;
            }
            if (q.rfind("variables.", 0) == 0) {
                for (const auto& v : vars)
                    if (q.compare(10, std::string::npos, v.name) == 0)
                        inputs[q] = to_json(slots[static_cast<std::size_t>(v.slot)]);
                continue;
            }
            if (!r.each_var.empty() && (q == r.each_var || q.rfind(r.each_var + ".", 0) == 0))
                continue;
            const value* v = app.at(q);
            inputs[q] = v != nullptr ? to_json(*v) : nlohmann::json("(absent)");
        }
    }
    return inputs;
}

}  // namespace

verdict ruleset::check(const document& app, const check_options& opts, eval_context& ctx) const {
    verdict out;
    out.rules = shared_from_this();
    const value& root = app.root();
    if (const value* v = root.find("id"); v != nullptr && v->kind() == kind::string)
        out.application = std::string(v->as_string());
    if (const value* v = root.find("region"); v != nullptr && v->kind() == kind::string)
        out.region = std::string(v->as_string());
    date as_of;
    if (opts.as_of) {
        as_of = *opts.as_of;
    } else if (const value* v = root.find("submitted_on");
               v != nullptr && v->kind() == kind::string) {
        as_of = date::parse(v->as_string()).value_or(date{});
    }
    out.as_of = as_of;

    // Variables: app, the top-level fields (absent ones as missing-input errors), as_of, then
    // the `each` variables.
    std::vector<value> slots(slot_count_, value{});
    slots[0] = root;
    for (std::size_t i = 0; i < top_level_fields.size(); ++i) {
        const value* v = root.find(top_level_fields[i]);
        slots[1 + i] = v != nullptr ? *v : value::from_error(&absent().infos[i]);
    }
    slots[1 + top_level_fields.size()] = value::from_date(as_of);
    // Variables are computed once per application, in a context of their own (the rules' one
    // is reset after every rule).
    thread_local eval_context variables_ctx;
    variables_ctx.reset();
    for (const auto& v : variables_)
        slots[static_cast<std::size_t>(v.slot)] = v.expr.evaluate(slots, variables_ctx);
    if (opts.trace) out.trace.emplace();

    auto add_obligations = [&](const rule& r) {
        for (const auto& code : r.obligations) {
            const bool dup = std::any_of(out.obligations.begin(), out.obligations.end(),
                                         [&](const obligation& o) { return o.code == code; });
            if (!dup) out.obligations.push_back({code, &r});
        }
    };

    auto record_unknown = [&](const rule& r, const evaluation& ev, const std::string& subject,
                              std::span<const value> sl, verdict& v, bool& blocking) {
        unknown_outcome u;
        u.source = &r;
        u.subject = subject;
        fill_unknown(u, ev);
        if (!r.is_obligation_rule() && r.level == severity::blocking) blocking = true;
        if (v.trace) {
            std::string detail = u.reason;
            if (detail.empty()) {
                detail = "missing:";
                for (const auto& p : u.missing)
                    detail += " " + p;
            }
            v.trace->push_back(
                {&r, "unknown", subject, trace_inputs(r, app, sl, variables_), detail});
        }
        v.unknowns.push_back(std::move(u));
    };

    bool blocking_unknown = false;
    for (const auto& r : rules_) {
        if (r.phase == phase::screening) continue;
        if (r.phase == phase::review && !opts.include_review) continue;
        ctx.reset();
        // Per-element rules bind their variable to each element of the `each` list (which lives
        // in ctx until the next rule); others run once.
        const value* elements = nullptr;
        std::size_t runs = 1;
        if (r.each.valid()) {
            const value list = r.each.evaluate(slots, ctx);
            // an absent list has no elements to judge: the rule does not apply
            if (list.is_error() && list.as_error().code == eval_errc::no_such_field) continue;
            if (list.kind() != kind::list) {
                record_unknown(
                    r, {outcome::unknown, list.is_error() ? &list.as_error() : nullptr, &r.each},
                    "", slots, out, blocking_unknown);
                continue;
            }
            elements = list.list_begin();
            runs = list.size();
        }
        const std::size_t first_finding = out.findings.size();
        bool any_fail = false, any_unknown = false;
        for (std::size_t k = 0; k < runs; ++k) {
            if (elements != nullptr) slots[static_cast<std::size_t>(r.each_slot)] = elements[k];
            const evaluation ev = evaluate_rule_body(r, slots, ctx);
            if (ev.result == outcome::pass || ev.result == outcome::not_applicable) continue;
            // only a failing or undecided element needs its subject
            std::string subject = r.subject;
            if (r.subject_expr.valid()) {
                const value s = r.subject_expr.evaluate(slots, ctx);
                subject = s.kind() == kind::string ? std::string(s.as_string()) : s.to_string();
            }
            if (ev.result == outcome::unknown) {
                any_unknown = true;
                record_unknown(r, ev, subject, slots, out, blocking_unknown);
                continue;
            }
            any_fail = true;
            if (r.is_obligation_rule()) {
                add_obligations(r);
                continue;
            }
            // one finding per rule and subject
            const bool seen = std::any_of(
                out.findings.begin() + static_cast<std::ptrdiff_t>(first_finding),
                out.findings.end(), [&](const finding& f) { return f.subject == subject; });
            if (seen) continue;
            if (out.trace)
                out.trace->push_back(
                    {&r, "fail", subject, trace_inputs(r, app, slots, variables_), ""});
            out.findings.push_back({&r, std::move(subject), r.level});
            add_obligations(r);
        }
        if (out.trace && !any_fail && !any_unknown) {
            // obligation rules "fire" when they apply; say which way it went
            out.trace->push_back({&r, r.is_obligation_rule() ? "not_applicable" : "pass", "",
                                  trace_inputs(r, app, slots, variables_), ""});
        } else if (out.trace && any_fail && r.is_obligation_rule()) {
            out.trace->push_back(
                {&r, "obligation", "", trace_inputs(r, app, slots, variables_), ""});
        }
    }
    ctx.reset();

    // Blocking first, then warnings, then info; stable within a level (ruleset order).
    const auto by_level = [](const finding& a, const finding& b) { return a.level < b.level; };
    if (!std::is_sorted(out.findings.begin(), out.findings.end(), by_level))
        std::stable_sort(out.findings.begin(), out.findings.end(), by_level);
    if (out.has_blocking())
        out.outcome = decision::ineligible;
    else if (blocking_unknown)
        out.outcome = decision::needs_evidence;
    else
        out.outcome = decision::eligible;
    return out;
}

}  // namespace telecomply
