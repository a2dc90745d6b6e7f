#pragma once
/// \file vocabulary.hpp
/// The words a workflow definition may use: its guards and its effects (docs/workflow.md,
/// "Guards" and "Effects"). One registry, read by everything that needs the vocabulary:
/// loading refuses a definition with a word it does not know, analyse() and parameters_used()
/// read what each word needs, and the case layer carries each one out (it registers an
/// implementation for every entry; a test checks that none is missing). Learned from Boost.SML's
/// transition tables and OPA's builtin registry: the vocabulary is data, not an if-chain.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace telecomply {

class workflow;

/// What a guard reads.
struct guard_spec {
    std::string name;                         ///< as written in a transition's "guard"
    std::vector<std::string> parameters;      ///< ruleset parameters it reads
    std::vector<std::string> payload;         ///< event data fields it reads ("number")
    std::vector<std::string> exclusive_with;  ///< guards that never hold together with it
    std::string doc;                          ///< what it checks, in English
};

/// How an effect uses its argument (the value in `{"start_timer": "review_sla"}`).
enum class effect_arg : std::uint8_t {
    timer,      ///< a timer of the workflow
    code,       ///< a code (an obligation, a finding)
    parameter,  ///< a ruleset parameter
    flag,       ///< `true`: no argument
};

/// What an effect reads and does.
struct effect_spec {
    std::string name;  ///< as written: {"name": arg}
    effect_arg arg = effect_arg::flag;
    std::vector<std::string> payload;  ///< event data fields it reads
    std::string doc;                   ///< what it does, in English
};

/// A field of an event's data that a guard or an effect reads (`case event ... --data`).
struct payload_field {
    std::string name;   ///< "reasons"
    std::string shape;  ///< its JSON shape, e.g. "[finding code, ...]"
    std::string doc;    ///< what it is, in English
};

/// The guards and effects the library implements. Immutable; safe to share between threads.
class workflow_vocabulary {
  public:
    /// The vocabulary of this library (the one every workflow is loaded against).
    [[nodiscard]] static const workflow_vocabulary& standard();

    /// The guard or effect of that name, or nullptr.
    [[nodiscard]] const guard_spec* guard(std::string_view name) const noexcept;
    [[nodiscard]] const effect_spec* effect(std::string_view name) const noexcept;
    /// Every entry, in a stable order.
    [[nodiscard]] const std::vector<guard_spec>& guards() const noexcept { return guards_; }
    [[nodiscard]] const std::vector<effect_spec>& effects() const noexcept { return effects_; }
    /// Every event data field a guard or effect reads, and the one of that name (or nullptr).
    [[nodiscard]] const std::vector<payload_field>& payload_fields() const noexcept {
        return payload_fields_;
    }
    [[nodiscard]] const payload_field* payload(std::string_view name) const noexcept;
    /// The data fields an event of workflow `w` may carry: those its transitions' guards and
    /// effects read, in vocabulary order (empty for an event that takes no data).
    [[nodiscard]] std::vector<const payload_field*> payload_of(const workflow& w,
                                                               std::string_view event) const;
    /// True when guards `a` and `b` never hold together (two transitions on one event may
    /// carry them without being nondeterministic).
    [[nodiscard]] bool exclusive(std::string_view a, std::string_view b) const noexcept;

  private:
    workflow_vocabulary(std::vector<guard_spec> guards, std::vector<effect_spec> effects);
    std::vector<guard_spec> guards_;
    std::vector<effect_spec> effects_;
    std::vector<payload_field> payload_fields_;
};

}  // namespace telecomply
