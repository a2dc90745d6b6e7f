#pragma once
/// \file call_time.hpp
/// The times of call records: local date-times in China Standard Time (UTC+8, no daylight
/// saving since 1991) and RFC 3339 instants, as Unix seconds. Private to the library.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telecomply::detail {

/// China Standard Time's offset from UTC, in seconds.
inline constexpr std::int64_t k_cst_offset_s = 8 * 3600;
inline constexpr std::int64_t k_day_s = 86400;

/// Unix seconds of `YYYY-MM-DD HH:MM[:SS[.fraction]]` (a space or `T` between date and time),
/// a local time in China Standard Time unless followed by `Z` or an offset `±HH:MM` (RFC 3339),
/// which is converted. A fraction of a second is dropped (the time is the second it falls in).
/// With `date_alone`, a bare `YYYY-MM-DD` is 00:00 that day in China Standard Time. nullopt for
/// any other text, or a date or time that does not exist.
[[nodiscard]] std::optional<std::int64_t> parse_call_time(std::string_view text,
                                                          bool date_alone = false) noexcept;

/// The local day (days since 1970-01-01 in China Standard Time) of an instant.
[[nodiscard]] constexpr std::int64_t local_day(std::int64_t unix_s) noexcept {
    const std::int64_t t = unix_s + k_cst_offset_s;
    return t >= 0 ? t / k_day_s : (t - k_day_s + 1) / k_day_s;
}

/// `YYYY-MM-DD HH:MM:SS`, the local time in China Standard Time of an instant.
[[nodiscard]] std::string format_local_time(std::int64_t unix_s);

}  // namespace telecomply::detail
