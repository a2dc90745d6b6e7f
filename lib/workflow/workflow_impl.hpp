#pragma once
// The inside of a workflow (private to the workflow layer): its states and transitions held as a
// Boost Graph, shared by loading, analysis and drawing.

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/visitors.hpp>
#include <boost/property_map/property_map.hpp>
#include <boost/range/iterator_range.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply {

struct workflow::impl {
    struct state_props {
        std::string name;
        bool final = false;
    };
    struct edge_props {
        std::size_t transition = 0;  // index into `transitions`
    };
    // Bidirectional so that "can reach a final state" is a BFS on the reverse graph.
    using graph_t = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                          state_props, edge_props>;
    using vertex_t = boost::graph_traits<graph_t>::vertex_descriptor;
    using edge_t = boost::graph_traits<graph_t>::edge_descriptor;

    std::string id, initial;
    std::vector<std::string> states, events;
    std::vector<workflow_transition> transitions;
    std::map<std::string, workflow_timer, std::less<>> timers;
    graph_t graph;
    std::map<std::string, vertex_t, std::less<>> vertex_of;

    [[nodiscard]] vertex_t vertex(std::string_view state) const {
        const auto it = vertex_of.find(state);
        if (it == vertex_of.end())
            throw usage_error("workflow " + id + " has no state '" + std::string(state) + "'");
        return it->second;
    }

    // A BFS tree from `from`: the tree edge that discovered each vertex (in out-edge order, so
    // ties go to the transition defined first) and whether it was reached at all.
    struct bfs_tree {
        std::vector<edge_t> pred;
        std::vector<bool> reached;
    };
    [[nodiscard]] bfs_tree search_from(vertex_t from) const {
        const auto n = boost::num_vertices(graph);
        bfs_tree tree{std::vector<edge_t>(n), std::vector<bool>(n, false)};
        std::vector<boost::default_color_type> color(n);
        const auto index = boost::get(boost::vertex_index, graph);
        boost::breadth_first_search(
            graph, from,
            boost::visitor(boost::make_bfs_visitor(boost::record_edge_predecessors(
                               boost::make_iterator_property_map(tree.pred.begin(), index),
                               boost::on_tree_edge())))
                .color_map(boost::make_iterator_property_map(color.begin(), index)));
        for (std::size_t v = 0; v < n; ++v)
            tree.reached[v] = color[v] != boost::white_color;
        return tree;
    }

    [[nodiscard]] std::string step_name(const workflow_transition& t) const {
        return t.event.empty() ? "(" + t.timer + ")" : t.event;
    }
};

namespace detail {

inline std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

template <class C>
bool contains(const C& c, std::string_view v) {
    return std::find(c.begin(), c.end(), v) != c.end();
}

}  // namespace detail
}  // namespace telecomply
