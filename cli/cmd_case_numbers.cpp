// `telecomply case registry` and `telecomply case complaints`: the case store seen by number —
// which numbers were whitelisted when (the registry), and complaints about them recorded on the
// cases that whitelisted them (docs/workflow.md, "The registry of whitelisted numbers",
// "Complaints").

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/complaints.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/registry.hpp"
#include "telecomply/rules/engine.hpp"

namespace telecomply::cli {

namespace {

struct numbers_args {
    std::string store = "cases.db";
    std::string out;
    std::string file;
    std::string actor = "cli";
    std::string now;
    std::string format = "text";
};

// A read-only command never creates a store: a mistyped --store is an error, not a new file.
void require_store(const std::string& store) {
    std::error_code ec;
    if (!std::filesystem::exists(store, ec))
        throw not_found_error("no case store '" + store + "' (`telecomply case new` creates one)");
}

int run_registry(const common& c, const numbers_args& a) {
    require_store(a.store);
    const case_manager manager(std::make_shared<const engine>(c.load_rules()));
    auto store = case_store::open(a.store);
    const case_service service(store, manager);
    std::vector<std::string> skipped;
    const auto entries = service.registry(&skipped);
    for (const auto& m : skipped)
        std::cerr << "telecomply: skipped: " << m << "\n";
    if (a.out.empty()) {
        write_registry(std::cout, entries);
    } else {
        write_registry_file(a.out, entries);
        std::set<std::string> numbers, cases;
        for (const auto& e : entries) {
            numbers.insert(e.number);
            cases.insert(e.case_id);
        }
        std::cout << "wrote " << entries.size() << " entr" << (entries.size() == 1 ? "y" : "ies")
                  << " (" << numbers.size() << " number" << (numbers.size() == 1 ? "" : "s")
                  << " on " << cases.size() << " case" << (cases.size() == 1 ? "" : "s") << ") to "
                  << a.out << "\n";
    }
    return skipped.empty() ? exit_ok : exit_findings;
}

// "complaints.csv:7" or "complaints.json:3 $[2]"
std::string where(const complaint_record& r) {
    std::string out = r.file.empty() ? std::string("<records>") : r.file;
    if (r.line != 0) out += ":" + std::to_string(r.line);
    if (!r.json_path.empty() && r.json_path != "$") out += " " + r.json_path;
    return out;
}

void print_outcomes(const std::vector<complaint_outcome>& list, const char* label) {
    for (const auto& o : list)
        std::cout << "  " << label << where(o.record) << "  " << o.number << "  "
                  << o.record.received_at << ": " << o.reason << "\n";
}

int run_complaints(const common& c, const numbers_args& a) {
    // the file is read before the store is opened: a bad file leaves no store behind
    const auto batch = parse_complaints(read_input(a.file), input_name(a.file));
    require_store(a.store);
    const store_clock clock =
        a.now.empty() ? store_clock::from_environment() : store_clock::fixed(a.now);
    const case_manager manager(std::make_shared<const engine>(c.load_rules()));
    auto store = case_store::open(a.store);
    case_service service(store, manager, clock);
    const auto report = service.import_complaints(batch, a.actor);
    const int status = !report.errors.empty()                                 ? exit_bad
                       : !report.unmatched.empty() || !report.refused.empty() ? exit_findings
                                                                              : exit_ok;
    if (a.format == "json") {
        std::cout << json_text(report.to_json(), 2) << "\n";
        return status;
    }
    const auto n = report.applied.size() + report.duplicates.size() + report.unmatched.size() +
                   report.refused.size() + report.errors.size();
    std::cout << input_name(a.file) << ": " << n << " record" << (n == 1 ? "" : "s") << ": "
              << report.applied.size() << " applied, " << report.duplicates.size()
              << " already recorded, " << report.unmatched.size() << " unmatched, "
              << report.refused.size() << " refused, " << report.errors.size() << " bad\n";
    for (const auto& o : report.applied)
        if (o.state != "whitelisted")
            std::cout << "  " << o.state << "  case " << o.case_id << " by the complaint of "
                      << where(o.record) << " (" << o.number << ", event " << o.seq << ")\n";
    print_outcomes(report.unmatched, "unmatched  ");
    print_outcomes(report.refused, "refused    ");
    for (const auto& e : report.errors)
        std::cout << "  bad        " << e.file << (e.line != 0 ? ":" + std::to_string(e.line) : "")
                  << (e.json_path.empty() ? "" : ": " + e.json_path) << ": " << e.message << "\n";
    return status;
}

}  // namespace

std::vector<command> add_case_numbers(CLI::App* cases, common& c) {
    auto a = std::make_shared<numbers_args>();
    auto* reg = cases->add_subcommand(
        "registry",
        "the registry of whitelisted numbers as JSON Lines: each number of each case, its "
        "region and when the case held it whitelisted (what `screen` judges callers by)");
    add_rulesets_option(reg, c);
    reg->add_option("--store", a->store,
                    "the SQLite case store (default: cases.db; never created)");
    reg->add_option("--out", a->out,
                    "write it to this file (replaced atomically) instead of standard output");
    auto* comp = cases->add_subcommand(
        "complaints",
        "import complaint records (CSV or JSON Lines) as complaint events on the cases that "
        "whitelisted their numbers; importing a file again adds nothing");
    comp->add_option("file", a->file,
                     "complaints: CSV with a header (number,received_at[,source]) or JSON Lines "
                     "({\"number\", \"received_at\", \"source\"?} per line); - for stdin")
        ->required();
    add_rulesets_option(comp, c);
    comp->add_option("--store", a->store,
                     "the SQLite case store (default: cases.db; never created)");
    comp->add_option("--format", a->format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    comp->add_option("--actor", a->actor, "recorded as the events' actor (default: cli)");
    comp->add_option("--now", a->now,
                     "the store's clock: complaints received more than a day after it are "
                     "refused (RFC 3339 or YYYY-MM-DD; default: TELECOMPLY_NOW, else the system "
                     "clock)");
    comp->footer(
        "Exit status: 0 every record applied or already recorded; 1 some unmatched (no case "
        "whitelisted the number then) or refused (by the workflow or the time rules); 2 bad "
        "usage, a file that cannot be read, or bad records (reported with file and line; the "
        "good records are still applied).");
    return {{reg, [&c, a] { return run_registry(c, *a); }},
            {comp, [&c, a] { return run_complaints(c, *a); }}};
}

}  // namespace telecomply::cli
