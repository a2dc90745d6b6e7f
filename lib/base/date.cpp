#include "telecomply/base/date.hpp"

#include <cstdio>

#include "telecomply/base/error.hpp"

namespace telecomply {

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}
}  // namespace

std::optional<date> date::from_ymd(int year, unsigned month, unsigned day) noexcept {
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                          std::chrono::day{day}};
    if (!ymd.ok()) return std::nullopt;
    return date{std::chrono::sys_days{ymd}};
}

std::optional<date> date::parse(std::string_view s) noexcept {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0, m = 0, d = 0;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d) || y == 0)
        return std::nullopt;
    return from_ymd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

date date::parse_or_throw(std::string_view text) {
    if (auto d = parse(text)) return *d;
    throw usage_error("not a date (YYYY-MM-DD): '" + std::string(text) + "'");
}

int date::year() const noexcept {
    return static_cast<int>(ymd().year());
}
unsigned date::month() const noexcept {
    return static_cast<unsigned>(ymd().month());
}
unsigned date::day() const noexcept {
    return static_cast<unsigned>(ymd().day());
}

unsigned date::iso_weekday() const noexcept {
    return std::chrono::weekday{sys_days()}.iso_encoding();
}

date date::add_months(int n) const noexcept {
    auto ymd0 = ymd();
    auto ym = std::chrono::year_month{ymd0.year(), ymd0.month()} + std::chrono::months{n};
    auto last =
        std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}};
    auto d = ymd0.day() > last.day() ? last.day() : ymd0.day();
    return date{std::chrono::sys_days{std::chrono::year_month_day{ym.year(), ym.month(), d}}};
}

std::string date::to_string() const {
    const int y = year();
    const unsigned m = month(), d = day();
    if (y >= 0 && y <= 9999) {  // every date met in practice: no formatting machinery
        const char text[10] = {static_cast<char>('0' + y / 1000),
                               static_cast<char>('0' + y / 100 % 10),
                               static_cast<char>('0' + y / 10 % 10),
                               static_cast<char>('0' + y % 10),
                               '-',
                               static_cast<char>('0' + m / 10),
                               static_cast<char>('0' + m % 10),
                               '-',
                               static_cast<char>('0' + d / 10),
                               static_cast<char>('0' + d % 10)};
        return {text, sizeof text};
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

std::optional<time_of_day> time_of_day::parse(std::string_view s) noexcept {
    if (s.size() != 5 && s.size() != 8) return std::nullopt;
    int h = 0, m = 0, sec = 0;
    if (s[2] != ':' || !digits(s, 0, 2, h) || !digits(s, 3, 2, m)) return std::nullopt;
    if (s.size() == 8 && (s[5] != ':' || !digits(s, 6, 2, sec) || sec != 0)) return std::nullopt;
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return time_of_day{h * 60 + m};
}

std::string time_of_day::to_string() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", hour(), minute());
    return buf;
}

}  // namespace telecomply
