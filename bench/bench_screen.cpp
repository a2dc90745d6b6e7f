// Throughput of call-record screening (target: >= 5 M calls/s per core from in-memory Arrow
// batches; measured: docs/performance.md):
//
//   bench_screen [calls] [repeats]
//
// (a) screen() over in-memory Arrow batches (struct of caller utf8, callee utf8, start
//     timestamp[s], duration_s int32; 65,536 rows a batch) handed over through the Arrow C
//     Stream Interface, one core, chronological calls over one day, about 150 a caller, with a
//     share of every violation;
// (b) a plain scan of the same columns through the same nanoarrow views (the bytes of both
//     numbers, the start and the duration summed): the floor screening is measured against;
// (c) screen() over the same calls written as CSV (the command line's reader, end to end but
//     for the output).
// Prints one JSON line.

#include <nanoarrow/nanoarrow.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/rules/ruleset.hpp"
#include "telecomply/screening/screener.hpp"

using namespace telecomply;

namespace {

constexpr std::int64_t k_batch = 65536;
constexpr std::int64_t k_day = 20530;  // 2026-03-18, days since 1970-01-01

struct call {
    std::string caller, callee;
    std::int64_t start;  // local wall clock, seconds since 1970 (no time zone)
    std::int32_t duration;
};

std::string mobile(std::mt19937_64& rng) {
    static const char* prefixes[] = {"138", "139", "186", "189", "135", "150", "177", "199"};
    std::string s = prefixes[rng() % 8];
    for (int i = 0; i < 8; ++i)
        s += static_cast<char>('0' + rng() % 10);
    return s;
}

std::vector<call> make_calls(std::int64_t n, std::vector<std::string>& callers,
                             std::vector<std::string>& callees) {
    std::mt19937_64 rng(7);
    // about 150 calls a caller: GD's cap (150) is passed by about half of its callers, the
    // national one (200) by few
    for (std::int64_t i = 0; i < std::max<std::int64_t>(100, n / 150); ++i)
        callers.push_back(mobile(rng));
    for (int i = 0; i < 200000; ++i)
        callees.push_back(mobile(rng));
    std::vector<call> out;
    out.reserve(static_cast<std::size_t>(n));
    const std::int64_t day0 = k_day * 86400;
    for (std::int64_t i = 0; i < n; ++i) {
        // chronological over 08:30-20:30 (a share outside the window)
        const std::int64_t start = day0 + 8 * 3600 + 1800 + (i * 12 * 3600) / n;
        out.push_back({callers[rng() % callers.size()], callees[rng() % callees.size()], start,
                       static_cast<std::int32_t>(30 + rng() % 270)});
    }
    return out;
}

struct arrow_batch {
    ArrowArray array{};
    ~arrow_batch() {
        if (array.release) array.release(&array);
    }
};

void check(int code, const char* what) {
    if (code != NANOARROW_OK) {
        std::fprintf(stderr, "nanoarrow: %s failed\n", what);
        std::exit(2);
    }
}

void make_schema(ArrowSchema* schema) {
    ArrowSchemaInit(schema);
    check(ArrowSchemaSetTypeStruct(schema, 4), "struct");
    check(ArrowSchemaSetType(schema->children[0], NANOARROW_TYPE_STRING), "caller");
    check(ArrowSchemaSetName(schema->children[0], "caller"), "name");
    check(ArrowSchemaSetType(schema->children[1], NANOARROW_TYPE_STRING), "callee");
    check(ArrowSchemaSetName(schema->children[1], "callee"), "name");
    check(ArrowSchemaSetTypeDateTime(schema->children[2], NANOARROW_TYPE_TIMESTAMP,
                                     NANOARROW_TIME_UNIT_SECOND, nullptr),
          "start");
    check(ArrowSchemaSetName(schema->children[2], "start"), "name");
    check(ArrowSchemaSetType(schema->children[3], NANOARROW_TYPE_INT32), "duration");
    check(ArrowSchemaSetName(schema->children[3], "duration_s"), "name");
}

std::vector<std::unique_ptr<arrow_batch>> make_batches(const std::vector<call>& calls,
                                                       ArrowSchema* schema) {
    std::vector<std::unique_ptr<arrow_batch>> out;
    for (std::size_t first = 0; first < calls.size(); first += k_batch) {
        auto b = std::make_unique<arrow_batch>();
        ArrowError error{};
        check(ArrowArrayInitFromSchema(&b->array, schema, &error), "init");
        check(ArrowArrayStartAppending(&b->array), "start appending");
        const std::size_t last = std::min(calls.size(), first + k_batch);
        for (std::size_t i = first; i < last; ++i) {
            const call& c = calls[i];
            check(ArrowArrayAppendString(b->array.children[0], ArrowCharView(c.caller.c_str())),
                  "a");
            check(ArrowArrayAppendString(b->array.children[1], ArrowCharView(c.callee.c_str())),
                  "a");
            check(ArrowArrayAppendInt(b->array.children[2], c.start), "a");
            check(ArrowArrayAppendInt(b->array.children[3], c.duration), "a");
            check(ArrowArrayFinishElement(&b->array), "finish element");
        }
        check(ArrowArrayFinishBuildingDefault(&b->array, &error), "finish");
        out.push_back(std::move(b));
    }
    return out;
}

/// A stream over batches kept by the benchmark: each batch is handed out as a shallow copy
/// whose release does nothing (the C Data Interface lets a producer own the buffers).
struct borrowed_stream {
    ArrowSchema* schema;
    const std::vector<std::unique_ptr<arrow_batch>>* batches;
    std::size_t next = 0;
};

void open_stream(ArrowArrayStream* out, ArrowSchema* schema,
                 const std::vector<std::unique_ptr<arrow_batch>>& batches) {
    auto* state = new borrowed_stream{schema, &batches};
    out->private_data = state;
    out->get_schema = [](ArrowArrayStream* s, ArrowSchema* o) {
        return ArrowSchemaDeepCopy(static_cast<borrowed_stream*>(s->private_data)->schema, o);
    };
    out->get_next = [](ArrowArrayStream* s, ArrowArray* o) {
        auto* st = static_cast<borrowed_stream*>(s->private_data);
        if (st->next == st->batches->size()) {
            o->release = nullptr;
            return 0;
        }
        *o = (*st->batches)[st->next++]->array;
        o->release = [](ArrowArray* a) { a->release = nullptr; };
        return 0;
    };
    out->get_last_error = [](ArrowArrayStream*) -> const char* { return nullptr; };
    out->release = [](ArrowArrayStream* s) {
        delete static_cast<borrowed_stream*>(s->private_data);
        s->release = nullptr;
    };
}

struct counting_sink final : screening_sink {
    std::int64_t flagged = 0;
    void rows(std::int64_t, std::span<const std::uint8_t> codes,
              std::span<const call_row_error>) override {
        for (auto c : codes)
            flagged += c != 0;
    }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t plain_scan(const ArrowSchema* schema,
                        const std::vector<std::unique_ptr<arrow_batch>>& batches) {
    ArrowArrayView view{};
    ArrowError error{};
    check(ArrowArrayViewInitFromSchema(&view, schema, &error), "view");
    std::int64_t sum = 0;
    for (const auto& b : batches) {
        check(ArrowArrayViewSetArray(&view, &b->array, &error), "set");
        const std::int64_t n = b->array.length;
        for (int c = 0; c < 2; ++c)
            for (std::int64_t i = 0; i < n; ++i) {
                if (ArrowArrayViewIsNull(view.children[c], i)) continue;
                const auto s = ArrowArrayViewGetStringUnsafe(view.children[c], i);
                sum += s.size_bytes + s.data[s.size_bytes - 1];
            }
        for (int c = 2; c < 4; ++c)
            for (std::int64_t i = 0; i < n; ++i)
                if (!ArrowArrayViewIsNull(view.children[c], i))
                    sum += ArrowArrayViewGetIntUnsafe(view.children[c], i);
    }
    ArrowArrayViewReset(&view);
    return sum;
}

}  // namespace

int main(int argc, char** argv) {
    const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 5000000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    std::vector<std::string> callers, callees;
    const auto calls = make_calls(n, callers, callees);
    // 95% of the callers whitelisted (half in CN-GD, cap 150), 5% never listed; 10,000
    // callees refused before the day
    std::vector<registry_entry> registry;
    for (std::size_t i = 0; i < callers.size(); ++i) {
        if (i % 20 == 19) continue;
        registry.push_back({callers[i],
                            i % 2 ? "CN-GD" : "CN-BJ",
                            "C" + std::to_string(i),
                            {{(k_day - 60) * 86400 - 8 * 3600, std::nullopt}}});
    }
    std::vector<refusal> refusals;
    for (std::size_t i = 0; i < 10000; ++i)
        refusals.push_back({callees[i * 7], 0});
    const screening_context ctx(catalogue::load(TELECOMPLY_RULESETS_DIR), registry, refusals);

    ArrowSchema schema{};
    make_schema(&schema);
    const auto batches = make_batches(calls, &schema);

    double best_screen = 1e9, best_scan = 1e9, best_csv = 1e9;
    std::int64_t flagged = 0, checksum = 0;
    for (int r = 0; r < repeats; ++r) {
        auto source = call_source::arrow(
            [&](ArrowArrayStream* out) { open_stream(out, &schema, batches); }, "bench");
        counting_sink sink;
        auto t0 = std::chrono::steady_clock::now();
        const auto report = screen(ctx, *source, sink);
        best_screen = std::min(best_screen, seconds_since(t0));
        flagged = sink.flagged;
        (void)report;
        t0 = std::chrono::steady_clock::now();
        checksum = plain_scan(&schema, batches);
        best_scan = std::min(best_scan, seconds_since(t0));
    }
    // (c) the same calls as CSV
    const auto csv = std::filesystem::temp_directory_path() / "telecomply-bench-calls.csv";
    {
        std::ofstream out(csv);
        out << "caller,callee,start,duration_s\n";
        for (const auto& c : calls) {
            const std::int64_t sod = c.start % 86400;
            char t[32];
            std::snprintf(t, sizeof t, "2026-03-18 %02lld:%02lld:%02lld",
                          static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                          static_cast<long long>(sod % 60));
            out << c.caller << ',' << c.callee << ',' << t << ',' << c.duration << '\n';
        }
    }
    for (int r = 0; r < repeats; ++r) {
        auto source = call_source::csv_file(csv);
        counting_sink sink;
        const auto t0 = std::chrono::steady_clock::now();
        const auto report = screen(ctx, *source, sink);
        best_csv = std::min(best_csv, seconds_since(t0));
        // Both readers must see the same calls, or the figures compare different work.
        if (report.bad_rows != 0 || sink.flagged != flagged) {
            std::fprintf(stderr,
                         "bench_screen: the CSV run differs from the Arrow run (%lld bad rows, "
                         "%lld flagged against %lld)\n",
                         static_cast<long long>(report.bad_rows),
                         static_cast<long long>(sink.flagged), static_cast<long long>(flagged));
            return 1;
        }
    }
    const auto csv_bytes = std::filesystem::file_size(csv);
    std::filesystem::remove(csv);
    schema.release(&schema);
    const nlohmann::json j = {{"calls", n},
                              {"flagged", flagged},
                              {"arrow_calls_per_s", static_cast<double>(n) / best_screen},
                              {"plain_scan_calls_per_s", static_cast<double>(n) / best_scan},
                              {"screen_vs_scan", best_screen / best_scan},
                              {"csv_calls_per_s", static_cast<double>(n) / best_csv},
                              {"csv_mb_per_s", static_cast<double>(csv_bytes) / 1e6 / best_csv},
                              {"checksum", checksum}};
    std::printf("%s\n", j.dump().c_str());
}
