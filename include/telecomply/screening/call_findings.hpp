#pragma once
/// \file call_findings.hpp
/// What screening says of call records (docs/policy.md §6): the finding codes of one call, the
/// number-day findings of the daily cap, a bad input row, and the refusal list.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "telecomply/base/date.hpp"

namespace telecomply {

/// The findings one call can have, as bits of a mask (a call can have several). The names are
/// the policy's finding codes (to_string()).
enum class call_finding : std::uint8_t {
    caller_not_whitelisted = 1,   ///< CALLER_NOT_WHITELISTED
    outside_calling_window = 2,   ///< OUTSIDE_CALLING_WINDOW
    daily_call_cap_exceeded = 4,  ///< DAILY_CALL_CAP_EXCEEDED (a call after the cap-th)
    callee_refused = 8,           ///< CALLEE_REFUSED
};

/// Every call_finding, in the order of their codes' names (sorted).
inline constexpr call_finding all_call_findings[] = {
    call_finding::callee_refused, call_finding::caller_not_whitelisted,
    call_finding::daily_call_cap_exceeded, call_finding::outside_calling_window};

/// The finding code: "CALLER_NOT_WHITELISTED", "OUTSIDE_CALLING_WINDOW",
/// "DAILY_CALL_CAP_EXCEEDED", "CALLEE_REFUSED".
[[nodiscard]] std::string_view to_string(call_finding f) noexcept;
/// The codes of a mask of call_finding bits, sorted by name.
[[nodiscard]] std::vector<std::string_view> call_finding_codes(std::uint8_t mask);

/// A number-day over its cap: the caller made more than the cap's calls on one local date
/// (China Standard Time). A value type.
struct number_day_finding {
    std::string number;      ///< the caller, canonical_phone() form
    date day;                ///< the local date
    std::string region;      ///< the caller's region (whose rules gave the cap)
    std::int64_t count = 0;  ///< its calls that day
    std::int64_t cap = 0;    ///< params.daily_call_cap of the rules in force that day
    bool operator==(const number_day_finding&) const = default;
};

/// An input row that could not be screened: which row (1-based data row, the header not
/// counted), which column, and what is wrong with it. A value type.
struct call_row_error {
    std::int64_t row = 0;
    std::int64_t line = 0;  ///< its line in a text file (CSV), 0 otherwise
    std::string column;     ///< "caller", "callee", "start", "duration_s", or "" for the row
    std::string message;    ///< what is wrong, in English, naming the column
    bool operator==(const call_row_error&) const = default;
};

/// A callee who refused commercial calls, from `refused_at` (Unix seconds) on.
struct refusal {
    std::string callee;           ///< canonical form (or the digits, for a short number)
    std::int64_t refused_at = 0;  ///< Unix seconds
    bool operator==(const refusal&) const = default;
};

/// Reads a refusal list: CSV with a header naming `callee` and `refused_at`, or JSON Lines of
/// `{"callee", "refused_at"}` (chosen by the first character that is not a blank: `{` for JSON
/// Lines; text of blanks only is no refusal). `refused_at` is a local date-time in China
/// Standard Time (`2026-03-18 09:30:00`), RFC 3339 with any offset, or a date (00:00 that day).
/// Throws input_error naming `name`, the line and the column or JSON path of the first bad
/// record, or a CSV header naming `callee` or `refused_at` twice.
[[nodiscard]] std::vector<refusal> parse_refusals(std::string_view text, std::string_view name);
/// parse_refusals() of a file; throws input_error when it cannot be read.
[[nodiscard]] std::vector<refusal> read_refusals(const std::filesystem::path& file);

}  // namespace telecomply
