// Composing a ruleset version: its extends chain, overrides and compiled rules.

#include "telecomply/rules/ruleset.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "base/digest.hpp"
#include "base/json_io.hpp"
#include "expr/memo.hpp"
#include "rules/catalogue_source.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/cel_functions.hpp"

namespace telecomply {

using detail::json_localized;
using detail::json_path_append_index;
using detail::top_level_fields;

// ------------------------------------------------------------------ catalogue: composing

namespace {

struct rule_source {
    nlohmann::json json;           // the merged rule object
    const catalogue::source* src;  // the file that defined or last changed it
    std::string path;              // JSON path of that definition in src
};

}  // namespace

std::shared_ptr<const ruleset> catalogue::build(
    const source& leaf, date on, std::vector<ruleset_error>* expression_errors) const {
    // The chain, root first.
    // Resolving runs once per application checked: pointers and a short scan, no strings.
    std::vector<const source*> chain{&leaf};
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
        // a version may extend an earlier version of its own id: a cycle is a file met twice
        if (std::find(chain.begin(), chain.end(), parent) != chain.end())
            child.fail("$.extends", "extends forms a cycle");
        chain.push_back(parent);
    }
    std::reverse(chain.begin(), chain.end());

    const std::vector<const source*>& key = chain;  // root first
    if (expression_errors == nullptr) {
        const std::shared_lock lock(mutex_);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }

    auto rs = std::shared_ptr<ruleset>(new ruleset());
    rs->id_ = leaf.id;
    rs->version_ = leaf.version;
    rs->from_ = leaf.from;
    rs->to_ = leaf.to;
    // A problem of one override or rule: thrown, or (lint) collected and that entry skipped, so
    // that it hides no other rule's problems.
    const auto refuse = [&](const source& at, const std::string& path, const std::string& msg) {
        try {
            at.fail(path, msg);
        } catch (const ruleset_error& located) {
            if (expression_errors == nullptr) throw;
            expression_errors->push_back(located);
        }
    };
    auto params = nlohmann::json::object();
    std::vector<rule_source> merged;
    std::string digest_input;
    auto content = nlohmann::json::array();
    for (const auto* s : chain) {
        rs->chain_.push_back(s->name());
        digest_input += s->name() + "\n" + s->json.dump() + "\n";
        content.push_back({{"name", s->name()}, {"json", s->json}});
        const auto& j = s->json;
        if (j.contains("parameters"))
            for (const auto& [k, v] : j["parameters"].items())
                params[k] = v;
        if (j.contains("overrides")) {
            const auto& ov = j["overrides"];
            for (std::size_t i = 0; i < ov.size(); ++i) {
                const std::string path = json_path_append_index("$.overrides", i);
                const std::string id = ov[i].value("id", "");
                auto it = std::find_if(merged.begin(), merged.end(), [&](const rule_source& r) {
                    return r.json.value("id", "") == id;
                });
                if (it == merged.end()) {
                    refuse(*s, path + ".id",
                           "override of unknown rule '" + id + "' (no parent rule has this id)");
                    continue;
                }
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
                const auto twice = std::find_if(merged.begin(), merged.end(), [&](const auto& r) {
                    return r.json.value("id", "") == id;
                });
                if (twice != merged.end()) {
                    refuse(*s, path + ".id",
                           "rule id '" + id + "' is already defined by " + twice->src->name() +
                               " (use overrides to change it)");
                    continue;
                }
                merged.push_back({rules[i], s, path});
            }
        }
        if (j.contains("notes"))
            for (const auto& n : j["notes"])
                if (n.is_string()) rs->notes_.push_back(s->name() + ": " + n.get<std::string>());
    }
    rs->digest_ = detail::sha256_hex(digest_input);
    rs->content_ = std::make_shared<const nlohmann::json>(std::move(content));
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
    rs->params_doc_ = document::from_json(params);
    rs->params_json_ = std::make_shared<const nlohmann::json>(std::move(params));

    // One environment for every rule: the fixed variables, every `as` name, params constant.
    environment env;
    env.declare("app");
    for (const auto& f : top_level_fields)
        env.declare(f);
    env.declare("as_of");
    for (const auto& r : merged)
        if (r.json.contains("each")) env.declare(r.json.value("as", "item"));
    env.define_constant("params", rs->params_doc_.root());
    install_domain_functions(env, calendars_);
    // each variable sees the ones before it
    for (const auto& v : variables) {
        ruleset_variable out{v.name, v.expr, {}, -1, v.src->name()};
        try {
            out.expr = expression::compile(v.expr, env);
        } catch (const error& e) {
            try {
                v.src->fail(v.path + ".expression", "variable '" + v.name + "': " + e.what());
            } catch (const ruleset_error& located) {
                if (expression_errors == nullptr) throw;
                expression_errors->push_back(located);
            }
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
        out.params = rs->params_json_.get();
        if (out.code.empty() && out.obligations.empty())
            refuse(*r.src, r.path, "rule '" + out.id + "' has neither a code nor obligations");
        if (!out.code.empty() && !j.contains("require"))
            refuse(*r.src, r.path, "rule '" + out.id + "' has a code but no require condition");
        auto compile = [&](const char* key, std::string& src_out, expression& expr_out) {
            if (!j.contains(key)) return;
            src_out = j[key].get<std::string>();
            try {
                expr_out = expression::compile(src_out, env);
            } catch (const error& e) {
                // r.path is where the rule was defined, or last overridden
                try {
                    r.src->fail(r.path + "." + key, "rule '" + out.id + "': " + e.what());
                } catch (const ruleset_error& located) {
                    if (expression_errors == nullptr) throw;
                    expression_errors->push_back(located);
                }
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
    // What stays the same for one application: every slot but the `each` elements'.
    std::vector<bool> per_input(rs->slot_count_, true);
    for (const auto& r : rs->rules_)
        if (r.each_slot >= 0) per_input[static_cast<std::size_t>(r.each_slot)] = false;
    std::vector<detail::memo_site> sites;
    for (auto& v : rs->variables_)
        sites.push_back({&v.expr});
    for (auto& r : rs->rules_) {
        sites.push_back({&r.each});
        for (expression* e : {&r.when, &r.require, &r.subject_expr})
            sites.push_back({e, r.each_slot, r.each.valid() ? &r.each : nullptr});
    }
    const auto plan = detail::share_subexpressions(sites, per_input);
    rs->memo_set_ = plan.set;
    rs->memo_slots_ = plan.slots;
    rs->memo_element_slots_ = plan.element_slots;

    if (expression_errors != nullptr && !expression_errors->empty()) return rs;  // not cached
    const std::unique_lock lock(mutex_);
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

std::shared_ptr<const ruleset> catalogue::from_content(const nlohmann::json& content,
                                                       const std::string& label,
                                                       const std::string& expected_digest) const {
    if (!content.is_array() || content.empty())
        throw ruleset_error(label, 0, "$", "pinned ruleset content must be a non-empty array");
    // a catalogue of just these files, the chain fixed by version: root first
    auto cat = std::shared_ptr<catalogue>(new catalogue());
    cat->dir_ = dir_;
    cat->calendars_ = calendars_;
    const source* parent = nullptr;
    const source* leaf = nullptr;
    for (std::size_t i = 0; i < content.size(); ++i) {
        const auto& f = content[i];
        if (!f.is_object() || !f.contains("json"))
            throw ruleset_error(label, 0, json_path_append_index("$", i),
                                "each file of pinned content is {name, json}");
        auto s = std::make_shared<source>();
        s->file = label;
        s->json = f["json"];
        s->read_header();
        if (parent != nullptr) {
            s->extends_id = parent->id;
            s->extends_version = parent->version;
        } else {
            s->extends_id.clear();
        }
        leaf = s.get();
        parent = s.get();
        cat->by_id_[s->id].push_back(std::move(s));
    }
    auto rs = cat->build(*leaf, leaf->from);
    if (!expected_digest.empty() && rs->digest() != expected_digest)
        throw ruleset_error(
            label, 0, "$",
            "pinned content has digest " + rs->digest() + ", not " + expected_digest);
    return rs;
}

std::shared_ptr<const ruleset> catalogue::get(std::string_view id, std::string_view version) const {
    auto it = by_id_.find(id);
    if (it != by_id_.end())
        for (const auto& s : it->second)
            if (s->version == version) return build(*s, s->from);
    throw not_found_error("no ruleset " + std::string(id) + "@" + std::string(version));
}

}  // namespace telecomply
