// libFuzzer target: a workflow definition, read both ways the library reads one: as a
// national definition (workflow::from_json) and as a region's overlay on the shipped national
// one. Every workflow built is analysed against the library's guards and the national
// parameters, drawn (DOT, Mermaid) and walked: the transitions of every state and event, the
// shortest path between every pair of states. Bad definitions are workflow_errors.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "telecomply/workflow/vocabulary.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace {

using namespace telecomply;

struct setting {
    nlohmann::json national;
    std::vector<std::string> parameters;
    setting() {
        std::ifstream in(fuzz::rulesets_dir() / "workflow" / "CN.json");
        national = nlohmann::json::parse(in);
        std::ifstream in_rules(fuzz::rulesets_dir() / "CN" / "2026.1.json");
        const auto rules = nlohmann::json::parse(in_rules);
        for (const auto& [name, _] : rules.at("parameters").items())
            parameters.push_back(name);
    }
};

const setting& the_setting() {
    static const setting s;
    return s;
}

void explore(const workflow& w, const setting& s) {
    (void)w.analyse(known_guards(), s.parameters);
    (void)w.analyse(known_guards());
    (void)w.to_dot();
    (void)w.to_mermaid();
    (void)w.parameters_used();
    (void)w.timers();
    // the first 40 states: the work grows with their square
    const auto& states = w.states();
    const std::size_t n = std::min<std::size_t>(states.size(), 40);
    for (std::size_t a = 0; a < n; ++a) {
        (void)w.is_final(states[a]);
        (void)w.on_timer(states[a]);
        for (const auto& event : w.events())
            (void)w.on_event(states[a], event);
        for (std::size_t b = 0; b < n; ++b)
            (void)w.shortest_path(states[a], states[b]);
    }
    for (const auto& t : w.transitions())
        if (!t.timer.empty()) (void)w.timer(t.timer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& s = the_setting();
    const auto j = fuzz::parse_json(fuzz::text(data, size));
    if (!j) return 0;
    fuzz::expected_errors([&] { explore(workflow::from_json(*j, nullptr, "fuzz.json"), s); });
    fuzz::expected_errors(
        [&] { explore(workflow::from_json(s.national, &*j, "fuzz-overlay.json"), s); });
    return 0;
}
