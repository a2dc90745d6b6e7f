// Checking an application against a composed ruleset: outcomes, findings, unknowns, traces.

#include "telecomply/rules/ruleset.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/json_io.hpp"
#include "expr/memo.hpp"
#include "rules/catalogue_source.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

using detail::absent;
using detail::top_level_fields;

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

// A value as the trace shows it: compact JSON, a long object or list summarised.
std::string trace_value(const value& v, bool full) {
    auto text = to_json(v).dump();
    if (full || text.size() <= 80) return text;
    if (v.kind() == kind::map)
        return nlohmann::json("(object: " + std::to_string(v.size()) + " members)").dump();
    if (v.kind() == kind::list)
        return nlohmann::json("(list: " + std::to_string(v.size()) + " items)").dump();
    return text;
}

std::map<std::string, std::string> trace_inputs(const rule& r, const document& app,
                                                std::span<const value> slots,
                                                const std::vector<ruleset_variable>& vars,
                                                bool full) {
    std::map<std::string, std::string> inputs;
    std::vector<std::string> paths;
    for (const expression* e : {&r.each, &r.when, &r.require, &r.subject_expr}) {
        if (!e->valid()) continue;
        for (const auto& p : e->input_paths()) {
            std::string q = p.rfind("app.", 0) == 0 ? p.substr(4) : p;
            if (q == "app" || p.find("[]") != std::string::npos) continue;
            if (std::find(paths.begin(), paths.end(), q) == paths.end()) paths.push_back(q);
        }
    }
    const value* element = nullptr;
    if (!full && r.each_slot >= 0) {
        const value& e = slots[static_cast<std::size_t>(r.each_slot)];
        if (!e.is_error() && e.kind() != kind::null_) element = &e;
    }
    for (const auto& q : paths) {
        // the leaves: a path read only on the way to a longer one says nothing of its own
        if (!full && std::any_of(paths.begin(), paths.end(), [&](const std::string& o) {
                return o.size() > q.size() && o.starts_with(q) && o[q.size()] == '.';
            }))
            continue;
        if (q == "as_of") {
            inputs[q] = to_json(slots[1 + top_level_fields.size()]).dump();
            continue;
        }
        if (q.rfind("variables.", 0) == 0) {
            for (const auto& v : vars)
                if (q.compare(10, std::string::npos, v.name) == 0)
                    inputs[q] = trace_value(slots[static_cast<std::size_t>(v.slot)], full);
            continue;
        }
        if (!r.each_var.empty() && (q == r.each_var || q.rfind(r.each_var + ".", 0) == 0)) {
            if (element == nullptr) continue;
            // the element being judged: its fields by the rule's name for it ("n.purpose")
            const value* v = element;
            for (std::size_t at = r.each_var.size(); v != nullptr && at < q.size();) {
                const auto next = q.find('.', at + 1);
                const auto key = q.substr(at + 1, next - at - 1);
                v = v->kind() == kind::map ? v->find(key) : nullptr;
                at = next == std::string::npos ? q.size() : next;
            }
            inputs[q] = v != nullptr ? trace_value(*v, full) : "\"(absent)\"";
            continue;
        }
        const value* v = app.at(q);
        inputs[q] = v != nullptr ? trace_value(*v, full) : "\"(absent)\"";
    }
    return inputs;
}

// The parameters a rule uses: what its expressions read of `params` and its message's and
// remedy's {params.NAME} placeholders, with their values.
std::map<std::string, std::string> trace_params(const rule& r) {
    std::map<std::string, std::string> out;
    if (r.params == nullptr) return out;
    const auto add = [&](const std::string& path) {
        if (path == "params" || !path.starts_with("params.") || out.contains(path)) return;
        const nlohmann::json* at = r.params;
        for (std::size_t start = 7; at != nullptr && start <= path.size();) {
            const auto dot = path.find('.', start);
            const auto key = path.substr(start, dot - start);
            const auto it = at->is_object() ? at->find(key) : at->end();
            at = at->is_object() && it != at->end() ? &*it : nullptr;
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        if (at != nullptr) out[path] = at->dump();
    };
    for (const expression* e : {&r.each, &r.when, &r.require, &r.subject_expr})
        if (e->valid())
            for (const auto& p : e->constant_paths())
                add(p);
    for (const std::string* t : {&r.message.zh, &r.message.en, &r.remedy.zh, &r.remedy.en})
        for (auto p = t->find("{params."); p != std::string::npos; p = t->find("{params.", p + 1))
            if (const auto end = t->find('}', p); end != std::string::npos)
                add(t->substr(p + 1, end - p - 1));
    return out;
}

}  // namespace

verdict ruleset::check(const document& app, const check_options& opts, eval_context& ctx) const {
    verdict out;
    out.rules = shared_from_this();
    // a rule of this ruleset, sharing the ruleset's ownership (aliasing shared_ptr)
    const auto ref = [&](const rule& r) { return rule_ref(out.rules, &r); };
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
    // What the rules share is computed once per application (expr/memo.hpp).
    thread_local detail::memo_table memo;
    memo.begin({memo_set_, memo_slots_, memo_element_slots_});
    const detail::memo_scope variables_memo(variables_ctx, &memo);
    const detail::memo_scope rules_memo(ctx, &memo);
    for (const auto& v : variables_)
        slots[static_cast<std::size_t>(v.slot)] = v.expr.evaluate(slots, variables_ctx);
    if (opts.trace) out.trace.emplace();

    auto add_obligations = [&](const rule& r) {
        for (const auto& code : r.obligations) {
            const bool dup = std::any_of(out.obligations.begin(), out.obligations.end(),
                                         [&](const obligation& o) { return o.code == code; });
            if (!dup) out.obligations.push_back({code, ref(r)});
        }
    };

    auto record_unknown = [&](const rule& r, const evaluation& ev, const std::string& subject,
                              std::span<const value> sl, verdict& v, bool& blocking) {
        unknown_outcome u;
        u.source = ref(r);
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
            v.trace->push_back({ref(r), "unknown", subject,
                                trace_inputs(r, app, sl, variables_, opts.trace_full),
                                trace_params(r), detail, opts.trace_full});
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
            if (elements != nullptr) {
                slots[static_cast<std::size_t>(r.each_slot)] = elements[k];
                memo.element = k;
            }
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
                out.trace->push_back({ref(r), "fail", subject,
                                      trace_inputs(r, app, slots, variables_, opts.trace_full),
                                      trace_params(r), "", opts.trace_full});
            out.findings.push_back({ref(r), std::move(subject), r.level});
            add_obligations(r);
        }
        memo.element = detail::memo_table::no_element;
        // a rule's trace after its elements shows no element's values
        if (elements != nullptr) slots[static_cast<std::size_t>(r.each_slot)] = value{};
        if (out.trace && !any_fail && !any_unknown) {
            // obligation rules "fire" when they apply; say which way it went
            out.trace->push_back({ref(r), r.is_obligation_rule() ? "not_applicable" : "pass", "",
                                  trace_inputs(r, app, slots, variables_, opts.trace_full),
                                  trace_params(r), "", opts.trace_full});
        } else if (out.trace && any_fail && r.is_obligation_rule()) {
            out.trace->push_back({ref(r), "obligation", "",
                                  trace_inputs(r, app, slots, variables_, opts.trace_full),
                                  trace_params(r), "", opts.trace_full});
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
