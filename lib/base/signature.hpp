#pragma once
// Ed25519 signatures (OpenSSL libcrypto): keys as PEM text, key ids, base64. What seals are
// signed and verified with (cases/seal.hpp). Private to the library.

#include <optional>
#include <string>
#include <string_view>

namespace telecomply::detail {

/// A new Ed25519 key pair: the private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), the
/// public key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"). Throws seal_error if OpenSSL
/// fails.
struct ed25519_pem {
    std::string private_pem, public_pem;
};
ed25519_pem ed25519_generate();

/// The public key (PEM) of a private key (PEM). Throws seal_error naming `source` when the text
/// is not an unencrypted Ed25519 private key in PEM.
std::string ed25519_public_of(std::string_view private_pem, std::string_view source);
/// Throws seal_error naming `source` when the text is not an Ed25519 public key in PEM.
void ed25519_check_public(std::string_view public_pem, std::string_view source);
/// The key's id: SHA-256 (64 lowercase hex digits) of the public key's DER (SubjectPublicKeyInfo).
/// Throws as ed25519_check_public().
std::string ed25519_key_id(std::string_view public_pem, std::string_view source);

/// The Ed25519 signature (64 bytes) of `message`. Throws as ed25519_public_of().
std::string ed25519_sign(std::string_view private_pem, std::string_view message,
                         std::string_view source);
/// Whether `signature` is the Ed25519 signature of `message` by the key. Throws as
/// ed25519_check_public() for a bad key; a wrong signature is false.
bool ed25519_verify(std::string_view public_pem, std::string_view message,
                    std::string_view signature, std::string_view source);

/// Standard base64 with padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);
/// The bytes of canonical base64 (what base64_encode() gives), or nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace telecomply::detail
