// Building timestamp and duration parts (include/telecomply/expr/time_parts.hpp).

#include "telecomply/expr/time_parts.hpp"

#include "expr/time.hpp"

namespace telecomply {

std::optional<time_parts> normalized_duration(std::int64_t seconds, std::int64_t nanos) noexcept {
    if (!detail::normalize_duration(seconds, nanos)) return std::nullopt;
    return time_parts{seconds, static_cast<std::int32_t>(nanos)};
}

std::optional<time_parts> normalized_timestamp(std::int64_t seconds, std::int64_t nanos) noexcept {
    if (!detail::normalize_timestamp(seconds, nanos)) return std::nullopt;
    return time_parts{seconds, static_cast<std::int32_t>(nanos)};
}

}  // namespace telecomply
