// What the case store knows, at scale (docs/policy.md §7): a check with a store of N cases.
//
//   bench_store_facts [cases=100000] [lookups=2000]
//
// Builds a store of N cases (20% of them rejected, 5% suspended, 1% barred; five cases per
// applicant; eleven numbers each) straight through case_store (the index is written as cases
// are, as case_service would), then measures, for applications of random applicants with
// random numbers of the store:
// (a) facts_for(): the applicant's record and the live cases holding its numbers;
// (b) check_with_store() against engine::check() alone (the rules dominate).
// Prints one JSON line; the target is a check in milliseconds at 100,000 cases.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <system_error>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/store_facts.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace telecomply;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void remove_db(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(p.string() + suffix, ec);
}

std::string uscc_of(std::int64_t applicant) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "91440604MA%08lld", static_cast<long long>(applicant));
    return buf;
}

std::string number_of(std::int64_t n) {
    return "138" + std::to_string(10'000'000 + n % 89'999'999);
}

}  // namespace

int main(int argc, char** argv) try {
    const std::int64_t cases = argc > 1 ? std::atoll(argv[1]) : 100'000;
    const std::int64_t lookups = argc > 2 ? std::atoll(argv[2]) : 2000;
    const fs::path rulesets{TELECOMPLY_RULESETS_DIR};
    const fs::path file = fs::temp_directory_path() /
                          ("telecomply-bench-facts-" + std::to_string(::getpid()) + ".db");
    remove_db(file);

    auto rules = std::make_shared<const engine>(rulesets);
    const case_manager manager(rules);
    std::ifstream in(rulesets.parent_path() / "examples" / "applications" /
                     "gd-retail-eligible.json");
    const json example = json::parse(in);
    const json base = manager.create(example).to_json();

    auto store = case_store::open(file);
    const auto t_build = std::chrono::steady_clock::now();
    std::mt19937_64 rng(42);
    for (std::int64_t i = 0; i < cases;) {
        auto tx = store.begin();
        for (int j = 0; j < 1000 && i < cases; ++j, ++i) {
            json snap = base;
            const std::string id = "C" + std::to_string(i);
            snap["id"] = id;
            snap["application"]["id"] = id;
            snap["application"]["applicant"]["uscc"] = uscc_of(i / 5);
            for (std::size_t k = 0; k < snap["application"]["numbers"].size(); ++k)
                snap["application"]["numbers"][k]["number"] =
                    number_of(i * 11 + static_cast<std::int64_t>(k));
            event_input e{"create", "bench", "2026-03-02", {{"n", i}}, nullptr, "sha256:x"};
            store.create(id, "CN-GD", e, "draft", snap);
            const int roll = static_cast<int>(i % 100);
            const char* to = roll < 20   ? "rejected"
                             : roll < 25 ? "suspended"
                             : roll < 26 ? "barred"
                                         : "whitelisted";
            snap["state"] = to;
            if (roll == 25) snap["banned_until"] = "2027-06-01";
            event_input move{"move", "bench", "2026-03-18", json::object(), nullptr, "sha256:x"};
            store.append(id, 1, move, to, snap);
        }
        tx.commit();
    }
    const double build_s = seconds_since(t_build);

    // applications of random applicants, with a random number of the store
    std::vector<json> apps;
    for (std::int64_t i = 0; i < lookups; ++i) {
        json a = example;
        const auto c = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(cases));
        a["id"] = "NEW-" + std::to_string(i);
        a["submitted_on"] = "2026-06-01";
        a["applicant"]["uscc"] = uscc_of(c / 5);
        a["numbers"][0]["number"] = number_of(c * 11);
        apps.push_back(std::move(a));
    }

    std::size_t known = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& a : apps) {
        const auto f = facts_for(store, a);
        known += f.record->rejections_12m + f.registrations.size();
    }
    const double facts_us = seconds_since(t0) * 1e6 / static_cast<double>(lookups);

    t0 = std::chrono::steady_clock::now();
    std::size_t ineligible = 0;
    for (const auto& a : apps)
        ineligible += check_with_store(*rules, store, a).outcome == decision::ineligible;
    const double with_store_us = seconds_since(t0) * 1e6 / static_cast<double>(lookups);

    t0 = std::chrono::steady_clock::now();
    for (const auto& a : apps)
        ineligible += rules->check(rules->validate(a)).outcome == decision::ineligible;
    const double alone_us = seconds_since(t0) * 1e6 / static_cast<double>(lookups);

    remove_db(file);
    const json out = {{"cases", cases},
                      {"lookups", lookups},
                      {"build_s", build_s},
                      {"facts_for_us", facts_us},
                      {"check_with_store_us", with_store_us},
                      {"check_alone_us", alone_us},
                      {"facts_seen", known},
                      {"ineligible", ineligible}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store_facts: %s\n", e.what());
    return 1;
}
