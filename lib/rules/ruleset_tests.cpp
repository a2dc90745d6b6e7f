#include "telecomply/rules/ruleset_tests.hpp"

#include <algorithm>
#include <set>

#include "base/json_io.hpp"

namespace telecomply {

std::size_t ruleset_test_report::failed() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(cases.begin(), cases.end(), [](const auto& c) { return !c.passed(); }));
}

std::vector<std::string> ruleset_test_report::uncovered() const {
    std::vector<std::string> out;
    for (const auto& [code, c] : coverage)
        if (c.fired == 0 || c.not_fired == 0) out.push_back(code);
    return out;
}

std::vector<rule_key> ruleset_test_report::rules_of(const std::filesystem::path& folder) const {
    std::error_code ec;
    const auto root = std::filesystem::weakly_canonical(folder, ec);
    std::vector<rule_key> out;
    for (const auto& [key, info] : rule_coverage) {
        if (info.file.empty()) continue;
        const auto rel = std::filesystem::weakly_canonical(info.file, ec).lexically_relative(root);
        if (!rel.empty() && *rel.begin() != "..") out.push_back(key);
    }
    return out;
}

std::vector<rule_key> ruleset_test_report::never_fired(const std::filesystem::path& folder) const {
    auto out = rules_of(folder);
    std::erase_if(out, [&](const rule_key& k) { return rule_coverage.at(k).fired != 0; });
    return out;
}

namespace {

bool matches(const finding& f, const nlohmann::json& want) {
    if (want.contains("code") && f.code() != want["code"].get<std::string>()) return false;
    if (want.contains("subject") && f.subject != want["subject"].get<std::string>()) return false;
    if (want.contains("severity") && to_string(f.level) != want["severity"].get<std::string>())
        return false;
    return true;
}

std::string describe(const nlohmann::json& want) {
    return want.dump();
}

std::string list_findings(const verdict& v) {
    std::string s;
    for (const auto& f : v.findings)
        s += (s.empty() ? "" : ", ") + f.label();
    return s.empty() ? "none" : s;
}

void run_case(const engine& e, const nlohmann::json& c, const std::string& path,
              const std::string& file, const std::string& text,
              const std::map<std::string, nlohmann::json>& fixtures, ruleset_test_report& report,
              std::set<std::string>& all_codes) {
    ruleset_case_result r;
    r.file = file;
    r.name = c.value("name", path);
    auto fail = [&](const std::string& why, const std::string& at) {
        throw input_error(file, detail::line_of(text, at), at, why);
    };
    nlohmann::json app;
    if (c.contains("application")) {
        app = c["application"];
    } else if (c.contains("fixture")) {
        const std::string name = c["fixture"].get<std::string>();
        auto it = fixtures.find(name);
        if (it == fixtures.end()) fail("unknown fixture '" + name + "'", path + ".fixture");
        app = it->second;
    } else {
        fail("a case needs a fixture or an application", path);
    }
    if (c.contains("patch")) app.merge_patch(c["patch"]);
    check_options opts;
    if (c.contains("as_of") && c["as_of"].is_string()) {
        auto d = date::parse(c["as_of"].get<std::string>());
        if (!d) fail("as_of is not a date", path + ".as_of");
        opts.as_of = d;
    }
    verdict v;
    try {
        v = e.check(e.validate(app, file), opts);
    } catch (const error& err) {
        if (c.value("expect", nlohmann::json::object()).value("input_error", false)) {
            report.cases.push_back(std::move(r));
            return;
        }
        r.failures.push_back(std::string("the application was rejected: ") + err.what());
        report.cases.push_back(std::move(r));
        return;
    }
    const auto expect = c.value("expect", nlohmann::json::object());
    if (expect.contains("decision") &&
        to_string(v.outcome) != expect["decision"].get<std::string>())
        r.failures.push_back("decision is " + std::string(to_string(v.outcome)) + ", expected " +
                             expect["decision"].get<std::string>() +
                             " (findings: " + list_findings(v) + ")");
    for (const auto& want : expect.value("findings", nlohmann::json::array())) {
        if (std::none_of(v.findings.begin(), v.findings.end(),
                         [&](const finding& f) { return matches(f, want); }))
            r.failures.push_back("missing finding " + describe(want) +
                                 " (got: " + list_findings(v) + ")");
    }
    for (const auto& want : expect.value("absent", nlohmann::json::array())) {
        if (std::any_of(v.findings.begin(), v.findings.end(),
                        [&](const finding& f) { return matches(f, want); }))
            r.failures.push_back("unexpected finding " + describe(want) +
                                 " (got: " + list_findings(v) + ")");
    }
    if (expect.value("exact_findings", false)) {
        const auto& wanted = expect.value("findings", nlohmann::json::array());
        for (const auto& f : v.findings) {
            if (std::none_of(wanted.begin(), wanted.end(),
                             [&](const nlohmann::json& w) { return matches(f, w); }))
                r.failures.push_back("finding not in the exact list: " + f.label());
        }
    }
    for (const auto& id : expect.value("unknowns", nlohmann::json::array())) {
        const auto want = id.get<std::string>();
        if (std::none_of(v.unknowns.begin(), v.unknowns.end(),
                         [&](const unknown_outcome& u) { return u.rule_id() == want; }))
            r.failures.push_back("rule " + want + " is not unknown");
    }
    for (const auto& code : expect.value("obligations", nlohmann::json::array())) {
        const auto want = code.get<std::string>();
        if (std::none_of(v.obligations.begin(), v.obligations.end(),
                         [&](const obligation& o) { return o.code == want; }))
            r.failures.push_back("missing obligation " + want);
    }
    if (expect.value("no_unknowns", false) && !v.unknowns.empty())
        r.failures.push_back("unexpected unknown rule " + v.unknowns.front().rule_id());
    if (expect.value("no_obligations", false) && !v.obligations.empty())
        r.failures.push_back("unexpected obligation " + v.obligations.front().code);

    // coverage: every code of this ruleset either fired or was evaluated without firing
    std::set<std::string> fired;
    for (const auto& f : v.findings)
        fired.insert(f.code());
    std::set<std::string> unknown_codes;
    for (const auto& u : v.unknowns)
        if (u.source) unknown_codes.insert(u.source->code);
    std::set<std::string> fired_rules;
    for (const auto& f : v.findings)
        fired_rules.insert(f.rule_id());
    std::set<std::string> unknown_rules;
    for (const auto& u : v.unknowns)
        unknown_rules.insert(u.rule_id());
    for (const auto& rule : v.rules->rules()) {
        if (rule.code.empty()) continue;
        auto& cov = report.rule_coverage[{rule.origin, rule.id}];
        cov.code = rule.code;
        if (fired_rules.count(rule.id))
            ++cov.fired;
        else if (!unknown_rules.count(rule.id))
            ++cov.not_fired;
    }
    std::set<std::string> codes;
    for (const auto& rule : v.rules->rules())
        if (!rule.code.empty()) codes.insert(rule.code);
    for (const auto& code : codes) {
        all_codes.insert(code);
        auto& cov = report.coverage[code];
        if (fired.count(code))
            ++cov.fired;
        else if (!unknown_codes.count(code))
            ++cov.not_fired;
    }
    report.cases.push_back(std::move(r));
}

}  // namespace

ruleset_test_report run_ruleset_tests(const engine& e, const std::filesystem::path& tests_dir) {
    ruleset_test_report report;
    std::map<std::string, nlohmann::json> fixtures;
    std::error_code ec;
    // the base folder's fixtures, then the folder under test's (an overlay's own replace
    // those of the same name)
    for (const auto& fixture_dir :
         {e.rules().dir() / "tests" / "fixtures", tests_dir / "fixtures"}) {
        if (!std::filesystem::is_directory(fixture_dir, ec)) continue;
        for (const auto& f : std::filesystem::directory_iterator(fixture_dir)) {
            if (f.path().extension() != ".json") continue;
            const auto text = detail::read_file(f.path(), errc::invalid_input);
            fixtures[f.path().stem().string()] =
                detail::parse_json(text, f.path().string(), errc::invalid_input);
            detail::refuse_duplicate_keys(text, f.path().string(), errc::invalid_input);
        }
    }
    if (!std::filesystem::is_directory(tests_dir, ec))
        throw input_error(tests_dir.string(), 0, "", "not a folder of ruleset tests");
    std::vector<std::filesystem::path> files;
    for (const auto& f : std::filesystem::directory_iterator(tests_dir))
        if (f.is_regular_file() && f.path().extension() == ".json") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    std::set<std::string> all_codes;
    for (const auto& file : files) {
        const auto text = detail::read_file(file, errc::invalid_input);
        const auto j = detail::parse_json(text, file.string(), errc::invalid_input);
        detail::refuse_duplicate_keys(text, file.string(), errc::invalid_input);
        if (!j.is_object() || !j.contains("cases") || !j["cases"].is_array())
            throw input_error(file.string(), 1, "$.cases", "a test file is {\"cases\": [...]}");
        const auto& cases = j["cases"];
        for (std::size_t i = 0; i < cases.size(); ++i)
            run_case(e, cases[i], detail::json_path_append_index("$.cases", i), file.string(), text,
                     fixtures, report, all_codes);
    }
    // Codes no case reached still count: they show up as uncovered.
    for (const auto& [id, version] : e.rules().list())
        for (const auto& r : e.rules().get(id, version)->rules())
            if (!r.code.empty()) {
                report.coverage[r.code];
                auto& cov = report.rule_coverage[{r.origin, r.id}];
                cov.file = e.rules().file_of(r.origin);
                cov.code = r.code;
            }
    return report;
}

}  // namespace telecomply
