// Event times and the store's clock (include/telecomply/cases/event_time.hpp).

#include "telecomply/cases/event_time.hpp"

#include <cstdlib>

#include "expr/time.hpp"
#include "telecomply/base/clock.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

namespace {

constexpr std::int64_t k_cst_offset = std::int64_t{8} * 3600;  // UTC+8, no daylight saving

date cst_day(std::int64_t unix_seconds) {
    const std::int64_t local = unix_seconds + k_cst_offset;
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    return date{static_cast<std::int32_t>(days)};
}

}  // namespace

event_time event_time::parse(std::string_view at) {
    if (at.size() == 10) {
        if (auto d = date::parse(at)) return {*d, std::nullopt};
    } else if (auto t = detail::parse_timestamp(at)) {
        return {cst_day(t->seconds), t->seconds};
    }
    throw usage_error("event time '" + std::string(at) +
                      "' is neither YYYY-MM-DD nor an RFC 3339 time");
}

bool event_time::before(const event_time& other) const noexcept {
    if (day != other.day) return day < other.day;
    return unix_seconds && other.unix_seconds && *unix_seconds < *other.unix_seconds;
}

store_clock store_clock::fixed(std::string_view at) {
    const event_time t = event_time::parse(at);
    const std::int64_t secs = t.unix_seconds
                                  ? *t.unix_seconds
                                  : std::int64_t{t.day.days_since_epoch()} * 86400 - k_cst_offset;
    store_clock c;
    c.fixed_ = std::chrono::system_clock::time_point{std::chrono::seconds{secs}};
    return c;
}

store_clock store_clock::from_environment() {
    const char* v = std::getenv("TELECOMPLY_NOW");  // NOLINT(concurrency-mt-unsafe): read once
    if (v == nullptr || *v == '\0') return {};
    try {
        return fixed(v);
    } catch (const usage_error& e) {
        throw usage_error(std::string("TELECOMPLY_NOW: ") + e.what());
    }
}

std::chrono::system_clock::time_point store_clock::now() const {
    return fixed_ ? *fixed_ : std::chrono::system_clock::now();
}

std::string store_clock::now_text() const {
    return to_rfc3339_cst(now());
}

date store_clock::today() const {
    return cst_day(
        std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count());
}

}  // namespace telecomply
