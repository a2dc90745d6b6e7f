// libFuzzer target: one ruleset file among the national ones, as `telecomply lint` and the
// catalogue load it. The input is written as a regional file into a scratch rulesets folder
// (the shipped schema, calendars, workflows and national rulesets beside it) and the folder is
// linted: JSON syntax, the schema, headers, versions, extends chains, every expression
// compiled, the workflows analysed against the parameters. lint_folder() never throws for bad
// content, so any exception from it is a bug. When the folder lints without errors, it loads
// and the input's versions compose (an error then is a bug too: lint missed it) and check an
// example application (where an error, e.g. a date outside the calendars, is an answer).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "fuzz_support.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/lint.hpp"

namespace {

using namespace telecomply;

struct setting {
    fuzz::scratch_dir root{"ruleset"};
    std::filesystem::path file = root.path() / "CN-FZ" / "fuzz.json";
    document app;

    setting() {
        for (const char* what : {"schema", "calendars", "workflow", "CN"})
            fuzz::copy_from_rulesets(what, root.path());
        std::filesystem::create_directories(file.parent_path());
        const engine e(fuzz::rulesets_dir());
        app = e.validate(fuzz::example("gd-retail-eligible"));
    }
};

setting& the_setting() {
    static setting s;
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& s = the_setting();
    fuzz::write_file(s.file, fuzz::text(data, size));
    const lint_report report = lint_folder(s.root.path());
    if (report.errors() != 0) return 0;
    const auto cat = catalogue::load(s.root.path());
    eval_context ctx;
    for (const auto& [id, version] : cat->list()) {
        if (id == "CN") continue;  // the national versions are the shipped ones, checked by ctest
        const auto rs = cat->get(id, version);
        fuzz::expected_errors([&] {
            check_options opts;
            opts.trace = true;
            const verdict v = rs->check(s.app, opts, ctx);
            (void)v.to_json().dump();
            (void)v.to_text();
        });
    }
    return 0;
}
