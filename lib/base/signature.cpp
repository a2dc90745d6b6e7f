// Ed25519 signatures through OpenSSL's libcrypto (lib/base/signature.hpp). No cryptography is
// written here: keys, signatures, PEM and base64 are OpenSSL's.

#include "base/signature.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/digest.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply::detail {

namespace {

struct pkey_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

// OpenSSL's reason for the last failure (its queue emptied, so that the next caller does not
// see it); "" when none.
std::string openssl_reason() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return {};
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

[[noreturn]] void fail(std::string_view source, const std::string& message) {
    ERR_clear_error();
    throw seal_error(std::string(source), 0, "", message);
}

// Never asks for a passphrase (OpenSSL's default callback would prompt on the terminal): an
// encrypted key does not load.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

bio_ptr memory_bio(std::string_view text, std::string_view source) {
    if (text.size() > 1'000'000) fail(source, "a PEM key is not this large");
    bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) fail(source, "OpenSSL cannot read the key (out of memory)");
    return bio;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// The key PEM text holds (PEM_read_bio_PrivateKey or PEM_read_bio_PUBKEY), when Ed25519.
template <class Read>
pkey_ptr read_key(std::string_view pem, std::string_view source, Read read, const char* kind) {
    auto bio = memory_bio(pem, source);
    pkey_ptr key(read(bio.get(), nullptr, &no_passphrase, nullptr));
    if (!key) fail(source, std::string("not ") + kind + " in PEM (" + openssl_reason() + ")");
    if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519)
        fail(source,
             std::string("a ") + OBJ_nid2sn(EVP_PKEY_id(key.get())) + " key, not an Ed25519 key");
    return key;
}

pkey_ptr read_private(std::string_view pem, std::string_view source) {
    return read_key(pem, source, &PEM_read_bio_PrivateKey, "an unencrypted private key");
}

pkey_ptr read_public(std::string_view pem, std::string_view source) {
    return read_key(pem, source, &PEM_read_bio_PUBKEY, "a public key");
}

std::string public_pem_of(EVP_PKEY* key, std::string_view source) {
    bio_ptr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1)
        fail(source, "OpenSSL cannot write the public key (" + openssl_reason() + ")");
    return bio_text(out.get());
}

}  // namespace

ed25519_pem ed25519_generate() {
    constexpr std::string_view source = "a new Ed25519 key";
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) fail(source, "OpenSSL cannot generate it (" + openssl_reason() + ")");
    bio_ptr priv(BIO_new(BIO_s_mem()));
    if (!priv ||
        PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail(source, "OpenSSL cannot write it (" + openssl_reason() + ")");
    return {bio_text(priv.get()), public_pem_of(key.get(), source)};
}

std::string ed25519_public_of(std::string_view private_pem, std::string_view source) {
    const auto key = read_private(private_pem, source);
    return public_pem_of(key.get(), source);
}

void ed25519_check_public(std::string_view public_pem, std::string_view source) {
    (void)read_public(public_pem, source);
}

std::string ed25519_key_id(std::string_view public_pem, std::string_view source) {
    const auto key = read_public(public_pem, source);
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key.get(), &der);
    if (n <= 0) fail(source, "OpenSSL cannot encode the key (" + openssl_reason() + ")");
    std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return sha256_plain(bytes);
}

std::string ed25519_sign(std::string_view private_pem, std::string_view message,
                         std::string_view source) {
    const auto key = read_private(private_pem, source);
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
    // Ed25519 signs the message itself (no digest to choose): one-shot EVP_DigestSign
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
        fail(source, "OpenSSL cannot sign (" + openssl_reason() + ")");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                       message.size()) != 1)
        fail(source, "OpenSSL cannot sign (" + openssl_reason() + ")");
    sig.resize(len);
    return sig;
}

bool ed25519_verify(std::string_view public_pem, std::string_view message,
                    std::string_view signature, std::string_view source) {
    const auto key = read_public(public_pem, source);
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        fail(source, "OpenSSL cannot verify (" + openssl_reason() + ")");
    const int rc = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
        reinterpret_cast<const unsigned char*>(message.data()), message.size());
    ERR_clear_error();  // a signature that does not verify leaves a reason in the queue
    return rc == 1;
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > 1'000'000) return std::nullopt;
    std::string out(3 * (text.size() / 4), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock keeps the zero bytes the padding stands for
    std::size_t pad = 0;
    if (text.ends_with("=="))
        pad = 2;
    else if (text.ends_with("="))
        pad = 1;
    out.resize(static_cast<std::size_t>(n) - pad);
    // canonical only: one spelling of each signature (no spaces, no stray bits in the padding)
    if (base64_encode(out) != text) return std::nullopt;
    return out;
}

}  // namespace telecomply::detail
