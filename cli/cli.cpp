// The telecomply command line (DESIGN.md, "Command line"): a thin face over the library.
// Exit status: 0 all eligible / nothing found, 1 findings, 2 bad usage or bad input.

#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "telecomply/engine.hpp"
#include "telecomply/error.hpp"
#include "telecomply/ruleset_tests.hpp"
#include "telecomply/version.hpp"

namespace telecomply::cli {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_findings = 1;
constexpr int exit_bad = 2;

struct common {
    std::string rulesets;
    std::string as_of;
    std::string format = "text";
    std::string lang = "both";

    std::optional<date> as_of_date() const {
        if (as_of.empty()) return std::nullopt;
        auto d = date::parse(as_of);
        if (!d) throw usage_error("--as-of needs a date (YYYY-MM-DD), not '" + as_of + "'");
        return d;
    }
    std::filesystem::path rulesets_dir() const {
        return rulesets.empty() ? catalogue::default_dir() : std::filesystem::path(rulesets);
    }
};

void print_error(const std::exception& e) {
    std::cerr << "telecomply: " << e.what() << "\n";
}

bool is_jsonl(const std::string& file) {
    return file.size() >= 6 && (file.ends_with(".jsonl") || file.ends_with(".ndjson"));
}

// ------------------------------------------------------------------ check

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
                        std::cout << nlohmann::json{{"error",
                                                     {{"file", err->file()},
                                                      {"line", err->line()},
                                                      {"json_path", err->json_path()},
                                                      {"message", err->message()}}}}
                                         .dump()
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
                    std::cout << v.to_json().dump() << "\n";
                else if (c.format == "json")
                    json_out.push_back(v.to_json());
                else
                    std::cout << v.to_text(c.lang) << "\n";
            },
            threads);
    }
    if (c.format == "json") {
        if (json_out.size() == 1)
            std::cout << json_out.front().dump(2) << "\n";
        else
            std::cout << nlohmann::json(json_out).dump(2) << "\n";
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

// ------------------------------------------------------------------ explain

int run_explain(const common& c, const std::string& file) {
    const engine e(c.rulesets_dir());
    check_options opts;
    opts.as_of = c.as_of_date();
    opts.trace = true;
    std::ifstream in(file, std::ios::binary);
    if (!in) throw input_error(file, 0, "", "cannot open the file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const verdict v = e.check_json(text, opts, file);
    if (c.format == "json") {
        std::cout << v.to_json().dump(2) << "\n";
    } else {
        std::cout << v.to_text(c.lang) << "\nRules, in order:\n";
        for (const auto& t : *v.trace) {
            std::cout << "  [" << t.outcome << "] " << t.source->id;
            if (!t.source->code.empty()) std::cout << "  " << t.source->code;
            if (!t.subject.empty()) std::cout << " [" << t.subject << "]";
            std::cout << "  (" << t.source->origin << ")\n";
            if (!t.source->when_src.empty())
                std::cout << "      when:    " << t.source->when_src << "\n";
            if (!t.source->require_src.empty())
                std::cout << "      require: " << t.source->require_src << "\n";
            for (const auto& [path, val] : t.inputs.items())
                std::cout << "      input    " << path << " = " << val.dump() << "\n";
            if (!t.detail.empty()) std::cout << "      detail:  " << t.detail << "\n";
            if (t.outcome == "fail" || t.outcome == "unknown") {
                const finding f{t.source, t.subject, t.source->level};
                const auto r = f.remedy();
                if (c.lang != "en" && !r.zh.empty()) std::cout << "      remedy:  " << r.zh << "\n";
                if (c.lang != "zh" && !r.en.empty()) std::cout << "      remedy:  " << r.en << "\n";
            }
        }
    }
    return v.outcome == decision::eligible ? exit_ok : exit_findings;
}

// ------------------------------------------------------------------ lint / test

int run_lint(const std::string& dir) {
    std::shared_ptr<catalogue> cat;
    try {
        cat = catalogue::load(dir);
    } catch (const error& e) {
        std::cout << e.what() << "\n1 problem\n";
        return exit_bad;
    }
    const auto problems = cat->lint();
    std::size_t errors = 0;
    for (const auto& p : problems) {
        std::cout << p.file;
        if (p.line != 0) std::cout << ":" << p.line;
        if (!p.json_path.empty()) std::cout << ": " << p.json_path;
        std::cout << ": " << (p.warning ? "warning: " : "error: ") << p.message << "\n";
        if (!p.warning) ++errors;
    }
    const auto versions = cat->list().size();
    std::cout << versions << " ruleset versions checked: " << errors << " error"
              << (errors == 1 ? "" : "s") << ", " << problems.size() - errors << " warning"
              << (problems.size() - errors == 1 ? "" : "s") << "\n";
    return errors != 0 ? exit_bad : (problems.empty() ? exit_ok : exit_findings);
}

int run_test(const common& c, const std::string& dir_arg, bool verbose) {
    const std::filesystem::path rulesets =
        dir_arg.empty() ? c.rulesets_dir() : std::filesystem::path(dir_arg);
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
    const auto uncovered = report.uncovered();
    std::cout << report.cases.size() << " cases: " << report.cases.size() - report.failed()
              << " passed, " << report.failed() << " failed; " << uncovered.size()
              << " finding code" << (uncovered.size() == 1 ? "" : "s")
              << " not covered both ways\n";
    return report.failed() != 0 || !uncovered.empty() ? exit_findings : exit_ok;
}

}  // namespace

int run(const std::vector<std::string>& args) {
    CLI::App app{"telecomply: telemarketing-number whitelist compliance (电销卡白名单)",
                 "telecomply"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(version()));
    common c;
    auto add_rulesets = [&](CLI::App* sub) {
        sub->add_option("--rulesets", c.rulesets,
                        "folder of rulesets (default: the installed ones)");
    };
    auto add_lang = [&](CLI::App* sub) {
        sub->add_option("--lang", c.lang, "language of messages in text output")
            ->check(CLI::IsMember({"zh", "en", "both"}));
    };

    std::vector<std::string> files;
    unsigned threads = 1;
    auto* check =
        app.add_subcommand("check", "check applications (JSON or JSON Lines files; - for stdin)");
    check->add_option("files", files, "application files")->required();
    add_rulesets(check);
    check->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    check->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json", "jsonl"}));
    check->add_option("--threads", threads, "worker threads for JSON Lines input (0: all cores)");
    add_lang(check);

    std::string explain_file;
    auto* explain = app.add_subcommand(
        "explain", "every rule's inputs, outcome and remedy for one application");
    explain->add_option("file", explain_file, "application file")->required();
    add_rulesets(explain);
    explain->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    explain->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    add_lang(explain);

    std::string lint_dir;
    auto* lint =
        app.add_subcommand("lint", "check rulesets: schema, expressions, overrides, versions");
    lint->add_option("dir", lint_dir, "folder of rulesets (default: the installed ones)");

    std::string test_dir;
    bool verbose = false;
    auto* test =
        app.add_subcommand("test", "run the ruleset test cases and report finding-code coverage");
    test->add_option("dir", test_dir,
                     "folder of rulesets with a tests/ folder (default: installed)");
    test->add_flag("-v,--verbose", verbose, "list passing cases too");

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
        if (*check) return run_check(c, files, threads);
        if (*explain) return run_explain(c, explain_file);
        if (*lint) return run_lint(lint_dir.empty() ? catalogue::default_dir().string() : lint_dir);
        if (*test) return run_test(c, test_dir, verbose);
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
