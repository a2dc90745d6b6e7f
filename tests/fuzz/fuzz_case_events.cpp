// libFuzzer target: events fed to a case through the case service, over a fresh SQLite store
// for every input (on /dev/shm where there is one: the store syncs every write). The input is
// JSON: an array of events, or `{"application": {...}, "events": [...]}` (the application
// defaults to an example). An event is `{"type", "actor", "at", "data", "expect_version"}`
// (any member may be missing or of any type: what is not a string is left out) or
// `{"tick": "YYYY-MM-DD"}`. Refusals and bad events are telecomply errors; but whatever the
// events, what the library wrote must verify (hash chains, replay) and its history and report
// must read back: anything else is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/rules/engine.hpp"

namespace {

using namespace telecomply;
using nlohmann::json;

struct setting {
    fuzz::scratch_dir root{"case-events", /*in_memory=*/true};
    std::filesystem::path db = root.path() / "cases.db";
    case_manager manager{std::make_shared<const engine>(fuzz::rulesets_dir())};
    json application = fuzz::example("gd-retail-eligible");
};

setting& the_setting() {
    static setting s;
    return s;
}

[[noreturn]] void bug(const std::string& what) {
    std::fprintf(stderr, "fuzz_case_events: %s\n", what.c_str());
    std::abort();
}

std::string string_member(const json& j, const char* key, std::string fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

void feed(case_service& service, const std::string& id, const json& event) {
    if (!event.is_object()) return;
    if (const auto tick = event.find("tick"); tick != event.end()) {
        if (!tick->is_string()) return;
        const auto day = date::parse(tick->get<std::string>());
        if (day) fuzz::expected_errors([&] { (void)service.tick(*day); });
        return;
    }
    case_event e;
    e.type = string_member(event, "type", "");
    e.actor = string_member(event, "actor", "officer-7");
    e.at = string_member(event, "at", "");
    if (const auto data = event.find("data"); data != event.end()) e.data = *data;
    std::optional<std::int64_t> expected;
    if (const auto v = event.find("expect_version"); v != event.end() && v->is_number_integer())
        expected = v->get<std::int64_t>();
    fuzz::expected_errors([&] { (void)service.apply(id, e, expected); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& s = the_setting();
    const auto input = fuzz::parse_json(fuzz::text(data, size));
    if (!input) return 0;
    const json* events = &*input;
    const json* application = &s.application;
    if (input->is_object()) {
        const auto e = input->find("events");
        if (e == input->end()) return 0;
        events = &*e;
        if (const auto a = input->find("application"); a != input->end()) application = &*a;
    }
    if (!events->is_array()) return 0;

    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(s.db.string() + suffix);
    auto store = case_store::open(s.db);
    case_service service(store, s.manager, store_clock::fixed("2040-01-01T00:00:00+08:00"));
    std::string id;
    const bool created = fuzz::expected_errors([&] {
        id = service.create(*application, {"create", "officer-7", "2026-03-02T09:00:00+08:00"}).id;
    });
    if (!created) return 0;
    std::size_t n = 0;
    for (const auto& event : *events)
        if (++n <= 64) feed(service, id, event);

    // what the library wrote reads back and verifies
    const auto report = service.verify();
    if (!report.ok()) {
        std::string why;
        for (const auto& p : report.chains.problems)
            why += "\n  chain: " + p.case_id + " #" + std::to_string(p.seq) + ": " + p.message;
        for (const auto& r : report.replay)
            why += "\n  replay: " + r;
        bug("the store the library wrote does not verify:" + why);
    }
    (void)service.get(id).to_json().dump();
    (void)service.history(id);
    (void)service.report(id);
    return 0;
}
