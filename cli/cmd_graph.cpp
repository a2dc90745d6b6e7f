// `telecomply graph`: a region's approval workflow as Graphviz DOT or Mermaid.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "telecomply/workflow/workflow.hpp"

namespace telecomply::cli {

command add_graph(CLI::App& app, common& c) {
    struct args {
        std::string format = "dot";
        std::string region = "CN";
    };
    auto a = std::make_shared<args>();
    auto* graph = app.add_subcommand("graph", "draw the workflow (Graphviz DOT or Mermaid)");
    graph->add_option("--format", a->format, "dot or mermaid")
        ->check(CLI::IsMember({"dot", "mermaid"}));
    graph->add_option("--region", a->region, "the region whose workflow to draw (default: CN)");
    add_rulesets_option(graph, c);
    return {graph, [&c, a] {
                const auto wf = workflow::load(c.rulesets_dir() / "workflow", a->region);
                std::cout << (a->format == "dot" ? wf.to_dot() : wf.to_mermaid());
                return exit_ok;
            }};
}

}  // namespace telecomply::cli
