// The CEL evaluator: arithmetic, equality and ordering, logic with CEL's error rules, field
// selection and absent inputs, indexing, macros, timestamps and durations, conversions, and
// the compile-once behaviour (input paths, constant folding, constants, threads, arenas).

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/domain/cel_functions.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/function_adapter.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

// ---- helpers

// Compiles in a checked environment whose variables are the members of a JSON object, and
// evaluates. Results stay valid until the next eval() (they may point into the variables, the
// expression's constants or the context's arena, all owned here).
class cel {
  public:
    explicit cel(const json& vars = json::object()) : doc_(document::from_json(vars)) {
        for (const auto& [name, _] : vars.items())
            env_.declare(name);
        vars_.resize(env_.slot_count());
        for (const auto& [name, _] : vars.items())
            vars_[static_cast<std::size_t>(env_.slot(name))] = *doc_.root().find(name);
    }

    value eval(std::string_view src) {
        expr_ = expression::compile(src, env_);
        ctx_.reset();
        return expr_.evaluate(vars_, ctx_);
    }
    // The result in CEL syntax: `3u`, `"abc"`, `[1, 2.5]`, `error(overflow: integer overflow)`.
    std::string show(std::string_view src) { return eval(src).to_string(); }
    const error_info& error(std::string_view src) {
        const value v = eval(src);
        REQUIRE_MESSAGE(v.is_error(), src << " gave " << v.to_string());
        return v.as_error();
    }
    eval_errc code(std::string_view src) { return error(src).code; }
    const expression& last() const { return expr_; }

  private:
    document doc_;
    environment env_;
    std::vector<value> vars_;
    expression expr_;
    eval_context ctx_;
};

std::string show(std::string_view src, const json& vars = json::object()) {
    cel c(vars);
    return c.show(src);
}

eval_errc code(std::string_view src, const json& vars = json::object()) {
    cel c(vars);
    return c.code(src);
}

errc compile_error_code(std::string_view src, const environment& env) {
    try {
        (void)expression::compile(src, env);
    } catch (const expression_error& e) {
        return e.code();
    }
    FAIL_CHECK("compiled: " << src);
    return errc{};
}

// The paths of a chain of merged no_such_field errors, sorted.
std::vector<std::string> paths(const error_info& e) {
    std::vector<std::string> out;
    for (const error_info* x = &e; x != nullptr; x = x->next) {
        CHECK(x->code == eval_errc::no_such_field);
        out.emplace_back(x->path);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// ------------------------------------------------------------------ arithmetic

TEST_CASE("CEL eval: int arithmetic and its errors") {
    CHECK(show("1 + 2") == "3");
    CHECK(show("2 - 5") == "-3");
    CHECK(show("6 * 7") == "42");
    CHECK(show("7 / 2") == "3");
    CHECK(show("-7 / 2") == "-3");  // truncates toward zero
    CHECK(show("-7 % 2") == "-1");  // the sign of the dividend
    CHECK(show("7 % -2") == "1");
    CHECK(show("9223372036854775807 - 1 + 1") == "9223372036854775807");

    CHECK(show("9223372036854775807 + 1") == "error(overflow: integer overflow)");
    CHECK(show("-9223372036854775808 - 1") == "error(overflow: integer overflow)");
    CHECK(show("4611686018427387904 * 2") == "error(overflow: integer overflow)");
    CHECK(show("-9223372036854775808 / -1") == "error(overflow: integer overflow)");
    CHECK(show("-9223372036854775808 % -1") == "error(overflow: integer overflow)");
    CHECK(show("-(-9223372036854775807 - 1)") == "error(overflow: integer overflow)");
    CHECK(code("1 / 0") == eval_errc::division_by_zero);
    CHECK(code("0 / 0") == eval_errc::division_by_zero);
    CHECK(code("1 % 0") == eval_errc::modulus_by_zero);
    CHECK(show("1 / 0") == "error(division_by_zero: division by zero)");
    CHECK(show("1 % 0") == "error(modulus_by_zero: modulus by zero)");

    // with variables, so that nothing is folded at compile time
    cel c(json{{"big", 9223372036854775807LL}, {"zero", 0}, {"two", 2}});
    CHECK(c.show("big + 1") == "error(overflow: integer overflow)");
    CHECK(c.show("big * two") == "error(overflow: integer overflow)");
    CHECK(c.show("-big - two") == "error(overflow: integer overflow)");
    {
        const auto& e = c.error("two / zero");
        CHECK(e.code == eval_errc::division_by_zero);
        CHECK(e.offset == 4);
        CHECK(c.last().describe(e) == "1:5: division by zero (in `two / zero`)");
        CHECK(c.last().locate(e.offset).column == 5);
    }
    CHECK(c.code("two % zero") == eval_errc::modulus_by_zero);
    CHECK(c.show("big / two") == "4611686018427387903");
}

TEST_CASE("CEL eval: uint arithmetic and its errors") {
    CHECK(show("1u + 2u") == "3u");
    CHECK(show("7u / 2u") == "3u");
    CHECK(show("7u % 4u") == "3u");
    CHECK(show("3u * 4u") == "12u");
    CHECK(show("18446744073709551614u + 1u") == "18446744073709551615u");
    CHECK(show("18446744073709551615u + 1u") == "error(overflow: integer overflow)");
    CHECK(show("0u - 1u") == "error(overflow: integer overflow)");
    CHECK(show("9223372036854775808u * 2u") == "error(overflow: integer overflow)");
    CHECK(code("1u / 0u") == eval_errc::division_by_zero);
    CHECK(code("1u % 0u") == eval_errc::modulus_by_zero);
    // no implicit conversions between numeric types
    CHECK(show("1 + 1u") == "error(no_such_overload: no such overload: int + uint)");
    CHECK(show("1u * 1.0") == "error(no_such_overload: no such overload: uint * double)");
    CHECK(show("uint(1) + 1u") == "2u");
    cel c(json{{"u", 18446744073709551615ULL}});
    CHECK(c.show("u") == "18446744073709551615u");
    CHECK(c.show("u + 1u") == "error(overflow: integer overflow)");
    CHECK(c.show("u / 3u") == "6148914691236517205u");
}

TEST_CASE("CEL eval: double semantics") {
    CHECK(show("0.1 + 0.2") == "0.30000000000000004");
    CHECK(show("1.5 * 2.0") == "3.0");
    CHECK(show("7.0 / 2.0") == "3.5");
    CHECK(show("1.0 / 0.0") == "+Inf");
    CHECK(show("-1.0 / 0.0") == "-Inf");
    CHECK(show("0.0 / 0.0") == "NaN");
    CHECK(show("1e308 * 10.0") == "+Inf");
    CHECK(show("-(2.5)") == "-2.5");
    CHECK(show("5.5 % 2.0") == "error(no_such_overload: no such overload: double % double)");
    // NaN is unequal and unordered, even to itself
    CHECK(show("double('NaN') == double('NaN')") == "false");
    CHECK(show("double('NaN') != double('NaN')") == "true");
    CHECK(show("double('NaN') < 1.0") == "false");
    CHECK(show("double('NaN') >= 1.0") == "false");
    CHECK(show("1 < double('NaN')") == "false");
    CHECK(show("1u >= double('NaN')") == "false");
    CHECK(show("[double('NaN')] == [double('NaN')]") == "false");
    CHECK(show("double('NaN') in [double('NaN')]") == "false");
    CHECK(show("-0.0 == 0.0") == "true");
    CHECK(show("double('Inf') > 1.7976931348623157e308") == "true");
}

TEST_CASE("CEL eval: string, bytes and list concatenation") {
    CHECK(show("'ab' + 'cd'") == R"("abcd")");
    CHECK(show("'' + ''") == R"("")");
    CHECK(show("('中' + '文').size()") == "2");
    CHECK(show("b'ab' + b'\\xff'") == R"(b"ab\xff")");
    CHECK(show("[1] + [2, 3]") == "[1, 2, 3]");
    CHECK(show("[] + []") == "[]");
    CHECK(show("[1] + []") == "[1]");
    CHECK(show("[] + ['a']") == R"(["a"])");
    CHECK(show("[[1]] + [[2]]") == "[[1], [2]]");
    CHECK(show("'a' + 1") == "error(no_such_overload: no such overload: string + int)");
    CHECK(show("'a' + b'a'") == "error(no_such_overload: no such overload: string + bytes)");
    CHECK(show("[1] + 1") == "error(no_such_overload: no such overload: list + int)");
    CHECK(show("{'a': 1} + {'b': 2}") == "error(no_such_overload: no such overload: map + map)");
    cel c(json{{"s", "申请"}, {"l", {1, 2}}});
    CHECK(c.show("s + '号码'") == R"("申请号码")");
    CHECK(c.show("l + l + l") == "[1, 2, 1, 2, 1, 2]");
    CHECK(c.show("(l + [3]).size()") == "3");
}

// ------------------------------------------------------------------ equality and ordering

TEST_CASE("CEL eval: numeric equality and ordering across int, uint and double") {
    CHECK(show("1 == 1.0") == "true");
    CHECK(show("1 == 1u") == "true");
    CHECK(show("1u == 1.0") == "true");
    CHECK(show("1 != 1.5") == "true");
    CHECK(show("-1 == 18446744073709551615u") == "false");
    CHECK(show("1 < 2u") == "true");
    CHECK(show("2u > 1") == "true");
    CHECK(show("1u < 2") == "true");
    CHECK(show("-1 < 0u") == "true");
    CHECK(show("1.5 > 1") == "true");
    CHECK(show("1.5 < 2u") == "true");
    CHECK(show("-0.5 < 0u") == "true");
    CHECK(show("2 <= 2.0") == "true");
    CHECK(show("2u >= 2.0") == "true");
    CHECK(show("9223372036854775807 < 9223372036854775808u") == "true");
    CHECK(show("18446744073709551615u > 1.8e19") == "true");
    CHECK(show("18446744073709551615u < 1.9e19") == "true");
    CHECK(show("-9223372036854775808 > -1e19") == "true");
    // compared exactly, never rounded through double
    CHECK(show("9007199254740993 == 9007199254740992.0") == "false");
    CHECK(show("9007199254740993 > 9007199254740992.0") == "true");
    CHECK(show("9007199254740993u > 9007199254740992.0") == "true");
    CHECK(show("9223372036854775807 < 9223372036854775808.0") == "true");
    CHECK(show("9223372036854775807 == 9223372036854775808.0") == "false");
}

TEST_CASE("CEL eval: heterogeneous equality and ordering") {
    CHECK(show("1 == 'a'") == "false");
    CHECK(show("'1' == 1") == "false");
    CHECK(show("1 != 'a'") == "true");
    CHECK(show("null == false") == "false");
    CHECK(show("null == null") == "true");
    CHECK(show("null != 0") == "true");
    CHECK(show("b'a' == 'a'") == "false");
    CHECK(show("[1] == [1.0]") == "true");
    CHECK(show("[1, 'a'] == [1, 'b']") == "false");
    CHECK(show("[1, 2] == [1]") == "false");
    CHECK(show("[[1, [2u]]] == [[1.0, [2]]]") == "true");
    CHECK(show("{'a': 1} == {'a': 1u}") == "true");
    CHECK(show("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}") == "true");
    CHECK(show("{'a': 1} == {'b': 1}") == "false");
    CHECK(show("{1: 'x'} == {1u: 'x'}") == "true");
    CHECK(show("[1] == {'a': 1}") == "false");
    CHECK(show("date('2026-01-01') == '2026-01-01'") == "false");
    CHECK(show("type(1) == int") == "true");
    CHECK(show("int == uint") == "false");

    CHECK(show("'a' < 'b'") == "true");
    CHECK(show("'a' < 'B'") == "false");  // code point order
    CHECK(show("'é' > 'z'") == "true");
    CHECK(show("'abc' < 'abd' && 'ab' < 'abc'") == "true");
    CHECK(show("b'a' < b'b'") == "true");
    CHECK(show("true > false") == "true");
    CHECK(show("1 < 'a'") == "error(no_such_overload: no such overload: int < string)");
    CHECK(show("'a' >= 1") == "error(no_such_overload: no such overload: string >= int)");
    CHECK(show("[1] < [2]") == "error(no_such_overload: no such overload: list < list)");
    CHECK(show("null <= null") ==
          "error(no_such_overload: no such overload: null_type <= null_type)");
    CHECK(show("true > 0") == "error(no_such_overload: no such overload: bool > int)");
}

TEST_CASE("CEL eval: in") {
    CHECK(show("2 in [1, 2, 3]") == "true");
    CHECK(show("4 in [1, 2, 3]") == "false");
    CHECK(show("2.0 in [1, 2]") == "true");
    CHECK(show("2u in [1, 2]") == "true");
    CHECK(show("'2' in [1, 2]") == "false");
    CHECK(show("[1] in [[1], [2]]") == "true");
    CHECK(show("1 in []") == "false");
    CHECK(show("'a' in {'a': 1}") == "true");
    CHECK(show("'b' in {'a': 1}") == "false");
    CHECK(show("1 in {'a': 1}") == "false");
    CHECK(show("1u in {1: 'x'}") == "true");
    CHECK(show("1.0 in {1: 'x'}") == "true");
    CHECK(show("1.5 in {1: 'x'}") == "false");
    CHECK(show("true in {true: 1}") == "true");
    CHECK(show("1 in 1") == "error(no_such_overload: no such overload: int in int)");
    CHECK(show("'a' in 'abc'") == "error(no_such_overload: no such overload: string in string)");
    CHECK(code("1 / 0 in [1]") == eval_errc::division_by_zero);
    CHECK(code("1 in [1 / 0]") == eval_errc::division_by_zero);
    cel c(json{{"numbers", {"13800138000", "01012345678"}}, {"m", {{"k", 1}}}});
    CHECK(c.show("'01012345678' in numbers") == "true");
    CHECK(c.show("'k' in m && !('j' in m)") == "true");
}

// ------------------------------------------------------------------ logic

TEST_CASE("CEL eval: !, && and || with CEL's commutative error rules") {
    cel c(json{{"app", {{"ok", true}, {"no", false}, {"n", 1}}}});
    CHECK(c.show("!app.ok") == "false");
    CHECK(c.show("!!app.ok") == "true");
    CHECK(c.show("!app.n") == "error(no_such_overload: no such overload: !(int))");
    CHECK(c.code("!app.missing") == eval_errc::no_such_field);

    // false && error is false, whichever side the error is on; likewise true || error
    CHECK(c.show("app.no && app.missing") == "false");
    CHECK(c.show("app.missing && app.no") == "false");
    CHECK(c.show("app.ok || app.missing") == "true");
    CHECK(c.show("app.missing || app.ok") == "true");
    CHECK(c.show("1 / 0 == 1 || true") == "true");
    CHECK(c.show("1 / 0 == 1 && false") == "false");
    CHECK(c.show("app.missing && app.ok && app.no") == "false");
    CHECK(c.show("app.ok && app.missing || app.ok") == "true");
    // otherwise the error stands
    CHECK(c.code("app.missing && app.ok") == eval_errc::no_such_field);
    CHECK(c.code("app.ok && app.missing") == eval_errc::no_such_field);
    CHECK(c.code("app.missing || app.no") == eval_errc::no_such_field);
    CHECK(c.code("app.no || app.missing") == eval_errc::no_such_field);
    CHECK(c.code("app.ok && 1 / 0 == 1") == eval_errc::division_by_zero);
    // non-bool operands are errors, absorbed the same way
    CHECK(c.show("app.n && app.ok") == "error(no_such_overload: no such overload: &&(int))");
    CHECK(c.show("app.n && app.no") == "false");
    CHECK(c.show("'x' || app.ok") == "true");
    CHECK(c.code("'x' || app.no") == eval_errc::no_such_overload);
    CHECK(c.show("true && true && true") == "true");
    CHECK(c.show("false || false || false") == "false");
}

TEST_CASE("CEL eval: conditional") {
    cel c(json{{"app", {{"ok", true}, {"n", 1}}}});
    CHECK(c.show("app.ok ? 'yes' : 'no'") == R"("yes")");
    CHECK(c.show("!app.ok ? 'yes' : 'no'") == R"("no")");
    // only the chosen branch is evaluated
    CHECK(c.show("app.ok ? 1 : 1 / 0") == "1");
    CHECK(c.show("!app.ok ? app.missing : 2") == "2");
    CHECK(c.show("app.n ? 1 : 2") == "error(no_such_overload: no such overload: _?_:_(int))");
    CHECK(c.code("app.missing ? 1 : 2") == eval_errc::no_such_field);
    CHECK(c.code("app.ok ? 1 / 0 : 2") == eval_errc::division_by_zero);
    CHECK(c.show("app.n == 1 ? (app.n == 2 ? 'a' : 'b') : 'c'") == R"("b")");
    CHECK(c.show("app.n == 2 ? 'a' : app.n == 1 ? 'b' : 'c'") == R"("b")");
}

TEST_CASE("CEL eval: error propagation through operators is left to right") {
    cel c(json{{"app", json::object()}});
    CHECK(c.code("1 / 0 + app.missing") == eval_errc::division_by_zero);
    CHECK(c.code("app.missing + 1 / 0") == eval_errc::no_such_field);
    CHECK(c.code("app.missing == 1") == eval_errc::no_such_field);
    CHECK(c.code("1 < app.missing") == eval_errc::no_such_field);
    CHECK(c.code("size(app.missing)") == eval_errc::no_such_field);
    CHECK(c.code("[app.missing]") == eval_errc::no_such_field);
    CHECK(c.code("{'a': app.missing}") == eval_errc::no_such_field);
    CHECK(c.code("-app.missing") == eval_errc::no_such_field);
    CHECK(c.code("int(1 / 0)") == eval_errc::division_by_zero);
}

// ------------------------------------------------------------------ fields and absent inputs

TEST_CASE("CEL eval: field selection, has() and absent inputs") {
    cel c(json{{"app",
                {{"materials", {{"consent", true}}},
                 {"applicant", {{"history", {{"violations_24m", 0}}}}},
                 {"nothing", nullptr},
                 {"num", 5},
                 {"numbers", {{{"kind", "mobile"}}, {{"owner", "x"}}}}}}});
    CHECK(c.show("app.materials.consent") == "true");
    CHECK(c.show("app.applicant.history.violations_24m") == "0");
    CHECK(c.show("has(app.materials)") == "true");
    CHECK(c.show("has(app.materials.consent)") == "true");
    CHECK(c.show("has(app.materials.marketing_plan)") == "false");
    CHECK(c.show("has(app.nothing)") == "true");
    CHECK(c.show("has(app.nothing.x)") == "false");  // has() on null is false
    CHECK(c.show("has({'a': 1}.a) && !has({'a': 1}.b)") == "true");
    CHECK(c.show("has(app.num.x)") == "error(no_such_overload: has() on type 'int')");
    CHECK(c.show("app.num.x") ==
          "error(no_such_overload: type 'int' has no fields (selecting 'x'))");
    CHECK(c.show("app.num.x.y") ==
          "error(no_such_overload: type 'int' has no fields (selecting 'x'))");

    SUBCASE("the error of an absent field names its static path") {
        const auto& e = c.error("app.materials.marketing_plan");
        CHECK(e.code == eval_errc::no_such_field);
        CHECK(e.path == "app.materials.marketing_plan");
        CHECK(e.message == "no such key");
        CHECK(e.next == nullptr);
        CHECK(c.last().describe(e) == "1:14: no such key (in `app.materials.marketing_plan`)");
    }
    SUBCASE("the first absent field of a path is the one reported") {
        CHECK(c.error("app.documents.licence.number").path == "app.documents");
        CHECK(c.error("app.applicant.name.given").path == "app.applicant.name");
        CHECK(c.error("app.missing").path == "app.missing");
        // selecting below null is an absent field too
        CHECK(c.error("app.nothing.x.y").path == "app.nothing.x");
        // has() tests the whole path: an absent prefix makes it false, not an error
        CHECK(c.eval("has(app.documents.licence)").is_false());
    }
    SUBCASE("&& and || merge absent inputs") {
        const auto& e = c.error("app.materials.marketing_plan && app.materials.consent_form");
        CHECK(e.code == eval_errc::no_such_field);
        REQUIRE(e.next != nullptr);
        CHECK(paths(e) == std::vector<std::string>{"app.materials.consent_form",
                                                   "app.materials.marketing_plan"});

        const auto& three = c.error("app.a.x || app.b || app.materials.consent && app.c.d.e");
        CHECK(paths(three) == std::vector<std::string>{"app.a", "app.b", "app.c"});

        // a decisive operand still wins over absent ones
        CHECK(c.show("app.a || app.materials.consent || app.b") == "true");
        CHECK(c.show("app.a && !app.materials.consent") == "false");
    }
    SUBCASE("other errors take precedence over absent inputs") {
        CHECK(c.code("app.a && 1 / 0 == 1") == eval_errc::division_by_zero);
        CHECK(c.code("1 / 0 == 1 && app.a") == eval_errc::division_by_zero);
        CHECK(c.code("app.a || app.num.x || app.b") == eval_errc::no_such_overload);
    }
    SUBCASE("paths through macro variables") {
        const auto& e = c.error("app.numbers.all(n, n.kind == 'mobile')");
        CHECK(e.code == eval_errc::no_such_field);
        CHECK(e.path == "app.numbers[].kind");
        CHECK(c.show("app.numbers.exists(n, has(n.owner))") == "true");
    }
    SUBCASE("dynamic paths are not static") {
        const auto& e = c.error("app['materials'].marketing_plan");
        CHECK(e.code == eval_errc::no_such_field);
        CHECK(e.path.empty());
        CHECK(e.message == "no such key: 'marketing_plan'");
    }
}

TEST_CASE("CEL eval: indexing") {
    CHECK(show("[1, 2, 3][0]") == "1");
    CHECK(show("[1, 2, 3][2]") == "3");
    CHECK(show("[1, 2, 3][3]") == "error(index_out_of_range: index out of range: 3 (list size 3))");
    CHECK(show("[1][-1]") == "error(index_out_of_range: index out of range: -1 (list size 1))");
    CHECK(code("[][0]") == eval_errc::index_out_of_range);
    CHECK(show("[1, 2][1u]") == "2");
    CHECK(show("[1, 2][1.0]") == "2");
    CHECK(show("[1, 2][0.5]") == "error(no_such_overload: no such overload: list [] double)");
    CHECK(show("[1, 2]['0']") == "error(no_such_overload: no such overload: list [] string)");
    CHECK(code("[1, 2][18446744073709551615u]") == eval_errc::index_out_of_range);
    CHECK(show("'abc'[0]") == "error(no_such_overload: no such overload: string [] int)");

    CHECK(show("{'a': 1}['a']") == "1");
    CHECK(show("{'a': 1}['b']") == R"(error(no_such_key: no such key: "b"))");
    CHECK(show("{1: 'a'}[1]") == R"("a")");
    CHECK(show("{1: 'a'}[1u]") == R"("a")");
    CHECK(show("{1: 'a'}[1.0]") == R"("a")");
    CHECK(show("{1u: 'a'}[1]") == R"("a")");
    CHECK(show("{-1: 'a'}[-1.0]") == R"("a")");
    CHECK(show("{true: 'y', false: 'n'}[false]") == R"("n")");
    CHECK(show("{1: 'a'}[2]") == "error(no_such_key: no such key: 2)");
    CHECK(show("{1: 'a'}[1.5]") == "error(no_such_key: no such key: 1.5)");
    CHECK(show("{'a': 1}[1]") == "error(no_such_key: no such key: 1)");
    CHECK(show("{'1': 'a'}[1]") == "error(no_such_key: no such key: 1)");
    CHECK(show("{'a': 1}[['a']]") == "error(no_such_overload: no such overload: map [] list)");
    CHECK(show("{'a': 1}[null]") == "error(no_such_overload: no such overload: map [] null_type)");

    cel c(json{{"app", {{"numbers", {"a", "b"}}, {"by_id", {{"7", "x"}}}}}, {"i", 1}});
    CHECK(c.show("app.numbers[i]") == R"("b")");
    CHECK(c.show("app.numbers[i + 1]") ==
          "error(index_out_of_range: index out of range: 2 (list size 2))");
    CHECK(c.show("app.by_id[string(7)]") == R"("x")");
    CHECK(c.code("app.by_id['8']") == eval_errc::no_such_key);
}

TEST_CASE("CEL eval: map literals") {
    CHECK(show("{'a': 1, 'b': 2}.size()") == "2");
    CHECK(show("{'a': 1, 'a': 2}") == R"(error(invalid_argument: duplicate map key: "a"))");
    CHECK(show("{true: 1, false: 2, true: 3}[true]") ==
          "error(invalid_argument: duplicate map key: true)");
    // keys are compared as CEL compares them: 1 and 1u are the same key
    CHECK(show("{1: 'a', 1u: 'b'}") == "error(invalid_argument: duplicate map key: 1u)");
    CHECK(code("{0: 1, 0u: 2}[0.0]") == eval_errc::invalid_argument);
    CHECK(show("{1: 'a', '1': 'b'}.size()") == "2");
    CHECK(show("{1.0: 'a'}") == "error(invalid_argument: unsupported map key type: double)");
    CHECK(show("{[1]: 'a'}") == "error(invalid_argument: unsupported map key type: list)");
    CHECK(show("{null: 'a'}") == "error(invalid_argument: unsupported map key type: null_type)");
    CHECK(code("{'a': 1 / 0}") == eval_errc::division_by_zero);
    CHECK(code("{1 / 0: 'a'}") == eval_errc::division_by_zero);
    CHECK(code("[1, 1 / 0]") == eval_errc::division_by_zero);
    cel c(json{{"k", "a"}});
    CHECK(c.show("{k: 1, 'a': 2}") == R"(error(invalid_argument: duplicate map key: "a"))");
    CHECK(c.show("{k: 1, 'b': 2}") == R"({"a": 1, "b": 2})");
}

// ------------------------------------------------------------------ macros

TEST_CASE("CEL eval: all, exists, exists_one, map, filter") {
    CHECK(show("[1, 2, 3].all(x, x > 0)") == "true");
    CHECK(show("[1, 2, 3].all(x, x > 1)") == "false");
    CHECK(show("[].all(x, false)") == "true");
    CHECK(show("[1, 2, 3].exists(x, x == 2)") == "true");
    CHECK(show("[].exists(x, true)") == "false");
    CHECK(show("[1, 2, 3].exists_one(x, x > 2)") == "true");
    CHECK(show("[1, 2, 3].exists_one(x, x > 1)") == "false");
    CHECK(show("[1, 2, 3].existsOne(x, x == 1)") == "true");
    CHECK(show("[].exists_one(x, true)") == "false");
    CHECK(show("[1, 2, 3].map(x, x * 2)") == "[2, 4, 6]");
    CHECK(show("[1, 2, 3].map(x, x > 1, x * 10)") == "[20, 30]");
    CHECK(show("[].map(x, x)") == "[]");
    CHECK(show("[1, 2, 3, 4].filter(x, x % 2 == 0)") == "[2, 4]");
    CHECK(show("[1, 2].filter(x, false)") == "[]");
    // over maps the variable is the key
    CHECK(show("{'a': 1, 'bb': 2}.all(k, k.size() < 3)") == "true");
    CHECK(show("{'a': 1, 'bb': 2}.map(k, k)") == R"(["a", "bb"])");
    CHECK(show("{'a': 1, 'bb': 2}.filter(k, k.size() == 2)") == R"(["bb"])");
    CHECK(show("{'a': 1}.exists(k, k == 'a')") == "true");

    SUBCASE("errors inside") {
        // all: false wins over an error, and exists: true wins over an error
        CHECK(show("[0, -1].all(x, 1 / x > 0)") == "false");
        CHECK(code("[0, 1].all(x, 1 / x > 0)") == eval_errc::division_by_zero);
        CHECK(show("[0, 1].exists(x, 1 / x > 0)") == "true");
        CHECK(code("[0, -1].exists(x, 1 / x > 0)") == eval_errc::division_by_zero);
        CHECK(code("[1, 0].exists_one(x, 1 / x > 0)") == eval_errc::division_by_zero);
        CHECK(code("[1, 0].map(x, 1 / x)") == eval_errc::division_by_zero);
        CHECK(code("[1, 0].map(x, 1 / x > 0, x)") == eval_errc::division_by_zero);
        CHECK(code("[1, 0].filter(x, 1 / x > 0)") == eval_errc::division_by_zero);
        CHECK(show("[1].all(x, x)") == "error(no_such_overload: no such overload: all(int))");
        CHECK(show("[1].exists(x, 'a')") ==
              "error(no_such_overload: no such overload: exists(string))");
        CHECK(show("[1].exists_one(x, x)") ==
              "error(no_such_overload: no such overload: exists_one(int))");
        CHECK(show("[1].filter(x, 1)") == "error(no_such_overload: no such overload: filter(int))");
        CHECK(show("[1].map(x, x, x)") == "error(no_such_overload: no such overload: filter(int))");
        cel c(json{{"app", {{"num", 3}}}});
        CHECK(c.show("app.num.all(x, true)") ==
              "error(no_such_overload: no such overload: comprehension over(int))");
        CHECK(c.code("app.missing.exists(x, true)") == eval_errc::no_such_field);
    }
}

TEST_CASE("CEL eval: two-variable macros, transformList and transformMap") {
    CHECK(show("[10, 20].all(i, v, v == (i + 1) * 10)") == "true");
    CHECK(show("[10, 20].exists(i, v, i == 1 && v == 20)") == "true");
    CHECK(show("[10, 20].exists_one(i, v, i == v)") == "false");
    CHECK(show("{'a': 1, 'b': 2}.all(k, v, v > 0 && k.size() == 1)") == "true");
    CHECK(show("{'a': 1, 'b': 2}.exists_one(k, v, v == 2 && k == 'b')") == "true");
    CHECK(show("[1, 2, 3].transformList(i, v, v * i)") == "[0, 2, 6]");
    CHECK(show("[1, 2, 3].transformList(i, v, i > 0, v * 10)") == "[20, 30]");
    CHECK(show("{'a': 1, 'b': 2}.transformList(k, v, k + string(v))") == R"(["a1", "b2"])");
    CHECK(show("{'a': 1, 'b': 2}.transformMap(k, v, v * 10)") == R"({"a": 10, "b": 20})");
    CHECK(show("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, k + k)") == R"({"b": "bb"})");
    CHECK(show("{}.transformMap(k, v, v)") == "{}");
    CHECK(code("{'a': 0}.transformMap(k, v, 1 / v)") == eval_errc::division_by_zero);
    CHECK(code("[0].transformList(i, v, 1 / v)") == eval_errc::division_by_zero);
}

TEST_CASE("CEL eval: comprehension variables shadow and are scoped") {
    CHECK(show("[1, 2].all(x, [3, 4].all(x, x > 2))") == "true");
    CHECK(show("[[1], [2]].all(x, x.all(x, x > 0))") == "true");  // the range is the outer x
    CHECK(show("[1, 2].map(x, [10, 20].map(y, x + y))") == "[[11, 21], [12, 22]]");
    CHECK(show("[1, 2].map(x, [10].map(x, x) + [x])") == "[[10, 1], [10, 2]]");
    CHECK(show("[5].all(i, v, [7].all(i, w, i == 0 && w == 7) && v == 5 && i == 0)") == "true");
    CHECK(show("[1, 2].map(x, x).map(x, x * 2)") == "[2, 4]");
    // a macro variable shadows a declared variable of the same name, only inside the macro
    cel c(json{{"x", 100}, {"items", {1, 2}}});
    CHECK(c.show("items.map(x, x)") == "[1, 2]");
    CHECK(c.show("items.map(x, x)[0] + x") == "101");
    CHECK(c.show("items.map(y, x + y)") == "[101, 102]");
    CHECK(c.show("items.filter(x, x > 1).map(v, [v, x])") == "[[2, 100]]");
    // a root-scoped name skips the macro variable
    CHECK(c.show("items.map(x, .x + x)") == "[101, 102]");
    // more variables in scope than fit the evaluator's inline buffer (8)
    CHECK(show("[1].all(a, b, [1].all(c, d, [1].all(e, f, [1].all(g, h, [1].all(i, j, "
               "a + b + c + d + e + f + g + h + i + j == 5)))))") == "true");
    CHECK(show("[1].transformList(a, b, [2].transformList(c, d, [3].transformList(e, f, "
               "[4].transformList(g, h, [5].transformList(i, j, "
               "[b, d, f, h, j])))))") == "[[[[[[1, 2, 3, 4, 5]]]]]]");
    // sibling macros reuse slots without interfering
    CHECK(c.show("items.map(a, a * 10) + items.map(b, b)") == "[10, 20, 1, 2]");
    CHECK(c.show("items.exists(a, a == 2) && items.all(a, a < 3)") == "true");
}

// ------------------------------------------------------------------ timestamps and durations

TEST_CASE("CEL eval: timestamps") {
    CHECK(show("string(timestamp('2026-03-02T10:00:00Z'))") == R"("2026-03-02T10:00:00Z")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00+08:00'))") == R"("2026-03-02T02:00:00Z")");
    CHECK(show("string(timestamp('2026-03-02t10:00:00-01:30'))") == R"("2026-03-02T11:30:00Z")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00.123456789Z'))") ==
          R"("2026-03-02T10:00:00.123456789Z")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00.500z'))") == R"("2026-03-02T10:00:00.5Z")");
    CHECK(show("timestamp('1970-01-01T00:00:00Z')") == R"(timestamp("1970-01-01T00:00:00Z"))");
    CHECK(show("string(timestamp(0))") == R"("1970-01-01T00:00:00Z")");
    CHECK(show("string(timestamp(-1))") == R"("1969-12-31T23:59:59Z")");
    CHECK(show("int(timestamp('1970-01-01T00:01:00Z'))") == "60");
    CHECK(show("timestamp('2026-03-02T10:00:00Z') == timestamp('2026-03-02T18:00:00+08:00')") ==
          "true");
    CHECK(show("timestamp('2026-03-02T10:00:00Z') < timestamp('2026-03-02T10:00:00.000000001Z')") ==
          "true");
    CHECK(show("string(timestamp('0001-01-01T00:00:00Z'))") == R"("0001-01-01T00:00:00Z")");
    CHECK(show("string(timestamp('9999-12-31T23:59:59.999999999Z'))") ==
          R"("9999-12-31T23:59:59.999999999Z")");

    for (auto bad : {"2026-02-30T00:00:00Z", "2026-03-02 10:00:00Z", "2026-03-02T10:00:00",
                     "2026-03-02T24:00:00Z", "0000-01-01T00:00:00Z", "2026-3-2T10:00:00Z",
                     "2026-03-02T10:00:00.Z", "2026-03-02T10:00:00+0800", "", "now"}) {
        CAPTURE(bad);
        CHECK(show("timestamp('" + std::string(bad) + "')") ==
              "error(invalid_argument: invalid timestamp '" + std::string(bad) + "')");
    }
    CHECK(show("timestamp(253402300800)") == "error(overflow: timestamp out of range)");
    CHECK(show("timestamp(-62135596801)") == "error(overflow: timestamp out of range)");
    CHECK(show("timestamp(1.5)") == "error(no_such_overload: no such overload: timestamp(double))");
}

TEST_CASE("CEL eval: durations") {
    CHECK(show("string(duration('1h30m'))") == R"("5400s")");
    CHECK(show("string(duration('1.5s'))") == R"("1.5s")");
    CHECK(show("string(duration('-1.5h'))") == R"("-5400s")");
    CHECK(show("string(duration('+2m'))") == R"("120s")");
    CHECK(show("string(duration('100ms'))") == R"("0.1s")");
    CHECK(show("string(duration('1us'))") == R"("0.000001s")");
    CHECK(show("string(duration('1µs'))") == R"("0.000001s")");
    CHECK(show("string(duration('10ns'))") == R"("0.00000001s")");
    CHECK(show("string(duration('-1ns'))") == R"("-0.000000001s")");
    CHECK(show("string(duration('0'))") == R"("0s")");
    CHECK(show("string(duration('1h1m1s1ms'))") == R"("3661.001s")");
    CHECK(show("string(duration(60))") == R"("60s")");
    CHECK(show("string(duration('2562047h'))") == R"("9223369200s")");
    CHECK(show("string(duration('1.h'))") == R"("3600s")");  // as Go's time.ParseDuration
    CHECK(show("string(duration('9223372036.854775807s'))") == R"("9223372036.854775807s")");
    CHECK(show("string(duration('-9223372036.854775808s'))") == R"("-9223372036.854775808s")");
    for (auto bad :
         {"1d", "", "1", "h", ".s", "-", "1hh", "1h-1m", "9223372036.854775808s", "2562048h"}) {
        CAPTURE(bad);
        CHECK(show("duration('" + std::string(bad) + "')") ==
              "error(invalid_argument: invalid duration '" + std::string(bad) + "')");
    }
    CHECK(show("duration(9223372037)") == "error(overflow: duration out of range)");
    CHECK(show("duration('1h') > duration('59m')") == "true");
    CHECK(show("duration('60s') == duration('1m')") == "true");
}

TEST_CASE("CEL eval: timestamp and duration arithmetic") {
    CHECK(show("string(timestamp('2026-03-02T10:00:00Z') + duration('1h'))") ==
          R"("2026-03-02T11:00:00Z")");
    CHECK(show("string(duration('1h') + timestamp('2026-03-02T10:00:00Z'))") ==
          R"("2026-03-02T11:00:00Z")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00Z') - duration('36h'))") ==
          R"("2026-02-28T22:00:00Z")");
    CHECK(show("string(timestamp('2026-03-02T00:00:00Z') - timestamp('2026-03-01T00:00:00Z'))") ==
          R"("86400s")");
    CHECK(show("string(timestamp('2026-03-01T00:00:00Z') - timestamp('2026-03-02T00:00:00.5Z'))") ==
          R"("-86400.5s")");
    CHECK(show("string(duration('1.5s') + duration('0.75s'))") == R"("2.25s")");
    CHECK(show("string(duration('1s') - duration('1.5s'))") == R"("-0.5s")");
    CHECK(show("string(-duration('1.5s'))") == R"("-1.5s")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00.9Z') + duration('0.2s'))") ==
          R"("2026-03-02T10:00:01.1Z")");
    CHECK(show("string(timestamp('2026-03-02T10:00:00.1Z') - duration('0.2s'))") ==
          R"("2026-03-02T09:59:59.9Z")");

    CHECK(show("timestamp('9999-12-31T23:59:59Z') + duration('1s')") ==
          "error(overflow: timestamp overflow)");
    CHECK(show("timestamp('0001-01-01T00:00:00Z') - duration('1ns')") ==
          "error(overflow: timestamp overflow)");
    CHECK(show("timestamp('9999-12-31T23:59:59Z') - timestamp('0001-01-01T00:00:00Z')") ==
          "error(overflow: duration overflow)");
    CHECK(show("duration('9223372036s') + duration('1s')") == "error(overflow: duration overflow)");
    CHECK(show("duration('-9223372036s') - duration('1s')") ==
          "error(overflow: duration overflow)");
    // the most negative duration has no positive counterpart
    CHECK(show("-duration('-9223372036.854775808s')") == "error(overflow: duration overflow)");
    CHECK(show("string(-duration('-9223372036.854775807s'))") == R"("9223372036.854775807s")");

    CHECK(show("timestamp(0) + timestamp(0)") ==
          "error(no_such_overload: no such overload: google.protobuf.Timestamp + "
          "google.protobuf.Timestamp)");
    CHECK(show("duration('1s') - timestamp(0)") ==
          "error(no_such_overload: no such overload: google.protobuf.Duration - "
          "google.protobuf.Timestamp)");
    CHECK(show("duration('1s') * 2") ==
          "error(no_such_overload: no such overload: google.protobuf.Duration * int)");
    CHECK(show("-timestamp(0)") ==
          "error(no_such_overload: no such overload: -(google.protobuf.Timestamp))");
}

TEST_CASE("CEL eval: timestamp accessors and time zones") {
    // 2026-03-02 is a Monday; 20:30:15.25 UTC is 04:30 on Tuesday 3 March in Beijing.
    cel c;
    const std::string ts = "timestamp('2026-03-02T20:30:15.250Z')";
    CHECK(c.show(ts + ".getFullYear()") == "2026");
    CHECK(c.show(ts + ".getMonth()") == "2");       // 0-based
    CHECK(c.show(ts + ".getDate()") == "2");        // 1-based
    CHECK(c.show(ts + ".getDayOfMonth()") == "1");  // 0-based
    CHECK(c.show(ts + ".getDayOfWeek()") == "1");   // Sunday = 0
    CHECK(c.show(ts + ".getDayOfYear()") == "60");  // 0-based: 31 + 28 + 1
    CHECK(c.show(ts + ".getHours()") == "20");
    CHECK(c.show(ts + ".getMinutes()") == "30");
    CHECK(c.show(ts + ".getSeconds()") == "15");
    CHECK(c.show(ts + ".getMilliseconds()") == "250");

    for (auto zone : {"'Asia/Shanghai'", "'+08:00'", "'08:00'"}) {
        CAPTURE(zone);
        const std::string z(zone);
        CHECK(c.show(ts + ".getHours(" + z + ")") == "4");
        CHECK(c.show(ts + ".getMinutes(" + z + ")") == "30");
        CHECK(c.show(ts + ".getDate(" + z + ")") == "3");
        CHECK(c.show(ts + ".getDayOfMonth(" + z + ")") == "2");
        CHECK(c.show(ts + ".getDayOfWeek(" + z + ")") == "2");
        CHECK(c.show(ts + ".getDayOfYear(" + z + ")") == "61");
        CHECK(c.show(ts + ".getMonth(" + z + ")") == "2");
        CHECK(c.show(ts + ".getFullYear(" + z + ")") == "2026");
        CHECK(c.show(ts + ".getSeconds(" + z + ")") == "15");
        CHECK(c.show(ts + ".getMilliseconds(" + z + ")") == "250");
    }
    CHECK(c.show(ts + ".getHours('UTC')") == "20");
    CHECK(c.show(ts + ".getHours('-05:00')") == "15");
    CHECK(c.show(ts + ".getHours('America/New_York')") == "15");  // EST before 8 March
    CHECK(c.show("timestamp('2026-07-01T12:00:00Z').getHours('America/New_York')") == "8");  // EDT
    CHECK(c.show(ts + ".getMinutes('+05:45')") == "15");  // Nepal
    // a new year in Beijing is still the old one in UTC
    CHECK(c.show("timestamp('2025-12-31T16:00:00Z').getFullYear('Asia/Shanghai')") == "2026");
    CHECK(c.show("timestamp('2025-12-31T16:00:00Z').getMonth('Asia/Shanghai')") == "0");
    CHECK(c.show("timestamp('2025-12-31T16:00:00Z').getFullYear()") == "2025");

    for (auto bad : {"Mars/Olympus", "+8:00", "+24:00", "08:60", "asia/shanghai", "+08:00x"}) {
        CAPTURE(bad);
        CHECK(c.show(ts + ".getHours('" + bad + "')") ==
              "error(invalid_argument: unknown time zone '" + std::string(bad) + "')");
    }
    CHECK(c.show(ts + ".getHours(8)") ==
          "error(no_such_overload: no such overload: getHours(google.protobuf.Timestamp, int))");
    CHECK(c.show("'x'.getHours()") ==
          "error(no_such_overload: no such overload: getHours(string))");

    // durations have the time-unit accessors (totals) only
    CHECK(c.show("duration('3h25m45.5s').getHours()") == "3");
    CHECK(c.show("duration('3h25m45.5s').getMinutes()") == "205");
    CHECK(c.show("duration('3h25m45.5s').getSeconds()") == "12345");
    CHECK(c.show("duration('3h25m45.5s').getMilliseconds()") == "500");
    CHECK(c.show("duration('1h').getFullYear()") ==
          "error(no_such_overload: no such overload: getFullYear(google.protobuf.Duration))");
}

// ------------------------------------------------------------------ conversions

TEST_CASE("CEL eval: int(), uint(), double()") {
    CHECK(show("int(1.9)") == "1");
    CHECK(show("int(-1.9)") == "-1");
    CHECK(show("int(1u)") == "1");
    CHECK(show("int('42')") == "42");
    CHECK(show("int('-42')") == "-42");
    CHECK(show("int(true)") == "1");
    CHECK(show("int(9223372036854775807u)") == "9223372036854775807");
    CHECK(show("int(9223372036854775808u)") == "error(overflow: int() out of range)");
    CHECK(show("int(1e19)") == "error(overflow: int() out of range)");
    CHECK(show("int(-1e19)") == "error(overflow: int() out of range)");
    CHECK(show("int(double('NaN'))") == "error(overflow: int() out of range)");
    CHECK(show("int(double('Inf'))") == "error(overflow: int() out of range)");
    CHECK(show("int(-9223372036854774784.0)") == "-9223372036854774784");
    for (auto bad : {"4.2", "", "abc", "9223372036854775808", "1 ", "0x10"}) {
        CAPTURE(bad);
        CHECK(show("int('" + std::string(bad) + "')") ==
              "error(invalid_argument: cannot convert '" + std::string(bad) + "' to int)");
    }
    CHECK(show("int([])") == "error(no_such_overload: no such overload: int(list))");

    CHECK(show("uint(1)") == "1u");
    CHECK(show("uint(1.5)") == "1u");
    CHECK(show("uint('42')") == "42u");
    CHECK(show("uint(false)") == "0u");
    CHECK(show("uint(-1)") == "error(overflow: uint() out of range)");
    CHECK(show("uint(1.8446744073709552e19)") == "error(overflow: uint() out of range)");
    CHECK(show("uint(-1.0)") == "error(overflow: uint() out of range)");
    CHECK(show("uint('-1')") == "error(invalid_argument: cannot convert '-1' to uint)");
    CHECK(show("uint('18446744073709551616')") ==
          "error(invalid_argument: cannot convert '18446744073709551616' to uint)");

    CHECK(show("double(1)") == "1.0");
    CHECK(show("double(18446744073709551615u)") == "1.8446744073709552e+19");
    CHECK(show("double('1.5')") == "1.5");
    CHECK(show("double('-1e3')") == "-1000.0");
    CHECK(show("double('+2.5')") == "2.5");
    CHECK(show("double('Inf')") == "+Inf");
    CHECK(show("double('-Infinity')") == "-Inf");
    CHECK(show("double('NaN')") == "NaN");
    CHECK(show("double('1e999')") == "+Inf");
    CHECK(show("double(9007199254740993)") == "9.007199254740992e+15");
    for (auto bad : {"abc", "", "1.5x", "1,5"}) {
        CAPTURE(bad);
        CHECK(show("double('" + std::string(bad) + "')") ==
              "error(invalid_argument: cannot convert '" + std::string(bad) + "' to double)");
    }
    CHECK(show("double(true)") == "error(no_such_overload: no such overload: double(bool))");
}

TEST_CASE("CEL eval: string(), bool(), bytes()") {
    CHECK(show("string(1)") == R"("1")");
    CHECK(show("string(-9223372036854775808)") == R"("-9223372036854775808")");
    CHECK(show("string(18446744073709551615u)") == R"("18446744073709551615")");
    CHECK(show("string(1.5)") == R"("1.5")");
    CHECK(show("string(2.0)") == R"("2")");
    CHECK(show("string(123456.0)") == R"("123456")");
    CHECK(show("string(1e6)") == R"("1e+06")");
    CHECK(show("string(0.0001)") == R"("0.0001")");
    CHECK(show("string(0.00001)") == R"("1e-05")");
    CHECK(show("string(-1.5e-300)") == R"("-1.5e-300")");
    CHECK(show("string(double('NaN'))") == R"("NaN")");
    CHECK(show("string(true)") == R"("true")");
    CHECK(show("string(b'abc')") == R"("abc")");
    CHECK(show("string(b'\\xe4\\xb8\\xad')") == R"("中")");
    CHECK(show("string(b'\\xff')") == "error(invalid_argument: bytes are not valid UTF-8)");
    CHECK(show("string('x')") == R"("x")");
    CHECK(show("string(int)") == R"("int")");
    CHECK(show("string(type(timestamp(0)))") == R"("google.protobuf.Timestamp")");
    CHECK(show("string([1])") == "error(no_such_overload: no such overload: string(list))");
    CHECK(show("string(null)") == "error(no_such_overload: no such overload: string(null_type))");

    for (auto t : {"true", "True", "TRUE", "t", "T", "1"}) {
        CAPTURE(t);
        CHECK(show("bool('" + std::string(t) + "')") == "true");
    }
    for (auto f : {"false", "False", "FALSE", "f", "F", "0"}) {
        CAPTURE(f);
        CHECK(show("bool('" + std::string(f) + "')") == "false");
    }
    CHECK(show("bool('yes')") == "error(invalid_argument: cannot convert 'yes' to bool)");
    CHECK(show("bool(true)") == "true");
    CHECK(show("bool(1)") == "error(no_such_overload: no such overload: bool(int))");

    CHECK(show("bytes('abc') == b'abc'") == "true");
    CHECK(show("bytes('中').size()") == "3");
    CHECK(show("bytes(b'\\x00')") == R"(b"\x00")");
    CHECK(show("bytes(1)") == "error(no_such_overload: no such overload: bytes(int))");
}

TEST_CASE("CEL eval: type() and dyn()") {
    CHECK(show("type(1) == int") == "true");
    CHECK(show("type(1u) == uint") == "true");
    CHECK(show("type(1.0) == double") == "true");
    CHECK(show("type('a') == string") == "true");
    CHECK(show("type(b'a') == bytes") == "true");
    CHECK(show("type(true) == bool") == "true");
    CHECK(show("type(null) == null_type") == "true");
    CHECK(show("type([]) == list") == "true");
    CHECK(show("type({}) == map") == "true");
    CHECK(show("type(int) == type") == "true");
    CHECK(show("type(type(1)) == type(string)") == "true");
    CHECK(show("type(timestamp(0)) == google.protobuf.Timestamp") == "true");
    CHECK(show("type(duration('1s')) == google.protobuf.Duration") == "true");
    CHECK(show("type(1) == type(1u)") == "false");
    CHECK(show("type(1) == type(2)") == "true");
    CHECK(show("type(1)") == "int");
    CHECK(show("type(date('2026-01-01'))") == "date");
    CHECK(show("type(time_of_day('09:00'))") == "time_of_day");
    CHECK(code("type(1 / 0)") == eval_errc::division_by_zero);

    CHECK(show("dyn(1) == 1") == "true");
    CHECK(show("dyn(1) + 1") == "2");
    CHECK(show("type(dyn([1])) == list") == "true");
    CHECK(show("dyn('a') + dyn('b')") == R"("ab")");
}

// ------------------------------------------------------------------ compile once, run many

TEST_CASE("CEL eval: stable names of error codes and types") {
    // rule engines and scripts match on these
    CHECK(to_string(eval_errc::no_such_field) == "no_such_field");
    CHECK(to_string(eval_errc::no_such_key) == "no_such_key");
    CHECK(to_string(eval_errc::no_such_overload) == "no_such_overload");
    CHECK(to_string(eval_errc::division_by_zero) == "division_by_zero");
    CHECK(to_string(eval_errc::modulus_by_zero) == "modulus_by_zero");
    CHECK(to_string(eval_errc::overflow) == "overflow");
    CHECK(to_string(eval_errc::index_out_of_range) == "index_out_of_range");
    CHECK(to_string(eval_errc::invalid_argument) == "invalid_argument");
    CHECK(to_string(eval_errc::undeclared_reference) == "undeclared_reference");
    CHECK(to_string(eval_errc::unbound_function) == "unbound_function");
    CHECK(static_cast<int>(eval_errc::no_such_field) == 1);
    CHECK(static_cast<int>(eval_errc::unbound_function) == 10);
    CHECK(to_string(errc::parse_error) == "parse_error");
    CHECK(to_string(errc::compile_error) == "compile_error");
    CHECK(to_string(errc::limit_exceeded) == "limit_exceeded");
    CHECK(type_name(kind::null_) == "null_type");
    CHECK(type_name(kind::timestamp) == "google.protobuf.Timestamp");
    CHECK(type_name(kind::duration) == "google.protobuf.Duration");
    CHECK(type_name(kind::date) == "date");
    CHECK(type_name(kind::time_of_day) == "time_of_day");
}

TEST_CASE("CEL compile-once: input paths") {
    environment env;
    env.declare("app");
    env.declare("region");
    env.declare("limits.max");  // a qualified variable name
    auto paths_of = [&](std::string_view src) {
        return expression::compile(src, env).input_paths();
    };
    using v = std::vector<std::string>;
    CHECK(paths_of("app.applicant.history.violations_24m == 0 && app.numbers.size() <= 50") ==
          v{"app.applicant.history.violations_24m", "app.numbers"});
    CHECK(paths_of("has(app.materials.marketing_plan) || region == 'CN-GD'") ==
          v{"app.materials.marketing_plan", "region"});
    CHECK(paths_of("app.a.b + app.a.b + app.c") == v{"app.a.b", "app.c"});
    CHECK(paths_of("app") == v{"app"});
    CHECK(paths_of("app.x") == v{"app.x"});
    CHECK(paths_of("limits.max > 1 && limits.max.y") == v{"limits.max", "limits.max.y"});
    CHECK(paths_of(".app.x") == v{"app.x"});
    // a path read whole and below is listed both ways
    CHECK(paths_of("size(app.m) > 0 && app.m.k") == v{"app.m", "app.m.k"});
    // macro variables extend the path of their range
    CHECK(paths_of("app.numbers.all(n, n.kind == 'mobile' && n.owner.id > 0)") ==
          v{"app.numbers", "app.numbers[].kind", "app.numbers[].owner.id"});
    CHECK(paths_of("app.numbers.exists(n, has(n.kind))") == v{"app.numbers", "app.numbers[].kind"});
    CHECK(paths_of("app.m.all(k, v, v.x > 0)") == v{"app.m", "app.m[].x"});
    // dynamic selections stop the static path
    CHECK(paths_of("app['a'].b") == v{"app"});
    CHECK(paths_of("app.a[region].c.d") == v{"app.a", "region"});
    CHECK(paths_of("1 + 2").empty());
    CHECK(paths_of("{'a': 1}.a").empty());
}

TEST_CASE("CEL compile-once: constant folding and constants") {
    environment env;
    install_domain_functions(env, nullptr);  // phone_kind, below
    env.declare("app");
    auto constant = [&](std::string_view src) {
        return expression::compile(src, env).is_constant();
    };
    CHECK(constant("1 + 2"));
    CHECK(constant("date('2026-01-01') < date('2026-02-01')"));
    CHECK(constant("'abc'.size() * 2 == 6 && [1, 2, 3][1] == 2"));
    CHECK(constant("{'a': [1, 2]}.a.size()"));
    CHECK(constant("has({'a': 1}.a)"));
    CHECK(constant("'13800138000'.matches('^1[3-9][0-9]{9}$')"));
    CHECK(constant("phone_kind('13800138000') == 'mobile'"));
    CHECK_FALSE(constant("app.x + 1"));
    CHECK_FALSE(constant("app.x && false"));  // nothing is dropped, even when decidable
    CHECK_FALSE(constant("1 / 0"));           // errors are raised at run time, with context
    CHECK_FALSE(expression{}.is_constant());
    CHECK_FALSE(expression{}.valid());

    {
        const auto e = expression::compile("1 + 2", env);
        eval_context ctx;
        CHECK(e.evaluate({}, ctx).as_int() == 3);
        CHECK(e.valid());
        CHECK(e.source() == "1 + 2");
    }
    {
        // a folded error is still raised, at its place
        const auto e = expression::compile("  1 / 0", env);
        eval_context ctx;
        const value v = e.evaluate({}, ctx);
        REQUIRE(v.is_error());
        CHECK(e.describe(v.as_error()) == "1:5: division by zero (in `  1 / 0`)");
    }

    SUBCASE("constants are resolved at compile time") {
        environment penv;
        penv.declare("app");
        telecomply::arena a;
        value_builder b(a);
        json params = {{"max_numbers", 50}, {"regions", {"CN-GD", "CN-BJ"}}};
        penv.define_constant("params", b.from_json(params));
        penv.define_constant("ruleset.version", b.string("2026.1"));
        penv.define_constant("limit", value::from_int(10));
        a.reset();  // define_constant copied the values
        const auto e1 = expression::compile("params.max_numbers * 2 + limit", penv);
        CHECK(e1.is_constant());
        CHECK(e1.input_paths().empty());
        // the constants it read, as it read them (what lint's unused-parameter check uses)
        CHECK(e1.constant_paths() == std::vector<std::string>{"params.max_numbers", "limit"});
        const auto e_whole =
            expression::compile("size(app.numbers) > params['max_' + 'numbers']", penv);
        CHECK(e_whole.constant_paths() == std::vector<std::string>{"params"});  // as a whole
        eval_context ctx;
        CHECK(e1.evaluate({}, ctx).as_int() == 110);
        const auto e2 =
            expression::compile("'CN-GD' in params.regions && ruleset.version == '2026.1'", penv);
        CHECK(e2.is_constant());
        CHECK(e2.evaluate({}, ctx).is_true());
        const auto e3 = expression::compile("app.count <= params.max_numbers", penv);
        CHECK_FALSE(e3.is_constant());
        CHECK(e3.input_paths() == std::vector<std::string>{"app.count"});
        const auto doc = document::parse(R"({"count": 51})");
        const value vars[] = {doc.root()};
        CHECK(e3.evaluate(vars, ctx).is_false());
        // a later definition replaces an earlier one, for later compilations only
        penv.define_constant("limit", value::from_int(20));
        CHECK(e1.evaluate({}, ctx).as_int() == 110);
        CHECK(expression::compile("params.max_numbers * 2 + limit", penv)
                  .evaluate({}, ctx)
                  .as_int() == 120);
        // constants are not variables
        CHECK(penv.slot("params") == -1);
        CHECK(penv.slot_count() == 1);
    }
}

TEST_CASE("CEL compile-once: environment variables and slots") {
    environment env;
    CHECK(env.declare("a") == 0);
    CHECK(env.declare("b.c") == 1);
    CHECK(env.declare("a") == 0);
    CHECK(env.slot("b.c") == 1);
    CHECK(env.slot("b") == -1);
    CHECK(env.slot_count() == 2);
    const auto e = expression::compile("a + b.c", env);
    eval_context ctx;
    const value both[] = {value::from_int(1), value::from_int(2)};
    CHECK(e.evaluate(both, ctx).as_int() == 3);
    // a slot without a value is an undeclared reference at run time
    const value one[] = {value::from_int(1)};
    const value v = e.evaluate(one, ctx);
    REQUIRE(v.is_error());
    CHECK(v.as_error().code == eval_errc::undeclared_reference);
    CHECK(v.as_error().message == "undeclared reference to 'b.c'");
    // copies of an environment are independent
    environment copy = env;
    copy.declare("z");
    CHECK(env.slot("z") == -1);
    CHECK(copy.slot("z") == 2);
    // an unevaluable expression object
    CHECK_THROWS_AS((void)expression{}.evaluate({}, ctx), usage_error);
    CHECK_THROWS_AS(env.add_function("f", 1, false, nullptr), usage_error);
}

namespace {
value fn_twice(const value* args, eval_context& ctx) {
    if (args[0].kind() != kind::int_) return ctx.error(eval_errc::no_such_overload, "twice(int)");
    return value::from_int(args[0].as_int() * 2);
}
value fn_greet(const value* args, eval_context& ctx) {
    if (args[0].kind() != kind::string) return ctx.error(eval_errc::invalid_argument, "not a name");
    value_builder b(ctx.arena());
    return b.string("hello " + std::string(args[0].as_string()));
}
}  // namespace

TEST_CASE("CEL compile-once: native functions") {
    environment env;
    env.declare("x");
    env.add_function("twice", 1, false, fn_twice);
    env.add_function("greet", 1, true, fn_greet, false);
    eval_context ctx;
    const value vars[] = {value::from_int(21)};
    CHECK(expression::compile("twice(x)", env).evaluate(vars, ctx).as_int() == 42);
    CHECK(expression::compile("twice(4)", env).is_constant());  // pure and constant: folded
    CHECK_FALSE(expression::compile("'bob'.greet()", env).is_constant());  // impure
    const auto g = expression::compile("'bob'.greet()", env);
    CHECK(g.evaluate({}, ctx).to_string() == R"("hello bob")");
    const auto bad = expression::compile("  1.greet()", env);
    const value err = bad.evaluate({}, ctx);
    REQUIRE(err.is_error());
    CHECK(err.as_error().code == eval_errc::invalid_argument);
    CHECK(bad.describe(err.as_error()) == "1:4: not a name (in `  1.greet()`)");
    // arguments are strict: an error never reaches the function
    CHECK(expression::compile("twice(1 / 0)", env).evaluate({}, ctx).as_error().code ==
          eval_errc::division_by_zero);
    CHECK(compile_error_code("greet('bob')", env) == errc::compile_error);
}

namespace {
// typed overloads: the bodies never see another kind
std::int64_t times(std::int64_t a, std::int64_t b) {
    return a * b;
}
value repeat(eval_context& ctx, std::string_view s, std::int64_t n) {
    if (n < 0) return ctx.error(eval_errc::invalid_argument, "negative count");
    std::string out;
    for (std::int64_t i = 0; i < n; ++i)
        out += s;
    return value::from_string(ctx.arena().copy(out));
}
std::int64_t length_of(of_kind<kind::list, kind::map> v) {
    return v.v.size();
}
bool in_set(const std::vector<std::string>& allowed, eval_context&, std::string_view x) {
    return std::find(allowed.begin(), allowed.end(), x) != allowed.end();
}
std::int64_t count_of(const std::vector<std::string>& allowed, eval_context&) noexcept {
    return static_cast<std::int64_t>(allowed.size());
}
std::int64_t answer() {
    return 42;
}
// a parameter type with a finer test than its kinds: a string of digits
struct digits {
    std::string_view text;
};
}  // namespace

template <>
struct telecomply::arg_traits<digits> {
    static constexpr kind_set kinds = kind::string;
    static bool accepts(const value& v) {
        const auto s = v.as_string();
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    }
    static digits get(const value& v) { return {v.as_string()}; }
};

namespace {
std::int64_t digit_count(digits d) {
    return static_cast<std::int64_t>(d.text.size());
}
std::string eval_text(const std::string& src, const environment& env) {
    eval_context ctx;
    const auto e = expression::compile(src, env);  // a folded result lives in its constants
    const value v = e.evaluate({}, ctx);
    return v.is_error() ? "error(" + std::string(v.as_error().message) + ")" : v.to_string();
}
}  // namespace

TEST_CASE("CEL function registry: typed overloads") {
    environment env;
    add_overload<times>(env, "times", false);
    add_overload<repeat>(env, "repeat", true);
    add_overload<length_of>(env, "length", false);
    add_overload<digit_count>(env, "digits", false);
    add_overload<in_set>(
        env, "allowed", false,
        std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"CN", "CN-GD"}));
    CHECK(eval_text("times(6, 7)", env) == "42");
    CHECK(eval_text("'ab'.repeat(3)", env) == R"("ababab")");
    CHECK(eval_text("length([1, 2, 3]) + length({'a': 1})", env) == "4");
    CHECK(eval_text("allowed('CN-GD') && !allowed('CN-XX')", env) == "true");
    // "no such overload" is built in one place, from the arguments' kinds
    CHECK(eval_text("times(6, 7.0)", env) == "error(no such overload: times(int, double))");
    CHECK(eval_text("1.repeat(2)", env) == "error(no such overload: repeat(int, int))");
    CHECK(eval_text("length('abc')", env) == "error(no such overload: length(string))");
    CHECK(eval_text("'ab'.repeat(-1)", env) == "error(negative count)");
    // a filter refines the kinds
    CHECK(eval_text("digits('0123')", env) == "4");
    CHECK(eval_text("digits('12a')", env) == "error(no such overload: digits(string))");
    // functions are strict: an error argument is returned without calling
    CHECK(eval_text("times(1 / 0, 2)", env) == "error(division by zero)");
    // pure typed calls with constant arguments are folded at compile time
    CHECK(expression::compile("times(6, 7)", env).is_constant());
    // overloads on other kinds add to a function; the same kinds again replace it
    add_overload<length_of>(env, "times", false);  // times(list|map): another arity, no effect
    add_overload<digit_count>(env, "length", false);
    CHECK(eval_text("length('12') + length([1])", env) == "3");
    env.add_function("times", 2, false,
                     [](const value*, eval_context&) { return value::from_int(0); });
    CHECK(eval_text("times(6, 7)", env) == "0");  // an untyped overload hides the typed one
    // a noexcept function with state, given as a shared_ptr to non-const
    add_overload<count_of>(env, "allowed_count", false,
                           std::make_shared<std::vector<std::string>>(
                               std::vector<std::string>{"CN", "CN-GD", "CN-SC"}));
    CHECK(eval_text("allowed_count()", env) == "3");
    // a member function needs a receiver
    CHECK_THROWS_AS(add_overload<answer>(env, "answer", true), usage_error);
    // the state lives as long as an expression compiled with it
    std::shared_ptr<const std::vector<std::string>> state =
        std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"x"});
    std::weak_ptr<const std::vector<std::string>> watch = state;
    expression kept;
    {
        environment e2;
        add_overload<in_set>(e2, "allowed", false, std::move(state));
        kept = expression::compile("allowed('x')", e2);
    }
    CHECK_FALSE(watch.expired());
    eval_context ctx;
    CHECK(kept.evaluate({}, ctx).as_bool());
    kept = expression{};
    CHECK(watch.expired());
}

TEST_CASE("CEL compile-once: one expression evaluated from four threads") {
    environment env;
    install_domain_functions(env, nullptr);
    env.declare("app");
    const auto e = expression::compile(
        "app.numbers.filter(n, phone_kind(n) == 'mobile').map(n, n + '#' + string(app.id)).size() "
        "+ app.id * 1000 + (app.at.getHours('Asia/Shanghai') == (app.id + 8) % 24 ? 0 : 100)",
        env);
    std::vector<document> docs;
    for (int t = 0; t < 4; ++t) {
        json numbers = json::array();
        for (int i = 0; i <= t; ++i)
            numbers.push_back("1380013800" + std::to_string(i));
        numbers.push_back("010-12345678");
        docs.push_back(document::build([&](value_builder& b) {
            map_entry* entries = nullptr;
            const value root = b.map(3, entries);
            entries[0] = {b.string("id"), value::from_int(t)};
            entries[1] = {b.string("numbers"), b.from_json(numbers)};
            entries[2] = {b.string("at"), value::from_timestamp({std::int64_t{t} * 3600, 0})};
            return root;
        }));
    }
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            eval_context ctx;
            const value vars[] = {docs[static_cast<std::size_t>(t)].root()};
            for (int i = 0; i < 2000; ++i) {
                ctx.reset();
                const value v = e.evaluate(vars, ctx);
                if (v.kind() != kind::int_ || v.as_int() != t * 1000 + t + 1) ++wrong;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(wrong.load() == 0);
}

TEST_CASE("CEL compile-once: a reused eval_context does not grow") {
    environment env;
    env.declare("app");
    const auto e = expression::compile(
        "app.numbers.map(n, n + '-' + string(app.id)).filter(s, s.size() > 3).size() == 3", env);
    const auto doc = document::parse(R"({"id": 7, "numbers": ["a1", "b2", "c3"]})");
    const value vars[] = {doc.root()};
    eval_context ctx;
    REQUIRE(e.evaluate(vars, ctx).is_true());
    const std::size_t one = ctx.arena().used();
    CHECK(one > 0);
    for (int i = 0; i < 10'000; ++i) {
        ctx.reset();
        CHECK(ctx.arena().used() == 0);
        const value v = e.evaluate(vars, ctx);
        if (!v.is_true() || ctx.arena().used() != one) {
            FAIL_CHECK("evaluation " << i << " gave " << v << " using " << ctx.arena().used());
            break;
        }
    }
    ctx.reset();
    CHECK(ctx.arena().used() == 0);
}

TEST_CASE("CEL compile-once: evaluate_once") {
    telecomply::arena a;
    value_builder b(a);
    const std::vector<std::pair<std::string, value>> vars = {{"x", value::from_int(2)},
                                                             {"s", b.string("abc")}};
    const value v = evaluate_once("[x, s.size(), nosuch]", vars, b);
    REQUIRE(v.kind() == kind::error);  // unchecked: an unknown name is a runtime error
    CHECK(v.as_error().code == eval_errc::undeclared_reference);
    const value ok = evaluate_once("{'n': x * 10, 's': s + '!'}", vars, b);
    CHECK(ok.to_string() == R"({"n": 20, "s": "abc!"})");  // copied out of the evaluation
    CHECK_THROWS_AS((void)evaluate_once("1 +", vars, b), expression_error);
}
