// libFuzzer target: a CEL expression compiled and evaluated as a rule's condition is, over an
// example application, with the national rules' parameters as the constant `params` and the
// domain functions on the shipped calendars. Compiled in a checked environment and, when that
// refuses an unknown name, again unchecked (so that runtime errors are reached too). A bounded
// budget (iterations, memory, length) keeps slow inputs from timing out: going over it is a
// limit_error, an expected answer. The result is printed and converted to JSON, and an error
// value is described as the CLI would. value::to_string() promises CEL literal syntax: a result
// made only of literals (no error, type or non-finite double) is printed, the print compiled
// and compared with the result, and must be equal to it.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/cel_functions.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace {

using namespace telecomply;

struct setting {
    std::shared_ptr<const ruleset> national;  // owns the parameters
    document app = document::from_json(fuzz::example("gd-retail-eligible"));
    environment checked, unchecked;
    environment printed;  // `x`: a result, compared with its print
    std::vector<value> slots;

    setting() {
        const engine e(fuzz::rulesets_dir());
        national = e.rules().get("CN", "2026.1");
        for (environment* env : {&checked, &unchecked}) {
            for (const auto& name : ruleset::variable_names())
                env->declare(name);
            for (const char* each : {"item", "n", "number"})  // the `as` names rules use
                env->declare(each);
            env->define_constant("params", national->params());
            install_domain_functions(*env, e.rules().calendars());
        }
        unchecked.set_unchecked(true);
        printed.declare("x");
        install_domain_functions(printed, nullptr);  // date(), time_of_day()
        // app, its top-level fields, as_of, then an element of app.numbers for every `as` name
        const value& root = app.root();
        slots.push_back(root);
        for (std::size_t i = 1; i + 1 < ruleset::variable_names().size(); ++i) {
            const value* v = root.find(ruleset::variable_names()[i]);
            slots.push_back(v != nullptr ? *v : value{});
        }
        slots.push_back(value::from_date(*date::parse("2026-03-16")));
        const value* numbers = root.find("numbers");
        for (int i = 0; i < 3; ++i)
            slots.push_back(numbers != nullptr && numbers->kind() == kind::list &&
                                    numbers->size() > 0
                                ? *numbers->list_begin()
                                : value{});
    }
};

const setting& the_setting() {
    static const setting s;
    return s;
}

expression_limits budget() {
    expression_limits l;
    l.max_length = 4096;
    l.max_iterations = 20'000;
    l.max_memory = std::size_t{4} << 20;
    return l;
}

[[noreturn]] void bug(const std::string& what) {
    std::fprintf(stderr, "fuzz_cel_eval: %s\n", what.c_str());
    std::abort();
}

// Whether v prints as CEL literals that evaluate to it again.
bool literal(const value& v) {
    switch (v.kind()) {
        case kind::error:
        case kind::type:
            return false;
        case kind::double_:
            return std::isfinite(v.as_double());
        case kind::list:
            for (const value* p = v.list_begin(); p != v.list_end(); ++p)
                if (!literal(*p)) return false;
            return true;
        case kind::map:
            for (const map_entry* m = v.map_begin(); m != v.map_end(); ++m)
                if (!literal(m->key) || !literal(m->val)) return false;
            return true;
        default:
            return true;
    }
}

// The print of a literal result, compiled, equals the result.
void round_trip(const value& v, const setting& s) {
    const std::string print = v.to_string();
    if (!literal(v) || print.size() > 32 * 1024) return;
    expression e;
    try {
        e = expression::compile("(" + print + ") == x", s.printed);
    } catch (const limit_error&) {
        return;  // nested deeper than the parser's limit
    } catch (const expression_error& err) {
        bug("the print of a result does not compile: " + print + ": " + err.what());
    }
    eval_context ctx;
    const value same = e.evaluate({&v, 1}, ctx);
    if (!same.is_true()) bug("the print of a result is not equal to it: " + print);
}

void run(const expression& e, const setting& s) {
    eval_context ctx(budget());
    const value v = e.evaluate(s.slots, ctx);
    round_trip(v, s);
    (void)to_json(v).dump();
    if (v.is_error()) (void)e.describe(v.as_error());
    (void)e.input_paths();
    (void)e.constant_paths();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& s = the_setting();
    const auto source = fuzz::text(data, size);
    try {
        run(expression::compile(source, s.checked, budget()), s);
    } catch (const expression_error& e) {
        if (e.code() == errc::compile_error)
            fuzz::expected_errors(
                [&] { run(expression::compile(source, s.unchecked, budget()), s); });
    } catch (const limit_error&) {
    }
    return 0;
}
