#pragma once
// Writing files durably: a whole file replaced atomically, or created once and never
// overwritten. Private to the library.

#include <filesystem>
#include <string_view>

#include <sys/types.h>

#include "telecomply/base/error.hpp"

namespace telecomply::detail {

/// Writes `bytes` durably over `target`: into a temporary file beside it (fsynced), then renamed
/// over it, then the folder synced, so that a crash leaves the old file or the new one, never a
/// mix. `target` may be a symbolic link: the file it points to is replaced. Throws the error
/// class of `code` (calendar_error or seal_error; else store_error) with the OS's reason and the
/// file's name ("cannot write '...': ...").
void replace_file(const std::filesystem::path& target, std::string_view bytes, errc code);

/// Creates `file` with `bytes` and permissions `mode` (umask applied), durably (fsynced), only
/// when it does not exist (O_EXCL: never overwrites, whoever else creates it at the same time).
/// Throws as replace_file() when it exists or cannot be written; a file it created and could not
/// finish is removed.
void create_file(const std::filesystem::path& file, std::string_view bytes, mode_t mode, errc code);

}  // namespace telecomply::detail
