#pragma once
/// \file event_time.hpp
/// When events happen: an event's time as given (a day, or an instant), and the store's clock,
/// the "now" that event times are judged against (docs/policy.md §8: an event is never dated
/// before its case's last event, nor more than one day after the store's clock).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "telecomply/base/date.hpp"

namespace telecomply {

/// An event's time as its caller gave it: a day (`YYYY-MM-DD`) or an instant (RFC 3339, any
/// offset). `day` is the date in China Standard Time (UTC+8), the zone deadlines are counted in.
/// A value type.
struct event_time {
    date day;                                  ///< the day, in China Standard Time
    std::optional<std::int64_t> unix_seconds;  ///< the instant, when a time of day was given

    /// Parses `YYYY-MM-DD` or an RFC 3339 time; throws usage_error naming the text otherwise.
    static event_time parse(std::string_view at);

    /// Whether this time is certainly before `other`: on an earlier day, or on the same day
    /// at an earlier instant when both have one (a bare day is not before an instant on it).
    [[nodiscard]] bool before(const event_time& other) const noexcept;
};

/// Where a case store's "now" comes from: the system clock, or a fixed time that tests,
/// simulations and back-dated imports set (CLI `--now`, the TELECOMPLY_NOW environment
/// variable, Python `CaseStore(now=...)`). A value type; thread-safe.
class store_clock {
  public:
    /// The system clock.
    store_clock() = default;
    /// A fixed time: an RFC 3339 time, or a `YYYY-MM-DD` day (its first instant in China
    /// Standard Time). Throws usage_error for other text.
    static store_clock fixed(std::string_view at);
    /// TELECOMPLY_NOW when the variable is set and not empty (as fixed()), else the system
    /// clock. Throws usage_error, naming the variable, for a value fixed() refuses.
    static store_clock from_environment();

    /// The current time.
    [[nodiscard]] std::chrono::system_clock::time_point now() const;
    /// The current time as RFC 3339 in China Standard Time, e.g. "2026-03-02T09:30:00+08:00"
    /// (the default `at` of an event).
    [[nodiscard]] std::string now_text() const;
    /// Today in China Standard Time.
    [[nodiscard]] date today() const;
    /// Whether a fixed time was set.
    [[nodiscard]] bool is_fixed() const noexcept { return fixed_.has_value(); }

  private:
    std::optional<std::chrono::system_clock::time_point> fixed_;
};

}  // namespace telecomply
