// The canonical layout of ruleset files (rules/ruleset_format.hpp).

#include "telecomply/rules/ruleset_format.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/file_io.hpp"
#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

namespace {

using ordered = nlohmann::ordered_json;

constexpr std::size_t k_width = 100;

// The members of each kind of object, in the order docs/rulesets.md documents them.
const std::vector<std::string_view> k_ruleset_order = {
    "id",         "version",   "effective_from", "effective_to", "extends", "title",
    "parameters", "variables", "overrides",      "rules",        "notes"};
const std::vector<std::string_view> k_rule_order = {
    "id",   "code",    "disabled", "subject",     "phase",   "each",   "as",       "subject_expr",
    "when", "require", "severity", "obligations", "message", "remedy", "reference"};
const std::vector<std::string_view> k_variable_order = {"name", "expression"};
const std::vector<std::string_view> k_localized_order = {"zh", "en"};

// `j` with its members in `order` first, the others after them as written.
ordered reorder(const ordered& j, const std::vector<std::string_view>& order) {
    if (!j.is_object()) return j;
    ordered out = ordered::object();
    for (const auto key : order)
        if (const auto it = j.find(std::string(key)); it != j.end()) out[std::string(key)] = *it;
    for (const auto& [k, v] : j.items())
        if (std::find(order.begin(), order.end(), k) == order.end()) out[k] = v;
    return out;
}

bool is_localized(const ordered& j) {
    if (!j.is_object() || j.empty()) return false;
    return std::all_of(j.items().begin(), j.items().end(),
                       [](const auto& kv) { return kv.key() == "zh" || kv.key() == "en"; });
}

// Orders a ruleset's members, its rules', overrides' and variables', and zh before en.
ordered canonical(const ordered& j, int depth, std::string_view list) {
    if (j.is_array()) {
        ordered out = ordered::array();
        for (const auto& v : j)
            out.push_back(canonical(v, depth + 1, list));
        return out;
    }
    if (!j.is_object()) return j;
    ordered base = depth == 0                               ? reorder(j, k_ruleset_order)
                   : list == "rules" || list == "overrides" ? reorder(j, k_rule_order)
                   : list == "variables"                    ? reorder(j, k_variable_order)
                   : is_localized(j)                        ? reorder(j, k_localized_order)
                                                            : j;
    ordered out = ordered::object();
    for (const auto& [k, v] : base.items()) {
        // the lists whose items are rules, overrides or variables are members of the ruleset
        const bool item_list = depth == 0 && (k == "rules" || k == "overrides" || k == "variables");
        out[k] = canonical(v, depth + 1, item_list ? std::string_view(k) : std::string_view());
    }
    return out;
}

// One line: `{"a": 1, "b": [2, 3]}`.
std::string inline_text(const ordered& j) {
    if (j.is_object()) {
        if (j.empty()) return "{}";
        std::string s = "{";
        bool first = true;
        for (const auto& [k, v] : j.items()) {
            s += (first ? "" : ", ") + ordered(k).dump(-1, ' ', false) + ": " + inline_text(v);
            first = false;
        }
        return s + "}";
    }
    if (j.is_array()) {
        if (j.empty()) return "[]";
        std::string s = "[";
        for (std::size_t i = 0; i < j.size(); ++i)
            s += (i ? ", " : "") + inline_text(j[i]);
        return s + "]";
    }
    return j.dump(-1, ' ', false);
}

// Display width of UTF-8 text, counting a code point as one column (CJK is two on most
// terminals, but the files are read in editors as code points).
std::size_t columns(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void write(const ordered& j, std::size_t indent, std::size_t used, std::string& out) {
    const auto one_line = inline_text(j);
    if ((!j.is_structured() || used + columns(one_line) <= k_width) || j.empty()) {
        out += one_line;
        return;
    }
    const std::string pad(indent + 2, ' ');
    out += j.is_object() ? "{\n" : "[\n";
    std::size_t i = 0;
    for (const auto& [k, v] : j.items()) {
        out += pad;
        std::size_t at = pad.size();
        if (j.is_object()) {
            const auto key = ordered(k).dump(-1, ' ', false) + ": ";
            out += key;
            at += columns(key);
        }
        write(v, indent + 2, at + 1, out);  // + 1: the comma after it
        out += ++i < j.size() ? ",\n" : "\n";
    }
    out += std::string(indent, ' ') + (j.is_object() ? "}" : "]");
}

}  // namespace

std::string format_ruleset(std::string_view text, const std::string& file) {
    // the syntax error's line and column, and members given twice, as loading reports them
    (void)detail::parse_json(text, file, errc::ruleset_error);
    detail::refuse_duplicate_keys(text, file, errc::ruleset_error);
    auto j = ordered::parse(text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text);
    std::string out;
    write(canonical(j, 0, {}), 0, 0, out);
    out += "\n";
    return out;
}

}  // namespace telecomply

namespace telecomply {

bool format_ruleset_file(const std::filesystem::path& file, bool write) {
    const auto text = detail::read_file(file, errc::ruleset_error);
    const auto formatted = format_ruleset(text, file.string());
    if (formatted == text) return false;
    if (!write) return true;
    // the new file keeps the old one's permissions (a file kept read-only stays read-only)
    std::error_code ec;
    const auto perms = std::filesystem::status(file, ec).permissions();
    detail::replace_file(file, formatted, errc::ruleset_error);
    if (!ec) std::filesystem::permissions(file, perms, ec);
    return true;
}

}  // namespace telecomply
