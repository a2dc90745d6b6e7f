#pragma once
// SHA-256 digests (OpenSSL libcrypto): of ruleset content, calendars and the case store's hash
// chain. Private to the library.

#include <string>
#include <string_view>

namespace telecomply::detail {

/// The SHA-256 of some bytes as 64 lowercase hex digits. Throws store_error if OpenSSL fails.
std::string sha256_plain(std::string_view bytes);

/// "sha256:<64 lowercase hex digits>" of some bytes: the form digests take in files and
/// verdicts.
std::string sha256_hex(std::string_view bytes);

}  // namespace telecomply::detail
