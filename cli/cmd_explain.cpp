// `telecomply explain`: every rule's inputs, outcome and remedy for one application.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "telecomply/expr/value.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/fix.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply::cli {

namespace {

// --fix: what would pass (rules/fix.hpp); exit 0 when the patch makes the application
// eligible, 1 when something is left that a patch cannot fix.
int run_fix(const engine& e, const check_options& opts, const common& c, const std::string& file) {
    // the input's errors with their lines; the application as the rules read it
    const auto doc = e.parse(read_input(file), input_name(file));
    const auto plan = plan_fixes(e, to_json(doc.root()), opts);
    if (c.format == "json")
        std::cout << json_text(plan.to_json(), 2) << "\n";
    else
        std::cout << plan.to_text();
    return plan.complete() ? exit_ok : exit_findings;
}

int run_explain_one(const engine& e, const common& c, const std::string& file, bool full, bool fix);

// One application; a region without rules (in force on its date) is that input's error.
int run_explain(const common& c, const std::string& file, bool full, bool fix) {
    if (is_jsonl(file))
        throw usage_error("explain takes one application, not JSON Lines (" + file +
                          "): explain each, or use check for a batch");
    const engine e(c.load_rules());
    try {
        return run_explain_one(e, c, file, full, fix);
    } catch (const not_found_error& e) {
        // no rules for the region, or none in force on the date the check is as of
        const bool dated = std::string_view(e.what()).find("in force on") != std::string_view::npos;
        if (dated && !c.as_of.empty()) throw usage_error(std::string("--as-of: ") + e.what());
        throw input_error(input_name(file), 0, dated ? "$.submitted_on" : "$.region", e.what());
    }
}

int run_explain_one(const engine& e, const common& c, const std::string& file, bool full,
                    bool fix) {
    check_options opts;
    opts.as_of = c.as_of_date();
    if (fix) return run_fix(e, opts, c, file);
    opts.trace = true;
    opts.trace_full = full;
    const verdict v = e.check_json(read_input(file), opts, input_name(file));
    if (c.format == "json") {
        std::string out;
        v.write_json(out, 2);
        out.push_back('\n');
        std::cout << out;
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
            for (const auto& [path, val] : t.inputs)
                std::cout << "      input    " << path << " = "
                          << json_text(nlohmann::json::parse(val)) << "\n";
            for (const auto& [path, val] : t.params)
                std::cout << "      param    " << path << " = "
                          << json_text(nlohmann::json::parse(val)) << "\n";
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

}  // namespace

command add_explain(CLI::App& app, common& c) {
    struct args {
        std::string file;
        bool full = false;
        bool fix = false;
    };
    auto a = std::make_shared<args>();
    auto* explain = app.add_subcommand(
        "explain", "every rule's inputs, outcome and remedy for one application");
    explain->add_option("file", a->file, "application file (- for stdin)")->required();
    explain->add_flag("--full", a->full,
                      "every value each rule read, whole (default: the leaves it read, long "
                      "objects and lists summarised)");
    explain->add_flag("--fix", a->fix,
                      "what would pass: for each blocking finding and unknown, the smallest change "
                      "that clears it (--format json: with a JSON Merge Patch, RFC 7386)");
    add_rulesets_option(explain, c);
    explain->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    explain->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    add_lang_option(explain, c);
    return {explain, [&c, a] { return run_explain(c, a->file, a->full, a->fix); }};
}

}  // namespace telecomply::cli
