// SHA-256 through OpenSSL's libcrypto (lib/base/digest.hpp).

#include "base/digest.hpp"

#include <openssl/evp.h>

#include "telecomply/base/error.hpp"

namespace telecomply::detail {

std::string sha256_plain(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw store_error("SHA-256 failed (OpenSSL)");
    // by hand rather than snprintf: this runs for every event the store appends
    constexpr std::string_view digits = "0123456789abcdef";
    std::string out(2 * static_cast<std::size_t>(len), '0');
    for (std::size_t i = 0; i < len; ++i) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 0x0f];
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    return "sha256:" + sha256_plain(bytes);
}

}  // namespace telecomply::detail
