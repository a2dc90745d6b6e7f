#pragma once
// Timestamps and durations as CEL defines them: seconds + nanoseconds, timestamps within
// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, durations within a signed 64-bit count
// of nanoseconds (about +-292 years), as cel-go and cel-cpp bound them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

inline constexpr std::int64_t min_timestamp_seconds = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr std::int64_t max_timestamp_seconds = 253402300799;  // 9999-12-31T23:59:59Z
inline constexpr std::int64_t max_duration_seconds = 9223372036;     // INT64_MAX ns

/// Normalises seconds + nanos so that nanos is in [0, 1e9) (timestamps).
bool normalize_timestamp(std::int64_t& seconds, std::int64_t& nanos) noexcept;
/// Normalises so that nanos has the sign of seconds and |nanos| < 1e9 (durations).
bool normalize_duration(std::int64_t& seconds, std::int64_t& nanos) noexcept;
bool timestamp_in_range(time_parts t) noexcept;
bool duration_in_range(time_parts t) noexcept;

/// RFC 3339, e.g. "2009-02-13T23:31:30Z", "2009-02-13T23:31:30.123+01:00".
std::optional<time_parts> parse_timestamp(std::string_view s) noexcept;
/// RFC 3339 in UTC with the fraction trimmed of trailing zeros (as Go's RFC3339Nano).
std::string format_timestamp(time_parts t);
/// Go-style duration: "1h2m3.5s", "-1.5h", "100ms", "3us", "10ns".
std::optional<time_parts> parse_duration(std::string_view s) noexcept;
/// Seconds with a trimmed fraction and an "s": "1000000s", "1.5s", "-0.000000001s".
std::string format_duration(time_parts d);

/// Civil time fields of a timestamp in a time zone ("UTC", an IANA name, or "+hh:mm"/"-hh:mm"
/// or "hh:mm"). nullopt when the zone is unknown.
struct civil_time {
    std::int64_t year;
    unsigned month;  // 1-12
    unsigned day;    // 1-31
    unsigned hour, minute, second;
    unsigned day_of_week;  // 0 = Sunday
    unsigned day_of_year;  // 0-based
    std::int32_t nanos;
};
std::optional<civil_time> to_civil(time_parts t, std::string_view zone);

/// Go's strconv.FormatFloat(d, 'g', -1, 64), which CEL's string(double) follows.
std::string format_double(double d);

}  // namespace telecomply::detail
