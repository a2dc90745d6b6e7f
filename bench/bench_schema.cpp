// Micro-benchmark: JSON Schema validation of one application document, through nlohmann::json
// (valijson's own adapter) and through telecomply::document (simdjson parse, value adapter).
//
//   bench_schema [iterations]
//
// Prints one JSON line, ns per document (best of 7 runs, the cases taking turns):
//   parse_validate_nlohmann   nlohmann::json::parse + validate(json)
//   parse_validate_value      document::parse (simdjson) + validate(value)
//   validate_nlohmann         validate(json) of an already parsed document
//   validate_value            validate(value) of an already parsed document: the compiled
//                             validator (schema_validator.hpp), valijson only for failures
//   validate_value_valijson   the same through valijson alone (what validate(value) was before
//                             the compiled validator)
//   validate_value_shipped, validate_value_shipped_valijson
//                             the same two with rulesets/schema/application.schema.json
//   parse_nlohmann, parse_document
//   validate_*_no_patterns    the same schema with every `pattern` removed: what the regexes
//                             (std::regex, valijson's only engine) cost
//   parse_validate_nlohmann_then_document
//                             nlohmann parse + validate + document::from_json: what
//                             engine::parse does today to get a validated document

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"
#include "rules/json_schema.hpp"
#include "telecomply/expr/document.hpp"

namespace {

// An application as shared/peers/gen_apps.py writes them (docs/policy.md §1), with 20 numbers.
std::string application() {
    std::string numbers;
    for (int i = 0; i < 20; ++i) {
        char buf[96];
        std::snprintf(buf, sizeof buf, R"(%s{"number": "1%d%09d", "purpose": "客户回访"})",
                      i == 0 ? "" : ", ", 3 + i % 7, 100000 + i * 7919);
        numbers += buf;
    }
    return R"({
  "id": "APP-0000042", "region": "CN-GD", "submitted_on": "2026-03-02", "channel": "online",
  "applicant": {
    "name": "广州示例科技有限公司", "uscc": "91440300MA5G0XXX0Q", "status": "active",
    "industry": "retail", "established_on": "2018-05-01",
    "legal_representative": {"name": "王小明", "id_number": "440305198807150011"},
    "history": {"violations_24m": 0, "rejections_12m": 1, "banned_until": null}
  },
  "submitter": {"name": "王小明", "id_number": "440305198807150011", "is_legal_representative": true},
  "materials": {
    "business_license": {"uscc": "91440300MA5G0XXX0Q", "valid_until": "2035-12-31", "stamped": true},
    "legal_rep_id": {"id_number": "440305198807150011", "valid_until": "2035-01-01"},
    "marketing_plan": {
      "purpose": "客户回访", "target_customers": "既有客户", "expected_outcome": "续约",
      "script": "您好，这里是示例科技……", "calling_hours": {"start": "09:00", "end": "20:00"},
      "daily_calls_per_number": 120, "consent": {"method": "app_opt_in", "retention_days": 180}
    },
    "data_security_pledge": {"signed": true, "signed_on": "2026-01-05"},
    "tax_registration": {}, "org_code_certificate": {}
  },
  "numbers": [)" +
           numbers + "]\n}";
}

// A representative application schema (draft-07): date, id and phone patterns, enums, nested
// required objects, closed objects, shared definitions. Dates use `pattern`, not
// `"format": "date"`: valijson 1.0 builds a new std::regex for every `format` check (about
// 25 times slower on this document), while `pattern` regexes are compiled once per thread.
const char* schema_text = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Telemarketing whitelist application",
  "type": "object",
  "required": ["id", "region", "submitted_on", "channel", "applicant", "submitter", "materials",
               "numbers"],
  "additionalProperties": false,
  "definitions": {
    "date": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"},
    "validity": {"anyOf": [{"$ref": "#/definitions/date"}, {"const": "long_term"}]},
    "uscc": {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"},
    "id_number": {"type": "string", "pattern": "^[1-9][0-9]{16}[0-9X]$"},
    "hhmm": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
    "text": {"type": "string", "minLength": 1, "maxLength": 2000},
    "person": {
      "type": "object",
      "required": ["name", "id_number"],
      "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 64},
        "id_number": {"$ref": "#/definitions/id_number"},
        "is_legal_representative": {"type": "boolean"}
      },
      "additionalProperties": false
    },
    "material": {"type": "object"}
  },
  "properties": {
    "id": {"type": "string", "pattern": "^APP-[0-9]{7}$"},
    "region": {"enum": ["CN", "CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL",
                        "CN-HL", "CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD",
                        "CN-HA", "CN-HB", "CN-HN", "CN-GD", "CN-GX", "CN-HI", "CN-CQ", "CN-SC",
                        "CN-GZ", "CN-YN", "CN-XZ", "CN-SN", "CN-GS", "CN-QH", "CN-NX", "CN-XJ"]},
    "submitted_on": {"$ref": "#/definitions/date"},
    "channel": {"enum": ["online", "in_person"]},
    "applicant": {
      "type": "object",
      "required": ["name", "uscc", "status", "industry", "established_on",
                   "legal_representative", "history"],
      "additionalProperties": false,
      "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 128},
        "uscc": {"$ref": "#/definitions/uscc"},
        "status": {"enum": ["active", "revoked", "suspended", "deregistered"]},
        "industry": {"enum": ["retail", "finance", "insurance", "education", "telecom",
                              "real_estate", "healthcare", "travel", "other"]},
        "established_on": {"$ref": "#/definitions/date"},
        "legal_representative": {"$ref": "#/definitions/person"},
        "history": {
          "type": "object",
          "required": ["violations_24m", "rejections_12m", "banned_until"],
          "additionalProperties": false,
          "properties": {
            "violations_24m": {"type": "integer", "minimum": 0, "maximum": 1000},
            "rejections_12m": {"type": "integer", "minimum": 0, "maximum": 1000},
            "banned_until": {"anyOf": [{"$ref": "#/definitions/date"}, {"type": "null"}]}
          }
        }
      }
    },
    "submitter": {"$ref": "#/definitions/person"},
    "materials": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "business_license": {
          "type": "object",
          "required": ["uscc", "valid_until"],
          "properties": {
            "uscc": {"$ref": "#/definitions/uscc"},
            "valid_until": {"$ref": "#/definitions/validity"},
            "stamped": {"type": "boolean"}
          }
        },
        "legal_rep_id": {
          "type": "object",
          "required": ["id_number", "valid_until"],
          "properties": {
            "id_number": {"$ref": "#/definitions/id_number"},
            "valid_until": {"$ref": "#/definitions/validity"}
          }
        },
        "power_of_attorney": {
          "type": "object",
          "required": ["agent_id_number", "valid_until", "signed"],
          "properties": {
            "agent_id_number": {"$ref": "#/definitions/id_number"},
            "valid_until": {"$ref": "#/definitions/date"},
            "signed": {"type": "boolean"}
          }
        },
        "marketing_plan": {
          "type": "object",
          "required": ["purpose", "target_customers", "script", "calling_hours",
                       "daily_calls_per_number", "consent"],
          "properties": {
            "purpose": {"$ref": "#/definitions/text"},
            "target_customers": {"$ref": "#/definitions/text"},
            "expected_outcome": {"$ref": "#/definitions/text"},
            "script": {"$ref": "#/definitions/text"},
            "calling_hours": {
              "type": "object",
              "required": ["start", "end"],
              "additionalProperties": false,
              "properties": {"start": {"$ref": "#/definitions/hhmm"},
                             "end": {"$ref": "#/definitions/hhmm"}}
            },
            "daily_calls_per_number": {"type": "integer", "minimum": 1, "maximum": 10000},
            "consent": {
              "type": "object",
              "required": ["method"],
              "properties": {
                "method": {"enum": ["app_opt_in", "sms_opt_in", "written", "recorded_call"]},
                "retention_days": {"type": "integer", "minimum": 0}
              }
            }
          }
        },
        "data_security_pledge": {
          "type": "object",
          "required": ["signed"],
          "properties": {"signed": {"type": "boolean"},
                         "signed_on": {"$ref": "#/definitions/date"}}
        },
        "tax_registration": {"$ref": "#/definitions/material"},
        "org_code_certificate": {"$ref": "#/definitions/material"},
        "industry_license": {
          "type": "object",
          "required": ["industry", "number", "valid_until"],
          "properties": {
            "industry": {"type": "string"},
            "number": {"type": "string", "minLength": 1},
            "valid_until": {"$ref": "#/definitions/validity"}
          }
        }
      }
    },
    "numbers": {
      "type": "array",
      "minItems": 1,
      "maxItems": 500,
      "items": {
        "type": "object",
        "required": ["number", "purpose"],
        "additionalProperties": false,
        "properties": {
          "number": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
          "purpose": {"type": "string", "minLength": 1, "maxLength": 200}
        }
      }
    }
  }
})";

void strip_patterns(nlohmann::json& j) {
    if (j.is_object()) {
        j.erase("pattern");
        for (auto& [k, v] : j.items())
            strip_patterns(v);
    } else if (j.is_array()) {
        for (auto& v : j)
            strip_patterns(v);
    }
}

struct bench_case {
    const char* name;
    std::function<void()> run;
};

// Best time per call of each case, in ns. The cases take turns, run after run, so that a
// busy machine slows them alike.
std::vector<double> best_ns(long iterations, const std::vector<bench_case>& cases) {
    std::vector<double> best(cases.size(), 1e300);
    for (int run = 0; run < 7; ++run)
        for (std::size_t c = 0; c < cases.size(); ++c) {
            const auto t0 = std::chrono::steady_clock::now();
            for (long i = 0; i < iterations; ++i)
                cases[c].run();
            const auto t1 = std::chrono::steady_clock::now();
            best[c] = std::min(best[c], std::chrono::duration<double, std::nano>(t1 - t0).count() /
                                            static_cast<double>(iterations));
        }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    using telecomply::detail::json_schema;
    const long iterations = argc > 1 ? std::atol(argv[1]) : 3000;
    const std::string text = application();
    nlohmann::json schema_json = nlohmann::json::parse(schema_text);
    const auto schema = json_schema::from_json(schema_json, "application.schema.json");
    const auto reference = json_schema::from_json(schema_json, "application.schema.json",
                                                  json_schema::value_validation::valijson_only);
    const auto shipped_file =
        std::filesystem::path(TELECOMPLY_RULESETS_DIR) / "schema" / "application.schema.json";
    const auto shipped = json_schema::load(shipped_file);
    const auto shipped_json = nlohmann::json::parse(
        telecomply::detail::read_file(shipped_file, telecomply::errc::ruleset_error));
    const auto shipped_reference = json_schema::from_json(
        shipped_json, "shipped", json_schema::value_validation::valijson_only);
    for (const json_schema* s : {&schema, &shipped})
        if (!s->compiled()) {
            std::fprintf(stderr, "not compiled: %s\n", s->unsupported().c_str());
            return 1;
        }
    strip_patterns(schema_json);
    const auto plain = json_schema::from_json(schema_json, "application-no-patterns.schema.json");

    const auto j = nlohmann::json::parse(text);
    const auto doc = telecomply::document::parse(text);
    for (const json_schema* s : {&schema, &plain, &reference, &shipped, &shipped_reference}) {
        if (auto f = s->validate(j)) {
            std::fprintf(stderr, "nlohmann path: %s: %s\n", f->json_path.c_str(),
                         f->message.c_str());
            return 1;
        }
        if (auto f = s->validate(doc.root())) {
            std::fprintf(stderr, "value path: %s: %s\n", f->json_path.c_str(), f->message.c_str());
            return 1;
        }
    }
    // and an invalid copy fails at the same place on both paths
    auto bad = j;
    bad["numbers"][7]["number"] = "1234";
    const auto bad_doc = telecomply::document::parse(bad.dump());
    const auto fa = schema.validate(bad);
    const auto fb = schema.validate(bad_doc.root());
    if (!fa || !fb || fa->json_path != fb->json_path || fa->json_path != "$.numbers[7].number") {
        std::fprintf(stderr, "the paths disagree on an invalid document\n");
        return 1;
    }

    volatile bool sink = false;
    const std::vector<bench_case> cases = {
        {"parse_validate_nlohmann",
         [&] {
             const auto parsed = nlohmann::json::parse(text);
             sink = !schema.validate(parsed);
         }},
        {"parse_validate_value",
         [&] {
             const auto parsed = telecomply::document::parse(text);
             sink = !schema.validate(parsed.root());
         }},
        {"validate_nlohmann", [&] { sink = !schema.validate(j); }},
        {"validate_value", [&] { sink = !schema.validate(doc.root()); }},
        {"validate_value_valijson", [&] { sink = !reference.validate(doc.root()); }},
        {"validate_value_shipped", [&] { sink = !shipped.validate(doc.root()); }},
        {"validate_value_shipped_valijson",
         [&] { sink = !shipped_reference.validate(doc.root()); }},
        {"parse_nlohmann",
         [&] {
             const auto parsed = nlohmann::json::parse(text);
             sink = parsed.is_object();
         }},
        {"parse_document",
         [&] {
             const auto parsed = telecomply::document::parse(text);
             sink = parsed.root().is_null();
         }},
        {"validate_nlohmann_no_patterns", [&] { sink = !plain.validate(j); }},
        {"validate_value_no_patterns", [&] { sink = !plain.validate(doc.root()); }},
        {"parse_validate_nlohmann_then_document",
         [&] {
             const auto parsed = nlohmann::json::parse(text);
             sink = !schema.validate(parsed);
             const auto converted = telecomply::document::from_json(parsed);
             sink = converted.root().is_null();
         }},
    };
    const auto ns = best_ns(iterations, cases);
    (void)sink;

    std::printf(
        "{\"bench\": \"schema\", \"document_bytes\": %zu, \"numbers\": 20, \"iterations\": %ld",
        text.size(), iterations);
    for (std::size_t i = 0; i < cases.size(); ++i)
        std::printf(", \"ns_%s\": %.0f", cases[i].name, ns[i]);
    std::printf("}\n");
    return 0;
}
