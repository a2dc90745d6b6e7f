// Lint of the rulesets of a catalogue: every version compiled with every parent it can meet.

#include "telecomply/rules/ruleset.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/json_io.hpp"
#include "rules/catalogue_source.hpp"
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
}  // namespace

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
                    const auto unused = check_unused ? unused_parameters(*rs, used_elsewhere)
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
