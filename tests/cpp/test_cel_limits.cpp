// The bounds that keep hostile expressions from hanging, overflowing the stack or exhausting
// memory: source length, nesting depth, comprehension work and memory per evaluation.

#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

// ---- helpers

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

// "[1, 2, ..., n]"
std::string list_of(int n) {
    std::string out = "[";
    for (int i = 1; i <= n; ++i)
        out += (i > 1 ? ", " : "") + std::to_string(i);
    return out + "]";
}

environment env_with(std::initializer_list<std::string_view> names) {
    environment env;
    for (auto n : names)
        env.declare(n);
    return env;
}

// The message of the limit_error that compiling `src` throws ("" if none).
std::string compile_limit(std::string_view src, const expression_limits& limits = {}) {
    const auto env = env_with({"x", "m"});
    try {
        (void)expression::compile(src, env, limits);
    } catch (const limit_error& e) {
        CHECK(e.code() == errc::limit_exceeded);
        return e.what();
    }
    FAIL_CHECK("no limit_error for an expression of " << src.size() << " bytes");
    return {};
}

// The message of the limit_error that evaluating `src` throws ("" if none).
std::string eval_limit(const expression& e, std::span<const value> vars, eval_context& ctx) {
    try {
        const value v = e.evaluate(vars, ctx);
        FAIL_CHECK("no limit_error; evaluated to " << v.to_string().substr(0, 100));
    } catch (const limit_error& err) {
        CHECK(err.code() == errc::limit_exceeded);
        return err.what();
    }
    return {};
}

}  // namespace

// ------------------------------------------------------------------ length

TEST_CASE("CEL limits: source length") {
    const expression_limits defaults;
    CHECK(defaults.max_length == 64 * 1024);
    const auto env = env_with({});
    // exactly at the limit is fine
    const std::string at_limit = "1" + std::string(defaults.max_length - 1, ' ');
    CHECK(expression::compile(at_limit, env).is_constant());
    const std::string over = at_limit + " ";
    CHECK(compile_limit(over) == "expression is 65537 bytes long, over the limit of 65536");
    // checked before anything else, even for input that would not parse
    CHECK(compile_limit(std::string(100'000, '(')) ==
          "expression is 100000 bytes long, over the limit of 65536");
    CHECK(compile_limit(std::string(70'000, '\xff')).starts_with("expression is 70000 bytes"));

    expression_limits small;
    small.max_length = 10;
    CHECK(compile_limit("1 + 2 + 3 + 4", small) ==
          "expression is 13 bytes long, over the limit of 10");
    CHECK_NOTHROW((void)expression::compile("1 + 2 + 34", env, small));
}

// ------------------------------------------------------------------ depth

TEST_CASE("CEL limits: deep nesting is a limit_error, never a crash") {
    const std::string deeper = "expression nesting is deeper than 128";
    SUBCASE("10,000 nested parentheses") {
        const auto msg = compile_limit(repeat("(", 10'000) + "1" + repeat(")", 10'000));
        CHECK(msg.find(deeper) != std::string::npos);
        // unbalanced: the depth is reached before the missing ')' is noticed
        CHECK(compile_limit(repeat("(", 10'000)).find(deeper) != std::string::npos);
    }
    SUBCASE("10,000 chained !") {
        CHECK(compile_limit(repeat("!", 10'000) + "true").find(deeper) != std::string::npos);
    }
    SUBCASE("10,000 chained unary minus") {
        CHECK(compile_limit(repeat("-", 10'000) + "1").find(deeper) != std::string::npos);
        CHECK(compile_limit(repeat("-", 10'000) + "x").find(deeper) != std::string::npos);
    }
    SUBCASE("1+1+... with 5,000 terms") {
        CHECK(compile_limit("1" + repeat("+1", 4'999)).find(deeper) != std::string::npos);
        CHECK(compile_limit("x" + repeat(" * x", 4'999)).find(deeper) != std::string::npos);
    }
    SUBCASE("deeply nested lists and maps") {
        CHECK(compile_limit(repeat("[", 10'000) + repeat("]", 10'000)).find(deeper) !=
              std::string::npos);
        CHECK(compile_limit(repeat("{1: ", 10'000) + "1" + repeat("}", 10'000)).find(deeper) !=
              std::string::npos);
    }
    SUBCASE("long chains of calls, selections, indexes, conditionals and logic") {
        CHECK(compile_limit(repeat("size(", 10'000) + "x" + repeat(")", 10'000)).find(deeper) !=
              std::string::npos);
        CHECK(compile_limit("m" + repeat(".a", 10'000)).find(deeper) != std::string::npos);
        CHECK(compile_limit("m" + repeat("[0]", 10'000)).find(deeper) != std::string::npos);
        CHECK(compile_limit("m" + repeat(".f()", 10'000)).find(deeper) != std::string::npos);
        CHECK(compile_limit(repeat("x ? 1 : ", 5'000) + "2").find(deeper) != std::string::npos);
        CHECK(compile_limit("x" + repeat(" && x", 5'000)).find(deeper) != std::string::npos);
        CHECK(compile_limit("x" + repeat(" || x", 5'000)).find(deeper) != std::string::npos);
        CHECK(compile_limit("x" + repeat(" == x", 5'000)).find(deeper) != std::string::npos);
        CHECK(
            compile_limit(repeat("m.all(a, ", 5'000) + "true" + repeat(")", 5'000)).find(deeper) !=
            std::string::npos);
    }
    SUBCASE("the error names where the limit was reached") {
        // the first token nested too deeply: the 129th '(' of line 2
        const auto msg = compile_limit("x &&\n" + repeat("(", 200) + "1" + repeat(")", 200));
        CHECK(msg == "2:129: " + deeper);
    }
}

TEST_CASE("CEL limits: a custom max_depth is honoured exactly") {
    expression_limits l;
    l.max_depth = 10;
    const auto env = env_with({"x", "m"});
    // k nestings need a depth of k + 1
    CHECK_NOTHROW((void)expression::compile(repeat("!", 9) + "true", env, l));
    CHECK(compile_limit(repeat("!", 10) + "true", l).ends_with("deeper than 10"));
    CHECK_NOTHROW((void)expression::compile(repeat("(", 9) + "1" + repeat(")", 9), env, l));
    CHECK(compile_limit(repeat("(", 10) + "1" + repeat(")", 10), l).ends_with("deeper than 10"));
    CHECK_NOTHROW((void)expression::compile("1" + repeat("+1", 9), env, l));
    CHECK(compile_limit("1" + repeat("+1", 10), l).ends_with("deeper than 10"));
    CHECK_NOTHROW((void)expression::compile(repeat("[", 9) + "1" + repeat("]", 9), env, l));
    CHECK(compile_limit(repeat("[", 10) + "1" + repeat("]", 10), l).ends_with("deeper than 10"));
    // the defaults allow what real rules need: 100 conditions joined by &&
    CHECK_NOTHROW((void)expression::compile("x" + repeat(" && x", 99), env));
    CHECK_NOTHROW((void)expression::compile(repeat("(", 100) + "1" + repeat(")", 100), env));
}

// ------------------------------------------------------------------ comprehension work

TEST_CASE("CEL limits: a comprehension bomb hits max_iterations") {
    const auto env = env_with({});
    const std::string l = list_of(100);
    const auto bomb =
        expression::compile(l + ".map(x, " + l + ".map(y, " + l + ".map(z, z)))", env);
    CHECK_FALSE(bomb.is_constant());  // not run at compile time either
    eval_context ctx;
    CHECK(eval_limit(bomb, {}, ctx) ==
          "comprehension work limit of 1000000 iterations per evaluation exceeded");

    // 10,000 steps are fine, and counted afresh for each evaluation
    const auto two = expression::compile(l + ".map(x, " + l + ".map(y, y)).size()", env);
    for (int i = 0; i < 150; ++i) {
        ctx.reset();
        REQUIRE(two.evaluate({}, ctx).as_int() == 100);
    }
    // exists() stops early and counts only what it ran
    const auto early = expression::compile(
        l + ".exists(x, " + l + ".exists(y, " + l + ".exists(z, z == 1)))", env);
    CHECK(early.evaluate({}, ctx).is_true());
}

TEST_CASE("CEL limits: a custom max_iterations is honoured exactly") {
    expression_limits lim;
    lim.max_iterations = 5;
    eval_context ctx(lim);
    CHECK(ctx.limits().max_iterations == 5);
    auto env = env_with({"items"});
    const auto all = expression::compile("items.all(x, x > 0)", env);
    const auto doc5 = document::parse("{\"items\": [1, 2, 3, 4, 5]}");
    const auto doc6 = document::parse("{\"items\": [1, 2, 3, 4, 5, 6]}");
    const value five[] = {*doc5.at("items")};
    const value six[] = {*doc6.at("items")};
    CHECK(all.evaluate(five, ctx).is_true());
    CHECK(eval_limit(all, six, ctx) ==
          "comprehension work limit of 5 iterations per evaluation exceeded");
    // nested loops count every step; two-variable forms and maps count too
    const auto nested = expression::compile("[1, 2].all(x, [1, 2].all(y, true))", env);
    CHECK(eval_limit(nested, {}, ctx).find("limit of 5 iterations") != std::string::npos);
    const auto pair = expression::compile("[1, 2, 3].all(i, v, true)", env);
    CHECK(pair.evaluate({}, ctx).is_true());
    const auto tmap = expression::compile(
        "{'a': 1, 'b': 2, 'c': 3}.transformMap(k, v, v).size() + "
        "{'a': 1, 'b': 2, 'c': 3}.size()",
        env);
    CHECK(tmap.evaluate({}, ctx).as_int() == 6);
    const auto tmap2 = expression::compile(
        "{'a': 1, 'b': 2, 'c': 3}.transformMap(k, v, v).size() + "
        "{'a': 1, 'b': 2, 'c': 3}.filter(k, true).size()",
        env);
    CHECK(eval_limit(tmap2, {}, ctx).find("limit of 5 iterations") != std::string::npos);
}

// ------------------------------------------------------------------ memory

TEST_CASE("CEL limits: memory bombs hit max_memory") {
    auto env = env_with({"l", "s"});
    const auto doc = document::from_json(
        {{"l", json(std::vector<int>(1000, 7))}, {"s", std::string(10'000, 'x')}});
    const value vars[] = {*doc.at("l"), *doc.at("s")};
    eval_context ctx;
    // 1,000 iterations, each building lists of 2,000 to 8,000 values: far over 64 MiB
    const auto lists = expression::compile("l.map(x, l + l + l + l + l + l + l + l).size()", env);
    CHECK(eval_limit(lists, vars, ctx) == "memory limit of 67108864 bytes per evaluation exceeded");
    // strings likewise
    ctx.reset();
    const auto strings = expression::compile("l.map(x, s + s + s + s + s + s).size()", env);
    CHECK(eval_limit(strings, vars, ctx).starts_with("memory limit of 67108864 bytes"));
    // and a bounded version of the same work is fine
    ctx.reset();
    const auto fine = expression::compile("l.map(x, l + l).size()", env);
    CHECK(fine.evaluate(vars, ctx).as_int() == 1000);
    CHECK(ctx.arena().used() > 1000 * 2000 * sizeof(value));
}

TEST_CASE("CEL limits: a custom max_memory is honoured") {
    expression_limits lim;
    lim.max_memory = 64 * 1024;
    auto env = env_with({"l"});
    const auto doc = document::from_json({{"l", json(std::vector<int>(1000, 7))}});
    const value vars[] = {*doc.at("l")};
    eval_context ctx(lim);
    const auto small = expression::compile("l.map(x, x * 2).size()", env, lim);  // ~16 KB
    CHECK(small.evaluate(vars, ctx).as_int() == 1000);
    ctx.reset();
    const auto big = expression::compile("(l + l + l + l + l).size()", env, lim);  // ~224 KB
    CHECK(eval_limit(big, vars, ctx) == "memory limit of 65536 bytes per evaluation exceeded");
    // the same expression in a context with the default limits
    eval_context roomy;
    CHECK(big.evaluate(vars, roomy).as_int() == 5000);

    // Constant folding at compile time stays within the limits too: a constant too big to
    // fold is computed at run time instead, where the bound applies.
    expression_limits tiny;
    tiny.max_memory = 4096;
    const std::string a(3000, 'a');
    const auto concat = expression::compile("('" + a + "' + '" + a + "').size()", env, tiny);
    CHECK_FALSE(concat.is_constant());
    eval_context tiny_ctx(tiny);
    CHECK(eval_limit(concat, vars, tiny_ctx) ==
          "memory limit of 4096 bytes per evaluation exceeded");
    CHECK(concat.evaluate(vars, roomy).as_int() == 6000);
    CHECK(expression::compile("('" + a + "' + '" + a + "').size()", env).is_constant());
}

TEST_CASE("CEL limits: max_memory bounds each evaluation, not the context's lifetime") {
    // Results stay valid until reset(), so several evaluations may share a context between
    // resets (a rule engine binds one expression's result as another's variable); each is
    // bounded on its own.
    expression_limits lim;
    lim.max_memory = 64 * 1024;
    auto env = env_with({"l"});
    const auto doc = document::from_json({{"l", json(std::vector<int>(100, 1))}});
    const value vars[] = {*doc.at("l")};
    const auto e = expression::compile("l.map(x, x + 1)", env, lim);  // ~1.6 KB per evaluation
    eval_context ctx(lim);
    std::vector<value> results;
    for (int i = 0; i < 5000; ++i) {  // ~8 MB in all, without reset()
        const value v = e.evaluate(vars, ctx);
        REQUIRE(v.kind() == kind::list);
        results.push_back(v);
    }
    CHECK(ctx.arena().used() > lim.max_memory);
    // earlier results are intact
    CHECK(results.front().size() == 100);
    CHECK(results.front().list_begin()[99].as_int() == 2);
    // a single evaluation over the bound still fails, having used about the bound (the arena
    // checks when it takes a new chunk, and keeps chunks within the bound)
    const auto big = expression::compile("l.map(x, l + l).size()", env, lim);  // ~320 KB
    const std::size_t before = ctx.arena().used();
    CHECK(eval_limit(big, vars, ctx).starts_with("memory limit of 65536 bytes"));
    CHECK(ctx.arena().used() - before <= 2 * lim.max_memory);
    ctx.reset();
    CHECK(ctx.arena().used() == 0);
    CHECK(e.evaluate(vars, ctx).size() == 100);
}

// ------------------------------------------------------------------ recovery

TEST_CASE("CEL limits: a limit_error leaves the context reusable") {
    expression_limits lim;
    lim.max_iterations = 1000;
    lim.max_memory = 256 * 1024;
    auto env = env_with({"l"});
    const auto doc = document::from_json({{"l", json(std::vector<int>(500, 3))}});
    const value vars[] = {*doc.at("l")};
    eval_context ctx(lim);
    const auto ok = expression::compile("l.map(x, x * 2).filter(y, y == 6).size()", env);
    const auto spin = expression::compile("l.all(x, l.all(y, true))", env);
    const auto hog = expression::compile("l.map(x, l + l).size()", env);

    CHECK(ok.evaluate(vars, ctx).as_int() == 500);
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        // the work limit: counted afresh by the next evaluation, with or without reset()
        CHECK(eval_limit(spin, vars, ctx).find("iterations") != std::string::npos);
        CHECK(ok.evaluate(vars, ctx).as_int() == 500);
        ctx.reset();
        CHECK(ok.evaluate(vars, ctx).as_int() == 500);
        // the memory limit: likewise
        CHECK(eval_limit(hog, vars, ctx).find("memory limit") != std::string::npos);
        CHECK(ok.evaluate(vars, ctx).as_int() == 500);
        ctx.reset();
        CHECK(ok.evaluate(vars, ctx).as_int() == 500);
    }
    // the comprehension variables were restored after the throw: nested macros still see
    // their own variables
    const auto scoped = expression::compile("l.map(x, [x].map(y, x + y))[0]", env);
    CHECK(eval_limit(spin, vars, ctx).find("iterations") != std::string::npos);
    CHECK(scoped.evaluate(vars, ctx).to_string() == "[6]");
}
