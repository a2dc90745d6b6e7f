#include "telecomply/workflow/lint.hpp"

#include <algorithm>
#include <filesystem>

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
    if (has_workflows) {
        for (const auto& region : regions) {
            try {
                for (auto& p : workflow::load(wf_dir, region).parameters_used())
                    if (std::find(workflow_params.begin(), workflow_params.end(), p) ==
                        workflow_params.end())
                        workflow_params.push_back(std::move(p));
            } catch (const error&) {
                // reported below, with the workflow's analysis
            }
        }
    }
    auto problems = cat.lint(workflow_params);
    if (const auto cal_dir = cat.dir() / "calendars"; std::filesystem::is_directory(cal_dir)) {
        for (auto& d : lint_calendars(cal_dir))
            problems.push_back(std::move(d));
    } else if (has_workflows) {
        problems.push_back({cal_dir.string(), 0, "",
                            "no calendars folder: the workflow's deadlines in working days cannot "
                            "be counted (copy rulesets/calendars from the shipped rulesets)",
                            false});
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
            problems.push_back({file, 0, "", m, false});
        };
        try {
            const auto wf = workflow::load(wf_dir, region);
            for (const auto& [id, version] : cat.list()) {
                if (id != region) continue;
                // each version's parameters: the timers and guards must find theirs
                std::vector<std::string> params;
                for (const auto& [k, v] : cat.get(id, version)->parameters().items())
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
        } catch (const ruleset_error& e) {
            problems.push_back({e.file(), e.line(), e.json_path(), e.message(), false});
        } catch (const error& e) {
            add(e.what());
        }
    }
    return problems;
}

}  // namespace telecomply
