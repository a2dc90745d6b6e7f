#pragma once
// What the rules layer's files share in private: one loaded ruleset file (catalogue::source),
// the application fields bound as rule variables, and small JSON readers.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

/// One ruleset file as loaded: its text (for the lines of errors), JSON and header fields.
struct catalogue::source {
    std::filesystem::path file;
    std::string text;  // kept for locating lines in error messages
    nlohmann::json json;
    std::string id, version;
    date from;
    std::optional<date> to;
    std::string extends_id, extends_version;  // version empty: the one in force on the date
    std::size_t layer = 0;                    // 0: the base folder; i: the i-th overlay
    bool ended_by_next = false;  // `to` is the day before the next version starts (no file says)

    [[nodiscard]] std::string name() const { return id + "@" + version; }
    [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
        throw ruleset_error(file.string(), detail::line_of(text, path), path, msg);
    }
    [[nodiscard]] bool covers(date d) const { return from <= d && (!to || d <= *to); }
    /// Extends an earlier version of its own id ("CN-GD@2026.1" from CN-GD@2026.2).
    [[nodiscard]] bool extends_itself() const { return extends_id == id; }
    /// Reads id, version, effective dates and extends from `json`; fail()s on a bad header.
    void read_header();
};

namespace detail {

// Top-level application fields bound as rule variables, in slot order after `app`.
inline const std::vector<std::string> top_level_fields = {
    "id", "region", "submitted_on", "channel", "applicant", "submitter", "materials", "numbers"};

// Absent top-level fields evaluate to these: a missing-input error naming the field.
struct absent_fields {
    std::vector<error_info> infos;
    absent_fields() {
        for (const auto& f : top_level_fields)
            infos.push_back(error_info{eval_errc::no_such_field, 0, "no such key", f, nullptr});
    }
};
inline const absent_fields& absent() {
    static const absent_fields a;
    return a;
}

inline std::optional<date> json_date(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    return date::parse(j.get_ref<const std::string&>());
}

inline localized json_localized(const nlohmann::json& j) {
    localized l;
    if (j.is_object()) {
        l.zh = j.value("zh", "");
        l.en = j.value("en", "");
    }
    return l;
}

}  // namespace detail
}  // namespace telecomply
