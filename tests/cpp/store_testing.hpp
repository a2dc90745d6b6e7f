#pragma once
// Helpers for tests of the case store: a scratch store file, and raw edits of it.

#include <sqlite3.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace telecomply::testing {

/// A fresh SQLite store file in the temp directory for one test, removed at the end together
/// with its WAL, shared-memory and journal files.

class temp_db {
  public:
    temp_db() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("telecomply-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                 ".db");
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

/// Edits the file behind the store's back, as someone with the file and the sqlite3 shell could
/// (the append-only triggers are dropped first, as they would be).
inline void raw_sql(const std::filesystem::path& file, const std::string& text) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    const std::string all =
        "DROP TRIGGER IF EXISTS events_no_update;"
        "DROP TRIGGER IF EXISTS events_no_delete;" +
        text;
    const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err);
    const std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    INFO(text << ": " << message);
    REQUIRE(rc == SQLITE_OK);
}

}  // namespace telecomply::testing
