// `telecomply test`: the ruleset test cases, and which finding codes and rules they cover.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset_tests.hpp"

namespace telecomply::cli {

namespace {

int run_test(const common& c, const std::string& dir_arg, bool verbose) {
    const std::filesystem::path rulesets = rulesets_folder(c, dir_arg);
    const engine e(rulesets);
    const auto report = run_ruleset_tests(e, rulesets / "tests");
    for (const auto& r : report.cases) {
        if (r.passed() && !verbose) continue;
        std::cout << (r.passed() ? "PASS " : "FAIL ") << r.name << "  (" << r.file << ")\n";
        for (const auto& f : r.failures)
            std::cout << "     " << f << "\n";
    }
    std::cout
        << "\nfinding code coverage (cases where it fires / where it is checked and passes):\n";
    for (const auto& [code, cov] : report.coverage)
        std::cout << "  " << (cov.fired && cov.not_fired ? "  " : "! ") << code << "  " << cov.fired
                  << " / " << cov.not_fired << "\n";
    std::vector<std::string> never_fired;
    for (const auto& [id, cov] : report.rule_coverage)
        if (cov.fired == 0) never_fired.push_back(id);
    std::cout << report.rule_coverage.size()
              << " rules with a finding code; never fired by a case:";
    for (const auto& id : never_fired)
        std::cout << " " << id;
    std::cout << (never_fired.empty() ? " none\n" : "\n");
    const auto uncovered = report.uncovered();
    std::cout << report.cases.size() << " cases: " << report.cases.size() - report.failed()
              << " passed, " << report.failed() << " failed; " << uncovered.size()
              << " finding code" << (uncovered.size() == 1 ? "" : "s")
              << " not covered both ways\n";
    return report.failed() != 0 || !uncovered.empty() ? exit_findings : exit_ok;
}

}  // namespace

command add_test(CLI::App& app, common& c) {
    struct args {
        std::string dir;
        bool verbose = false;
    };
    auto a = std::make_shared<args>();
    auto* test =
        app.add_subcommand("test", "run the ruleset test cases and report finding-code coverage");
    test->add_option(
        "dir", a->dir,
        "folder of rulesets with a tests/ folder (default: --rulesets, else as below)");
    add_rulesets_option(test, c);
    test->add_flag("-v,--verbose", a->verbose, "list passing cases too");
    return {test, [&c, a] { return run_test(c, a->dir, a->verbose); }};
}

}  // namespace telecomply::cli
