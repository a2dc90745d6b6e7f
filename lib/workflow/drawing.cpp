// Drawing a workflow: Graphviz DOT and Mermaid state diagrams.

#include "telecomply/workflow/workflow.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/workflow/vocabulary.hpp"
#include "workflow/workflow_impl.hpp"

namespace telecomply {

using detail::contains;
using detail::in_quotes;

namespace {

std::string dot_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string edge_label(const workflow_transition& t) {
    std::string s = t.event.empty() ? "(" + t.timer + ")" : t.event;
    if (!t.guard.empty()) s += " [" + t.guard + "]";
    return s;
}

}  // namespace

std::string workflow::to_dot() const {
    const auto& g = impl_->graph;
    std::string out = "digraph " + dot_quote(impl_->id) + " {\n";
    out += "    rankdir=LR;\n";
    out += "    node [shape=circle];\n";
    out += "    \"_start\" [shape=point, label=\"\"];\n";
    for (const auto v : boost::make_iterator_range(boost::vertices(g)))
        out += "    " + dot_quote(g[v].name) + (g[v].final ? " [shape=doublecircle]" : "") + ";\n";
    out += "    \"_start\" -> " + dot_quote(impl_->initial) + ";\n";
    for (const auto e : boost::make_iterator_range(boost::edges(g))) {
        const auto& t = impl_->transitions[g[e].transition];
        out += "    " + dot_quote(g[boost::source(e, g)].name) + " -> " +
               dot_quote(g[boost::target(e, g)].name) + " [label=" + dot_quote(edge_label(t)) +
               (t.timer.empty() ? "" : ", style=dashed") + "];\n";
    }
    out += "}\n";
    return out;
}

std::string workflow::to_mermaid() const {
    const auto& g = impl_->graph;
    std::string out = "stateDiagram-v2\n";
    for (const auto v : boost::make_iterator_range(boost::vertices(g)))
        out += "    " + g[v].name + "\n";  // declared so that isolated states appear too
    out += "    [*] --> " + impl_->initial + "\n";
    for (const auto e : boost::make_iterator_range(boost::edges(g))) {
        const auto& t = impl_->transitions[g[e].transition];
        out += "    " + g[boost::source(e, g)].name + " --> " + g[boost::target(e, g)].name +
               " : " + edge_label(t) + "\n";
    }
    for (const auto v : boost::make_iterator_range(boost::vertices(g)))
        if (g[v].final) out += "    " + g[v].name + " --> [*]\n";
    return out;
}

}  // namespace telecomply
