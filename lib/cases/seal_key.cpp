// The keys seals are signed with (cases/seal.hpp): Ed25519 key pairs, their files and ids.

#include <sys/stat.h>

#include <system_error>

#include "base/file_io.hpp"
#include "base/json_io.hpp"
#include "base/signature.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/seal.hpp"

namespace telecomply {

namespace fs = std::filesystem;

seal_key_pair generate_seal_key() {
    auto keys = detail::ed25519_generate();
    return {std::move(keys.private_pem), std::move(keys.public_pem)};
}

std::pair<fs::path, fs::path> write_seal_key(const seal_key_pair& keys, const fs::path& prefix) {
    if (prefix.empty() || !prefix.has_filename())
        throw seal_error(prefix.string(), 0, "", "a key file prefix names a file, e.g. keys/seal");
    const fs::path private_file = prefix.string() + ".pem";
    const fs::path public_file = prefix.string() + ".pub.pem";
    // both checked first, so that an existing public key is not left beside a new private one
    for (const auto& f : {private_file, public_file}) {
        std::error_code ec;
        if (fs::exists(fs::symlink_status(f, ec)))
            throw seal_error(f.string(), 0, "",
                             "exists already: not overwritten (nothing was written)");
    }
    detail::ed25519_check_public(keys.public_pem, "the public key");
    (void)detail::ed25519_public_of(keys.private_pem, "the private key");
    detail::create_file(private_file, keys.private_pem, S_IRUSR | S_IWUSR, errc::seal_error);
    try {
        detail::create_file(public_file, keys.public_pem, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH,
                            errc::seal_error);
    } catch (...) {
        std::error_code ec;
        fs::remove(private_file, ec);  // no private key without its public one
        throw;
    }
    return {private_file, public_file};
}

std::string read_seal_private_key(const fs::path& file) {
    std::string text = detail::read_file(file, errc::seal_error);
    (void)detail::ed25519_public_of(text, file.string());
    return text;
}

std::string read_seal_public_key(const fs::path& file) {
    std::string text = detail::read_file(file, errc::seal_error);
    detail::ed25519_check_public(text, file.string());
    return text;
}

std::string seal_key_id(std::string_view public_key_pem) {
    return detail::ed25519_key_id(public_key_pem, "the public key");
}

}  // namespace telecomply
