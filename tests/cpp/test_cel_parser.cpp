// The CEL parser and compiler: literals, operator precedence, member syntax, comments, parse
// errors with their positions and messages, and compile-time errors.

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "expr/cel_ast.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

using namespace telecomply;
using namespace std::string_literals;

namespace {

// ---- helpers

// The syntax tree in a prefix form that shows grouping: `_+_(a, _*_(b, c))`.
std::string render(const detail::ast_node& n) {
    auto join = [](const std::vector<detail::ast_ptr>& args, std::size_t from) {
        std::string out;
        for (std::size_t i = from; i < args.size(); ++i)
            out += (i != from ? ", " : "") + render(*args[i]);
        return out;
    };
    switch (n.kind) {
        case detail::ast_kind::literal:
            return n.lit.to_string();
        case detail::ast_kind::ident:
            return n.name;
        case detail::ast_kind::select:
            return render(*n.args[0]) + "." + n.name;
        case detail::ast_kind::call:
            if (n.member) return render(*n.args[0]) + "." + n.name + "(" + join(n.args, 1) + ")";
            return n.name + "(" + join(n.args, 0) + ")";
        case detail::ast_kind::list:
            return "[" + join(n.args, 0) + "]";
        case detail::ast_kind::map: {
            std::string out = "{";
            for (std::size_t i = 0; i < n.args.size(); i += 2)
                out += (i != 0 ? ", " : "") + render(*n.args[i]) + ": " + render(*n.args[i + 1]);
            return out + "}";
        }
        case detail::ast_kind::message:
            return n.name + "{...}";
    }
    return "?";
}

std::string ast(std::string_view src) {
    telecomply::arena a;
    value_builder b(a);
    const expression_limits limits;
    auto root = detail::parse(src, b, limits);
    return render(*root);
}

// Evaluates `src` (unchecked, no variables) and renders the result in CEL syntax, e.g. `3u`,
// `"abc"`, `error(overflow: integer overflow)`.
std::string show(std::string_view src) {
    telecomply::arena a;
    value_builder b(a);
    const std::vector<std::pair<std::string, value>> none;
    return evaluate_once(src, none, b).to_string();
}

// Evaluates `src` with a map variable `m` (given as JSON) in a checked environment.
std::string show_m(std::string_view src, std::string_view m_json) {
    environment env;
    env.declare("m");
    const auto doc = document::parse(m_json);
    const auto e = expression::compile(src, env);
    eval_context ctx;
    const value vars[] = {doc.root()};
    return e.evaluate(vars, ctx).to_string();
}

struct failure {
    errc code{};
    std::uint32_t line = 0, column = 0;
    std::string message;
};

// The expression_error that compiling `src` throws.
failure compile_failure(std::string_view src, const environment& env) {
    try {
        (void)expression::compile(src, env);
    } catch (const expression_error& e) {
        // what() is "line:column: message"
        CHECK(std::string(e.what()) == std::to_string(e.where().line) + ":" +
                                           std::to_string(e.where().column) + ": " + e.message());
        return {e.code(), e.where().line, e.where().column, e.message()};
    }
    FAIL_CHECK("no expression_error for: " << src);
    return {};
}

failure parse_failure(std::string_view src) {
    environment env;
    env.set_unchecked(true);  // only the parser can fail
    auto f = compile_failure(src, env);
    CHECK(f.code == errc::parse_error);
    return f;
}

failure checked_failure(std::string_view src) {
    environment env;
    env.declare("m");
    auto f = compile_failure(src, env);
    CHECK(f.code == errc::compile_error);
    return f;
}

}  // namespace

// ------------------------------------------------------------------ literals

TEST_CASE("CEL parser: integer literals") {
    CHECK(show("0") == "0");
    CHECK(show("42") == "42");
    CHECK(show("0x1F") == "31");
    CHECK(show("0XfF") == "255");
    CHECK(show("0x7fffffffffffffff") == "9223372036854775807");
    CHECK(show("9223372036854775807") == "9223372036854775807");
    // The most negative int is written with a minus folded into the literal.
    CHECK(show("-9223372036854775808") == "-9223372036854775808");
    CHECK(show("-0x8000000000000000") == "-9223372036854775808");
    CHECK(ast("-9223372036854775808") == "-9223372036854775808");
    CHECK(ast("-1") == "-1");
    CHECK(ast("- 1") == "-1");
    // Only the innermost minus folds; the others negate at run time.
    CHECK(ast("--1") == "-_(-1)");
    CHECK(show("--1") == "1");
    CHECK(show("--9223372036854775808") == "error(overflow: integer overflow)");
    CHECK(ast("-(1)") == "-_(1)");
    CHECK(ast("-x") == "-_(x)");

    SUBCASE("out of range") {
        for (auto src : {"9223372036854775808", "-9223372036854775809", "0x8000000000000000",
                         "-(9223372036854775808)", "99999999999999999999", "0x10000000000000000",
                         "18446744073709551616u"}) {
            CAPTURE(src);
            const auto f = parse_failure(src);
            CHECK(f.message == "integer literal out of range");
        }
        const auto f = parse_failure("1 + 9223372036854775808");
        CHECK(f.line == 1);
        CHECK(f.column == 5);
    }
}

TEST_CASE("CEL parser: unsigned literals") {
    CHECK(show("0u") == "0u");
    CHECK(show("1u") == "1u");
    CHECK(show("7U") == "7u");
    CHECK(show("0x10u") == "16u");
    CHECK(show("18446744073709551615u") == "18446744073709551615u");
    CHECK(show("0xFFFFFFFFFFFFFFFFu") == "18446744073709551615u");
    CHECK(show("type(1u) == uint") == "true");
    // a minus never folds into an unsigned literal: -1u is negation of a uint
    CHECK(show("-1u") == "error(no_such_overload: no such overload: -(uint))");
}

TEST_CASE("CEL parser: floating-point literals") {
    CHECK(show("1.5") == "1.5");
    CHECK(show(".5") == "0.5");
    CHECK(show("0.0") == "0.0");
    CHECK(show("1e3") == "1000.0");
    CHECK(show("1E3") == "1000.0");
    CHECK(show("1.5e+2") == "150.0");
    CHECK(show("2.5e-3") == "0.0025");
    CHECK(show("-1.5") == "-1.5");
    CHECK(show("type(1e0) == double") == "true");
    CHECK(show("1e400") == "+Inf");  // overflow is infinity, as strtod
    CHECK(show("1e-400") == "0.0");
    CHECK(show("-0.0") == "-0.0");
    // a leading-dot double right after '?' is a conditional, not optional syntax
    CHECK(show("true?.5:1.5") == "0.5");
    CHECK(show("false ?1:.25") == "0.25");
    // `1.` is not a double in CEL's lexis: it is 1 followed by a selection.
    CHECK(parse_failure("1.").message ==
          "expected a field or method name after '.' but found end of expression");
    for (auto src : {"1e", "1e+", "1.5E-"}) {
        CAPTURE(src);
        CHECK(parse_failure(src).message == "malformed exponent in number");
    }
    CHECK(parse_failure("0x").message == "expected hexadecimal digits after '0x'");
    CHECK(parse_failure("0xg").message == "expected hexadecimal digits after '0x'");
    CHECK(parse_failure("123abc").message == "unexpected character after number");
    CHECK(parse_failure("1uu").message == "unexpected character after number");
}

TEST_CASE("CEL parser: string literals and escapes") {
    CHECK(show(R"("abc")") == R"("abc")");
    CHECK(show("'abc'") == R"("abc")");
    CHECK(show("''") == R"("")");
    CHECK(show(R"('"')") == R"("\"")");
    CHECK(show(R"("'")") == R"("'")");

    // Every escape of the spec, checked byte by byte.
    telecomply::arena a;
    value_builder b(a);
    const std::vector<std::pair<std::string, value>> none;
    auto str = [&](std::string_view src) {
        const value v = evaluate_once(src, none, b);
        REQUIRE(v.kind() == kind::string);
        return std::string(v.as_string());
    };
    auto bytes = [&](std::string_view src) {
        const value v = evaluate_once(src, none, b);
        REQUIRE(v.kind() == kind::bytes);
        return std::string(v.as_string());
    };
    CHECK(str(R"("\a\b\f\n\r\t\v")") == "\a\b\f\n\r\t\v");
    CHECK(str(R"("\\ \' \" \` \?")") == "\\ ' \" ` ?");
    CHECK(str(R"("\x41\X42\x7e")") == "AB~");
    CHECK(str(R"("\101\000\177")") == "A\0\x7f"s);
    CHECK(str(R"("\u00e9\u4E2D")") == "\u00e9\u4e2d");
    CHECK(str(R"("\U0001F600")") == "\U0001F600");
    // In strings \xFF and \377 are the code point U+00FF (two UTF-8 bytes)...
    CHECK(str(R"("\xFF")") == "\u00ff");
    CHECK(str(R"("\377")") == "\u00ff");
    CHECK(str(R"("中文")") == "中文");
    CHECK(show(R"("中文".size())") == "2");
    // ... in bytes they are one octet.
    CHECK(bytes(R"(b"\xFF")") == "\xff");
    CHECK(bytes(R"(b"\377")") == "\xff");
    CHECK(bytes(R"(b"\303\277")") == "\xc3\xbf");
    CHECK(bytes(R"(b"ÿ")") == "\xc3\xbf");
    CHECK(bytes("B'abc'") == "abc");
    CHECK(show("b'abc'.size()") == "3");
    CHECK(show("b'\\xff'.size()") == "1");

    SUBCASE("raw strings") {
        CHECK(str(R"(r"\n\d")") == R"(\n\d)");
        CHECK(str(R"(R'\x41')") == R"(\x41)");
        CHECK(bytes(R"(br"\x41")") == R"(\x41)");
        CHECK(bytes(R"(rb'\x41')") == R"(\x41)");
        CHECK(bytes(R"(BR"\\")") == R"(\\)");
        CHECK(str(R"(r"\\")") == R"(\\)");
    }
    SUBCASE("triple-quoted strings") {
        CHECK(str("'''x''x'''") == "x''x");
        CHECK(str(R"("""a "quoted" word""")") == R"(a "quoted" word)");
        CHECK(str("'''line 1\nline 2'''") == "line 1\nline 2");
        CHECK(str("r'''\\n\n'''") == "\\n\n");
        CHECK(str(R"("""\t""")") == "\t");
        CHECK(bytes("b'''\n'''") == "\n");
    }
}

TEST_CASE("CEL parser: bool, null, lists and maps") {
    CHECK(show("true") == "true");
    CHECK(show("false") == "false");
    CHECK(show("null") == "null");
    CHECK(show("type(null) == null_type") == "true");
    CHECK(show("[]") == "[]");
    CHECK(show("[1, 'a', 2.5, null]") == R"([1, "a", 2.5, null])");
    CHECK(show("[1, 2, 3,]") == "[1, 2, 3]");
    CHECK(show("[[1], [2, [3]]]") == "[[1], [2, [3]]]");
    CHECK(show("{}") == "{}");
    CHECK(show("{'a': 1, 'b': [2],}") == R"({"a": 1, "b": [2]})");
    CHECK(show("{1: 'x', true: 'y', 2u: 'z'}") == R"({1: "x", true: "y", 2u: "z"})");
    CHECK(ast("{'a': 1,}") == R"({"a": 1})");
    CHECK(parse_failure("[,]").message == "expected an expression but found ','");
    CHECK(parse_failure("{,}").message == "expected an expression but found ','");
    CHECK(parse_failure("[1,,2]").message == "expected an expression but found ','");
}

// ------------------------------------------------------------------ grammar

TEST_CASE("CEL parser: operator precedence and associativity") {
    CHECK(ast("a + b * c") == "_+_(a, _*_(b, c))");
    CHECK(ast("a * b + c") == "_+_(_*_(a, b), c)");
    CHECK(ast("a - b - c") == "_-_(_-_(a, b), c)");
    CHECK(ast("a / b % c * d") == "_*_(_%_(_/_(a, b), c), d)");
    CHECK(ast("a + b < c + d") == "_<_(_+_(a, b), _+_(c, d))");
    CHECK(ast("a < b == c") == "_==_(_<_(a, b), c)");
    CHECK(ast("a in b == c") == "_==_(@in(a, b), c)");
    CHECK(ast("a != b >= c <= d > e") == "_>_(_<=_(_>=_(_!=_(a, b), c), d), e)");
    CHECK(ast("a == b && c") == "_&&_(_==_(a, b), c)");
    CHECK(ast("a || b && c") == "_||_(a, _&&_(b, c))");
    CHECK(ast("a && b || c && d") == "_||_(_&&_(a, b), _&&_(c, d))");
    CHECK(ast("a || b || c") == "_||_(_||_(a, b), c)");
    CHECK(ast("!a && b") == "_&&_(!_(a), b)");
    CHECK(ast("!!a") == "!_(!_(a))");
    CHECK(ast("-a * b") == "_*_(-_(a), b)");
    CHECK(ast("-a.b") == "-_(a.b)");
    CHECK(ast("!a.b(c)") == "!_(a.b(c))");
    CHECK(ast("-a[0]") == "-_(_[_](a, 0))");
    CHECK(ast("(a + b) * c") == "_*_(_+_(a, b), c)");
    CHECK(ast("a ? b : c") == "_?_:_(a, b, c)");
    CHECK(ast("a ? b : c ? d : e") == "_?_:_(a, b, _?_:_(c, d, e))");
    CHECK(ast("a || b ? c && d : e") == "_?_:_(_||_(a, b), _&&_(c, d), e)");
    CHECK(ast("a ? (b ? c : d) : e") == "_?_:_(a, _?_:_(b, c, d), e)");
    // The middle of a conditional is a ConditionalOr: nesting needs parentheses.
    CHECK(parse_failure("a ? b ? c : d : e").message == "expected ':' but found '?'");

    // and the evaluator agrees
    CHECK(show("1 + 2 * 3 - 4 / 2 % 3") == "5");
    CHECK(show("10 - 4 - 3") == "3");
    CHECK(show("100 / 10 / 5") == "2");
    CHECK(show("2 * 3 % 4") == "2");
    CHECK(show("-2 * -3") == "6");
    CHECK(show("true || false && false") == "true");
    CHECK(show("!true || true") == "true");
    CHECK(show("!(true || true)") == "false");
    CHECK(show("1 < 2 == true") == "true");
    CHECK(show("(1 < 2) == (2 < 3)") == "true");
    // relations are left-associative: (1 < 2 == 2) < 3 compares a bool with an int
    CHECK(show("1 < 2 == 2 < 3") == "error(no_such_overload: no such overload: bool < int)");
    CHECK(show("2 in [1, 2] == true") == "true");
    CHECK(show("false ? 1 : true ? 2 : 3") == "2");
    CHECK(show("false ? 1 : false ? 2 : 3") == "3");
    CHECK(show("true ? 1 : false ? 2 : 3") == "1");
    CHECK(show("!!!true") == "false");
}

TEST_CASE("CEL parser: member calls, selection and indexing") {
    CHECK(ast("a.b.c") == "a.b.c");
    CHECK(ast(".a.b") == ".a.b");
    CHECK(ast("a.f(1, 2)") == "a.f(1, 2)");
    CHECK(ast("f()") == "f()");
    CHECK(ast("x.y[0].z(1)[2]") == "_[_](_[_](x.y, 0).z(1), 2)");
    CHECK(ast("[1, 2][0]") == "_[_]([1, 2], 0)");
    CHECK(ast("{'a': 1}['a']") == R"(_[_]({"a": 1}, "a"))");
    CHECK(ast("'abc'.size()") == R"("abc".size())");
    CHECK(ast("a.all(x, x > 0)") == "a.all(x, _>_(x, 0))");

    CHECK(show("'abc'.size()") == "3");
    CHECK(show("size('abc')") == "3");
    CHECK(show("[1, 2, 3][1]") == "2");
    CHECK(show("{'a': {'b': [10, 20]}}['a']['b'][1]") == "20");
    CHECK(show("{'a': {'b': 1}}.a.b") == "1");
    CHECK(show("'abc'.startsWith('a') && 'abc'.endsWith('bc')") == "true");
    CHECK(show_m("m.a.b[1].c", R"({"a": {"b": [{"c": 1}, {"c": 2}]}})") == "2");
}

TEST_CASE("CEL parser: quoted field names") {
    CHECK(ast("a.`content-type`") == "a.content-type");
    const auto m = R"({"content-type": "json", "a.b": 1, "x y": true, "中文": 2})";
    CHECK(show_m("m.`content-type`", m) == R"("json")");
    CHECK(show_m("m.`a.b`", m) == "1");
    CHECK(show_m("m.`x y`", m) == "true");
    CHECK(show_m("m.`中文`", m) == "2");
    CHECK(show_m("has(m.`content-type`)", m) == "true");
    CHECK(show_m("has(m.`content-length`)", m) == "false");
    // quoting names a field, never a call or a variable
    CHECK(parse_failure("m.`size`()").message == "expected end of expression but found '('");
    const auto top = parse_failure("`a`");
    CHECK(top.message == "a quoted identifier can only follow '.'");
    CHECK(top.column == 1);
    for (auto src : {"m.``", "m.`abc", "m.`a\nb`"}) {
        CAPTURE(src);
        const auto f = parse_failure(src);
        CHECK(f.message == "unterminated or empty quoted identifier");
        CHECK(f.line == 1);
        CHECK(f.column == 3);
    }
}

TEST_CASE("CEL parser: reserved words") {
    for (auto w : {"as", "break", "const", "continue", "else", "for", "function", "if", "import",
                   "let", "loop", "package", "namespace", "return", "var", "void", "while"}) {
        CAPTURE(w);
        const std::string word(w);
        const auto f = parse_failure(word);
        CHECK(f.message == "'" + word + "' is a reserved word");
        CHECK(f.column == 1);
        // also as a function name, a root-scoped name and a macro variable
        CHECK(parse_failure(word + "(1)").message == "'" + word + "' is a reserved word");
        const auto rooted = parse_failure("." + word);
        CHECK(rooted.message == "'" + word + "' is a reserved word");
        CHECK(rooted.column == 2);
        CHECK(parse_failure("[1].all(" + word + ", true)").column == 9);
        // but fine as a field name
        CHECK(show_m("m." + word, "{\"" + word + "\": 7}") == "7");
        CHECK(show_m("has(m." + word + ")", "{}") == "false");
    }
    CHECK(show_m("m.if.while", R"({"if": {"while": 1}})") == "1");
    CHECK(parse_failure("in").message == "expected an expression but found 'in'");
    // identifiers that merely start with a reserved word are ordinary names
    CHECK(show_m("m.iffy + m.format", R"({"iffy": 1, "format": 2})") == "3");
    environment env;
    env.declare("iffy");
    env.declare("format_");
    CHECK_NOTHROW((void)expression::compile("iffy && format_", env));
}

TEST_CASE("CEL parser: comments and whitespace") {
    CHECK(show("1 + // one\n 2") == "3");
    CHECK(show("// leading comment\n 40 + 2 // trailing comment") == "42");
    CHECK(show("[1, // 第一\n 2]") == "[1, 2]");
    CHECK(show("4 / 2") == "2");
    CHECK(show("\t1\r\n+\f2\v") == "3");
    CHECK(show("'// not a comment'") == R"("// not a comment")");
    CHECK(parse_failure("// only a comment").message ==
          "expected an expression but found end of expression");
    CHECK(parse_failure("").message == "expected an expression but found end of expression");
}

// ------------------------------------------------------------------ parse errors

TEST_CASE("CEL parser: parse errors give the line, column and what was expected") {
    struct bad {
        std::string_view src;
        std::uint32_t line, column;
        std::string_view message;
    };
    const bad cases[] = {
        {"1 +", 1, 4, "expected an expression but found end of expression"},
        {"(1 + 2", 1, 7, "expected ')' but found end of expression"},
        {"(1 + 2]", 1, 7, "expected ')' but found ']'"},
        {"a = b", 1, 3, "unexpected '=' (did you mean '=='?)"},
        {"a & b", 1, 3, "unexpected '&' (did you mean '&&'?)"},
        {"a | b", 1, 3, "unexpected '|' (did you mean '||'?)"},
        {"1 2", 1, 3, "expected end of expression but found '2'"},
        {"a.", 1, 3, "expected a field or method name after '.' but found end of expression"},
        {"a.1", 1, 2, "expected end of expression but found '.1'"},
        {"a ? b", 1, 6, "expected ':' but found end of expression"},
        {"{1 2}", 1, 4, "expected ':' but found '2'"},
        {"{1: }", 1, 5, "expected an expression but found '}'"},
        {"a && || b", 1, 6, "expected an expression but found '||'"},
        {"f(1, 2", 1, 7, "expected ',' or ')' but found end of expression"},
        {"f(1 2)", 1, 5, "expected ',' or ')' but found '2'"},
        {"[1, 2", 1, 6, "expected ',' or ']' but found end of expression"},
        {"{'a': 1 2: 3}", 1, 9, "expected ',' or '}' but found '2'"},
        {"a[1", 1, 4, "expected ']' but found end of expression"},
        {"a.?b", 1, 2, "optional syntax ('.?') is not supported"},
        {"a[?0]", 1, 2, "optional syntax ('[?') is not supported"},
        {"1 # 2", 1, 3, "unexpected character '#'"},
        {"a $ b", 1, 3, "unexpected character '$'"},
        {"'abc", 1, 1, "unterminated string literal"},
        {"x + \"abc", 1, 5, "unterminated string literal"},
        {"'''abc''", 1, 1, "unterminated string literal"},
        {"'abc\\'", 1, 1, "unterminated string literal"},
        {"'a\nb'", 1, 3, "newline in a single-quoted string literal"},
        {"\"a\rb\"", 1, 3, "newline in a single-quoted string literal"},
        {R"('\q')", 1, 2, "invalid escape sequence '\\q'"},
        {R"('\8')", 1, 2, "invalid escape sequence '\\8'"},
        {R"('ab\x4')", 1, 4, "\\x escape needs two hexadecimal digits"},
        {R"('\0')", 1, 2, "octal escape needs three octal digits"},
        {R"('\18')", 1, 2, "octal escape needs three octal digits"},
        {R"('\u12')", 1, 2, "\\u escape needs 4 hexadecimal digits"},
        {R"('\U0010FFF')", 1, 2, "\\U escape needs 8 hexadecimal digits"},
        {R"('\uD800')", 1, 2, "invalid Unicode code point in escape"},
        {R"('\U00110000')", 1, 2, "invalid Unicode code point in escape"},
        {R"(b'\u0041')", 1, 3, "\\u escapes are not allowed in bytes literals"},
        {R"('\')", 1, 1, "unterminated string literal"},
        {"'\\", 1, 2, "unterminated escape"},
        {R"("\x80\xff" == '\uDFFF')", 1, 16, "invalid Unicode code point in escape"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.src);
        const auto f = parse_failure(c.src);
        CHECK(f.message == c.message);
        CHECK(f.line == c.line);
        CHECK(f.column == c.column);
    }
}

TEST_CASE("CEL parser: parse errors in multi-line expressions") {
    {
        const auto f = parse_failure("a &&\n  (b ||\n   c");
        CHECK(f.message == "expected ')' but found end of expression");
        CHECK(f.line == 3);
        CHECK(f.column == 5);
    }
    {
        const auto f =
            parse_failure("app.numbers.all(n,\n  n.kind == 'mobile' &&\n  n.owner = 'x')");
        CHECK(f.message == "unexpected '=' (did you mean '=='?)");
        CHECK(f.line == 3);
        CHECK(f.column == 11);
    }
    {
        // a comment line does not confuse the count
        const auto f = parse_failure("// check\n1 +\n// nothing here\n");
        CHECK(f.message == "expected an expression but found end of expression");
        CHECK(f.line == 4);
        CHECK(f.column == 1);
    }
    {
        // columns count code points, not bytes
        const auto f = parse_failure("'中文' + \n'申请' +");
        CHECK(f.line == 2);
        CHECK(f.column == 7);
    }
    {
        const auto f = parse_failure("'''ok\nstill ok''' + '\nbroken'");
        CHECK(f.message == "newline in a single-quoted string literal");
        CHECK(f.line == 2);
        CHECK(f.column == 16);
    }
}

TEST_CASE("CEL parser: invalid UTF-8 and unexpected non-ASCII characters") {
    {
        const auto f = parse_failure("'abc\xff'");
        CHECK(f.message == "expression is not valid UTF-8");
        CHECK(f.line == 1);
        CHECK(f.column == 5);  // the offending byte
    }
    {
        const auto f = parse_failure("'中'\n + 'x\xc3('");
        CHECK(f.message == "expression is not valid UTF-8");
        CHECK(f.line == 2);
        CHECK(f.column == 6);
    }
    // overlong encodings and UTF-16 surrogates are not UTF-8
    CHECK(parse_failure("'\xc0\xaf'").message == "expression is not valid UTF-8");
    CHECK(parse_failure("'\xed\xa0\x80'").message == "expression is not valid UTF-8");
    CHECK(parse_failure("\xe4\xb8").message == "expression is not valid UTF-8");

    // A full-width character typed by mistake is named whole, so that the message is UTF-8.
    {
        const auto f = parse_failure("a ＝ b");
        CHECK(f.message == "unexpected character '＝'");
        CHECK(f.column == 3);
    }
    {
        const auto f = parse_failure("size（m）");
        CHECK(f.message == "unexpected character '（'");
        CHECK(f.column == 5);
    }
    CHECK(parse_failure("名字 == 1").message == "unexpected character '名'");
    CHECK(parse_failure("1 😀").message == "unexpected character '😀'");
}

// ------------------------------------------------------------------ compile errors

TEST_CASE("CEL compiler: compile errors") {
    {
        const auto f = checked_failure("m.a && nosuch.b > 1");
        CHECK(f.message == "undeclared reference to 'nosuch'");
        CHECK(f.line == 1);
        CHECK(f.column == 8);
    }
    {
        const auto f = checked_failure("m.a ||\n  frobnicate(m.b)");
        CHECK(f.message == "unknown function 'frobnicate'");
        CHECK(f.line == 2);
        CHECK(f.column == 3);
    }
    // the arguments' own errors come first
    CHECK(checked_failure("frobnicate(nosuch)").message == "undeclared reference to 'nosuch'");
    CHECK(checked_failure("size(m, m)").message == "no overload of 'size' takes 2 argument(s)");
    CHECK(checked_failure("m.contains()").message ==
          "no overload of 'contains' takes 0 argument(s) as a method");
    CHECK(checked_failure("contains(m, 'a')").message ==
          "no overload of 'contains' takes 2 argument(s)");
    CHECK(checked_failure("m.frobnicate()").message == "unknown function 'frobnicate'");
    {
        const auto f = checked_failure("has(m)");
        CHECK(f.message == "has() needs a field selection, e.g. has(applicant.history)");
        CHECK(f.column == 1);
    }
    CHECK(checked_failure("has(m.a, m.b)").message ==
          "has() needs a field selection, e.g. has(applicant.history)");
    CHECK(checked_failure("has(m['a'])").message ==
          "has() needs a field selection, e.g. has(applicant.history)");
    CHECK(checked_failure("has(m.f())").message ==
          "has() needs a field selection, e.g. has(applicant.history)");
    CHECK(checked_failure("m.all(x.y, true)").message ==
          "the variable of all() must be a simple name");
    {
        const auto f = checked_failure("m.map(1, 2)");
        CHECK(f.message == "the variable of map() must be a simple name");
        CHECK(f.column == 7);
    }
    CHECK(checked_failure("m.exists('x', true)").message ==
          "the variable of exists() must be a simple name");
    CHECK(checked_failure("m.transformList(i, v.w, v)").message ==
          "the variable of transformList() must be a simple name");
    CHECK(checked_failure("m.all(k, v + 1, true)").message ==
          "the variable of all() must be a simple name");
    {
        const auto f = checked_failure("m.name.matches('[a-')");
        CHECK(f.message.starts_with("invalid regular expression '[a-': "));
        CHECK(f.column == 16);
    }
    CHECK(checked_failure("matches(m, '(')").message.starts_with("invalid regular expression"));
    CHECK(checked_failure("google.protobuf.Int64Value{value: 1}")
              .message.starts_with(
                  "message literals (google.protobuf.Int64Value{...}) need protobuf types"));
    // a macro's variable is only in scope inside the macro
    CHECK(checked_failure("m.all(x, true) && x").message == "undeclared reference to 'x'");
}

TEST_CASE("CEL compiler: unchecked mode turns compile errors into runtime errors") {
    environment env;
    env.declare("m");
    env.set_unchecked(true);
    const auto doc = document::parse(R"({"a": true, "name": "abc"})");
    const value vars[] = {doc.root()};
    eval_context ctx;
    expression e;  // a result may point into the expression's constants: keep it alive
    auto run = [&](std::string_view src) {
        e = expression::compile(src, env);
        return e.evaluate(vars, ctx);
    };
    auto code = [&](std::string_view src) {
        const value v = run(src);
        REQUIRE(v.is_error());
        return v.as_error().code;
    };

    CHECK(code("nosuch") == eval_errc::undeclared_reference);
    CHECK(code("frobnicate(1)") == eval_errc::unbound_function);
    CHECK(code("size(m, m)") == eval_errc::unbound_function);
    CHECK(code("m.name.matches('[')") == eval_errc::invalid_argument);
    CHECK(code("google.protobuf.Int64Value{value: 1}") == eval_errc::no_such_overload);
    {
        const value v = run("m.a && nosuch");
        REQUIRE(v.is_error());
        CHECK(v.as_error().message == "undeclared reference to 'nosuch'");
        CHECK(e.describe(v.as_error()) ==
              "1:8: undeclared reference to 'nosuch' (in `m.a && nosuch`)");
    }
    // CEL's commutative logic absorbs the errors
    CHECK(run("x || true").is_true());
    CHECK(run("nosuch || true").is_true());
    CHECK(run("true || nosuch").is_true());
    CHECK(run("nosuch && false").is_false());
    CHECK(run("frobnicate() || m.a").is_true());
    CHECK(run("m.a ? 1 : nosuch").as_int() == 1);
    // syntax and macro misuse stay compile-time errors
    CHECK(compile_failure("has(m)", env).code == errc::compile_error);
    CHECK(compile_failure("m.all(1, true)", env).code == errc::compile_error);
    CHECK(compile_failure("1 +", env).code == errc::parse_error);
    CHECK(env.unchecked());
}
