// What a case store knows across cases (docs/policy.md §7): the facts, the stricter history,
// and the findings HISTORY_MISMATCH and NUMBER_ALREADY_REGISTERED.

#include "telecomply/cases/store_facts.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>

#include "cases/case_keys.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

namespace {

using nlohmann::json;

// docs/policy.md §7: the states in which a case holds its numbers.
constexpr std::array<std::string_view, 8> k_live = {
    "submitted",      "under_review", "supplement_requested", "site_inspection", "whitelisted",
    "change_pending", "suspended",    "renewal_review"};

// The rules behind the store's findings: not written in a ruleset, since they judge what the
// store holds rather than the application, but reported like any other finding.
std::shared_ptr<const rule> store_rule(std::string id, std::string code, severity level,
                                       localized message, localized remedy) {
    auto r = std::make_shared<rule>();
    r->id = std::move(id);
    r->code = std::move(code);
    r->level = level;
    r->message = std::move(message);
    r->remedy = std::move(remedy);
    r->reference = "docs/policy.md §7";
    r->origin = "case store";
    return r;
}

const std::shared_ptr<const rule>& history_rule() {
    static const auto r = store_rule(
        "store.history", "HISTORY_MISMATCH", severity::blocking,
        {"申报的申请人历史（{subject}）与案件库记录不符：按较严格的记录判断",
         "The declared history ({subject}) is less strict than the case store's record of this "
         "USCC; the stricter value is judged"},
        {"如实申报全部历史（禁止申请期限、12个月内驳回次数、24个月内违规次数）",
         "Declare the applicant's full history (ban, rejections in 12 months, violations in 24 "
         "months) as the case store shows it"});
    return r;
}

const std::shared_ptr<const rule>& number_rule(bool same_applicant) {
    static const auto other =
        store_rule("store.number", "NUMBER_ALREADY_REGISTERED", severity::blocking,
                   {"号码 {subject} 已登记在其他企业的有效案件中",
                    "Number {subject} is on a live case of "
                    "another applicant"},
                   {"删除该号码，或待其他案件注销后再申请",
                    "Remove the number, or apply once the other "
                    "case no longer holds it"});
    static const auto same =
        store_rule("store.number_same_applicant", "NUMBER_ALREADY_REGISTERED", severity::warning,
                   {"号码 {subject} 已登记在本企业的另一有效案件中",
                    "Number {subject} is already on another "
                    "live case of this applicant"},
                   {"确认是否重复申请", "Check whether the application repeats another"});
    return same_applicant ? same : other;
}

std::optional<date> date_of(const json& j) {
    if (!j.is_string()) return std::nullopt;
    try {
        return date::parse(j.get<std::string>());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const json* history_of(const json& application) {
    if (!application.is_object()) return nullptr;
    const auto a = application.find("applicant");
    if (a == application.end() || !a->is_object()) return nullptr;
    const auto h = a->find("history");
    return h != a->end() && h->is_object() ? &*h : nullptr;
}

}  // namespace

bool is_live_state(std::string_view state) noexcept {
    return std::find(k_live.begin(), k_live.end(), state) != k_live.end();
}

json store_facts::to_json() const {
    json j = json::object();
    if (record) {
        j["record"] = {
            {"uscc", record->uscc},
            {"banned_until",
             record->banned_until ? json(record->banned_until->to_string()) : json(nullptr)},
            {"rejections_12m", record->rejections_12m},
            {"violations_24m", record->violations_24m},
            {"evidence", record->evidence}};
    } else {
        j["record"] = nullptr;
    }
    json regs = json::array();
    for (const auto& r : registrations)
        regs.push_back({{"number", r.number},
                        {"case_id", r.case_id},
                        {"state", r.state},
                        {"same_applicant", r.same_applicant}});
    j["registrations"] = std::move(regs);
    return j;
}

store_facts store_facts::from_json(const json& j) {
    try {
        store_facts f;
        if (const auto& r = j.at("record"); !r.is_null()) {
            applicant_record a;
            a.uscc = r.at("uscc").get<std::string>();
            if (!r.at("banned_until").is_null())
                a.banned_until = date_of(r.at("banned_until")).value();
            a.rejections_12m = r.at("rejections_12m").get<int>();
            a.violations_24m = r.at("violations_24m").get<int>();
            a.evidence = r.value("evidence", std::vector<std::string>{});
            f.record = std::move(a);
        }
        for (const auto& r : j.at("registrations"))
            f.registrations.push_back(
                {r.at("number").get<std::string>(), r.at("case_id").get<std::string>(),
                 r.at("state").get<std::string>(), r.at("same_applicant").get<bool>()});
        return f;
    } catch (const std::exception& e) {
        throw store_error(std::string("recorded store facts are malformed: ") + e.what());
    }
}

store_facts facts_for(const case_store& store, const json& application, std::string_view case_id) {
    if (!store.state_entries_complete())
        throw store_error("case store '" + store.path().string() +
                          "': its index of what it knows is being rebuilt after an upgrade; "
                          "open it with a case_service (any `telecomply case` command) first");
    store_facts f;
    const detail::case_keys keys = detail::keys_of_application(application);
    const auto submitted =
        date_of(application.is_object() ? application.value("submitted_on", json()) : json());
    if (!keys.uscc.empty()) {
        applicant_record a;
        a.uscc = keys.uscc;
        // the windows reach back 24 months from submission; bans count whenever imposed
        const auto entries =
            submitted ? store.state_entries(keys.uscc, submitted->add_months(-24).to_string())
                      : store.state_entries(keys.uscc);
        for (const auto& e : entries) {
            if (e.case_id == case_id) continue;
            // (an entry whose day does not parse was not written by this library: verify()
            // reports the index; it counts nothing here)
            const auto on = date::parse(e.on);
            if (!on) continue;
            // the windows end the day before submission (a case without a submission date
            // counts nothing in them, but its bans still count)
            const bool in_12m =
                submitted && !(*on < submitted->add_months(-12)) && *on < *submitted;
            const bool in_24m =
                submitted && !(*on < submitted->add_months(-24)) && *on < *submitted;
            const auto until = date::parse(e.until);
            if (e.state == "barred" && until) {
                if (!a.banned_until || *a.banned_until < *until) a.banned_until = *until;
                a.evidence.push_back(e.case_id + " barred " + e.on + " until " + e.until);
            } else if (e.state == "rejected" && in_12m) {
                ++a.rejections_12m;
                a.evidence.push_back(e.case_id + " rejected " + e.on);
            } else if ((e.state == "suspended" || e.state == "revoked") && in_24m) {
                ++a.violations_24m;
                a.evidence.push_back(e.case_id + " " + e.state + " " + e.on);
            }
        }
        f.record = std::move(a);
    }
    for (auto& h : store.holders_of(keys.numbers)) {
        if (h.case_id == case_id || !is_live_state(h.state)) continue;
        f.registrations.push_back({std::move(h.number), std::move(h.case_id), std::move(h.state),
                                   !keys.uscc.empty() && h.uscc == keys.uscc});
    }
    return f;
}

json with_store_history(const json& application, const store_facts& facts) {
    if (!facts.record || !application.is_object()) return application;
    const auto& r = *facts.record;
    json out = application;
    json& applicant = out["applicant"];
    if (!applicant.is_object()) return application;  // the schema decides what that is
    json& h = applicant["history"];
    if (!h.is_object()) h = json::object();
    // the later ban
    const auto declared_ban = date_of(h.value("banned_until", json()));
    const bool ban_declared = h.contains("banned_until");
    if (r.banned_until && (!declared_ban || *declared_ban < *r.banned_until))
        h["banned_until"] = r.banned_until->to_string();
    else if (!ban_declared)
        h["banned_until"] = nullptr;
    // the larger counts
    for (const auto& [key, known] : {std::pair{"rejections_12m", r.rejections_12m},
                                     std::pair{"violations_24m", r.violations_24m}}) {
        const auto it = h.find(key);
        if (it == h.end() || !it->is_number_integer())
            h[key] = known;
        else if (it->get<std::int64_t>() < known)
            *it = known;
    }
    return out;
}

std::vector<finding> store_findings(const json& application, const store_facts& facts) {
    std::vector<finding> out;
    if (facts.record) {
        const auto& r = *facts.record;
        if (const json* h = history_of(application)) {
            if (r.banned_until && h->contains("banned_until")) {
                const auto declared = date_of((*h)["banned_until"]);
                if (!declared || *declared < *r.banned_until)
                    out.push_back({history_rule(), "banned_until", severity::blocking});
            }
            for (const auto& [key, known] : {std::pair{"rejections_12m", r.rejections_12m},
                                             std::pair{"violations_24m", r.violations_24m}}) {
                const auto it = h->find(key);
                if (it != h->end() && it->is_number_integer() && it->get<std::int64_t>() < known)
                    out.push_back({history_rule(), key, severity::blocking});
            }
        }
    }
    // one finding per number: blocking when another applicant holds it, else a warning
    std::map<std::string, bool> other_applicant;  // number -> held by another applicant
    for (const auto& reg : facts.registrations)
        other_applicant[reg.number] |= !reg.same_applicant;
    for (const auto& [number, other] : other_applicant)
        out.push_back(
            {number_rule(!other), number, other ? severity::blocking : severity::warning});
    return out;
}

void add_store_findings(verdict& v, const json& application, const store_facts& facts) {
    auto extra = store_findings(application, facts);
    if (extra.empty()) return;
    for (auto& f : extra)
        v.findings.push_back(std::move(f));
    std::stable_sort(v.findings.begin(), v.findings.end(),
                     [](const finding& a, const finding& b) { return a.level < b.level; });
    const bool blocking_unknown = std::any_of(
        v.unknowns.begin(), v.unknowns.end(),
        [](const auto& u) { return u.source && u.source->level == severity::blocking; });
    if (v.has_blocking())
        v.outcome = decision::ineligible;
    else if (blocking_unknown)
        v.outcome = decision::needs_evidence;
}

verdict check_with_store(const engine& rules, const case_store& store, const json& application,
                         const check_options& opts, std::string_view case_id) {
    const store_facts facts = facts_for(store, application, case_id);
    verdict v = rules.check(rules.validate(with_store_history(application, facts)), opts);
    add_store_findings(v, application, facts);
    return v;
}

}  // namespace telecomply
