// `telecomply diff`: the findings and decisions a policy change would change, application by
// application: one version to another, the rules in force on one date to those on another, one
// folder to another (docs/rulesets.md, "Judging a change: diff").

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply::cli {

namespace {

engine::parsed parse_one(const engine& e, std::string_view text, const std::string& name) {
    try {
        return e.parse(text, name);
    } catch (const input_error& err) {
        return err;
    }
}

// One side of a diff: the rules of a folder (with the overlays), and which of its versions
// judges an application: a version by name, the one in force on a date, or (neither) the one
// in force on the application's own date.
struct side {
    std::shared_ptr<const catalogue> rules;
    std::string version;
    std::optional<date> on;
    std::string label;  // "2026.2", "2026-07-01", "rulesets-b/"

    // nullptr: the region has no such version (nothing changed there). not_found_error for a
    // region without rules, or without rules in force on the date.
    std::shared_ptr<const ruleset> pick(const document& doc) const {
        const value* region = doc.root().find("region");
        if (region == nullptr || region->kind() != kind::string)
            throw input_error("<input>", 0, "$.region", "the application has no region");
        const std::string id(region->as_string());
        const auto all = rules->list();
        if (std::none_of(all.begin(), all.end(), [&](const auto& p) { return p.first == id; }))
            throw not_found_error("$.region: no ruleset for region '" + id + "' in " +
                                  rules->dir().string());
        if (!version.empty()) {
            for (const auto& [rid, v] : all)
                if (rid == id && v == version) return rules->get(id, version);
            return nullptr;  // a region without this version did not change
        }
        date d;
        if (on) {
            d = *on;
        } else {
            const value* s = doc.root().find("submitted_on");
            d = s != nullptr && s->kind() == kind::string
                    ? date::parse(s->as_string()).value_or(date{})
                    : date{};
        }
        // no rules in force on the date is an error, not "unchanged"
        return rules->resolve(id, d);
    }
};

struct diff_args {
    std::string from, to, from_date, to_date, from_rulesets, to_rulesets;
    std::vector<std::string> files;
};

side make_side(const common& c, const std::string& version, const std::string& on,
               const std::string& folder, const char* which) {
    side s;
    if (!version.empty() && !on.empty())
        throw usage_error(std::string("give --") + which + " or --" + which + "-date, not both");
    s.rules = folder.empty() ? c.load_rules() : catalogue::load(folder, c.overlay_dirs());
    s.version = version;
    if (!on.empty()) {
        s.on = date::parse(on);
        if (!s.on)
            throw usage_error(std::string("--") + which + "-date needs a date (YYYY-MM-DD), not '" +
                              on + "'");
    }
    if (!version.empty()) {
        const auto all = s.rules->list();
        if (std::none_of(all.begin(), all.end(),
                         [&](const auto& p) { return p.second == version; }))
            throw usage_error("no ruleset of " + s.rules->dir().string() + " has version " +
                              version);
    }
    s.label = !version.empty()  ? version
              : s.on            ? on
              : !folder.empty() ? folder
                                : std::string("in force");
    if (!folder.empty() && (!version.empty() || s.on)) s.label += " of " + folder;
    return s;
}

int run_diff(const common& c, const diff_args& a) {
    const side before = make_side(c, a.from, a.from_date, a.from_rulesets, "from");
    const side after = make_side(c, a.to, a.to_date, a.to_rulesets, "to");
    if (a.from.empty() && a.from_date.empty() && a.to.empty() && a.to_date.empty() &&
        a.from_rulesets.empty() && a.to_rulesets.empty())
        throw usage_error(
            "diff needs what to compare: --from/--to versions, --from-date/--to-date, "
            "or --from-rulesets/--to-rulesets");
    const engine e(before.rules);
    std::size_t total = 0, flipped = 0, changed = 0, bad = 0;
    // regions whose rules are the same on both sides, and why
    std::map<std::string, std::string> unchanged_regions;
    std::set<std::string> compared_regions;
    auto one = [&](const engine::parsed& p, const std::string& name, std::uint32_t line) {
        try {
            if (const auto* err = std::get_if<input_error>(&p)) throw *err;
            const document& doc = std::get<document>(p);
            const auto rs_a = before.pick(doc);
            const auto rs_b = after.pick(doc);
            ++total;
            if (!rs_a || !rs_b || rs_a->digest() == rs_b->digest()) {
                const value* region = doc.root().find("region");
                const std::string id(region->as_string());
                unchanged_regions.emplace(
                    id, !rs_a   ? "no version " + before.label
                        : !rs_b ? "no version " + after.label
                                : "the same rules (" + rs_a->id() + "@" + rs_a->version() + ")");
                return;
            }
            compared_regions.insert(rs_a->id());
            thread_local eval_context ctx;
            check_options opts;
            const verdict va = rs_a->check(doc, opts, ctx);
            const verdict vb = rs_b->check(doc, opts, ctx);
            const verdict_change d = compare(va, vb);
            if (!d.changed()) return;
            ++changed;
            flipped += d.from != d.to;
            if (c.format == "text") {
                std::cout << va.application << "  " << va.region << "  " << to_string(d.from)
                          << " -> " << to_string(d.to);
                for (const auto& k : d.added)
                    std::cout << "  +" << k;
                for (const auto& k : d.removed)
                    std::cout << "  -" << k;
                std::cout << "\n";
            } else {
                auto j = d.to_json();
                j["application"] = va.application;
                j["region"] = va.region;
                j["from_ruleset"] = rs_a->id() + "@" + rs_a->version();
                j["to_ruleset"] = rs_b->id() + "@" + rs_b->version();
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
    for (const auto& file : a.files) {
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
    if (c.format == "text") {
        for (const auto& [region, why] : unchanged_regions)
            if (!compared_regions.contains(region))
                std::cout << region << "  unchanged: " << why << "\n";
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << changed
                  << " with different findings from " << before.label << " to " << after.label
                  << ", " << flipped << " with a different decision\n";
    }
    if (bad != 0) return exit_bad;
    return changed != 0 ? exit_findings : exit_ok;
}

}  // namespace

command add_diff(CLI::App& app, common& c) {
    auto a = std::make_shared<diff_args>();
    auto* diff =
        app.add_subcommand("diff", "the findings and decisions a policy change would change");
    diff->add_option("--from", a->from, "the version before, e.g. 2026.1");
    diff->add_option("--to", a->to,
                     "the version after, e.g. 2026.2 (a region without it: unchanged)");
    diff->add_option("--from-date", a->from_date,
                     "before: each region's rules in force on this date (YYYY-MM-DD)");
    diff->add_option("--to-date", a->to_date,
                     "after: each region's rules in force on this date (YYYY-MM-DD)");
    diff->add_option("--from-rulesets", a->from_rulesets,
                     "before: this folder of rulesets (default: --rulesets)");
    diff->add_option("--to-rulesets", a->to_rulesets,
                     "after: this folder of rulesets (default: --rulesets)");
    diff->add_option("files", a->files, "application files (JSON or JSON Lines; - for stdin)")
        ->required();
    diff->add_option("--format", c.format, "text or jsonl")
        ->check(CLI::IsMember({"text", "jsonl"}));
    add_rulesets_option(diff, c);
    return {diff, [&c, a] { return run_diff(c, *a); }};
}

}  // namespace telecomply::cli
