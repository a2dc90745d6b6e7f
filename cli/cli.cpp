// The telecomply command line (README.md, "The command line"): a thin face over the library. This
// file builds the app and dispatches; each command is in its own file (cmd_<name>.cpp) over the
// shared options (options.hpp).
// Exit status: 0 all eligible / nothing found, 1 findings, 2 bad usage or bad input.

#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "options.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/base/version.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply::cli {

int run(const std::vector<std::string>& args) {
    CLI::App app{"telecomply: telemarketing-number whitelist compliance (电销卡白名单)",
                 "telecomply"};
    app.require_subcommand(1);
    // the version, and the rulesets folder a command without --rulesets reads
    app.set_version_flag("--version", [] {
        std::string text(version());
        try {
            text += "\nrulesets: " + catalogue::default_dir().string();
        } catch (const error& e) {
            text += "\nrulesets: none (" + std::string(e.what()) + ")";
        }
        return text;
    });
    app.footer(
        "Rulesets: --rulesets DIR (lint, test: DIR), else $TELECOMPLY_RULESETS, else "
        "<prefix>/share/telecomply/rulesets of the prefix this program is installed in (wherever "
        "it was moved), else, for a program of the build tree, the source tree's rulesets/, else "
        "those of the configured install prefix. --version shows the folder in use.");
    common c;
    const std::vector<command> commands = {
        add_check(app, c), add_explain(app, c), add_lint(app, c), add_diff(app, c),
        add_graph(app, c), add_test(app, c),    add_case(app, c), add_calendar(app, c),
    };

    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_bad;
    }
    try {
        for (const auto& cmd : commands)
            if (*cmd.sub) return cmd.run();
    } catch (const conflict_error& e) {
        // the store's state is not the one the caller expected: not bad input, try again
        print_error(e);
        return exit_conflict;
    } catch (const error& e) {
        print_error(e);
        return exit_bad;
    } catch (const std::exception& e) {
        print_error(e);
        return exit_bad;
    }
    return exit_bad;
}

}  // namespace telecomply::cli
