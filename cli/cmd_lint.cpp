// `telecomply lint`: a rulesets folder's rules, workflows and calendars.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/lint.hpp"

namespace telecomply::cli {

namespace {

int run_lint(const std::string& dir) {
    std::shared_ptr<catalogue> cat;
    try {
        cat = catalogue::load(dir);
    } catch (const error& e) {
        // Calendar files are linted on their own, so that all their problems show at once.
        const auto cal_dir = std::filesystem::path(dir) / "calendars";
        if (e.code() == errc::calendar_error && std::filesystem::is_directory(cal_dir)) {
            const auto problems = lint_calendars(cal_dir);
            if (!problems.empty()) {
                for (const auto& p : problems)
                    print_diagnostic(p);
                std::cout << problems.size() << " problem" << (problems.size() == 1 ? "" : "s")
                          << " in the calendars\n";
                return exit_bad;
            }
        }
        std::cout << e.what() << "\n1 problem\n";
        return exit_bad;
    }
    const auto problems = lint_all(*cat);
    std::size_t errors = 0;
    for (const auto& p : problems) {
        print_diagnostic(p);
        if (!p.warning) ++errors;
    }
    const auto versions = cat->list().size();
    std::cout << versions << " ruleset versions checked: " << errors << " error"
              << (errors == 1 ? "" : "s") << ", " << problems.size() - errors << " warning"
              << (problems.size() - errors == 1 ? "" : "s") << "\n";
    return errors != 0 ? exit_bad : (problems.empty() ? exit_ok : exit_findings);
}

}  // namespace

command add_lint(CLI::App& app, common&) {
    auto dir = std::make_shared<std::string>();
    auto* lint =
        app.add_subcommand("lint", "check rulesets: schema, expressions, overrides, versions");
    lint->add_option("dir", *dir, "folder of rulesets (default: the installed ones)");
    return {lint,
            [dir] { return run_lint(dir->empty() ? catalogue::default_dir().string() : *dir); }};
}

}  // namespace telecomply::cli
