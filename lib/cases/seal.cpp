// Seals (cases/seal.hpp): signing every case's head, and checking a store against a seal.

#include "telecomply/cases/seal.hpp"

#include <set>

#include "base/digest.hpp"
#include "base/file_io.hpp"
#include "base/signature.hpp"
#include "cases/seal_document.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/event_time.hpp"

namespace telecomply {

using nlohmann::json;

json seal(const case_store& store, std::string_view private_key_pem, const std::string& sealed_at) {
    if (!event_time::parse(sealed_at).unix_seconds)
        throw usage_error("seal: sealed_at must be an RFC 3339 time, not the day '" + sealed_at +
                          "'");
    const std::string public_pem = detail::ed25519_public_of(private_key_pem, "the private key");
    const std::vector<case_head> heads = store.heads();
    // what is sealed must be what the chains say: a seal vouches for it
    if (const verify_report chains = store.verify_all(); !chains.ok()) {
        const verify_problem& p = chains.problems.front();
        throw integrity_error("case store '" + store.path().string() + "': its hash chains do " +
                              "not verify (" + std::to_string(chains.problems.size()) +
                              " problems; first: case " + p.case_id + " event " +
                              std::to_string(p.seq) + ": " + p.message +
                              "): nothing was sealed; run `telecomply case verify`");
    }
    json cases = json::object();
    for (const case_head& h : heads)
        cases[h.id] = {{"version", h.version}, {"head", h.hash}};
    json doc = {{"format", std::string(k_seal_format)},
                {"sealed_at", sealed_at},
                {"key_id", detail::ed25519_key_id(public_pem, "the private key")},
                {"root", detail::sha256_plain(cases.dump())},
                {"cases", std::move(cases)}};
    doc["signature"] = detail::base64_encode(
        detail::ed25519_sign(private_key_pem, detail::signed_text(doc), "the private key"));
    return doc;
}

json seal_report::to_json() const {
    json problems_json = json::array();
    for (const auto& p : problems)
        problems_json.push_back({{"case_id", p.case_id}, {"seq", p.seq}, {"message", p.message}});
    json appended_json = json::array();
    for (const auto& a : appended)
        appended_json.push_back(
            {{"case_id", a.case_id}, {"sealed_version", a.sealed_version}, {"version", a.version}});
    return {{"ok", ok()},
            {"sealed_at", sealed_at},
            {"key_id", key_id},
            {"cases", cases},
            {"events", events},
            {"problems", std::move(problems_json)},
            {"appended", std::move(appended_json)},
            {"added", added},
            {"rules_not_carried", rules_not_carried}};
}

seal_report verify_seal(const case_store& store, const json& seal,
                        std::string_view public_key_pem) {
    seal_report report;
    const detail::sealed_cases sealed =
        detail::check_seal_document(seal, public_key_pem, report, "$");
    std::set<std::string, std::less<>> in_store;
    for (const case_head& h : store.heads()) {
        in_store.insert(h.id);
        const auto it = sealed.find(h.id);
        if (it == sealed.end())
            report.added.push_back(h.id);
        else if (h.version > it->second.version)
            report.appended.push_back({h.id, it->second.version, h.version});
    }
    for (const auto& [id, s] : sealed) {
        const auto hash = store.hash_of(id, s.version);
        if (!hash && !in_store.contains(id))
            report.problems.push_back(
                {id, 0,
                 "sealed at version " + std::to_string(s.version) +
                     ", but the store has no such case (removed, or the store replaced)"});
        else if (!hash)
            report.problems.push_back({id, s.version,
                                       "sealed at version " + std::to_string(s.version) +
                                           ", but the store has no event " +
                                           std::to_string(s.version) + " (events were removed)"});
        else if (*hash != s.head)
            report.problems.push_back(
                {id, s.version,
                 "event " + std::to_string(s.version) +
                     " is not the sealed one (another hash): the case's history up to the seal "
                     "was changed, or the store rebuilt"});
    }
    verify_report chains = store.verify_all();
    report.events = chains.events;
    for (auto& p : chains.problems)
        report.problems.push_back(std::move(p));
    return report;
}

void write_seal_file(const std::filesystem::path& file, const json& document) {
    std::string text;
    try {
        text = document.dump(2) + "\n";
    } catch (const json::exception& e) {
        throw seal_error(file.string(), 0, "$",
                         std::string("cannot be written as JSON: ") + e.what());
    }
    detail::replace_file(file, text, errc::seal_error);
}

}  // namespace telecomply
