// CEL timestamps and durations: parsing, formatting, range rules and time-zone accessors.

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include <date/tz.h>

#include "expr/time.hpp"

namespace telecomply::detail {

namespace {
constexpr std::int64_t nanos_per_second = 1'000'000'000;
__extension__ typedef __int128 i128;  // exact overflow checks while summing duration parts

bool read_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) noexcept {
    if (i + n > s.size()) return false;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const char c = s[i + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    i += n;
    out = v;
    return true;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    return std::chrono::sys_days{std::chrono::year{static_cast<int>(y)} / std::chrono::month{m} /
                                 std::chrono::day{d}}
        .time_since_epoch()
        .count();
}

std::string trimmed_fraction(std::int32_t nanos) {
    if (nanos == 0) return {};
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
    std::string f(buf);
    while (f.back() == '0')
        f.pop_back();
    return f;
}
}  // namespace

bool normalize_timestamp(std::int64_t& seconds, std::int64_t& nanos) noexcept {
    if (nanos >= nanos_per_second || nanos <= -nanos_per_second) {
        if (__builtin_add_overflow(seconds, nanos / nanos_per_second, &seconds)) return false;
        nanos %= nanos_per_second;
    }
    if (nanos < 0) {
        if (__builtin_sub_overflow(seconds, 1, &seconds)) return false;
        nanos += nanos_per_second;
    }
    return true;
}

bool normalize_duration(std::int64_t& seconds, std::int64_t& nanos) noexcept {
    if (nanos >= nanos_per_second || nanos <= -nanos_per_second) {
        if (__builtin_add_overflow(seconds, nanos / nanos_per_second, &seconds)) return false;
        nanos %= nanos_per_second;
    }
    if (seconds > 0 && nanos < 0) {
        --seconds;
        nanos += nanos_per_second;
    } else if (seconds < 0 && nanos > 0) {
        ++seconds;
        nanos -= nanos_per_second;
    }
    return true;
}

bool timestamp_in_range(time_parts t) noexcept {
    return t.seconds >= min_timestamp_seconds && t.seconds <= max_timestamp_seconds;
}

bool duration_in_range(time_parts t) noexcept {
    // Durations are 64-bit nanosecond counts (about +-292 years), as in cel-go and cel-cpp.
    if (t.seconds > max_duration_seconds || t.seconds < -max_duration_seconds) return false;
    if (t.seconds == max_duration_seconds) return t.nanos <= 854775807;
    if (t.seconds == -max_duration_seconds) return t.nanos >= -854775808;
    return true;
}

std::optional<time_parts> parse_timestamp(std::string_view s) noexcept {
    std::size_t i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!read_digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !read_digits(s, i, 2, mo) ||
        i >= s.size() || s[i++] != '-' || !read_digits(s, i, 2, d) || i >= s.size() ||
        (s[i] != 'T' && s[i] != 't'))
        return std::nullopt;
    ++i;
    if (!read_digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !read_digits(s, i, 2, mi) ||
        i >= s.size() || s[i++] != ':' || !read_digits(s, i, 2, se))
        return std::nullopt;
    std::int64_t nanos = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 9) nanos = nanos * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        for (std::size_t k = digits; k < 9; ++k)
            nanos *= 10;
    }
    if (i >= s.size()) return std::nullopt;
    std::int64_t offset = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
    } else if (s[i] == '+' || s[i] == '-') {
        const int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh = 0, om = 0;
        if (!read_digits(s, i, 2, oh) || i >= s.size() || s[i++] != ':' ||
            !read_digits(s, i, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || y == 0) return std::nullopt;
    if (se == 60) se = 59;  // leap second: clamp, as protobuf does
    const std::int64_t secs =
        days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
        mi * 60 + se - offset;
    time_parts t{secs, static_cast<std::int32_t>(nanos)};
    if (!timestamp_in_range(t)) return std::nullopt;
    return t;
}

std::string format_timestamp(time_parts t) {
    const std::int64_t days = t.seconds >= 0 ? t.seconds / 86400 : (t.seconds - 86399) / 86400;
    const std::int64_t rem = t.seconds - days * 86400;
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(rem / 3600), static_cast<int>((rem / 60) % 60),
                  static_cast<int>(rem % 60));
    return std::string(buf) + trimmed_fraction(t.nanos) + "Z";
}

std::optional<time_parts> parse_duration(std::string_view s) noexcept {
    // A signed sequence of decimal numbers with unit suffixes, as Go's time.ParseDuration.
    // Every quantity is kept within `limit` (2^63 ns, the magnitude of the most negative
    // duration) and checked before the step that could take it past: the digits of a number,
    // its product with the unit, the sum of the parts. 128-bit arithmetic then cannot overflow:
    // no intermediate value exceeds 10 * 2^63 + 9 (a number's next digit), 2^64 + 2^42 (a sum)
    // or 10^18 * 3.6 * 10^12 < 2^102 (a fraction times the unit).
    constexpr i128 limit = static_cast<i128>(1) << 63;
    if (s.empty()) return std::nullopt;
    std::size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        ++i;
    }
    if (s.substr(i) == "0") return time_parts{0, 0};
    if (i >= s.size()) return std::nullopt;
    i128 total = 0;  // nanoseconds, in [0, limit]
    while (i < s.size()) {
        i128 whole = 0;  // in [0, limit]
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            whole = whole * 10 + (s[i] - '0');
            if (whole > limit) return std::nullopt;  // at least 1ns a unit: out of range
            ++i;
        }
        const bool had_whole = i > start;
        // digits past the 18th are dropped: frac < scale <= 10^18
        constexpr i128 max_scale = 1'000'000'000'000'000'000LL;
        i128 frac = 0, scale = 1;
        bool had_frac = false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                if (scale < max_scale) {
                    frac = frac * 10 + (s[i] - '0');
                    scale *= 10;
                }
                had_frac = true;
                ++i;
            }
        }
        if (!had_whole && !had_frac) return std::nullopt;
        std::int64_t unit = 0;
        auto rest = s.substr(i);
        std::size_t ulen = 0;
        if (rest.starts_with("ns"))
            unit = 1, ulen = 2;
        else if (rest.starts_with("us"))
            unit = 1000, ulen = 2;
        else if (rest.starts_with("\xC2\xB5s"))
            unit = 1000, ulen = 3;  // µs
        else if (rest.starts_with("ms"))
            unit = 1'000'000, ulen = 2;
        else if (rest.starts_with("s"))
            unit = nanos_per_second, ulen = 1;
        else if (rest.starts_with("m"))
            unit = 60 * nanos_per_second, ulen = 1;
        else if (rest.starts_with("h"))
            unit = 3600 * nanos_per_second, ulen = 1;
        else
            return std::nullopt;
        i += ulen;
        static_assert(max_scale * 3600 * nanos_per_second < (static_cast<i128>(1) << 102));
        if (whole > limit / unit) return std::nullopt;  // whole * unit > limit
        // frac < scale: the fraction adds less than one unit, so the sum stays below 2 * limit
        total += whole * unit + frac * unit / scale;
        if (total > limit) return std::nullopt;
    }
    if (neg) total = -total;
    time_parts d{static_cast<std::int64_t>(total / nanos_per_second),
                 static_cast<std::int32_t>(total % nanos_per_second)};
    if (!duration_in_range(d)) return std::nullopt;
    return d;
}

std::string format_duration(time_parts d) {
    std::string out;
    if (d.seconds < 0 || d.nanos < 0) out.push_back('-');
    const std::uint64_t s = d.seconds < 0 ? static_cast<std::uint64_t>(-(d.seconds + 1)) + 1
                                          : static_cast<std::uint64_t>(d.seconds);
    out += std::to_string(s);
    out += trimmed_fraction(d.nanos < 0 ? -d.nanos : d.nanos);
    out.push_back('s');
    return out;
}

std::optional<civil_time> to_civil(time_parts t, std::string_view zone) {
    using namespace std::chrono;
    std::int64_t offset = 0;
    bool fixed = false;
    if (zone.empty() || zone == "UTC" || zone == "Z") {
        fixed = true;
    } else if (zone.size() >= 5 &&
               (zone[0] == '+' || zone[0] == '-' || (zone[0] >= '0' && zone[0] <= '9'))) {
        std::size_t i = (zone[0] == '+' || zone[0] == '-') ? 1 : 0;
        const int sign = zone[0] == '-' ? -1 : 1;
        int h = 0, m = 0;
        if (!read_digits(zone, i, 2, h) || i >= zone.size() || zone[i++] != ':' ||
            !read_digits(zone, i, 2, m) || i != zone.size() || h > 23 || m > 59)
            return std::nullopt;
        offset = sign * (h * 3600 + m * 60);
        fixed = true;
    }
    if (!fixed) {
        try {
            const auto* tz = ::date::locate_zone(std::string(zone));
            const auto info = tz->get_info(sys_seconds{seconds{t.seconds}});
            offset = info.offset.count();
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    const std::int64_t local = t.seconds + offset;
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const std::int64_t rem = local - days * 86400;
    const sys_days sd{std::chrono::days{days}};
    const year_month_day ymd{sd};
    const year_month_day jan1{ymd.year() / January / 1};
    civil_time c{};
    c.year = static_cast<int>(ymd.year());
    c.month = static_cast<unsigned>(ymd.month());
    c.day = static_cast<unsigned>(ymd.day());
    c.hour = static_cast<unsigned>(rem / 3600);
    c.minute = static_cast<unsigned>((rem / 60) % 60);
    c.second = static_cast<unsigned>(rem % 60);
    c.day_of_week = weekday{sd}.c_encoding();
    c.day_of_year = static_cast<unsigned>((sd - sys_days{jan1}).count());
    c.nanos = t.nanos;
    return c;
}

std::string format_double(double d) {
    if (d != d) return "NaN";
    if (d == __builtin_inf()) return "+Inf";
    if (d == -__builtin_inf()) return "-Inf";
    // Shortest round-trip digits, then Go's 'g' layout: exponent form when exp < -4 || exp >= 6.
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, r.ptr);
    const auto epos = sci.find('e');
    std::string mant = sci.substr(0, epos);
    const int exp = std::stoi(sci.substr(epos + 1));
    bool neg = false;
    if (!mant.empty() && mant[0] == '-') {
        neg = true;
        mant.erase(0, 1);
    }
    std::string digits;
    for (char c : mant)
        if (c != '.') digits.push_back(c);
    std::string out = neg ? "-" : "";
    if (exp < -4 || exp >= 6) {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        out += eb;
        return out;
    }
    const int dp = exp + 1;  // digits before the decimal point
    if (dp <= 0) {
        out += "0." + std::string(static_cast<std::size_t>(-dp), '0') + digits;
    } else if (static_cast<std::size_t>(dp) >= digits.size()) {
        out += digits + std::string(static_cast<std::size_t>(dp) - digits.size(), '0');
    } else {
        out += digits.substr(0, static_cast<std::size_t>(dp)) + "." +
               digits.substr(static_cast<std::size_t>(dp));
    }
    return out;
}

}  // namespace telecomply::detail
