#include "telecomply/screening/call_findings.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/csv_table.hpp"
#include "base/json_io.hpp"
#include "screening/call_time.hpp"
#include "screening/phone_key.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

std::string_view to_string(call_finding f) noexcept {
    switch (f) {
        case call_finding::caller_not_whitelisted:
            return "CALLER_NOT_WHITELISTED";
        case call_finding::outside_calling_window:
            return "OUTSIDE_CALLING_WINDOW";
        case call_finding::daily_call_cap_exceeded:
            return "DAILY_CALL_CAP_EXCEEDED";
        case call_finding::callee_refused:
            return "CALLEE_REFUSED";
    }
    return "";
}

std::vector<std::string_view> call_finding_codes(std::uint8_t mask) {
    std::vector<std::string_view> out;
    for (call_finding f : all_call_findings)
        if (mask & static_cast<std::uint8_t>(f)) out.push_back(to_string(f));
    return out;
}

namespace {

refusal make_refusal(std::string_view callee, std::string_view at, const std::string& file,
                     std::uint32_t line, const std::string& callee_path,
                     const std::string& at_path) {
    auto key = detail::phone_key(callee);
    if (!key)
        throw input_error(file, line, callee_path,
                          callee.empty()
                              ? "callee: missing"
                              : "callee: '" + std::string(callee) + "' is not a phone number");
    auto t = detail::parse_call_time(at, true);
    if (!t)
        throw input_error(file, line, at_path,
                          at.empty() ? "refused_at: missing"
                                     : "refused_at: '" + std::string(at) +
                                           "' is not a date or date-time (China Standard Time, "
                                           "or RFC 3339)");
    return {detail::phone_key_text(*key), *t};
}

std::vector<refusal> refusals_from_json_lines(std::string_view text, const std::string& file) {
    std::vector<refusal> out;
    std::uint32_t line = 0;
    while (!text.empty()) {
        ++line;
        const auto nl = text.find('\n');
        std::string_view one = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (one.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        const auto j = detail::parse_json(one, file, errc::invalid_input, line);
        if (!j.is_object()) throw input_error(file, line, "$", "a refusal is a JSON object");
        auto text_of = [&](const char* key) -> std::string {
            auto it = j.find(key);
            if (it == j.end() || it->is_null()) return {};
            if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
            if (!it->is_string())
                throw input_error(file, line, std::string("$.") + key,
                                  std::string(key) + " must be a string");
            return it->get<std::string>();
        };
        out.push_back(make_refusal(text_of("callee"), text_of("refused_at"), file, line, "$.callee",
                                   "$.refused_at"));
    }
    return out;
}

std::vector<refusal> refusals_from_csv(std::string_view text, const std::string& file) {
    const auto table = detail::parse_csv_table(text, file);
    for (const char* name : {"callee", "refused_at"})
        if (std::count(table.header.begin(), table.header.end(), name) > 1)
            throw input_error(file, 1, "",
                              std::string("the header names the column '") + name +
                                  "' twice: which one to read is ambiguous");
    const auto callee = table.column("callee");
    const auto at = table.column("refused_at");
    if (!callee || !at)
        throw input_error(file, 1, "",
                          std::string("the header has no column '") +
                              (callee ? "refused_at" : "callee") +
                              "' (a refusal list needs callee, refused_at)");
    std::vector<refusal> out;
    for (const auto& row : table.rows) {
        auto field = [&](std::size_t i) -> std::string_view {
            return i < row.fields.size() ? std::string_view(row.fields[i]) : std::string_view();
        };
        out.push_back(make_refusal(field(*callee), field(*at), file, row.line, "", ""));
    }
    return out;
}

}  // namespace

std::vector<refusal> parse_refusals(std::string_view text, std::string_view name) {
    text = detail::without_bom(text);
    const auto first = text.find_first_not_of(" \t\r\n");
    // nothing at all is an empty list (JSON Lines of no line), as a table of no row gives it
    if (first == std::string_view::npos) return {};
    if (text[first] == '{') return refusals_from_json_lines(text, std::string(name));
    return refusals_from_csv(text, std::string(name));
}

std::vector<refusal> read_refusals(const std::filesystem::path& file) {
    return parse_refusals(detail::read_file(file, errc::invalid_input), file.string());
}

}  // namespace telecomply
