// Lexer and recursive-descent parser for CEL (google/cel-spec doc/langdef.md, "Syntax").

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "base/utf8.hpp"
#include "expr/cel_ast.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply::detail {

source_location locate(std::string_view source, std::uint32_t offset) noexcept {
    source_location loc{1, 1};
    if (offset > source.size()) offset = static_cast<std::uint32_t>(source.size());
    for (std::uint32_t i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(source[i]);
        if (c == '\n') {
            ++loc.line;
            loc.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++loc.column;  // count code points, not bytes
        }
    }
    return loc;
}

namespace {

enum class tok : std::uint8_t {
    end,
    ident,
    int_lit,
    uint_lit,
    double_lit,
    string_lit,
    bytes_lit,
    punct,  // text holds the operator
};

struct token {
    tok kind = tok::end;
    std::uint32_t offset = 0;
    std::string_view text;  // raw source text
    std::string decoded;    // string/bytes literal contents
    bool quoted = false;    // a `backquoted` identifier (only valid as a field name)
};

constexpr std::array<std::string_view, 17> reserved_words = {
    "as",  "break", "const",   "continue",  "else",   "for", "function", "if",   "import",
    "let", "loop",  "package", "namespace", "return", "var", "void",     "while"};

bool is_ident_start(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) noexcept {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

class parser {
  public:
    parser(std::string_view src, value_builder& constants, const expression_limits& limits)
        : src_(src), constants_(constants), limits_(limits) {}

    ast_ptr parse_all() {
        if (src_.size() > limits_.max_length)
            throw limit_error("expression is " + std::to_string(src_.size()) +
                              " bytes long, over the limit of " +
                              std::to_string(limits_.max_length));
        for (std::size_t i = 0; i < src_.size();) {
            const std::size_t at = i;  // point at the offending byte
            if (utf8::decode(src_, i) == 0xFFFFFFFF)
                fail(static_cast<std::uint32_t>(at), "expression is not valid UTF-8");
        }
        advance();
        auto e = parse_expr();
        if (cur_.kind != tok::end) fail_expected("end of expression");
        return e;
    }

  private:
    // ---------------------------------------------------------------- errors
    [[noreturn]] void fail(std::uint32_t offset, const std::string& msg) const {
        throw expression_error(errc::parse_error, locate(src_, offset), msg);
    }
    std::string describe(const token& t) const {
        if (t.kind == tok::end) return "end of expression";
        return "'" + std::string(t.text) + "'";
    }
    [[noreturn]] void fail_expected(const std::string& what) const {
        fail(cur_.offset, "expected " + what + " but found " + describe(cur_));
    }

    // ---------------------------------------------------------------- lexer
    void skip_space_and_comments() {
        while (pos_ < src_.size()) {
            const char c = src_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
            } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
                while (pos_ < src_.size() && src_[pos_] != '\n')
                    ++pos_;
            } else {
                break;
            }
        }
    }

    void advance() {
        skip_space_and_comments();
        cur_ = token{};
        cur_.offset = static_cast<std::uint32_t>(pos_);
        if (pos_ >= src_.size()) {
            cur_.kind = tok::end;
            return;
        }
        const char c = src_[pos_];
        // string and bytes literals, with r/b prefixes in either order and case
        {
            std::size_t p = pos_;
            bool raw = false, bytes = false;
            for (int i = 0; i < 2 && p < src_.size(); ++i) {
                const char q = src_[p];
                if ((q == 'r' || q == 'R') && !raw) {
                    raw = true;
                    ++p;
                } else if ((q == 'b' || q == 'B') && !bytes) {
                    bytes = true;
                    ++p;
                } else {
                    break;
                }
            }
            if (p < src_.size() && (src_[p] == '"' || src_[p] == '\'')) {
                lex_string(p, raw, bytes);
                return;
            }
        }
        if (c == '`') {
            // a quoted field name: .`content-type`
            const std::size_t close = src_.find('`', pos_ + 1);
            if (close == std::string_view::npos || close == pos_ + 1 ||
                src_.substr(pos_ + 1, close - pos_ - 1).find('\n') != std::string_view::npos)
                fail(cur_.offset, "unterminated or empty quoted identifier");
            cur_.kind = tok::ident;
            cur_.quoted = true;
            cur_.text = src_.substr(pos_ + 1, close - pos_ - 1);
            pos_ = close + 1;
            return;
        }
        if (is_ident_start(c)) {
            std::size_t p = pos_ + 1;
            while (p < src_.size() && (is_ident_start(src_[p]) || is_digit(src_[p])))
                ++p;
            cur_.kind = tok::ident;
            cur_.text = src_.substr(pos_, p - pos_);
            pos_ = p;
            if (cur_.text == "in") cur_.kind = tok::punct;
            return;
        }
        if (is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))) {
            lex_number();
            return;
        }
        // CEL's optional selection is `a.?b` (`?.` would misread `c ?.5 : 1`).
        static constexpr std::array<std::string_view, 8> two = {
            "==", "!=", "<=", ">=", "&&", "||", ".?", "[?"};
        for (auto op : two) {
            if (src_.substr(pos_, 2) == op) {
                if (op == ".?" || op == "[?")
                    fail(cur_.offset,
                         "optional syntax ('" + std::string(op) + "') is not supported");
                cur_.kind = tok::punct;
                cur_.text = src_.substr(pos_, 2);
                pos_ += 2;
                return;
            }
        }
        if (std::strchr("()[]{}.,:?+-*/%!<>", c) != nullptr) {
            cur_.kind = tok::punct;
            cur_.text = src_.substr(pos_, 1);
            ++pos_;
            return;
        }
        if (c == '=' || c == '&' || c == '|')
            fail(cur_.offset,
                 std::string("unexpected '") + c + "' (did you mean '" + c + c + "'?)");
        // Name the whole code point (a full-width '＝' or '（' is a likely typo): a lone lead
        // byte would make the message invalid UTF-8. The source was validated up front.
        std::size_t end = pos_;
        utf8::decode(src_, end);
        fail(cur_.offset,
             "unexpected character '" + std::string(src_.substr(pos_, end - pos_)) + "'");
    }

    void lex_number() {
        const std::size_t start = pos_;
        std::size_t p = pos_;
        if (src_[p] == '0' && p + 1 < src_.size() && (src_[p + 1] == 'x' || src_[p + 1] == 'X')) {
            p += 2;
            const std::size_t digits = p;
            while (p < src_.size() && is_hex(src_[p]))
                ++p;
            if (p == digits) fail(cur_.offset, "expected hexadecimal digits after '0x'");
            std::uint64_t v = 0;
            auto r = std::from_chars(src_.data() + digits, src_.data() + p, v, 16);
            if (r.ec != std::errc{}) fail(cur_.offset, "integer literal out of range");
            finish_int(start, p, v);
            return;
        }
        bool is_float = false;
        while (p < src_.size() && is_digit(src_[p]))
            ++p;
        if (p < src_.size() && src_[p] == '.' && p + 1 < src_.size() && is_digit(src_[p + 1])) {
            is_float = true;
            ++p;
            while (p < src_.size() && is_digit(src_[p]))
                ++p;
        }
        if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
            std::size_t q = p + 1;
            if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
            if (q < src_.size() && is_digit(src_[q])) {
                is_float = true;
                p = q;
                while (p < src_.size() && is_digit(src_[p]))
                    ++p;
            } else {
                fail(static_cast<std::uint32_t>(p), "malformed exponent in number");
            }
        }
        if (is_float) {
            double d = 0;
            auto r = std::from_chars(src_.data() + start, src_.data() + p, d);
            if (r.ec == std::errc::result_out_of_range) {
                // strtod semantics: overflow is infinity; underflow is zero (or a subnormal)
                d = std::strtod(std::string(src_.substr(start, p - start)).c_str(), nullptr);
            } else if (r.ec != std::errc{}) {
                fail(cur_.offset, "malformed floating-point literal");
            }
            cur_.kind = tok::double_lit;
            cur_.text = src_.substr(start, p - start);
            cur_.decoded.assign(reinterpret_cast<const char*>(&d), sizeof d);
            pos_ = p;
            return;
        }
        std::uint64_t v = 0;
        auto r = std::from_chars(src_.data() + start, src_.data() + p, v, 10);
        if (r.ec != std::errc{}) fail(cur_.offset, "integer literal out of range");
        finish_int(start, p, v);
    }

    void finish_int(std::size_t start, std::size_t p, std::uint64_t v) {
        cur_.kind = tok::int_lit;
        if (p < src_.size() && (src_[p] == 'u' || src_[p] == 'U')) {
            cur_.kind = tok::uint_lit;
            ++p;
        }
        if (p < src_.size() && (is_ident_start(src_[p]) || is_digit(src_[p])))
            fail(static_cast<std::uint32_t>(p), "unexpected character after number");
        cur_.text = src_.substr(start, p - start);
        cur_.decoded.assign(reinterpret_cast<const char*>(&v), sizeof v);
        pos_ = p;
    }

    void lex_string(std::size_t p, bool raw, bool bytes) {
        const char q = src_[p];
        const bool triple = src_.substr(p, 3) == std::string(3, q);
        const std::size_t open = triple ? 3 : 1;
        std::size_t i = p + open;
        std::string out;
        auto closing = [&](std::size_t at) {
            if (triple) return src_.substr(at, 3) == std::string(3, q);
            return src_[at] == q;
        };
        for (;;) {
            if (i >= src_.size()) fail(cur_.offset, "unterminated string literal");
            if (closing(i)) break;
            const char c = src_[i];
            if (!triple && (c == '\n' || c == '\r'))
                fail(static_cast<std::uint32_t>(i), "newline in a single-quoted string literal");
            if (c != '\\' || raw) {
                out.push_back(c);
                ++i;
                continue;
            }
            // escape sequence
            if (i + 1 >= src_.size()) fail(static_cast<std::uint32_t>(i), "unterminated escape");
            const char e = src_[i + 1];
            const auto esc_at = static_cast<std::uint32_t>(i);
            i += 2;
            switch (e) {
                case 'a':
                    out.push_back('\a');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'v':
                    out.push_back('\v');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '\'':
                    out.push_back('\'');
                    break;
                case '"':
                    out.push_back('"');
                    break;
                case '`':
                    out.push_back('`');
                    break;
                case '?':
                    out.push_back('?');
                    break;
                case 'x':
                case 'X': {
                    if (i + 2 > src_.size() || !is_hex(src_[i]) || !is_hex(src_[i + 1]))
                        fail(esc_at, "\\x escape needs two hexadecimal digits");
                    const unsigned v =
                        static_cast<unsigned>(hex_value(src_[i]) * 16 + hex_value(src_[i + 1]));
                    i += 2;
                    put_code(out, v, bytes);
                    break;
                }
                case 'u':
                case 'U': {
                    if (bytes) fail(esc_at, "\\u escapes are not allowed in bytes literals");
                    const std::size_t n = e == 'u' ? 4 : 8;
                    unsigned v = 0;
                    for (std::size_t k = 0; k < n; ++k) {
                        if (i + k >= src_.size() || !is_hex(src_[i + k]))
                            fail(esc_at, std::string("\\") + e + " escape needs " +
                                             std::to_string(n) + " hexadecimal digits");
                        v = v * 16 + static_cast<unsigned>(hex_value(src_[i + k]));
                    }
                    i += n;
                    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                        fail(esc_at, "invalid Unicode code point in escape");
                    utf8::append(out, v);
                    break;
                }
                default:
                    if (e >= '0' && e <= '3') {
                        if (i + 2 > src_.size() || src_[i] < '0' || src_[i] > '7' ||
                            src_[i + 1] < '0' || src_[i + 1] > '7')
                            fail(esc_at, "octal escape needs three octal digits");
                        const unsigned v = static_cast<unsigned>(
                            (e - '0') * 64 + (src_[i] - '0') * 8 + (src_[i + 1] - '0'));
                        i += 2;
                        put_code(out, v, bytes);
                        break;
                    }
                    fail(esc_at, std::string("invalid escape sequence '\\") + e + "'");
            }
        }
        const std::size_t end = i + open;
        cur_.kind = bytes ? tok::bytes_lit : tok::string_lit;
        cur_.text = src_.substr(pos_, end - pos_);
        if (!bytes && !utf8::valid(out)) fail(cur_.offset, "string literal is not valid UTF-8");
        cur_.decoded = std::move(out);
        pos_ = end;
    }

    // In strings an \x or octal escape is a code point; in bytes it is a byte.
    static void put_code(std::string& out, unsigned v, bool bytes) {
        if (bytes)
            out.push_back(static_cast<char>(v));
        else
            utf8::append(out, v);
    }

    // ---------------------------------------------------------------- parser helpers
    bool at(std::string_view p) const { return cur_.kind == tok::punct && cur_.text == p; }
    bool accept(std::string_view p) {
        if (!at(p)) return false;
        advance();
        return true;
    }
    void expect(std::string_view p) {
        if (!accept(p)) fail_expected("'" + std::string(p) + "'");
    }
    // Between the items of a list, map or argument list: either may come, so name both.
    void expect_separator(std::string_view close) {
        if (!accept(",")) fail_expected("',' or '" + std::string(close) + "'");
    }

    ast_ptr make(ast_kind k, std::uint32_t offset) {
        auto n = std::make_unique<ast_node>();
        n->kind = k;
        n->offset = offset;
        return n;
    }
    ast_ptr finish(ast_ptr n) {
        std::uint32_t d = 0;
        for (auto& a : n->args)
            d = std::max(d, a->depth);
        n->depth = d + 1;
        if (n->depth > limits_.max_depth)
            throw limit_error(to_string_loc(n->offset) + "expression nesting is deeper than " +
                              std::to_string(limits_.max_depth));
        return n;
    }
    std::string to_string_loc(std::uint32_t off) const {
        auto l = locate(src_, off);
        return std::to_string(l.line) + ":" + std::to_string(l.column) + ": ";
    }
    ast_ptr call(std::string_view name, std::uint32_t offset, ast_ptr a, ast_ptr b = nullptr,
                 ast_ptr c = nullptr) {
        auto n = make(ast_kind::call, offset);
        n->name = name;
        n->args.push_back(std::move(a));
        if (b) n->args.push_back(std::move(b));
        if (c) n->args.push_back(std::move(c));
        return finish(std::move(n));
    }

    struct depth_guard {
        parser& p;
        explicit depth_guard(parser& pp, std::uint32_t offset) : p(pp) {
            if (++p.depth_ > p.limits_.max_depth)
                throw limit_error(p.to_string_loc(offset) + "expression nesting is deeper than " +
                                  std::to_string(p.limits_.max_depth));
        }
        ~depth_guard() { --p.depth_; }
        depth_guard(const depth_guard&) = delete;
        depth_guard& operator=(const depth_guard&) = delete;
    };

    // ---------------------------------------------------------------- grammar
    // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    ast_ptr parse_expr() {
        depth_guard g(*this, cur_.offset);
        auto cond = parse_or();
        if (at("?")) {
            const auto off = cur_.offset;
            advance();
            auto t = parse_or();
            expect(":");
            auto f = parse_expr();
            return call(op::conditional, off, std::move(cond), std::move(t), std::move(f));
        }
        return cond;
    }

    // The binary levels of the grammar, loosest first: each is left-associative over the next.
    struct binary_op {
        std::string_view token;
        std::string_view name;
    };
    static constexpr binary_op or_ops[] = {{"||", op::logical_or}};
    static constexpr binary_op and_ops[] = {{"&&", op::logical_and}};
    static constexpr binary_op relation_ops[] = {
        {"<", op::less},    {"<=", op::less_equals}, {">", op::greater}, {">=", op::greater_equals},
        {"==", op::equals}, {"!=", op::not_equals},  {"in", op::in}};
    static constexpr binary_op addition_ops[] = {{"+", op::add}, {"-", op::subtract}};
    static constexpr binary_op multiplication_ops[] = {
        {"*", op::multiply}, {"/", op::divide}, {"%", op::modulo}};

    template <std::size_t N>
    ast_ptr parse_binary(const binary_op (&ops)[N], ast_ptr (parser::*next)()) {
        auto lhs = (this->*next)();
        for (;;) {
            const binary_op* found = nullptr;
            for (const auto& o : ops)
                if (at(o.token)) found = &o;
            if (found == nullptr) return lhs;
            const auto off = cur_.offset;
            advance();
            lhs = call(found->name, off, std::move(lhs), (this->*next)());
        }
    }

    ast_ptr parse_or() { return parse_binary(or_ops, &parser::parse_and); }
    ast_ptr parse_and() { return parse_binary(and_ops, &parser::parse_relation); }
    ast_ptr parse_relation() { return parse_binary(relation_ops, &parser::parse_addition); }
    ast_ptr parse_addition() { return parse_binary(addition_ops, &parser::parse_multiplication); }
    ast_ptr parse_multiplication() {
        return parse_binary(multiplication_ops, &parser::parse_unary);
    }

    // Unary = Member | "!" {"!"} Member | "-" {"-"} Member
    ast_ptr parse_unary() {
        if (at("!")) {
            std::vector<std::uint32_t> offs;
            while (at("!")) {
                offs.push_back(cur_.offset);
                advance();
            }
            auto e = parse_member();
            for (auto it = offs.rbegin(); it != offs.rend(); ++it)
                e = call(op::logical_not, *it, std::move(e));
            return e;
        }
        if (at("-")) {
            std::vector<std::uint32_t> offs;
            while (at("-")) {
                offs.push_back(cur_.offset);
                advance();
            }
            // The innermost minus folds into a numeric literal so that the most negative
            // integer, -9223372036854775808, can be written.
            const bool numeric = cur_.kind == tok::int_lit || cur_.kind == tok::double_lit;
            bool folded = false;
            auto e = parse_member(numeric, &folded);
            if (folded) offs.pop_back();
            for (auto it = offs.rbegin(); it != offs.rend(); ++it)
                e = call(op::negate, *it, std::move(e));
            return e;
        }
        return parse_member();
    }

    // Member = Primary | Member "." IDENT ["(" [ExprList] ")"] | Member "[" Expr "]"
    ast_ptr parse_member(bool negate_literal = false, bool* folded = nullptr) {
        auto e = parse_primary(negate_literal, folded);
        for (;;) {
            if (at(".")) {
                const auto off = cur_.offset;
                advance();
                if (cur_.kind != tok::ident) fail_expected("a field or method name after '.'");
                // reserved words are fine as field and method names
                std::string name(cur_.text);
                const bool quoted = cur_.quoted;
                advance();
                if (at("(") && !quoted) {
                    advance();
                    auto n = make(ast_kind::call, off);
                    n->name = std::move(name);
                    n->member = true;
                    n->args.push_back(std::move(e));
                    parse_args(n->args, ")");
                    e = finish(std::move(n));
                } else if (at("{") && !quoted) {
                    // Qualified message name: a.b.C{...}
                    std::string qualified = qualified_name(*e) + "." + name;
                    e = parse_message(std::move(qualified), off);
                } else {
                    auto n = make(ast_kind::select, off);
                    n->name = std::move(name);
                    n->args.push_back(std::move(e));
                    e = finish(std::move(n));
                }
            } else if (at("[")) {
                const auto off = cur_.offset;
                advance();
                auto idx = parse_expr();
                expect("]");
                e = call(op::index, off, std::move(e), std::move(idx));
            } else {
                return e;
            }
        }
    }

    std::string qualified_name(const ast_node& n) const {
        if (n.kind == ast_kind::ident) return n.name;
        if (n.kind == ast_kind::select && !n.member)
            return qualified_name(*n.args[0]) + "." + n.name;
        fail(n.offset, "a message literal needs a type name");
    }

    void check_not_reserved(const token& t) const {
        for (auto w : reserved_words)
            if (t.text == w) fail(t.offset, "'" + std::string(w) + "' is a reserved word");
    }

    // Items separated by commas up to `close` (a trailing comma allowed); the opening bracket
    // has been consumed.
    template <class F>
    void parse_delimited(std::string_view close, F&& item) {
        if (accept(close)) return;
        for (;;) {
            item();
            if (accept(close)) return;
            expect_separator(close);
            if (accept(close)) return;  // trailing comma
        }
    }

    void parse_args(std::vector<ast_ptr>& out, std::string_view close) {
        parse_delimited(close, [&] { out.push_back(parse_expr()); });
    }

    ast_ptr parse_message(std::string type_name, std::uint32_t off) {
        expect("{");
        auto n = make(ast_kind::message, off);
        n->name = std::move(type_name);
        parse_delimited("}", [&] {
            if (cur_.kind != tok::ident) fail_expected("a field name");
            n->field_names.emplace_back(cur_.text);
            advance();
            expect(":");
            n->args.push_back(parse_expr());
        });
        return finish(std::move(n));
    }

    ast_ptr literal(value v, std::uint32_t off) {
        auto n = make(ast_kind::literal, off);
        n->lit = v;
        return finish(std::move(n));
    }

    ast_ptr parse_primary(bool negate, bool* folded) {
        const auto off = cur_.offset;
        switch (cur_.kind) {
            case tok::int_lit: {
                std::uint64_t v = 0;
                std::memcpy(&v, cur_.decoded.data(), sizeof v);
                const auto limit =
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
                std::int64_t i = 0;
                if (negate && v == limit + 1) {
                    i = std::numeric_limits<std::int64_t>::min();
                } else if (v > limit) {
                    fail(off, "integer literal out of range");
                } else {
                    i = negate ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
                }
                if (folded != nullptr) *folded = negate;
                advance();
                return literal(value::from_int(i), off);
            }
            case tok::uint_lit: {
                std::uint64_t v = 0;
                std::memcpy(&v, cur_.decoded.data(), sizeof v);
                advance();
                return literal(value::from_uint(v), off);
            }
            case tok::double_lit: {
                double d = 0;
                std::memcpy(&d, cur_.decoded.data(), sizeof d);
                if (folded != nullptr) *folded = negate;
                advance();
                return literal(value::from_double(negate ? -d : d), off);
            }
            case tok::string_lit: {
                auto v = constants_.string(cur_.decoded);
                advance();
                return literal(v, off);
            }
            case tok::bytes_lit: {
                auto v = constants_.bytes(cur_.decoded);
                advance();
                return literal(v, off);
            }
            case tok::ident: {
                if (cur_.quoted) fail(off, "a quoted identifier can only follow '.'");
                if (cur_.text == "true" || cur_.text == "false") {
                    const bool b = cur_.text == "true";
                    advance();
                    return literal(value::from_bool(b), off);
                }
                if (cur_.text == "null") {
                    advance();
                    return literal(value{}, off);
                }
                check_not_reserved(cur_);
                std::string name(cur_.text);
                advance();
                if (at("(")) {
                    advance();
                    auto n = make(ast_kind::call, off);
                    n->name = std::move(name);
                    parse_args(n->args, ")");
                    return finish(std::move(n));
                }
                if (at("{")) return parse_message(std::move(name), off);
                auto n = make(ast_kind::ident, off);
                n->name = std::move(name);
                return finish(std::move(n));
            }
            case tok::punct:
                break;
            case tok::end:
                fail_expected("an expression");
        }
        if (at(".")) {
            // leading dot: a name resolved from the root scope
            advance();
            if (cur_.kind != tok::ident) fail_expected("an identifier after '.'");
            check_not_reserved(cur_);
            std::string name = "." + std::string(cur_.text);
            advance();
            if (at("(")) {
                advance();
                auto n = make(ast_kind::call, off);
                n->name = name.substr(1);
                parse_args(n->args, ")");
                return finish(std::move(n));
            }
            if (at("{")) return parse_message(name.substr(1), off);
            auto n = make(ast_kind::ident, off);
            n->name = std::move(name);
            return finish(std::move(n));
        }
        if (accept("(")) {
            auto e = parse_expr();
            expect(")");
            return e;
        }
        if (accept("[")) {
            auto n = make(ast_kind::list, off);
            parse_args(n->args, "]");
            return finish(std::move(n));
        }
        if (accept("{")) {
            auto n = make(ast_kind::map, off);
            parse_delimited("}", [&] {
                n->args.push_back(parse_expr());
                expect(":");
                n->args.push_back(parse_expr());
            });
            return finish(std::move(n));
        }
        fail_expected("an expression");
    }

    std::string_view src_;
    value_builder& constants_;
    const expression_limits& limits_;
    std::size_t pos_ = 0;
    token cur_;
    std::uint32_t depth_ = 0;
};

}  // namespace

ast_ptr parse(std::string_view source, value_builder& constants, const expression_limits& limits) {
    parser p(source, constants, limits);
    return p.parse_all();
}

}  // namespace telecomply::detail
