#pragma once
// Helpers for tests of cases: the shipped rules' case manager, the example applications and
// events.

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "telecomply/cases/cases.hpp"

namespace telecomply::testing {

inline const std::filesystem::path& rulesets_dir() {
    static const std::filesystem::path dir{TELECOMPLY_RULESETS_DIR};
    return dir;
}

/// The case manager over the shipped rules (shared: it is immutable and thread-safe).
inline const case_manager& manager() {
    static const case_manager m(std::make_shared<const engine>(rulesets_dir()));
    return m;
}

/// examples/applications/<name>.json
inline nlohmann::json example(const std::string& name) {
    std::ifstream in(rulesets_dir().parent_path() / "examples" / "applications" / (name + ".json"));
    return nlohmann::json::parse(in);
}

/// An event by officer-7.
inline case_event ev(std::string type, std::string at,
                     nlohmann::json data = nlohmann::json::object()) {
    return {std::move(type), "officer-7", std::move(at), std::move(data)};
}

}  // namespace telecomply::testing
