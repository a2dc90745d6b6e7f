#pragma once
// What every command of the command line shares: the common options, the exit statuses, the
// output helpers, and how a command is added to the app. Each command lives in its own file,
// cmd_<name>.cpp, and cli.cpp only builds the app and dispatches. Private to the CLI.

#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/date.hpp"
#include "telecomply/base/diagnostic.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace CLI {
class App;
}

namespace telecomply::cli {

// Exit statuses (README.md, "The command line").
constexpr int exit_ok = 0;        // all eligible / nothing found
constexpr int exit_findings = 1;  // findings
constexpr int exit_bad = 2;       // bad usage or bad input
constexpr int exit_conflict = 3;  // the store disagrees: a case id taken, a case moved on

// Options several commands take; one subcommand runs per call, so they share one set.
struct common {
    std::string rulesets;
    std::vector<std::string> overlays;  // --overlay, in the order given
    std::string as_of;
    std::string format = "text";
    std::string lang = "both";

    // --as-of as a date; usage_error when it is not YYYY-MM-DD.
    std::optional<date> as_of_date() const;
    // --rulesets, or the installed rulesets.
    std::filesystem::path rulesets_dir() const;
    // --overlay folders, in order.
    std::vector<std::filesystem::path> overlay_dirs() const;
    // The rulesets folder with the overlays layered over it.
    std::shared_ptr<catalogue> load_rules() const;
};

// The folder of `lint DIR` and `test DIR`: DIR, else --rulesets, else as every command
// (common::rulesets_dir); usage_error when DIR and --rulesets name different folders.
std::filesystem::path rulesets_folder(const common& c, const std::string& dir);

// --rulesets and --overlay (repeatable), and --lang, on a subcommand, kept in `c`.
void add_rulesets_option(CLI::App* sub, common& c);
void add_lang_option(CLI::App* sub, common& c);

// A command added to the app: its subcommand (true once given on the command line) and what
// runs it, returning the exit status.
struct command {
    CLI::App* sub = nullptr;
    std::function<int()> run;
};

// The commands, in the order `telecomply --help` lists them; each adds its subcommand and
// options to `app` (cmd_<name>.cpp).
command add_check(CLI::App& app, common& c);
command add_explain(CLI::App& app, common& c);
command add_lint(CLI::App& app, common& c);
command add_diff(CLI::App& app, common& c);
command add_graph(CLI::App& app, common& c);
command add_test(CLI::App& app, common& c);
command add_fmt(CLI::App& app, common& c);
command add_case(CLI::App& app, common& c);
// `case registry` and `case complaints` under `case` (cmd_case_numbers.cpp), which add_case runs.
std::vector<command> add_case_numbers(CLI::App* cases, common& c);
// `case durations` and `case forecast` under `case` (cmd_case_time.cpp), which add_case runs.
std::vector<command> add_case_time(CLI::App* cases, common& c);
command add_calendar(CLI::App& app, common& c);
command add_screen(CLI::App& app, common& c);
command add_serve(CLI::App& app, common& c);

// ------------------------------------------------------------------ output

// Output JSON never fails on text that is not valid UTF-8 (it is replaced, U+FFFD).
std::string json_text(const nlohmann::json& j, int indent = -1);

// "telecomply: <what>" on stderr.
void print_error(const std::exception& e);

// "file:line: json_path: error: message" (or warning) on stdout.
void print_diagnostic(const diagnostic& p);

// Opens `file` for reading into `in`; "" when it is open, else why not ("no such file", "is a
// folder, not a file", "cannot open the file").
std::string open_input(const std::string& file, std::ifstream& in);

// The text of an input file, or of standard input for "-" (as `check -` reads it); its name
// in messages ("<stdin>" for "-"). input_error naming the file when it cannot be read.
std::string read_input(const std::string& file);
std::string input_name(const std::string& file);

// Whether a file name says JSON Lines (.jsonl, .ndjson).
bool is_jsonl(const std::string& file);

// Applications to read (check, diff): a file, or standard input for "-".
struct application_input {
    std::string name;    // in messages: the file, or "<stdin>"
    bool jsonl = false;  // JSON Lines; else one JSON document (an application or an array)
    std::istream* in = nullptr;
    std::ifstream file;
    std::unique_ptr<std::streambuf> sniffed;  // standard input with the lines read to sniff it
    std::unique_ptr<std::istream> sniffed_in;
};

// Opens `file` for reading applications into `out`; "" when it is open, else why not (as
// open_input). A file's format is its name's (is_jsonl). Standard input's is its first line
// that is not blank: JSON Lines when it holds a whole JSON object (`{...}`), as a pipe of
// compact applications does; else one JSON document, such as a pretty-printed application
// (`telecomply check - < app.json`) or an array.
std::string open_applications(const std::string& file, application_input& out);

// "2026, 2027"
std::string year_list(const std::vector<int>& years);

// One automatic event (case tick, calendar import --store): a deadline that passed, or
// deadlines a calendar change moved.
void print_automatic(const std::string& id, const case_event& e);

}  // namespace telecomply::cli
