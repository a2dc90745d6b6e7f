// Runs SQL on a SQLite file behind the case store's back, as someone with the sqlite3 shell
// could: the command-line tests tamper with a store with it (tests/cli_cases.cmake).
//
//   sql_exec FILE SQL
//
// Exit status 0 when the SQL ran, 1 when SQLite refused it (its message on stderr), 2 for bad
// usage.

#include <cstdio>

#include <sqlite3.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: sql_exec FILE SQL\n");
        return 2;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "sql_exec: %s: %s\n", argv[1], sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, argv[2], nullptr, nullptr, &err);
    if (rc != SQLITE_OK) std::fprintf(stderr, "sql_exec: %s\n", err != nullptr ? err : "failed");
    sqlite3_free(err);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}
