// `telecomply screen`: call records against the registry of whitelisted numbers and the rules
// in force (docs/screening.md).

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/registry.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/screening/screener.hpp"

namespace telecomply::cli {

namespace {

/// Writes each row as the chosen format asks, straight into a large output buffer.
class row_writer final : public screening_sink {
  public:
    row_writer(std::string format, std::string input_name, std::ostream& out)
        : format_(std::move(format)), name_(std::move(input_name)), out_(out) {
        buffer_.reserve(1 << 20);
        if (format_ == "csv") buffer_ += "row,codes,error\n";
        if (format_ == "json") buffer_ += "{\"rows\": [";
    }

    void rows(std::int64_t first, std::span<const std::uint8_t> codes,
              std::span<const call_row_error> errors) override {
        if (format_ == "text") {
            for (const auto& e : errors)
                if (shown_errors_++ < k_shown_errors)
                    std::cerr << name_ << ':' << e.line << ": row " << e.row << ": " << e.message
                              << "\n";
            return;
        }
        std::size_t next_error = 0;
        for (std::size_t i = 0; i < codes.size(); ++i) {
            const std::int64_t row = first + static_cast<std::int64_t>(i);
            const call_row_error* err = nullptr;
            if (next_error < errors.size() && errors[next_error].row == row)
                err = &errors[next_error++];
            if (format_ == "csv")
                csv_row(row, codes[i], err);
            else
                json_row(row, codes[i], err);
            if (buffer_.size() > (1 << 20) - 4096) flush();
        }
    }

    void finish(const screening_report& report) {
        if (shown_errors_ > k_shown_errors)
            std::cerr << name_ << ": ... and " << shown_errors_ - k_shown_errors
                      << " more bad rows (--format jsonl names every one)\n";
        if (format_ == "json") {
            buffer_ += "\n], \"summary\": ";
            buffer_ += json_text(report.to_json());
            buffer_ += "}\n";
        }
        flush();
    }

  private:
    void json_row(std::int64_t row, std::uint8_t codes, const call_row_error* err) {
        if (format_ == "json") buffer_ += first_row_ ? "\n" : ",\n";
        first_row_ = false;
        buffer_ += "{\"row\":";
        buffer_ += std::to_string(row);
        if (err) {
            buffer_ += ",\"line\":";
            buffer_ += std::to_string(err->line);
            buffer_ += ",\"column\":";
            buffer_ += json_text(err->column);
            buffer_ += ",\"error\":";
            buffer_ += json_text(err->message);
        } else {
            buffer_ += ",\"codes\":[";
            bool first = true;
            for (auto code : call_finding_codes(codes)) {
                if (!first) buffer_ += ',';
                first = false;
                buffer_ += '"';
                buffer_ += code;
                buffer_ += '"';
            }
            buffer_ += ']';
        }
        buffer_ += '}';
        if (format_ == "jsonl") buffer_ += '\n';
    }

    void csv_row(std::int64_t row, std::uint8_t codes, const call_row_error* err) {
        buffer_ += std::to_string(row);
        buffer_ += ',';
        bool first = true;
        for (auto code : call_finding_codes(codes)) {
            if (!first) buffer_ += ';';
            first = false;
            buffer_ += code;
        }
        buffer_ += ',';
        if (err) {
            buffer_ += '"';
            for (char c : err->message) {
                if (c == '"') buffer_ += '"';
                buffer_ += c;
            }
            buffer_ += '"';
        }
        buffer_ += '\n';
    }

    void flush() {
        out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        buffer_.clear();
    }

    std::string format_;
    std::string name_;  // the input, in messages
    std::ostream& out_;
    std::string buffer_;
    bool first_row_ = true;
    static constexpr std::size_t k_shown_errors = 10;  // bad rows named on stderr (text)
    std::size_t shown_errors_ = 0;
};

/// What a compliance officer reads: totals per code and region, the worst numbers, examples.
void print_text(const screening_report& r, const std::string& name) {
    std::cout << name << ": " << r.rows << " calls, " << r.flagged_rows << " with findings, "
              << r.bad_rows << " bad rows\n";
    if (!r.by_code.empty()) {
        std::cout << "\nFindings (calls):\n";
        for (const auto& [code, n] : r.by_code) {
            std::cout << "  " << code << "  " << n << "\n";
            for (const auto& [k, m] : r.by_code_region)
                if (k.first == code)
                    std::cout << "      " << (k.second.empty() ? "(not listed)" : k.second) << "  "
                              << m << "\n";
        }
    }
    if (!r.number_days.empty()) {
        std::cout << "\nNumbers over their daily cap (" << r.number_days.size()
                  << " number-days):\n";
        std::size_t shown = 0;
        for (const auto& d : r.number_days) {
            if (shown++ == 10) {
                std::cout << "  ... and " << r.number_days.size() - 10
                          << " more (--summary FILE lists all)\n";
                break;
            }
            std::cout << "  " << d.number << "  " << d.day.to_string() << "  " << d.region << "  "
                      << d.count << " calls, cap " << d.cap << "\n";
        }
    }
    if (!r.worst_numbers.empty()) {
        std::cout << "\nNumbers with the most flagged calls:\n";
        for (const auto& [number, n] : r.worst_numbers)
            std::cout << "  " << number << "  " << n << "\n";
    }
    if (!r.examples.empty()) {
        std::cout << "\nExamples:\n";
        for (const auto& [code, list] : r.examples)
            for (const auto& e : list)
                std::cout << "  " << code << "  row " << e.row << ": " << e.caller << " -> "
                          << e.callee << " at " << e.start << " for " << e.duration_s << " s\n";
    }
}

/// Standard input copied to a temporary file (in the temporary folder, TMPDIR), so that it can
/// be read twice. `into` names the file from its creation on, so that its owner removes it
/// whatever happens next; nothing at all on standard input is an empty file, which the reader
/// then refuses as it refuses any file without a header.
void spool_stdin(std::filesystem::path& into) {
    std::error_code ec;
    const auto folder = std::filesystem::temp_directory_path(ec);
    std::string name =
        ((ec ? std::filesystem::path("/tmp") : folder) / "telecomply-calls-XXXXXX").string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0)
        throw usage_error("cannot make a temporary file for standard input in " + name + ": " +
                          std::strerror(errno));
    into = name;
    std::vector<char> buffer(1 << 16);
    bool ok = true;
    for (;;) {
        std::cin.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(std::cin.gcount());
        for (std::size_t done = 0; ok && done < got;) {
            const auto n = ::write(fd, buffer.data() + done, got - done);
            if (n < 0 && errno == EINTR) continue;
            ok = n > 0;
            if (ok) done += static_cast<std::size_t>(n);
        }
        if (!ok || !std::cin) break;
    }
    const int write_errno = errno;
    ::close(fd);
    if (std::cin.bad()) throw usage_error("cannot read standard input");
    if (!ok)
        throw usage_error("cannot copy standard input to " + name + ": " +
                          std::strerror(write_errno));
}

/// The registry of a case store (read only: a missing store is an error, never created).
std::vector<registry_entry> registry_of_store(const std::string& file, const common& c) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw not_found_error("no case store '" + file + "' (`telecomply case new` creates one)");
    auto rules = std::make_shared<const engine>(c.load_rules());
    const case_manager manager(rules);
    auto store = case_store::open(file);
    const case_service service(store, manager, store_clock::from_environment());
    std::vector<std::string> skipped;
    auto entries = service.registry(&skipped);
    for (const auto& s : skipped)
        std::cerr << "telecomply: warning: " << file << ": left out of the registry: " << s << "\n";
    return entries;
}

}  // namespace

command add_screen(CLI::App& app, common& c) {
    struct args {
        std::string calls, store, registry, refusals, summary;
    };
    auto a = std::make_shared<args>();
    auto* screen = app.add_subcommand(
        "screen",
        "screen call records (CSV) against the whitelisted numbers and the rules in force");
    screen
        ->add_option("CALLS", a->calls,
                     "call records: CSV with caller, callee, start, duration_s (- for standard "
                     "input)")
        ->required();
    auto* store = screen->add_option("--store", a->store, "the case store whose registry to use");
    auto* registry =
        screen->add_option("--registry", a->registry,
                           "a registry exported by `telecomply case registry` (JSON Lines)");
    store->excludes(registry);
    screen->add_option("--refusals", a->refusals,
                       "callees who refused calls: CSV or JSON Lines of callee, refused_at");
    screen->add_option("--format", c.format, "text (a report), json, jsonl (a line per row) or csv")
        ->check(CLI::IsMember({"text", "json", "jsonl", "csv"}));
    screen->add_option("--summary", a->summary,
                       "also write the report (number-days over their cap...) as JSON to FILE");
    add_rulesets_option(screen, c);
    screen->footer(
        "Exit status: 0 nothing found, 1 findings, 2 bad usage or bad rows (the other rows are "
        "still screened and reported).\nParquet and Arrow data: use Python, "
        "telecomply.screen_calls().");
    return {screen, [&c, a] {
                if (a->store.empty() == a->registry.empty())
                    throw usage_error(
                        "screen needs the whitelisted numbers: --store S or --registry FILE");
                const std::filesystem::path calls_path(a->calls);
                if (calls_path.extension() == ".parquet" || calls_path.extension() == ".arrow")
                    throw usage_error(a->calls +
                                      ": the command line reads CSV; read Parquet and "
                                      "Arrow files with Python: telecomply.screen_calls()");
                std::vector<registry_entry> entries;
                if (!a->registry.empty()) {
                    entries = read_registry(a->registry);
                } else {
                    entries = registry_of_store(a->store, c);
                }
                std::vector<refusal> refusals;
                if (!a->refusals.empty()) refusals = read_refusals(a->refusals);
                const screening_context ctx(c.load_rules(), entries, refusals);
                std::filesystem::path spooled;
                struct remove_spool {
                    std::filesystem::path& p;
                    ~remove_spool() {
                        std::error_code ec;
                        if (!p.empty()) std::filesystem::remove(p, ec);
                    }
                } cleanup{spooled};
                const std::string name = a->calls == "-" ? "<stdin>" : a->calls;
                if (a->calls == "-") spool_stdin(spooled);
                auto source = call_source::csv_file(spooled.empty() ? calls_path : spooled, name);
                row_writer writer(c.format, name, std::cout);
                const screening_report report = telecomply::screen(ctx, *source, writer);
                writer.finish(report);
                if (c.format == "text") print_text(report, name);
                if (!a->summary.empty()) report.write_file(a->summary);
                std::cout.flush();
                if (report.bad_rows > 0) return exit_bad;
                return report.flagged_rows > 0 || !report.number_days.empty() ? exit_findings
                                                                              : exit_ok;
            }};
}

}  // namespace telecomply::cli
