#pragma once
// Reading and checking a seal document: what verify_seal(), export_bundle() and
// verify_bundle() share (cases/seal.hpp). Private to the library.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "telecomply/cases/seal.hpp"

namespace telecomply::detail {

/// What a seal says of one case.
struct sealed_case {
    std::int64_t version = 0;  ///< the case's version when sealed
    std::string head;          ///< the hash of its event `version`
};
using sealed_cases = std::map<std::string, sealed_case, std::less<>>;

/// Reads a seal document found at JSON path `at` ("$", or "$.seal" in a bundle): its members
/// and their shapes, its format and its root; with a public key, also its key_id and its
/// signature. Every problem goes to `report` (case_id "", the message beginning with the JSON
/// path when a member is malformed); sets its sealed_at, key_id and cases. Returns the sealed
/// cases it could read. Throws seal_error when `public_key_pem` is not an Ed25519 public key.
sealed_cases check_seal_document(const nlohmann::json& seal,
                                 std::optional<std::string_view> public_key_pem,
                                 seal_report& report, const std::string& at);

/// The canonical text (nlohmann dump(): keys sorted, no spaces) a seal's signature covers: the
/// document without its "signature". Throws nlohmann::json::type_error for text that is not
/// valid UTF-8.
std::string signed_text(const nlohmann::json& seal);

}  // namespace telecomply::detail
