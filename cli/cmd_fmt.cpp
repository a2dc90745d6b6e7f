// `telecomply fmt`: ruleset files in their canonical layout (rules/ruleset_format.hpp).

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/rules/ruleset_format.hpp"

namespace telecomply::cli {

namespace {

// The ruleset files under a folder as a catalogue reads them (not calendars, schemas, tests,
// workflows, nor hidden folders), or the file itself.
std::vector<std::filesystem::path> ruleset_files(const std::filesystem::path& p) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) return {p};
    std::vector<std::filesystem::path> out;
    for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) throw input_error(p.string(), 0, "", "cannot list the folder: " + ec.message());
        const auto name = it->path().filename().string();
        if (it->is_directory() &&
            (name == "calendars" || name == "schema" || name == "tests" || name == "workflow" ||
             name.starts_with('.') || name.starts_with('_'))) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && it->path().extension() == ".json") out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Formats each file in place, or with --check lists those not in the layout (exit 1 when there
// are some); exit 2 when a file cannot be read or parsed (named with its line; the others are
// still done).
int run_fmt(const std::vector<std::string>& paths, bool check) {
    std::size_t changed = 0, bad = 0, total = 0;
    for (const auto& arg : paths) {
        std::vector<std::filesystem::path> files;
        try {
            files = ruleset_files(arg);
        } catch (const error& e) {
            print_error(e);
            ++bad;
            continue;
        }
        for (const auto& file : files) {
            ++total;
            try {
                if (!format_ruleset_file(file, !check)) continue;
                ++changed;
                std::cout << file.string()
                          << (check ? ": not in the canonical layout\n" : ": formatted\n");
            } catch (const error& e) {
                print_error(e);
                ++bad;
            }
        }
    }
    std::cout << total << " file" << (total == 1 ? "" : "s") << ": " << changed
              << (check ? " not in the canonical layout" : " formatted")
              << (bad != 0 ? ", " + std::to_string(bad) + " unreadable" : std::string()) << "\n";
    if (bad != 0) return exit_bad;
    return check && changed != 0 ? exit_findings : exit_ok;
}

}  // namespace

command add_fmt(CLI::App& app, common&) {
    struct args {
        std::vector<std::string> paths;
        bool check = false;
    };
    auto a = std::make_shared<args>();
    auto* fmt = app.add_subcommand("fmt", "write ruleset files in one canonical layout");
    fmt->add_option("paths", a->paths, "ruleset files, or folders of them")->required();
    fmt->add_flag("--check", a->check,
                  "change nothing; exit 1 and name the files not in the layout (for CI)");
    return {fmt, [a] { return run_fmt(a->paths, a->check); }};
}

}  // namespace telecomply::cli
