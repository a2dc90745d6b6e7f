// Workflow definitions (docs/workflow.md): parsing a national definition with a regional overlay
// into its graph, and reading it.

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
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/workflow/vocabulary.hpp"
#include "workflow/workflow_impl.hpp"

namespace telecomply {

using detail::contains;
using detail::in_quotes;

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
        const std::uint32_t line = text.empty() ? 0 : detail::line_of(text, path);
        throw workflow_error(name, line, path, message);
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
    // The vocabulary is the library's: a word it cannot carry out is refused here, not when an
    // event first meets it.
    const auto& vocabulary = workflow_vocabulary::standard();
    if (!t.guard.empty() && vocabulary.guard(t.guard) == nullptr) {
        std::string known;
        for (const auto& g : vocabulary.guards())
            known += (known.empty() ? "" : ", ") + g.name;
        in.fail(json_path_append_key(path, "guard"),
                "unknown guard " + in_quotes(t.guard) + " (known: " + known + ")");
    }
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
            if (vocabulary.effect(kind) == nullptr) {
                std::string known;
                for (const auto& k : vocabulary.effects())
                    known += (known.empty() ? "" : ", ") + k.name;
                in.fail(json_path_append_key(at, kind),
                        "unknown effect " + in_quotes(kind) + " (known: " + known + ")");
            }
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
        detail::refuse_duplicate_keys(in.text, in.name, errc::ruleset_error);
    } catch (const data_error& e) {
        // the same place, as a workflow's error (lint prints the file, line and path once)
        throw workflow_error(e.file(), e.line(), e.json_path(), e.message());
    }
    in.doc = &storage;
    return in;
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

workflow workflow::load(const std::filesystem::path& dir, std::string_view code) {
    // "CN", or a province by its ISO 3166-2 or GB/T 2260 code (as calendars accept them)
    const region_info* r = code == "CN" ? nullptr : find_region(code);
    const bool plain =
        !code.empty() && code.find_first_of("/\\") == std::string_view::npos && code.front() != '.';
    std::error_code exists_ec;
    // a region of the folder's own (an overlay file) is known too
    const bool own =
        plain && std::filesystem::is_regular_file(dir / (std::string(code) + ".json"), exists_ec);
    if (code != "CN" && r == nullptr && !own)
        throw usage_error("unknown region '" + std::string(code) +
                          "': expected CN, an ISO 3166-2 code such as CN-GD, or a GB/T 2260 "
                          "code such as 44");
    const std::string_view region = r == nullptr ? code : std::string_view(r->iso);
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

}  // namespace telecomply
