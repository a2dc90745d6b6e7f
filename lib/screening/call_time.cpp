#include "screening/call_time.hpp"

#include <chrono>
#include <cstdio>

#include "telecomply/base/date.hpp"

namespace telecomply::detail {

namespace {

// the time of day's fields (the date is date::parse()'s)
bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
    if (at + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_call_time(std::string_view s, bool date_alone) noexcept {
    if (s.size() < 10) return std::nullopt;
    const auto day = date::parse(s.substr(0, 10));
    if (!day) return std::nullopt;
    const std::int64_t days = day->days_since_epoch();
    if (s.size() == 10) {
        if (!date_alone) return std::nullopt;
        return days * k_day_s - k_cst_offset_s;
    }
    int h = 0, mi = 0, sec = 0;
    if ((s[10] != ' ' && s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s.size() < 16 ||
        s[13] != ':' || !digits(s, 14, 2, mi))
        return std::nullopt;
    std::size_t at = 16;
    if (at < s.size() && s[at] == ':') {
        if (!digits(s, at + 1, 2, sec)) return std::nullopt;
        at += 3;
        if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
            std::size_t end = at + 1;
            while (end < s.size() && s[end] >= '0' && s[end] <= '9')
                ++end;
            if (end == at + 1) return std::nullopt;
            at = end;
        }
    }
    // 24:00 is not a time of a call; a leap second (:60) is taken as the next second's start
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::int64_t offset = k_cst_offset_s;
    if (at < s.size()) {
        const char c = s[at];
        if ((c == 'Z' || c == 'z') && at + 1 == s.size()) {
            offset = 0;
        } else if (c == '+' || c == '-') {
            int oh = 0, om = 0;
            std::size_t next = at + 3;
            if (!digits(s, at + 1, 2, oh)) return std::nullopt;
            if (next < s.size() && s[next] == ':') ++next;
            if (!digits(s, next, 2, om) || next + 2 != s.size() || oh > 23 || om > 59)
                return std::nullopt;
            offset = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
        } else {
            return std::nullopt;
        }
    }
    return days * k_day_s + h * 3600 + mi * 60 + sec - offset;
}

std::string format_local_time(std::int64_t unix_s) {
    const std::int64_t day = local_day(unix_s);
    const std::int64_t sod = unix_s + k_cst_offset_s - day * k_day_s;
    const std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{static_cast<int>(day)}}};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(sod / 3600),
                  static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
    return buf;
}

}  // namespace telecomply::detail
