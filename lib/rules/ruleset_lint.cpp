// Lint of the rulesets of a catalogue: every version compiled with every parent it can meet.

#include "telecomply/rules/ruleset.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "base/json_io.hpp"
#include "rules/catalogue_source.hpp"
#include "rules/default_rulesets.hpp"
#include "rules/json_schema.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

using detail::json_path_append_key;

namespace {
// Parameters of a merged ruleset that no expression, message or remedy reads. Expressions:
// the constant paths their compiler resolved ("params.NAME..."; "params" alone reads every
// parameter). Messages and remedies: their {params.NAME} placeholders.
std::vector<std::string> unused_parameters(const ruleset& rs,
                                           const std::vector<std::string>& used_elsewhere) {
    std::set<std::string, std::less<>> read;
    bool all = false;
    const auto note = [&](const expression& e) {
        for (const auto& p : e.constant_paths()) {
            if (p == "params") all = true;
            if (!p.starts_with("params.")) continue;
            const auto name = p.substr(7, p.find('.', 7) - 7);
            read.insert(name);
        }
    };
    const auto placeholders = [&](const std::string& text) {
        for (auto p = text.find("{params."); p != std::string::npos;
             p = text.find("{params.", p + 1)) {
            const auto start = p + 8;
            const auto end = text.find_first_of(".}", start);
            if (end != std::string::npos) read.insert(text.substr(start, end - start));
        }
    };
    for (const auto& r : rs.rules()) {
        for (const expression* e : {&r.when, &r.require, &r.each, &r.subject_expr})
            note(*e);
        for (const std::string* t : {&r.message.zh, &r.message.en, &r.remedy.zh, &r.remedy.en})
            placeholders(*t);
    }
    for (const auto& v : rs.variables())
        note(v.expr);
    std::vector<std::string> out;
    if (all) return out;
    for (const auto& [name, v] : rs.parameters().items())
        if (!read.contains(name) &&
            std::find(used_elsewhere.begin(), used_elsewhere.end(), name) == used_elsewhere.end())
            out.push_back(name);
    return out;
}
// Levenshtein's edit distance (insertions, deletions, substitutions), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The member of `names` closest to `name`, when close enough to be a likely misspelling.
std::string closest(std::string_view name, const std::vector<std::string>& names) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (const auto& n : names)
        if (const auto d = edit_distance(name, n); d < best_d) {
            best_d = d;
            best = n;
        }
    return best;
}

// An expression's field path as the application schema spells it: "app." dropped, an `each`
// element's variable replaced by its range ("n.purpose" of `each: numbers` is
// "numbers.purpose"), "[]" (an element of a comprehension's range) dropped. Empty for a path
// the schema does not describe by design: variables, as_of, a range that is not a field path.
std::string schema_path(std::string path, const rule* r) {
    // `app.x` is the application's member x, whatever x is; a bare name is one only when it
    // is a top-level field (else a variable, as_of, a comprehension's own variable)
    const bool from_app = path.starts_with("app.");
    if (from_app) path.erase(0, 4);
    // an element of a comprehension's range: "numbers[].purpose" is "numbers.purpose"
    for (auto at = path.find("[]"); at != std::string::npos; at = path.find("[]"))
        path.erase(at, 2);
    const auto first = path.substr(0, path.find('.'));
    if (!from_app && r != nullptr && !r->each_var.empty() && first == r->each_var) {
        const auto& range = r->each.input_paths();
        if (range.size() != 1 || range[0].find("[]") != std::string::npos) return {};
        auto base = range[0].starts_with("app.") ? range[0].substr(4) : range[0];
        return base + path.substr(first.size());
    }
    if (!from_app && std::find(detail::top_level_fields.begin(), detail::top_level_fields.end(),
                               first) == detail::top_level_fields.end())
        return {};
    return path;
}

// Which way each parameter is stricter (`x-stricter` in the ruleset schema's parameters), from
// the folder's schema or else the installed one.
std::map<std::string, std::string> parameter_directions(const std::filesystem::path& dir) {
    auto file = dir / "schema" / "ruleset.schema.json";
    if (!std::filesystem::exists(file))
        if (const auto fallback = detail::find_default_rulesets())
            file = *fallback / "schema" / "ruleset.schema.json";
    std::map<std::string, std::string> out;
    try {
        const auto j = nlohmann::json::parse(detail::read_file(file, errc::ruleset_error));
        const auto props =
            j.at("definitions").at("parameters").value("properties", nlohmann::json::object());
        for (const auto& [name, def] : props.items())
            if (def.is_object() && def.contains("x-stricter") && def["x-stricter"].is_string())
                out[name] = def["x-stricter"].get<std::string>();
    } catch (const std::exception&) {
        // no readable schema: no directions to check (loading reports a bad schema)
    }
    return out;
}

// Why `region` is laxer than `national` for a parameter stricter in `direction`, or "".
std::string relaxation(const std::string& direction, const nlohmann::json& region,
                       const nlohmann::json& national) {
    const auto text = [](const nlohmann::json& v) { return v.dump(); };
    if ((direction == "lower" || direction == "higher") && region.is_number() &&
        national.is_number()) {
        const double r = region.get<double>(), n = national.get<double>();
        if (direction == "lower" ? r > n : r < n)
            return text(region) + " where the national rules have " + text(national) + " (a " +
                   direction + " value is stricter)";
        return {};
    }
    if (direction == "narrower" && region.is_object() && national.is_object()) {
        // "HH:MM" strings compare as times of day
        const auto start = region.value("start", ""), end = region.value("end", "");
        const auto n_start = national.value("start", ""), n_end = national.value("end", "");
        if (start < n_start || end > n_end)
            return start + "-" + end + " where the national rules have " + n_start + "-" + n_end +
                   " (a narrower window is stricter)";
        return {};
    }
    if ((direction == "fewer" || direction == "more") && region.is_array() && national.is_array()) {
        const auto& wider = direction == "fewer" ? region : national;
        const auto& narrower = direction == "fewer" ? national : region;
        std::string extra;
        for (const auto& v : wider)
            if (std::find(narrower.begin(), narrower.end(), v) == narrower.end())
                extra += (extra.empty() ? "" : ", ") + text(v);
        if (extra.empty()) return {};
        return direction == "fewer"
                   ? "it allows " + extra + ", which the national rules do not (fewer is stricter)"
                   : "it leaves out " + extra +
                         ", which the national rules list (more is stricter)";
    }
    return {};
}

}  // namespace

void catalogue::check_parameter_directions(const ruleset& rs, std::vector<problem>& out) const {
    if (rs.chain().size() < 2) return;
    static std::mutex m;
    static std::map<std::string, std::map<std::string, std::string>> cache;
    std::map<std::string, std::string> directions;
    {
        const std::lock_guard lock(m);
        auto it = cache.find(dir_.string());
        if (it == cache.end()) it = cache.emplace(dir_.string(), parameter_directions(dir_)).first;
        directions = it->second;
    }
    // the national rules: the root of the chain, as its own file states them
    const source* root = nullptr;
    std::vector<const source*> files;
    for (const auto& name : rs.chain()) {
        const auto at = name.find('@');
        const auto versions = by_id_.find(std::string_view(name).substr(0, at));
        if (versions == by_id_.end()) return;
        for (const auto& s : versions->second)
            if (s->name() == name) files.push_back(s.get());
    }
    if (files.size() != rs.chain().size()) return;
    root = files.front();
    // the national parameters: those of every national file of the chain (CN@2027.1 may
    // extend CN@2026.1), merged as the chain merges them
    auto national = nlohmann::json::object();
    for (const auto* f : files)
        if (f->id == root->id && f->json.contains("parameters"))
            for (const auto& [k, v] : f->json["parameters"].items())
                national[k] = v;
    for (const auto& [name, direction] : directions) {
        if (!national.contains(name) || !rs.parameters().contains(name)) continue;
        const auto why = relaxation(direction, rs.parameters()[name], national[name]);
        if (why.empty()) continue;
        // the file that set the laxer value: the last regional file of the chain that sets it
        const source* setter = nullptr;
        for (const auto* f : files)
            if (f->id != root->id && f->json.contains("parameters") &&
                f->json["parameters"].contains(name))
                setter = f;
        if (setter == nullptr) continue;
        const auto path = json_path_append_key("$.parameters", name);
        problem p{setter->file.string(),
                  detail::line_of(setter->text, path),
                  path,
                  setter->name() + " relaxes the national parameter '" + name + "': " + why,
                  true,
                  "ruleset_error"};
        if (std::none_of(out.begin(), out.end(), [&](const problem& q) {
                return q.file == p.file && q.json_path == p.json_path && q.message == p.message;
            }))
            out.push_back(std::move(p));
    }
}

void catalogue::check_windows(const ruleset& rs, std::vector<problem>& out) const {
    // a time window whose start is not before its end admits no plan at all
    const source* leaf = nullptr;
    const auto& name = rs.chain().back();
    if (const auto v = by_id_.find(std::string_view(name).substr(0, name.find('@')));
        v != by_id_.end())
        for (const auto& s : v->second)
            if (s->name() == name) leaf = s.get();
    if (leaf == nullptr || !leaf->json.contains("parameters")) return;
    for (const auto& [k, w] : leaf->json["parameters"].items()) {
        if (!w.is_object() || !w.contains("start") || !w.contains("end") ||
            !w["start"].is_string() || !w["end"].is_string())
            continue;
        const auto start = w["start"].get<std::string>(), end = w["end"].get<std::string>();
        if (start < end) continue;
        const auto path = json_path_append_key("$.parameters", k);
        problem p{leaf->file.string(),
                  detail::line_of(leaf->text, path),
                  path,
                  "parameter '" + k + "' is a window from " + start + " to " + end +
                      ", which admits no time of day (its start must be before its end)",
                  true,
                  "ruleset_error"};
        if (std::none_of(out.begin(), out.end(), [&](const problem& q) {
                return q.file == p.file && q.json_path == p.json_path && q.message == p.message;
            }))
            out.push_back(std::move(p));
    }
}

void catalogue::check_field_paths(const ruleset& rs, std::vector<problem>& out) const {
    // the application schema of the folder, else the installed one (as engine loads it)
    auto file = dir_ / "schema" / "application.schema.json";
    if (!std::filesystem::exists(file))
        if (const auto fallback = detail::find_default_rulesets())
            file = *fallback / "schema" / "application.schema.json";
    if (!std::filesystem::exists(file)) return;
    static std::mutex m;
    static std::map<std::string, std::shared_ptr<const detail::json_schema>> cache;
    std::shared_ptr<const detail::json_schema> schema;
    {
        const std::lock_guard lock(m);
        auto& slot = cache[file.string()];
        if (!slot)
            slot = std::make_shared<const detail::json_schema>(detail::json_schema::load(file));
        schema = slot;
    }
    // The file and JSON path where a rule's expression is written: the last file of the chain
    // that sets it, in `rules` or `overrides`.
    const auto locate = [&](const rule& r,
                            const char* key) -> std::pair<const source*, std::string> {
        for (auto name = rs.chain().rbegin(); name != rs.chain().rend(); ++name) {
            const auto at = name->find('@');
            const auto versions = by_id_.find(std::string_view(*name).substr(0, at));
            if (versions == by_id_.end()) continue;
            for (const auto& src : versions->second) {
                if (src->name() != *name) continue;
                for (const char* list : {"overrides", "rules"}) {
                    const auto& items = src->json.value(list, nlohmann::json::array());
                    for (std::size_t i = 0; i < items.size(); ++i)
                        if (items[i].value("id", "") == r.id && items[i].contains(key))
                            return {src.get(),
                                    json_path_append_key(
                                        detail::json_path_append_index(std::string("$.") + list, i),
                                        key)};
                }
            }
        }
        return {nullptr, {}};
    };
    // where a variable is written: $.variables[i].expression of the file that defined it
    const auto locate_variable =
        [&](const ruleset_variable& v) -> std::pair<const source*, std::string> {
        const auto at = v.origin.find('@');
        const auto versions = by_id_.find(std::string_view(v.origin).substr(0, at));
        if (versions == by_id_.end()) return {nullptr, {}};
        for (const auto& src : versions->second) {
            if (src->name() != v.origin) continue;
            const auto& items = src->json.value("variables", nlohmann::json::array());
            for (std::size_t i = 0; i < items.size(); ++i)
                if (items[i].value("name", "") == v.name)
                    return {src.get(),
                            detail::json_path_append_index("$.variables", i) + ".expression"};
        }
        return {nullptr, {}};
    };
    const auto check = [&](const expression& e, const rule* r, const char* key,
                           const std::string& what, const ruleset_variable* var = nullptr) {
        for (const auto& raw : e.input_paths()) {
            const auto path = schema_path(raw, r);
            if (path.empty()) continue;
            const auto found = schema->lookup_path(path);
            if (found.known) continue;
            std::string at, step;
            std::size_t k = 0, start = 0;
            for (; k < found.steps; ++k)
                start = path.find('.', start) + 1;
            at = path.substr(0, start == 0 ? 0 : start - 1);
            step = path.substr(start, path.find('.', start) - start);
            std::string msg = what + ": field path " + path + " is not in the application schema";
            bool error = found.closed;
            if (!found.type.empty()) {
                const bool vowel =
                    std::string_view("aeiou").find(found.type[0]) != std::string_view::npos;
                msg += ": " + at + (vowel ? " is an " : " is a ") + found.type +
                       ", which has no field '" + step + "'";
                error = true;
            } else {
                msg += ": " + (at.empty() ? std::string("an application") : at) +
                       (found.closed ? " allows no member '" : " has no member '") + step + "'";
                if (const auto near = closest(step, found.members); !near.empty())
                    msg += "; did you mean '" + near + "'?";
                else if (!found.members.empty() && found.members.size() <= 12) {
                    msg += " (its members: ";
                    for (std::size_t i = 0; i < found.members.size(); ++i)
                        msg += (i ? ", " : "") + found.members[i];
                    msg += ")";
                }
                if (!found.closed)
                    msg +=
                        " (the schema leaves the object open, so it may be "
                        "supplied, but no application is checked to have it)";
            }
            const auto [src, json_path] = r != nullptr ? locate(*r, key)
                                          : var != nullptr
                                              ? locate_variable(*var)
                                              : std::pair<const source*, std::string>{};
            problem p{src ? src->file.string() : file_of(rs.chain().back()).string(),
                      src ? detail::line_of(src->text, json_path) : 0u,
                      json_path,
                      msg,
                      !error,
                      "ruleset_error"};
            if (std::none_of(out.begin(), out.end(), [&](const problem& q) {
                    return q.file == p.file && q.json_path == p.json_path && q.message == p.message;
                }))
                out.push_back(std::move(p));
        }
    };
    for (const auto& r : rs.rules()) {
        const std::string what = "rule '" + r.id + "'";
        check(r.when, &r, "when", what);
        check(r.require, &r, "require", what);
        check(r.each, &r, "each", what);
        check(r.subject_expr, &r, "subject_expr", what);
    }
    for (const auto& v : rs.variables())
        check(v.expr, nullptr, "expression", "variable '" + v.name + "'", &v);
}

std::vector<catalogue::problem> catalogue::lint(const std::vector<std::string>& used_elsewhere,
                                                bool check_unused) const {
    std::vector<problem> out;
    auto report = [&](const ruleset_error& e, bool warning) {
        // a parent's problem shows up once, not once per child that inherits it
        for (const auto& p : out)
            if (p.file == e.file() && p.json_path == e.json_path() && p.message == e.message())
                return;
        auto d = e.to_diagnostic();
        d.warning = warning;
        out.push_back(std::move(d));
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
                                   true, "ruleset_error"});
            }
            // Compile against every ancestor version this one can meet: a parent named by
            // version is fixed, one named by id alone changes with the date (a revision that
            // extends CN-GD@2026.1 meets each version of CN that CN-GD@2026.1 extends).
            std::vector<date> dates{s->from};
            std::vector<const source*> todo{s.get()}, seen;
            while (!todo.empty()) {
                const source* x = todo.back();
                todo.pop_back();
                if (std::find(seen.begin(), seen.end(), x) != seen.end()) continue;
                seen.push_back(x);
                const auto parents = by_id_.find(x->extends_id);
                if (x->extends_id.empty() || parents == by_id_.end()) continue;
                for (const auto& p : parents->second) {
                    if (!x->extends_version.empty()) {
                        if (p->version == x->extends_version) todo.push_back(p.get());
                        continue;
                    }
                    const bool meets =
                        (!p->to || s->from <= *p->to) && (!s->to || p->from <= *s->to);
                    if (!meets) continue;
                    todo.push_back(p.get());
                    if (s->covers(p->from) &&
                        std::find(dates.begin(), dates.end(), p->from) == dates.end())
                        dates.push_back(p->from);
                }
            }
            for (date d : dates) {
                try {
                    // every expression error, and the other rules still checked
                    std::vector<ruleset_error> errors;
                    const auto rs = build(*s, d, &errors);
                    for (const auto& e : errors)
                        report(e, false);
                    check_field_paths(*rs, out);
                    check_parameter_directions(*rs, out);
                    check_windows(*rs, out);
                    // a parameter this file sets that its own merged rules never read (not
                    // known while an expression does not compile)
                    const auto unused = check_unused && errors.empty()
                                            ? unused_parameters(*rs, used_elsewhere)
                                            : std::vector<std::string>{};
                    for (const auto& name : unused) {
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
                                           msg, true, "ruleset_error"});
                    }
                } catch (const ruleset_error& e) {
                    report(e, false);
                } catch (const error& e) {
                    out.push_back({s->file.string(), 0, "", e.what(), false, "ruleset_error"});
                }
            }
        }
    }
    return out;
}

}  // namespace telecomply
