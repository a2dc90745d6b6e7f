#pragma once
/// \file workflow.hpp
/// Workflow definitions (docs/policy.md §5, docs/workflow.md): the states a case moves through, the
/// events and timers that move it, guards and effects; loading a national definition with an
/// optional regional overlay, and graph analyses (reachability, dead ends, nondeterminism,
/// shortest paths) with Graphviz and Mermaid drawings.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/workflow/vocabulary.hpp"

namespace telecomply {

/// A timer of a workflow: how its deadline is computed from the parameters of the case's
/// pinned ruleset. Exactly one of the three `*_param` fields is set.
struct workflow_timer {
    std::string name;
    std::string kind;    ///< "sla" (only raises `raises`) or "deadline" (moves the case)
    std::string raises;  ///< the flag an SLA raises when passed ("REVIEW_OVERDUE")
    std::string working_days_param;  ///< parameter naming N working days
    std::string months_param;        ///< parameter naming N calendar months
    std::string days_param;          ///< parameter naming N calendar days
};

/// One effect of a transition, applied in order when the transition is taken.
struct workflow_effect {
    /// One of workflow_vocabulary::standard().effects() (start_timer, stop_timer, ...): a
    /// definition with any other is refused when it loads.
    std::string kind;
    /// The timer, obligation code or parameter name; empty for `true` (count_complaint...).
    std::string arg;
};

/// One transition: from any of `from`, on `event` (or when `timer` has passed), to `to`.
struct workflow_transition {
    std::string id;
    std::vector<std::string> from;
    std::string event;  ///< empty for timer transitions
    std::string timer;  ///< empty for event transitions
    std::string to;
    std::string guard;   ///< empty when unguarded; else one of workflow_vocabulary's guards
    std::string reason;  ///< recorded with automatic transitions ("SUPPLEMENT_DEADLINE_MISSED")
    std::vector<workflow_effect> effects;
};

/// An immutable workflow held as a Boost Graph (states as vertices, one edge per transition
/// and source state). Copies share the same data: cheap to copy and to share across threads.
class workflow {
  public:
    /// Builds a workflow from a national definition and an optional regional overlay
    /// (docs/workflow.md). Throws workflow_error naming `source`, the JSON path and the problem
    /// for structural errors: malformed JSON shapes, a missing or unknown initial state, a
    /// transition from or to an unknown state, duplicate states, events or transition ids, an
    /// overlay that does not extend `base` or replaces or removes an unknown transition id.
    static workflow from_json(const nlohmann::json& base, const nlohmann::json* overlay = nullptr,
                              std::string source = "");
    /// `dir`/CN.json plus `dir`/<region>.json when it exists (an overlay extending CN).
    /// `region` is "CN" or a province's ISO 3166-2 (CN-GD) or GB/T 2260 (44) code. Errors name
    /// the file and line. Throws not_found_error when `dir`/CN.json does not exist,
    /// usage_error for an unknown region.
    static workflow load(const std::filesystem::path& dir, std::string_view region = "CN");

    /// The definition's id: the overlay's when there is one ("CN-BJ"), else the base's.
    [[nodiscard]] const std::string& id() const noexcept;
    [[nodiscard]] const std::string& initial() const noexcept;
    /// State names in definition order.
    [[nodiscard]] const std::vector<std::string>& states() const noexcept;
    [[nodiscard]] bool is_final(std::string_view state) const;
    [[nodiscard]] bool has_state(std::string_view state) const;
    /// The declared event names in definition order.
    [[nodiscard]] const std::vector<std::string>& events() const noexcept;
    /// Every transition after the overlay: base order, replaced ones in place, added ones last.
    [[nodiscard]] const std::vector<workflow_transition>& transitions() const noexcept;

    /// Event transitions from `state` on `event`, in definition order (several when guards
    /// choose). Empty when the event is not allowed there; usage_error for an unknown state.
    [[nodiscard]] std::vector<const workflow_transition*> on_event(std::string_view state,
                                                                   std::string_view event) const;
    /// Timer transitions from `state`, in definition order; usage_error for an unknown state.
    [[nodiscard]] std::vector<const workflow_transition*> on_timer(std::string_view state) const;
    /// A timer by name, or nullptr.
    [[nodiscard]] const workflow_timer* timer(std::string_view name) const;
    [[nodiscard]] const std::map<std::string, workflow_timer, std::less<>>& timers() const noexcept;

    /// What analyse() found. Empty vectors (but shortest_to_whitelisted) mean a clean workflow.
    struct analysis {
        std::vector<std::string> unreachable;    ///< states not reachable from initial
        std::vector<std::string> cannot_finish;  ///< non-final states that reach no final state
        /// Unknown events, guards, timers, effects and parameters, nondeterministic transitions
        /// and other smells; a message about a transition names its id.
        std::vector<std::string> problems;
        /// The event names of a shortest path from initial to `whitelisted` (empty when there is
        /// no such state or path).
        std::vector<std::string> shortest_to_whitelisted;
    };
    /// Analyses the graph. `known_guards`: the guard vocabulary the library implements (see
    /// telecomply::known_guards()); `parameters`: the parameter names of a ruleset, to check
    /// the parameters timers, guards and effects use (that check is skipped when empty).
    [[nodiscard]] analysis analyse(const std::vector<std::string>& known_guards,
                                   const std::vector<std::string>& parameters = {}) const;

    /// The steps of a shortest path between two states: event names, and "(timer)" for timer
    /// transitions. Empty when `to` is unreachable from `from` (or is `from`); usage_error for
    /// an unknown state. Ties go to the transition defined first.
    [[nodiscard]] std::vector<std::string> shortest_path(std::string_view from,
                                                         std::string_view to) const;

    /// Graphviz DOT: final states as doublecircle, an arrow from a start point to the initial
    /// state, edge labels "event [guard]" and dashed "(timer)" edges for timer transitions.
    [[nodiscard]] std::string to_dot() const;
    /// Mermaid stateDiagram-v2 with the same labels; final states lead to [*].
    [[nodiscard]] std::string to_mermaid() const;
    /// The ruleset parameters this workflow reads (timers, guards, effects), sorted.
    [[nodiscard]] std::vector<std::string> parameters_used() const;

    struct impl;

  private:
    explicit workflow(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
    std::shared_ptr<const impl> impl_;
};

/// The guards the library implements (docs/workflow.md): intake_rules, approval,
/// supplement_complete, renewal_window, complaints_below_threshold, complaints_at_threshold.
/// The names of workflow_vocabulary::standard().guards(), in its order.
const std::vector<std::string>& known_guards();

}  // namespace telecomply
