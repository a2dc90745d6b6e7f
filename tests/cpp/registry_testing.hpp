#pragma once
// Helpers for tests of the registry of whitelisted numbers and of complaints: a scratch store
// with cases brought to `whitelisted` through the service, and instants in Unix seconds.

#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "service_testing.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/registry.hpp"

namespace telecomply {
// doctest prints intervals as the registry writes them
inline std::ostream& operator<<(std::ostream& out, const whitelist_interval& w) {
    return out << registry_entry{"", "", "", {w}}.to_json()["whitelisted"][0].dump();
}
}  // namespace telecomply

namespace telecomply::testing {

/// The instant of an event time in Unix seconds (a bare day: 00:00 China Standard Time).
inline std::int64_t instant(std::string_view at) {
    const auto t = event_time::parse(at);
    return t.unix_seconds ? *t.unix_seconds
                          : std::int64_t{t.day.days_since_epoch()} * 86400 - 8 * 3600;
}

/// The interval [from, to) of two event times; `to` "" for an open one.
inline whitelist_interval span(std::string_view from, std::string_view to = {}) {
    whitelist_interval w{instant(from), std::nullopt};
    if (!to.empty()) w.to = instant(to);
    return w;
}

struct registry_fixture : store_and_service {
    /// Applies an event that must be taken; returns its result.
    transition_result take(const std::string& id, const std::string& type, const std::string& at,
                           nlohmann::json data = nlohmann::json::object()) {
        INFO("event " << type << " at " << at << " on case " << id);
        return service.apply(id, ev(type, at, std::move(data)));
    }

    /// gd-retail-eligible (CN-GD, 11 numbers, 13866751415 the first) as case `id`, created and
    /// submitted 2026-03-16, accepted 03-17 and approved at `approve_at` (its validity's last
    /// day a year after).
    void whitelist_gd(const std::string& id, const std::string& approve_at = "2026-03-18") {
        service.create(example("gd-retail-eligible"), ev("create", "2026-03-16"), id);
        take(id, "submit", "2026-03-16");
        take(id, "accept", "2026-03-17");
        take(id, "approve", approve_at);
        REQUIRE(service.get(id).state == "whitelisted");
    }

    /// The registry's entry of `number` on case `id`; fails the test when there is none.
    static registry_entry entry(const std::vector<registry_entry>& reg, const std::string& number,
                                const std::string& id) {
        for (const auto& e : reg)
            if (e.number == number && e.case_id == id) return e;
        FAIL("no registry entry for " << number << " on case " << id);
        return {};
    }
};

}  // namespace telecomply::testing
