// Shared sub-expressions: finding them across a set of compiled expressions (by a canonical
// spelling of each sub-tree) and the table their results live in for one input.

#include "expr/memo.hpp"

#include <atomic>
#include <map>
#include <string>

#include <re2/re2.h>

#include "expr/cel_program.hpp"

namespace telecomply::detail {

memo_table::memo_table(std::size_t max_memory) : results(4096, max_memory) {}

void memo_table::begin(const memo_plan& plan) {
    set = plan.set;
    if (entries.size() < plan.slots) entries.resize(plan.slots);
    if (element_entries.size() < plan.element_slots) element_entries.resize(plan.element_slots);
    element = no_element;
    if (++generation == 0) {  // wrapped: no entry may look current
        for (auto& e : entries)
            e.generation = 0;
        for (auto& v : element_entries)
            for (auto& e : v)
                e.generation = 0;
        generation = 1;
    }
    results.reset();
    results.rebase_limit();
    depth = 0;
}

// The compiled program behind an expression, to mark while it is not yet shared.
struct program_access {
    static const program_data& read(const expression& e) noexcept { return *e.program_; }
    static program_data* program(expression& e) noexcept {
        // Composing holds the only reference: marking is part of building the expression.
        return const_cast<expression::program*>(e.program_.get());  // NOLINT
    }
};

namespace {

/// A sub-tree's canonical spelling: equal spellings compute equal results from equal
/// variables. Empty when the sub-tree may not be shared (impure, reads a comprehension variable
/// or a slot that changes within one input, or raises a fixed error).
class spelling {
  public:
    /// `element` (with `element_slot`): the spelling of the list whose elements that slot holds,
    /// empty when the slot's value may not be shared.
    spelling(const program_data& p, const std::vector<bool>& per_input, int element_slot = -1,
             std::string element = {})
        : p_(p),
          per_input_(per_input),
          element_slot_(element_slot),
          element_(std::move(element)),
          memo_(p.nodes.size()),
          per_element_(p.nodes.size(), false),
          done_(p.nodes.size(), false) {}

    const std::string& of(std::uint32_t i) {
        if (done_[i]) return memo_[i];
        done_[i] = true;
        memo_[i] = make(i);
        return memo_[i];
    }
    /// Whether node i (spelt) reads the element.
    [[nodiscard]] bool per_element(std::uint32_t i) const { return per_element_[i]; }

  private:
    std::string make(std::uint32_t i) {
        const node& n = p_.nodes[i];
        std::string s = std::to_string(static_cast<int>(n.op));
        switch (n.op) {
            case opcode::constant:
                // the kind too: 1 and 1u and 1.0 print alike
                return s + ":" + std::to_string(static_cast<int>(n.k.kind())) + ":" +
                       n.k.to_string();
            case opcode::variable:
                if (static_cast<int>(n.a) == element_slot_ && !element_.empty()) {
                    per_element_[i] = true;
                    return "E(" + element_ + ")";
                }
                if (n.a >= per_input_.size() || !per_input_[n.a]) return {};
                return s + ":" + std::to_string(n.a);
            case opcode::local:
            case opcode::error:
            case opcode::all:
            case opcode::exists:
            case opcode::exists_one:
            case opcode::map_macro:
            case opcode::filter:
            case opcode::transform_map:
            case opcode::bind:
                return {};
            case opcode::select:
            case opcode::has:
                s += ":" + std::string(n.k.as_string());
                break;
            case opcode::path:
                for (std::uint32_t k = 0; k < n.c; ++k)
                    s += ":" + std::string(p_.keys[n.b + k].as_string());
                break;
            case opcode::call: {
                if (n.overloads == nullptr || !n.overloads->pure) return {};
                s += ":" + n.overloads->name + "/" + std::to_string(n.overloads->arity);
                // the overloads themselves: the same name may reach other functions elsewhere
                for (const auto& c : n.overloads->candidates)
                    s += "@" + std::to_string(reinterpret_cast<std::uintptr_t>(c.fn)) + "," +
                         std::to_string(reinterpret_cast<std::uintptr_t>(c.sfn)) + "," +
                         std::to_string(reinterpret_cast<std::uintptr_t>(c.state));
                break;
            }
            case opcode::matches_const:
                s += ":" + n.re->pattern();
                break;
            default:
                break;
        }
        s += "(";
        for (std::uint32_t k = 0; k < n.nkids; ++k) {
            const std::uint32_t c = p_.kids[n.kid + k];
            const std::string& kid = of(c);
            if (kid.empty()) return {};
            s += kid;
            s += ',';
            if (per_element_[c]) per_element_[i] = true;
        }
        s += ")";
        return s;
    }

    const program_data& p_;
    const std::vector<bool>& per_input_;
    int element_slot_;
    std::string element_;
    std::vector<std::string> memo_;
    std::vector<bool> per_element_;
    std::vector<bool> done_;
};

/// Worth sharing: a lookup or a computation, not a constant or a variable (already free).
bool worth_sharing(const node& n) {
    return n.op != opcode::constant && n.op != opcode::variable;
}

}  // namespace

memo_plan share_subexpressions(std::span<const memo_site> sites,
                               const std::vector<bool>& per_input) {
    static std::atomic<std::uint64_t> sets{0};
    const std::uint64_t set = ++sets;
    struct occurrence {
        program_data* program;
        std::uint32_t node;
        bool per_element;
    };
    std::map<std::string, std::vector<occurrence>> found;  // ordered: the same slots every time
    for (const auto& site : sites) {
        if (site.expr == nullptr || !site.expr->valid()) continue;
        program_data* p = program_access::program(*site.expr);
        // the list the element comes from, spelt as a per-input expression
        std::string element;
        if (site.element_slot >= 0 && site.each != nullptr && site.each->valid()) {
            const program_data& each = program_access::read(*site.each);
            spelling list(each, per_input);
            element = list.of(each.root);
        }
        spelling spell(*p, per_input, site.element_slot, element);
        for (std::uint32_t i = 0; i < p->nodes.size(); ++i) {
            if (!worth_sharing(p->nodes[i])) continue;
            const std::string& s = spell.of(i);
            if (!s.empty()) found[s].push_back({p, i, spell.per_element(i)});
        }
    }
    memo_plan plan{set, 0, 0};
    for (auto& [s, where] : found) {
        if (where.size() < 2) continue;
        const bool per_element = where.front().per_element;
        const std::uint32_t id =
            per_element ? (++plan.element_slots | memo_per_element) : ++plan.slots;
        for (const auto& w : where) {
            w.program->nodes[w.node].memo = id;
            w.program->memo_set = set;
        }
    }
    return plan;
}

}  // namespace telecomply::detail
