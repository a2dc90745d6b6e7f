// The check pipeline, phase by phase, over a JSON Lines corpus held in memory.
//
//   bench_check APPS.jsonl [RULESETS_DIR]
//
// (make a corpus with ../shared/peers/gen_apps.py, or any applications file). Prints one JSON
// line: applications per second for parsing (simdjson into documents), schema validation, rule
// evaluation with the full regional chain, verdict JSON output (verdict::write_json, the
// bytes `check --format jsonl` prints), and all of them end to end on one thread.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/rules/engine.hpp"

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_check APPS.jsonl [RULESETS_DIR]\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(std::move(line));
    if (lines.empty()) {
        std::fprintf(stderr, "no applications in %s\n", argv[1]);
        return 2;
    }
    const telecomply::engine e(argc > 2 ? std::filesystem::path(argv[2])
                                        : std::filesystem::path(TELECOMPLY_RULESETS_DIR));
    const double n = static_cast<double>(lines.size());

    auto t0 = std::chrono::steady_clock::now();
    std::vector<telecomply::document> docs;
    docs.reserve(lines.size());
    for (const auto& l : lines)
        docs.push_back(telecomply::document::parse(l));
    const double parse_s = seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    for (auto& d : docs)
        e.validate(d);
    const double validate_s = seconds_since(t0);

    // resolve once (as a batch does), then evaluate only
    std::vector<telecomply::verdict> verdicts;
    verdicts.reserve(docs.size());
    t0 = std::chrono::steady_clock::now();
    for (const auto& d : docs)
        verdicts.push_back(e.check(d));
    const double check_s = seconds_since(t0);

    // the JSON Lines `check` prints: written into one buffer, reused
    t0 = std::chrono::steady_clock::now();
    std::size_t bytes = 0;  // the JSON of both passes, printed: the work must not be elided
    std::string out;
    for (const auto& v : verdicts) {
        out.clear();
        v.write_json(out);
        bytes += out.size();
    }
    const double output_s = seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    std::size_t ineligible = 0;
    for (const auto& l : lines) {
        const auto v = e.check(e.parse(l));
        ineligible += v.outcome != telecomply::decision::eligible;
        out.clear();
        v.write_json(out);
        bytes += out.size();
    }
    const double total_s = seconds_since(t0);

    std::printf(
        "{\"bench\": \"check\", \"applications\": %zu, \"not_eligible\": %zu, "
        "\"parse_per_s\": %.0f, \"validate_per_s\": %.0f, \"evaluate_per_s\": %.0f, "
        "\"evaluate_us\": %.2f, \"output_per_s\": %.0f, \"end_to_end_per_s\": %.0f, "
        "\"output_bytes\": %zu}\n",
        lines.size(), ineligible, n / parse_s, n / validate_s, n / check_s, check_s / n * 1e6,
        n / output_s, n / total_s, bytes);
    return 0;
}
