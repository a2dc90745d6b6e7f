// Workflow definitions (docs/workflow.md): loading a national definition with a regional
// overlay, the Boost Graph a workflow lives in, and the analyses lint runs on it.
#include "telecomply/workflow.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/visitors.hpp>
#include <boost/property_map/property_map.hpp>
#include <boost/range/iterator_range.hpp>
#include <nlohmann/json.hpp>

#include "telecomply/detail/json_support.hpp"
#include "telecomply/error.hpp"

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

namespace {

using json = nlohmann::json;
using detail::json_path_append_index;
using detail::json_path_append_key;
using impl = workflow::impl;

// ------------------------------------------------------------------ parsing

// One input document of a definition, for error messages: its name (a file, or the caller's
// source) and, when it was read from a file, its text to find the line of a JSON path in.
struct input {
    const json* doc = nullptr;
    std::string name;
    std::string text;

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        std::string out = name;
        if (!text.empty())
            if (const auto line = detail::line_of(text, path); line != 0)
                out += ":" + std::to_string(line);
        if (!path.empty()) out += ": " + path;
        throw workflow_error(out + ": " + message);
    }
};

// State, event, timer and transition names: plain identifiers, so that they are safe as
// Graphviz and Mermaid ids and never clash with the drawings' own "_start" node.
bool is_identifier(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

// Workflow ids are region codes: "CN", "CN-BJ".
bool is_workflow_id(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// Unknown keys are errors: a misspelt "guards" or "removes" must not be silently ignored.
void check_keys(const input& in, const json& obj, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
    for (const auto& item : obj.items()) {
        if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
        std::string list;
        for (const auto k : allowed)
            list += (list.empty() ? "" : ", ") + std::string(k);
        in.fail(json_path_append_key(path, item.key()),
                "unknown key " + in_quotes(item.key()) + " (expected one of: " + list + ")");
    }
}

const json* member(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

// A non-empty string member; "" when absent and optional.
std::string string_member(const input& in, const json& obj, const std::string& path,
                          const char* key, bool required) {
    const json* v = member(obj, key);
    const auto at = json_path_append_key(path, key);
    if (v == nullptr) {
        if (required) in.fail(at, "missing (a string is required)");
        return {};
    }
    if (!v->is_string() || v->get_ref<const std::string&>().empty())
        in.fail(at, "must be a non-empty string");
    return v->get<std::string>();
}

std::string name_member(const input& in, const json& obj, const std::string& path, const char* key,
                        bool required) {
    auto s = string_member(in, obj, path, key, required);
    if (!s.empty() && !is_identifier(s))
        in.fail(json_path_append_key(path, key),
                in_quotes(s) + " is not a name (letters, digits and _, starting with a letter)");
    return s;
}

void check_annotations(const input& in, const json& obj, const std::string& path) {
    if (const json* t = member(obj, "title"); t != nullptr && !t->is_object() && !t->is_string())
        in.fail(json_path_append_key(path, "title"), "must be {\"zh\": ..., \"en\": ...}");
    if (const json* n = member(obj, "notes"); n != nullptr) {
        const bool ok = n->is_string() ||
                        (n->is_array() && std::all_of(n->begin(), n->end(),
                                                      [](const json& e) { return e.is_string(); }));
        if (!ok) in.fail(json_path_append_key(path, "notes"), "must be a string or strings");
    }
}

// A transition with where it was defined, so errors found after merging point at its file.
struct located_transition {
    workflow_transition t;
    const input* in = nullptr;
    std::string path;
    bool replace = false;  // overlay: "replace": true
};

located_transition parse_transition(const input& in, const json& j, const std::string& path,
                                    bool in_overlay) {
    if (!j.is_object()) in.fail(path, "a transition is a JSON object");
    if (in_overlay)
        check_keys(in, j, path,
                   {"id", "from", "event", "timer", "to", "guard", "reason", "effects", "notes",
                    "replace"});
    else
        check_keys(in, j, path,
                   {"id", "from", "event", "timer", "to", "guard", "reason", "effects", "notes"});
    check_annotations(in, j, path);
    located_transition lt{{}, &in, path, false};
    auto& t = lt.t;
    t.id = name_member(in, j, path, "id", true);

    const json* from = member(j, "from");
    const auto from_path = json_path_append_key(path, "from");
    if (from == nullptr || !from->is_array() || from->empty())
        in.fail(from_path, "must be a non-empty array of state names");
    for (std::size_t i = 0; i < from->size(); ++i) {
        const auto& s = (*from)[i];
        const auto at = json_path_append_index(from_path, i);
        if (!s.is_string() || !is_identifier(s.get_ref<const std::string&>()))
            in.fail(at, "must be a state name");
        if (std::find(t.from.begin(), t.from.end(), s.get<std::string>()) != t.from.end())
            in.fail(at, "state " + in_quotes(s.get<std::string>()) + " is listed twice");
        t.from.push_back(s.get<std::string>());
    }

    t.event = name_member(in, j, path, "event", false);
    t.timer = name_member(in, j, path, "timer", false);
    if (t.event.empty() == t.timer.empty())
        in.fail(path, "a transition has either an \"event\" or a \"timer\", not " +
                          std::string(t.event.empty() ? "neither" : "both"));
    t.to = name_member(in, j, path, "to", true);
    t.guard = name_member(in, j, path, "guard", false);
    t.reason = string_member(in, j, path, "reason", false);

    if (const json* effects = member(j, "effects"); effects != nullptr) {
        const auto effects_path = json_path_append_key(path, "effects");
        if (!effects->is_array()) in.fail(effects_path, "must be an array of effects");
        for (std::size_t i = 0; i < effects->size(); ++i) {
            const auto& e = (*effects)[i];
            const auto at = json_path_append_index(effects_path, i);
            if (!e.is_object() || e.size() != 1)
                in.fail(at, "an effect is an object with one key, e.g. {\"start_timer\": \"T\"}");
            const auto only = e.begin();
            const std::string kind = only.key();
            const json& arg = only.value();
            workflow_effect eff{kind, ""};
            if (arg.is_string() && !arg.get_ref<const std::string&>().empty())
                eff.arg = arg.get<std::string>();
            else if (!(arg.is_boolean() && arg.get<bool>()))
                in.fail(json_path_append_key(at, kind), "must be a non-empty string or true");
            t.effects.push_back(std::move(eff));
        }
    }
    if (const json* r = member(j, "replace"); r != nullptr) {
        if (!r->is_boolean()) in.fail(json_path_append_key(path, "replace"), "must be a boolean");
        lt.replace = r->get<bool>();
    }
    return lt;
}

workflow_timer parse_timer(const input& in, const std::string& name, const json& j,
                           const std::string& path) {
    if (!is_identifier(name))
        in.fail(path, in_quotes(name) + " is not a name (letters, digits and _)");
    if (!j.is_object()) in.fail(path, "a timer is a JSON object");
    check_keys(in, j, path, {"kind", "working_days", "months", "days", "raises", "notes"});
    check_annotations(in, j, path);
    workflow_timer t;
    t.name = name;
    t.kind = string_member(in, j, path, "kind", true);
    if (t.kind != "sla" && t.kind != "deadline")
        in.fail(json_path_append_key(path, "kind"), "must be \"sla\" or \"deadline\"");
    t.working_days_param = string_member(in, j, path, "working_days", false);
    t.months_param = string_member(in, j, path, "months", false);
    t.days_param = string_member(in, j, path, "days", false);
    const int set = static_cast<int>(!t.working_days_param.empty()) +
                    static_cast<int>(!t.months_param.empty()) +
                    static_cast<int>(!t.days_param.empty());
    if (set != 1)
        in.fail(path,
                "a timer names exactly one parameter: \"working_days\", \"months\" or "
                "\"days\"");
    t.raises = string_member(in, j, path, "raises", t.kind == "sla");
    return t;
}

std::shared_ptr<const impl> build(const input& base, const input* overlay) {
    auto w = std::make_shared<impl>();
    const json& j = *base.doc;
    if (!j.is_object()) base.fail("$", "a workflow definition is a JSON object");
    check_keys(base, j, "$",
               {"id", "title", "notes", "initial", "states", "events", "timers", "transitions"});
    check_annotations(base, j, "$");
    w->id = string_member(base, j, "$", "id", true);
    if (!is_workflow_id(w->id)) base.fail("$.id", in_quotes(w->id) + " is not a workflow id");

    // States.
    std::vector<bool> finals;
    const json* states = member(j, "states");
    if (states == nullptr || !states->is_array() || states->empty())
        base.fail("$.states", "must be a non-empty array of states");
    for (std::size_t i = 0; i < states->size(); ++i) {
        const auto path = json_path_append_index("$.states", i);
        const auto& s = (*states)[i];
        if (!s.is_object()) base.fail(path, "a state is an object {\"name\": ...}");
        check_keys(base, s, path, {"name", "final", "title", "notes"});
        check_annotations(base, s, path);
        auto name = name_member(base, s, path, "name", true);
        if (std::find(w->states.begin(), w->states.end(), name) != w->states.end())
            base.fail(path + ".name", "state " + in_quotes(name) + " is defined twice");
        bool final = false;
        if (const json* f = member(s, "final"); f != nullptr) {
            if (!f->is_boolean()) base.fail(path + ".final", "must be a boolean");
            final = f->get<bool>();
        }
        w->states.push_back(std::move(name));
        finals.push_back(final);
    }
    const auto is_state = [&](const std::string& s) {
        return std::find(w->states.begin(), w->states.end(), s) != w->states.end();
    };

    if (member(j, "initial") == nullptr)
        base.fail("$.initial", "missing: a workflow needs an initial state");
    w->initial = name_member(base, j, "$", "initial", true);
    if (!is_state(w->initial)) base.fail("$.initial", "unknown state " + in_quotes(w->initial));

    // Events.
    const json* events = member(j, "events");
    if (events == nullptr || !events->is_array())
        base.fail("$.events", "must be an array of event names");
    for (std::size_t i = 0; i < events->size(); ++i) {
        const auto path = json_path_append_index("$.events", i);
        const auto& e = (*events)[i];
        if (!e.is_string() || !is_identifier(e.get_ref<const std::string&>()))
            base.fail(path, "must be an event name (letters, digits and _)");
        if (std::find(w->events.begin(), w->events.end(), e.get<std::string>()) != w->events.end())
            base.fail(path, "event " + in_quotes(e.get<std::string>()) + " is listed twice");
        w->events.push_back(e.get<std::string>());
    }

    // Timers.
    if (const json* timers = member(j, "timers"); timers != nullptr) {
        if (!timers->is_object()) base.fail("$.timers", "must be an object of timers");
        for (const auto& item : timers->items()) {
            const auto path = json_path_append_key("$.timers", item.key());
            w->timers.emplace(item.key(), parse_timer(base, item.key(), item.value(), path));
        }
    }

    // Transitions of the base, then the overlay's additions, replacements and removals.
    std::vector<located_transition> list;
    std::map<std::string, std::size_t, std::less<>> index_of;
    const json* transitions = member(j, "transitions");
    if (transitions == nullptr || !transitions->is_array())
        base.fail("$.transitions", "must be an array of transitions");
    for (std::size_t i = 0; i < transitions->size(); ++i) {
        const auto path = json_path_append_index("$.transitions", i);
        auto lt = parse_transition(base, (*transitions)[i], path, false);
        if (const auto it = index_of.find(lt.t.id); it != index_of.end())
            base.fail(path + ".id", "transition id " + in_quotes(lt.t.id) + " is also used by " +
                                        list[it->second].path);
        index_of.emplace(lt.t.id, list.size());
        list.push_back(std::move(lt));
    }

    if (overlay != nullptr) {
        const input& in = *overlay;
        const json& o = *in.doc;
        if (!o.is_object()) in.fail("$", "an overlay is a JSON object");
        check_keys(in, o, "$", {"id", "extends", "title", "notes", "transitions", "remove"});
        check_annotations(in, o, "$");
        const auto id = string_member(in, o, "$", "id", true);
        if (!is_workflow_id(id)) in.fail("$.id", in_quotes(id) + " is not a workflow id");
        const auto extends = string_member(in, o, "$", "extends", true);
        if (extends != w->id)
            in.fail("$.extends", "extends " + in_quotes(extends) + " but the base workflow is " +
                                     in_quotes(w->id));
        w->id = id;

        std::set<std::string, std::less<>> touched;  // ids the overlay adds or replaces
        if (const json* ts = member(o, "transitions"); ts != nullptr) {
            if (!ts->is_array()) in.fail("$.transitions", "must be an array of transitions");
            for (std::size_t i = 0; i < ts->size(); ++i) {
                const auto path = json_path_append_index("$.transitions", i);
                auto lt = parse_transition(in, (*ts)[i], path, true);
                if (!touched.insert(lt.t.id).second)
                    in.fail(path + ".id",
                            "the overlay defines transition " + in_quotes(lt.t.id) + " twice");
                const auto it = index_of.find(lt.t.id);
                if (lt.replace) {
                    if (it == index_of.end())
                        in.fail(path + ".id", "replaces unknown transition " + in_quotes(lt.t.id) +
                                                  " (the base workflow " + extends +
                                                  " does not define it)");
                    list[it->second] = std::move(lt);  // in place: keeps definition order
                } else {
                    // An accidental re-use of a base id would silently change the national flow.
                    if (it != index_of.end())
                        in.fail(path + ".id", "transition " + in_quotes(lt.t.id) +
                                                  " is already defined by " + extends +
                                                  " (add \"replace\": true to replace it)");
                    index_of.emplace(lt.t.id, list.size());
                    list.push_back(std::move(lt));
                }
            }
        }
        if (const json* rm = member(o, "remove"); rm != nullptr) {
            if (!rm->is_array()) in.fail("$.remove", "must be an array of transition ids");
            std::set<std::string, std::less<>> removed;
            for (std::size_t i = 0; i < rm->size(); ++i) {
                const auto path = json_path_append_index("$.remove", i);
                const auto& r = (*rm)[i];
                if (!r.is_string()) in.fail(path, "must be a transition id");
                const auto& id_to_remove = r.get_ref<const std::string&>();
                if (touched.count(id_to_remove) != 0)
                    in.fail(path, "transition " + in_quotes(id_to_remove) +
                                      " is both defined and removed by the overlay");
                if (index_of.count(id_to_remove) == 0)
                    in.fail(path, "removes unknown transition " + in_quotes(id_to_remove));
                if (!removed.insert(id_to_remove).second)
                    in.fail(path, "transition " + in_quotes(id_to_remove) + " is removed twice");
            }
            std::erase_if(
                list, [&](const located_transition& lt) { return removed.count(lt.t.id) != 0; });
        }
    }

    // Every transition joins known states (checked after merging: errors point at the file
    // that defines the surviving transition).
    for (const auto& lt : list) {
        for (std::size_t i = 0; i < lt.t.from.size(); ++i)
            if (!is_state(lt.t.from[i]))
                lt.in->fail(json_path_append_index(lt.path + ".from", i),
                            "transition " + in_quotes(lt.t.id) + " leaves unknown state " +
                                in_quotes(lt.t.from[i]));
        if (!is_state(lt.t.to))
            lt.in->fail(lt.path + ".to", "transition " + in_quotes(lt.t.id) +
                                             " goes to unknown state " + in_quotes(lt.t.to));
        w->transitions.push_back(lt.t);
    }

    // The graph: one vertex per state, one edge per transition and source state.
    for (std::size_t i = 0; i < w->states.size(); ++i)
        w->vertex_of.emplace(
            w->states[i], boost::add_vertex(impl::state_props{w->states[i], finals[i]}, w->graph));
    for (std::size_t ti = 0; ti < w->transitions.size(); ++ti) {
        const auto& t = w->transitions[ti];
        for (const auto& from : t.from)
            boost::add_edge(w->vertex_of.at(from), w->vertex_of.at(t.to), impl::edge_props{ti},
                            w->graph);
    }
    return w;
}

// Reads and parses a definition file; syntax errors become workflow_error naming the line.
input read_input(const std::filesystem::path& file, json& storage) {
    input in;
    in.name = file.string();
    try {
        in.text = detail::read_file(file, errc::ruleset_error);
        storage = detail::parse_json(in.text, in.name, errc::ruleset_error);
    } catch (const data_error& e) {
        throw workflow_error(e.what());
    }
    in.doc = &storage;
    return in;
}

// ------------------------------------------------------------------ analysis vocabulary

// Guards that exclude each other, so two transitions on one event may carry them.
bool exclusive_guards(const std::string& a, const std::string& b) {
    static const std::set<std::pair<std::string, std::string>> pairs = {
        {"complaints_at_threshold", "complaints_below_threshold"}};
    if (a.empty() || b.empty()) return false;
    return pairs.count(std::minmax(a, b)) != 0;
}

// The ruleset parameters each guard reads.
const std::map<std::string, std::vector<std::string>, std::less<>>& guard_parameters() {
    static const std::map<std::string, std::vector<std::string>, std::less<>> m = {
        {"renewal_window", {"renewal_window_days"}},
        {"complaints_below_threshold", {"complaint_threshold", "complaint_window_days"}},
        {"complaints_at_threshold", {"complaint_threshold", "complaint_window_days"}},
    };
    return m;
}

// How each effect kind uses its argument.
enum class effect_arg : std::uint8_t { timer, code, parameter, flag };
const std::map<std::string, effect_arg, std::less<>>& effect_kinds() {
    static const std::map<std::string, effect_arg, std::less<>> m = {
        {"start_timer", effect_arg::timer},
        {"stop_timer", effect_arg::timer},
        {"extend_timer", effect_arg::timer},
        {"meet_obligation", effect_arg::code},
        {"record", effect_arg::code},
        {"ban", effect_arg::parameter},
        {"check_change_lateness", effect_arg::parameter},
        {"count_complaint", effect_arg::flag},
        {"require_items", effect_arg::flag},
    };
    return m;
}

template <class C>
bool contains(const C& c, std::string_view v) {
    return std::find(c.begin(), c.end(), v) != c.end();
}

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

// ------------------------------------------------------------------ workflow

workflow workflow::from_json(const nlohmann::json& base, const nlohmann::json* overlay,
                             std::string source) {
    input b{&base, source.empty() ? std::string("<workflow>") : source, ""};
    if (overlay == nullptr) return workflow(build(b, nullptr));
    input o{overlay, source.empty() ? std::string("<overlay>") : source + " (overlay)", ""};
    return workflow(build(b, &o));
}

workflow workflow::load(const std::filesystem::path& dir, std::string_view region) {
    const bool plain = !region.empty() && region.find_first_of("/\\") == std::string_view::npos &&
                       region.front() != '.';
    if (!plain) throw usage_error("not a region code: '" + std::string(region) + "'");
    const auto base_file = dir / "CN.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(base_file, ec))
        throw not_found_error("no national workflow: " + base_file.string() + " does not exist");
    json base_json, overlay_json;
    const input base = read_input(base_file, base_json);
    const auto overlay_file = dir / (std::string(region) + ".json");
    if (region == "CN" || !std::filesystem::is_regular_file(overlay_file, ec))
        return workflow(build(base, nullptr));
    const input overlay = read_input(overlay_file, overlay_json);
    return workflow(build(base, &overlay));
}

const std::string& workflow::id() const noexcept {
    return impl_->id;
}
const std::string& workflow::initial() const noexcept {
    return impl_->initial;
}
const std::vector<std::string>& workflow::states() const noexcept {
    return impl_->states;
}
const std::vector<std::string>& workflow::events() const noexcept {
    return impl_->events;
}
const std::vector<workflow_transition>& workflow::transitions() const noexcept {
    return impl_->transitions;
}
const std::map<std::string, workflow_timer, std::less<>>& workflow::timers() const noexcept {
    return impl_->timers;
}

bool workflow::has_state(std::string_view state) const {
    return impl_->vertex_of.find(state) != impl_->vertex_of.end();
}

bool workflow::is_final(std::string_view state) const {
    const auto it = impl_->vertex_of.find(state);
    return it != impl_->vertex_of.end() && impl_->graph[it->second].final;
}

const workflow_timer* workflow::timer(std::string_view name) const {
    const auto it = impl_->timers.find(name);
    return it == impl_->timers.end() ? nullptr : &it->second;
}

std::vector<const workflow_transition*> workflow::on_event(std::string_view state,
                                                           std::string_view event) const {
    std::vector<const workflow_transition*> out;
    const auto& g = impl_->graph;
    for (const auto e : boost::make_iterator_range(boost::out_edges(impl_->vertex(state), g))) {
        const auto& t = impl_->transitions[g[e].transition];
        if (!t.event.empty() && t.event == event) out.push_back(&t);
    }
    return out;
}

std::vector<const workflow_transition*> workflow::on_timer(std::string_view state) const {
    std::vector<const workflow_transition*> out;
    const auto& g = impl_->graph;
    for (const auto e : boost::make_iterator_range(boost::out_edges(impl_->vertex(state), g))) {
        const auto& t = impl_->transitions[g[e].transition];
        if (!t.timer.empty()) out.push_back(&t);
    }
    return out;
}

std::vector<std::string> workflow::shortest_path(std::string_view from, std::string_view to) const {
    const auto& g = impl_->graph;
    const auto source = impl_->vertex(from);
    const auto target = impl_->vertex(to);
    if (source == target) return {};
    const auto tree = impl_->search_from(source);
    if (!tree.reached[target]) return {};
    std::vector<std::string> steps;
    for (auto v = target; v != source; v = boost::source(tree.pred[v], g))
        steps.push_back(impl_->step_name(impl_->transitions[g[tree.pred[v]].transition]));
    std::reverse(steps.begin(), steps.end());
    return steps;
}

workflow::analysis workflow::analyse(const std::vector<std::string>& guards,
                                     const std::vector<std::string>& parameters) const {
    const auto& w = *impl_;
    const auto& g = w.graph;
    const auto n = boost::num_vertices(g);
    analysis out;

    // Reachability from the initial state.
    const auto forward = w.search_from(w.vertex(w.initial));
    for (std::size_t v = 0; v < n; ++v)
        if (!forward.reached[v]) out.unreachable.push_back(g[v].name);

    // States that reach no end: a BFS from every final state over the reversed edges.
    std::vector<impl::vertex_t> finals;
    for (std::size_t v = 0; v < n; ++v)
        if (g[v].final) finals.push_back(v);
    std::vector<boost::default_color_type> color(n, boost::white_color);
    if (!finals.empty()) {
        const auto reversed = boost::make_reverse_graph(g);
        boost::queue<impl::vertex_t> queue;
        boost::breadth_first_search(
            reversed, finals.begin(), finals.end(), queue,
            boost::make_bfs_visitor(boost::null_visitor()),
            boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g)));
    }
    for (std::size_t v = 0; v < n; ++v)
        if (!g[v].final && color[v] == boost::white_color) out.cannot_finish.push_back(g[v].name);

    // Names each transition uses.
    std::set<std::string, std::less<>> started_timers, used_events;
    for (const auto& t : w.transitions) {
        if (!t.event.empty()) used_events.insert(t.event);
        for (const auto& e : t.effects)
            if (e.kind == "start_timer" || e.kind == "extend_timer") started_timers.insert(e.arg);
    }
    const bool check_params = !parameters.empty();
    auto& problems = out.problems;
    for (const auto& t : w.transitions) {
        const auto who = "transition " + in_quotes(t.id) + ": ";
        for (const auto& f : t.from)
            if (g[w.vertex(f)].final)
                problems.push_back(who + "leaves final state " + in_quotes(f));
        if (!t.event.empty() && !contains(w.events, t.event))
            problems.push_back(who + "unknown event " + in_quotes(t.event) +
                               " (not in the workflow's events)");
        if (!t.timer.empty()) {
            const auto* tm = timer(t.timer);
            if (tm == nullptr)
                problems.push_back(who + "unknown timer " + in_quotes(t.timer));
            else if (tm->kind != "deadline")
                problems.push_back(who + "timer " + in_quotes(t.timer) +
                                   " is an SLA: it raises a flag and cannot move the case");
            else if (started_timers.count(t.timer) == 0)
                problems.push_back(who + "timer " + in_quotes(t.timer) +
                                   " is never started, so the transition can never happen");
        }
        if (!t.guard.empty()) {
            if (!contains(guards, t.guard)) {
                problems.push_back(who + "unknown guard " + in_quotes(t.guard));
            } else if (check_params) {
                if (const auto it = guard_parameters().find(t.guard);
                    it != guard_parameters().end())
                    for (const auto& p : it->second)
                        if (!contains(parameters, p))
                            problems.push_back(who + "guard " + in_quotes(t.guard) +
                                               " needs parameter " + in_quotes(p) +
                                               ", which the ruleset does not define");
            }
        }
        for (const auto& e : t.effects) {
            const auto kind = effect_kinds().find(e.kind);
            if (kind == effect_kinds().end()) {
                problems.push_back(who + "unknown effect " + in_quotes(e.kind));
                continue;
            }
            switch (kind->second) {
                case effect_arg::timer:
                    if (timer(e.arg) == nullptr)
                        problems.push_back(who + e.kind + " names unknown timer " +
                                           in_quotes(e.arg));
                    break;
                case effect_arg::code:
                    if (e.arg.empty()) problems.push_back(who + e.kind + " needs a code, not true");
                    break;
                case effect_arg::parameter:
                    if (e.arg.empty())
                        problems.push_back(who + e.kind + " needs a parameter name, not true");
                    else if (check_params && !contains(parameters, e.arg))
                        problems.push_back(who + e.kind + " names unknown parameter " +
                                           in_quotes(e.arg));
                    break;
                case effect_arg::flag:
                    if (!e.arg.empty())
                        problems.push_back(who + e.kind + " takes true, not " + in_quotes(e.arg));
                    break;
            }
        }
    }

    if (check_params)
        for (const auto& [name, tm] : w.timers)
            for (const auto* p : {&tm.working_days_param, &tm.months_param, &tm.days_param})
                if (!p->empty() && !contains(parameters, *p))
                    problems.push_back("timer " + in_quotes(name) + ": unknown parameter " +
                                       in_quotes(*p));

    for (const auto& e : w.events)
        if (used_events.count(e) == 0)
            problems.push_back("event " + in_quotes(e) + " is declared but no transition uses it");

    // Nondeterminism: two transitions leaving one state on one event (or timer) whose guards do
    // not exclude each other. Reported once per pair, naming every state they share.
    std::map<std::pair<std::size_t, std::size_t>, std::vector<std::string>> clashes;
    for (const auto v : boost::make_iterator_range(boost::vertices(g))) {
        std::vector<std::size_t> out_ts;
        for (const auto e : boost::make_iterator_range(boost::out_edges(v, g)))
            out_ts.push_back(g[e].transition);
        for (std::size_t i = 0; i < out_ts.size(); ++i)
            for (std::size_t k = i + 1; k < out_ts.size(); ++k) {
                const auto& a = w.transitions[out_ts[i]];
                const auto& b = w.transitions[out_ts[k]];
                if (a.event != b.event || a.timer != b.timer) continue;
                if (exclusive_guards(a.guard, b.guard)) continue;
                clashes[std::minmax(out_ts[i], out_ts[k])].push_back(g[v].name);
            }
    }
    for (const auto& [pair, where] : clashes) {
        const auto& a = w.transitions[pair.first];
        const auto& b = w.transitions[pair.second];
        std::string states;
        for (const auto& s : where)
            states += (states.empty() ? "" : ", ") + in_quotes(s);
        const auto guard = [](const std::string& s) {
            return s.empty() ? std::string("no guard") : "guard " + in_quotes(s);
        };
        problems.push_back(
            "transitions " + in_quotes(a.id) + " and " + in_quotes(b.id) + " both leave " + states +
            " on " +
            (a.event.empty() ? "timer " + in_quotes(a.timer) : "event " + in_quotes(a.event)) +
            " (" + guard(a.guard) + ", " + guard(b.guard) +
            "): nondeterministic, the guards do not tell them apart");
    }

    if (has_state("whitelisted"))
        out.shortest_to_whitelisted = shortest_path(w.initial, "whitelisted");
    return out;
}

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

const std::vector<std::string>& known_guards() {
    static const std::vector<std::string> guards = {"intake_rules",
                                                    "approval",
                                                    "supplement_complete",
                                                    "renewal_window",
                                                    "complaints_below_threshold",
                                                    "complaints_at_threshold"};
    return guards;
}

std::vector<std::string> workflow::parameters_used() const {
    std::set<std::string> out;
    for (const auto& [name, t] : timers())
        for (const auto* p : {&t.working_days_param, &t.months_param, &t.days_param})
            if (!p->empty()) out.insert(*p);
    for (const auto& t : transitions()) {
        if (const auto it = guard_parameters().find(t.guard); it != guard_parameters().end())
            out.insert(it->second.begin(), it->second.end());
        for (const auto& e : t.effects) {
            const auto k = effect_kinds().find(e.kind);
            if (k != effect_kinds().end() && k->second == effect_arg::parameter && !e.arg.empty())
                out.insert(e.arg);
        }
    }
    return {out.begin(), out.end()};
}

}  // namespace telecomply
