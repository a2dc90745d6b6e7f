#pragma once
// When a case held which numbers whitelisted (docs/workflow.md, "The registry of whitelisted
// numbers"): a case's timeline, replayed from its history, and the registry entries it gives.
// What case_service::registry() and case_service::import_complaints() share. Private to the
// library.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/registry.hpp"

namespace telecomply {
class case_manager;
}

namespace telecomply::detail {

/// Whether a case in `state` holds its numbers whitelisted: whitelisted, change_pending,
/// renewal_review.
[[nodiscard]] bool whitelisting_state(std::string_view state) noexcept;

/// The instant of an event time in Unix seconds: its own, or 00:00 China Standard Time of a
/// bare day.
[[nodiscard]] std::int64_t instant_of(const event_time& t) noexcept;

/// A case after one of its events.
struct timeline_point {
    std::int64_t at = 0;   ///< from when it holds (Unix seconds): see timeline_of()
    std::int64_t seq = 0;  ///< the event
    std::string state;     ///< the state the event left the case in
    /// The numbers the case holds then (canonical, sorted): those of the application as it
    /// stood before a pending change (held_application), else of its application.
    std::vector<std::string> numbers;
};

/// A case's history as the registry reads it. A value type.
struct case_timeline {
    std::string case_id;
    std::string region;
    std::vector<timeline_point> points;  ///< one per event, in seq order; `at` never decreases
    std::vector<std::string> ever_held;  ///< every number of any point (canonical, sorted)

    /// The point in force at `t` (the last whose `at` is at or before it); nullptr before the
    /// case's first event.
    [[nodiscard]] const timeline_point* at(std::int64_t t) const noexcept;
    /// Whether the case holds `number` whitelisted at `t`.
    [[nodiscard]] bool whitelists(std::string_view number, std::int64_t t) const noexcept;
    /// Whether `number` is one the case held at any time.
    [[nodiscard]] bool held(std::string_view number) const noexcept;
};

/// The timeline of a case from its stored events (replayed with manager.replay(); the rules
/// the events were judged by must be known to the manager: case_service pins them first). An
/// event takes effect at its `at` (a bare day at 00:00 China Standard Time), but never before
/// the event before it (a bare day recorded after an instant of the same day takes effect at
/// that instant); a `timer` event at the first instant after the deadline's last day
/// (payload `last_day`), however late the tick that recorded it. Throws integrity_error naming
/// the case and event when an event's time does not parse; what replay() throws otherwise.
[[nodiscard]] case_timeline timeline_of(const case_manager& manager,
                                        const std::vector<stored_event>& events);

/// The registry entries of a timeline: one per number of ever_held, by number, with the
/// half-open intervals during which it was whitelisted (adjacent ones joined, empty ones
/// dropped; the last open while it still is).
[[nodiscard]] std::vector<registry_entry> registry_entries(const case_timeline& t);

}  // namespace telecomply::detail
