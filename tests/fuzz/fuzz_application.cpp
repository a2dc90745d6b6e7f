// libFuzzer target: an application read as the CLI and the Python package read one. JSON text
// is parsed into a document (simdjson), validated against the application schema and checked
// against the shipped rulesets with a trace (explain), its verdict rendered as JSON and text;
// the same text is read as nlohmann JSON and validated as a Python dict would be; and as JSON
// Lines through check_stream. Bad input is an input_error (not_found_error for a region or
// date no ruleset covers), never a crash. The two readers are held to each other: text the
// engine's reader (simdjson) accepts, nlohmann reads to the same document, which passes the
// schema as well and gets the same verdict.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include "fuzz_support.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/verdict.hpp"

namespace {

using namespace telecomply;

const engine& the_engine() {
    static const engine e(fuzz::rulesets_dir());
    return e;
}

void render(const verdict& v) {
    (void)v.to_json().dump();
    (void)v.to_text();
}

[[noreturn]] void bug(const std::string& what) {
    std::fprintf(stderr, "fuzz_application: %s\n", what.c_str());
    std::abort();
}

// The verdict as JSON, or the name of the error that stopped the check.
nlohmann::json outcome(const engine& e, const document& doc) {
    try {
        return e.check(doc).to_json();
    } catch (const error& err) {
        return std::string(to_string(err.code()));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& e = the_engine();
    const auto text = fuzz::text(data, size);
    std::optional<document> parsed;
    fuzz::expected_errors([&] {
        parsed = e.parse(text, "fuzz.json");
        check_options opts;
        opts.trace = true;
        render(e.check(*parsed, opts));
        (void)parsed->to_json().dump();
    });
    if (const auto j = fuzz::parse_json(text)) {
        std::optional<document> dict;
        fuzz::expected_errors([&] {
            dict = document::from_json(*j);
            e.validate(*dict, "dict");
            render(e.check(*dict));
        });
        if (parsed) {
            if (!dict) bug("nlohmann's document of accepted text fails the schema");
            if (parsed->to_json() != dict->to_json())
                bug("the two readers read different documents: " + parsed->to_json().dump() +
                    " and " + dict->to_json().dump());
            if (outcome(e, *parsed) != outcome(e, *dict))
                bug("the two readers' documents get different verdicts");
        }
    }
    fuzz::expected_errors([&] {
        std::istringstream in{std::string(text)};
        (void)e.check_stream(in, /*jsonl=*/true, "fuzz.jsonl", {},
                             [](std::size_t, engine::result&& r) {
                                 if (const auto* v = std::get_if<verdict>(&r)) render(*v);
                             });
    });
    return 0;
}
