// A writer process for the case store's crash and multi-process tests.
//
//   store_writer FILE CASE_ID COUNT [THINK_US]
//
// Opens the store, creates the case when it does not exist, then appends COUNT events to it
// (0: until killed), one transaction each, re-reading the version and retrying on a conflict.
// THINK_US: a random pause of up to that many microseconds between reading the case and
// appending, as a real writer's work would make (so that concurrent writers interleave).
// After each commit returns it prints the acknowledged seq on its own line and flushes, so a
// parent that reads a complete line knows that event is durable.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <thread>

#include <unistd.h>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"

namespace {

void ack(std::int64_t seq) {
    std::printf("%lld\n", static_cast<long long>(seq));
    std::fflush(stdout);
}

telecomply::event_input event(long long n) {
    telecomply::event_input e;
    e.type = "note";
    e.actor = "writer-" + std::to_string(static_cast<long long>(::getpid()));
    e.at = "2026-03-02T10:00:00+08:00";
    e.payload = {{"pid", static_cast<long long>(::getpid())}, {"n", n}};
    return e;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: store_writer FILE CASE_ID COUNT [THINK_US]\n");
        return 2;
    }
    const std::string case_id = argv[2];
    const long long count = std::atoll(argv[3]);
    const int think_us = argc == 5 ? std::atoi(argv[4]) : 0;
    std::minstd_rand rng(static_cast<unsigned>(::getpid()));
    try {
        auto store = telecomply::case_store::open(argv[1]);
        if (!store.get(case_id)) {
            try {
                ack(store.create(case_id, "CN-GD", event(-1), "draft", {{"version", 1}}));
            } catch (const telecomply::conflict_error&) {
                // Another writer created it first: append to theirs.
            }
        }
        for (long long n = 0; count == 0 || n < count;) {
            const auto row = store.get(case_id);
            if (think_us > 0) {
                std::this_thread::sleep_for(
                    std::chrono::microseconds(rng() % static_cast<unsigned>(think_us)));
            }
            try {
                ack(store.append(case_id, row->version, event(n), "draft",
                                 {{"version", row->version + 1}}));
                ++n;
            } catch (const telecomply::conflict_error&) {
                // Someone appended since we read the version: read it again.
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_writer: %s\n", e.what());
        return 1;
    }
    return 0;
}
