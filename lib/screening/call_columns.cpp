#include "screening/call_columns.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "base/utf8.hpp"
#include "screening/call_time.hpp"
#include "screening/phone_key.hpp"

namespace telecomply::detail {

namespace {

/// A value as quoted in a message: at most 40 bytes of it, cut between characters, and valid
/// UTF-8 whatever the input's bytes (a message goes into JSON and into Python strings).
std::string quoted(std::string_view text) {
    if (text.size() <= 40) return "'" + utf8::sanitize(text) + "'";
    std::size_t cut = 40;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return "'" + utf8::sanitize(text.substr(0, cut)) + "...'";
}

// A call longer than a year is not a call record but a broken one.
constexpr std::int64_t k_max_duration_s = 366 * k_day_s;

}  // namespace

void read_number(call_batch& b, std::size_t i, std::string_view column, std::string_view text,
                 std::uint64_t& out) {
    if (auto key = phone_key(text)) {
        out = *key;
        return;
    }
    if (text.empty()) return missing(b, i, column);
    b.fail(i, std::string(column),
           std::string(column) + ": " + quoted(text) + " is not a phone number");
}

void read_number(call_batch& b, std::size_t i, std::string_view column, std::int64_t value,
                 std::uint64_t& out) {
    if (auto key = phone_key(value)) {
        out = *key;
        return;
    }
    b.fail(i, std::string(column),
           std::string(column) + ": " + std::to_string(value) + " is not a phone number");
}

void read_start(call_batch& b, std::size_t i, std::string_view text) {
    if (auto t = parse_call_time(text)) {
        b.start[i] = *t;
        return;
    }
    if (text.empty()) return missing(b, i, k_start);
    b.fail(i, std::string(k_start),
           "start: " + quoted(text) +
               " is not a date-time (YYYY-MM-DD HH:MM:SS in China Standard Time, or RFC 3339)");
}

void read_duration(call_batch& b, std::size_t i, std::string_view text) {
    if (text.empty()) return missing(b, i, k_duration);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc{} && end == text.data() + text.size()) return read_duration(b, i, v);
    double d = 0;
    auto [dend, dec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (dec == std::errc{} && dend == text.data() + text.size()) return read_duration(b, i, d);
    b.fail(i, std::string(k_duration),
           "duration_s: " + quoted(text) + " is not a whole number of seconds");
}

void read_duration(call_batch& b, std::size_t i, double seconds) {
    if (std::isfinite(seconds) && seconds == std::floor(seconds) && seconds >= 0 &&
        seconds <= static_cast<double>(k_max_duration_s))
        return read_duration(b, i, static_cast<std::int64_t>(seconds));
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, seconds);
    (void)ec;
    b.fail(i, std::string(k_duration),
           "duration_s: " + std::string(buf, end) +
               " is not a whole number of seconds from 0 to a year");
}

void read_duration(call_batch& b, std::size_t i, std::int64_t seconds) {
    if (seconds >= 0 && seconds <= k_max_duration_s) {
        b.duration[i] = seconds;
        return;
    }
    b.fail(i, std::string(k_duration),
           "duration_s: " + std::to_string(seconds) +
               " is not a whole number of seconds from 0 to a year");
}

void missing(call_batch& b, std::size_t i, std::string_view column) {
    b.fail(i, std::string(column), std::string(column) + ": missing");
}

void call_batch::sort_errors() {
    std::stable_sort(
        errors.begin(), errors.end(),
        [](const call_row_error& a, const call_row_error& z) { return a.row < z.row; });
}

}  // namespace telecomply::detail
