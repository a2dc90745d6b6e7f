// `telecomply check`: applications (JSON, a JSON array, JSON Lines; - for stdin) against the
// rules in force; text, JSON or JSON Lines out.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"

namespace telecomply::cli {

namespace {

int run_check(const common& c, const std::vector<std::string>& files, unsigned threads) {
    const engine e(c.rulesets_dir());
    check_options opts;
    opts.as_of = c.as_of_date();
    std::size_t eligible = 0, ineligible = 0, needs_evidence = 0, bad = 0;
    std::vector<nlohmann::json> json_out;  // --format json collects (one object or an array)
    std::ios::sync_with_stdio(false);

    for (const auto& file : files) {
        std::ifstream fin;
        std::istream* in = &std::cin;
        const std::string name = file == "-" ? "<stdin>" : file;
        if (file != "-") {
            fin.open(file, std::ios::binary);
            if (!fin) {
                std::cerr << "telecomply: " << file << ": cannot open the file\n";
                ++bad;
                continue;
            }
            in = &fin;
        }
        const bool jsonl = file == "-" ? true : is_jsonl(file);
        e.check_stream(
            *in, jsonl, name, opts,
            [&](std::size_t, engine::result&& r) {
                if (auto* err = std::get_if<input_error>(&r)) {
                    ++bad;
                    std::cerr << "telecomply: " << err->what() << "\n";
                    if (c.format == "jsonl")
                        std::cout << json_text(nlohmann::json{{"error",
                                                               {{"file", err->file()},
                                                                {"line", err->line()},
                                                                {"json_path", err->json_path()},
                                                                {"message", err->message()}}}})
                                  << "\n";
                    return;
                }
                auto& v = std::get<verdict>(r);
                switch (v.outcome) {
                    case decision::eligible:
                        ++eligible;
                        break;
                    case decision::ineligible:
                        ++ineligible;
                        break;
                    case decision::needs_evidence:
                        ++needs_evidence;
                        break;
                }
                if (c.format == "jsonl")
                    std::cout << json_text(v.to_json()) << "\n";
                else if (c.format == "json")
                    json_out.push_back(v.to_json());
                else
                    std::cout << v.to_text(c.lang) << "\n";
            },
            threads);
    }
    if (c.format == "json") {
        if (json_out.size() == 1)
            std::cout << json_text(json_out.front(), 2) << "\n";
        else
            std::cout << json_text(nlohmann::json(json_out), 2) << "\n";
    } else if (c.format == "text") {
        const std::size_t total = eligible + ineligible + needs_evidence;
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << eligible
                  << " eligible, " << ineligible << " ineligible, " << needs_evidence
                  << " need evidence";
        if (bad != 0) std::cout << "; " << bad << " rejected as bad input";
        std::cout << "\n";
    }
    std::cout.flush();
    if (bad != 0) return exit_bad;
    return (ineligible + needs_evidence) != 0 ? exit_findings : exit_ok;
}

}  // namespace

command add_check(CLI::App& app, common& c) {
    struct args {
        std::vector<std::string> files;
        unsigned threads = 0;
    };
    auto a = std::make_shared<args>();
    auto* check =
        app.add_subcommand("check", "check applications (JSON or JSON Lines files; - for stdin)");
    check->add_option("files", a->files, "application files")->required();
    add_rulesets_option(check, c);
    check->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    check->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json", "jsonl"}));
    check->add_option(
        "--threads", a->threads,
        "worker threads for JSON Lines input (default 0: all cores; output order is kept)");
    add_lang_option(check, c);
    return {check, [&c, a] { return run_check(c, a->files, a->threads); }};
}

}  // namespace telecomply::cli
