#pragma once
// Sub-expressions that several expressions of a set compute alike, evaluated once per input.
// A ruleset's rules test `has(app.materials)`, read `materials.marketing_plan` or parse
// `date(submitted_on)` over and over for the same application: marked as shared when the
// ruleset is composed, each is evaluated the first time a rule needs it and its result reused by
// the rules after (common subexpression elimination across expressions, as a compiler does
// within one). Private to the library.

#include <cstdint>
#include <span>
#include <vector>

#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

/// What share_subexpressions() marked: which set (a number no other call gives) and how many
/// slots its table needs.
struct memo_plan {
    std::uint64_t set = 0;
    std::uint32_t slots = 0;          // results per input
    std::uint32_t element_slots = 0;  // results per element of a list the rules go through
};

/// How a node's `memo` field names its slot: 1 + the slot, with this bit for a per-element one.
constexpr std::uint32_t memo_per_element = 0x80000000U;

/// The results of the shared sub-expressions for one input. Results that are errors are never
/// kept (an error names the expression that raised it, so each expression raises its own).
/// Not thread-safe: one per thread.
class memo_table {
  public:
    /// `max_memory` bounds the bytes the shared results of one input may take (limit_error).
    explicit memo_table(std::size_t max_memory = expression_limits{}.max_memory);
    /// Starts an input evaluated by the expressions of `plan`: the results of the previous input
    /// are forgotten (in constant time) and their memory reused. Expressions of another set
    /// evaluate as if there were no table.
    void begin(const memo_plan& plan);

    struct entry {
        value result;
        std::uint32_t generation = 0;  // the input it belongs to
    };
    std::vector<entry> entries;
    /// Per-element results, by slot then by the element's position in its list.
    std::vector<std::vector<entry>> element_entries;
    /// The position of the element being judged in the list of the current `each` (set by the
    /// caller around each element); no_element outside one, when per-element results are not
    /// shared.
    static constexpr std::size_t no_element = static_cast<std::size_t>(-1);
    std::size_t element = no_element;
    std::uint32_t generation = 0;
    std::uint64_t set = 0;
    arena results;            // what the shared results allocate (strings, lists)
    std::uint32_t depth = 0;  // shared sub-expressions being evaluated, one inside another
};

/// While it lives, `ctx` reads and fills `table` (nullptr: none). Restores the previous table.
class memo_scope {
  public:
    memo_scope(eval_context& ctx, memo_table* table) noexcept;
    ~memo_scope();
    memo_scope(const memo_scope&) = delete;
    memo_scope& operator=(const memo_scope&) = delete;

  private:
    eval_context& ctx_;
    memo_table* previous_;
};

/// An expression to share sub-expressions among, and the `each` it is evaluated under, if any:
/// the variable slot an element of the `each` list is bound to.
struct memo_site {
    expression* expr = nullptr;
    int element_slot = -1;
    const expression* each = nullptr;
};

/// Marks the sub-expressions that occur more than once among the sites (every occurrence, in
/// any of them) and that are pure, read no comprehension variable, and read only the variable
/// slots for which `per_input[slot]` is true (a ruleset's `app`, top-level fields, `as_of` and
/// variables) or the element of their site's `each`. Those reading the element are shared per
/// element, between sites whose `each` is spelt alike (so goes through the same list). Returns
/// the plan a memo_table begins an input with. The expressions must not be evaluated by another
/// thread meanwhile (call it while composing, before they are shared).
memo_plan share_subexpressions(std::span<const memo_site> sites,
                               const std::vector<bool>& per_input);

}  // namespace telecomply::detail
