#pragma once
/// \file ruleset_tests.hpp
/// Ruleset test cases as data (docs/rulesets.md, "Testing rulesets"): applications with
/// expected verdicts, and coverage of every finding code.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"

namespace telecomply {

/// The result of one test case.
struct ruleset_case_result {
    std::string file;
    std::string name;
    std::vector<std::string> failures;  ///< empty when the case passed
    [[nodiscard]] bool passed() const noexcept { return failures.empty(); }
};

/// How often a finding code fired, and did not fire where its rules were evaluated.
struct code_coverage {
    std::size_t fired = 0;
    std::size_t not_fired = 0;
};

/// A rule as merged into rulesets: its id and its origin, the ruleset version that defined it
/// or last overrode it ("CN-GD@2026.2"). Two regions' rules with one id are two rules; a
/// national rule no region changes is one rule, whichever region's case fires it.
struct rule_key {
    std::string origin;
    std::string id;
    auto operator<=>(const rule_key&) const = default;
};

/// How often a rule fired, and did not fire where it was evaluated; the file of its origin.
struct rule_coverage_info : code_coverage {
    std::filesystem::path file;
    std::string code;
};

/// Everything `telecomply test` reports.
struct ruleset_test_report {
    std::vector<ruleset_case_result> cases;
    std::map<std::string, code_coverage> coverage;  ///< every finding code of the rulesets
    /// Every rule with a finding code, as merged (id and origin), of every version.
    std::map<rule_key, rule_coverage_info> rule_coverage;
    [[nodiscard]] std::size_t failed() const noexcept;
    /// Codes without a case that fires them or without one that passes them.
    [[nodiscard]] std::vector<std::string> uncovered() const;
    /// Rules defined or last changed by a file under `folder` that no case fired (what
    /// `telecomply test --require-coverage` refuses).
    [[nodiscard]] std::vector<rule_key> never_fired(const std::filesystem::path& folder) const;
    /// Rules defined or last changed by a file under `folder`.
    [[nodiscard]] std::vector<rule_key> rules_of(const std::filesystem::path& folder) const;
};

/// Runs every case file (`*.json`) of `tests_dir` (fixtures in `tests_dir/fixtures`, else in
/// the fixtures of the engine's rulesets folder's tests: an overlay's tests use the base's). Throws
/// input_error naming the file, line and JSON path for a malformed case file.
ruleset_test_report run_ruleset_tests(const engine& e, const std::filesystem::path& tests_dir);

}  // namespace telecomply
