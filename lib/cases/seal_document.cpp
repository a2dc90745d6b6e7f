// Reading and checking a seal document (lib/cases/seal_document.hpp).

#include "cases/seal_document.hpp"

#include <algorithm>
#include <set>

#include "base/digest.hpp"
#include "base/json_io.hpp"
#include "base/signature.hpp"
#include "telecomply/cases/event_time.hpp"

namespace telecomply::detail {

namespace {

using nlohmann::json;

bool is_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool is_rfc3339(const std::string& s) {
    try {
        return event_time::parse(s).unix_seconds.has_value();
    } catch (const error&) {
        return false;
    }
}

}  // namespace

std::string signed_text(const json& seal) {
    json rest = seal;
    rest.erase("signature");
    return rest.dump();
}

sealed_cases check_seal_document(const json& seal, std::optional<std::string_view> public_key_pem,
                                 seal_report& report, const std::string& at) {
    // the key first: a bad key is an error whatever the document holds
    const std::string given_key_id =
        public_key_pem ? ed25519_key_id(*public_key_pem, "the public key") : std::string();
    auto bad = [&](const std::string& path, const std::string& message) {
        report.problems.push_back({"", 0, path + ": " + message});
    };
    sealed_cases out;
    if (!seal.is_object()) {
        bad(at, "a seal is a JSON object");
        return out;
    }
    static const std::set<std::string, std::less<>> k_members = {
        "format", "sealed_at", "key_id", "cases", "root", "signature"};
    for (const auto& [key, value] : seal.items())
        if (!k_members.contains(key)) bad(json_path_append_key(at, key), "not a member of a seal");
    // a string member, or nullopt (a problem) when absent or not a string
    auto text = [&](const char* key) -> std::optional<std::string> {
        const auto it = seal.find(key);
        if (it == seal.end()) {
            bad(at, std::string("no \"") + key + "\"");
            return std::nullopt;
        }
        if (!it->is_string()) {
            bad(json_path_append_key(at, key), "must be a string");
            return std::nullopt;
        }
        return it->get<std::string>();
    };
    if (const auto format = text("format"); format && *format != k_seal_format)
        bad(json_path_append_key(at, "format"),
            "'" + *format + "' is not " + std::string(k_seal_format));
    if (const auto sealed_at = text("sealed_at")) {
        report.sealed_at = *sealed_at;
        if (!is_rfc3339(*sealed_at))
            bad(json_path_append_key(at, "sealed_at"), "must be an RFC 3339 time");
    }
    const auto key_id = text("key_id");
    if (key_id) {
        report.key_id = *key_id;
        if (!is_hex64(*key_id))
            bad(json_path_append_key(at, "key_id"), "must be 64 lowercase hex digits");
    }
    const auto root = text("root");
    if (root && !is_hex64(*root))
        bad(json_path_append_key(at, "root"), "must be 64 lowercase hex digits");
    const auto signature = text("signature");

    const std::string cases_at = json_path_append_key(at, "cases");
    const auto cases = seal.find("cases");
    if (cases == seal.end()) {
        bad(at, "no \"cases\"");
    } else if (!cases->is_object()) {
        bad(cases_at, "must be an object {case_id: {version, head}}");
    } else {
        for (const auto& [id, c] : cases->items()) {
            const std::string path = json_path_append_key(cases_at, id);
            const auto version = c.is_object() ? c.find("version") : c.end();
            const auto head = c.is_object() ? c.find("head") : c.end();
            if (!c.is_object() || c.size() != 2 || version == c.end() || head == c.end()) {
                bad(path, "must be {\"version\": n, \"head\": hash}");
                continue;
            }
            if (!version->is_number_integer() || version->get<std::int64_t>() < 1) {
                bad(json_path_append_key(path, "version"), "must be an integer, 1 or more");
                continue;
            }
            if (!head->is_string() || !is_hex64(head->get<std::string>())) {
                bad(json_path_append_key(path, "head"), "must be 64 lowercase hex digits");
                continue;
            }
            out.emplace(id, sealed_case{version->get<std::int64_t>(), head->get<std::string>()});
        }
        report.cases = out.size();
        if (root && *root != sha256_plain(cases->dump()))
            bad(json_path_append_key(at, "root"),
                "is not the SHA-256 of the canonical JSON of \"cases\"");
    }

    if (!public_key_pem) return out;
    if (key_id && *key_id != given_key_id)
        report.problems.push_back({"", 0,
                                   "the seal names key " + *key_id +
                                       ", not the given public key (" + given_key_id + ")"});
    if (signature) {
        const auto bytes = base64_decode(*signature);
        if (!bytes) {
            bad(json_path_append_key(at, "signature"), "is not canonical base64");
        } else {
            std::string message;
            try {
                message = signed_text(seal);
            } catch (const json::exception&) {
                bad(at, "holds text that is not valid UTF-8");
                return out;
            }
            if (!ed25519_verify(*public_key_pem, message, *bytes, "the public key"))
                report.problems.push_back(
                    {"", 0,
                     "the signature does not verify with the given public key: the seal was "
                     "changed after it was signed, or signed with another key"});
        }
    }
    return out;
}

}  // namespace telecomply::detail
