#include "screening/context.hpp"

#include <limits>

#include "screening/phone_key.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

screening_context::screening_context(std::shared_ptr<const catalogue> rules,
                                     const std::vector<registry_entry>& registry,
                                     const std::vector<refusal>& refusals)
    : impl_(std::make_unique<impl>()) {
    auto& s = *impl_;
    s.rules = std::move(rules);
    if (!s.rules) throw usage_error("screening needs the rules (a catalogue), not nullptr");
    // entries of one number must be contiguous: group them in registry order
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> grouped;
    std::vector<std::uint64_t> order;
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const auto& e = registry[i];
        auto key = detail::phone_key(e.number);
        if (!key)
            throw input_error("<registry>", 0, "$[" + std::to_string(i) + "].number",
                              "'" + e.number + "' is not a phone number");
        if (e.region.empty())
            throw input_error("<registry>", 0, "$[" + std::to_string(i) + "].region",
                              "the entry names no region");
        if (const auto* r = find_region(e.region); r == nullptr || r->iso != e.region)
            throw input_error(
                "<registry>", 0, "$[" + std::to_string(i) + "].region",
                "'" + e.region + "' is not the ISO 3166-2 code of a province-level region");
        auto [it, fresh] = grouped.try_emplace(*key);
        if (fresh) order.push_back(*key);
        it->second.push_back(i);
    }
    for (auto key : order) {
        const auto& members = grouped[key];
        impl::entries_of range{static_cast<std::uint32_t>(s.entries.size()),
                               static_cast<std::uint32_t>(members.size())};
        for (auto i : members) {
            const auto& e = registry[i];
            std::uint16_t region = 0;
            while (region < s.regions.size() && s.regions[region] != e.region)
                ++region;
            if (region == s.regions.size()) s.regions.push_back(e.region);
            s.entries.push_back({region, static_cast<std::uint32_t>(s.intervals.size()),
                                 static_cast<std::uint32_t>(e.whitelisted.size())});
            s.intervals.insert(s.intervals.end(), e.whitelisted.begin(), e.whitelisted.end());
        }
        s.by_number.emplace(key, range);
    }
    for (std::size_t i = 0; i < refusals.size(); ++i) {
        auto key = detail::phone_key(refusals[i].callee);
        if (!key)
            throw input_error("<refusals>", 0, "$[" + std::to_string(i) + "].callee",
                              "'" + refusals[i].callee + "' is not a phone number");
        auto [it, fresh] = s.refused_at.try_emplace(*key, refusals[i].refused_at);
        if (!fresh && refusals[i].refused_at < it->second) it->second = refusals[i].refused_at;
    }
    if (!s.refused_at.empty()) {
        unsigned bits = 10;  // at least 1,024 bits
        while ((std::uint64_t{1} << bits) < s.refused_at.size() * 16 && bits < 40)
            ++bits;
        s.filter_shift = 64 - bits;
        s.refused_filter.assign((std::size_t{1} << bits) / 64, 0);
        for (const auto& [key, at] : s.refused_at) {
            (void)at;
            const std::uint64_t bit = impl::mix(key) >> s.filter_shift;
            s.refused_filter[bit >> 6] |= std::uint64_t{1} << (bit & 63);
        }
    }
}

screening_context::~screening_context() = default;
screening_context::screening_context(screening_context&&) noexcept = default;
screening_context& screening_context::operator=(screening_context&&) noexcept = default;

screening_context::impl::standing screening_context::impl::at(const entries_of& range,
                                                              std::int64_t t) const noexcept {
    standing out{true, false, entries[range.first].region};
    std::int64_t latest = std::numeric_limits<std::int64_t>::min();
    for (std::uint32_t k = range.first; k < range.first + range.count; ++k) {
        const entry& e = entries[k];
        for (std::uint32_t j = e.first; j < e.first + e.count; ++j) {
            const whitelist_interval& w = intervals[j];
            if (w.from > t) break;  // in time order
            if (!w.to || t < *w.to) out.whitelisted = true;
            if (w.from > latest) {
                latest = w.from;
                out.region = e.region;
            }
        }
    }
    return out;
}

}  // namespace telecomply
