// The telecomply command line (README.md, "The command line"): a thin face over the library. This
// file builds the app and dispatches; each command is in its own file (cmd_<name>.cpp) over the
// shared options (options.hpp).
// Exit status: 0 all eligible / nothing found, 1 findings, 2 bad usage or bad input.

#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/base/version.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply::cli {

namespace {

// Levenshtein distance (small words only: command names).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The first word of the command line that names no subcommand where one is expected
// (`telecomply chek`, `telecomply case shwo`): "unknown command" with the nearest names, rather
// than CLI11's "A subcommand is required". Empty when every command word is known.
std::string unknown_command(const CLI::App& app, const std::vector<std::string>& args) {
    const CLI::App* cur = &app;
    std::string where = "telecomply";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
        if (subs.empty() || args[i].empty() || args[i][0] == '-') return {};
        const CLI::App* next = nullptr;
        for (const auto* sub : subs)
            if (sub->get_name() == args[i]) next = sub;
        if (next != nullptr) {
            cur = next;
            where += " " + args[i];
            continue;
        }
        std::string names, near;
        std::size_t best = 3;  // suggest only what is at most two edits away
        for (const auto* sub : subs) {
            names += (names.empty() ? "" : ", ") + sub->get_name();
            const auto d = edit_distance(args[i], sub->get_name());
            if (d < best) {
                best = d;
                near = sub->get_name();
            }
        }
        return "unknown command '" + args[i] + "' for `" + where + "`" +
               (near.empty() ? "" : "; did you mean '" + near + "'?") + " (commands: " + names +
               ")";
    }
    return {};
}

}  // namespace

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
        add_screen(app, c),
    };

    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    if (const auto unknown = unknown_command(app, args); !unknown.empty()) {
        std::cerr << "telecomply: " << unknown << "\nRun with --help for more information.\n";
        return exit_bad;
    }
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
