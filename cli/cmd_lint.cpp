// `telecomply lint`: a rulesets folder's rules, workflows and calendars.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "telecomply/workflow/lint.hpp"

namespace telecomply::cli {

namespace {

// Every problem of the folder and its overlays in one run (lint_folder), each once, then the
// notes (which overlay file defines what, versions a later one ended); exit 2 on errors, 1 on
// warnings only.
int run_lint(const std::string& dir, const std::vector<std::filesystem::path>& overlays) {
    const auto report = lint_folder(dir, overlays);
    for (const auto& p : report.problems)
        print_diagnostic(p);
    for (const auto& p : report.notes)
        print_diagnostic(p);
    const auto errors = report.errors();
    const auto warnings = report.problems.size() - errors;
    std::cout << report.versions << " ruleset versions checked: " << errors << " error"
              << (errors == 1 ? "" : "s") << ", " << warnings << " warning"
              << (warnings == 1 ? "" : "s") << "\n";
    return errors != 0 ? exit_bad : (report.problems.empty() ? exit_ok : exit_findings);
}

}  // namespace

command add_lint(CLI::App& app, common& c) {
    auto dir = std::make_shared<std::string>();
    auto* lint =
        app.add_subcommand("lint", "check rulesets: schema, expressions, overrides, versions");
    lint->add_option("dir", *dir, "folder of rulesets (default: --rulesets, else as below)");
    add_rulesets_option(lint, c);
    return {lint,
            [&c, dir] { return run_lint(rulesets_folder(c, *dir).string(), c.overlay_dirs()); }};
}

}  // namespace telecomply::cli
