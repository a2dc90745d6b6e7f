#pragma once
/// \file clock.hpp
/// The current time as the workflow records it: RFC 3339 in China Standard Time (UTC+8, no
/// daylight saving), the zone every deadline and event date of a case is counted in.

#include <chrono>
#include <string>

namespace telecomply {

/// `t` in China Standard Time as RFC 3339 to the second, e.g. "2026-03-02T09:30:00+08:00"
/// (the fraction of a second is dropped, not rounded). Years 0001-9999. Pure; thread-safe.
[[nodiscard]] std::string to_rfc3339_cst(std::chrono::system_clock::time_point t);

/// The current time (std::chrono::system_clock) in China Standard Time as RFC 3339, the
/// default `at` of an event: to_rfc3339_cst(now). Thread-safe.
[[nodiscard]] std::string now_cst();

}  // namespace telecomply
