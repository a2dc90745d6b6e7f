// Complaint records: reading them from CSV and JSON (Lines), and the report of an import
// (include/telecomply/cases/complaints.hpp). Importing them is case_service's
// (complaint_import.cpp).

#include "telecomply/cases/complaints.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "base/json_io.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply {

namespace {

diagnostic bad_record(const std::string& file, std::uint32_t line, std::string path,
                      std::string message) {
    return {file, line, std::move(path), std::move(message), false, "invalid_input"};
}

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// ---- CSV (RFC 4180) ----

// One CSV record: its fields, the line it starts on, and what is wrong with it ("" if nothing).
struct csv_row {
    std::vector<std::string> fields;
    std::uint32_t line = 0;
    bool blank = true;  // nothing but blanks on its line
    std::string problem;
};

// Reads CSV records one at a time; line breaks inside quoted fields are part of the field.
class csv_reader {
  public:
    explicit csv_reader(std::string_view text) : text_(text) {}

    // The next record, or false at the end of the text.
    bool next(csv_row& row) {
        if (pos_ >= text_.size()) return false;
        row = csv_row{};
        row.line = line_;
        std::string field;
        bool quoted = false;  // the current field began with a quote
        bool after_quote = false;
        for (;;) {
            if (pos_ >= text_.size()) {
                if (quoted && !after_quote) {
                    row.problem = "a quoted field is not closed (a \" is missing)";
                    row.blank = false;
                }
                end_field(row, field);
                return true;
            }
            const char c = text_[pos_++];
            if (quoted && !after_quote) {  // inside quotes
                if (c == '"') {
                    if (pos_ < text_.size() && text_[pos_] == '"') {
                        field += '"';
                        ++pos_;
                    } else {
                        after_quote = true;
                    }
                } else {
                    if (c == '\n') ++line_;
                    field += c;
                }
                continue;
            }
            if (c == ',') {
                end_field(row, field);
                quoted = after_quote = false;
                continue;
            }
            if (c == '\n' || (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ||
                (c == '\r' && pos_ == text_.size())) {
                if (c == '\r' && pos_ < text_.size()) ++pos_;
                ++line_;
                end_field(row, field);
                return true;
            }
            if (after_quote) {
                if (c == ' ' || c == '\t') continue;  // blanks after a closing quote
                if (row.problem.empty())
                    row.problem =
                        "text after the closing quote of a field (a quote inside a quoted field "
                        "is written \"\")";
                row.blank = false;
                continue;
            }
            if (c == '"' && field.empty() && !quoted) {
                quoted = true;
                row.blank = false;
                continue;
            }
            if (c != ' ' && c != '\t' && c != '\r') row.blank = false;
            field += c;
        }
    }

  private:
    static void end_field(csv_row& row, std::string& field) {
        row.fields.push_back(std::move(field));
        field.clear();
    }
    std::string_view text_;
    std::size_t pos_ = 0;
    std::uint32_t line_ = 1;
};

// ---- JSON ----

// A record from a JSON value at `path`; nullopt (and an error) when it is not one.
std::optional<complaint_record> record_of(const nlohmann::json& j, const std::string& file,
                                          std::uint32_t line, const std::string& path,
                                          std::vector<diagnostic>& errors) {
    if (!j.is_object()) {
        errors.push_back(
            bad_record(file, line, path,
                       "a complaint record is a JSON object {\"number\", "
                       "\"received_at\", \"source\"?}, not " +
                           j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
        return std::nullopt;
    }
    complaint_record r;
    r.file = file;
    r.line = line;
    r.json_path = path;
    for (const char* key : {"number", "received_at", "source"}) {
        const auto it = j.find(key);
        if (it == j.end() || (it->is_null() && std::string_view(key) == "source")) continue;
        if (!it->is_string()) {
            errors.push_back(bad_record(
                file, line, detail::json_path_append_key(path, key),
                std::string("must be text, not ") +
                    it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                    (std::string_view(key) == "number" && it->is_number()
                         ? " (write numbers as text: as a JSON number a landline loses its 0)"
                         : "")));
            return std::nullopt;
        }
        auto v = it->get<std::string>();
        if (std::string_view(key) == "number")
            r.number = std::move(v);
        else if (std::string_view(key) == "received_at")
            r.received_at = std::move(v);
        else if (!v.empty())
            r.source = std::move(v);
    }
    return r;
}

}  // namespace

complaint_batch parse_complaints_csv(std::string_view text, std::string_view name) {
    const std::string file(name);
    complaint_batch out;
    csv_reader reader(detail::without_bom(text));
    csv_row row;
    std::map<std::string, std::size_t> columns;  // known column -> index
    std::size_t width = 0;
    bool have_header = false;
    while (reader.next(row)) {
        if (row.blank && row.problem.empty()) continue;
        if (!have_header) {
            if (!row.problem.empty())
                throw input_error(file, row.line, "", "header: " + row.problem);
            std::string names;
            for (std::size_t i = 0; i < row.fields.size(); ++i) {
                const std::string col = lower(trimmed(row.fields[i]));
                names += (names.empty() ? "" : ", ") + col;
                if (col != "number" && col != "received_at" && col != "source") continue;
                if (!columns.emplace(col, i).second)
                    throw input_error(file, row.line, "",
                                      "header: the column '" + col + "' is named twice");
            }
            if (!columns.contains("number") || !columns.contains("received_at"))
                throw input_error(file, row.line, "",
                                  "the header must name the columns number and received_at "
                                  "(source is optional); it names: " +
                                      names);
            width = row.fields.size();
            have_header = true;
            continue;
        }
        if (!row.problem.empty()) {
            out.errors.push_back(bad_record(file, row.line, "", row.problem));
            continue;
        }
        if (row.fields.size() != width) {
            out.errors.push_back(bad_record(file, row.line, "",
                                            std::to_string(row.fields.size()) + " field" +
                                                (row.fields.size() == 1 ? "" : "s") +
                                                " where the header has " + std::to_string(width) +
                                                " (a field holding a comma must be quoted)"));
            continue;
        }
        complaint_record r;
        r.file = file;
        r.line = row.line;
        r.number = trimmed(row.fields[columns.at("number")]);
        r.received_at = trimmed(row.fields[columns.at("received_at")]);
        if (const auto s = columns.find("source"); s != columns.end())
            if (auto v = trimmed(row.fields[s->second]); !v.empty()) r.source = std::move(v);
        out.records.push_back(std::move(r));
    }
    if (!have_header)
        throw input_error(file, 0, "",
                          "no header: a complaints CSV starts with a row naming its columns "
                          "(number,received_at[,source])");
    return out;
}

complaint_batch parse_complaints_json(std::string_view text, std::string_view name) {
    const std::string file(name);
    complaint_batch out;
    text = detail::without_bom(text);
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '[') {
        const nlohmann::json list = parse_input_json(text, file);
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = detail::json_path_append_index("$", i);
            if (auto r = record_of(list[i], file, detail::line_of(text, path), path, out.errors))
                out.records.push_back(std::move(*r));
        }
        return out;
    }
    std::istringstream in{std::string(text)};
    jsonl_reader lines(in);
    while (const auto row = lines.next()) {
        const std::uint32_t line = row->number;
        nlohmann::json j;
        try {
            j = parse_input_json(row->text, file, line);
        } catch (const input_error& e) {
            out.errors.push_back(e.to_diagnostic());
            continue;
        }
        if (auto r = record_of(j, file, line, "$", out.errors))
            out.records.push_back(std::move(*r));
    }
    return out;
}

complaint_batch complaints_from_json(const nlohmann::json& list, std::string_view name) {
    const std::string file(name);
    if (!list.is_array())
        throw input_error(file, 0, "$",
                          "complaint records are a list of objects, not " +
                              list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    complaint_batch out;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (auto r =
                record_of(list[i], file, 0, detail::json_path_append_index("$", i), out.errors))
            out.records.push_back(std::move(*r));
    return out;
}

complaint_batch parse_complaints(std::string_view text, std::string_view name) {
    const std::string ext = lower(std::filesystem::path(std::string(name)).extension().string());
    if (ext == ".csv") return parse_complaints_csv(text, name);
    if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json")
        return parse_complaints_json(text, name);
    const auto body = detail::without_bom(text);
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (body[first] == '{' || body[first] == '['))
        return parse_complaints_json(text, name);
    return parse_complaints_csv(text, name);
}

complaint_batch read_complaints(const std::filesystem::path& file) {
    return parse_complaints(read_input_file(file), file.string());
}

nlohmann::json complaint_outcome::to_json() const {
    nlohmann::json j = {{"number", number.empty() ? record.number : number},
                        {"received_at", record.received_at},
                        {"file", record.file},
                        {"line", record.line},
                        {"json_path", record.json_path}};
    if (record.source) j["source"] = *record.source;
    if (!case_id.empty()) j["case"] = case_id;
    if (seq > 0) j["seq"] = seq;
    if (!state.empty()) j["state"] = state;
    if (!reason.empty()) j["reason"] = reason;
    return j;
}

nlohmann::json complaint_import_report::to_json() const {
    const auto list = [](const std::vector<complaint_outcome>& xs) {
        auto a = nlohmann::json::array();
        for (const auto& x : xs)
            a.push_back(x.to_json());
        return a;
    };
    auto errs = nlohmann::json::array();
    for (const auto& e : errors)
        errs.push_back({{"file", e.file},
                        {"line", e.line},
                        {"json_path", e.json_path},
                        {"message", e.message}});
    return {{"applied", list(applied)},
            {"duplicates", list(duplicates)},
            {"unmatched", list(unmatched)},
            {"refused", list(refused)},
            {"errors", std::move(errs)}};
}

}  // namespace telecomply
