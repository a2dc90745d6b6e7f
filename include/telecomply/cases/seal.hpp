#pragma once
/// \file seal.hpp
/// Seals: signed checkpoints of a case store, kept outside it, and offline bundles of what a
/// seal covers. Like a signed tree head (Certificate Transparency, RFC 6962 §3.5), a seal is
/// the head of every case's hash chain at one moment, signed with an Ed25519 key the store's
/// host does not hold: a store rebuilt from scratch with valid chains passes
/// case_store::verify_all() but not verify_seal(). See docs/workflow.md, "Seals and bundles:
/// what each mechanism proves".

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/cases/case_store.hpp"

namespace telecomply {

class catalogue;

/// The `format` of a seal document.
inline constexpr std::string_view k_seal_format = "telecomply-seal/1";
/// The `format` of a bundle.
inline constexpr std::string_view k_bundle_format = "telecomply-bundle/1";

/// An Ed25519 key pair as PEM text: the private key unencrypted PKCS#8 ("BEGIN PRIVATE KEY"),
/// the public key SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
struct seal_key_pair {
    std::string private_pem;
    std::string public_pem;
};

/// A new Ed25519 key pair (OpenSSL). Throws seal_error if OpenSSL fails. Thread-safe.
[[nodiscard]] seal_key_pair generate_seal_key();

/// Writes a key pair to `<prefix>.pem` (the private key, mode 0600) and `<prefix>.pub.pem` (the
/// public key, mode 0644), each fsynced; returns the two paths (private, public). Never
/// overwrites: throws seal_error naming the file when either exists (nothing written) or
/// cannot be written (nothing left behind).
std::pair<std::filesystem::path, std::filesystem::path> write_seal_key(
    const seal_key_pair& keys, const std::filesystem::path& prefix);

/// The text of a private (public) key file, checked to be an unencrypted Ed25519 private key
/// (an Ed25519 public key) in PEM. Throws seal_error naming the file when it cannot be read or
/// holds anything else (another key type, a public key for a private one, an encrypted key).
[[nodiscard]] std::string read_seal_private_key(const std::filesystem::path& file);
[[nodiscard]] std::string read_seal_public_key(const std::filesystem::path& file);

/// A key's id: the SHA-256 (64 lowercase hex digits) of the public key's DER encoding
/// (SubjectPublicKeyInfo). Throws seal_error when `public_key_pem` is not an Ed25519 public key.
[[nodiscard]] std::string seal_key_id(std::string_view public_key_pem);

/// Seals a store: every case's head, from one consistent read (case_store::heads()), signed.
/// The document:
/// `{"format": "telecomply-seal/1", "sealed_at": RFC 3339, "key_id": seal_key_id(),
///   "cases": {case_id: {"version": n, "head": hash of event n}}, "root": SHA-256 hex of the
///   canonical JSON of "cases", "signature": base64 Ed25519 signature}`; the signature covers
/// the canonical JSON (nlohmann dump(): keys sorted, no spaces) of every other member.
/// Refuses a store whose chains do not verify (case_store::verify_all()): integrity_error,
/// nothing sealed. `sealed_at`: when, an RFC 3339 time (usage_error otherwise); a caller gives
/// its store clock's now (store_clock::now_text()). Throws seal_error when the key is not an
/// unencrypted Ed25519 private key in PEM, store_error when the store fails. Reads only. Uses
/// `store` (one connection): not safe while another thread uses the same case_store.
[[nodiscard]] nlohmann::json seal(const case_store& store, std::string_view private_key_pem,
                                  const std::string& sealed_at);

/// A case with events after the seal: its sealed version and its version now.
struct seal_appended {
    std::string case_id;
    std::int64_t sealed_version = 0;
    std::int64_t version = 0;
};

/// What verify_seal() / verify_bundle() checked and found. A value type.
struct seal_report {
    std::string sealed_at;   ///< the seal's sealed_at ("" when it has none)
    std::string key_id;      ///< the seal's key_id ("" when it has none)
    std::size_t cases = 0;   ///< cases the seal lists
    std::size_t events = 0;  ///< events checked (the store's chains, or the bundle's events)
    /// What is wrong, in order of discovery. case_id "" for the seal document itself (its
    /// message begins with the JSON path of a malformed member); seq 0 for a case as a whole.
    std::vector<verify_problem> problems;
    /// Cases with events after their sealed version, in case id order (verify_seal() only):
    /// listed, not vouched for by the seal.
    std::vector<seal_appended> appended;
    /// Cases the seal does not list, created after it, in case id order (verify_seal() only).
    std::vector<std::string> added;
    /// The digests of rules events were judged by that a bundle does not carry
    /// (verify_bundle() only): "DIGEST (first judged: CASE event SEQ)". Not a problem (a store
    /// used without case_service keeps no rules), but what the bundle cannot vouch for.
    std::vector<std::string> rules_not_carried;

    /// True when nothing is wrong (appended and added cases are not problems).
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
    /// `{"ok", "sealed_at", "key_id", "cases", "events", "problems": [{case_id, seq, message}],
    /// "appended": [{case_id, sealed_version, version}], "added": [case_id],
    /// "rules_not_carried": [text]}`: what
    /// `telecomply case verify --seal/--bundle --format json` prints and Python returns.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// Checks a store against a seal, with the public key of the key that signed it. Problems:
/// the document is malformed (the JSON path), its format is not telecomply-seal/1, its key_id
/// is not `public_key_pem`'s, its root is not that of its cases, its signature does not verify
/// with the key; a sealed case is missing from the store, has fewer events than sealed, or its
/// event at the sealed seq has another hash (its history up to the seal changed: edited, or
/// rebuilt with valid chains); and every problem of case_store::verify_all(). Cases with
/// events after the seal are listed in `appended`, cases the seal does not list in `added`.
/// Throws seal_error when `public_key_pem` is not an Ed25519 public key in PEM, store_error
/// when the store fails; never for a bad seal document (a problem). Reads only. Uses `store`
/// (one connection): not safe while another thread uses the same case_store.
[[nodiscard]] seal_report verify_seal(const case_store& store, const nlohmann::json& seal,
                                      std::string_view public_key_pem);

/// An offline bundle of what a seal covers:
/// `{"format": "telecomply-bundle/1", "seal": the seal document,
///   "cases": {case_id: {"region": ..., "events": [to_json(stored_event) of events 1 to the
///   sealed version]}},
///   "pinned_rulesets": [{"digest", "id", "version", "content"}]}` — the content the store keeps
/// for every digest those events were judged by (a digest whose content the store does not
/// keep, from before schema 3, is left out). Events after the seal are not exported: the seal
/// does not vouch for them. The seal's signature is not checked here (verify_seal() does that).
/// Throws seal_error (JSON path) when the seal document is malformed, integrity_error when a
/// sealed case is missing from the store, has fewer events than sealed or another event at the
/// sealed seq (nothing exported), store_error when the store fails. Reads only; not safe while
/// another thread uses the same case_store.
[[nodiscard]] nlohmann::json export_bundle(const case_store& store, const nlohmann::json& seal);

/// Checks a bundle offline, without any store: the seal's document, key_id and signature (as
/// verify_seal()); the cases equal to the sealed ones; every case's events 1..n in order,
/// each prev_hash the hash before it (64 zeros for seq 1), each hash event_hash() of the
/// event's content, n the sealed version and the last hash the sealed head; every pinned
/// ruleset's content rebuilt with `rules`.from_content() to its digest, id and version.
/// `rules` lends its calendars to compile the pinned content; its own ruleset files play no
/// part. Problems as verify_seal() (`appended` and `added` stay empty); events are not replayed.
/// Throws seal_error when `public_key_pem` is not an Ed25519 public key in PEM; never for a bad
/// bundle (a problem). Thread-safe.
[[nodiscard]] seal_report verify_bundle(const nlohmann::json& bundle,
                                        std::string_view public_key_pem, const catalogue& rules);

/// Writes a seal or a bundle as JSON text (2-space indent, a final newline) over `file`
/// atomically: a temporary file beside it, fsynced, renamed over it; never half-written.
/// Throws seal_error naming the file when it cannot be written.
void write_seal_file(const std::filesystem::path& file, const nlohmann::json& document);

}  // namespace telecomply
