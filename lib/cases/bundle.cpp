// Bundles (cases/seal.hpp): what a seal covers, exported from a store and checked offline.

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "base/json_io.hpp"
#include "cases/seal_document.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/seal.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

using detail::json_path_append_index;
using detail::json_path_append_key;
using nlohmann::json;

json export_bundle(const case_store& store, const json& seal) {
    seal_report shape;
    const detail::sealed_cases sealed = detail::check_seal_document(seal, std::nullopt, shape, "$");
    if (!shape.ok())
        throw seal_error("the seal is malformed: " + shape.problems.front().message +
                         " (nothing exported)");
    std::map<std::string, std::string, std::less<>> regions;
    for (const case_head& h : store.heads())
        regions.emplace(h.id, h.region);

    const std::string where = "case store '" + store.path().string() + "': case '";
    json cases = json::object();
    std::set<std::string, std::less<>> digests;
    for (const auto& [id, s] : sealed) {
        const auto region = regions.find(id);
        if (region == regions.end())
            throw integrity_error(where + id +
                                  "' is sealed but not in the store (nothing exported)");
        std::vector<stored_event> events = store.events(id);
        if (events.size() < static_cast<std::size_t>(s.version) ||
            events[static_cast<std::size_t>(s.version) - 1].seq != s.version ||
            events[static_cast<std::size_t>(s.version) - 1].hash != s.head)
            throw integrity_error(where + id + "': its event " + std::to_string(s.version) +
                                  " is not the sealed one (nothing exported); run `telecomply " +
                                  "case verify --seal`");
        events.resize(static_cast<std::size_t>(s.version));  // what the seal covers
        json list = json::array();
        for (const stored_event& e : events) {
            if (!e.ruleset_digest.empty()) digests.insert(e.ruleset_digest);
            list.push_back(e);
        }
        cases[id] = {{"region", region->second}, {"events", std::move(list)}};
    }
    json pinned = json::array();
    for (const std::string& digest : digests)
        if (const auto p = store.get_pinned(digest))
            pinned.push_back({{"digest", p->digest},
                              {"id", p->id},
                              {"version", p->version},
                              {"content", p->content}});
    return {{"format", std::string(k_bundle_format)},
            {"seal", seal},
            {"cases", std::move(cases)},
            {"pinned_rulesets", std::move(pinned)}};
}

namespace {

// Reads one exported event (to_json(stored_event)) of case `id` at JSON path `at`; nullopt
// (with the problem told) when a member is missing or of the wrong kind.
std::optional<stored_event> read_event(const json& j, const std::string& id, const std::string& at,
                                       seal_report& report) {
    auto bad = [&](const std::string& message) {
        report.problems.push_back({id, 0, at + ": " + message});
        return std::nullopt;
    };
    if (!j.is_object()) return bad("an event is a JSON object");
    static const std::set<std::string, std::less<>> k_members = {
        "seq",     "type",           "actor",           "at",        "payload", "verdict",
        "outcome", "ruleset_digest", "snapshot_digest", "prev_hash", "hash"};
    for (const auto& [key, value] : j.items())
        if (!k_members.contains(key)) return bad("\"" + key + "\" is not a member of an event");
    stored_event e;
    e.case_id = id;
    const auto seq = j.find("seq");
    if (seq == j.end() || !seq->is_number_integer()) return bad("\"seq\" must be an integer");
    e.seq = seq->get<std::int64_t>();
    for (auto [key, out, required] :
         {std::tuple{"type", &e.type, true}, std::tuple{"actor", &e.actor, true},
          std::tuple{"at", &e.at, true}, std::tuple{"ruleset_digest", &e.ruleset_digest, true},
          std::tuple{"snapshot_digest", &e.snapshot_digest, false},
          std::tuple{"prev_hash", &e.prev_hash, true}, std::tuple{"hash", &e.hash, true}}) {
        const auto it = j.find(key);
        if (it == j.end() && !required) continue;
        if (it == j.end() || !it->is_string())
            return bad(std::string("\"") + key + "\" must be a string");
        *out = it->get<std::string>();
    }
    if (!j.contains("payload") || !j.contains("verdict"))
        return bad("an event has a \"payload\" and a \"verdict\"");
    e.payload = j["payload"];
    e.verdict = j["verdict"];
    e.outcome = j.value("outcome", json());
    return e;
}

constexpr std::string_view k_zero_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Recomputes one case's chain; tells what differs from the seal (`s`: nullptr when unsealed).
// `needed`: the digests of the rules the case's events were judged by (the bundle should carry
// each), with the first event judged by it.
void check_case(const std::string& id, const json& c, const std::string& at,
                const detail::sealed_case* s, seal_report& report,
                std::map<std::string, std::string>& needed) {
    auto problem = [&](std::int64_t seq, std::string message) {
        report.problems.push_back({id, seq, std::move(message)});
    };
    const auto events = c.is_object() ? c.find("events") : c.end();
    if (!c.is_object() || events == c.end() || !events->is_array() || !c.contains("region") ||
        !c["region"].is_string()) {
        problem(0, at + ": must be {\"region\": text, \"events\": [...]}");
        return;
    }
    std::string prev(k_zero_hash);
    std::int64_t expected = 1;
    for (std::size_t i = 0; i < events->size(); ++i) {
        const std::string path = json_path_append_index(json_path_append_key(at, "events"), i);
        const auto e = read_event((*events)[i], id, path, report);
        if (!e) return;  // the rest of its chain cannot be followed
        ++report.events;
        if (i == 0) {
            // the region beside the events is not covered by their hashes: it must be the
            // one the case was created with
            const auto region =
                e->payload.is_object()
                    ? e->payload.value("application", json::object()).value("region", json())
                    : json();
            if (region.is_string() && region != c["region"])
                problem(0, at + ".region: " + c["region"].dump() +
                               " is not the region the case was created with (" + region.dump() +
                               ")");
        }
        if (!e->ruleset_digest.empty())
            needed.emplace(e->ruleset_digest, id + " event " + std::to_string(e->seq));
        const std::string label = "event " + std::to_string(e->seq) + ": ";
        if (e->seq != expected)
            problem(e->seq, label + "out of order (expected seq " + std::to_string(expected) + ")");
        if (e->prev_hash != prev)
            problem(e->seq, label + "prev_hash is not the hash of the event before it");
        try {
            if (event_hash(*e) != e->hash)
                problem(e->seq, label + "hash does not match the event's content (edited)");
        } catch (const json::exception&) {
            problem(e->seq, label + "holds text that is not valid UTF-8");
        }
        prev = e->hash;
        expected = e->seq + 1;
    }
    if (s == nullptr) return;
    const auto count = static_cast<std::int64_t>(events->size());
    if (count != s->version)
        problem(0, "has " + std::to_string(count) + " events, not the " +
                       std::to_string(s->version) + " sealed");
    else if (prev != s->head)
        problem(s->version, "its last event's hash is not the sealed head");
}

// Rebuilds every pinned ruleset from its content, with the digest it claims.
void check_pinned(const json& pinned, const catalogue& rules, seal_report& report) {
    auto bad = [&](const std::string& path, const std::string& message) {
        report.problems.push_back({"", 0, path + ": " + message});
    };
    if (!pinned.is_array()) {
        bad("$.pinned_rulesets", "must be an array of {digest, id, version, content}");
        return;
    }
    for (std::size_t i = 0; i < pinned.size(); ++i) {
        const std::string path = json_path_append_index("$.pinned_rulesets", i);
        const json& p = pinned[i];
        if (!p.is_object() || !p.contains("content") || !p.contains("digest") ||
            !p["digest"].is_string() || !p.contains("id") || !p["id"].is_string() ||
            !p.contains("version") || !p["version"].is_string()) {
            bad(path, "must be {digest, id, version, content}");
            continue;
        }
        const auto id = p["id"].get<std::string>();
        const auto version = p["version"].get<std::string>();
        try {
            const auto rs = rules.from_content(p["content"], "pinned " + id + "@" + version,
                                               p["digest"].get<std::string>());
            if (rs->id() != id || rs->version() != version)
                bad(path, "its content is " + rs->id() + "@" + rs->version() + ", not " + id + "@" +
                              version);
        } catch (const error& e) {
            bad(path, std::string("its content does not rebuild to its digest: ") + e.what());
        }
    }
}

}  // namespace

seal_report verify_bundle(const json& bundle, std::string_view public_key_pem,
                          const catalogue& rules) {
    seal_report report;
    auto bad = [&](const std::string& path, const std::string& message) {
        report.problems.push_back({"", 0, path + ": " + message});
    };
    if (!bundle.is_object() || !bundle.contains("seal")) {
        (void)seal_key_id(public_key_pem);  // a bad key is an error whatever the bundle holds
        bad("$", "a bundle is a JSON object with a \"seal\"");
        return report;
    }
    const detail::sealed_cases sealed =
        detail::check_seal_document(bundle["seal"], public_key_pem, report, "$.seal");
    static const std::set<std::string, std::less<>> k_members = {"format", "seal", "cases",
                                                                 "pinned_rulesets"};
    for (const auto& [key, value] : bundle.items())
        if (!k_members.contains(key))
            bad(json_path_append_key("$", key), "not a member of a bundle");
    if (bundle.value("format", json()) != std::string(k_bundle_format))
        bad("$.format", "must be \"" + std::string(k_bundle_format) + "\"");

    std::map<std::string, std::string> needed;  // digest -> the first event judged by it
    const auto cases = bundle.find("cases");
    if (cases == bundle.end() || !cases->is_object()) {
        bad("$.cases", "must be an object {case_id: {region, events}}");
    } else {
        for (const auto& [id, c] : cases->items()) {
            const auto s = sealed.find(id);
            if (s == sealed.end())
                report.problems.push_back({id, 0, "in the bundle but not in the seal"});
            check_case(id, c, json_path_append_key("$.cases", id),
                       s == sealed.end() ? nullptr : &s->second, report, needed);
        }
        for (const auto& [id, s] : sealed)
            if (!cases->contains(id))
                report.problems.push_back({id, 0, "sealed but not in the bundle"});
    }
    const json pinned = bundle.value("pinned_rulesets", json());
    check_pinned(pinned, rules, report);
    // the rules every event was judged by travel with it (offline, nothing else has them)
    if (pinned.is_array())
        for (const auto& p : pinned)
            if (p.is_object() && p.contains("digest")) needed.erase(p.value("digest", ""));
    for (const auto& [digest, first] : needed)
        report.rules_not_carried.push_back(digest + " (first judged: " + first + ")");
    return report;
}

}  // namespace telecomply
