// What would pass (rules/fix.hpp): fixes read off a rule's `require` condition, each verified by
// checking the patched application again.

#include "telecomply/rules/fix.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

#include "expr/cel_ast.hpp"
#include "rules/catalogue_source.hpp"
#include "telecomply/expr/arena.hpp"

namespace telecomply {

using detail::ast_kind;
using detail::ast_node;
namespace op = detail::op;

namespace {

// Where a rule's values live: the application, or the element an `each` rule judges.
struct rule_scope {
    std::string each_var;   // "n", or empty
    std::string each_path;  // the list it ranges over, dotted ("numbers"), or empty
};

// A field path a node reads: a chain of selections on `app`, a top-level field or the
// element variable ("@." + path in the element).
std::optional<std::string> path_of(const ast_node& n, const rule_scope& scope) {
    if (n.kind == ast_kind::ident) {
        if (n.name == "app") return std::string();
        if (!scope.each_var.empty() && n.name == scope.each_var) return std::string("@");
        if (std::find(detail::top_level_fields.begin(), detail::top_level_fields.end(), n.name) !=
            detail::top_level_fields.end())
            return n.name;
        return std::nullopt;
    }
    if (n.kind == ast_kind::select && !n.args.empty()) {
        auto base = path_of(*n.args[0], scope);
        if (!base) return std::nullopt;
        return base->empty() ? n.name : *base + "." + n.name;
    }
    return std::nullopt;
}

// The constant a node stands for: a literal, a list of constants, `params.NAME...`, `-literal`.
std::optional<nlohmann::json> constant_of(const ast_node& n, const nlohmann::json& params) {
    if (n.kind == ast_kind::literal) return to_json(n.lit);
    if (n.kind == ast_kind::list) {
        auto out = nlohmann::json::array();
        for (const auto& a : n.args) {
            auto v = constant_of(*a, params);
            if (!v) return std::nullopt;
            out.push_back(std::move(*v));
        }
        return out;
    }
    if (n.kind == ast_kind::call && !n.member && n.name == op::negate && n.args.size() == 1)
        if (auto v = constant_of(*n.args[0], params); v && v->is_number())
            return v->is_number_integer() ? nlohmann::json(-v->get<std::int64_t>())
                                          : nlohmann::json(-v->get<double>());
    std::vector<std::string> steps;
    const ast_node* at = &n;
    while (at->kind == ast_kind::select && !at->args.empty()) {
        steps.push_back(at->name);
        at = at->args[0].get();
    }
    if (at->kind != ast_kind::ident || at->name != "params" || steps.empty()) return std::nullopt;
    const nlohmann::json* v = &params;
    for (auto s = steps.rbegin(); s != steps.rend(); ++s) {
        if (!v->is_object() || !v->contains(*s)) return std::nullopt;
        v = &(*v)[*s];
    }
    return *v;
}

// One change the condition suggests, before it is tried.
struct candidate {
    std::string kind;  // set, truncate, add
    std::string path;  // dotted; "@..." inside the element
    nlohmann::json value;
    std::string bound;  // "at most", "at least", "one of", ""
};

void flip(std::string_view& o) {
    if (o == op::less)
        o = op::greater;
    else if (o == op::greater)
        o = op::less;
    else if (o == op::less_equals)
        o = op::greater_equals;
    else if (o == op::greater_equals)
        o = op::less_equals;
}

// The value a field must take to satisfy `field o bound`, when there is one.
std::optional<candidate> bound_candidate(const std::string& path, std::string_view o,
                                         const nlohmann::json& bound) {
    if (o == op::equals) return candidate{"set", path, bound, ""};
    if (!bound.is_number() && !bound.is_string()) return std::nullopt;
    if (o == op::less_equals) return candidate{"set", path, bound, "at most"};
    if (o == op::greater_equals) return candidate{"set", path, bound, "at least"};
    if (!bound.is_number_integer()) return std::nullopt;  // no next value of a double or text
    const auto b = bound.get<std::int64_t>();
    if (o == op::less) return candidate{"set", path, b - 1, "at most"};
    if (o == op::greater) return candidate{"set", path, b + 1, "at least"};
    return std::nullopt;
}

// Changes each term of a condition suggests (terms of && and alternatives of || alike).
void suggest(const ast_node& n, const rule_scope& scope, const nlohmann::json& params,
             std::vector<candidate>& out) {
    if (n.kind == ast_kind::call && !n.member &&
        (n.name == op::logical_and || n.name == op::logical_or)) {
        for (const auto& a : n.args)
            suggest(*a, scope, params, out);
        return;
    }
    // has(x.f): supply the field
    if (n.kind == ast_kind::call && n.name == "has" && n.args.size() == 1) {
        if (auto p = path_of(*n.args[0], scope)) out.push_back({"add", *p, nullptr, ""});
        return;
    }
    if (n.kind != ast_kind::call || n.member || n.args.size() != 2) return;
    const ast_node* l = n.args[0].get();
    const ast_node* r = n.args[1].get();
    std::string_view o = n.name;
    // f(x) <= f(C) (date(), time_of_day()): the same conversion on both sides
    while (l->kind == ast_kind::call && r->kind == ast_kind::call && l->name == r->name &&
           !l->member && !r->member && l->args.size() == 1 && r->args.size() == 1) {
        l = l->args[0].get();
        r = r->args[0].get();
    }
    if (o == op::in) {
        if (auto p = path_of(*l, scope))
            if (auto c = constant_of(*r, params); c && c->is_array() && !c->empty())
                out.push_back({"set", *p, *c, "one of"});
        return;
    }
    // x.trim() != '' / x != '': text to fill in
    if (o == op::not_equals) {
        const ast_node* t = l;
        if (t->kind == ast_kind::call && t->member && t->name == "trim" && t->args.size() == 1)
            t = t->args[0].get();
        if (auto c = constant_of(*r, params); c && *c == "")
            if (auto p = path_of(*t, scope)) out.push_back({"add", *p, nullptr, ""});
        return;
    }
    if (o != op::less && o != op::less_equals && o != op::greater && o != op::greater_equals &&
        o != op::equals)
        return;
    auto field = path_of(*l, scope);
    auto bound = constant_of(*r, params);
    if (!field || !bound) {
        field = path_of(*r, scope);
        bound = constant_of(*l, params);
        flip(o);
    }
    // size(x) <= C, x.size() <= C: keep the first C items
    const auto size_of = [&](const ast_node& s) -> std::optional<std::string> {
        if (s.kind == ast_kind::call && s.name == "size" && s.args.size() == 1)
            return path_of(*s.args[0], scope);
        return std::nullopt;
    };
    if (!field || !bound) {
        std::optional<std::string> list;
        std::string_view so = n.name;
        if ((list = size_of(*l)) && (bound = constant_of(*r, params))) {
        } else if ((list = size_of(*r)) && (bound = constant_of(*l, params))) {
            flip(so);
        }
        if (list && bound && bound->is_number_integer()) {
            auto keep = bound->get<std::int64_t>();
            if (so == op::less) --keep;
            if ((so == op::less || so == op::less_equals) && keep >= 0)
                out.push_back({"truncate", *list, keep, "at most"});
            // too few items: the applicant must supply more
            if (so == op::greater || so == op::greater_equals)
                out.push_back({"add", *list,
                               bound->get<std::int64_t>() + (so == op::greater ? 1 : 0), "items"});
        }
        return;
    }
    if (auto c = bound_candidate(*field, o, *bound)) out.push_back(std::move(*c));
}

// A value at a dotted path of `j`, or nullptr.
const nlohmann::json* at_path(const nlohmann::json& j, const std::string& path) {
    const nlohmann::json* v = &j;
    std::size_t start = 0;
    while (v != nullptr && start <= path.size()) {
        const auto dot = path.find('.', start);
        const auto key = path.substr(start, dot - start);
        v = v->is_object() && v->contains(key) ? &(*v)[key] : nullptr;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return v;
}

// Sets a dotted path of `j`, making objects on the way.
void set_path(nlohmann::json& j, const std::string& path, nlohmann::json value) {
    nlohmann::json* v = &j;
    std::size_t start = 0;
    for (;;) {
        const auto dot = path.find('.', start);
        const auto key = path.substr(start, dot - start);
        if (!v->is_object()) *v = nlohmann::json::object();
        if (dot == std::string::npos) {
            (*v)[key] = std::move(value);
            return;
        }
        v = &(*v)[key];
        start = dot + 1;
    }
}

// The element of an `each` rule's list that a finding is about: the one holding the subject.
std::optional<std::size_t> element_of(const nlohmann::json& list, const std::string& subject) {
    if (!list.is_array()) return std::nullopt;
    for (std::size_t k = 0; k < list.size(); ++k) {
        const auto& e = list[k];
        if (e.is_string() && e == subject) return k;
        if (e.is_object())
            for (const auto& [key, v] : e.items())
                if (v.is_string() && v == subject) return k;
    }
    return std::nullopt;
}

std::string show(const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// A finding or unknown to clear: the rule and subject.
struct target {
    const rule* r;
    std::string subject;
    std::vector<std::string> missing;  // an unknown's absent inputs
    std::string reason;                // an unknown's evaluation error
    bool unknown = false;
};

bool still_there(const verdict& v, const target& t) {
    return std::any_of(v.findings.begin(), v.findings.end(),
                       [&](const finding& f) {
                           return f.rule_id() == t.r->id && f.subject == t.subject;
                       }) ||
           std::any_of(v.unknowns.begin(), v.unknowns.end(), [&](const unknown_outcome& u) {
               return u.rule_id() == t.r->id && u.subject == t.subject;
           });
}

}  // namespace

nlohmann::json merge_patch_between(const nlohmann::json& from, const nlohmann::json& to) {
    if (!from.is_object() || !to.is_object()) return to;
    auto out = nlohmann::json::object();
    for (const auto& [k, v] : from.items())
        if (!to.contains(k)) out[k] = nullptr;
    for (const auto& [k, v] : to.items()) {
        if (!from.contains(k)) {
            out[k] = v;
        } else if (from[k] != v) {
            out[k] = from[k].is_object() && v.is_object() ? merge_patch_between(from[k], v) : v;
        }
    }
    return out;
}

bool fix_plan::complete() const noexcept {
    return after == decision::eligible &&
           std::all_of(fixes.begin(), fixes.end(),
                       [](const application_fix& f) { return f.verified; });
}

nlohmann::json fix_plan::to_json() const {
    auto fs = nlohmann::json::array();
    for (const auto& f : fixes) {
        nlohmann::json j = {{"rule", f.rule_id},
                            {"kind", f.kind},
                            {"path", f.path},
                            {"text", f.text},
                            {"verified", f.verified}};
        if (!f.code.empty()) j["code"] = f.code;
        if (!f.subject.empty()) j["subject"] = f.subject;
        if (!f.patch.is_null()) j["patch"] = f.patch;
        fs.push_back(std::move(j));
    }
    return {{"application", application},
            {"before", to_string(before)},
            {"after", to_string(after)},
            {"complete", complete()},
            {"patch", patch},
            {"fixes", std::move(fs)}};
}

std::string fix_plan::to_text() const {
    std::ostringstream out;
    out << application << ": " << to_string(before);
    if (fixes.empty()) {
        out << "; nothing to fix\n";
        return out.str();
    }
    out << "\n";
    for (const auto& f : fixes) {
        out << "  " << (f.code.empty() ? f.rule_id : f.code);
        if (!f.subject.empty()) out << "[" << f.subject << "]";
        out << ": " << f.text;
        if (f.kind == "add") out << " (the applicant must supply it)";
        out << "\n";
    }
    out << "with every change a patch can make (--format json gives it): " << to_string(after)
        << (complete() ? "" : "; not everything can be fixed by a patch") << "\n";
    return out.str();
}

fix_plan plan_fixes(const engine& e, const nlohmann::json& app, const check_options& opts,
                    std::string_view version) {
    check_options plain = opts;
    plain.trace = false;
    const auto judge = [&](const nlohmann::json& j) {
        return version.empty() ? e.check(e.validate(j), plain)
                               : e.check_version(e.validate(j), version, plain);
    };
    const verdict first = judge(app);
    fix_plan plan;
    plan.application = first.application;
    plan.before = first.outcome;

    std::vector<target> targets;
    for (const auto& f : first.findings)
        if (f.level == severity::blocking && f.source)
            targets.push_back({f.source.get(), f.subject, {}, {}, false});
    for (const auto& u : first.unknowns)
        if (u.source) targets.push_back({u.source.get(), u.subject, u.missing, u.reason, true});

    nlohmann::json current = app;
    for (const auto& t : targets) {
        const rule& r = *t.r;
        application_fix fx{r.id, r.code, t.subject, "none", "", "", nullptr, false};
        // an earlier fix may have cleared this one too
        if (!still_there(judge(current), t)) {
            fx.kind = "set";
            fx.text = "cleared by the fixes above";
            fx.verified = true;
            plan.fixes.push_back(std::move(fx));
            continue;
        }
        if (t.unknown && !t.missing.empty()) {
            // an undecided rule needs its absent inputs
            fx.kind = "add";
            for (const auto& m : t.missing) {
                fx.path += (fx.path.empty() ? "" : ", ") + m;
                fx.text += (fx.text.empty() ? "add " : ", add ") + m;
            }
            plan.fixes.push_back(std::move(fx));
            continue;
        }
        rule_scope scope;
        if (!r.each_var.empty() && r.each.input_paths().size() == 1) {
            scope.each_var = r.each_var;
            const auto& p = r.each.input_paths()[0];
            scope.each_path = p.starts_with("app.") ? p.substr(4) : p;
        }
        std::vector<candidate> cands;
        if (!r.require_src.empty()) {
            arena a;
            value_builder vb(a);
            try {
                const auto tree = detail::parse(r.require_src, vb, expression_limits{});
                suggest(*tree, scope, r.params != nullptr ? *r.params : nlohmann::json::object(),
                        cands);
            } catch (const error&) {
                // compiled once already; a parse that fails here suggests nothing
            }
        }
        // Paths inside the element are the element's in the list.
        std::optional<std::size_t> elem;
        if (!scope.each_path.empty())
            if (const auto* list = at_path(current, scope.each_path))
                elem = element_of(*list, t.subject);
        const auto resolve = [&](const std::string& p) -> std::string {
            if (!p.starts_with("@")) return p;
            if (!elem) return {};
            return scope.each_path + "[" + std::to_string(*elem) + "]" + p.substr(1);
        };
        const auto try_patch = [&](nlohmann::json patched) {
            try {
                if (still_there(judge(patched), t)) return false;
            } catch (const error&) {
                return false;  // the change makes the application invalid: not a fix
            }
            fx.patch = merge_patch_between(current, patched);
            fx.verified = true;
            current = std::move(patched);
            return true;
        };
        bool done = false;
        // One candidate applied to `patched`: what it changed, in words, or nullopt when it
        // does not apply (a fact, no such element, nothing to cut).
        const auto change = [&](const candidate& c,
                                nlohmann::json& patched) -> std::optional<std::string> {
            if (c.kind == "add" || resolve(c.path).empty()) return std::nullopt;
            const bool in_element = c.path.starts_with("@");
            const std::string schema_path =
                in_element ? scope.each_path + c.path.substr(1) : c.path;
            if (e.application_path_read_only(schema_path)) return std::nullopt;
            const auto value = c.bound == "one of" ? c.value[0] : c.value;
            nlohmann::json old;
            if (in_element) {
                auto* list = const_cast<nlohmann::json*>(at_path(patched, scope.each_path));
                if (list == nullptr || !elem || *elem >= list->size()) return std::nullopt;
                const auto rest = c.path.size() > 2 ? c.path.substr(2) : std::string();
                if (rest.empty()) return std::nullopt;
                if (const auto* o = at_path((*list)[*elem], rest)) old = *o;
                set_path((*list)[*elem], rest, value);
            } else if (c.kind == "truncate") {
                const auto* o = at_path(patched, c.path);
                if (o == nullptr || !o->is_array()) return std::nullopt;
                const auto keep = c.value.get<std::size_t>();
                if (o->size() <= keep) return std::nullopt;
                auto kept = *o;
                kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(keep), kept.end());
                const auto had = o->size();
                set_path(patched, c.path, kept);
                return c.path + ": keep at most " + show(c.value) + " (remove the last " +
                       std::to_string(had - keep) + ")";
            } else {
                if (const auto* o = at_path(patched, c.path)) old = *o;
                set_path(patched, c.path, value);
            }
            const auto was = old.is_null() ? std::string("(absent)") : show(old);
            if (c.bound == "one of") {
                std::string allowed;
                for (const auto& v : c.value)
                    allowed += (allowed.empty() ? "" : ", ") + show(v);
                return schema_path + " " + was + " → one of " + allowed;
            }
            return schema_path + " " + was + " → " + (c.bound.empty() ? "" : c.bound + " ") +
                   show(c.value);
        };
        // each change alone, smallest first
        for (const auto& c : cands) {
            nlohmann::json patched = current;
            const auto text = change(c, patched);
            if (!text || !try_patch(std::move(patched))) continue;
            fx.kind = c.kind;
            fx.path = c.path.starts_with("@") ? scope.each_path + c.path.substr(1) : c.path;
            fx.text = *text;
            done = true;
            break;
        }
        // a condition of several bounds (a window's start and end): every value change at once
        if (!done) {
            nlohmann::json patched = current;
            std::string texts, paths;
            std::size_t n = 0;
            for (const auto& c : cands) {
                if (c.kind != "set") continue;
                if (const auto text = change(c, patched)) {
                    texts += (texts.empty() ? "" : "; ") + *text;
                    paths +=
                        (paths.empty() ? "" : ", ") +
                        (c.path.starts_with("@") ? scope.each_path + c.path.substr(1) : c.path);
                    ++n;
                }
            }
            if (n > 1 && try_patch(std::move(patched))) {
                fx.kind = "set";
                fx.path = paths;
                fx.text = texts;
                done = true;
            }
        }
        if (!done) {
            // something to supply, when the condition asks for a value
            std::vector<std::string> supply, counted;  // counted: lists given a number of items
            for (const auto& c : cands) {
                if (c.kind != "add") continue;
                const bool in_element = c.path.starts_with("@");
                if (in_element && !elem) continue;
                // what is there now: a value present and not blank needs no supplying
                const nlohmann::json* now = nullptr;
                if (in_element) {
                    const auto* list = at_path(current, scope.each_path);
                    const auto rest = c.path.size() > 2 ? c.path.substr(2) : std::string();
                    now = list != nullptr && *elem < list->size() && !rest.empty()
                              ? at_path((*list)[*elem], rest)
                              : nullptr;
                } else {
                    now = at_path(current, c.path);
                }
                const auto where = resolve(c.path);
                if (c.bound == "items") {
                    // size(list) > n: a list with too few items needs more (not a text: its
                    // size is its length, which no item supplies)
                    if (now != nullptr && !now->is_array()) continue;
                    const auto need = c.value.get<std::int64_t>();
                    const auto have = now != nullptr && now->is_array()
                                          ? static_cast<std::int64_t>(now->size())
                                          : std::int64_t{0};
                    if (have >= need) continue;
                    fx.kind = "add";
                    counted.push_back(where);
                    fx.path += (fx.path.empty() ? "" : ", ") + where;
                    fx.text += std::string(fx.text.empty() ? "" : ", ") + "add " +
                               std::to_string(need - have) + " item" +
                               (need - have == 1 ? "" : "s") + " to " + where;
                    continue;
                }
                if (now != nullptr &&
                    !(now->is_string() &&
                      now->get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos))
                    continue;
                if (std::find(supply.begin(), supply.end(), where) == supply.end())
                    supply.push_back(where);
            }
            // a.b.c says a.b too: only the deepest of the paths to supply
            std::erase_if(supply, [&](const std::string& p) {
                return std::any_of(supply.begin(), supply.end(), [&](const std::string& q) {
                    return q.size() > p.size() && q.starts_with(p) && q[p.size()] == '.';
                });
            });
            for (const auto& where : supply) {
                if (std::find(counted.begin(), counted.end(), where) != counted.end()) continue;
                fx.kind = "add";
                fx.path += (fx.path.empty() ? "" : ", ") + where;
                fx.text += (fx.text.empty() ? "add " : ", add ") + where;
            }
            done = fx.kind == "add";
        }
        // a per-element rule with nothing to supply: without the element, nothing fails
        if (!done && elem && !e.application_path_read_only(scope.each_path)) {
            nlohmann::json patched = current;
            auto* list = const_cast<nlohmann::json*>(at_path(patched, scope.each_path));
            list->erase(list->begin() + static_cast<std::ptrdiff_t>(*elem));
            if (try_patch(std::move(patched))) {
                fx.kind = "remove";
                fx.path = scope.each_path;
                fx.text = "remove " + t.subject + " from " + scope.each_path;
                done = true;
            }
        }
        if (!done) {
            // No change of the application's own choices clears it: say what it depends on.
            std::vector<std::string> inputs;
            for (const expression* x : {&r.when, &r.require})
                for (const auto& p : x->input_paths()) {
                    auto q = p.starts_with("app.") ? p.substr(4) : p;
                    if (q.starts_with("variables.") || q == "as_of" || q == "app") continue;
                    if (std::find(inputs.begin(), inputs.end(), q) == inputs.end())
                        inputs.push_back(q);
                }
            std::string documents, facts_read, choices;
            for (const auto& q : inputs) {
                if (!e.application_path_read_only(q)) {
                    choices += (choices.empty() ? "" : ", ") + q;
                    continue;
                }
                if (q.starts_with("materials.")) {
                    const auto doc = q.substr(0, q.find('.', 10));
                    if (documents.find(doc) == std::string::npos)
                        documents += (documents.empty() ? "" : ", ") + doc;
                } else if (facts_read.find(q) == std::string::npos) {
                    facts_read += (facts_read.empty() ? "" : ", ") + q;
                }
            }
            if (!documents.empty()) {
                fx.kind = "add";
                fx.path = documents;
                fx.text = "supply a new " + documents + " that meets the rule (" + r.require_src +
                          "); the one supplied does not";
            } else if (!t.reason.empty()) {
                fx.text = "no change found: the rule could not be evaluated (" + t.reason + ")";
            } else if (!choices.empty()) {
                // values the applicant chooses, but no change read off the condition clears it
                fx.text = "no single change found that clears this; it depends on " + choices +
                          (facts_read.empty() ? std::string() : " and on " + facts_read) + " (" +
                          r.require_src + ")";
            } else {
                fx.text = "no change to the application can clear this: it depends on " +
                          (facts_read.empty() ? std::string("values outside the application")
                                              : facts_read +
                                                    " (facts the application states, "
                                                    "readOnly in its schema)");
            }
        }
        plan.fixes.push_back(std::move(fx));
    }
    plan.patch = merge_patch_between(app, current);
    plan.after = judge(current).outcome;
    return plan;
}

}  // namespace telecomply
