// libFuzzer target: an application read as the CLI and the Python package read one. JSON text
// is parsed into a document (simdjson), validated against the application schema and checked
// against the shipped rulesets with a trace (explain), its verdict rendered as JSON and text;
// the same text is read as nlohmann JSON and validated as a Python dict would be; and as JSON
// Lines through check_stream. Bad input is an input_error (not_found_error for a region or
// date no ruleset covers), never a crash.

#include <cstddef>
#include <cstdint>
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& e = the_engine();
    const auto text = fuzz::text(data, size);
    fuzz::expected_errors([&] {
        const document doc = e.parse(text, "fuzz.json");
        check_options opts;
        opts.trace = true;
        render(e.check(doc, opts));
        (void)doc.to_json().dump();
    });
    if (const auto j = fuzz::parse_json(text)) {
        fuzz::expected_errors([&] {
            const document doc = document::from_json(*j);
            e.validate(doc, "dict");
            render(e.check(doc));
        });
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
