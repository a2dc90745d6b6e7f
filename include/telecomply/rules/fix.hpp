#pragma once
/// \file fix.hpp
/// What would pass: for each blocking finding and each unknown of a verdict, the smallest
/// change to the application that clears it, or why no change to the application can
/// (docs/rulesets.md, "What would pass: explain --fix").
///
/// Changes come from the rule's `require` condition and the values it read: a comparison with
/// a constant (`daily_calls_per_number <= params.daily_call_cap`) sets the field to the bound,
/// membership (`channel in params.channels`) picks an allowed value, a size bound keeps the
/// first items of a list, a per-element rule removes the element; `has(...)` and blank text ask
/// for the value to be supplied. A field the application schema marks `readOnly` (the
/// applicant, the submitter, the dates, the documents' contents: facts, not choices) is never
/// changed. Every change with a patch is verified by checking the patched application again.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/rules/engine.hpp"

namespace telecomply {

/// One finding's (or unknown's) fix.
struct application_fix {
    std::string rule_id;
    std::string code;     ///< the finding code; empty for a rule without one
    std::string subject;  ///< the finding's subject, or empty
    /// "set" (a value to a bound), "remove" (an element of a list), "truncate" (a list to a
    /// size), "add" (a value the applicant must supply: no patch), "none" (no change to the
    /// application can clear it).
    std::string kind;
    std::string path;  ///< the field changed or to supply, dotted ("materials.power_of_attorney")
    std::string
        text;  ///< in English: "materials.marketing_plan.daily_calls_per_number 180 → at most 150"
    nlohmann::json patch;   ///< this fix alone, a JSON Merge Patch (RFC 7386); null for add/none
    bool verified = false;  ///< the patched application no longer has this finding
};

/// Every fix for one application, and the patch of all of them together.
struct fix_plan {
    std::string application;
    decision before = decision::eligible;
    decision after = decision::eligible;  ///< of the application with `patch` applied
    std::vector<application_fix> fixes;
    /// Every patchable fix at once, as a JSON Merge Patch (RFC 7386) of the application:
    /// applied, the application is eligible whenever `complete()`.
    nlohmann::json patch = nlohmann::json::object();
    /// Every fix has a verified patch and the patched application is eligible.
    [[nodiscard]] bool complete() const noexcept;
    /// {application, before, after, complete, patch, fixes: [{rule, code?, subject?, kind, path,
    /// text, patch?, verified}]}.
    [[nodiscard]] nlohmann::json to_json() const;
    /// One line per fix, for a person.
    [[nodiscard]] std::string to_text() const;
};

/// The fixes of `app` (an application as JSON) under the rules `e` picks for it (or, with
/// `version`, that version of its region's rules, as engine::check_version()). Throws
/// input_error as engine::validate() does, not_found_error when no ruleset applies. Thread-safe
/// (e is immutable).
[[nodiscard]] fix_plan plan_fixes(const engine& e, const nlohmann::json& app,
                                  const check_options& opts = {}, std::string_view version = {});

/// The JSON Merge Patch (RFC 7386) that turns `from` into `to`: members that differ, null for
/// a member `to` lacks; arrays and other values are replaced whole.
[[nodiscard]] nlohmann::json merge_patch_between(const nlohmann::json& from,
                                                 const nlohmann::json& to);

}  // namespace telecomply
