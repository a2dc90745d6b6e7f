#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "rules/json_schema.hpp"
#include "rules/value_schema_adapter.hpp"
#include "telecomply/expr/document.hpp"

using namespace telecomply;
using detail::json_schema;
using nlohmann::json;

namespace {

// One schema exercising the constraints application schemas use.
const json k_schema = json::parse(R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["id", "region", "submitted_on", "applicant", "numbers"],
  "additionalProperties": false,
  "properties": {
    "id": {"type": "string", "pattern": "^APP-[0-9]{7}$"},
    "region": {"type": "string", "enum": ["CN-BJ", "CN-SH", "CN-GD"]},
    "submitted_on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "channel": {"enum": ["online", "in_person", null]},
    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
    "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "flags": {"type": "array", "items": {"type": "boolean"}, "maxItems": 3},
    "applicant": {
      "type": "object",
      "required": ["name", "history"],
      "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 8},
        "history": {
          "type": "object",
          "required": ["violations_24m"],
          "properties": {
            "violations_24m": {"type": "integer", "minimum": 0},
            "banned_until": {"type": ["string", "null"]}
          }
        }
      }
    },
    "numbers": {
      "type": "array", "minItems": 1, "maxItems": 3,
      "items": {
        "type": "object",
        "required": ["number"],
        "additionalProperties": false,
        "properties": {
          "number": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
          "purpose": {"type": "string"},
          "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
        }
      }
    },
    "contact": {
      "oneOf": [
        {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
        {"type": "object", "required": ["email"],
         "properties": {"email": {"type": "string", "pattern": "@"}}}
      ]
    },
    "quota": {"anyOf": [{"type": "integer", "minimum": 0}, {"const": "unlimited"}]},
    "materials": {
      "type": "object",
      "additionalProperties": {
        "type": "object",
        "properties": {"valid_until": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}
      }
    },
    "by_year": {"type": "object", "additionalProperties": {"type": "integer"}},
    "preset": {"enum": [{"kind": "x", "n": [1, 2]}, [true, null]]},
    "extra": {}
  }
})");

// A valid document; the cases below break it one way each.
const json k_valid = json::parse(R"({
  "id": "APP-0000042", "region": "CN-GD", "submitted_on": "2026-03-02", "channel": "online",
  "priority": 3, "score": 0.5, "flags": [true, false],
  "applicant": {"name": "广州示例科技", "history": {"violations_24m": 0, "banned_until": null}},
  "numbers": [{"number": "13800138000", "purpose": "回访", "tags": ["a"]},
              {"number": "13900139000"}],
  "contact": {"phone": "020-1234"},
  "quota": 10,
  "materials": {"business_license": {"valid_until": "2035-12-31"}, "tax_registration": {}},
  "by_year": {"2025": 1, "2026": 2},
  "preset": {"n": [1, 2], "kind": "x"},
  "extra": {"anything": [1, "two", {"three": 3.0}]}
})");

const json_schema& schema() {
    static const json_schema s = json_schema::from_json(k_schema, "test.schema.json");
    return s;
}

struct outcome {
    bool valid = true;
    std::string path;
    std::string message;
};

outcome to_outcome(const std::optional<json_schema::failure>& f) {
    if (!f) return {};
    return {false, f->json_path, f->message};
}

outcome via_nlohmann(const json_schema& s, const std::string& text) {
    return to_outcome(s.validate(json::parse(text)));
}

outcome via_value(const json_schema& s, const std::string& text) {
    const auto doc = document::parse(text);
    return to_outcome(s.validate(doc.root()));
}

struct breakage {
    const char* name;
    std::function<void(json&)> apply;
    const char* path;  // nullptr: still valid
};

const std::vector<breakage>& breakages() {
    static const std::vector<breakage> cases = {
        {"unchanged", [](json&) {}, nullptr},
        // required
        {"missing id", [](json& d) { d.erase("id"); }, "$"},
        {"missing nested required",
         [](json& d) { d["applicant"]["history"].erase("violations_24m"); }, "$.applicant.history"},
        {"missing required in array item", [](json& d) { d["numbers"][1].erase("number"); },
         "$.numbers[1]"},
        // types
        {"string for integer", [](json& d) { d["priority"] = "3"; }, "$.priority"},
        {"double for integer", [](json& d) { d["priority"] = 3.0; }, "$.priority"},
        {"integer for number", [](json& d) { d["score"] = 1; }, nullptr},
        {"object for string", [](json& d) { d["id"] = json::object(); }, "$.id"},
        {"empty array for object", [](json& d) { d["applicant"] = json::array(); }, "$.applicant"},
        {"empty object for array", [](json& d) { d["flags"] = json::object(); }, "$.flags"},
        {"null for string", [](json& d) { d["region"] = nullptr; }, "$.region"},
        {"string or null: null",
         [](json& d) { d["applicant"]["history"]["banned_until"] = nullptr; }, nullptr},
        {"string or null: number",
         [](json& d) { d["applicant"]["history"]["banned_until"] = 20270101; },
         "$.applicant.history.banned_until"},
        {"bool items", [](json& d) { d["flags"][1] = 0; }, "$.flags[1]"},
        // enum / const
        {"enum miss", [](json& d) { d["region"] = "CN-XX"; }, "$.region"},
        {"enum null member", [](json& d) { d["channel"] = nullptr; }, nullptr},
        {"enum object member, other key order",
         [](json& d) { d["preset"] = json::parse(R"({"kind": "x", "n": [1, 2]})"); }, nullptr},
        {"enum array member", [](json& d) { d["preset"] = json::parse("[true, null]"); }, nullptr},
        {"enum object differs deep",
         [](json& d) { d["preset"] = json::parse(R"({"kind": "x", "n": [1, 3]})"); }, "$.preset"},
        {"enum object extra member",
         [](json& d) { d["preset"] = json::parse(R"({"kind": "x", "n": [1, 2], "m": 0})"); },
         "$.preset"},
        {"enum array differs", [](json& d) { d["preset"] = json::parse("[true, false]"); },
         "$.preset"},
        {"enum in array items",
         [](json& d) {
             d["numbers"][0]["tags"] = {"a", "c"};
         },
         "$.numbers[0].tags[1]"},
        // pattern
        {"pattern miss", [](json& d) { d["id"] = "APP-42"; }, "$.id"},
        {"pattern in array item", [](json& d) { d["numbers"][1]["number"] = "12345"; },
         "$.numbers[1].number"},
        {"pattern under additionalProperties",
         [](json& d) { d["materials"]["business_license"]["valid_until"] = "31/12/2035"; },
         "$.materials.business_license.valid_until"},
        // minimum / maximum
        {"below minimum", [](json& d) { d["priority"] = 0; }, "$.priority"},
        {"above maximum", [](json& d) { d["priority"] = 6; }, "$.priority"},
        {"at maximum", [](json& d) { d["priority"] = 5; }, nullptr},
        {"exclusive minimum", [](json& d) { d["score"] = 0.0; }, "$.score"},
        {"negative nested", [](json& d) { d["applicant"]["history"]["violations_24m"] = -1; },
         "$.applicant.history.violations_24m"},
        // minItems / maxItems
        {"no numbers", [](json& d) { d["numbers"] = json::array(); }, "$.numbers"},
        {"too many numbers",
         [](json& d) {
             for (int i = 0; i < 2; ++i)
                 d["numbers"].push_back({{"number", "18612345678"}});
         },
         "$.numbers"},
        {"empty flags", [](json& d) { d["flags"] = json::array(); }, nullptr},
        {"too many flags",
         [](json& d) {
             d["flags"] = {true, true, true, true};
         },
         "$.flags"},
        // additionalProperties
        {"unknown top-level key", [](json& d) { d["zzz"] = 1; }, "$"},
        {"unknown key in array item", [](json& d) { d["numbers"][0]["note"] = "x"; },
         "$.numbers[0]"},
        {"additionalProperties schema", [](json& d) { d["materials"]["pledge"] = "signed"; },
         "$.materials.pledge"},
        {"digit key is a member, not an index", [](json& d) { d["by_year"]["2026"] = "two"; },
         "$.by_year[\"2026\"]"},
        {"key needing quotes", [](json& d) { d["materials"]["a b.c"] = 1; },
         "$.materials[\"a b.c\"]"},
        // oneOf / anyOf
        {"oneOf second branch",
         [](json& d) {
             d["contact"] = {{"email", "a@b.cn"}};
         },
         nullptr},
        {"oneOf both branches",
         [](json& d) {
             d["contact"] = {{"email", "a@b.cn"}, {"phone", "1"}};
         },
         "$.contact"},
        {"oneOf no branch",
         [](json& d) {
             d["contact"] = {{"email", "nobody"}};
         },
         "$.contact.email"},
        {"anyOf other branch", [](json& d) { d["quota"] = "unlimited"; }, nullptr},
        {"anyOf no branch", [](json& d) { d["quota"] = -1; }, "$.quota"},
        {"anyOf wrong const", [](json& d) { d["quota"] = "lots"; }, "$.quota"},
        // empty containers and unicode
        {"empty objects everywhere",
         [](json& d) {
             d["materials"] = json::object();
             d["by_year"] = json::object();
             d["extra"] = json::object();
         },
         nullptr},
        {"empty list in item", [](json& d) { d["numbers"][0]["tags"] = json::array(); }, nullptr},
        {"unicode at maxLength", [](json& d) { d["applicant"]["name"] = "深圳示例科技有限"; },
         nullptr},
        {"unicode over maxLength", [](json& d) { d["applicant"]["name"] = "深圳示例科技有限公"; },
         "$.applicant.name"},
        {"astral plane under minLength", [](json& d) { d["applicant"]["name"] = "😀"; },
         "$.applicant.name"},
        {"astral plane at minLength", [](json& d) { d["applicant"]["name"] = "😀é"; }, nullptr},
        {"unicode key",
         [](json& d) {
             d["materials"]["营业执照"] = {{"valid_until", "x"}};
         },
         "$.materials[\"营业执照\"].valid_until"},
        // several failures: the deepest is reported
        {"deepest of several",
         [](json& d) {
             d["region"] = "CN-XX";
             d["numbers"][1]["number"] = "0";
         },
         "$.numbers[1].number"},
    };
    return cases;
}

}  // namespace

TEST_CASE("value schema validation agrees with the nlohmann path") {
    for (const auto& c : breakages()) {
        const std::string name = c.name;
        CAPTURE(name);
        json doc = k_valid;
        c.apply(doc);
        for (int indent : {-1, 2}) {
            const std::string text = doc.dump(indent);
            const outcome a = via_nlohmann(schema(), text);
            const outcome b = via_value(schema(), text);
            CHECK(a.valid == b.valid);
            CHECK(a.path == b.path);
            CHECK(a.message == b.message);
            if (c.path == nullptr) {
                CHECK_MESSAGE(b.valid, b.path, ": ", b.message);
            } else {
                CHECK_FALSE(b.valid);
                CHECK(b.path == c.path);
            }
        }
    }
}

TEST_CASE("value schema validation: the same document text, written by hand") {
    // escapes, key order and spacing as a person or another tool writes them
    const std::string text = R"({
      "submitted_on": "2026-03-02", "region": "CN-SH", "id": "APP-0000001",
      "applicant": {"history": {"violations_24m": 2}, "name": "\u738b\u5c0f\u660e\ud83d\ude00"},
      "numbers": [{"purpose": "", "number": "19912345678", "tags": []}],
      "materials": {"": {}}, "by_year": {}, "extra": null, "quota": 0
    })";
    const outcome a = via_nlohmann(schema(), text);
    const outcome b = via_value(schema(), text);
    CHECK(a.valid);
    CHECK(b.valid);
}

TEST_CASE("value schema validation: integers at and beyond the int64 range") {
    const auto s = json_schema::from_json(json::parse(R"({
      "type": "object",
      "properties": {
        "i": {"type": "integer", "minimum": 0},
        "n": {"type": "number", "minimum": 0}
      }
    })"),
                                          "ints.schema.json");
    // INT64_MAX is an integer on both paths
    CHECK(via_value(s, R"({"i": 9223372036854775807})").valid);
    CHECK(via_nlohmann(s, R"({"i": 9223372036854775807})").valid);
    CHECK_FALSE(via_value(s, R"({"i": -9223372036854775808})").valid);
    CHECK_FALSE(via_nlohmann(s, R"({"i": -9223372036854775808})").valid);

    // above it, the value path sees a (positive) number that is not an integer
    const std::string big = R"({"n": 18446744073709551615, "i": 9223372036854775808})";
    const auto doc = document::parse(big);
    REQUIRE(doc.root().find("n")->kind() == kind::uint_);
    const auto f = s.validate(doc.root());
    REQUIRE(f);
    CHECK(f->json_path == "$.i");
    CHECK(via_value(s, R"({"n": 18446744073709551615})").valid);
    CHECK(via_value(s, R"({"n": 9223372036854775808})").valid);
    // (valijson's nlohmann adapter reads such a number as a wrapped, negative int64)
    CHECK_FALSE(via_nlohmann(s, R"({"n": 18446744073709551615})").valid);

    // a uint built in C++ below the limit is an integer
    const auto small = document::build([](value_builder& b) {
        map_entry* e = nullptr;
        auto m = b.map(1, e);
        e[0] = {value::from_string("i"), value::from_uint(7)};
        return m;
    });
    CHECK_FALSE(s.validate(small.root()));

    // bounds compare the double
    const auto bound = json_schema::from_json(json::parse(R"({"maximum": 1e19})"), "max");
    CHECK(bound.validate(document::parse("18446744073709551615").root()).has_value());
    CHECK_FALSE(bound.validate(document::parse("9223372036854775808").root()).has_value());
}

TEST_CASE("value schema adapter: kinds JSON does not have") {
    const auto s = json_schema::from_json(json::parse(R"({
      "type": "object",
      "properties": {
        "on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "at": {"type": "string", "pattern": "^2026-03-02T"},
        "hours": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"},
        "blob": {"type": "string", "enum": ["aGk="]},
        "anything": {},
        "object": {"type": "object"}
      }
    })"),
                                          "kinds.schema.json");
    auto make = [](auto fill) {
        return document::build([&](value_builder& b) {
            map_entry* e = nullptr;
            auto m = b.map(1, e);
            e[0] = fill(b);
            return m;
        });
    };
    // dates, times, timestamps and bytes are strings of their JSON form
    CHECK_FALSE(s.validate(make([](value_builder&) {
                               return map_entry{value::from_string("on"),
                                                value::from_date(*date::from_ymd(2026, 3, 2))};
                           }).root()));
    CHECK_FALSE(s.validate(make([](value_builder&) {
                               return map_entry{value::from_string("hours"),
                                                value::from_time_of_day(time_of_day{9 * 60 + 30})};
                           }).root()));
    CHECK_FALSE(s.validate(
        make([](value_builder&) {
            // 2026-03-02T08:00:00Z
            return map_entry{value::from_string("at"), value::from_timestamp({1772438400, 0})};
        }).root()));
    CHECK_FALSE(s.validate(make([](value_builder& b) {
                               return map_entry{value::from_string("blob"), b.bytes("hi")};
                           }).root()));
    // an error value is no JSON value: no type accepts it, type-specific constraints skip it
    const auto err = make([](value_builder& b) {
        return map_entry{value::from_string("object"), b.error(eval_errc::no_such_field, "absent")};
    });
    const auto f = s.validate(err.root());
    REQUIRE(f);
    CHECK(f->json_path == "$.object");
    CHECK_FALSE(s.validate(
        make([](value_builder& b) {
            return map_entry{value::from_string("anything"), b.error(eval_errc::overflow, "x")};
        }).root()));
    // a map with a non-string key is not an object
    const auto int_keys = make([](value_builder& b) {
        map_entry* inner = nullptr;
        auto m = b.map(1, inner);
        inner[0] = {value::from_int(1), value::from_string("one")};
        return map_entry{value::from_string("object"), m};
    });
    const auto g = s.validate(int_keys.root());
    REQUIRE(g);
    CHECK(g->json_path == "$.object");
    // ...and a root map with a non-string key is no object either: "type": "object" fails
    const auto root_int_keys = document::build([](value_builder& b) {
        map_entry* e = nullptr;
        auto m = b.map(1, e);
        e[0] = {value::from_bool(true), value::from_int(1)};
        return m;
    });
    CHECK(s.validate(root_int_keys.root()).value().json_path == "$");
}

TEST_CASE("value schema adapter: types and accessors") {
    using detail::value_schema_adapter;
    const auto doc = document::parse(
        R"({"n": null, "b": true, "i": -3, "u": 18446744073709551615, "d": 2.5, "s": "é",
            "l": [1, "x"], "m": {"k": 1}, "e": {}, "z": []})");
    const value& r = doc.root();
    auto at = [&](const char* k) { return value_schema_adapter(*r.find(k)); };
    CHECK(at("n").isNull());
    CHECK(at("b").isBool());
    CHECK(at("b").getBool());
    CHECK(at("i").isInteger());
    CHECK(at("i").getInteger() == -3);
    CHECK(at("u").isDouble());
    CHECK_FALSE(at("u").isInteger());
    CHECK(at("u").getNumber() == doctest::Approx(1.8446744073709552e19));
    CHECK(at("d").isDouble());
    CHECK(at("d").getDouble() == 2.5);
    CHECK(at("s").getString() == "é");
    CHECK(at("l").isArray());
    CHECK(at("l").getArraySize() == 2);
    CHECK(at("m").isObject());
    CHECK(at("m").getObjectSize() == 1);
    CHECK(at("e").isObject());
    CHECK(at("z").isArray());

    // array and object views
    const auto arr = at("l").getArray();
    auto it = arr.begin();
    CHECK((*it).getInteger() == 1);
    it.advance(1);
    CHECK(it->getString() == "x");
    CHECK(++it == arr.end());
    const auto obj = at("m").getObject();
    CHECK(obj.find("k") != obj.end());
    CHECK(obj.find("k")->second.getInteger() == 1);
    CHECK(obj.find("q") == obj.end());
    std::vector<std::string> keys;
    CHECK(value_schema_adapter(r).applyToObject([&](const std::string& k, const auto&) {
        keys.push_back(k);
        return true;
    }));
    CHECK(keys == std::vector<std::string>{"n", "b", "i", "u", "d", "s", "l", "m", "e", "z"});

    // a default adapter is an empty object, as valijson expects
    CHECK(value_schema_adapter().isObject());
    CHECK(value_schema_adapter().getObjectSize() == 0);

    // equality across adapters (enum/const), and frozen copies outliving their document
    const auto other = document::parse(R"({"k": 1.0})");
    CHECK(at("m").equalTo(value_schema_adapter(other.root()), true));
    std::unique_ptr<valijson::adapters::FrozenValue> frozen;
    {
        const auto tmp = document::parse(R"({"k": [1, {"x": "y"}]})");
        frozen.reset(value_schema_adapter(tmp.root()).freeze());
    }
    const auto same = document::parse(R"({"k": [1, {"x": "y"}]})");
    const auto differs = document::parse(R"({"k": [1, {"x": "z"}]})");
    CHECK(frozen->equalTo(value_schema_adapter(same.root()), true));
    CHECK_FALSE(frozen->equalTo(value_schema_adapter(differs.root()), true));
    std::unique_ptr<valijson::adapters::FrozenValue> copy(frozen->clone());
    frozen.reset();
    CHECK(copy->equalTo(value_schema_adapter(same.root()), true));
}

TEST_CASE("value schema validation: a failure valijson gives no description for") {
    // a `false` schema fails without an error entry; both paths still report the root
    const auto never = json_schema::from_json(json::parse(R"({"not": {}})"), "never");
    for (const char* text : {"{}", "[1]", "null"}) {
        CAPTURE(text);
        const outcome a = via_nlohmann(never, text);
        const outcome b = via_value(never, text);
        CHECK_FALSE(a.valid);
        CHECK_FALSE(b.valid);
        CHECK(a.path == "$");
        CHECK(b.path == "$");
    }
    const auto root_false = json_schema::from_json(json(false), "false");
    const outcome a = via_nlohmann(root_false, "{}");
    const outcome b = via_value(root_false, "{}");
    CHECK_FALSE(a.valid);
    CHECK_FALSE(b.valid);
    CHECK(a.path == "$");
    CHECK(b.path == "$");
}

TEST_CASE("value schema adapter: a schema read from a document") {
    // enum and const values are frozen (copied) out of the schema document
    std::optional<document> schema_doc = document::parse(R"({
      "type": "object",
      "properties": {
        "a": {"enum": [1, "x", {"k": [true]}]},
        "b": {"$ref": "#/definitions/z"},
        "c": {"const": [1, 2.5]}
      },
      "definitions": {"z": {"type": "string", "pattern": "^z"}}
    })");
    valijson::Schema schema;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(detail::value_schema_adapter(schema_doc->root()), schema);
    schema_doc.reset();
    valijson::Validator validator;
    auto valid = [&](const char* text) {
        const auto doc = document::parse(text);
        return validator.validate(schema, detail::value_schema_adapter(doc.root()), nullptr);
    };
    CHECK(valid(R"({"a": 1})"));
    CHECK(valid(R"({"a": 1.0})"));
    CHECK(valid(R"({"a": {"k": [true]}})"));
    CHECK_FALSE(valid(R"({"a": {"k": [false]}})"));
    CHECK_FALSE(valid(R"({"a": 2})"));
    CHECK(valid(R"({"b": "zz"})"));
    CHECK_FALSE(valid(R"({"b": "y"})"));
    CHECK(valid(R"({"c": [1, 2.5]})"));
    CHECK_FALSE(valid(R"({"c": [1, 2]})"));
}

TEST_CASE("value schema validation from several threads") {
    std::vector<std::string> texts;
    std::vector<outcome> expected;
    for (const auto& c : breakages()) {
        json doc = k_valid;
        c.apply(doc);
        texts.push_back(doc.dump());
        expected.push_back(via_nlohmann(schema(), texts.back()));
    }
    std::vector<document> docs;
    for (const auto& t : texts)
        docs.push_back(document::parse(t));
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int round = 0; round < 20; ++round)
                for (std::size_t i = 0; i < docs.size(); ++i) {
                    const outcome o = to_outcome(schema().validate(docs[i].root()));
                    if (o.valid != expected[i].valid || o.path != expected[i].path) ++mismatches;
                }
        });
    for (auto& th : threads)
        th.join();
    CHECK(mismatches == 0);
}
