// A case as JSON: its snapshot, its summary and its deadlines.

#include "telecomply/cases/cases.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "cases/case_support.hpp"
#include "expr/time.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"

namespace telecomply {

using detail::date_or_null;
using detail::json_date;

// ------------------------------------------------------------------ case_state

nlohmann::json case_deadline::to_json() const {
    nlohmann::json j = {{"due", due.to_string()},
                        {"provisional", provisional()},
                        {"provisional_years", provisional_years},
                        {"from", from.to_string()}};
    if (working_days != 0) j["working_days"] = working_days;
    if (!calendar.empty()) j["calendar"] = calendar;
    if (moved_from) j["moved_from"] = moved_from->to_string();
    return j;
}

case_deadline case_deadline::from_json(const nlohmann::json& j) {
    const auto bad = [&](const std::string& why) {
        return store_error("a stored deadline is malformed (" + why + "): " +
                           j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    };
    case_deadline d;
    if (j.is_string()) {  // written before deadlines had details: the last day alone
        const auto due = json_date(j);
        if (!due) throw bad("not a date");
        d.due = d.from = *due;
        return d;
    }
    if (!j.is_object()) throw bad("not an object");
    const auto due = json_date(j.value("due", nlohmann::json()));
    const auto from = json_date(j.value("from", nlohmann::json()));
    if (!due || !from) throw bad("due and from must be YYYY-MM-DD dates");
    d.due = *due;
    d.from = *from;
    const auto& n = j.value("working_days", nlohmann::json(0));
    if (!n.is_number_integer()) throw bad("working_days must be an integer");
    d.working_days = n.get<int>();
    const auto& cal = j.value("calendar", nlohmann::json(""));
    if (!cal.is_string()) throw bad("calendar must be a string");
    d.calendar = cal.get<std::string>();
    for (const auto& y : j.value("provisional_years", nlohmann::json::array())) {
        if (!y.is_number_integer()) throw bad("provisional_years must list years");
        d.provisional_years.push_back(y.get<int>());
    }
    if (j.contains("moved_from")) {
        d.moved_from = json_date(j["moved_from"]);
        if (!d.moved_from) throw bad("moved_from must be a YYYY-MM-DD date");
    }
    return d;
}

namespace {
nlohmann::json deadlines_json(const std::map<std::string, case_deadline>& deadlines) {
    auto out = nlohmann::json::object();
    for (const auto& [k, d] : deadlines)
        out[k] = d.to_json();
    return out;
}

nlohmann::json obligations_json(const std::map<std::string, bool>& obligations) {
    auto out = nlohmann::json::array();
    for (const auto& [code, met] : obligations)
        out.push_back({{"code", code}, {"met", met}});
    return out;
}
}  // namespace

nlohmann::json case_state::to_json() const {
    nlohmann::json j;
    j["id"] = id;
    j["region"] = region;
    j["state"] = state;
    j["version"] = version;
    j["ruleset"] = {{"id", ruleset_id}, {"version", ruleset_version}, {"digest", ruleset_digest}};
    j["pinned_on"] = date_or_null(pinned_on);
    j["deadlines"] = deadlines_json(deadlines);
    j["flags"] = flags;
    j["obligations"] = obligations_json(obligations);
    j["findings"] = findings;
    j["warnings"] = warnings;
    j["requested_items"] = requested_items;
    j["rejection_reasons"] = rejection_reasons;
    auto cp = nlohmann::json::object();
    for (const auto& [number, dates] : complaints) {
        auto arr = nlohmann::json::array();
        for (const auto& d : dates)
            arr.push_back(d.to_string());
        cp[number] = std::move(arr);
    }
    j["complaints"] = std::move(cp);
    j["banned_until"] = date_or_null(banned_until);
    j["validity_until"] = date_or_null(validity_until);
    j["application"] = application;
    if (held_application) j["held_application"] = *held_application;
    return j;
}

case_state case_state::from_json(const nlohmann::json& j) {
    case_state s;
    try {
        s.id = j.at("id").get<std::string>();
        s.region = j.at("region").get<std::string>();
        s.state = j.at("state").get<std::string>();
        s.version = j.at("version").get<std::int64_t>();
        s.ruleset_id = j.at("ruleset").at("id").get<std::string>();
        s.ruleset_version = j.at("ruleset").at("version").get<std::string>();
        s.ruleset_digest = j.at("ruleset").at("digest").get<std::string>();
        s.pinned_on = json_date(j.value("pinned_on", nlohmann::json()));
        for (const auto& [k, v] : j.at("deadlines").items())
            s.deadlines[k] = case_deadline::from_json(v);
        for (const auto& f : j.at("flags"))
            s.flags.insert(f.get<std::string>());
        for (const auto& o : j.at("obligations"))
            s.obligations[o.at("code").get<std::string>()] = o.at("met").get<bool>();
        s.findings = j.at("findings");
        s.warnings = j.at("warnings");
        s.requested_items = j.at("requested_items").get<std::vector<std::string>>();
        s.rejection_reasons = j.at("rejection_reasons").get<std::vector<std::string>>();
        for (const auto& [number, dates] : j.at("complaints").items())
            for (const auto& d : dates)
                if (auto x = json_date(d)) s.complaints[number].push_back(*x);
        s.banned_until = json_date(j.value("banned_until", nlohmann::json()));
        s.validity_until = json_date(j.value("validity_until", nlohmann::json()));
        s.application = j.at("application");
        if (const auto h = j.find("held_application"); h != j.end()) s.held_application = *h;
    } catch (const nlohmann::json::exception& e) {
        throw store_error(std::string("a stored case snapshot is malformed: ") + e.what());
    }
    return s;
}

nlohmann::json case_state::summary() const {
    nlohmann::json j;
    j["id"] = id;
    j["region"] = region;
    j["state"] = state;
    j["ruleset_version"] = ruleset_version;
    // running timers only: a revoked or expired whitelisting has no validity deadline left
    // (validity_until says when it was to end)
    j["deadlines"] = deadlines_json(deadlines);
    if (validity_until) j["validity_until"] = validity_until->to_string();
    j["obligations"] = obligations_json(obligations);
    j["findings"] = findings;
    if (!flags.empty()) j["flags"] = flags;
    if (!warnings.empty()) j["warnings"] = warnings;
    if (!rejection_reasons.empty()) j["rejection_reasons"] = rejection_reasons;
    if (banned_until) j["banned_until"] = banned_until->to_string();
    if (!requested_items.empty()) j["requested_items"] = requested_items;
    if (!complaints.empty()) {
        nlohmann::json cp = nlohmann::json::object();
        for (const auto& [number, dates] : complaints) {
            nlohmann::json ds = nlohmann::json::array();
            for (const auto& d : dates)
                ds.push_back(d.to_string());
            cp[number] = {{"count", dates.size()}, {"dates", std::move(ds)}};
        }
        j["complaints"] = std::move(cp);
    }
    return j;
}

}  // namespace telecomply
