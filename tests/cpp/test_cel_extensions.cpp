// cel-spec's extension libraries, as cel-go defines them: the strings extension (charAt,
// indexOf, lastIndexOf, substring, replace, split, join, reverse, strings.quote, format), the
// math extension (math.greatest/least, rounding, abs, sign, the floating-point predicates, bit
// operations) and cel.bind; and how `ns.f(...)` resolves to a namespaced function.

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/function_adapter.hpp"

using namespace telecomply;

namespace {

// Evaluates `src` in a checked environment (every extension function is declared there, as for
// a ruleset's rules) with the variables of a JSON object. The result in CEL syntax:
// `"abc"`, `[1, 2u]`, `error(index_out_of_range: index out of range: 30)`.
std::string run(std::string_view src, const nlohmann::json& vars = nlohmann::json::object()) {
    environment env;
    const auto doc = document::from_json(vars);
    std::vector<value> slots;
    for (const auto& [name, _] : vars.items()) {
        env.declare(name);
        slots.push_back(*doc.root().find(name));
    }
    eval_context ctx;
    return expression::compile(src, env).evaluate(slots, ctx).to_string();
}

// The error code of an expression that evaluates to an error (none: "not an error").
std::string code_of(std::string_view src) {
    const std::string shown = run(src);
    if (!shown.starts_with("error(")) return "not an error: " + shown;
    return shown.substr(6, shown.find(':') - 6);
}

}  // namespace

// ------------------------------------------------------------------ strings: positions

TEST_CASE("CEL strings extension: charAt counts code points") {
    CHECK(run("'tacocat'.charAt(3)") == R"("o")");
    CHECK(run("'申请号码'.charAt(2)") == R"("号")");
    CHECK(run("'a😀b'.charAt(1)") == R"("😀")");     // four bytes, one code point
    CHECK(run("'tacocat'.charAt(7)") == R"("")");  // just past the end
    CHECK(run("'tacocat'.charAt(8)") == "error(index_out_of_range: index out of range: 8)");
    CHECK(run("'abc'.charAt(-1)") == "error(index_out_of_range: index out of range: -1)");
    CHECK(run("''.charAt(0)") == R"("")");
    CHECK(code_of("42.charAt(0)") == "no_such_overload");
    CHECK(code_of("'a'.charAt(true)") == "no_such_overload");
}

TEST_CASE("CEL strings extension: indexOf and lastIndexOf") {
    CHECK(run("'tacocat'.indexOf('ac')") == "1");
    CHECK(run("'tacocat'.indexOf('')") == "0");
    CHECK(run("'tacocat'.indexOf('none')") == "-1");
    CHECK(run("'tacocat'.indexOf('a', 3)") == "5");
    CHECK(run("'tacocat'.indexOf('', 3)") == "3");
    CHECK(run("'ta©o©αT'.indexOf('©', 3)") == "4");  // positions in code points, not bytes
    CHECK(run("'申请号码号'.indexOf('号')") == "2");
    CHECK(run("'申请号码号'.indexOf('号', 3)") == "4");
    CHECK(run("'abc'.indexOf('c', 3)") == "-1");  // from the end: nothing left to find
    CHECK(run("'abc'.indexOf('', 3)") == "3");
    CHECK(run("'tacocat'.indexOf('a', 30)") == "error(index_out_of_range: index out of range: 30)");
    CHECK(code_of("'abc'.indexOf('a', -1)") == "index_out_of_range");
    CHECK(code_of("'42'.indexOf(4)") == "no_such_overload");
    CHECK(code_of("'42'.indexOf('4', '0')") == "no_such_overload");

    CHECK(run("'tacocat'.lastIndexOf('at')") == "5");
    CHECK(run("'tacocat'.lastIndexOf('')") == "7");
    CHECK(run("''.lastIndexOf('@@')") == "-1");
    CHECK(run("'tacocat'.lastIndexOf('a', 3)") == "1");  // a match starting at 3 at the latest
    CHECK(run("'tacocat'.lastIndexOf('', 3)") == "3");
    CHECK(run("'bananananana'.lastIndexOf('nana', 7)") == "6");
    CHECK(run("'ta©o©αT'.lastIndexOf('©', 3)") == "2");
    CHECK(run("'号码号码'.lastIndexOf('号码')") == "2");
    CHECK(run("'tacocat'.lastIndexOf('a', -1)") ==
          "error(index_out_of_range: index out of range: -1)");
    CHECK(code_of("'tacocat'.lastIndexOf('a', 30)") == "index_out_of_range");
}

TEST_CASE("CEL strings extension: substring") {
    CHECK(run("'tacocat'.substring(4)") == R"("cat")");
    CHECK(run("'tacocat'.substring(7)") == R"("")");
    CHECK(run("'tacocat'.substring(0, 4)") == R"("taco")");
    CHECK(run("'tacocat'.substring(4, 4)") == R"("")");
    CHECK(run("'ta©o©αT'.substring(2, 6)") == R"("©o©α")");
    CHECK(run("'中华人民共和国'.substring(2, 4)") == R"("人民")");
    CHECK(run("'tacocat'.substring(8)") == "error(index_out_of_range: index out of range: 8)");
    CHECK(run("'tacocat'.substring(-1)") == "error(index_out_of_range: index out of range: -1)");
    CHECK(run("'tacocat'.substring(1, 50)") == "error(index_out_of_range: index out of range: 50)");
    CHECK(run("'tacocat'.substring(49, 50)") ==
          "error(index_out_of_range: index out of range: 49)");
    CHECK(run("'tacocat'.substring(4, 3)") ==
          "error(invalid_argument: invalid substring range. start: 4, end: 3)");
    CHECK(code_of("'abc'.substring(-9223372036854775808, 9223372036854775807)") ==
          "index_out_of_range");
    // a call no overload takes that many arguments is a compile error in a checked environment
    CHECK_THROWS_AS(run("'hello'.substring(1, 2, 3)"), expression_error);
    CHECK(code_of("'tacocat'.substring(0, false)") == "no_such_overload");
}

// ------------------------------------------------------------------ strings: new text

TEST_CASE("CEL strings extension: replace with and without a limit") {
    CHECK(run("'hello hello'.replace('he', 'we')") == R"("wello wello")");
    CHECK(run("'hello hello'.replace('he', 'we', -1)") == R"("wello wello")");
    CHECK(run("'hello hello'.replace('he', 'we', 1)") == R"("wello hello")");
    CHECK(run("'hello hello'.replace('he', 'we', 0)") == R"("hello hello")");
    CHECK(run("'{0} days {0} hours'.replace('{0}', '2', 1).replace('{0}', '23')") ==
          R"("2 days 23 hours")");
    CHECK(run("'1 ©αT taco'.replace('αT', 'o©α')") == R"("1 ©o©α taco")");
    CHECK(run("'aaa'.replace('a', '')") == R"("")");
    CHECK(run("'abc'.replace('x', 'y')") == R"("abc")");
    CHECK(run("''.replace('a', 'b')") == R"("")");
    // an empty text is found before every code point and at the end (Go's strings.Replace)
    CHECK(run("'号码'.replace('', '-')") == R"("-号-码-")");
    CHECK(run("'号码'.replace('', '-', 2)") == R"("-号-码")");
    CHECK(run("''.replace('', '-')") == R"("-")");
    CHECK(code_of("'42'.replace(2, 1)") == "no_such_overload");
    CHECK(code_of("'42'.replace('2', '1', '1')") == "no_such_overload");
    CHECK(code_of("42.replace('2', '1', 1)") == "no_such_overload");
}

TEST_CASE("CEL strings extension: split with and without a limit") {
    CHECK(run("'hello world'.split(' ')") == R"(["hello", "world"])");
    CHECK(run("'hello hello hello'.split(' ', 0)") == "[]");
    CHECK(run("'hello hello hello'.split(' ', 1)") == R"(["hello hello hello"])");
    CHECK(run("'hello hello hello'.split(' ', 2)") == R"(["hello", "hello hello"])");
    CHECK(run("'hello hello hello'.split(' ', -1)") == R"(["hello", "hello", "hello"])");
    CHECK(run("'o©o©o©o'.split('©', -1)") == R"(["o", "o", "o", "o"])");
    CHECK(run("'a,,b,'.split(',')") == R"(["a", "", "b", ""])");
    CHECK(run("''.split(',')") == R"([""])");
    CHECK(run("'abc'.split('x')") == R"(["abc"])");
    // an empty separator splits into code points
    CHECK(run("'号码a'.split('')") == R"(["号", "码", "a"])");
    CHECK(run("'号码a'.split('', 2)") == R"(["号", "码a"])");
    CHECK(run("''.split('')") == "[]");
    CHECK(code_of("42.split('2')") == "no_such_overload");
    CHECK(code_of("'42'.split(2, 1)") == "no_such_overload");
    CHECK_THROWS_AS(run("'42'.split('2', 1, 1)"), expression_error);
}

TEST_CASE("CEL strings extension: join, reverse, quote") {
    CHECK(run("['x', 'y'].join()") == R"("xy")");
    CHECK(run("['x', 'y'].join('-')") == R"("x-y")");
    CHECK(run("['申请', '号码'].join('、')") == R"("申请、号码")");
    CHECK(run("[].join()") == R"("")");
    CHECK(run("[].join('-')") == R"("")");
    CHECK(run("['a'].join('-')") == R"("a")");
    CHECK(run("'a,b'.split(',').join(';')") == R"("a;b")");
    CHECK(run("['a', 1].join()") ==
          "error(no_such_overload: join() needs a list of strings; element 1 is int)");
    CHECK(code_of("'ab'.join()") == "no_such_overload");

    CHECK(run("'Ta©oCαt'.reverse()") == R"("tαCo©aT")");
    CHECK(run("'申请号码'.reverse()") == R"("码号请申")");
    CHECK(run("'a😀b'.reverse()") == R"("b😀a")");
    CHECK(run("''.reverse()") == R"("")");

    // strings.quote: CEL's escapes for the characters that need one, the rest as it is
    CHECK(run(R"(strings.quote("first\nsecond") == "\"first\\nsecond\"")") == "true");
    CHECK(run(R"(strings.quote("\a\b\f\r\t\v") == "\"\\a\\b\\f\\r\\t\\v\"")") == "true");
    CHECK(run(R"(strings.quote('say "hi" \\ bye') == "\"say \\\"hi\\\" \\\\ bye\"")") == "true");
    CHECK(run("strings.quote('申请😀')") == R"("\"申请😀\"")");
    CHECK(run("strings.quote('')") == R"("\"\"")");
    CHECK(code_of("strings.quote(1)") == "no_such_overload");
}

// ------------------------------------------------------------------ strings: format

TEST_CASE("CEL strings extension: format clauses") {
    CHECK(run("'no substitution'.format([])") == R"("no substitution")");
    CHECK(run("'%% and %s%%'.format(['text'])") == R"("% and text%")");
    CHECK(run("'%d %s, %d'.format([1, 'A', 2u])") == R"("1 A, 2")");
    CHECK(run("'%s'.format([null])") == R"("null")");
    CHECK(run("'%s %s'.format([true, 3.14])") == R"("true 3.14")");
    CHECK(run("'%s'.format([1e20])") == R"("100000000000000000000")");  // never an exponent
    CHECK(run("'%s'.format([b'xyz'])") == R"("xyz")");
    CHECK(run("'%s'.format([type('a')])") == R"("string")");
    CHECK(run("'%s'.format([timestamp('2023-02-03T23:31:20+00:00')])") ==
          R"("2023-02-03T23:31:20Z")");
    CHECK(run("'%s'.format([duration('1h45m47.5s')])") == R"("6347.5s")");
    CHECK(run("'%s'.format([date('2026-03-02')])") == R"("2026-03-02")");
    CHECK(run("'%s'.format([['abc', 3.14, null, [9, 8], b'x']])") ==
          R"("[abc, 3.14, null, [9, 8], x]")");
    // a map's entries in the order of their keys' text
    CHECK(run("'%s'.format([{'b': 1, 'a': [2], 10: 'x', true: 0.5}])") ==
          R"("{10: x, a: [2], b: 1, true: 0.5}")");
    CHECK(run("'%s'.format([[double('NaN'), double('Infinity'), -1.0/0.0]])") ==
          R"("[NaN, Infinity, -Infinity]")");
    // %d: ints, uints, and doubles as %s writes them
    CHECK(run("'%d %d %d'.format([-42, 18446744073709551615u, 2.5])") ==
          R"("-42 18446744073709551615 2.5")");
    // %f and %e: printf's, 6 digits unless a precision is given; ints and uints too
    CHECK(run("'%f %f %f'.format([2.71828, 2, 3u])") == R"("2.718280 2.000000 3.000000")");
    CHECK(run("'%.3f %.0f %.0f %.0f'.format([1.2345, 2.5, 3.5, -0.4])") == R"("1.234 2 4 -0")");
    CHECK(run("'%.6e %e'.format([1052.032911275, 0])") == R"("1.052033e+03 0.000000e+00")");
    CHECK(run("'%f %e %f'.format([double('NaN'), double('Infinity'), -1.0/0.0])") ==
          R"("NaN Infinity -Infinity")");
    // %b, %o, %x, %X: ints (with a sign), uints, bools for %b, the bytes of strings for %x
    CHECK(run("'%b %b %b %b'.format([5, uint(64), true, -5])") == R"("101 1000000 1 -101")");
    CHECK(run("'%o %o'.format([11, uint(65535)])") == R"("13 177777")");
    CHECK(run("'%x %X %x'.format([30, 30, -255])") == R"("1e 1E -ff")");
    CHECK(run("'%x %X'.format(['Hi!', b'\\xff\\x00'])") == R"("486921 FF00")");
    CHECK(run("'%x'.format(['号'])") == R"("e58fb7")");
    CHECK(run("s.format(['x'])", {{"s", "<%s>"}}) == R"("<x>")");
}

TEST_CASE("CEL strings extension: format errors") {
    CHECK(run("'%a'.format([1])") ==
          "error(invalid_argument: format(): unrecognized formatting clause \"a\")");
    CHECK(code_of("'%E'.format([0.5])") == "invalid_argument");
    CHECK(run("'%号'.format([1])") ==
          "error(invalid_argument: format(): unrecognized formatting clause \"号\")");
    CHECK(run("'%d %d %d'.format([0, 1])") ==
          "error(index_out_of_range: format(): index 2 out of range (2 arguments))");
    CHECK(run("'%b'.format(['abc'])") ==
          "error(invalid_argument: format(): %b formats an int, uint or bool, was given "
          "string)");
    CHECK(run("'%d'.format([duration('30m2s')])") ==
          "error(invalid_argument: format(): %d formats an int, uint or double, was given "
          "google.protobuf.Duration)");
    CHECK(code_of("'%o'.format(['a'])") == "invalid_argument");
    CHECK(code_of("'%x'.format([0.5])") == "invalid_argument");
    CHECK(code_of("'%f'.format([null])") == "invalid_argument");
    CHECK(code_of("'%e'.format(['1'])") == "invalid_argument");
    CHECK(code_of("'abc %'.format([1])") == "invalid_argument");  // a clause cut short
    CHECK(code_of("'%.f'.format([1.0])") == "invalid_argument");  // a precision without digits
    CHECK(code_of("'%.101f'.format([1.0])") == "invalid_argument");
    CHECK(run("'%.100f'.format([1.0])").size() == 2 + 102);
    CHECK(code_of("'%s'.format('a')") == "no_such_overload");
    CHECK(code_of("1.format([])") == "no_such_overload");
}

TEST_CASE("CEL strings extension: results are bounded by the memory limit") {
    environment env;
    const expression_limits limits{.max_memory = std::size_t{1} << 20};
    eval_context ctx(limits);
    const auto eval = [&](const std::string& src) {
        ctx.reset();
        return expression::compile(src, env, limits).evaluate({}, ctx);
    };
    const std::string text = "'" + std::string(1000, 'y') + "'";  // 1,000 characters
    // a list of n references to the text, which costs little until it is written out
    const auto copies = [&](int n) {
        std::string range = "[0";
        for (int i = 1; i < n; ++i)
            range += ",0";
        return "cel.bind(s, " + text + ", " + range + "].map(i, s))";
    };
    CHECK(eval("'%s'.format([" + copies(500) + "])").size() == 2 + 500 * 1000 + 499 * 2);
    CHECK_THROWS_AS(eval("'%s'.format([" + copies(2000) + "])"), limit_error);
    CHECK(eval(copies(500) + ".join()").size() == 500 * 1000);
    CHECK_THROWS_AS(eval(copies(2000) + ".join()"), limit_error);
    CHECK_THROWS_AS(eval("'" + std::string(2000, 'x') + "'.replace('x', " + text + ")"),
                    limit_error);
    CHECK_THROWS_AS(eval("'" + std::string(2000, 'x') + "'.replace('', " + text + ")"),
                    limit_error);
}

// ------------------------------------------------------------------ math

TEST_CASE("CEL math extension: greatest and least across numeric kinds") {
    CHECK(run("math.greatest(-5)") == "-5");
    CHECK(run("math.greatest(5u)") == "5u");
    CHECK(run("math.greatest(3, -3)") == "3");
    CHECK(run("math.greatest(-3, 3u)") == "3u");
    CHECK(run("math.greatest(1, 1.0)") == "1");  // the first of equal values
    CHECK(run("math.greatest(5.4, 10, 3u, -5.0, 9223372036854775807)") == "9223372036854775807");
    CHECK(run("math.greatest(1.0, 18446744073709551615u)") == "18446744073709551615u");
    CHECK(run("math.greatest([5.4, 10.5, 3u, -5.0, 3.5])") == "10.5");
    CHECK(run("math.greatest([dyn(5.4), dyn(10), dyn(3u)])") == "10");
    CHECK(run("math.least(-9223372036854775808, 1)") == "-9223372036854775808");
    CHECK(run("math.least(5.4, 10, 3u, 1u, 18446744073709551615u)") == "1u");
    CHECK(run("math.least([5.4, 10.5, 3u, -5.0, 3.5])") == "-5.0");
    CHECK(run("math.least(1.5, -1.797693e308)") == "-1.797693e+308");
    // exact across kinds: 2^53 + 1 is greater than the double 2^53
    CHECK(run("math.greatest(9007199254740992.0, 9007199254740993)") == "9007199254740993");
    CHECK(run("math.greatest(x)", {{"x", {1, 7, 3}}}) == "7");
    CHECK(run("math.isNaN(math.greatest(1.0, double('NaN'), 2.0))") == "true");
    CHECK(run("math.greatest([])") == "error(invalid_argument: math.greatest() of an empty list)");
    CHECK(run("math.least(1, 'a')") ==
          "error(no_such_overload: no such overload: math.least() of a string (element 1))");
    CHECK(code_of("math.greatest('a')") == "no_such_overload");
    CHECK(code_of("math.greatest(dyn('a'))") == "no_such_overload");
    CHECK(code_of("math.greatest(1, 1 / 0)") == "division_by_zero");  // strict
    CHECK_THROWS_AS(run("math.greatest()"), expression_error);
}

TEST_CASE("CEL math extension: rounding, abs, sign, floating-point predicates") {
    CHECK(run("math.ceil(-1.2)") == "-1.0");
    CHECK(run("math.ceil(1.2)") == "2.0");
    CHECK(run("math.floor(-1.2)") == "-2.0");
    CHECK(run("math.floor(1.2)") == "1.0");
    CHECK(run("math.round(1.5)") == "2.0");  // halves away from zero
    CHECK(run("math.round(-1.5)") == "-2.0");
    CHECK(run("math.round(2.5)") == "3.0");
    CHECK(run("math.round(-1.4)") == "-1.0");
    CHECK(run("math.trunc(-1.7)") == "-1.0");
    CHECK(run("math.trunc(1.7)") == "1.0");
    CHECK(run("math.isNaN(math.round(0.0/0.0)) && math.isNaN(math.trunc(0.0/0.0))") == "true");
    CHECK(run("math.ceil(1.0/0.0)") == "+Inf");
    CHECK(code_of("math.ceil(1)") == "no_such_overload");  // doubles only, as in cel-go
    CHECK(code_of("math.round(dyn(1))") == "no_such_overload");

    CHECK(run("math.abs(-11)") == "11");
    CHECK(run("math.abs(1u)") == "1u");
    CHECK(run("math.abs(-11.5)") == "11.5");
    CHECK(run("math.abs(9223372036854775807)") == "9223372036854775807");
    CHECK(run("math.abs(-9223372036854775808)") == "error(overflow: integer overflow)");
    CHECK(run("math.sign(-11)") == "-1");
    CHECK(run("math.sign(0)") == "0");
    CHECK(run("math.sign(100u)") == "1u");
    CHECK(run("math.sign(0u)") == "0u");
    CHECK(run("math.sign(-32.0)") == "-1.0");
    CHECK(run("math.sign(-0.0)") == "0.0");
    CHECK(run("math.isNaN(math.sign(0.0/0.0))") == "true");
    CHECK(code_of("math.sign(true)") == "no_such_overload");

    CHECK(run("math.isNaN(0.0/0.0)") == "true");
    CHECK(run("math.isNaN(1.0/0.0)") == "false");
    CHECK(run("math.isInf(-1.0/0.0)") == "true");
    CHECK(run("math.isInf(0.0/0.0)") == "false");
    CHECK(run("math.isFinite(1.0/1.5)") == "true");
    CHECK(run("math.isFinite(0.0/0.0) || math.isFinite(1.0/0.0)") == "false");
    CHECK(code_of("math.isNaN(1)") == "no_such_overload");
}

TEST_CASE("CEL math extension: bit operations on int and uint") {
    CHECK(run("math.bitAnd(1, 3)") == "1");
    CHECK(run("math.bitAnd(1, -1)") == "1");
    CHECK(run("math.bitAnd(3u, 2u)") == "2u");
    CHECK(run("math.bitOr(4, -2)") == "-2");
    CHECK(run("math.bitOr(1u, 4u)") == "5u");
    CHECK(run("math.bitXor(4, -2)") == "-6");
    CHECK(run("math.bitXor(1u, 3u)") == "2u");
    CHECK(run("math.bitNot(1)") == "-2");
    CHECK(run("math.bitNot(0u)") == "18446744073709551615u");
    CHECK(run("math.bitShiftLeft(1, 2)") == "4");
    CHECK(run("math.bitShiftLeft(-1, 2)") == "-4");
    CHECK(run("math.bitShiftLeft(1, 63)") == "-9223372036854775808");
    CHECK(run("math.bitShiftLeft(1, 64)") == "0");
    CHECK(run("math.bitShiftLeft(1u, 200)") == "0u");
    CHECK(run("math.bitShiftRight(1024, 2)") == "256");
    // the vacated bits are zeros, the sign bit's too
    CHECK(run("math.bitShiftRight(-1024, 3)") == "2305843009213693824");
    CHECK(run("math.bitShiftRight(-1, 64)") == "0");
    CHECK(run("math.bitShiftRight(1024u, 2)") == "256u");
    CHECK(run("math.bitShiftLeft(1u, -1)") ==
          "error(invalid_argument: negative offset: a shift by -1 bits)");
    CHECK(code_of("math.bitShiftRight(1, -9223372036854775808)") == "invalid_argument");
    // no mixing of int and uint, as for arithmetic
    CHECK(run("math.bitAnd(1, 1u)") ==
          "error(no_such_overload: no such overload: math.bitAnd(int, uint))");
    CHECK(code_of("math.bitOr(dyn(1.2), 1)") == "no_such_overload");
    CHECK(code_of("math.bitNot(dyn(''))") == "no_such_overload");
    CHECK(code_of("math.bitShiftLeft(1, 1u)") == "no_such_overload");
}

// ------------------------------------------------------------------ cel.bind

namespace {
std::atomic<int> ticks{0};
value tick(const value*, eval_context&) {
    return value::from_int(++ticks);
}
}  // namespace

TEST_CASE("CEL bindings extension: cel.bind") {
    CHECK(run("cel.bind(t, true, t)") == "true");
    CHECK(run("cel.bind(msg, 'hello', msg + msg + msg)") == R"("hellohellohello")");
    CHECK(run("cel.bind(t1, true, cel.bind(t2, true, t1 && t2))") == "true");
    CHECK(run("cel.bind(valid, [1, 2, 3], [3, 4, 5].exists(e, e in valid))") == "true");
    CHECK(run("cel.bind(x, 2, cel.bind(x, x * 10, x + 1))") == "21");  // inner shadows outer
    // a bound variable shadows a variable of the environment, inside the body only
    CHECK(run("cel.bind(x, 0, x == 0) && x == 1", {{"x", 1}}) == "true");
    CHECK(run("cel.bind(x, {'y': 0}, x.y == 0)", {{"x", {{"y", 1}}}}) == "true");
    CHECK(run("cel.bind(n, s.size(), n * n)", {{"s", "abcd"}}) == "16");
    // inside a comprehension, bound again for each element
    CHECK(run("[1, 2, 3].map(i, cel.bind(sq, i * i, sq + sq))") == "[2, 8, 18]");
    CHECK(run("l.map(i, cel.bind(d, i * 2, [d, d]))", {{"l", {1, 2}}}) == "[[2, 2], [4, 4]]");
    // an error is bound like any value: raised where it is read, not where it is not
    CHECK(run("cel.bind(x, 1 / 0, 'unused')") == R"("unused")");
    CHECK(run("cel.bind(x, 1 / z, true || x > 0)", {{"z", 0}}) == "true");
    CHECK(code_of("cel.bind(x, 1 / 0, x + 1)") == "division_by_zero");

    // the variable must be a simple name; cel.bind takes exactly three arguments
    environment env;
    CHECK_THROWS_AS(expression::compile("cel.bind(a.b, 1, 2)", env), expression_error);
    CHECK_THROWS_AS(expression::compile("cel.bind(x, 1)", env), expression_error);
    CHECK_THROWS_AS(expression::compile("cel.bind(x, 1, x) + x", env), expression_error);

    SUBCASE("the initial value is evaluated once") {
        environment e;
        e.add_function("tick", 0, false, tick, /*pure=*/false);
        const auto expr = expression::compile("cel.bind(t, tick(), [t, t, t])", e);
        eval_context ctx;
        ticks = 0;
        CHECK(expr.evaluate({}, ctx).to_string() == "[1, 1, 1]");
        CHECK(ticks == 1);
    }
    SUBCASE("compile-time: constants fold, paths name the input they read") {
        environment e;
        e.declare("app");
        telecomply::arena a;
        value_builder b(a);
        e.define_constant("params", b.from_json({{"cap", 50}, {"unused", 1}}));
        const auto folded = expression::compile("cel.bind(c, params.cap, c * 2 + 1)", e);
        CHECK(folded.is_constant());
        CHECK(folded.constant_paths() == std::vector<std::string>{"params.cap"});
        // a constant is read where the body reads it: lint sees `unused` is not
        const auto by_field = expression::compile("cel.bind(p, params, p.cap > 1)", e);
        CHECK(by_field.is_constant());
        CHECK(by_field.constant_paths() == std::vector<std::string>{"params.cap"});
        CHECK(expression::compile("cel.bind(p, params, 1)", e).constant_paths().empty());
        const auto read =
            expression::compile("cel.bind(h, app.history, h.violations + h.warnings)", e);
        CHECK(read.input_paths() == std::vector<std::string>{"app.history",
                                                             "app.history.violations",
                                                             "app.history.warnings"});
        CHECK_FALSE(read.is_constant());
    }
}

// ------------------------------------------------------------------ namespaced functions

namespace {
std::int64_t twice(std::int64_t x) {
    return 2 * x;
}
}  // namespace

TEST_CASE("CEL namespaced functions: `ns.f(x)` calls the function named ns.f") {
    environment env;
    add_overload<twice>(env, "acme.util.twice", false);
    env.declare("math");  // a variable named like a namespace: the function still wins
    env.declare("acme");
    eval_context ctx;
    const value vars[] = {value::from_int(7), value::from_int(1)};
    const auto eval = [&](std::string_view src) {
        return expression::compile(src, env).evaluate(vars, ctx).to_string();
    };
    CHECK(eval("acme.util.twice(21)") == "42");
    CHECK(eval(".acme.util.twice(2)") == "4");
    CHECK(eval("math.abs(-3) + math") == "10");
    // a macro variable named like a namespace is a value, and its methods are methods
    CHECK(eval("['a,b'].map(strings, strings.split(','))") == R"([["a", "b"]])");
    // an unknown function of a namespace is a compile error in a checked environment
    CHECK_THROWS_AS(expression::compile("math.sqrt(4.0)", env), expression_error);
    CHECK_THROWS_AS(expression::compile("strings.quote('a', 'b')", env), expression_error);
    CHECK_THROWS_AS(expression::compile("acme.util.twice()", env), expression_error);
}
