// The telecomply command line (DESIGN.md, "Command line"): a thin face over the library.
// Exit status: 0 all eligible / nothing found, 1 findings, 2 bad usage or bad input.

#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "telecomply/base/clock.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/base/version.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/calendar_import.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset_tests.hpp"
#include "telecomply/workflow/lint.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply::cli {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_findings = 1;
constexpr int exit_bad = 2;

struct common {
    std::string rulesets;
    std::string as_of;
    std::string format = "text";
    std::string lang = "both";

    std::optional<date> as_of_date() const {
        if (as_of.empty()) return std::nullopt;
        auto d = date::parse(as_of);
        if (!d) throw usage_error("--as-of needs a date (YYYY-MM-DD), not '" + as_of + "'");
        return d;
    }
    std::filesystem::path rulesets_dir() const {
        return rulesets.empty() ? catalogue::default_dir() : std::filesystem::path(rulesets);
    }
};

// Output JSON never fails on text that is not valid UTF-8 (it is replaced, U+FFFD).
std::string json_text(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_error(const std::exception& e) {
    std::cerr << "telecomply: " << e.what() << "\n";
}

bool is_jsonl(const std::string& file) {
    return file.size() >= 6 && (file.ends_with(".jsonl") || file.ends_with(".ndjson"));
}

// ------------------------------------------------------------------ check

int run_check(const common& c, const std::vector<std::string>& files, unsigned threads) {
    const engine e(c.rulesets_dir());
    check_options opts;
    opts.as_of = c.as_of_date();
    std::size_t eligible = 0, ineligible = 0, needs_evidence = 0, bad = 0;
    std::vector<nlohmann::json> json_out;  // --format json collects (one object or an array)
    std::ios::sync_with_stdio(false);

    for (const auto& file : files) {
        std::ifstream fin;
        std::istream* in = &std::cin;
        const std::string name = file == "-" ? "<stdin>" : file;
        if (file != "-") {
            fin.open(file, std::ios::binary);
            if (!fin) {
                std::cerr << "telecomply: " << file << ": cannot open the file\n";
                ++bad;
                continue;
            }
            in = &fin;
        }
        const bool jsonl = file == "-" ? true : is_jsonl(file);
        e.check_stream(
            *in, jsonl, name, opts,
            [&](std::size_t, engine::result&& r) {
                if (auto* err = std::get_if<input_error>(&r)) {
                    ++bad;
                    std::cerr << "telecomply: " << err->what() << "\n";
                    if (c.format == "jsonl")
                        std::cout << json_text(nlohmann::json{{"error",
                                                               {{"file", err->file()},
                                                                {"line", err->line()},
                                                                {"json_path", err->json_path()},
                                                                {"message", err->message()}}}})
                                  << "\n";
                    return;
                }
                auto& v = std::get<verdict>(r);
                switch (v.outcome) {
                    case decision::eligible:
                        ++eligible;
                        break;
                    case decision::ineligible:
                        ++ineligible;
                        break;
                    case decision::needs_evidence:
                        ++needs_evidence;
                        break;
                }
                if (c.format == "jsonl")
                    std::cout << json_text(v.to_json()) << "\n";
                else if (c.format == "json")
                    json_out.push_back(v.to_json());
                else
                    std::cout << v.to_text(c.lang) << "\n";
            },
            threads);
    }
    if (c.format == "json") {
        if (json_out.size() == 1)
            std::cout << json_text(json_out.front(), 2) << "\n";
        else
            std::cout << json_text(nlohmann::json(json_out), 2) << "\n";
    } else if (c.format == "text") {
        const std::size_t total = eligible + ineligible + needs_evidence;
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << eligible
                  << " eligible, " << ineligible << " ineligible, " << needs_evidence
                  << " need evidence";
        if (bad != 0) std::cout << "; " << bad << " rejected as bad input";
        std::cout << "\n";
    }
    std::cout.flush();
    if (bad != 0) return exit_bad;
    return (ineligible + needs_evidence) != 0 ? exit_findings : exit_ok;
}

// ------------------------------------------------------------------ explain

int run_explain(const common& c, const std::string& file) {
    const engine e(c.rulesets_dir());
    check_options opts;
    opts.as_of = c.as_of_date();
    opts.trace = true;
    const verdict v = e.check_json(read_input_file(file), opts, file);
    if (c.format == "json") {
        std::cout << json_text(v.to_json(), 2) << "\n";
    } else {
        std::cout << v.to_text(c.lang) << "\nRules, in order:\n";
        for (const auto& t : *v.trace) {
            std::cout << "  [" << t.outcome << "] " << t.source->id;
            if (!t.source->code.empty()) std::cout << "  " << t.source->code;
            if (!t.subject.empty()) std::cout << " [" << t.subject << "]";
            std::cout << "  (" << t.source->origin << ")\n";
            if (!t.source->when_src.empty())
                std::cout << "      when:    " << t.source->when_src << "\n";
            if (!t.source->require_src.empty())
                std::cout << "      require: " << t.source->require_src << "\n";
            for (const auto& [path, val] : t.inputs.items())
                std::cout << "      input    " << path << " = " << json_text(val) << "\n";
            if (!t.detail.empty()) std::cout << "      detail:  " << t.detail << "\n";
            if (t.outcome == "fail" || t.outcome == "unknown") {
                const finding f{t.source, t.subject, t.source->level};
                const auto r = f.remedy();
                if (c.lang != "en" && !r.zh.empty()) std::cout << "      remedy:  " << r.zh << "\n";
                if (c.lang != "zh" && !r.en.empty()) std::cout << "      remedy:  " << r.en << "\n";
            }
        }
    }
    return v.outcome == decision::eligible ? exit_ok : exit_findings;
}

// ------------------------------------------------------------------ lint / test

void print_diagnostic(const diagnostic& p);

int run_lint(const std::string& dir) {
    std::shared_ptr<catalogue> cat;
    try {
        cat = catalogue::load(dir);
    } catch (const error& e) {
        // Calendar files are linted on their own, so that all their problems show at once.
        const auto cal_dir = std::filesystem::path(dir) / "calendars";
        if (e.code() == errc::calendar_error && std::filesystem::is_directory(cal_dir)) {
            const auto problems = lint_calendars(cal_dir);
            if (!problems.empty()) {
                for (const auto& p : problems)
                    print_diagnostic(p);
                std::cout << problems.size() << " problem" << (problems.size() == 1 ? "" : "s")
                          << " in the calendars\n";
                return exit_bad;
            }
        }
        std::cout << e.what() << "\n1 problem\n";
        return exit_bad;
    }
    const auto problems = lint_all(*cat);
    std::size_t errors = 0;
    for (const auto& p : problems) {
        print_diagnostic(p);
        if (!p.warning) ++errors;
    }
    const auto versions = cat->list().size();
    std::cout << versions << " ruleset versions checked: " << errors << " error"
              << (errors == 1 ? "" : "s") << ", " << problems.size() - errors << " warning"
              << (problems.size() - errors == 1 ? "" : "s") << "\n";
    return errors != 0 ? exit_bad : (problems.empty() ? exit_ok : exit_findings);
}

int run_test(const common& c, const std::string& dir_arg, bool verbose) {
    const std::filesystem::path rulesets =
        dir_arg.empty() ? c.rulesets_dir() : std::filesystem::path(dir_arg);
    const engine e(rulesets);
    const auto report = run_ruleset_tests(e, rulesets / "tests");
    for (const auto& r : report.cases) {
        if (r.passed() && !verbose) continue;
        std::cout << (r.passed() ? "PASS " : "FAIL ") << r.name << "  (" << r.file << ")\n";
        for (const auto& f : r.failures)
            std::cout << "     " << f << "\n";
    }
    std::cout
        << "\nfinding code coverage (cases where it fires / where it is checked and passes):\n";
    for (const auto& [code, cov] : report.coverage)
        std::cout << "  " << (cov.fired && cov.not_fired ? "  " : "! ") << code << "  " << cov.fired
                  << " / " << cov.not_fired << "\n";
    std::vector<std::string> never_fired;
    for (const auto& [id, cov] : report.rule_coverage)
        if (cov.fired == 0) never_fired.push_back(id);
    std::cout << report.rule_coverage.size()
              << " rules with a finding code; never fired by a case:";
    for (const auto& id : never_fired)
        std::cout << " " << id;
    std::cout << (never_fired.empty() ? " none\n" : "\n");
    const auto uncovered = report.uncovered();
    std::cout << report.cases.size() << " cases: " << report.cases.size() - report.failed()
              << " passed, " << report.failed() << " failed; " << uncovered.size()
              << " finding code" << (uncovered.size() == 1 ? "" : "s")
              << " not covered both ways\n";
    return report.failed() != 0 || !uncovered.empty() ? exit_findings : exit_ok;
}

// ------------------------------------------------------------------ diff

engine::parsed parse_one(const engine& e, std::string_view text, const std::string& name) {
    try {
        return e.parse(text, name);
    } catch (const input_error& err) {
        return err;
    }
}

int run_diff(const common& c, const std::vector<std::string>& files, const std::string& from,
             const std::string& to) {
    const engine e(c.rulesets_dir());
    std::size_t total = 0, flipped = 0, changed = 0, bad = 0;
    auto one = [&](const engine::parsed& p, const std::string& name, std::uint32_t line) {
        try {
            if (const auto* err = std::get_if<input_error>(&p)) throw *err;
            const document& doc = std::get<document>(p);
            const verdict a = e.check_version(doc, from);
            const verdict b = e.check_version(doc, to);
            const verdict_change d = compare(a, b);
            ++total;
            if (!d.changed()) return;
            ++changed;
            flipped += d.from != d.to;
            if (c.format == "text") {
                std::cout << a.application << "  " << a.region << "  " << to_string(d.from)
                          << " -> " << to_string(d.to);
                for (const auto& k : d.added)
                    std::cout << "  +" << k;
                for (const auto& k : d.removed)
                    std::cout << "  -" << k;
                std::cout << "\n";
            } else {
                auto j = d.to_json();
                j["application"] = a.application;
                j["region"] = a.region;
                std::cout << json_text(j) << "\n";
            }
        } catch (const input_error& err) {
            ++bad;
            std::cerr << "telecomply: " << err.what() << "\n";
        } catch (const not_found_error& err) {
            ++bad;
            std::cerr << "telecomply: " << name << ":" << line << ": " << err.what() << "\n";
        }
    };
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::cerr << "telecomply: " << file << ": cannot open the file\n";
            ++bad;
            continue;
        }
        if (is_jsonl(file)) {
            e.parse_jsonl(in, file,
                          [&](std::uint32_t line, engine::parsed&& p) { one(p, file, line); });
        } else {
            const std::string text((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
            one(parse_one(e, text, file), file, 1);
        }
    }
    if (c.format == "text")
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << changed
                  << " with different findings from " << from << " to " << to << ", " << flipped
                  << " with a different decision\n";
    if (bad != 0) return exit_bad;
    return changed != 0 ? exit_findings : exit_ok;
}

// ------------------------------------------------------------------ case

struct case_args {
    std::string store = "cases.db";
    std::string actor = "cli";
    std::string at;
    std::string data = "{}";
    std::string id;
    std::string event;
    std::string file;
    std::string now;
};

std::string year_list(const std::vector<int>& years) {
    std::string out;
    for (const int y : years)
        out += (out.empty() ? "" : ", ") + std::to_string(y);
    return out;
}

// "2027-02-03  (40 working days from 2026-11-30; PROVISIONAL: 2027 is not official yet)"
std::string describe_deadline(const case_deadline& d) {
    std::string out = d.due.to_string();
    std::string notes;
    if (d.working_days != 0)
        notes = std::to_string(d.working_days) + " working days from " + d.from.to_string();
    if (d.provisional())
        notes += (notes.empty() ? "" : "; ") + std::string("PROVISIONAL: counted across ") +
                 year_list(d.provisional_years) + (d.provisional_years.size() == 1 ? ", a" : ", ") +
                 " provisional calendar year" + (d.provisional_years.size() == 1 ? "" : "s") +
                 " (its days may change when the official arrangement is imported)";
    if (d.moved_from)
        notes += (notes.empty() ? "" : "; ") + std::string("moved from ") +
                 d.moved_from->to_string() + " by a calendar change (" + d.calendar + ")";
    return notes.empty() ? out : out + "  (" + notes + ")";
}

void print_case(const case_state& s, const std::string& format) {
    if (format == "json") {
        std::cout << json_text(s.summary(), 2) << "\n";
        return;
    }
    std::cout << "case " << s.id << "  " << s.region << "  state " << s.state << "  rules "
              << s.ruleset_id << "@" << s.ruleset_version << "  (event " << s.version << ")\n";
    for (const auto& [name, d] : s.deadlines)
        std::cout << "  deadline  " << name << "  " << describe_deadline(d) << "\n";
    if (s.validity_until) std::cout << "  valid until  " << s.validity_until->to_string() << "\n";
    for (const auto& [code, met] : s.obligations)
        std::cout << "  obligation  " << code << (met ? "  met" : "  open") << "\n";
    for (const auto& f : s.flags)
        std::cout << "  flag  " << f << "\n";
    for (const auto& w : s.warnings)
        std::cout << "  warning  " << w.value("code", "") << "  " << json_text(w) << "\n";
    for (const auto& f : s.findings)
        std::cout << "  finding  " << f.value("severity", "") << "  " << f.value("code", "")
                  << (f.contains("subject") ? " [" + f["subject"].get<std::string>() + "]" : "")
                  << "\n";
    if (!s.rejection_reasons.empty()) {
        std::cout << "  rejected for:";
        for (const auto& r : s.rejection_reasons)
            std::cout << " " << r;
        std::cout << "\n";
    }
    if (s.banned_until) std::cout << "  banned until  " << s.banned_until->to_string() << "\n";
}

// One automatic event: a deadline that passed, or deadlines a calendar change moved.
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

int run_case(const common& c, const std::string& action, const case_args& a,
             const std::string& format) {
    auto eng = std::make_shared<const engine>(c.rulesets_dir());
    const case_manager manager(eng);
    auto store = case_store::open(a.store);
    case_service service(store, manager);
    const std::string at = a.at.empty() ? now_cst() : a.at;
    if (action == "new") {
        const auto app = parse_input_json(read_input_file(a.file), a.file);
        const auto s =
            service.create(app, case_event{"create", a.actor, at, nlohmann::json::object()}, a.id);
        print_case(s, format);
        return exit_ok;
    }
    if (action == "event") {
        nlohmann::json data;
        try {
            data = nlohmann::json::parse(a.data);
        } catch (const nlohmann::json::parse_error& e) {
            throw input_error("--data", 1, "", std::string("invalid JSON: ") + e.what());
        }
        if (!data.is_object())
            throw input_error("--data", 1, "$", "event data must be a JSON object");
        try {
            const auto r = service.apply(a.id, case_event{a.event, a.actor, at, data});
            print_case(r.after, format);
            return exit_ok;
        } catch (const transition_refused& e) {
            std::cerr << "telecomply: refused: " << e.what() << "\n";
            return exit_findings;
        }
    }
    if (action == "show") {
        print_case(service.get(a.id), format);
        return exit_ok;
    }
    if (action == "history") {
        (void)service.get(a.id);  // not_found for an unknown case
        const auto events = store.events(a.id);
        if (format == "json") {
            std::cout << json_text(nlohmann::json(events), 2) << "\n";
        } else {
            for (const auto& e : events) {
                std::cout << e.seq << "  " << e.at << "  " << e.type << "  by " << e.actor;
                if (e.type != "create" && !e.payload.empty())
                    std::cout << "  " << json_text(e.payload);
                if (e.verdict.is_object())
                    std::cout << "  -> rules: " << e.verdict.value("decision", "");
                if (e.outcome.is_object() && e.outcome.contains("deadlines"))
                    for (const auto& [name, d] : e.outcome["deadlines"].items()) {
                        std::cout << "\n      deadline " << name << " ";
                        try {
                            const auto dl = case_deadline::from_json(d);
                            std::cout << describe_deadline(dl);
                            if (!dl.calendar.empty())
                                std::cout << "  [calendar " << dl.calendar << "]";
                        } catch (const error&) {
                            std::cout << json_text(d);
                        }
                    }
                std::cout << "\n      hash " << e.hash.substr(0, 16) << "…\n";
            }
        }
        return exit_ok;
    }
    if (action == "verify") {
        const auto report =
            service.verify(a.id.empty() ? std::nullopt : std::optional<std::string>(a.id));
        for (const auto& p : report.chains.problems)
            std::cout << "TAMPERED  case " << p.case_id << " event " << p.seq << ": " << p.message
                      << "\n";
        for (const auto& p : report.replay)
            std::cout << "TAMPERED  " << p << "\n";
        const auto& chains = report.chains;
        std::cout << chains.cases << " case" << (chains.cases == 1 ? "" : "s") << ", "
                  << chains.events << " events: "
                  << (report.ok() ? "the hash chains verify and replay matches" : "problems found")
                  << "\n";
        return report.ok() ? exit_ok : exit_findings;
    }
    if (action == "tick") {
        const date now = case_manager::event_date(a.now.empty() ? now_cst() : a.now);
        const auto done = service.tick(now, a.actor);
        if (format == "json") {
            auto arr = nlohmann::json::array();
            for (const auto& [id, e] : done)
                arr.push_back({{"case_id", id}, {"type", e.type}, {"at", e.at}, {"data", e.data}});
            std::cout << json_text(arr, 2) << "\n";
            return exit_ok;
        }
        for (const auto& [id, e] : done)
            print_automatic(id, e);
        std::cout << done.size() << " automatic event" << (done.size() == 1 ? "" : "s")
                  << " applied as of " << now.to_string() << "\n";
        return exit_ok;
    }
    throw usage_error("unknown case action '" + action + "'");
}

// ------------------------------------------------------------------ calendar

void print_diagnostic(const diagnostic& p) {
    std::cout << p.file;
    if (p.line != 0) std::cout << ":" << p.line;
    if (!p.json_path.empty()) std::cout << ": " << p.json_path;
    std::cout << ": " << (p.warning ? "warning: " : "error: ") << p.message << "\n";
}

struct calendar_args {
    std::vector<std::string> files;
    bool dry_run = false;
    bool replace_official = false;
    std::string store;
    std::string at;
    std::string region = "CN";
    std::string format = "text";
};

std::string day_list(const std::vector<date>& days) {
    std::string out;
    for (const auto& d : days)
        out += (out.empty() ? "" : " ") + d.to_string();
    return out;
}

// `calendar import`: each file on its own (a bad one does not stop the others); then, with
// --store, the deadlines of stored cases are recounted on the new calendars. Everything that
// can be checked before writing is checked first (--at, --store).
int run_calendar_import(const common& c, const calendar_args& a) {
    const auto dir = c.rulesets_dir() / "calendars";
    const std::string at = a.at.empty() ? now_cst() : a.at;
    (void)case_manager::event_date(at);  // usage_error for a bad --at, before any write
    std::optional<case_store> store;
    if (!a.store.empty() && !a.dry_run) {
        if (!std::filesystem::exists(a.store))
            throw usage_error("--store '" + a.store +
                              "': no such case store (it is not created here)");
        store = case_store::open(a.store);
    }
    calendar_import_options options;
    options.dry_run = a.dry_run;
    options.replace_official = a.replace_official;
    int status = exit_ok;
    bool written = false;
    for (const auto& f : a.files) {
        calendar_import_report r;
        try {
            r = import_calendar(dir, f, options);
        } catch (const error& e) {
            std::cout << f << ": not imported: " << e.what() << "\n";
            status = exit_bad;
            continue;
        }
        for (const auto& p : r.problems)
            print_diagnostic(p);
        if (!r.ok()) {
            std::size_t errors = 0;
            for (const auto& p : r.problems)
                errors += p.warning ? 0 : 1;
            std::cout << f << ": not imported (" << errors << " error" << (errors == 1 ? "" : "s")
                      << ")\n";
            status = exit_bad;
            continue;
        }
        for (const auto& ch : r.changes) {
            std::cout << ch.calendar << " " << ch.year << ": "
                      << (ch.before ? std::string(to_string(*ch.before)) : std::string("new"))
                      << " -> " << to_string(ch.after);
            if (ch.now_off.empty() && ch.now_working.empty()) std::cout << ", no day changes";
            std::cout << "\n";
            if (!ch.now_off.empty()) std::cout << "  now off:     " << day_list(ch.now_off) << "\n";
            if (!ch.now_working.empty())
                std::cout << "  now working: " << day_list(ch.now_working) << "\n";
        }
        if (a.dry_run)
            std::cout << "(dry run: nothing written)\n";
        else if (r.written.empty())
            std::cout << "unchanged: nothing to write\n";
        else
            std::cout << "written: " << r.written.string() << "\n";
        written = written || !r.written.empty();
    }
    if (!a.store.empty() && a.dry_run)
        std::cout << "(dry run: the deadlines in " << a.store << " are not recounted)\n";
    if (store && written) {
        // the rules loaded now see the calendars as written
        auto eng = std::make_shared<const engine>(c.rulesets_dir());
        const case_manager manager(eng);
        case_service service(*store, manager);
        const auto done = service.recompute(at, "calendar-import");
        for (const auto& [id, e] : done)
            print_automatic(id, e);
        std::cout << done.size() << " case" << (done.size() == 1 ? "" : "s")
                  << " with deadlines recounted\n";
    }
    return status;
}

// `calendar show`: the years a region's calendar covers, their status and source.
int run_calendar_show(const common& c, const calendar_args& a) {
    const auto set = calendar_set::load(c.rulesets_dir() / "calendars");
    const calendar& cal = set.for_region(a.region);
    if (a.format == "json") {
        auto years = nlohmann::json::array();
        for (int y = cal.first_year(); y <= cal.last_year(); ++y)
            years.push_back({{"year", y},
                             {"status", std::string(to_string(cal.status(y)))},
                             {"source", cal.source(y)}});
        std::cout << json_text({{"name", cal.name()},
                                {"version", cal.version()},
                                {"first_day", cal.first_day().to_string()},
                                {"last_day", cal.last_day().to_string()},
                                {"years", years}},
                               2)
                  << "\n";
        return exit_ok;
    }
    std::cout << "calendar " << cal.name() << "@" << cal.version() << "  "
              << cal.first_day().to_string() << " to " << cal.last_day().to_string() << "\n";
    for (int y = cal.first_year(); y <= cal.last_year(); ++y)
        std::cout << "  " << y << "  " << to_string(cal.status(y)) << "  " << cal.source(y) << "\n";
    return exit_ok;
}

}  // namespace

int run(const std::vector<std::string>& args) {
    CLI::App app{"telecomply: telemarketing-number whitelist compliance (电销卡白名单)",
                 "telecomply"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(version()));
    common c;
    auto add_rulesets = [&](CLI::App* sub) {
        sub->add_option("--rulesets", c.rulesets,
                        "folder of rulesets (default: the installed ones)");
    };
    auto add_lang = [&](CLI::App* sub) {
        sub->add_option("--lang", c.lang, "language of messages in text output")
            ->check(CLI::IsMember({"zh", "en", "both"}));
    };

    std::vector<std::string> files;
    unsigned threads = 0;
    auto* check =
        app.add_subcommand("check", "check applications (JSON or JSON Lines files; - for stdin)");
    check->add_option("files", files, "application files")->required();
    add_rulesets(check);
    check->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    check->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json", "jsonl"}));
    check->add_option(
        "--threads", threads,
        "worker threads for JSON Lines input (default 0: all cores; output order is kept)");
    add_lang(check);

    std::string explain_file;
    auto* explain = app.add_subcommand(
        "explain", "every rule's inputs, outcome and remedy for one application");
    explain->add_option("file", explain_file, "application file")->required();
    add_rulesets(explain);
    explain->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    explain->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    add_lang(explain);

    std::string lint_dir;
    auto* lint =
        app.add_subcommand("lint", "check rulesets: schema, expressions, overrides, versions");
    lint->add_option("dir", lint_dir, "folder of rulesets (default: the installed ones)");

    std::string diff_from, diff_to;
    std::vector<std::string> diff_files;
    auto* diff =
        app.add_subcommand("diff", "the findings and decisions a policy change would change");
    diff->add_option("--from", diff_from, "the version before, e.g. 2025.1")->required();
    diff->add_option("--to", diff_to, "the version after, e.g. 2026.1")->required();
    diff->add_option("files", diff_files, "application files (JSON or JSON Lines)")->required();
    diff->add_option("--format", c.format, "text or jsonl")
        ->check(CLI::IsMember({"text", "jsonl"}));
    add_rulesets(diff);

    std::string graph_format = "dot", graph_region = "CN";
    auto* graph = app.add_subcommand("graph", "draw the workflow (Graphviz DOT or Mermaid)");
    graph->add_option("--format", graph_format, "dot or mermaid")
        ->check(CLI::IsMember({"dot", "mermaid"}));
    graph->add_option("--region", graph_region, "the region whose workflow to draw (default: CN)");
    add_rulesets(graph);

    std::string test_dir;
    bool verbose = false;
    auto* test =
        app.add_subcommand("test", "run the ruleset test cases and report finding-code coverage");
    test->add_option("dir", test_dir,
                     "folder of rulesets with a tests/ folder (default: installed)");
    test->add_flag("-v,--verbose", verbose, "list passing cases too");

    case_args ca;
    std::string case_format = "text";
    auto* cases =
        app.add_subcommand("case", "the case store: new, event, show, history, verify, tick");
    cases->require_subcommand(1);
    add_rulesets(cases);
    auto store_opt = [&](CLI::App* sub) {
        add_rulesets(sub);
        sub->add_option("--store", ca.store, "the SQLite case store (default: cases.db)");
        sub->add_option("--format", case_format, "output format")
            ->check(CLI::IsMember({"text", "json"}));
    };
    auto* c_new = cases->add_subcommand("new", "create a case from an application");
    c_new->add_option("file", ca.file, "application JSON file")->required();
    c_new->add_option("--id", ca.id, "case id (default: the application's id)");
    c_new->add_option("--actor", ca.actor, "who records it");
    c_new->add_option("--at", ca.at, "when (RFC 3339 or YYYY-MM-DD; default: now)");
    store_opt(c_new);
    auto* c_event = cases->add_subcommand("event", "apply an event to a case");
    c_event->add_option("id", ca.id, "case id")->required();
    c_event->add_option("event", ca.event, "event name, e.g. submit")->required();
    c_event->add_option("--actor", ca.actor, "who does it");
    c_event->add_option("--at", ca.at, "when (RFC 3339 or YYYY-MM-DD; default: now)");
    c_event->add_option("--data", ca.data, "event data as a JSON object");
    store_opt(c_event);
    auto* c_show =
        cases->add_subcommand("show", "a case's state, deadlines, obligations and findings");
    c_show->add_option("id", ca.id, "case id")->required();
    store_opt(c_show);
    auto* c_history = cases->add_subcommand("history", "a case's events");
    c_history->add_option("id", ca.id, "case id")->required();
    store_opt(c_history);
    auto* c_verify =
        cases->add_subcommand("verify", "check the hash chains (one case or all) and replay");
    c_verify->add_option("id", ca.id, "case id (default: every case)");
    store_opt(c_verify);
    auto* c_tick = cases->add_subcommand("tick", "apply what time has made due (deadlines)");
    c_tick->add_option("--now", ca.now, "as of this time (default: now)");
    c_tick->add_option("--actor", ca.actor, "recorded as the actor");
    store_opt(c_tick);

    calendar_args cal;
    auto* calendars = app.add_subcommand(
        "calendar", "working-day calendars: import an official year, show the years covered");
    calendars->require_subcommand(1);
    add_rulesets(calendars);
    auto* cal_import = calendars->add_subcommand(
        "import", "add or replace years from an official holiday arrangement (docs/calendars.md)");
    cal_import->add_option("files", cal.files, "calendar files to import")->required();
    add_rulesets(cal_import);
    cal_import->add_flag("--dry-run", cal.dry_run, "check and report, write nothing");
    cal_import->add_flag("--replace-official", cal.replace_official,
                         "allow an official year to get other days (a corrected notice)");
    cal_import->add_option("--store", cal.store,
                           "then recount the deadlines of the cases in this store");
    cal_import->add_option("--at", cal.at,
                           "time recorded on the recounts (RFC 3339 or YYYY-MM-DD; default: now)");
    auto* cal_show =
        calendars->add_subcommand("show", "the years a calendar covers, their status and source");
    cal_show->add_option("--region", cal.region, "CN (default) or a region, e.g. CN-GX");
    add_rulesets(cal_show);
    cal_show->add_option("--format", cal.format, "text or json")
        ->check(CLI::IsMember({"text", "json"}));

    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_bad;
    }
    try {
        if (*check) return run_check(c, files, threads);
        if (*explain) return run_explain(c, explain_file);
        if (*lint) return run_lint(lint_dir.empty() ? catalogue::default_dir().string() : lint_dir);
        if (*test) return run_test(c, test_dir, verbose);
        if (*diff) return run_diff(c, diff_files, diff_from, diff_to);
        if (*graph) {
            const auto wf = workflow::load(c.rulesets_dir() / "workflow", graph_region);
            std::cout << (graph_format == "dot" ? wf.to_dot() : wf.to_mermaid());
            return exit_ok;
        }
        if (*cal_import) return run_calendar_import(c, cal);
        if (*cal_show) return run_calendar_show(c, cal);
        if (*cases) {
            for (auto* sub : cases->get_subcommands())
                if (*sub) return run_case(c, sub->get_name(), ca, case_format);
        }
    } catch (const error& e) {
        print_error(e);
        return exit_bad;
    } catch (const std::exception& e) {
        print_error(e);
        return exit_bad;
    }
    return exit_bad;
}

}  // namespace telecomply::cli
