// Where the rulesets are when nobody says which: catalogue::default_dir() (docs/rulesets.md,
// "Where telecomply finds its rulesets"). An installed or packaged telecomply finds its own
// rulesets relative to itself; only a program of the build tree reads the source tree's.

#include "rules/default_rulesets.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>

#include "telecomply/base/error.hpp"
#include "telecomply/rules/ruleset.hpp"

#if defined(__linux__)
#include <link.h>
#endif

// Set for this file by lib/CMakeLists.txt.
#ifndef TELECOMPLY_BIN_TO_RULESETS
#define TELECOMPLY_BIN_TO_RULESETS "../share/telecomply/rulesets"
#endif
#ifndef TELECOMPLY_LIB_TO_RULESETS
#define TELECOMPLY_LIB_TO_RULESETS "../share/telecomply/rulesets"
#endif

namespace telecomply {

namespace {

namespace fs = std::filesystem;

std::mutex& noted_mutex() {
    static std::mutex m;
    return m;
}
std::string& noted_dir() {
    static std::string dir;
    return dir;
}

#if defined(__linux__)
// An object of the image (program or shared library) that holds this code.
const char k_marker = 0;

struct image_search {
    std::uintptr_t address = 0;
    bool found = false;
    std::string name;  // empty: the main program
};

int find_image(dl_phdr_info* info, std::size_t /*size*/, void* data) {
    auto* s = static_cast<image_search*>(data);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (s->address >= start && s->address < start + ph.p_memsz) {
            s->found = true;
            s->name = info->dlpi_name != nullptr ? info->dlpi_name : "";
            return 1;
        }
    }
    return 0;
}
#endif

// The file holding this code: the program that links telecomply statically, or the shared
// library (libtelecomply.so, the Python module) that holds it. Empty when unknown.
fs::path this_image() {
    std::error_code ec;
#if defined(__linux__)
    image_search s;
    s.address = reinterpret_cast<std::uintptr_t>(&k_marker);
    dl_iterate_phdr(find_image, &s);
    if (s.found && !s.name.empty()) {
        auto p = fs::weakly_canonical(s.name, ec);
        if (!ec) return p;
    }
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) return exe;
#endif
    return {};
}

bool is_within(const fs::path& p, const fs::path& dir) {
    std::error_code ec;
    const auto a = fs::weakly_canonical(p, ec);
    if (ec) return false;
    const auto b = fs::weakly_canonical(dir, ec);
    if (ec) return false;
    const auto rel = a.lexically_relative(b);
    return !rel.empty() && *rel.begin() != "..";
}

bool usable(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir, ec);
}

}  // namespace

bool detail::note_package_rulesets(const char* dir) noexcept {
    try {
        const std::lock_guard lock(noted_mutex());
        if (noted_dir().empty() && dir != nullptr) noted_dir() = dir;
    } catch (...) {  // NOLINT(bugprone-empty-catch): a static initialiser must not throw
    }
    return true;
}

std::optional<fs::path> detail::find_default_rulesets(std::vector<fs::path>* tried) {
    if (const char* env = std::getenv("TELECOMPLY_RULESETS"); env != nullptr && *env != '\0')
        return fs::path(env);
    const auto consider = [tried](const fs::path& dir) {
        if (tried != nullptr && std::find(tried->begin(), tried->end(), dir) == tried->end())
            tried->push_back(dir);
        return usable(dir);
    };
    const auto image = this_image();
    if (!image.empty()) {
        // <prefix>/bin/telecomply, <prefix>/lib/libtelecomply.so -> <prefix>/share/telecomply/
        // rulesets, wherever the prefix was installed or moved to (in the wheel, the module
        // telecomply/_core*.so -> telecomply/rulesets)
        for (const char* rel : {TELECOMPLY_BIN_TO_RULESETS, TELECOMPLY_LIB_TO_RULESETS}) {
            const auto dir = (image.parent_path() / rel).lexically_normal();
            if (consider(dir)) return dir;
        }
#if defined(TELECOMPLY_BUILD_TREE) && defined(TELECOMPLY_SOURCE_RULESETS)
        // a program of the build tree (the CLI, the tests, the Python module there): the sources
        if (is_within(image, TELECOMPLY_BUILD_TREE) && consider(TELECOMPLY_SOURCE_RULESETS))
            return fs::path(TELECOMPLY_SOURCE_RULESETS);
#endif
    }
    {
        // the installed package a program was built against (find_package(telecomply))
        std::string noted;
        {
            const std::lock_guard lock(noted_mutex());
            noted = noted_dir();
        }
        if (!noted.empty() && consider(noted)) return fs::path(noted);
    }
#ifdef TELECOMPLY_INSTALLED_RULESETS
    // the prefix telecomply was configured to be installed into
    if (consider(TELECOMPLY_INSTALLED_RULESETS)) return fs::path(TELECOMPLY_INSTALLED_RULESETS);
#endif
    return std::nullopt;
}

fs::path catalogue::default_dir() {
    std::vector<fs::path> tried;
    if (auto dir = detail::find_default_rulesets(&tried)) return *dir;
    std::string where;
    for (const auto& d : tried)
        where += (where.empty() ? "" : ", ") + d.string();
    throw not_found_error(
        "no rulesets folder found: TELECOMPLY_RULESETS is not set and none of these exists: " +
        (where.empty() ? std::string("(none)") : where) +
        "; pass the folder (telecomply --rulesets DIR, engine(DIR)) or set TELECOMPLY_RULESETS");
}

}  // namespace telecomply
