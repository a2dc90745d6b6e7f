// `telecomply case`: the case store: new, event, list, show, history, verify, tick; and its
// seals: keygen, seal, verify --seal, export, verify --bundle. `case registry` and `case
// complaints` are in cmd_case_numbers.cpp.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/event_time.hpp"
#include "telecomply/cases/seal.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/vocabulary.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace telecomply::cli {

namespace {

struct case_args {
    std::string store = "cases.db";
    std::string actor = "cli";
    std::string at;
    std::string data = "{}";
    std::string id;
    std::string event;
    std::string file;
    std::string now;
    std::optional<std::int64_t> expect_version;
    // case list
    std::string state, region, uscc, due_before;
    bool overdue = false;
    // seals: case keygen, seal, export, verify --seal / --bundle
    std::string key, out, seal, public_key, bundle;
};

// Whether `case verify` checks a seal or a bundle rather than the store alone.
bool verifies_seal(const case_args& a) {
    return !a.seal.empty() || !a.bundle.empty() || !a.public_key.empty();
}

// What verify_seal() / verify_bundle() found: problems, then what came after the seal. `what`:
// "seal" or "bundle", then the file.
int print_seal_report(const seal_report& r, const std::string& format, const std::string& what,
                      const std::string& file) {
    if (format == "json") {
        std::cout << json_text(r.to_json(), 2) << "\n";
        return r.ok() ? exit_ok : exit_findings;
    }
    for (const auto& p : r.problems) {
        if (p.case_id.empty())
            std::cout << (what == "seal" ? "BAD SEAL  " : "BAD BUNDLE  ") << p.message << "\n";
        else
            std::cout << "TAMPERED  case " << p.case_id << " event " << p.seq << ": " << p.message
                      << "\n";
    }
    for (const auto& x : r.appended)
        std::cout << "appended since the seal: " << x.case_id << " (sealed at version "
                  << x.sealed_version << ", now " << x.version << ")\n";
    for (const auto& id : r.added)
        std::cout << "added since the seal: " << id << "\n";
    for (const auto& x : r.rules_not_carried)
        std::cout << "rules not carried (cannot be checked offline): " << x << "\n";
    std::cout << what << " " << file << ": " << r.cases << " sealed case"
              << (r.cases == 1 ? "" : "s") << ", " << r.events << " event"
              << (r.events == 1 ? "" : "s") << ", sealed at " << r.sealed_at << " by key "
              << r.key_id.substr(0, 16)
              << "…: " << (r.ok() ? "the seal verifies" : "problems found") << "\n";
    return r.ok() ? exit_ok : exit_findings;
}

// case keygen, seal, export and verify --seal / --bundle. Keys and seals are read before the
// store is opened, so that a bad file names itself and leaves no store behind.
int run_seal(const common& c, const std::string& action, const case_args& a,
             const std::string& format, const store_clock& clock) {
    if (action == "keygen") {
        const auto [private_file, public_file] = write_seal_key(generate_seal_key(), a.out);
        const std::string id = seal_key_id(read_seal_public_key(public_file));
        if (format == "json") {
            std::cout << json_text({{"private_key", private_file.string()},
                                    {"public_key", public_file.string()},
                                    {"key_id", id}},
                                   2)
                      << "\n";
        } else {
            std::cout << "wrote " << private_file.string()
                      << " (the private key: keep it off the store's host) and "
                      << public_file.string() << " (the public key)\nkey id " << id << "\n";
        }
        return exit_ok;
    }
    if (action == "verify") {
        if (!a.id.empty()) throw usage_error("a seal or a bundle covers every case: no case id");
        if (a.public_key.empty()) throw usage_error("--seal and --bundle need --public-key");
        if (a.seal.empty() == a.bundle.empty())
            throw usage_error("case verify --public-key takes --seal (with --store) or --bundle");
    }
    const std::string public_key =
        a.public_key.empty() ? std::string() : read_seal_public_key(a.public_key);
    const std::string private_key = a.key.empty() ? std::string() : read_seal_private_key(a.key);
    if (!a.bundle.empty()) {
        const auto bundle = parse_input_json(read_input(a.bundle), input_name(a.bundle));
        const auto rules = c.load_rules();  // its calendars compile pinned rules
        return print_seal_report(verify_bundle(bundle, public_key, *rules), format, "bundle",
                                 input_name(a.bundle));
    }
    const auto seal_doc = a.seal.empty() ? nlohmann::json()
                                         : parse_input_json(read_input(a.seal), input_name(a.seal));
    std::error_code ec;
    if (!std::filesystem::exists(a.store, ec))
        throw not_found_error("no case store '" + a.store +
                              "' (`telecomply case new` creates one)");
    const auto store = case_store::open(a.store);
    if (action == "verify")
        return print_seal_report(verify_seal(store, seal_doc, public_key), format, "seal",
                                 input_name(a.seal));
    if (action == "seal") {
        const auto doc = seal(store, private_key, clock.now_text());
        write_seal_file(a.out, doc);
        if (format == "json") {
            std::cout << json_text(doc, 2) << "\n";
        } else {
            const auto n = doc["cases"].size();
            std::cout << "sealed " << n << " case" << (n == 1 ? "" : "s") << " at "
                      << doc["sealed_at"].get<std::string>() << " with key "
                      << doc["key_id"].get<std::string>().substr(0, 16) << "… into " << a.out
                      << "\n";
        }
        return exit_ok;
    }
    // export
    const auto bundle = export_bundle(store, seal_doc);
    write_seal_file(a.out, bundle);
    std::size_t events = 0;
    for (const auto& [id, cs] : bundle["cases"].items())
        events += cs["events"].size();
    const auto cases = bundle["cases"].size();
    const auto pinned = bundle["pinned_rulesets"].size();
    if (format == "json") {
        std::cout << json_text({{"out", a.out},
                                {"cases", cases},
                                {"events", events},
                                {"pinned_rulesets", pinned}},
                               2)
                  << "\n";
    } else {
        std::cout << "exported " << cases << " case" << (cases == 1 ? "" : "s") << " (" << events
                  << " event" << (events == 1 ? "" : "s") << " up to the seal) and " << pinned
                  << " pinned ruleset" << (pinned == 1 ? "" : "s") << " into " << a.out << "\n";
    }
    return exit_ok;
}

// "GD-2026-0412  CN-GD  whitelisted  validity 2027-03-05 [REVIEW_OVERDUE]"
void print_case_line(const case_state& s) {
    std::cout << s.id << "  " << s.region << "  " << s.state;
    const case_deadline* next = nullptr;
    std::string next_name;
    for (const auto& [name, d] : s.deadlines)
        if (next == nullptr || d.due < next->due) {
            next = &d;
            next_name = name;
        }
    if (next != nullptr) std::cout << "  " << next_name << " " << next->due.to_string();
    for (const auto& f : s.flags)
        std::cout << "  [" << f << "]";
    std::cout << "\n";
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
    if (!s.requested_items.empty()) {
        std::cout << "  requested items ";
        for (const auto& item : s.requested_items)
            std::cout << " " << item;
        std::cout << "\n";
    }
    for (const auto& [number, dates] : s.complaints)
        std::cout << "  complaints  " << number << "  " << dates.size() << " (last "
                  << (dates.empty() ? std::string("-") : dates.back().to_string()) << ")\n";
}

// `case show`: the case, and what its history tells about it.
void print_report(const case_report& r, const std::string& format) {
    if (format == "json") {
        std::cout << json_text(r.to_json(), 2) << "\n";
        return;
    }
    print_case(r.state, format);
    if (r.entered) {
        const auto& e = *r.entered;
        std::cout << "  " << r.state.state << " since  " << e.at << "  by " << e.type << " (event "
                  << e.seq << ", " << e.actor << ")";
        for (const char* key : {"reasons", "number", "note"})
            if (e.data.contains(key)) {
                const auto& v = e.data[key];
                std::cout << "  " << key << ": "
                          << (v.is_string() ? v.get<std::string>() : json_text(v));
            }
        std::cout << "\n";
    }
    for (const auto& m : r.missed)
        std::cout << "  missed deadline  " << m.timer << "  last day " << m.last_day.to_string()
                  << " (recorded " << m.by.at << ", event " << m.by.seq << ")\n";
}

int run_case(const common& c, const std::string& action, const case_args& a,
             const std::string& format) {
    // the store's clock: event times are judged against it (docs/policy.md §8)
    const store_clock clock =
        a.now.empty() ? store_clock::from_environment() : store_clock::fixed(a.now);
    if (action == "keygen" || action == "seal" || action == "export" ||
        (action == "verify" && verifies_seal(a)))
        return run_seal(c, action, a, format, clock);
    // inputs are read before the store is opened, so that bad input leaves no file behind;
    // only `case new` creates a store
    nlohmann::json input;
    std::string text;
    if (action == "new") {
        text = read_input(a.file);
        input = parse_input_json(text, input_name(a.file));
    }
    if (action == "event") {
        // the same strict reader as applications: a key given twice is refused
        input = parse_input_json(a.data, "--data");
        if (!input.is_object())
            throw input_error("--data", 1, "$", "event data must be a JSON object");
    }
    std::error_code ec;
    if (action != "new" && !std::filesystem::exists(a.store, ec))
        throw not_found_error("no case store '" + a.store +
                              "' (`telecomply case new` creates one)");
    auto eng = std::make_shared<const engine>(c.load_rules());
    const case_manager manager(eng);
    // a schema error names the file and its line, and creates no store
    if (action == "new") (void)eng->validate(input, input_name(a.file), 1, text);
    if (action == "list" && !a.state.empty()) {
        const auto& states = manager.workflow_for(a.region.empty() ? "CN" : a.region).states();
        if (std::find(states.begin(), states.end(), a.state) == states.end()) {
            std::string names;
            for (const auto& s : states)
                names += (names.empty() ? "" : ", ") + s;
            throw usage_error("--state: '" + a.state + "' is not a state of the workflow (" +
                              names + ")");
        }
    }
    auto store = case_store::open(a.store);
    case_service service(store, manager, clock);
    const std::string at = a.at.empty() ? clock.now_text() : a.at;
    if (action == "new") {
        const auto& app = input;
        try {
            const auto s = service.create(
                app, case_event{"create", a.actor, at, nlohmann::json::object()}, a.id);
            print_case(s, format);
            return exit_ok;
        } catch (const transition_refused& e) {  // the time rules: as for any event
            std::cerr << "telecomply: refused: " << e.what() << "\n";
            return exit_findings;
        }
    }
    if (action == "event") {
        const nlohmann::json& data = input;
        try {
            const auto r =
                service.apply(a.id, case_event{a.event, a.actor, at, data}, a.expect_version);
            print_case(r.after, format);
            return exit_ok;
        } catch (const transition_refused& e) {
            std::cerr << "telecomply: refused: " << e.what() << "\n";
            return exit_findings;
        }
    }
    if (action == "list") {
        case_filter f;
        if (!a.state.empty()) f.state = a.state;
        if (!a.region.empty()) f.region = a.region;
        if (!a.uscc.empty()) f.uscc = a.uscc;
        if (!a.due_before.empty()) {
            const auto d = date::parse(a.due_before);
            if (!d) throw usage_error("--due-before must be a date (YYYY-MM-DD)");
            f.due_before = *d;
        }
        if (a.overdue) f.overdue_on = clock.today();
        std::vector<std::string> skipped;
        const auto cases = service.list(f, &skipped);
        for (const auto& m : skipped)
            std::cerr << "telecomply: skipped: " << m << "\n";
        if (format == "json") {
            auto arr = nlohmann::json::array();
            for (const auto& s : cases)
                arr.push_back(s.summary());
            std::cout << json_text(arr, 2) << "\n";
        } else {
            for (const auto& s : cases)
                print_case_line(s);
            std::cout << cases.size() << " case" << (cases.size() == 1 ? "" : "s") << "\n";
        }
        return skipped.empty() ? exit_ok : exit_findings;
    }
    if (action == "show") {
        print_report(service.report(a.id), format);
        return exit_ok;
    }
    if (action == "history") {
        const auto events = service.history(a.id);  // with the state each event left
        if (format == "json") {
            auto arr = nlohmann::json::array();
            for (const auto& [e, state] : events) {
                nlohmann::json o = e;
                o["state"] = state;  // the state the event left the case in
                arr.push_back(std::move(o));
            }
            std::cout << json_text(arr, 2) << "\n";
        } else {
            for (const auto& [e, state] : events) {
                std::cout << e.seq << "  " << e.at << "  " << e.type << "  by " << e.actor;
                if (e.type != "create" && !e.payload.empty())
                    std::cout << "  " << json_text(e.payload);
                if (e.verdict.is_object())
                    std::cout << "  -> rules: " << e.verdict.value("decision", "");
                std::cout << "  => " << state;
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
        if (format == "json") {
            std::cout << json_text(report.to_json(), 2) << "\n";
            return report.ok() ? exit_ok : exit_findings;
        }
        for (const auto& p : report.chains.problems)
            std::cout << "TAMPERED  case " << p.case_id << " event " << p.seq << ": " << p.message
                      << "\n";
        for (const auto& p : report.replay)
            std::cout << "TAMPERED  " << p << "\n";
        for (const auto& d : report.drift)
            std::cout << "DRIFT     " << d << "\n";
        const auto& chains = report.chains;
        std::cout << chains.cases << " case" << (chains.cases == 1 ? "" : "s") << ", "
                  << chains.events << " event" << (chains.events == 1 ? "" : "s") << ": "
                  << (report.ok() ? "the hash chains verify and replay matches" : "problems found")
                  << "\n";
        return report.ok() ? exit_ok : exit_findings;
    }
    if (action == "tick") {
        const date now = clock.today();
        std::vector<std::string> skipped;
        const auto done = service.tick(now, a.actor, &skipped);
        for (const auto& m : skipped)
            std::cerr << "telecomply: skipped: " << m << "\n";
        const int status = skipped.empty() ? exit_ok : exit_findings;
        if (format == "json") {
            auto arr = nlohmann::json::array();
            for (const auto& [id, e] : done)
                arr.push_back({{"case_id", id}, {"type", e.type}, {"at", e.at}, {"data", e.data}});
            std::cout << json_text(arr, 2) << "\n";
            return status;
        }
        for (const auto& [id, e] : done)
            print_automatic(id, e);
        std::cout << done.size() << " automatic event" << (done.size() == 1 ? "" : "s")
                  << " applied as of " << now.to_string() << "\n";
        return status;
    }
    throw usage_error("unknown case action '" + action + "'");
}

}  // namespace

command add_case(CLI::App& app, common& c) {
    struct args {
        case_args ca;
        std::string format = "text";
    };
    auto a = std::make_shared<args>();
    case_args& ca = a->ca;
    auto* cases = app.add_subcommand(
        "case",
        "the case store: new, event, list, show, history, verify, tick; keygen, seal, export; "
        "registry, complaints; durations, forecast");
    cases->require_subcommand(1);
    add_rulesets_option(cases, c);
    auto store_opt = [&](CLI::App* sub) {
        add_rulesets_option(sub, c);
        sub->add_option("--store", ca.store, "the SQLite case store (default: cases.db)");
        sub->add_option("--format", a->format, "output format")
            ->check(CLI::IsMember({"text", "json"}));
        sub->add_option("--now", ca.now,
                        "the store's clock: event times more than a day after it are refused, "
                        "and it is the default --at (RFC 3339 or YYYY-MM-DD; default: "
                        "TELECOMPLY_NOW, else the system clock)");
    };
    auto* c_new = cases->add_subcommand("new", "create a case from an application");
    c_new->add_option("file", ca.file, "application JSON file (- for stdin)")->required();
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
    c_event->add_option("--expect-version", ca.expect_version,
                        "the case's version the decision was made on (its last event's seq): "
                        "when the case has moved on, nothing is written and the exit status is "
                        "3; without it, a conflicting writer's event is waited out and this one "
                        "judged again on the case as it then is");
    store_opt(c_event);
    // which data each event takes, read from the workflow and its vocabulary when help is shown
    c_event->footer([&c] {
        std::string text = "Event data (--data), per event of the national workflow:\n";
        try {
            const auto w = workflow::load(c.rulesets_dir() / "workflow");
            const auto& vocab = workflow_vocabulary::standard();
            for (const auto& ev : w.events()) {
                const auto fields = vocab.payload_of(w, ev);
                text += "  " + ev + ":";
                if (fields.empty()) text += " none";
                for (std::size_t i = 0; i < fields.size(); ++i)
                    text += std::string(i == 0 ? " " : ", ") + fields[i]->name;
                text += "\n";
            }
            text += "Fields:\n";
            for (const auto& f : vocab.payload_fields())
                text += "  " + f.name + "  " + f.shape + "  " + f.doc + "\n";
        } catch (const error& e) {
            text += "  (the workflow could not be read: " + std::string(e.what()) + ")\n";
        }
        return text +
               "Example: telecomply case event GD-2026-0412 reject --data "
               "'{\"reasons\": [\"COMPANY_TOO_NEW\"]}'\n";
    });
    auto* c_show =
        cases->add_subcommand("show", "a case's state, deadlines, obligations and findings");
    c_show->add_option("id", ca.id, "case id")->required();
    store_opt(c_show);
    auto* c_list = cases->add_subcommand(
        "list", "the cases of the store, by state, region, applicant or deadline");
    c_list->add_option("--state", ca.state, "in this state, e.g. whitelisted");
    c_list->add_option("--region", ca.region, "of this region, e.g. CN-GD");
    c_list->add_option("--uscc", ca.uscc, "of this applicant (unified social credit code)");
    c_list->add_option("--due-before", ca.due_before,
                       "with a running deadline whose last day is before this date");
    c_list->add_flag("--overdue", ca.overdue,
                     "with a running deadline already past (on the store's clock): what "
                     "`case tick` would act on");
    store_opt(c_list);
    auto* c_history = cases->add_subcommand("history", "a case's events");
    c_history->add_option("id", ca.id, "case id")->required();
    store_opt(c_history);
    auto* c_verify = cases->add_subcommand(
        "verify",
        "check the hash chains (one case or all) and replay; or the store against a seal "
        "(--seal), or a bundle offline (--bundle)");
    c_verify->add_option("id", ca.id, "case id (default: every case)");
    c_verify->add_option("--seal", ca.seal,
                         "a seal (`case seal`; - for stdin): check the store's histories up to it");
    c_verify->add_option(
        "--bundle", ca.bundle,
        "a bundle (`case export`; - for stdin): check it offline, without any store");
    c_verify->add_option("--public-key", ca.public_key,
                         "the public key of the seal's signer (K.pub.pem of `case keygen`)");
    store_opt(c_verify);
    auto* c_keygen = cases->add_subcommand(
        "keygen", "a new Ed25519 key pair for seals: K.pem (private, mode 0600) and K.pub.pem");
    c_keygen->add_option("--out", ca.out, "the key files' prefix K (never overwritten)")
        ->required();
    c_keygen->add_option("--format", a->format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    auto* c_seal = cases->add_subcommand(
        "seal", "sign every case's head (a checkpoint kept outside the store)");
    c_seal->add_option("--key", ca.key, "the private key (K.pem of `case keygen`)")->required();
    c_seal->add_option("--out", ca.out, "the seal file to write (atomically)")->required();
    store_opt(c_seal);
    auto* c_export = cases->add_subcommand(
        "export", "a bundle of what a seal covers, to verify offline (`case verify --bundle`)");
    c_export->add_option("--seal", ca.seal, "the seal (`case seal`; - for stdin)")->required();
    c_export->add_option("--out", ca.out, "the bundle file to write (atomically)")->required();
    store_opt(c_export);
    auto* c_tick = cases->add_subcommand("tick", "apply what time has made due (deadlines)");
    c_tick->add_option("--actor", ca.actor, "recorded as the actor");
    store_opt(c_tick);
    auto by_number = add_case_numbers(cases, c);  // registry, complaints
    for (auto& cmd : add_case_time(cases, c))  // durations, forecast
        by_number.push_back(std::move(cmd));
    return {cases, [&c, a, cases, by_number] {
                for (const auto& cmd : by_number)
                    if (*cmd.sub) return cmd.run();
                for (auto* sub : cases->get_subcommands())
                    if (*sub) return run_case(c, sub->get_name(), a->ca, a->format);
                return exit_bad;
            }};
}

}  // namespace telecomply::cli
