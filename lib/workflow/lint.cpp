#include "telecomply/workflow/lint.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "telecomply/workflow/workflow.hpp"

namespace telecomply {

std::vector<catalogue::problem> lint_all(const catalogue& cat) {
    const auto wf_dir = cat.dir() / "workflow";
    const bool has_workflows = std::filesystem::is_directory(wf_dir);
    std::vector<std::string> regions{"CN"};
    for (const auto& [id, version] : cat.list())
        if (std::find(regions.begin(), regions.end(), id) == regions.end()) regions.push_back(id);

    // Parameters the workflows read are not "unused" parameters of the rules.
    std::vector<std::string> workflow_params;
    bool workflows_loaded = true;
    if (has_workflows) {
        for (const auto& region : regions) {
            try {
                for (auto& p : workflow::load(wf_dir, region).parameters_used())
                    if (std::find(workflow_params.begin(), workflow_params.end(), p) ==
                        workflow_params.end())
                        workflow_params.push_back(std::move(p));
            } catch (const error&) {
                workflows_loaded = false;  // reported below, with the workflow's analysis
            }
        }
    }
    // what a workflow that failed to load reads is not known: no "read by nothing" guesses
    auto problems = cat.lint(workflow_params, workflows_loaded);
    if (const auto cal_dir = cat.dir() / "calendars"; std::filesystem::is_directory(cal_dir)) {
        for (auto& d : lint_calendars(cal_dir))
            problems.push_back(std::move(d));
    } else if (has_workflows) {
        problems.push_back({cal_dir.string(), 0, "",
                            "no calendars folder: the workflow's deadlines in working days cannot "
                            "be counted (copy rulesets/calendars from the shipped rulesets)",
                            false, "calendar_error"});
    }
    if (!has_workflows) return problems;

    for (const auto& region : regions) {
        const auto file =
            (wf_dir /
             (std::filesystem::exists(wf_dir / (region + ".json")) ? region + ".json" : "CN.json"))
                .string();
        auto add = [&](const std::string& m) {
            for (const auto& p : problems)
                if (p.file == file && p.message == m) return;
            problems.push_back({file, 0, "", m, false, "workflow_error"});
        };
        try {
            const auto wf = workflow::load(wf_dir, region);
            for (const auto& [id, version] : cat.list()) {
                if (id != region) continue;
                // each version's parameters: the timers and guards must find theirs
                std::shared_ptr<const ruleset> rs;
                try {
                    rs = cat.get(id, version);
                } catch (const ruleset_error&) {
                    continue;  // the rules' own problem: catalogue::lint reported it, once
                }
                std::vector<std::string> params;
                for (const auto& [k, v] : rs->parameters().items())
                    params.push_back(k);
                const auto a = wf.analyse(known_guards(), params);
                for (const auto& st : a.unreachable)
                    add("state '" + st + "' is unreachable from the initial state");
                for (const auto& st : a.cannot_finish)
                    add("state '" + st + "' cannot reach a final state");
                for (const auto& m : a.problems)
                    add(m);
                if (a.shortest_to_whitelisted.empty()) add("no event path leads to 'whitelisted'");
            }
        } catch (const data_error& e) {
            // located where it is (a base's problem names the base, once: lint_folder drops
            // the same diagnostic met again through a regional overlay)
            auto d = e.to_diagnostic();
            if (d.file.empty()) d.file = file;
            if (std::none_of(problems.begin(), problems.end(), [&](const diagnostic& p) {
                    return p.file == d.file && p.line == d.line && p.json_path == d.json_path &&
                           p.message == d.message;
                }))
                problems.push_back(std::move(d));
        } catch (const error& e) {
            add(e.what());
        }
    }
    return problems;
}

std::size_t lint_report::errors() const noexcept {
    return static_cast<std::size_t>(std::count_if(problems.begin(), problems.end(),
                                                  [](const diagnostic& d) { return !d.warning; }));
}

lint_report lint_folder(const std::filesystem::path& dir) {
    return lint_folder(dir, {});
}

lint_report lint_folder(const std::filesystem::path& dir,
                        const std::vector<std::filesystem::path>& overlays) {
    lint_report out;
    std::vector<diagnostic> all;
    const auto cat = catalogue::load(dir, overlays, all);
    if (cat) {
        out.versions = cat->list().size();
        out.notes = cat->notes();
        for (auto& d : lint_all(*cat))
            all.push_back(std::move(d));
    } else if (const auto cal = dir / "calendars"; std::filesystem::is_directory(cal)) {
        for (auto& d : lint_calendars(cal))
            all.push_back(std::move(d));
    }
    for (auto& d : all) {
        const bool seen = std::any_of(out.problems.begin(), out.problems.end(), [&](const auto& p) {
            return p.file == d.file && p.line == d.line && p.json_path == d.json_path &&
                   p.message == d.message;
        });
        if (!seen) out.problems.push_back(std::move(d));
    }
    return out;
}

}  // namespace telecomply
