// The registry of whitelisted numbers as JSON Lines (include/telecomply/cases/registry.hpp):
// an entry's JSON, reading an exported registry back with file, line and JSON path, writing it.

#include "telecomply/cases/registry.hpp"

#include <chrono>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

#include "base/file_io.hpp"
#include "base/json_io.hpp"
#include "cases/whitelisting.hpp"
#include "telecomply/base/clock.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/domain/identifiers.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply {

namespace {

std::string bound_text(std::int64_t unix_seconds) {
    return to_rfc3339_cst(
        std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}});
}

[[noreturn]] void bad(const std::string& path, const std::string& message) {
    throw input_error("", 0, path, message);
}

std::string text_at(const nlohmann::json& j, const char* key, const std::string& path) {
    const auto it = j.find(key);
    const std::string where = detail::json_path_append_key(path, key);
    if (it == j.end()) bad(where, std::string("missing: an entry needs `") + key + "`");
    if (!it->is_string()) bad(where, "must be text, not " + it->dump());
    auto s = it->get<std::string>();
    if (s.empty()) bad(where, "must not be empty");
    return s;
}

// A bound: RFC 3339 (any offset) or YYYY-MM-DD (00:00 in China Standard Time).
std::int64_t bound_of(const nlohmann::json& j, const std::string& path) {
    if (!j.is_string())
        bad(path, "a bound is an RFC 3339 time or a YYYY-MM-DD date, not " + j.dump());
    const auto text = j.get<std::string>();
    try {
        return detail::instant_of(event_time::parse(text));
    } catch (const usage_error&) {
        bad(path, "'" + text + "' is neither an RFC 3339 time nor a YYYY-MM-DD date");
    }
}

}  // namespace

nlohmann::json registry_entry::to_json() const {
    auto spans = nlohmann::json::array();
    for (const auto& w : whitelisted)
        spans.push_back(
            nlohmann::json::array({bound_text(w.from), w.to ? nlohmann::json(bound_text(*w.to))
                                                            : nlohmann::json(nullptr)}));
    return {{"number", number},
            {"region", region},
            {"case", case_id},
            {"whitelisted", std::move(spans)}};
}

registry_entry registry_entry::from_json(const nlohmann::json& j) {
    if (!j.is_object()) bad("$", "a registry entry is a JSON object, not " + j.dump());
    for (const auto& [key, value] : j.items())
        if (key != "number" && key != "region" && key != "case" && key != "whitelisted")
            bad(detail::json_path_append_key("$", key),
                "not a field of a registry entry (number, region, case, whitelisted)");
    registry_entry e;
    const auto given = text_at(j, "number", "$");
    const auto number = canonical_phone(given);
    if (!number) bad("$.number", "'" + given + "' is not a valid phone number");
    e.number = *number;
    e.region = text_at(j, "region", "$");
    // the rules of the region judge every call of the number: a region that has none would
    // make each of those calls a bad row, blamed on the call rather than on this line
    if (const auto* r = find_region(e.region); r == nullptr || r->iso != e.region)
        bad("$.region", "'" + e.region +
                            "' is not the ISO 3166-2 code of a province-level region (CN-GD, "
                            "CN-BJ, ...)");
    e.case_id = text_at(j, "case", "$");
    const auto spans = j.find("whitelisted");
    if (spans == j.end())
        bad("$.whitelisted", "missing: an entry needs `whitelisted` ([] if never)");
    if (!spans->is_array())
        bad("$.whitelisted", "must be a list of [from, to] pairs, not " + spans->dump());
    for (std::size_t i = 0; i < spans->size(); ++i) {
        const auto& pair = (*spans)[i];
        const std::string at = detail::json_path_append_index("$.whitelisted", i);
        if (!pair.is_array() || pair.size() != 2)
            bad(at, "an interval is a pair [from, to] (to null while open), not " + pair.dump());
        whitelist_interval w;
        w.from = bound_of(pair[0], detail::json_path_append_index(at, 0));
        if (!pair[1].is_null()) {
            w.to = bound_of(pair[1], detail::json_path_append_index(at, 1));
            if (*w.to <= w.from)
                bad(detail::json_path_append_index(at, 1),
                    "the interval ends at or before it starts (" + pair.dump() + ")");
        }
        if (!e.whitelisted.empty()) {
            const auto& prev = e.whitelisted.back();
            if (!prev.to)
                bad(at,
                    "an interval follows one that is still open (to null): only the last "
                    "may be open");
            if (w.from < *prev.to)
                bad(at,
                    "intervals must be in time order and disjoint: this one starts before "
                    "the previous one ends");
            if (w.from == *prev.to)
                bad(at,
                    "this interval starts where the previous one ends: adjacent intervals "
                    "are one interval");
        }
        e.whitelisted.push_back(w);
    }
    return e;
}

std::vector<registry_entry> parse_registry(std::string_view text, std::string_view name) {
    const std::string file(name);
    text = detail::without_bom(text);
    std::vector<registry_entry> out;
    std::map<std::pair<std::string, std::string>, std::uint32_t> seen;  // (number, case) -> line
    std::istringstream in{std::string(text)};
    jsonl_reader lines(in);
    while (const auto row = lines.next()) {
        const std::uint32_t line = row->number;
        const nlohmann::json j = parse_input_json(row->text, file, line);
        try {
            out.push_back(registry_entry::from_json(j));
        } catch (const input_error& e) {
            throw input_error(file, line, e.json_path(), e.message());
        }
        const auto& x = out.back();
        const auto [it, fresh] = seen.emplace(std::pair(x.number, x.case_id), line);
        if (!fresh)
            throw input_error(file, line, "$",
                              "number " + x.number + " of case " + x.case_id +
                                  " is listed twice (first on line " + std::to_string(it->second) +
                                  ")");
    }
    return out;
}

std::vector<registry_entry> read_registry(const std::filesystem::path& file) {
    return parse_registry(read_input_file(file), file.string());
}

void write_registry(std::ostream& out, const std::vector<registry_entry>& entries) {
    for (const auto& e : entries) {
        // the members in the order people read them (to_json() sorts them)
        const auto j = e.to_json();
        nlohmann::ordered_json line;
        for (const char* key : {"number", "region", "case", "whitelisted"})
            line[key] = j[key];
        out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
}

void write_registry_file(const std::filesystem::path& file,
                         const std::vector<registry_entry>& entries) {
    std::ostringstream text;
    write_registry(text, entries);
    detail::replace_file(file, text.str(), errc::store_error);
}

}  // namespace telecomply
