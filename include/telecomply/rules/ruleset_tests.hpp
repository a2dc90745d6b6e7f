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

/// Everything `telecomply test` reports.
struct ruleset_test_report {
    std::vector<ruleset_case_result> cases;
    std::map<std::string, code_coverage> coverage;       ///< every finding code of the rulesets
    std::map<std::string, code_coverage> rule_coverage;  ///< every rule id (check rules)
    [[nodiscard]] std::size_t failed() const noexcept;
    /// Codes without a case that fires them or without one that passes them.
    [[nodiscard]] std::vector<std::string> uncovered() const;
};

/// Runs every case file (`*.json`) of `tests_dir` (fixtures in `tests_dir/fixtures`). Throws
/// input_error naming the file, line and JSON path for a malformed case file.
ruleset_test_report run_ruleset_tests(const engine& e, const std::filesystem::path& tests_dir);

}  // namespace telecomply
