// `telecomply explain`: every rule's inputs, outcome and remedy for one application.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply::cli {

namespace {

int run_explain(const common& c, const std::string& file) {
    const engine e(c.rulesets_dir());
    check_options opts;
    opts.as_of = c.as_of_date();
    opts.trace = true;
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
    auto file = std::make_shared<std::string>();
    auto* explain = app.add_subcommand(
        "explain", "every rule's inputs, outcome and remedy for one application");
    explain->add_option("file", *file, "application file (- for stdin)")->required();
    add_rulesets_option(explain, c);
    explain->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    explain->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    add_lang_option(explain, c);
    return {explain, [&c, file] { return run_explain(c, *file); }};
}

}  // namespace telecomply::cli
