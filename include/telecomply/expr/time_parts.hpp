#pragma once
/// \file time_parts.hpp
/// Building the seconds and nanoseconds of timestamp and duration values (value::
/// from_timestamp(), value::from_duration()) from parts of any sign, e.g. a Python timedelta's
/// days, seconds and microseconds.

#include <cstdint>
#include <optional>

#include "telecomply/expr/value.hpp"

namespace telecomply {

/// A duration's parts from seconds and nanoseconds of any signs and sizes: |nanos| < 1e9 with
/// the sign of seconds, as value::from_duration() expects; e.g. (1, -1) gives (0, 999999999)
/// and (-1, 1) gives (0, -999999999). nullopt when the seconds overflow 64 bits. No range
/// check: CEL's durations stay within a signed 64-bit count of nanoseconds (about +-292 years),
/// and arithmetic beyond it yields overflow errors. Pure; thread-safe.
[[nodiscard]] std::optional<time_parts> normalized_duration(std::int64_t seconds,
                                                            std::int64_t nanos) noexcept;

/// A timestamp's parts (seconds since 1970-01-01T00:00:00Z) from seconds and nanoseconds of
/// any signs and sizes: nanos in [0, 1e9), as value::from_timestamp() expects; e.g. (1, -1)
/// gives (0, 999999999). nullopt when the seconds overflow 64 bits. No range check (CEL's
/// timestamps lie within years 0001-9999). Pure; thread-safe.
[[nodiscard]] std::optional<time_parts> normalized_timestamp(std::int64_t seconds,
                                                             std::int64_t nanos) noexcept;

}  // namespace telecomply
