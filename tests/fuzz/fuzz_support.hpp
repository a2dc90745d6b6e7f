#pragma once
// What the libFuzzer targets share: the repository's inputs, a scratch folder per process, JSON
// read without exceptions, and the rule every target follows: an error the library documents
// (a telecomply::error) is a normal answer to bad input; anything else that escapes (another
// exception, a sanitizer report, an abort) is a bug that libFuzzer reports as a crash.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"

namespace telecomply::fuzz {

/// The repository's rulesets folder (schema, calendars, workflows, the shipped rulesets).
inline const std::filesystem::path& rulesets_dir() {
    static const std::filesystem::path dir{TELECOMPLY_RULESETS_DIR};
    return dir;
}

/// examples/applications/<name>.json as JSON.
inline nlohmann::json example(const std::string& name) {
    std::ifstream in(rulesets_dir().parent_path() / "examples" / "applications" / (name + ".json"));
    return nlohmann::json::parse(in);
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// JSON text parsed, or nullopt when it is not JSON (never throws).
inline std::optional<nlohmann::json> parse_json(std::string_view s) {
    auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

/// Runs `f`; true when it returned, false when it threw a telecomply::error (the library's
/// documented answer to bad input). Every other exception propagates: a bug.
template <class F>
bool expected_errors(F&& f) {
    try {
        f();
        return true;
    } catch (const telecomply::error&) {
        return false;
    }
}

/// A folder of this process's own under the temporary folder ($TMPDIR), or with `in_memory`
/// on /dev/shm when there is one (for files synced on every write); removed when the process
/// exits normally.
class scratch_dir {
  public:
    explicit scratch_dir(const std::string& name, bool in_memory = false)
        : path_((in_memory && std::filesystem::is_directory("/dev/shm")
                     ? std::filesystem::path("/dev/shm")
                     : std::filesystem::temp_directory_path()) /
                ("telecomply-fuzz-" + name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  private:
    std::filesystem::path path_;
};

/// Writes `contents` to `file` (replacing it).
inline void write_file(const std::filesystem::path& file, std::string_view contents) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

/// Copies a folder of the repository's rulesets (e.g. "schema") into `to`.
inline void copy_from_rulesets(const std::string& what, const std::filesystem::path& to) {
    std::filesystem::copy(rulesets_dir() / what, to / what,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
}

}  // namespace telecomply::fuzz
