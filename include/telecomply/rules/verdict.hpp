#pragma once
/// \file verdict.hpp
/// The outcome of checking one application against a ruleset (docs/policy.md §2).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"

namespace telecomply {

class ruleset;
struct rule;

/// How serious a finding is.
enum class severity : std::uint8_t { blocking, warning, info };
std::string_view to_string(severity s) noexcept;

/// The decision for one application.
enum class decision : std::uint8_t { eligible, ineligible, needs_evidence };
std::string_view to_string(decision d) noexcept;

/// Text in the two languages rulesets are written in.
struct localized {
    std::string zh;
    std::string en;
};

/// A rule of a verdict's ruleset. It shares the ruleset's ownership, so a finding, unknown,
/// obligation or trace copied out of its verdict stays valid after the verdict is gone.
using rule_ref = std::shared_ptr<const rule>;

/// A rule that failed: code, subject, severity and the rule's message and remedy.
struct finding {
    rule_ref source;      ///< the rule
    std::string subject;  ///< empty when the code has none
    severity level = severity::blocking;

    [[nodiscard]] const std::string& code() const noexcept;
    [[nodiscard]] const std::string& rule_id() const noexcept;
    [[nodiscard]] const std::string& reference() const noexcept;
    /// The finding as one label: "CODE", or "CODE[subject]" when it has a subject (what
    /// verdict_change lists, ruleset test reports and reprs print).
    [[nodiscard]] std::string label() const;
    /// The message with {subject} and {params.NAME} filled in; lang is "zh" or "en".
    [[nodiscard]] localized message() const;
    [[nodiscard]] localized remedy() const;
};

/// A rule whose outcome could not be decided: its inputs are absent (`missing` lists the
/// paths) or evaluating it failed (`reason`).
struct unknown_outcome {
    rule_ref source;
    std::string subject;
    std::vector<std::string> missing;
    std::string reason;

    [[nodiscard]] const std::string& rule_id() const noexcept;
    /// "CODE" or "CODE[subject]" as finding::label(), with the rule's id for a rule that has
    /// no finding code.
    [[nodiscard]] std::string label() const;
};

/// A step the workflow must take (e.g. SITE_INSPECTION_REQUIRED), with the rule that asked.
struct obligation {
    std::string code;
    rule_ref source;
};

/// What one rule saw and decided (explain / trace).
struct rule_trace {
    rule_ref source;
    std::string outcome;  ///< "pass", "fail", "unknown" or "not_applicable"
    std::string subject;
    /// The fields the rule read: path -> the value read, as compact JSON text (the JSON
    /// string "(absent)" for a field the application lacks). By default the leaves: a path
    /// only selected through or tested by has() on the way to a longer one is left out, an
    /// `each` element's fields are read from the element that failed ("n.purpose"), and an
    /// object or list longer than 80 characters of JSON is summarised ("(object: 8 members)").
    /// With check_options::trace_full, every path the rule read with its whole value.
    std::map<std::string, std::string> inputs;
    /// The ruleset parameters the rule used (its expressions, message and remedy):
    /// "params.daily_call_cap" -> the value, as compact JSON text.
    std::map<std::string, std::string> params;
    std::string detail;  ///< the error for unknown outcomes
    /// Recorded with check_options::trace_full: the inputs are whole, and the JSON gives the
    /// remedy of every rule (else only of a rule that failed or is unknown).
    bool full = false;
    /// Whether the JSON of this trace carries the rule's remedy.
    [[nodiscard]] bool shows_remedy() const noexcept {
        return full || outcome == "fail" || outcome == "unknown";
    }
};

/// The verdict on one application.
struct verdict {
    std::string application;  ///< the application's id
    std::string region;
    date as_of;
    std::shared_ptr<const ruleset> rules;  ///< the ruleset that judged
    telecomply::decision outcome = telecomply::decision::eligible;
    std::vector<finding> findings;
    std::vector<unknown_outcome> unknowns;
    std::vector<obligation> obligations;
    std::optional<std::vector<rule_trace>> trace;

    /// The verdict as JSON (docs/rulesets.md): {application, region, as_of, ruleset{id, version,
    /// chain, digest}, decision, findings[], unknowns[], obligations[], trace?}.
    [[nodiscard]] nlohmann::json to_json() const;
    /// Appends the JSON of to_json() to `out` as text without building it: the bytes
    /// `to_json().dump(indent)` gives (what `telecomply check` and `explain` print). `indent` < 0:
    /// compact; else that many spaces per level, the lines after the first indented by
    /// `current_indent` more (a verdict inside an array). Text that is not valid UTF-8 is
    /// written with U+FFFD for each bad sequence, as dump() with error_handler_t::replace does
    /// (plain dump() would throw).
    void write_json(std::string& out, int indent = -1, int current_indent = 0) const;
    [[nodiscard]] bool has_blocking() const noexcept;
    /// A report a person reads: the decision, blocking findings first with their remedies,
    /// then warnings, information, unknowns and obligations. `lang`: "zh", "en" or "both".
    [[nodiscard]] std::string to_text(std::string_view lang = "both") const;
};

/// What changes between two verdicts on one application (a policy change, a what-if).
struct verdict_change {
    telecomply::decision from = telecomply::decision::eligible;
    telecomply::decision to = telecomply::decision::eligible;
    std::vector<std::string> added;    ///< "CODE" or "CODE[subject]" found only by the second
    std::vector<std::string> removed;  ///< ... only by the first
    [[nodiscard]] bool changed() const noexcept {
        return from != to || !added.empty() || !removed.empty();
    }
    [[nodiscard]] nlohmann::json to_json() const;
};

/// Compares the findings and decisions of two verdicts.
verdict_change compare(const verdict& before, const verdict& after);

}  // namespace telecomply
