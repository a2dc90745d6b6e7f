// `telecomply diff`: the findings and decisions a policy change (one ruleset version to
// another) would change, application by application.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"

namespace telecomply::cli {

namespace {

engine::parsed parse_one(const engine& e, std::string_view text, const std::string& name) {
    try {
        return e.parse(text, name);
    } catch (const input_error& err) {
        return err;
    }
}

int run_diff(const common& c, const std::vector<std::string>& files, const std::string& from,
             const std::string& to) {
    const engine e(c.rulesets_dir());
    std::size_t total = 0, flipped = 0, changed = 0, bad = 0;
    auto one = [&](const engine::parsed& p, const std::string& name, std::uint32_t line) {
        try {
            if (const auto* err = std::get_if<input_error>(&p)) throw *err;
            const document& doc = std::get<document>(p);
            const verdict a = e.check_version(doc, from);
            const verdict b = e.check_version(doc, to);
            const verdict_change d = compare(a, b);
            ++total;
            if (!d.changed()) return;
            ++changed;
            flipped += d.from != d.to;
            if (c.format == "text") {
                std::cout << a.application << "  " << a.region << "  " << to_string(d.from)
                          << " -> " << to_string(d.to);
                for (const auto& k : d.added)
                    std::cout << "  +" << k;
                for (const auto& k : d.removed)
                    std::cout << "  -" << k;
                std::cout << "\n";
            } else {
                auto j = d.to_json();
                j["application"] = a.application;
                j["region"] = a.region;
                std::cout << json_text(j) << "\n";
            }
        } catch (const input_error& err) {
            ++bad;
            std::cerr << "telecomply: " << err.what() << "\n";
        } catch (const not_found_error& err) {
            ++bad;
            std::cerr << "telecomply: " << name << ":" << line << ": " << err.what() << "\n";
        }
    };
    for (const auto& file : files) {
        application_input input;
        if (const auto why = open_applications(file, input); !why.empty()) {
            std::cerr << "telecomply: " << file << ": " << why << "\n";
            ++bad;
            continue;
        }
        const std::string& name = input.name;
        if (input.jsonl) {
            e.parse_jsonl(*input.in, name,
                          [&](std::uint32_t line, engine::parsed&& p) { one(p, name, line); });
        } else {
            const std::string text((std::istreambuf_iterator<char>(*input.in)),
                                   std::istreambuf_iterator<char>());
            one(parse_one(e, text, name), name, 1);
        }
    }
    if (c.format == "text")
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << changed
                  << " with different findings from " << from << " to " << to << ", " << flipped
                  << " with a different decision\n";
    if (bad != 0) return exit_bad;
    return changed != 0 ? exit_findings : exit_ok;
}

}  // namespace

command add_diff(CLI::App& app, common& c) {
    struct args {
        std::string from, to;
        std::vector<std::string> files;
    };
    auto a = std::make_shared<args>();
    auto* diff =
        app.add_subcommand("diff", "the findings and decisions a policy change would change");
    diff->add_option("--from", a->from, "the version before, e.g. 2025.1")->required();
    diff->add_option("--to", a->to, "the version after, e.g. 2026.1")->required();
    diff->add_option("files", a->files, "application files (JSON or JSON Lines; - for stdin)")
        ->required();
    diff->add_option("--format", c.format, "text or jsonl")
        ->check(CLI::IsMember({"text", "jsonl"}));
    add_rulesets_option(diff, c);
    return {diff, [&c, a] { return run_diff(c, a->files, a->from, a->to); }};
}

}  // namespace telecomply::cli
