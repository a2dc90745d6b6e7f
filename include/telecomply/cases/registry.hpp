#pragma once
/// \file registry.hpp
/// The registry of whitelisted numbers (docs/policy.md §6): for every number on every case, the
/// intervals of time during which that case held it whitelisted. Built from a case store's
/// histories (case_service::registry()), exported and read as JSON Lines, and what call-record
/// screening judges callers against (screening/screener.hpp).

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace telecomply {

/// A half-open interval `[from, to)` of instants, in Unix seconds; `to` is nullopt while the
/// interval is still open. A value type.
struct whitelist_interval {
    std::int64_t from = 0;
    std::optional<std::int64_t> to;
    bool operator==(const whitelist_interval&) const = default;
};

/// One number on one case: the case's region and when the case held the number whitelisted
/// (its state `whitelisted`, `change_pending` or `renewal_review`, the number on its
/// application; a number added or removed by an accepted change counts from that event). A
/// value type.
struct registry_entry {
    std::string number;   ///< canonical_phone() form
    std::string region;   ///< the case's region ("CN-GD")
    std::string case_id;  ///< the case
    /// In time order, disjoint and not adjacent; empty when the case holds the number but was
    /// never whitelisted (the region is still known: docs/policy.md §6).
    std::vector<whitelist_interval> whitelisted;

    /// One JSON Lines object: `{"number", "region", "case", "whitelisted": [[from, to], ...]}`,
    /// each bound RFC 3339 in China Standard Time ("2026-03-10T00:00:00+08:00"), `to` null
    /// while open.
    [[nodiscard]] nlohmann::json to_json() const;
    /// The inverse of to_json(). `number` may be written in any form canonical_phone()
    /// accepts; bounds may be RFC 3339 times (any offset) or `YYYY-MM-DD` (00:00 in China
    /// Standard Time). Throws input_error naming the JSON path of what is wrong (the region
    /// must be a province-level region's ISO 3166-2 code, the intervals in order, disjoint, and
    /// each `from` before its `to`).
    static registry_entry from_json(const nlohmann::json& j);
    bool operator==(const registry_entry&) const = default;
};

/// Reads a registry exported as JSON Lines (blank lines are skipped). Throws input_error naming
/// `name`, the line and the JSON path of the first bad line.
[[nodiscard]] std::vector<registry_entry> parse_registry(std::string_view text,
                                                         std::string_view name);
/// parse_registry() of a file; throws input_error when it cannot be read.
[[nodiscard]] std::vector<registry_entry> read_registry(const std::filesystem::path& file);
/// Writes one to_json() line per entry, in the order given, its members in the order number,
/// region, case, whitelisted.
void write_registry(std::ostream& out, const std::vector<registry_entry>& entries);
/// write_registry() into `file`, atomically: the file is replaced whole (written beside it,
/// synced, renamed over it), never left half-written. Throws store_error naming the file when it
/// cannot be written.
void write_registry_file(const std::filesystem::path& file,
                         const std::vector<registry_entry>& entries);

}  // namespace telecomply
