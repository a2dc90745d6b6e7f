#pragma once
/// \file context.hpp
/// What a screening_context holds: the registry indexed by number, the refusals by callee, the
/// rules. Private to the library.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "telecomply/cases/registry.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/screening/screener.hpp"

namespace telecomply {

struct screening_context::impl {
    /// One registry entry: its region and its intervals (a range of `intervals`).
    struct entry {
        std::uint16_t region = 0;  ///< index into `regions`
        std::uint32_t first = 0, count = 0;
    };
    /// A number's entries: a range of `entries`, in registry order.
    struct entries_of {
        std::uint32_t first = 0, count = 0;
    };
    /// What the registry says of a caller at an instant.
    struct standing {
        bool listed = false;       ///< the number has an entry (its region is known)
        bool whitelisted = false;  ///< a case held it whitelisted at that instant
        std::uint16_t region = 0;
    };

    std::shared_ptr<const catalogue> rules;
    std::vector<std::string> regions;
    std::vector<whitelist_interval> intervals;
    std::vector<entry> entries;
    std::unordered_map<std::uint64_t, entries_of> by_number;
    std::unordered_map<std::uint64_t, std::int64_t> refused_at;  ///< callee -> earliest
    /// A one-hash Bloom filter over refused_at's keys (16 bits a refusal): most callees were
    /// never refused, and a bit test answers them without a hash-table probe.
    std::vector<std::uint64_t> refused_filter;
    unsigned filter_shift = 64;

    [[nodiscard]] static std::uint64_t mix(std::uint64_t key) noexcept {
        return key * 0x9E3779B97F4A7C15ULL;  // Fibonacci hashing: the top bits are well mixed
    }
    /// False when `callee` is certainly not refused.
    [[nodiscard]] bool maybe_refused(std::uint64_t callee) const noexcept {
        if (refused_filter.empty()) return false;
        const std::uint64_t bit = mix(callee) >> filter_shift;
        return (refused_filter[bit >> 6] >> (bit & 63)) & 1U;
    }

    /// The caller's standing at `t` (docs/policy.md §6): whitelisted when any entry's interval
    /// holds `t`; its region that of the entry whose latest interval starting at or before `t`
    /// starts last (its most recent case), else its first entry's.
    [[nodiscard]] standing at(const entries_of& range, std::int64_t t) const noexcept;
};

}  // namespace telecomply
