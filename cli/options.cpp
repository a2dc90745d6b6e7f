// What every command shares (options.hpp): the common options and the output helpers.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <iterator>

#include "telecomply/base/error.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace telecomply::cli {

std::optional<date> common::as_of_date() const {
    if (as_of.empty()) return std::nullopt;
    auto d = date::parse(as_of);
    if (!d) throw usage_error("--as-of needs a date (YYYY-MM-DD), not '" + as_of + "'");
    return d;
}

std::filesystem::path common::rulesets_dir() const {
    return rulesets.empty() ? catalogue::default_dir() : std::filesystem::path(rulesets);
}

void add_rulesets_option(CLI::App* sub, common& c) {
    sub->add_option("--rulesets", c.rulesets,
                    "folder of rulesets (default: $TELECOMPLY_RULESETS, else the installed ones; "
                    "--version shows which)");
}

void add_lang_option(CLI::App* sub, common& c) {
    sub->add_option("--lang", c.lang, "language of messages in text output")
        ->check(CLI::IsMember({"zh", "en", "both"}));
}

std::string json_text(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_error(const std::exception& e) {
    std::cerr << "telecomply: " << e.what() << "\n";
}

void print_diagnostic(const diagnostic& p) {
    std::cout << p.file;
    if (p.line != 0) std::cout << ":" << p.line;
    if (!p.json_path.empty()) std::cout << ": " << p.json_path;
    std::cout << ": " << (p.warning ? "warning: " : "error: ") << p.message << "\n";
}

std::string open_input(const std::string& file, std::ifstream& in) {
    std::error_code ec;
    const auto st = std::filesystem::status(file, ec);
    if (st.type() == std::filesystem::file_type::not_found) return "no such file";
    // a folder opens as a stream on Linux and fails only on the first read
    if (st.type() == std::filesystem::file_type::directory) return "is a folder, not a file";
    in.open(file, std::ios::binary);
    return in ? "" : "cannot open the file";
}

std::string read_input(const std::string& file) {
    if (file != "-") return read_input_file(file);
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    if (std::cin.bad()) throw input_error("<stdin>", 0, "", "cannot read standard input");
    return text;
}

std::string input_name(const std::string& file) {
    return file == "-" ? "<stdin>" : file;
}

bool is_jsonl(const std::string& file) {
    return file.size() >= 6 && (file.ends_with(".jsonl") || file.ends_with(".ndjson"));
}

std::string year_list(const std::vector<int>& years) {
    std::string out;
    for (const int y : years)
        out += (out.empty() ? "" : ", ") + std::to_string(y);
    return out;
}

void print_automatic(const std::string& id, const case_event& e) {
    if (e.type == "recompute_deadlines") {
        for (const auto& [name, d] : e.data["deadlines"].items()) {
            const auto dl = case_deadline::from_json(d);
            std::cout << id << "  " << name << " recounted on calendar " << dl.calendar << ": ";
            if (dl.moved_from)
                std::cout << "moved from " << dl.moved_from->to_string() << " to "
                          << dl.due.to_string();
            else
                std::cout << "stays " << dl.due.to_string();
            std::cout << (dl.provisional()
                              ? " (provisional: " + year_list(dl.provisional_years) + ")"
                              : std::string(" (official)"))
                      << "\n";
        }
        return;
    }
    std::cout << id << "  " << e.data.value("timer", "") << " passed (last day "
              << e.data.value("last_day", "") << ")\n";
}

}  // namespace telecomply::cli
