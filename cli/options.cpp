// What every command shares (options.hpp): the common options and the output helpers.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <array>
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

std::vector<std::filesystem::path> common::overlay_dirs() const {
    return {overlays.begin(), overlays.end()};
}

std::shared_ptr<catalogue> common::load_rules() const {
    return catalogue::load(rulesets_dir(), overlay_dirs());
}

std::filesystem::path rulesets_folder(const common& c, const std::string& dir) {
    if (dir.empty()) return c.rulesets_dir();
    if (!c.rulesets.empty() && c.rulesets != dir)
        throw usage_error("two folders of rulesets: '" + dir + "' and --rulesets '" + c.rulesets +
                          "'; give one");
    return dir;
}

void add_rulesets_option(CLI::App* sub, common& c) {
    sub->add_option("--rulesets", c.rulesets,
                    "folder of rulesets (default: $TELECOMPLY_RULESETS, else the installed ones; "
                    "--version shows which)");
    sub->add_option("--overlay", c.overlays,
                    "folder of ruleset versions layered over --rulesets (repeatable; later "
                    "folders add regions and versions; docs/rulesets.md, \"Overlays\")")
        ->allow_extra_args(false);  // one folder per --overlay: files may follow it
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
    std::cout << ": "
              << (p.note      ? "note: "
                  : p.warning ? "warning: "
                              : "error: ")
              << p.message << "\n";
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

namespace {
// A stream buffer that gives `prefix` (what was read to sniff the input), then the rest of
// `rest`, so that nothing read to decide the format is lost and lines keep their numbers.
class prefixed_buf : public std::streambuf {
  public:
    prefixed_buf(std::string prefix, std::streambuf* rest)
        : prefix_(std::move(prefix)), rest_(rest) {
        setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
    }

  protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        const auto n = rest_->sgetn(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        if (n <= 0) return traits_type::eof();
        setg(buf_.data(), buf_.data(), buf_.data() + n);
        return traits_type::to_int_type(*gptr());
    }

  private:
    std::string prefix_;
    std::streambuf* rest_;
    std::array<char, 1 << 16> buf_{};
};
}  // namespace

std::string open_applications(const std::string& file, application_input& out) {
    if (file != "-") {
        out.name = file;
        out.jsonl = is_jsonl(file);
        if (auto why = open_input(file, out.file); !why.empty()) return why;
        out.in = &out.file;
        return {};
    }
    out.name = "<stdin>";
    // the first line that is not blank says the format; what was read is read again
    std::string prefix, line;
    out.jsonl = true;  // nothing at all: no applications, as an empty JSON Lines file
    while (std::getline(std::cin, line)) {
        const bool newline = !std::cin.eof();
        prefix += line;
        if (newline) prefix += '\n';
        std::string_view t = line;
        if (prefix.size() == line.size() + (newline ? 1 : 0) && t.starts_with("\xEF\xBB\xBF"))
            t.remove_prefix(3);  // a byte order mark before the first line
        const auto first = t.find_first_not_of(" \t\r");
        if (first == std::string_view::npos) continue;
        const auto last = t.find_last_not_of(" \t\r");
        out.jsonl = t[first] == '{' && t[last] == '}';
        break;
    }
    if (std::cin.bad()) throw input_error("<stdin>", 0, "", "cannot read standard input");
    std::cin.clear();  // a getline that met the end set eofbit; the rest is read through rdbuf
    out.sniffed = std::make_unique<prefixed_buf>(std::move(prefix), std::cin.rdbuf());
    out.sniffed_in = std::make_unique<std::istream>(out.sniffed.get());
    out.in = out.sniffed_in.get();
    return {};
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
