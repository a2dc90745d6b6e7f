#pragma once
/// \file call_columns.hpp
/// Turning the values of call-record columns into the numbers the kernel judges, with the
/// messages of a bad value: shared by the CSV and Arrow readers. Private to the library.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "screening/call_batch.hpp"

namespace telecomply::detail {

/// The columns a call record needs, by their names.
inline constexpr std::string_view k_caller = "caller";
inline constexpr std::string_view k_callee = "callee";
inline constexpr std::string_view k_start = "start";
inline constexpr std::string_view k_duration = "duration_s";

/// Sets `out` to the phone_key() of `text`, or fails row `i` naming `column`.
void read_number(call_batch& b, std::size_t i, std::string_view column, std::string_view text,
                 std::uint64_t& out);
/// The same for an integer value.
void read_number(call_batch& b, std::size_t i, std::string_view column, std::int64_t value,
                 std::uint64_t& out);
/// Sets b.start[i] from a date-time text (parse_call_time()), or fails the row.
void read_start(call_batch& b, std::size_t i, std::string_view text);
/// Sets b.duration[i] from a whole number of seconds written as text, or fails the row.
void read_duration(call_batch& b, std::size_t i, std::string_view text);
/// Sets b.duration[i] from a number (integral, ≥ 0, at most a year), or fails the row.
void read_duration(call_batch& b, std::size_t i, double seconds);
void read_duration(call_batch& b, std::size_t i, std::int64_t seconds);
/// Fails row `i`: `column` has no value.
void missing(call_batch& b, std::size_t i, std::string_view column);

}  // namespace telecomply::detail
