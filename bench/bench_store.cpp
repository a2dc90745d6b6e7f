// Durable write throughput of the case store (SQLite, WAL, synchronous=FULL) on a temp file:
//
//   bench_store [single_events] [batched_events]
//
// (a) one event per transaction: every append is its own commit (one fsync each);
// (b) 1000 events per case_store::transaction: one commit per thousand.
// Prints one JSON line.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telecomply/cases/case_store.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using telecomply::case_store;

constexpr int k_batch = 1000;

// A typical event: a few fields of payload and a small verdict.
telecomply::event_input event(std::int64_t n) {
    telecomply::event_input e;
    e.type = "note";
    e.actor = "officer-17";
    e.at = "2026-03-02T10:15:00+08:00";
    e.payload = {{"n", n}, {"number", "13800138000"}, {"comment", "回访记录已核对"}};
    e.verdict = {{"outcome", "pass"}, {"findings", json::array()}};
    e.ruleset_digest = "sha256:5f2c0e9d";
    return e;
}

void remove_db(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(p.string() + suffix, ec);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) try {
    const std::int64_t single = argc > 1 ? std::atoll(argv[1]) : 2000;
    const std::int64_t batched = argc > 2 ? std::atoll(argv[2]) : 100'000;
    const fs::path file = fs::temp_directory_path() /
                          ("telecomply-bench-store-" + std::to_string(::getpid()) + ".db");
    remove_db(file);
    const json snapshot = {{"state", "under_review"},
                           {"deadlines", {{"review_sla", "2026-03-16"}}}};

    double single_s = 0;
    double batched_s = 0;
    {
        auto store = case_store::open(file);
        store.create("single", "CN-GD", event(0), "draft", snapshot);
        auto t0 = std::chrono::steady_clock::now();
        for (std::int64_t v = 1; v <= single; ++v) {
            store.append("single", v, event(v), "under_review", snapshot);
        }
        single_s = seconds_since(t0);

        store.create("batched", "CN-GD", event(0), "draft", snapshot);
        t0 = std::chrono::steady_clock::now();
        for (std::int64_t v = 1; v <= batched;) {
            auto tx = store.begin();
            for (int i = 0; i < k_batch && v <= batched; ++i, ++v) {
                store.append("batched", v, event(v), "under_review", snapshot);
            }
            tx.commit();
        }
        batched_s = seconds_since(t0);
        if (!store.verify_all().ok()) {
            std::fprintf(stderr, "bench_store: the store does not verify\n");
            return 1;
        }
    }
    remove_db(file);

    const json out = {
        {"bench", "store"},
        {"sqlite", "WAL, synchronous=FULL"},
        {"single_events", single},
        {"single_events_per_s", static_cast<double>(single) / single_s},
        {"batched_events", batched},
        {"batch_size", k_batch},
        {"batched_events_per_s", static_cast<double>(batched) / batched_s},
    };
    std::printf("%s\n", out.dump().c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store: %s\n", e.what());
    return 1;
}
