#pragma once
// A scratch folder for one test: fresh under the system temp dir, optionally a copy of a folder
// (the shipped rulesets, their calendars), removed at the end.

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

namespace telecomply::testing {

struct scratch_dir {
    std::filesystem::path path;

    /// An empty folder, or a recursive copy of `copy_of` when given.
    explicit scratch_dir(const std::filesystem::path& copy_of = {}) {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() /
               ("telecomply-test-" + std::to_string(rd()) + std::to_string(rd()));
        if (copy_of.empty())
            std::filesystem::create_directories(path);
        else
            std::filesystem::copy(copy_of, path, std::filesystem::copy_options::recursive);
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    /// Writes `text` (bytes as given) to `name` in the folder; returns its path.
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return path / name;
    }
};

}  // namespace telecomply::testing
