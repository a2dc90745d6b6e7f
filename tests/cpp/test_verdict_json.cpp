// verdict::write_json() against to_json().dump(): the same bytes for every verdict of a corpus
// (the shipped examples, the ruleset test cases' applications, generated applications valid and
// not, with quotes, backslashes, control characters, emoji and Chinese in what verdicts repeat),
// compact and pretty-printed, with and without traces; and the JSON writer under it against
// nlohmann for any bytes (invalid UTF-8 too) and doubles.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_writer.hpp"
#include "case_testing.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const engine& rules() {
    return testing::manager().rules();
}

// nlohmann's text, as the command line prints it (json_text: invalid UTF-8 replaced).
std::string dumped(const json& j, int indent = -1) {
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string hex(const std::string& s) {
    std::string out;
    for (const char c : s) {
        static constexpr char digits[] = "0123456789abcdef";
        out += digits[static_cast<unsigned char>(c) >> 4];
        out += digits[static_cast<unsigned char>(c) & 0xF];
    }
    return out;
}

std::string written(const verdict& v, int indent = -1, int current_indent = 0) {
    std::string out = "prefix kept|";
    v.write_json(out, indent, current_indent);
    REQUIRE(out.starts_with("prefix kept|"));
    return out.substr(12);
}

// Every form write_json() gives for `v`, against nlohmann's.
void check_same(const verdict& v) {
    const json j = v.to_json();
    const std::string compact = j.dump();  // valid UTF-8 here: dump() itself does not throw
    CHECK(written(v) == compact);
    CHECK(written(v, 2) == j.dump(2));
    CHECK(written(v, 4) == j.dump(4));
    CHECK(written(v, 0) == j.dump(0));
    // inside an array, as `check --format json` prints several
    const std::string in_array = "[\n  " + written(v, 2, 2) + ",\n  " + written(v, 2, 2) + "\n]";
    CHECK(in_array == json::array({j, j}).dump(2));
}

// Applications: the shipped examples, the fixtures of the ruleset test cases with each case's
// patch applied.
std::vector<json> corpus() {
    std::vector<json> apps;
    const fs::path root = fs::path(TELECOMPLY_RULESETS_DIR).parent_path();
    for (const auto& e : fs::directory_iterator(root / "examples" / "applications")) {
        std::ifstream in(e.path());
        if (e.path().extension() == ".json") {
            apps.push_back(json::parse(in));
        } else if (e.path().extension() == ".jsonl") {
            for (std::string line; std::getline(in, line);)
                if (!line.empty()) apps.push_back(json::parse(line));
        }
    }
    const fs::path tests = fs::path(TELECOMPLY_RULESETS_DIR) / "tests";
    std::map<std::string, json> fixtures;
    for (const auto& e : fs::directory_iterator(tests / "fixtures")) {
        std::ifstream in(e.path());
        fixtures[e.path().stem().string()] = json::parse(in);
        apps.push_back(fixtures[e.path().stem().string()]);
    }
    for (const auto& e : fs::directory_iterator(tests)) {
        if (e.path().extension() != ".json") continue;
        std::ifstream in(e.path());
        const json file = json::parse(in);
        for (const auto& c : file.value("cases", json::array())) {
            if (!c.contains("fixture") || !fixtures.contains(c["fixture"])) continue;
            json app = fixtures[c["fixture"]];
            if (c.contains("patch")) app.merge_patch(c["patch"]);
            apps.push_back(std::move(app));
        }
    }
    return apps;
}

const std::vector<std::string> k_awkward = {
    "q\"uote",
    "back\\slash",
    "ctl\x01\x1f\b\f\n\r\t",
    "del\x7f",
    "emoji😀🎉",
    "中文申请",
    "ls\u2028",
    "nul" + std::string(1, '\0') + "x",
    "mix \"中\" \\ 😀 \a",
    "a/b",
    "{subject}",
    "",
};

// Variations of `app` whose strings reach verdicts (id, numbers, materials), and broken ones
// the rules judge without the schema (unknowns, reasons).
std::vector<json> variations(const json& app, std::mt19937& rng) {
    std::vector<json> out;
    auto pick = [&] { return k_awkward[rng() % k_awkward.size()]; };
    json a = app;
    a["id"] = pick() + pick();
    if (a.contains("numbers") && a["numbers"].is_array() && !a["numbers"].empty()) {
        a["numbers"][0]["number"] = pick();
        a["numbers"].push_back({{"number", pick()}, {"purpose", pick()}});
    }
    out.push_back(a);
    json b = app;
    if (b.contains("materials") && b["materials"].is_object() && !b["materials"].empty())
        b["materials"].erase(b["materials"].begin());
    b["applicant"] = pick();  // the wrong type: rules come out unknown
    out.push_back(b);
    json c = app;
    c.erase("numbers");
    c["submitter"] = nullptr;
    out.push_back(c);
    return out;
}

}  // namespace

TEST_CASE("verdict JSON: write_json gives the bytes of to_json().dump() for a corpus") {
    std::mt19937 rng(20260101);
    std::size_t verdicts = 0, findings = 0, unknowns = 0, traced = 0;
    for (const json& base : corpus()) {
        std::vector<json> apps = {base};
        for (auto& v : variations(base, rng))
            apps.push_back(std::move(v));
        for (const json& app : apps) {
            // schema left out: the rules judge whatever they are given
            const document doc = document::from_json(app);
            for (const bool trace : {false, true}) {
                check_options opts;
                opts.trace = trace;
                verdict v;
                try {
                    v = rules().check(doc, opts);
                } catch (const error&) {
                    continue;  // no region or date: no verdict
                }
                CAPTURE(app.dump());
                check_same(v);
                ++verdicts;
                findings += v.findings.size();
                unknowns += v.unknowns.size();
                traced += trace ? 1 : 0;
            }
        }
    }
    // the corpus reaches every part of a verdict
    CHECK(verdicts > 100);
    CHECK(findings > 100);
    CHECK(unknowns > 10);
    CHECK(traced > 50);
}

TEST_CASE("verdict JSON: the JSON Lines corpus, as check prints it") {
    // the applications of the shipped batch and the generator's awkward strings, each parsed and
    // validated as `check` does
    std::mt19937 rng(7);
    const fs::path batch = fs::path(TELECOMPLY_RULESETS_DIR).parent_path() / "examples" /
                           "applications" / "batch.jsonl";
    std::ifstream in(batch);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json app = json::parse(line);
        app["id"] = k_awkward[rng() % k_awkward.size()] + "-" + std::to_string(n);
        try {
            const verdict v = rules().check(rules().parse(app.dump()));
            check_same(v);
            ++n;
        } catch (const input_error&) {
            // an id the schema refuses
        }
    }
    CHECK(n > 5);
}

TEST_CASE("verdict JSON: hand-made verdicts: no rule, templates, invalid UTF-8") {
    const json params = {{"cap", 200},
                         {"window", {{"start", "09:00"}, {"end", "20:00"}}},
                         {"list", {"a", "b\"", 1.5}},
                         {"nested", {{"deep", {{"x", "\x01"}}}}}};
    auto r = std::make_shared<rule>();
    r->id = "r.\"id\"";
    r->code = "CODE_\\";
    r->reference = "§3 \"quoted\"";
    r->message = {
        "{subject} 超过 {params.cap} 次 {params.window} {params.list} "
        "{params.nested.deep.x} {params.missing} {other} {params.} {",
        "no placeholders \t here"};
    r->remedy = {"", "}{subject}{"};
    r->params = &params;
    r->when_src = "a == \"b\"";
    r->require_src = "size(x) < 3";
    verdict v;
    v.application = "APP \"1\"\n";
    v.region = "CN-GD";
    v.outcome = decision::needs_evidence;
    v.findings.push_back({r, "号码\x02😀", severity::warning});
    v.findings.push_back({nullptr, "", severity::info});  // no rule: empty texts
    v.unknowns.push_back({r, "s", {"a.b", "c\"d"}, "why \\"});
    v.unknowns.push_back({nullptr, "", {}, ""});
    v.obligations.push_back({"SITE", r});
    v.obligations.push_back({"NO_RULE", nullptr});
    v.trace.emplace();
    v.trace->push_back({r,
                        "fail",
                        "subj",
                        {{"b.path", R"({"z": [1, 2.5, -0.0, 1e300, "s\u0001"], "a": null})"},
                         {"a", "\"(absent)\""},
                         {"u", "18446744073709551615"}},
                        {{"params.cap", "150"}, {"params.w", R"({"start":"09:00"})"}},
                        "detail \"x\""});
    v.trace->push_back({nullptr, "pass", "", {}, {}, ""});
    check_same(v);
    // an empty verdict
    check_same(verdict{});

    // text that is not UTF-8: U+FFFD for each bad sequence, as json_text() prints it
    verdict bad = v;
    bad.application =
        "a\xff"
        "b\xe4\xb8"
        "c\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80\xe4";
    bad.findings[0].subject = "\xe4\xb8\xad\xe6";
    const json j = bad.to_json();
    CHECK_THROWS(j.dump());
    CHECK(written(bad) == dumped(j));
    CHECK(written(bad, 2) == dumped(j, 2));
}

TEST_CASE("verdict JSON: placeholders render parameters as before") {
    // what the renderer gave before the verdict was written directly (pinned)
    const json params = json::parse(R"({"cap": 200, "ratio": 0.25, "flag": true, "none": null,
      "window": {"start": "09:00", "end": "20:00"},
      "list": ["a", "", "b\"", 1.5, ["x", "y"], {"start": 1, "end": [2, 3]}],
      "lead_empty": ["", "b"], "obj": {"k": "v", "n": [1, {"z": "中"}]},
      "nested": {"deep": {"x": "\u0001"}}})");
    auto r = std::make_shared<rule>();
    r->params = &params;
    r->message = {
        "{params.cap}|{params.ratio}|{params.flag}|{params.none}|{params.window}|"
        "{params.list}|{params.lead_empty}|{params.obj}|{params.nested.deep.x}|"
        "{params.nested.deep}|{params.missing}|{params.cap.x}|{params.}|{params}|"
        "{subject}|{x{y}|{",
        "{params.window.start}–{params.window.end} {params.list.0}"};
    const finding f{r, "S", severity::info};
    CHECK(f.message().zh ==
          "200|0.25|true|null|09:00–20:00|a, , b\", 1.5, x, y, 1–2, 3|b|"
          R"({"k":"v","n":[1,{"z":"中"}]}|)"
          "\x01|"
          R"({"x":"\u0001"}|{params.missing}|{params.cap.x}|{params.}|{params}|S|{x{y}|{)");
    CHECK(f.message().en == "09:00–20:00 {params.list.0}");
    verdict v;
    v.findings.push_back(f);
    check_same(v);
}

TEST_CASE("verdict JSON: the writer escapes any bytes as nlohmann does") {
    std::mt19937 rng(42);
    // pieces of text: ASCII, escapes, valid and broken UTF-8 sequences
    const std::vector<std::string> pieces = {"a",
                                             "Z",
                                             " ",
                                             "\"",
                                             "\\",
                                             "/",
                                             "\x7f",
                                             std::string(1, '\0'),
                                             "\x01",
                                             "\x1f",
                                             "\b",
                                             "\f",
                                             "\n",
                                             "\r",
                                             "\t",
                                             "中",
                                             "😀",
                                             "é",
                                             "\u2028",
                                             "\xef\xbf\xbd",
                                             "\xff",
                                             "\x80",
                                             "\xc0\xaf",
                                             "\xe4\xb8",
                                             "\xe4",
                                             "\xf0\x9f\x98",
                                             "\xed\xa0\x80",
                                             "\xf4\x90\x80\x80",
                                             "\xf5",
                                             "\xc2",
                                             "0123456789abcdef",
                                             "长一点的中文文本，足够跨过十六字节"};
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const int n = static_cast<int>(rng() % 12);
        for (int k = 0; k < n; ++k)
            s += pieces[rng() % pieces.size()];
        std::string out = "x";
        detail::append_json_string(out, s);
        CAPTURE(hex(s));
        REQUIRE(out == "x" + dumped(json(s)));
    }
    // every single byte, and long runs (the 16-byte blocks)
    for (int b = 0; b < 256; ++b) {
        for (const std::string& s :
             {std::string(1, static_cast<char>(b)), std::string(40, static_cast<char>(b)),
              std::string(17, 'a') + static_cast<char>(b) + std::string(15, 'b')}) {
            std::string out;
            detail::append_json_string(out, s);
            CHECK(out == dumped(json(s)));
        }
    }
}

TEST_CASE("verdict JSON: long texts, across the writer's buffer, bad UTF-8 at either end") {
    std::mt19937 rng(5);
    const std::vector<std::string> pieces = {"a", "\"", "\n", "中", "😀", "\x01", "bcdefgh"};
    for (const std::size_t length :
         {std::size_t{2000}, std::size_t{2047}, std::size_t{2048}, std::size_t{4095},
          std::size_t{4096}, std::size_t{5000}, std::size_t{12000}}) {
        std::string text;
        while (text.size() < length)
            text += pieces[rng() % pieces.size()];
        for (const std::string& s : {text, "\xff" + text, text + "\xe4", text + "\xc0" + text}) {
            for (const std::size_t before :
                 {std::size_t{0}, std::size_t{100}, std::size_t{3000}, std::size_t{4090}}) {
                const std::string filler(before, 'x');
                std::string out = "<";
                {
                    detail::json_writer w(out);
                    w.begin_array();
                    w.string(filler);
                    w.string(s);
                    w.string(s);
                    w.end_array();
                }
                CAPTURE(length);
                CAPTURE(before);
                CHECK(out == "<" + dumped(json::array({filler, s, s})));
            }
        }
    }
    // indents wider than the writer's steps
    const json j = json::parse(R"({"a": [1, {"b": [true, "x"]}], "c": {}})");
    for (const int indent : {70, 130}) {
        std::string out;
        {
            detail::json_writer w(out, indent, 200);
            w.begin_object();
            w.key("k");
            w.value(j);
            w.end_object();
        }
        std::string expected = json{{"k", j}}.dump(indent);
        // the lines after the first, 200 columns further in
        for (std::size_t at = expected.find('\n'); at != std::string::npos;
             at = expected.find('\n', at + 201))
            expected.insert(at + 1, std::string(200, ' '));
        CHECK(out == expected);
    }
}

TEST_CASE("verdict JSON: the writer writes nlohmann's numbers and nesting") {
    std::mt19937_64 rng(9);
    std::vector<double> doubles = {0.0,
                                   -0.0,
                                   1.0,
                                   100.0,
                                   0.1,
                                   1e100,
                                   1e-7,
                                   123456789012345680.0,
                                   5e-324,
                                   std::numeric_limits<double>::max(),
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   std::nan("")};
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t bits = rng();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        doubles.push_back(d);
        doubles.push_back(
            static_cast<double>(static_cast<std::int64_t>(rng() % 2000001) - 1000000) / 1000.0);
    }
    for (const double d : doubles) {
        std::string out;
        detail::json_writer(out).number(d);  // out is whole once the writer is gone
        CHECK(out == json(d).dump());
    }
    for (const std::int64_t i :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42},
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        std::string out;
        detail::json_writer(out).number(i);
        CHECK(out == json(i).dump());
    }
    {
        std::string out;
        detail::json_writer(out).number(std::numeric_limits<std::uint64_t>::max());
        CHECK(out == json(std::numeric_limits<std::uint64_t>::max()).dump());
    }
    // any value through value(), at any indent and depth (deeper than begin_*() may go)
    json deep = json::array();
    json* cur = &deep;
    for (int i = 0; i < 100; ++i) {
        cur->push_back({{"k" + std::to_string(i), json::array()}, {"e", json::object()}, {"n", i}});
        cur = &(*cur)[0]["k" + std::to_string(i)];
    }
    const json values[] = {nullptr,
                           true,
                           false,
                           json::object(),
                           json::array(),
                           deep,
                           json::parse(R"({"b": [1, {"c": "\u00e9\n"}], "a": {"x": []}})")};
    for (const json& j : values) {
        for (const int indent : {-1, 0, 1, 2, 4}) {
            std::string out = "kept";
            {
                detail::json_writer w(out, indent);
                w.begin_object();
                w.key("v");
                w.value(j);
                w.key("w");
                w.begin_array();
                w.value(j);
                w.null();
                w.boolean(true);
                w.end_array();
                w.end_object();
            }
            CHECK(out == "kept" + json{{"v", j}, {"w", {j, nullptr, true}}}.dump(indent));
        }
    }
}
