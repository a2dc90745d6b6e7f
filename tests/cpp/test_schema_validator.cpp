// The compiled schema validator (lib/rules/schema_validator.hpp) against its oracle, valijson
// through the value adapter: the same verdict on every application the project ships or
// tests with, on generated and mutated applications, and on keyword cases written for each
// keyword it compiles (tests/data/schema/draft7_keywords.json); and json_schema's answers
// (failure path and message) unchanged by it.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "rules/json_schema.hpp"
#include "rules/schema_validator.hpp"
#include "rules/value_schema_adapter.hpp"
#include "telecomply/expr/document.hpp"

using namespace telecomply;
using detail::json_schema;
using detail::schema_validator;
using nlohmann::json;

namespace {

const std::filesystem::path k_rulesets = TELECOMPLY_RULESETS_DIR;
const std::filesystem::path k_test_data = TELECOMPLY_TEST_DATA;

json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    REQUIRE_MESSAGE(in.good(), file.string());
    return json::parse(in);
}

const json& application_schema() {
    static const json s = read_json(k_rulesets / "schema" / "application.schema.json");
    return s;
}

// valijson through the value adapter: what the compiled validator must agree with.
class oracle {
  public:
    explicit oracle(const json& schema) {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, schema_);
    }
    bool valid(const value& v) {
        return validator_.validate(schema_, detail::value_schema_adapter(v), nullptr);
    }

  private:
    valijson::Schema schema_;
    valijson::Validator validator_;  // keeps its compiled std::regex patterns
};

// Everything one schema is judged with: the oracle, the compiled validator, and json_schema
// both ways (compiled first, valijson only).
struct judges {
    explicit judges(const json& schema)
        : valijson(schema),
          compiled(schema_validator::compile(schema)),
          fast(json_schema::from_json(schema, "test")),
          reference(json_schema::from_json(schema, "test",
                                           json_schema::value_validation::valijson_only)) {}
    oracle valijson;
    schema_validator compiled;
    json_schema fast;
    json_schema reference;
    int valid = 0, invalid = 0;

    // The compiled verdict agrees with valijson, and json_schema reports the same failure
    // (path, message) as valijson alone. Returns valijson's verdict.
    bool agree(const value& v, const std::string& what) {
        const bool expected = valijson.valid(v);
        const auto got = compiled.check(v);
        INFO(what);
        CHECK(got != schema_validator::verdict::undecided);
        CHECK((got == schema_validator::verdict::valid) == expected);
        const auto a = fast.validate(v);
        const auto b = reference.validate(v);
        CHECK(a.has_value() == b.has_value());
        if (a && b) {
            CHECK(a->json_path == b->json_path);
            CHECK(a->message == b->message);
        }
        ++(expected ? valid : invalid);
        return expected;
    }
    bool agree(const json& j, const std::string& what) {
        const auto doc = document::parse(j.dump());
        return agree(doc.root(), what);
    }
};

// ------------------------------------------------------------------ generated applications

// A deterministic source of choices (mt19937's output is fixed by the standard; the
// distributions are not, so none is used).
class chooser {
  public:
    explicit chooser(std::uint32_t seed) : rng_(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }
    std::string digits(std::size_t n) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i)
            s += static_cast<char>('0' + below(10));
        return s;
    }
    std::string date() {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04zu-%02zu-%02zu", 2000 + below(40), 1 + below(12),
                      1 + below(28));
        return buf;
    }

  private:
    std::mt19937 rng_;
};

// An application the shipped schema accepts, varied as the generator of the benchmark corpus
// varies them (present and absent parts, every enum value, long and empty number lists).
json generate_application(chooser& c, int i) {
    static const std::vector<std::string> regions = {"CN-GD", "CN-BJ", "CN-SH", "CN-ZJ", "CN-JS",
                                                     "CN-SC", "CN-HB", "CN-HN", "CN-CQ", "CN-SD"};
    static const std::vector<std::string> statuses = {"active", "suspended", "revoked",
                                                      "deregistered", "liquidating"};
    static const std::vector<std::string> industries = {
        "retail",     "finance",     "insurance", "securities", "education",
        "healthcare", "real_estate", "telecom",   "travel",     "other"};
    static const std::vector<std::string> times = {"09:00", "20:00", "00:00", "23:59",
                                                   "24:00", "",      "12:30"};
    char id[32];
    std::snprintf(id, sizeof id, "APP-%07d", i);
    json app = {{"id", id},
                {"region", c.pick(regions)},
                {"submitted_on", c.date()},
                {"channel", c.chance(50) ? "online" : "in_person"}};
    auto validity = [&] { return c.chance(20) ? json("long_term") : json(c.date()); };
    const std::string uscc = "91" + c.digits(6) + "MA5G0XXX0Q";
    const std::string person = "1101011964" + c.digits(8);
    if (c.chance(90)) {
        json applicant = {{"name", "示例科技有限公司" + std::to_string(i)},
                          {"uscc", uscc},
                          {"status", c.pick(statuses)},
                          {"industry", c.pick(industries)},
                          {"established_on", c.date()},
                          {"legal_representative", {{"name", "法人"}, {"id_number", person}}}};
        if (c.chance(80))
            applicant["history"] = {
                {"violations_24m", c.below(10)},
                {"rejections_12m", c.below(3)},
                {"banned_until", c.chance(70) ? json(nullptr) : json(c.date())}};
        if (c.chance(10)) applicant["website"] = "https://example.cn";  // open: allowed
        app["applicant"] = applicant;
    }
    if (c.chance(90))
        app["submitter"] = {
            {"name", "经办人"}, {"id_number", person}, {"is_legal_representative", c.chance(50)}};
    json materials = json::object();
    if (c.chance(90))
        materials["business_license"] = {
            {"uscc", uscc}, {"valid_until", validity()}, {"stamped", c.chance(80)}};
    if (c.chance(80))
        materials["legal_rep_id"] = {{"id_number", person}, {"valid_until", validity()}};
    if (c.chance(40))
        materials["power_of_attorney"] = {
            {"agent_id_number", person}, {"valid_until", c.date()}, {"signed", c.chance(90)}};
    if (c.chance(85)) {
        json plan = {{"purpose", c.chance(90) ? "客户回访" : ""},
                     {"target_customers", "既有客户"},
                     {"script", "您好，这里是示例科技……"},
                     {"calling_hours", {{"start", c.pick(times)}, {"end", c.pick(times)}}},
                     {"daily_calls_per_number", c.below(500)}};
        if (c.chance(60)) plan["expected_outcome"] = "续约";
        if (c.chance(70))
            plan["consent"] = {{"method", "app_opt_in"}, {"retention_days", c.below(400)}};
        materials["marketing_plan"] = plan;
    }
    if (c.chance(80))
        materials["data_security_pledge"] = {{"signed", c.chance(90)}, {"signed_on", c.date()}};
    if (c.chance(30)) materials["tax_registration"] = json::object();
    if (c.chance(30)) materials["org_code_certificate"] = {{"number", "ORG-1"}};
    if (c.chance(40))
        materials["industry_license"] = {{"industry", c.pick(industries)},
                                         {"number", "LIC-" + std::to_string(i)},
                                         {"valid_until", validity()}};
    app["materials"] = materials;
    json numbers = json::array();
    const std::size_t count = c.chance(5) ? 0 : 1 + c.below(c.chance(10) ? 120 : 30);
    for (std::size_t n = 0; n < count; ++n) {
        json number = {{"number", "1" + std::to_string(3 + c.below(7)) + c.digits(9)}};
        if (c.chance(85)) number["purpose"] = "客户回访";
        numbers.push_back(number);
    }
    app["numbers"] = numbers;
    if (c.chance(10)) app["note"] = {{"free", {1, "two", nullptr}}};  // open at the top
    return app;
}

// Every JSON pointer in `j` (the root too).
void pointers(const json& j, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
    out.push_back(at);
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            pointers(it.value(), at / it.key(), out);
    else if (j.is_array())
        for (std::size_t i = 0; i < j.size(); ++i)
            pointers(j[i], at / i, out);
}

// One random change of the kind that breaks applications: a member dropped, a value of
// another type, an unknown member, a string out of its enum or pattern, a negative or
// fractional number, a value nested one level too deep or shallow.
void mutate(json& app, chooser& c) {
    static const std::vector<json> others = {nullptr,
                                             true,
                                             false,
                                             0,
                                             -1,
                                             1.5,
                                             2.0,
                                             json(18446744073709551615ULL),
                                             -9223372036854775807LL - 1,
                                             1e300,
                                             "",
                                             "x",
                                             "2026-02-30",
                                             "2026-1-1",
                                             "long_term",
                                             "online",
                                             "active",
                                             "示例",
                                             "24:00",
                                             json::array(),
                                             json::object(),
                                             {1, 2},
                                             {{"a", 1}}};
    static const std::vector<std::string> required = {"/id", "/region", "/submitted_on",
                                                      "/channel"};
    std::vector<json::json_pointer> all;
    pointers(app, json::json_pointer(), all);
    const auto at = all[c.below(all.size())];
    json& node = app[at];
    switch (c.below(9)) {
        case 0:  // drop it
            if (!at.empty()) {
                json& parent = app[at.parent_pointer()];
                if (parent.is_object())
                    parent.erase(at.back());
                else
                    parent.erase(static_cast<std::size_t>(std::stoul(at.back())));
            }
            break;
        case 1:  // a required member dropped
            if (auto p = json::json_pointer(c.pick(required)); app.contains(p)) app.erase(p.back());
            break;
        case 2:  // another type
            node = c.pick(others);
            break;
        case 3:  // an unknown member
            if (node.is_object())
                node["zz_unknown" + std::to_string(c.below(3))] = c.pick(others);
            else
                node = c.pick(others);
            break;
        case 4:  // a string changed
            if (node.is_string()) {
                auto s = node.get<std::string>();
                switch (c.below(6)) {
                    case 0:
                        s += "x";
                        break;
                    case 1:
                        s = " " + s;
                        break;
                    case 2:
                        if (const auto d = s.find_first_of("0123456789"); d != std::string::npos)
                            s[d] = 'A';
                        break;
                    case 3: {  // cut in half, at a character's start
                        std::size_t half = s.size() / 2;
                        while (half > 0 && (static_cast<unsigned char>(s[half]) & 0xC0) == 0x80)
                            --half;
                        s.resize(half);
                        break;
                    }
                    case 4:
                        s += "\n";
                        break;
                    default: {
                        const json& o = c.pick(others);
                        s = o.is_string() ? o.get<std::string>() : "";
                    }
                }
                node = s;
            } else {
                node = "not a " + std::string(node.type_name());
            }
            break;
        case 5:  // a number changed
            if (node.is_number_integer() && c.chance(50))
                node = -node.get<std::int64_t>() - 1;
            else if (node.is_number_integer())
                node = static_cast<double>(node.get<std::int64_t>()) + 0.5;
            else
                node = -1;
            break;
        case 6:  // one level too deep
            node = c.chance(50) ? json::array({node}) : json({{"value", node}});
            break;
        case 7:  // one level too shallow
            if (node.is_object() && !node.empty())
                node = node.begin().value();
            else if (node.is_array() && !node.empty())
                node = json(node[0]);
            break;
        default:  // an item's number dropped
            if (app.contains("numbers") && app["numbers"].is_array() && !app["numbers"].empty() &&
                app["numbers"][0].is_object())
                app["numbers"][0].erase("number");
            break;
    }
}

std::vector<std::pair<std::string, json>> shipped_applications() {
    std::vector<std::pair<std::string, json>> out;
    const auto examples = k_rulesets.parent_path() / "examples" / "applications";
    for (const auto& dir : {examples, k_test_data / "applications"})
        for (const auto& f : std::filesystem::directory_iterator(dir)) {
            if (f.path().extension() == ".json") {
                out.emplace_back(f.path().filename().string(), read_json(f.path()));
            } else if (f.path().extension() == ".jsonl") {
                std::ifstream in(f.path());
                int n = 0;
                for (std::string line; std::getline(in, line); ++n)
                    if (!line.empty())
                        out.emplace_back(f.path().filename().string() + ":" + std::to_string(n),
                                         json::parse(line));
            }
        }
    // the ruleset test cases: a fixture and a merge patch each
    std::map<std::string, json> fixtures;
    for (const auto& f : std::filesystem::directory_iterator(k_rulesets / "tests" / "fixtures"))
        fixtures[f.path().stem().string()] = read_json(f.path());
    for (const auto& [name, fixture] : fixtures)
        out.emplace_back("fixture " + name, fixture);
    for (const auto& f : std::filesystem::directory_iterator(k_rulesets / "tests")) {
        if (f.path().extension() != ".json") continue;
        const auto cases = read_json(f.path());
        for (const auto& c : cases["cases"]) {
            if (!c.contains("fixture")) continue;
            json app = fixtures.at(c["fixture"].get<std::string>());
            if (c.contains("patch")) app.merge_patch(c["patch"]);
            out.emplace_back(f.path().filename().string() + ": " + c["name"].get<std::string>(),
                             app);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("schema validator: the shipped application schema is compiled") {
    const auto v = schema_validator::compile(application_schema());
    INFO(v.unsupported());
    CHECK(v.usable());
    CHECK(json_schema::from_json(application_schema(), "application.schema.json").compiled());
}

TEST_CASE("schema validator: every shipped and test application, as valijson judges it") {
    judges j(application_schema());
    const auto apps = shipped_applications();
    CHECK(apps.size() > 100);
    for (const auto& [name, app] : apps)
        j.agree(app, name);
    MESSAGE(apps.size() << " shipped applications: " << j.valid << " valid, " << j.invalid
                        << " invalid");
    CHECK(j.valid > 0);
}

TEST_CASE("schema validator: generated applications, then each mutated") {
    judges j(application_schema());
    chooser c(20260302);
    int generated = 0, mutated = 0;
    for (int i = 0; i < 1500; ++i) {
        json app = generate_application(c, i);
        CHECK_MESSAGE(j.agree(app, "generated " + app.dump()), "the generator makes valid ones");
        ++generated;
        for (int m = 0; m < 6; ++m) {
            json broken = app;
            const std::size_t changes = 1 + c.below(3);
            for (std::size_t k = 0; k < changes; ++k)
                mutate(broken, c);
            j.agree(broken, "mutated " + broken.dump());
            ++mutated;
        }
    }
    MESSAGE(generated << " generated and " << mutated << " mutated applications: " << j.valid
                      << " valid, " << j.invalid << " invalid");
    CHECK(j.invalid > 3 * mutated / 4);  // the mutations do break applications
}

TEST_CASE("schema validator: keyword cases (tests/data/schema/draft7_keywords.json)") {
    const auto cases = read_json(k_test_data / "schema" / "draft7_keywords.json");
    int tests = 0, valijson_differs = 0;
    for (const auto& c : cases) {
        const std::string description = c["description"].get<std::string>();
        INFO(description);
        judges j(c["schema"]);
        REQUIRE_MESSAGE(j.compiled.usable(), j.compiled.unsupported());
        for (const auto& t : c["tests"]) {
            const std::string what = description + ": " + t["description"].get<std::string>();
            const auto doc = document::from_json(t["data"]);
            const bool got = j.agree(doc.root(), what);
            // `valid` is draft-07's answer; `valijson`, where valijson (through the value
            // adapter) answers otherwise, which the compiled validator then follows
            const bool expected = t.value("valijson", t["valid"].get<bool>());
            CHECK_MESSAGE(got == expected, what);
            valijson_differs += t.contains("valijson") ? 1 : 0;
            ++tests;
        }
    }
    MESSAGE(cases.size() << " schemas, " << tests << " documents (" << valijson_differs
                         << " where valijson's reading differs from draft-07)");
}

TEST_CASE("schema validator: schemas it leaves to valijson") {
    // valijson's own parser recurses for ever on these two: the compiled validator alone
    const std::vector<std::string> valijson_loops = {
        R"j({"allOf": [{"$ref": "#"}]})j",
        R"j({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}})j"};
    const std::vector<std::pair<const char*, const char*>> refused = {
        {R"j({"type": "string", "format": "date"})j", "keyword 'format'"},
        {R"j({"not": {"type": "null"}})j", "keyword 'not'"},
        {R"j({"if": {"type": "string"}, "then": {"minLength": 1}})j", "keyword 'if'"},
        {R"j({"patternProperties": {"^x": {"type": "integer"}}})j", "keyword 'patternProperties'"},
        {R"j({"uniqueItems": true})j", "keyword 'uniqueItems'"},
        {R"j({"items": [{"type": "string"}]})j", "'items' other than one schema"},
        {R"j({"properties": {"a": {"$ref": "other.json#/x"}}})j", "a $ref other than a local"},
        {R"j({"definitions": {"a~b": {}}, "$ref": "#/definitions/a~0b"})j", "escaped step"},
        {R"j({"pattern": "(a)\\1"})j", "pattern outside"},
        {R"j({"pattern": "(?=a)"})j", "pattern outside"},
        {R"j({"pattern": "\\bword"})j", "pattern outside"},
        {R"j({"pattern": "[[:alpha:]]"})j", "pattern outside"},
        {R"j({"pattern": "\\x41"})j", "pattern outside"},
        {R"j({"type": "any"})j", "a type other than"},
        {R"j({"minLength": 1.5})j", "not a non-negative integer"},
        {R"j({"allOf": [{"$ref": "#"}]})j", "a combinator that contains itself"},
        {R"j({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}})j",
         "a cycle of $refs"},
        {R"j({"properties": {"a": {"$id": "x"}}})j", "'$id' below the root"},
        {R"j({"properties": {"a": {"id": "x"}}})j", "keyword 'id'"},
        {R"j({"x-vendor": 1})j", "keyword 'x-vendor'"},
    };
    for (const auto& refusal : refused) {  // (doctest's INFO captures: no bindings)
        const auto& text = refusal.first;
        const auto& why = refusal.second;
        INFO(text);
        const auto schema = json::parse(text);
        const auto v = schema_validator::compile(schema);
        CHECK_FALSE(v.usable());
        CHECK(v.unsupported().find(why) != std::string::npos);
        CHECK(v.check(value()) == schema_validator::verdict::undecided);
        // what valijson accepts, json_schema still validates, through valijson alone
        if (std::find(valijson_loops.begin(), valijson_loops.end(), text) != valijson_loops.end())
            continue;
        std::optional<json_schema> s;
        try {
            s = json_schema::from_json(schema, "refused");
        } catch (const std::exception&) {
            continue;  // valijson refuses it too
        }
        CHECK_FALSE(s->compiled());
        CHECK(s->unsupported() == v.unsupported());
    }
}

TEST_CASE("schema validator: what it leaves undecided goes to valijson") {
    const json schema = json::parse(R"({
      "type": "object",
      "properties": {"on": {"type": "string", "pattern": "^[0-9]{4}-"}, "n": {"type": "integer"}}
    })");
    judges j(schema);
    // a date from Python is a string to the schema only once rendered
    auto doc = document::build([](value_builder& b) {
        map_entry* e = nullptr;
        auto m = b.map(1, e);
        e[0] = {b.string("on"), value::from_date(date(20000))};
        return m;
    });
    CHECK(j.compiled.check(doc.root()) == schema_validator::verdict::undecided);
    CHECK_FALSE(j.fast.validate(doc.root()).has_value());
    // a name given twice: valijson's lookup sees the first only
    doc = document::build([](value_builder& b) {
        map_entry* e = nullptr;
        auto m = b.map(2, e);
        e[0] = {b.string("n"), value::from_int(1)};
        e[1] = {b.string("n"), value::from_string("x")};
        return m;
    });
    CHECK(j.compiled.check(doc.root()) == schema_validator::verdict::undecided);
    CHECK(j.fast.validate(doc.root()).has_value() == j.reference.validate(doc.root()).has_value());
    // not JSON at all: a map with a number for a key has no JSON type
    doc = document::build([](value_builder& b) {
        map_entry* e = nullptr;
        auto m = b.map(1, e);
        e[0] = {value::from_int(1), value::from_int(1)};
        return m;
    });
    CHECK(j.compiled.check(doc.root()) == schema_validator::verdict::invalid);
    CHECK_FALSE(j.valijson.valid(doc.root()));
}
