// The telecomply command line (README.md, "The command line"): a thin face over the library. This
// file builds the app and dispatches; each command is in its own file (cmd_<name>.cpp) over the
// shared options (options.hpp).
// Exit status: 0 all eligible / nothing found, 1 findings, 2 bad usage or bad input.

#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
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

// Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for
// small words only: command and option names. "stroe" is one edit from "store".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The option of `chain` (a command and the commands it is under) spelt `name`, or nullptr.
const CLI::Option* find_option(const std::vector<const CLI::App*>& chain, const std::string& name) {
    for (const auto* a : chain)
        for (const auto* o : a->get_options())
            if (o->check_name(name)) return o;
    return nullptr;
}

// Whether `arg` is written as an option (-x, --name, --name=value; not "-" nor a negative number).
bool looks_like_option(const std::string& arg) {
    return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1]));
}

// The first word of the command line that names no subcommand where one is expected
// (`telecomply chek`, `telecomply case shwo`): "unknown command" with the nearest names, rather
// than CLI11's "A subcommand is required". Empty when every command word is known.
std::string unknown_command(const CLI::App& app, const std::vector<std::string>& args) {
    const CLI::App* cur = &app;
    std::vector<const CLI::App*> chain{&app};
    std::string where = "telecomply";
    for (std::size_t i = 1; i < args.size(); ++i) {
        // an option before the command word (`case --rulesets DIR shwo`): skipped, with its value
        if (looks_like_option(args[i])) {
            const auto eq = args[i].find('=');
            const auto* o = find_option(chain, args[i].substr(0, eq));
            if (o == nullptr) return {};  // unknown_option() names it
            if (eq == std::string::npos && o->get_type_size_min() > 0) ++i;
            continue;
        }
        const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
        if (subs.empty() || args[i].empty() || args[i][0] == '-') return {};
        const CLI::App* next = nullptr;
        for (const auto* sub : subs)
            if (sub->get_name() == args[i]) next = sub;
        if (next != nullptr) {
            cur = next;
            chain.push_back(next);
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

// The first option on the command line that the command it stands after does not take
// (`check --formt json`, `case show X --stor c.db`): "unknown option" with the nearest names
// and the command's options, rather than CLI11's "The following argument was not expected".
// Empty when every option is known. Only asked once CLI11 has refused the command line.
std::string unknown_option(const CLI::App& app, const std::vector<std::string>& args) {
    std::vector<const CLI::App*> chain{&app};
    std::string where = "telecomply";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") return {};
        if (looks_like_option(arg)) {
            const auto eq = arg.find('=');
            const std::string name = arg.substr(0, eq);
            if (const auto* o = find_option(chain, name)) {
                if (eq == std::string::npos && o->get_type_size_min() > 0) ++i;  // its value
                continue;
            }
            std::string names, near;
            std::size_t best = 3;  // suggest only what is at most two edits away
            for (const auto* o : chain.back()->get_options()) {
                for (const auto& l : o->get_lnames()) {
                    const std::string n = "--" + l;
                    names += (names.empty() ? "" : ", ") + n;
                    if (const auto d = edit_distance(name, n); d < best) {
                        best = d;
                        near = n;
                    }
                }
            }
            return "unknown option '" + name + "' for `" + where + "`" +
                   (near.empty() ? "" : "; did you mean '" + near + "'?") + " (options: " + names +
                   ")";
        }
        for (const auto* sub : chain.back()->get_subcommands([](const CLI::App*) { return true; }))
            if (sub->get_name() == arg) {
                chain.push_back(sub);
                where += " " + arg;
                break;
            }
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
        "Rulesets: --rulesets DIR (lint, test: DIR or --rulesets DIR), with --overlay DIR folders "
        "layered over it, else $TELECOMPLY_RULESETS, "
        "else "
        "<prefix>/share/telecomply/rulesets of the prefix this program is installed in (wherever "
        "it was moved), else, for a program of the build tree, the source tree's rulesets/, else "
        "those of the configured install prefix. --version shows the folder in use.");
    common c;
    const std::vector<command> commands = {
        add_check(app, c),    add_explain(app, c), add_lint(app, c),  add_diff(app, c),
        add_graph(app, c),    add_test(app, c),    add_fmt(app, c),   add_case(app, c),
        add_calendar(app, c), add_screen(app, c),  add_serve(app, c),
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
        if (const auto unknown = unknown_option(app, args); !unknown.empty()) {
            std::cerr << "telecomply: " << unknown << "\nRun with --help for more information.\n";
            return exit_bad;
        }
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
