// `telecomply test`: the ruleset test cases, and which finding codes and rules they cover.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/rules/ruleset_tests.hpp"

namespace telecomply::cli {

namespace {

// The folder under test is the last --overlay when there is one (its tests/ against the base
// with every overlay), else DIR or --rulesets.
int run_test(const common& c, const std::string& dir_arg, bool verbose, bool require_coverage) {
    const std::filesystem::path rulesets = rulesets_folder(c, dir_arg);
    const auto overlays = c.overlay_dirs();
    const engine e(catalogue::load(rulesets, overlays));
    const std::filesystem::path under_test = overlays.empty() ? rulesets : overlays.back();
    const auto report = run_ruleset_tests(e, under_test / "tests");
    for (const auto& r : report.cases) {
        if (r.passed() && !verbose) continue;
        std::cout << (r.passed() ? "PASS " : "FAIL ") << r.name << "  (" << r.file << ")\n";
        for (const auto& f : r.failures)
            std::cout << "     " << f << "\n";
    }
    // testing an overlay: the codes of its own rules (the base's cases are the base's business)
    std::map<std::string, code_coverage> codes = report.coverage;
    if (!overlays.empty()) {
        std::set<std::string> ours;
        for (const auto& k : report.rules_of(under_test))
            ours.insert(report.rule_coverage.at(k).code);
        std::erase_if(codes, [&](const auto& kv) { return !ours.contains(kv.first); });
    }
    std::cout
        << "\nfinding code coverage (cases where it fires / where it is checked and passes):\n";
    std::vector<std::string> uncovered;
    for (const auto& [code, cov] : codes) {
        std::cout << "  " << (cov.fired && cov.not_fired ? "  " : "! ") << code << "  " << cov.fired
                  << " / " << cov.not_fired << "\n";
        if (cov.fired == 0 || cov.not_fired == 0) uncovered.push_back(code);
    }
    // rules as merged: an id with the version that defined or last changed it
    const auto never_fired = report.never_fired(under_test);
    const std::size_t ours = report.rules_of(under_test).size();
    std::cout << ours << " rule" << (ours == 1 ? "" : "s") << " with a finding code defined in "
              << under_test.string() << "; never fired by a case:";
    for (const auto& k : never_fired)
        std::cout << " " << k.id << " (" << k.origin << ")";
    std::cout << (never_fired.empty() ? " none\n" : "\n");
    std::cout << report.cases.size() << (report.cases.size() == 1 ? " case: " : " cases: ")
              << report.cases.size() - report.failed() << " passed, " << report.failed()
              << " failed; " << uncovered.size() << " finding code"
              << (uncovered.size() == 1 ? "" : "s") << " not covered both ways";
    if (require_coverage)
        std::cout << "; " << never_fired.size() << " rule" << (never_fired.size() == 1 ? "" : "s")
                  << " never fired (--require-coverage)";
    std::cout << "\n";
    if (require_coverage && !never_fired.empty()) return exit_findings;
    return report.failed() != 0 || !uncovered.empty() ? exit_findings : exit_ok;
}

}  // namespace

command add_test(CLI::App& app, common& c) {
    struct args {
        std::string dir;
        bool verbose = false;
        bool require_coverage = false;
    };
    auto a = std::make_shared<args>();
    auto* test =
        app.add_subcommand("test", "run the ruleset test cases and report finding-code coverage");
    test->add_option(
        "dir", a->dir,
        "folder of rulesets with a tests/ folder (default: --rulesets, else as below)");
    add_rulesets_option(test, c);
    test->add_flag("-v,--verbose", a->verbose, "list passing cases too");
    test->add_flag("--require-coverage", a->require_coverage,
                   "fail (exit 1) when a rule the folder under test defines or changes is never "
                   "fired by a case");
    return {test, [&c, a] { return run_test(c, a->dir, a->verbose, a->require_coverage); }};
}

}  // namespace telecomply::cli
