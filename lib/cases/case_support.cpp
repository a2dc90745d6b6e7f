// Small readers of event data and the text and JSON of a rules evaluation, shared by the case
// layer.

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

namespace telecomply::detail {

// A text field of event data or of an application: "" when absent or not a string (the
// callers say what was expected), never a JSON type error.
std::string text_of(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json date_or_null(const std::optional<date>& d) {
    return d ? nlohmann::json(d->to_string()) : nlohmann::json(nullptr);
}

std::optional<date> json_date(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    return date::parse(j.get_ref<const std::string&>());
}

[[noreturn]] void refuse(const case_state& s, const case_event& e, const std::string& why) {
    throw transition_refused(s.id, s.state, e.type, why);
}

std::string finding_list(const verdict& v, bool blocking_only) {
    std::string out;
    for (const auto& f : v.findings) {
        if (blocking_only && f.level != severity::blocking) continue;
        out += (out.empty() ? "" : ", ") + f.label();
    }
    return out;
}

// Undecided rules as their finding codes (the public contract; the rule id when a rule has no
// code) with the subject and what is missing: "REAPPLY_BANNED (missing applicant.history)".
std::string unknown_list(const verdict& v, bool blocking_only) {
    std::string out;
    for (const auto& u : v.unknowns) {
        if (blocking_only && (!u.source || u.source->level != severity::blocking)) continue;
        out += (out.empty() ? "" : ", ") + u.label();
        if (!u.missing.empty()) {
            out += " (missing";
            for (const auto& m : u.missing)
                out += " " + m;
            out += ")";
        } else if (!u.reason.empty()) {
            out += " (" + u.reason + ")";
        }
    }
    return out;
}

nlohmann::json findings_json(const verdict& v) {
    auto out = nlohmann::json::array();
    for (const auto& f : v.findings) {
        nlohmann::json o = {{"code", f.code()},
                            {"severity", std::string(to_string(f.level))},
                            {"rule", f.rule_id()}};
        if (!f.subject.empty()) o["subject"] = f.subject;
        out.push_back(std::move(o));
    }
    return out;
}

nlohmann::json verdict_summary(const verdict& v) {
    nlohmann::json j = {{"decision", std::string(to_string(v.outcome))},
                        {"ruleset", v.rules->id() + "@" + v.rules->version()},
                        {"findings", findings_json(v)}};
    auto unknowns = nlohmann::json::array();
    for (const auto& u : v.unknowns)
        unknowns.push_back(u.rule_id());
    j["unknowns"] = std::move(unknowns);
    auto obligations = nlohmann::json::array();
    for (const auto& o : v.obligations)
        obligations.push_back(o.code);
    j["obligations"] = std::move(obligations);
    return j;
}

std::int64_t int_param(const ruleset& rs, const std::string& name) {
    const auto& p = rs.parameters();
    if (!p.contains(name) || !p[name].is_number_integer())
        throw workflow_error("the ruleset " + rs.id() + "@" + rs.version() +
                             " has no integer parameter '" + name + "' that the workflow needs");
    return p[name].get<std::int64_t>();
}

std::string calendar_label(const calendar& cal) {
    return cal.name() + "@" + cal.version();
}

const store_facts* event_context::store_facts_for_rules(const nlohmann::json& application) const {
    if (facts) return &*facts;
    if (replaying) {
        if (recorded != nullptr && recorded->contains("store_facts"))
            facts = store_facts::from_json((*recorded)["store_facts"]);
    } else if (facts_source != nullptr && *facts_source) {
        facts = (*facts_source)(application);
    }
    return facts ? &*facts : nullptr;
}

}  // namespace telecomply::detail
