#pragma once
// The search behind catalogue::default_dir(), without throwing: for the loaders that only fall
// back on the default folder's schemas.

#include <filesystem>
#include <optional>
#include <vector>

namespace telecomply::detail {

/// The default rulesets folder (see catalogue::default_dir()), or nullopt when none is found;
/// the folders looked at are appended to `tried` when given.
std::optional<std::filesystem::path> find_default_rulesets(
    std::vector<std::filesystem::path>* tried = nullptr);

}  // namespace telecomply::detail
