#include "base/csv_table.hpp"

#include <csv.h>

#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply::detail {

namespace {

struct builder {
    csv_table table;
    std::vector<std::string> fields;
    std::uint32_t line = 1, row_line = 1;
    bool header_seen = false;
};

void on_field(void* data, std::size_t size, void* p) {
    auto& b = *static_cast<builder*>(p);
    if (b.fields.empty()) b.row_line = b.line;
    std::string text(static_cast<const char*>(data), data ? size : 0);
    for (char c : text)
        b.line += c == '\n';
    b.fields.push_back(std::move(text));
}

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

void on_row(int c, void* p) {
    auto& b = *static_cast<builder*>(p);
    if (!b.fields.empty()) {
        if (!b.header_seen) {
            b.header_seen = true;
            for (auto& f : b.fields)
                b.table.header.push_back(trimmed(std::move(f)));
        } else {
            b.table.rows.push_back({b.row_line, std::move(b.fields)});
        }
        b.fields.clear();
    }
    if (c == '\n') ++b.line;
}

}  // namespace

std::optional<std::size_t> csv_table::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    return std::nullopt;
}

csv_table parse_csv_table(std::string_view text, const std::string& file) {
    text = without_bom(text);
    csv_parser parser{};
    csv_init(&parser, CSV_REPALL_NL);
    builder b;
    const bool ok =
        csv_parse(&parser, text.data(), text.size(), &on_field, &on_row, &b) == text.size() &&
        csv_fini(&parser, &on_field, &on_row, &b) == 0;
    const int err = csv_error(&parser);
    csv_free(&parser);
    if (!ok) throw input_error(file, b.line, "", csv_strerror(err));
    if (!b.header_seen) throw input_error(file, 1, "", "the file has no header row");
    return std::move(b.table);
}

}  // namespace telecomply::detail
