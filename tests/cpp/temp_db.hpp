#pragma once
// A fresh SQLite store file in the temp directory for one test, removed at the end together
// with its WAL, shared-memory and journal files.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace telecomply::testing {

class temp_db {
  public:
    temp_db() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("telecomply-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db");
        remove();
    }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;
    ~temp_db() { remove(); }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    void remove() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path_.string() + suffix, ec);
    }
    std::filesystem::path path_;
};

}  // namespace telecomply::testing
