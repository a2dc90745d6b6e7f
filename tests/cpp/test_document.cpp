// Documents: parsing JSON into values (numbers, Unicode, duplicate keys, malformed input),
// path lookups, building, and the conversions to and from nlohmann::json.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

// ---- helpers

// The input_error that parsing `text` throws.
struct failure {
    std::uint32_t line = 0;
    std::string file, json_path, message, what;
};
failure parse_failure(std::string_view text, std::string_view source = "app.json") {
    try {
        (void)document::parse(text, source);
    } catch (const input_error& e) {
        CHECK(e.code() == errc::invalid_input);
        return {e.line(), e.file(), e.json_path(), e.message(), e.what()};
    }
    FAIL_CHECK("parsed: " << text.substr(0, 80));
    return {};
}

std::string render(std::string_view text) {
    return document::parse(text).root().to_string();
}

kind kind_of(std::string_view text) {
    return document::parse(text).root().kind();
}

}  // namespace

// ------------------------------------------------------------------ parsing

TEST_CASE("document: parsing valid JSON") {
    const auto doc = document::parse(R"({
        "applicant": {"name": "某某科技有限公司", "uscc": "91110000600037341L",
                      "history": {"violations_24m": 0, "score": 97.5}},
        "numbers": ["13800138000", "010-12345678"],
        "consent": true, "note": null, "empty_list": [], "empty_map": {}
    })",
                                     "app.json");
    const value& root = doc.root();
    REQUIRE(root.kind() == kind::map);
    CHECK(root.size() == 6);
    CHECK(root.find("applicant")->kind() == kind::map);
    CHECK(root.find("numbers")->kind() == kind::list);
    CHECK(root.find("numbers")->size() == 2);
    CHECK(root.find("consent")->is_true());
    CHECK(root.find("note")->is_null());
    CHECK(root.find("empty_list")->size() == 0);
    CHECK(root.find("empty_map")->kind() == kind::map);
    CHECK(root.find("missing") == nullptr);
    CHECK(doc.at("applicant.history.violations_24m")->kind() == kind::int_);
    CHECK(doc.at("applicant.history.score")->as_double() == 97.5);
    CHECK(doc.at("applicant.name")->as_string() == "某某科技有限公司");
    // entries keep the document's order
    CHECK(root.map_begin()[0].key.as_string() == "applicant");
    CHECK(root.map_begin()[5].key.as_string() == "empty_map");

    // any JSON value may be the root
    CHECK(render("42") == "42");
    CHECK(render(" \"x\" ") == R"("x")");
    CHECK(render("[1, [2, {}]]") == "[1, [2, {}]]");
    CHECK(render("null") == "null");
    CHECK(render("false") == "false");
    CHECK(render("\r\n\t{ \"a\" : [ ] }\n") == R"({"a": []})");
}

TEST_CASE("document: numbers") {
    CHECK(kind_of("0") == kind::int_);
    CHECK(render("-17") == "-17");
    CHECK(render("9223372036854775807") == "9223372036854775807");
    CHECK(kind_of("9223372036854775807") == kind::int_);
    CHECK(render("-9223372036854775808") == "-9223372036854775808");
    CHECK(kind_of("-9223372036854775808") == kind::int_);
    // above INT64_MAX: uint, exactly
    CHECK(render("9223372036854775808") == "9223372036854775808u");
    CHECK(kind_of("9223372036854775808") == kind::uint_);
    CHECK(render("18446744073709551615") == "18446744073709551615u");
    CHECK(document::parse("[18446744073709551615]").root().list_begin()[0].as_uint() ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(render("1.5") == "1.5");
    CHECK(render("1e2") == "100.0");
    CHECK(kind_of("1e2") == kind::double_);
    CHECK(kind_of("1.0") == kind::double_);
    CHECK(render("-0") == "0");
    CHECK(render("-0.0") == "-0.0");
    CHECK(render("1.5e-400") == "0.0");  // underflow rounds to zero
    CHECK(render("[0.1, 2.5E+3, -1e-2]") == "[0.1, 2500.0, -0.01]");

    // out of range: an input_error, never a silent rounding or a foreign exception
    for (auto text : {"18446744073709551616", "-9223372036854775809", "[1e400]", "{\"a\": -1e309}",
                      "123456789012345678901234567890"}) {
        CAPTURE(text);
        const auto f = parse_failure(text);
        CHECK(f.file == "app.json");
        CHECK(f.message.starts_with("invalid JSON: "));
    }
    CHECK(parse_failure("[1e400]").message == "invalid JSON: number overflow parsing '1e400'");
    // malformed numbers
    for (auto text : {"01", "1.", ".5", "+1", "0x10", "1e", "-", "NaN", "Infinity"}) {
        CAPTURE(text);
        const auto f = parse_failure(text);
        CHECK(f.line == 1);
        CHECK(f.message.starts_with("invalid JSON: "));
    }
}

TEST_CASE("document: Unicode strings and escapes") {
    CHECK(render(R"("申请号码")") == R"("申请号码")");
    CHECK(document::parse(R"("申请号码")").root().as_string() == "申请号码");
    CHECK(document::parse(R"("\u7533\u8BF7")").root().as_string() == "申请");
    CHECK(document::parse(R"("\ud83d\ude00")").root().as_string() == "\U0001F600");
    CHECK(document::parse(R"("\n\t\"\\\/\b\f\r")").root().as_string() == "\n\t\"\\/\b\f\r");
    {
        const auto doc = document::parse(R"("a\u0000b")");
        CHECK(doc.root().size() == 3);
        CHECK(doc.root().as_string() == std::string_view("a\0b", 3));
    }
    {
        const auto doc = document::parse(R"({"号码": {"类型": "mobile"}})");
        REQUIRE(doc.at("号码.类型") != nullptr);
        CHECK(doc.at("号码.类型")->as_string() == "mobile");
    }
    // a size() in an expression counts code points
    {
        environment env;
        env.declare("d");
        const auto doc = document::parse(R"({"name": "某某科技"})");
        const value vars[] = {doc.root()};
        eval_context ctx;
        CHECK(expression::compile("d.name.size()", env).evaluate(vars, ctx).as_int() == 4);
    }

    // not UTF-8, or not a valid code point: rejected, with the line
    {
        const auto f = parse_failure("{\n\"a\": \"ok\",\n\"b\": \"bad \xff byte\"\n}");
        CHECK(f.line == 3);
        CHECK(f.message.find("UTF-8") != std::string::npos);
    }
    CHECK(parse_failure(R"(["\ud800"])").line == 1);  // a lone surrogate
    CHECK(parse_failure(R"(["\udc00\ud800"])").line == 1);
    CHECK(parse_failure("[\"\xc0\xaf\"]").line == 1);   // an overlong encoding
    CHECK(parse_failure("[\"tab\there\"]").line == 1);  // a raw control character
    CHECK(parse_failure(R"(["\x41"])").line == 1);      // not a JSON escape
}

TEST_CASE("document: duplicate keys are an error, named by line and JSON path") {
    const std::string twice =
        "this key appears twice in its object (JSON readers would silently keep one of them)";
    {
        const auto f = parse_failure(R"({"a": 1, "b": 2, "a": 3})");
        CHECK(f.message == twice);
        CHECK(f.file == "app.json");
        CHECK(std::string(f.what) == "app.json:1: $.a: " + twice);
    }
    // however deep, and also in large objects
    CHECK(parse_failure("{\"x\": [{\"y\":\n {\"k\": 1, \"k\": 2}}]}").what ==
          "app.json:2: $.x[0].y.k: " + twice);
    json big = json::object();
    for (int i = 0; i < 40; ++i)
        big["key" + std::to_string(i)] = i;
    std::string text = big.dump();
    CHECK(document::parse(text).root().size() == 40);
    text.insert(text.size() - 1, R"(,"key17":0)");
    CHECK(parse_failure(text).json_path == "$.key17");
    // keys are compared after unescaping; case matters
    CHECK(parse_failure(R"({"a": 1, "\u0061": 2})").json_path == "$.a");
    CHECK(parse_failure(R"({"号码": 1, "\u53f7\u7801": 2})").json_path == "$[\"号码\"]");
    CHECK(document::parse(R"({"A": 1, "a": 2})").root().size() == 2);
    // the same key in different objects is fine
    CHECK(document::parse(R"({"a": {"a": {"a": 1}}, "b": {"a": 2}})").at("a.a.a")->as_int() == 1);
    // the default source name
    CHECK(parse_failure(R"({"a": 1, "a": 1})", "").what == "<input>:1: $.a: " + twice);
}

TEST_CASE("document: malformed JSON gives an input_error with the line and the JSON path") {
    struct bad {
        std::string_view text;
        std::uint32_t line;
        std::string_view path;  // the value being read where the text failed
    };
    const bad cases[] = {
        {"{\n \"a\": 1,\n \"b\": \n}", 4, "$.b"},
        {"{\n  \"a\": [1, 2,]\n}", 2, "$.a[2]"},
        {"{\n  \"a\": 1,\n}", 3, "$"},
        {"{\"a\": \"unterminated}", 1, "$.a"},
        {"{'a': 1}", 1, "$"},
        {"{a: 1}", 1, "$"},
        {"", 1, "$"},
        {"   ", 1, "$"},
        {"{} x", 1, "$"},
        {"[1] [2]", 1, "$"},
        {"nul", 1, "$"},
        {"[1, 2", 1, "$[2]"},
        {"{\n\"a\": 1 // comment\n}", 2, "$"},
        {"{\n\n\n\n\"a\" 1}", 5, "$.a"},
        {"[\n1,\n2,\n3\n,\n]", 6, "$[3]"},
        {"{\"a\": tru}", 1, "$.a"},
        {"{\"b\": {\"c\": [0, {\"d\": 1e400}]}}", 1, "$.b.c[1].d"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const auto f = parse_failure(c.text, "applications/gd-001.json");
        CHECK(f.line == c.line);
        CHECK(f.file == "applications/gd-001.json");
        CHECK(f.json_path == c.path);
        CHECK(f.message.starts_with("invalid JSON: "));
        CHECK(f.what == "applications/gd-001.json:" + std::to_string(c.line) + ": " +
                            std::string(c.path) + ": " + f.message);
    }
    {
        const auto f = parse_failure("{\n \"a\": 1,\n \"b\": \n}");
        CHECK(f.message ==
              "invalid JSON: parse error at line 4, column 1: syntax error while parsing value - "
              "unexpected '}'; expected '[', '{', or a literal");
    }
    // nesting beyond the parser's depth is refused, not a crash
    {
        const std::string deep = std::string(5000, '[') + std::string(5000, ']');
        const auto f = parse_failure(deep);
        CHECK(f.message == "invalid JSON: the document nests deeper than 1024 levels");
        CHECK(f.json_path.starts_with("$[0][0]"));
    }
    // a byte order mark before the JSON is ignored (RFC 8259 §8.1; Windows Notepad writes
    // one); nothing after it is still no JSON
    CHECK_NOTHROW((void)document::parse("\xEF\xBB\xBF{}", "bom.json"));
    CHECK(parse_failure("\xEF\xBB\xBF").message.starts_with("invalid JSON: "));
}

// ------------------------------------------------------------------ lookups

namespace {

// Whether `v` holds exactly what nlohmann reads from the same text: kinds, bytes, bits of
// doubles, and the order of object members.
bool same_tree(const value& v, const nlohmann::ordered_json& j) {
    using t = nlohmann::ordered_json::value_t;
    switch (j.type()) {
        case t::null:
            return v.is_null();
        case t::boolean:
            return v.kind() == kind::bool_ && v.as_bool() == j.get<bool>();
        case t::number_integer:
            return v.kind() == kind::int_ && v.as_int() == j.get<std::int64_t>();
        case t::number_unsigned: {
            const auto u = j.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(INT64_MAX))
                return v.kind() == kind::int_ && v.as_int() == static_cast<std::int64_t>(u);
            return v.kind() == kind::uint_ && v.as_uint() == u;
        }
        case t::number_float: {
            const double d = j.get<double>();
            return v.kind() == kind::double_ && v.as_double() == d &&
                   std::signbit(v.as_double()) == std::signbit(d);
        }
        case t::string:
            return v.kind() == kind::string && v.as_string() == j.get_ref<const std::string&>();
        case t::array: {
            if (v.kind() != kind::list || v.size() != j.size()) return false;
            for (std::size_t i = 0; i < j.size(); ++i)
                if (!same_tree(v.list_begin()[i], j[i])) return false;
            return true;
        }
        case t::object: {
            if (v.kind() != kind::map || v.size() != j.size()) return false;
            std::size_t i = 0;
            for (auto it = j.begin(); it != j.end(); ++it, ++i) {
                const map_entry& e = v.map_begin()[i];
                if (e.key.kind() != kind::string || e.key.as_string() != it.key() ||
                    !same_tree(e.val, it.value()))
                    return false;
            }
            return true;
        }
        default:
            return false;
    }
}

// Random JSON: every kind, escapes (ASCII-only text escapes all else as \uXXXX, surrogate pairs
// included), long and empty strings, big objects, deep nesting.
nlohmann::ordered_json random_json(std::mt19937_64& rng, int depth) {
    static const std::vector<std::string> words = {
        "",
        "a",
        "key",
        "号码",
        "emoji😀",
        "q\"uote",
        "back\\slash",
        "ctl\x01\n\t",
        std::string(1, '\0'),
        "long text that crosses several sixteen-byte blocks of input",
        "é/ü",
        "\x7f"};
    auto word = [&] { return words[rng() % words.size()] + words[rng() % words.size()]; };
    const unsigned pick =
        depth >= 6 ? static_cast<unsigned>(rng() % 6) : static_cast<unsigned>(rng() % 9);
    switch (pick) {
        case 0:
            return nullptr;
        case 1:
            return rng() % 2 == 0;
        case 2:
            return static_cast<std::int64_t>(rng());
        case 3:
            return rng();  // above INT64_MAX half the time
        case 4: {
            double d = 0;
            const std::uint64_t bits = rng();
            std::memcpy(&d, &bits, sizeof d);
            if (!std::isfinite(d)) d = -0.0;
            return rng() % 2 == 0 ? d : static_cast<double>(rng() % 100000) / 8.0;
        }
        case 5:
            return word();
        case 6:
        case 7: {
            auto o = nlohmann::ordered_json::object();
            const auto n = rng() % 3 == 0 ? rng() % 40 : rng() % 5;
            for (std::uint64_t i = 0; i < n; ++i)
                o[word() + std::to_string(i)] = random_json(rng, depth + 1);
            return o;
        }
        default: {
            auto a = nlohmann::ordered_json::array();
            const auto n = rng() % 6;
            for (std::uint64_t i = 0; i < n; ++i)
                a.push_back(random_json(rng, depth + 1));
            return a;
        }
    }
}

}  // namespace

TEST_CASE("document: parsing reads what nlohmann reads, in the document's order") {
    std::mt19937_64 rng(1234);
    for (int round = 0; round < 3000; ++round) {
        const auto j = random_json(rng, 0);
        const int indent = static_cast<int>(rng() % 3) - 1;  // compact, 0 or 1 space per level
        const std::string text = j.dump(indent, ' ', rng() % 2 == 0);
        CAPTURE(text);
        const auto doc = document::parse(text);
        REQUIRE(same_tree(doc.root(), nlohmann::ordered_json::parse(text)));
    }
    // many documents parsed one after the other by one thread's parser, kept alive together
    std::vector<std::pair<std::string, document>> kept;
    for (int round = 0; round < 200; ++round) {
        std::string text = random_json(rng, 0).dump();
        auto doc = document::parse(text);
        kept.emplace_back(std::move(text), std::move(doc));
    }
    for (const auto& [text, doc] : kept)
        CHECK(same_tree(doc.root(), nlohmann::ordered_json::parse(text)));
    // deep nesting to the limit, and escapes that shrink a lot when read
    std::string deep =
        std::string(1023, '[') + "\"\\u00e9\\ud83d\\ude00\"" + std::string(1023, ']');
    CHECK(same_tree(document::parse(deep).root(), nlohmann::ordered_json::parse(deep)));
    // exactly at the limit with a value innermost (simdjson counts the value as a level: the
    // document is read another way, to the same values), and one level beyond it
    for (const std::string inner : {"1", "\"x\"", "[]", "{}"}) {
        CAPTURE(inner);
        std::string objects;
        for (int i = 0; i < 1024; ++i)
            objects += "{\"a\":";
        objects += inner + std::string(1024, '}');
        const std::string arrays = std::string(1024, '[') + inner + std::string(1024, ']');
        const bool beyond = inner == "[]" || inner == "{}";  // 1025 containers
        for (const std::string& text : {arrays, objects}) {
            if (beyond) {
                CHECK_THROWS_AS((void)document::parse(text), input_error);
            } else {
                CHECK(same_tree(document::parse(text).root(), nlohmann::ordered_json::parse(text)));
            }
        }
    }
    try {
        (void)document::parse("{\"a\":" + std::string(1023, '[') + "1" + std::string(1023, ']') +
                              ",\"a\":2}");
        FAIL("a duplicate key at the nesting limit was accepted");
    } catch (const input_error& e) {
        CHECK(e.json_path() == "$.a");
    }
    std::string escapes = "[";
    for (int i = 0; i < 500; ++i)
        escapes += std::string(i == 0 ? "" : ",") + "\"\\u0000\\\"\\\\\\/\\b\\f\\n\\r\\t\\u4e2d\"";
    escapes += "]";
    CHECK(same_tree(document::parse(escapes).root(), nlohmann::ordered_json::parse(escapes)));
}

TEST_CASE("document::at") {
    const auto doc = document::parse(R"({
        "applicant": {"history": {"violations_24m": 2}, "name": null},
        "numbers": [{"n": "13800138000"}],
        "a.b": 1, "": {"x": 3}
    })");
    REQUIRE(doc.at("applicant.history.violations_24m") != nullptr);
    CHECK(doc.at("applicant.history.violations_24m")->as_int() == 2);
    CHECK(doc.at("applicant.history")->kind() == kind::map);
    CHECK(doc.at("applicant.name")->is_null());
    CHECK(doc.at("") == &doc.root());
    CHECK(doc.at("missing") == nullptr);
    CHECK(doc.at("applicant.missing") == nullptr);
    CHECK(doc.at("applicant.history.violations_24m.x") == nullptr);  // below a number
    CHECK(doc.at("applicant.name.x") == nullptr);                    // below null
    CHECK(doc.at("numbers.0") == nullptr);  // lists are not indexed by path
    CHECK(doc.at("numbers")->size() == 1);
    // a dot always separates: a key containing one cannot be reached this way
    CHECK(doc.at("a.b") == nullptr);
    CHECK(doc.root().find("a.b")->as_int() == 1);
    CHECK(document{}.at("") != nullptr);
    CHECK(document{}.root().is_null());
    CHECK(document{}.at("a") == nullptr);
}

// ------------------------------------------------------------------ building and JSON

TEST_CASE("document: from_json and to_json round trip") {
    const json j = {
        {"applicant", {{"name", "某某科技有限公司"}, {"founded", 2015}, {"score", 97.25}}},
        {"numbers", {"13800138000", "010-12345678"}},
        {"flags", {true, false, nullptr}},
        {"big", 18446744073709551615ULL},
        {"min", std::numeric_limits<std::int64_t>::min()},
        {"neg", -1.5e-7},
        {"empty_list", json::array()},
        {"empty_map", json::object()},
        {"nested", {{"a", {{"b", {{"c", {1, {{"d", "e"}}}}}}}}}},
    };
    const auto doc = document::from_json(j);
    CHECK(doc.to_json() == j);
    CHECK(doc.at("big")->kind() == kind::uint_);
    CHECK(doc.at("min")->kind() == kind::int_);
    CHECK(doc.at("applicant.founded")->kind() == kind::int_);
    // an unsigned JSON number that fits is an int, as CEL compares ints with ints
    CHECK(document::from_json(json(5u)).root().kind() == kind::int_);
    // through text and back
    CHECK(document::parse(j.dump()).to_json() == j);
    CHECK(document::parse(j.dump(2)).to_json() == j);
    // a document outlives the json it came from
    document kept = [] {
        json temp = {{"s", std::string(1000, 'x')}};
        return document::from_json(temp);
    }();
    CHECK(kept.at("s")->size() == 1000);
    // and moves cheaply, keeping its values where they are
    const value* s = kept.at("s");
    document moved = std::move(kept);
    CHECK(moved.at("s") == s);
    CHECK(moved.at("s")->as_string() == std::string(1000, 'x'));
}

TEST_CASE("document: to_json of computed values") {
    telecomply::arena a;
    value_builder b(a);
    const std::vector<std::pair<std::string, value>> none;
    auto as_json = [&](std::string_view src) { return to_json(evaluate_once(src, none, b)); };
    CHECK(as_json("timestamp('2026-03-02T10:00:00+08:00')") == json("2026-03-02T02:00:00Z"));
    CHECK(as_json("duration('1h30m')") == json("5400s"));
    CHECK(as_json("date('2026-03-02')") == json("2026-03-02"));
    CHECK(as_json("time_of_day('09:05')") == json("09:05"));
    CHECK(as_json("type(1)") == json("int"));
    CHECK(as_json("b'abc'") == json("YWJj"));  // bytes as base64
    CHECK(as_json("b'ab'") == json("YWI="));
    CHECK(as_json("b'a'") == json("YQ=="));
    CHECK(as_json("b''") == json(""));
    CHECK(as_json("b'\\xff\\x00'") == json("/wA="));
    CHECK(as_json("18446744073709551615u") == json(18446744073709551615ULL));
    CHECK(as_json("{1: 'a', true: 'b', 'k': [1.5, null]}") ==
          json({{"1", "a"}, {"true", "b"}, {"k", {1.5, nullptr}}}));
    CHECK(as_json("1 / 0") ==
          json({{"error", "division_by_zero"}, {"message", "division by zero"}}));
    // a binary JSON value becomes bytes
    const auto bin = document::from_json(json::binary({0x61, 0x62}));
    CHECK(bin.root().kind() == kind::bytes);
    CHECK(bin.to_json() == json("YWI="));
}

TEST_CASE("document::build and value_builder") {
    const auto doc = document::build([](value_builder& b) {
        map_entry* entries = nullptr;
        const value root = b.map(3, entries);
        value* items = nullptr;
        const value list = b.list(2, items);
        items[0] = b.string("13800138000");
        items[1] = value::from_int(7);
        entries[0] = {b.string("numbers"), list};
        entries[1] = {value::from_int(1), b.string("one")};
        entries[2] = {b.string("d"), value::from_date(*date::parse("2026-03-02"))};
        return root;
    });
    CHECK(doc.root().to_string() ==
          R"({"numbers": ["13800138000", 7], 1: "one", "d": date("2026-03-02")})");
    // numeric keys are found as CEL finds them: 1 == 1u == 1.0
    CHECK(doc.root().find(value::from_uint(1))->as_string() == "one");
    CHECK(doc.root().find(value::from_double(1.0))->as_string() == "one");
    CHECK(doc.root().find(value::from_double(1.5)) == nullptr);
    CHECK(doc.root().find(value::from_bool(true)) == nullptr);
    CHECK(doc.at("numbers")->size() == 2);
    CHECK(doc.to_json() ==
          json({{"numbers", {"13800138000", 7}}, {"1", "one"}, {"d", "2026-03-02"}}));

    // copy() is deep, errors and their chains included
    telecomply::arena scratch, keep;
    value_builder s(scratch), k(keep);
    const value first = s.error(eval_errc::no_such_field, "no such key", 3, "app.a");
    const value chained =
        s.error(eval_errc::no_such_field, "no such key", 9, "app.b", &first.as_error());
    const value inner[] = {s.string("x"), chained};
    const value copied = k.copy(s.list(inner, 2));
    scratch.reset();
    (void)s.string(std::string(4096, '#'));  // overwrite the scratch memory
    REQUIRE(copied.kind() == kind::list);
    CHECK(copied.list_begin()[0].as_string() == "x");
    const error_info& e = copied.list_begin()[1].as_error();
    CHECK(e.path == "app.b");
    CHECK(e.offset == 9);
    REQUIRE(e.next != nullptr);
    CHECK(e.next->path == "app.a");
    CHECK(e.next->message == "no such key");
    CHECK(e.next->next == nullptr);
}

TEST_CASE("document: expressions read documents without copying") {
    const auto doc = document::parse(R"({"numbers": ["13800138000", "17012345678"]})");
    environment env;
    env.declare("app");
    const auto e = expression::compile("app.numbers[1]", env);
    const value vars[] = {doc.root()};
    eval_context ctx;
    const value v = e.evaluate(vars, ctx);
    REQUIRE(v.kind() == kind::string);
    CHECK(v.as_string().data() == doc.at("numbers")->list_begin()[1].as_string().data());
    CHECK(ctx.arena().used() == 0);
}
