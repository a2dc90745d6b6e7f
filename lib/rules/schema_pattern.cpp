// JSON Schema `pattern`s as std::regex (ECMAScript, bytes) searches them: a byte DFA, or RE2
// (lib/rules/schema_pattern.hpp).

#include "rules/schema_pattern.hpp"

#include <algorithm>
#include <bitset>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include <re2/re2.h>

namespace telecomply::detail {

namespace {

using byte_set = std::bitset<256>;

// ------------------------------------------------------------------ the parse

struct node {
    enum class op : std::uint8_t { bytes, concat, alt, repeat, begin, end };
    op kind = op::concat;
    byte_set set;                    // bytes
    std::vector<node> children;      // concat, alt; repeat: one
    std::uint32_t min = 0, max = 0;  // repeat
    static constexpr std::uint32_t unbounded = UINT32_MAX;
};

byte_set range(unsigned char lo, unsigned char hi) {
    byte_set s;
    for (unsigned c = lo; c <= hi; ++c)
        s.set(c);
    return s;
}

byte_set digits() {
    return range('0', '9');
}
byte_set word() {
    return range('0', '9') | range('A', 'Z') | range('a', 'z') | range('_', '_');
}
// isspace() in the C locale, which std::regex's \s asks
byte_set space() {
    return range('\t', '\r') | range(' ', ' ');
}

// ECMAScript patterns over bytes, the subset the header describes; fails on anything else.
class parser {
  public:
    explicit parser(std::string_view p) : p_(p) {}

    std::optional<node> parse() {
        node n;
        if (!alternation(n, 0) || i_ != p_.size()) return std::nullopt;
        return n;
    }

  private:
    std::string_view p_;
    std::size_t i_ = 0;

    [[nodiscard]] bool at_end() const { return i_ >= p_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return i_ + ahead < p_.size() ? p_[i_ + ahead] : '\0';
    }
    static bool is_quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

    bool alternation(node& out, int depth) {
        if (depth > 64) return false;
        std::vector<node> branches(1);
        if (!sequence(branches.back(), depth)) return false;
        while (!at_end() && peek() == '|') {
            ++i_;
            branches.emplace_back();
            if (!sequence(branches.back(), depth)) return false;
        }
        if (branches.size() == 1) {
            out = std::move(branches.front());
        } else {
            out.kind = node::op::alt;
            out.children = std::move(branches);
        }
        return true;
    }

    bool sequence(node& out, int depth) {
        out.kind = node::op::concat;
        while (!at_end() && peek() != '|' && peek() != ')') {
            node term;
            if (!this->term(term, depth)) return false;
            out.children.push_back(std::move(term));
        }
        return true;
    }

    bool term(node& out, int depth) {
        const char c = peek();
        if (c == '^' || c == '$') {
            ++i_;
            out.kind = c == '^' ? node::op::begin : node::op::end;
            return at_end() || !is_quantifier(peek());  // a quantified assertion: refused
        }
        if (!atom(out, depth)) return false;
        if (at_end() || !is_quantifier(peek())) return true;
        std::uint32_t min = 0, max = node::unbounded;
        if (!quantifier(min, max)) return false;
        if (!at_end() && peek() == '?') ++i_;                  // lazy: the same matches exist
        if (!at_end() && is_quantifier(peek())) return false;  // stacked quantifiers
        node rep;
        rep.kind = node::op::repeat;
        rep.min = min;
        rep.max = max;
        rep.children.push_back(std::move(out));
        out = std::move(rep);
        return true;
    }

    bool number(std::uint32_t& n) {
        const std::size_t start = i_;
        n = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9' && i_ - start < 4) {
            n = n * 10 + static_cast<std::uint32_t>(peek() - '0');
            ++i_;
        }
        return i_ > start && (at_end() || peek() < '0' || peek() > '9') && n <= 1000;
    }

    bool quantifier(std::uint32_t& min, std::uint32_t& max) {
        const char c = p_[i_++];
        if (c == '*') return min = 0, max = node::unbounded, true;
        if (c == '+') return min = 1, max = node::unbounded, true;
        if (c == '?') return min = 0, max = 1, true;
        // {n}, {n,}, {n,m}
        if (!number(min)) return false;
        max = min;
        if (!at_end() && peek() == ',') {
            ++i_;
            max = node::unbounded;
            if (!at_end() && peek() != '}' && !number(max)) return false;
        }
        if (at_end() || peek() != '}') return false;
        ++i_;
        return max >= min;
    }

    bool atom(node& out, int depth) {
        const char c = p_[i_];
        out.kind = node::op::bytes;
        switch (c) {
            case '(': {
                ++i_;
                if (peek() == '?') {
                    if (peek(1) != ':') return false;  // lookarounds, named groups
                    i_ += 2;
                }
                if (!alternation(out, depth + 1) || at_end() || peek() != ')') return false;
                ++i_;
                return true;
            }
            case '[':
                ++i_;
                return bracket(out.set);
            case '.':
                ++i_;
                out.set = ~(range('\n', '\n') | range('\r', '\r'));
                return true;
            case '\\': {
                ++i_;
                bool is_class = false;
                return escape(out.set, is_class);
            }
            case ')':
            case ']':
            case '{':
            case '}':
            case '*':
            case '+':
            case '?':
            case '\0':
                return false;
            default:
                ++i_;
                out.set.set(static_cast<unsigned char>(c));
                return true;
        }
    }

    // After a backslash: a class escape (is_class) or one character.
    bool escape(byte_set& out, bool& is_class) {
        if (at_end()) return false;
        const char c = p_[i_++];
        // \d \w \s and their complements (upper case)
        static const std::pair<char, byte_set> classes[] = {
            {'d', digits()}, {'w', word()}, {'s', space()}};
        for (const auto& [letter, set] : classes)
            if (c == letter || c == letter - 'a' + 'A') {
                is_class = true;
                out |= c == letter ? set : ~set;
                return true;
            }
        is_class = false;
        static constexpr std::pair<char, char> controls[] = {
            {'t', '\t'}, {'n', '\n'}, {'r', '\r'}, {'f', '\f'}, {'v', '\v'}};
        for (const auto& [letter, ch] : controls)
            if (c == letter) {
                out.set(static_cast<unsigned char>(ch));
                return true;
            }
        // escaped ASCII punctuation stands for itself; letters and digits are escapes of their
        // own (\b, \B, \c, \x, \u, \0, backreferences), refused
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
            (c >= 'a' && c <= 'z'))
            return false;
        out.set(u);
        return true;
    }

    // One character of a bracket expression: a plain ASCII character or an escaped one, or a
    // class escape (is_class); `c` is the character.
    bool bracket_item(byte_set& set, char& c, bool& is_class) {
        if (at_end()) return false;
        const char raw = p_[i_];
        const auto u = static_cast<unsigned char>(raw);
        if (raw == '\\') {
            ++i_;
            byte_set one;
            if (!escape(one, is_class)) return false;
            if (!is_class)
                for (unsigned b = 0; b < 256; ++b)
                    if (one.test(b)) c = static_cast<char>(b);
            set |= one;
            return true;
        }
        // '[' opens POSIX classes ([:alpha:]) in std::regex; non-ASCII bytes compare as signed
        // chars in its ranges: both refused
        if (raw == '[' || raw == '\0' || u >= 0x80) return false;
        ++i_;
        is_class = false;
        c = raw;
        set.set(u);
        return true;
    }

    bool bracket(byte_set& out) {
        bool negate = false;
        if (peek() == '^') {
            negate = true;
            ++i_;
        }
        if (at_end() || peek() == ']') return false;  // [] and [^]: refused
        byte_set set;
        while (true) {
            if (at_end()) return false;
            if (peek() == ']') {
                ++i_;
                break;
            }
            char lo = 0;
            bool lo_class = false;
            byte_set item;
            if (!bracket_item(item, lo, lo_class)) return false;
            if (peek() == '-' && peek(1) != ']' && i_ + 1 < p_.size()) {
                // a range: both ends plain characters, neither '-', in order
                if (lo_class || lo == '-') return false;
                ++i_;
                char hi = 0;
                bool hi_class = false;
                byte_set ignored;
                if (!bracket_item(ignored, hi, hi_class) || hi_class || hi == '-') return false;
                if (static_cast<unsigned char>(lo) > static_cast<unsigned char>(hi)) return false;
                set |= range(static_cast<unsigned char>(lo), static_cast<unsigned char>(hi));
                // "a-b-c": refused
                if (peek() == '-' && peek(1) != ']') return false;
                continue;
            }
            set |= item;
        }
        out = negate ? ~set : set;
        return true;
    }
};

// ------------------------------------------------------------------ the NFA

struct nfa {
    enum class op : std::uint8_t { bytes, split, begin, end, jump, match };
    struct state {
        op kind;
        std::uint32_t out = 0, out1 = 0;
        std::uint32_t set = 0;  // bytes: index into sets
    };
    std::vector<state> states;
    std::vector<byte_set> sets;
    static constexpr std::size_t max_states = 20000;
    bool too_big = false;

    std::uint32_t add(op k) {
        if (states.size() >= max_states) too_big = true;
        states.push_back({k});
        return static_cast<std::uint32_t>(states.size() - 1);
    }

    struct frag {
        std::uint32_t in, out;  // out: a jump state whose `out` is patched
    };

    // Fragments joined one after the other; none: a single empty step.
    struct chain {
        nfa& a;
        frag f;
        bool empty = true;
        explicit chain(nfa& owner) : a(owner), f{0, 0} {
            const auto e = a.add(op::jump);
            f = {e, e};
        }
        void append(frag g) {
            if (a.too_big) return;
            if (empty) {
                f = g;
                empty = false;
            } else {
                a.states[f.out].out = g.in;
                f.out = g.out;
            }
        }
    };

    frag build(const node& n) {
        if (too_big) return {0, 0};
        switch (n.kind) {
            case node::op::bytes: {
                const auto s = add(op::bytes);
                const auto e = add(op::jump);
                states[s].out = e;
                states[s].set = set_index(n.set);
                return {s, e};
            }
            case node::op::begin:
            case node::op::end: {
                const auto s = add(n.kind == node::op::begin ? op::begin : op::end);
                const auto e = add(op::jump);
                states[s].out = e;
                return {s, e};
            }
            case node::op::concat: {
                chain c(*this);
                for (const auto& child : n.children)
                    c.append(build(child));
                return too_big ? frag{0, 0} : c.f;
            }
            case node::op::alt: {
                const auto e = add(op::jump);
                std::uint32_t in = 0;
                std::uint32_t last_split = 0;
                for (std::size_t i = 0; i < n.children.size(); ++i) {
                    const frag g = build(n.children[i]);
                    if (too_big) return {0, 0};
                    states[g.out].out = e;
                    if (i + 1 == n.children.size()) {
                        if (i == 0)
                            in = g.in;
                        else
                            states[last_split].out1 = g.in;
                        break;
                    }
                    const auto s = add(op::split);
                    states[s].out = g.in;
                    if (i == 0)
                        in = s;
                    else
                        states[last_split].out1 = s;
                    last_split = s;
                }
                return {in, e};
            }
            case node::op::repeat: {
                const node& child = n.children.front();
                chain c(*this);
                for (std::uint32_t i = 0; i < n.min && !too_big; ++i)
                    c.append(build(child));
                if (n.max == node::unbounded)
                    c.append(optional_copy(child, true));
                else  // (child (child (...)?)?)? as a chain of optional copies
                    for (std::uint32_t i = n.min; i < n.max && !too_big; ++i)
                        c.append(optional_copy(child, false));
                return too_big ? frag{0, 0} : c.f;
            }
        }
        return {0, 0};
    }

    // A split that takes `child` or skips it; when `loop`, the child comes back to the split.
    frag optional_copy(const node& child, bool loop) {
        const auto s = add(op::split);
        const auto x = add(op::jump);
        const frag g = build(child);
        if (too_big) return {0, 0};
        states[s].out = g.in;
        states[s].out1 = x;
        states[g.out].out = loop ? s : x;
        return {s, x};
    }

    std::uint32_t set_index(const byte_set& s) {
        for (std::size_t i = 0; i < sets.size(); ++i)
            if (sets[i] == s) return static_cast<std::uint32_t>(i);
        sets.push_back(s);
        return static_cast<std::uint32_t>(sets.size() - 1);
    }
};

// ------------------------------------------------------------------ the DFA

constexpr std::uint8_t accept_now = 1;  // a match ends here: the search has succeeded
constexpr std::uint8_t accept_end = 2;  // a match ends here if the input does ($)
constexpr std::uint8_t dead = 4;        // no match can start or go on

struct dfa_builder {
    const nfa& n;
    std::uint32_t start;
    std::vector<std::uint32_t> mark;
    std::uint32_t generation = 0;
    // NFA states visited while building; past the budget the DFA is given up for RE2, so that
    // a large pattern costs bounded time when the schema is loaded
    std::size_t work = 0;
    static constexpr std::size_t budget = 4'000'000;

    // The byte states reachable from `seeds` by empty steps, and whether the match state is
    // (following `$` too when at_end).
    void closure(const std::vector<std::uint32_t>& seeds, bool at_begin, bool at_end,
                 std::vector<std::uint32_t>& out, bool& matched) {
        ++generation;
        out.clear();
        matched = false;
        std::vector<std::uint32_t> stack(seeds.rbegin(), seeds.rend());
        while (!stack.empty()) {
            const auto s = stack.back();
            stack.pop_back();
            if (mark[s] == generation) continue;
            mark[s] = generation;
            ++work;
            const auto& st = n.states[s];
            switch (st.kind) {
                case nfa::op::bytes:
                    out.push_back(s);
                    break;
                case nfa::op::split:
                    stack.push_back(st.out1);
                    stack.push_back(st.out);
                    break;
                case nfa::op::jump:
                    stack.push_back(st.out);
                    break;
                case nfa::op::begin:
                    if (at_begin) stack.push_back(st.out);
                    break;
                case nfa::op::end:
                    if (at_end) stack.push_back(st.out);
                    break;
                case nfa::op::match:
                    matched = true;
                    break;
            }
        }
        std::sort(out.begin(), out.end());
    }

    using key = std::pair<std::vector<std::uint32_t>, std::uint8_t>;

    key state_for(const std::vector<std::uint32_t>& seeds, bool at_begin) {
        key k;
        bool now = false, end = false;
        std::vector<std::uint32_t> ignored;
        closure(seeds, at_begin, true, ignored, end);
        closure(seeds, at_begin, false, k.first, now);
        k.second = static_cast<std::uint8_t>((now ? accept_now : 0) | (end ? accept_end : 0));
        if (k.first.empty() && k.second == 0) k.second = dead;
        return k;
    }
};

std::string hex_byte(unsigned b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", b);
    return buf;
}

// The pattern in RE2's syntax (Latin-1: one character per byte).
void emit_re2(const node& n, std::string& out) {
    switch (n.kind) {
        case node::op::bytes: {
            if (n.set.none()) {
                out += "[^\\x00-\\xff]";
                return;
            }
            out += '[';
            for (unsigned b = 0; b < 256;) {
                if (!n.set.test(b)) {
                    ++b;
                    continue;
                }
                unsigned e = b;
                while (e + 1 < 256 && n.set.test(e + 1))
                    ++e;
                out += hex_byte(b);
                if (e > b) out += "-" + hex_byte(e);
                b = e + 1;
            }
            out += ']';
            return;
        }
        case node::op::begin:
            out += '^';
            return;
        case node::op::end:
            out += '$';
            return;
        case node::op::concat:
            out += "(?:";
            for (const auto& c : n.children)
                emit_re2(c, out);
            out += ')';
            return;
        case node::op::alt:
            out += "(?:";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i > 0) out += '|';
                emit_re2(n.children[i], out);
            }
            out += ')';
            return;
        case node::op::repeat:
            out += "(?:";
            emit_re2(n.children.front(), out);
            out += ")";
            if (n.max == node::unbounded)
                out += "{" + std::to_string(n.min) + ",}";
            else
                out += "{" + std::to_string(n.min) + "," + std::to_string(n.max) + "}";
            return;
    }
}

}  // namespace

schema_pattern::schema_pattern(schema_pattern&&) noexcept = default;
schema_pattern& schema_pattern::operator=(schema_pattern&&) noexcept = default;
schema_pattern::~schema_pattern() = default;

std::optional<schema_pattern> schema_pattern::compile(std::string_view ecma_pattern,
                                                      std::size_t max_states) {
    const auto ast = parser(ecma_pattern).parse();
    if (!ast) return std::nullopt;
    schema_pattern p;

    nfa a;
    const auto f = a.build(*ast);
    bool built = !a.too_big;
    if (built) {
        const auto m = a.add(nfa::op::match);
        a.states[f.out].out = m;
        built = !a.too_big;
    }
    if (built) {
        // byte classes: bytes that every set treats alike
        std::uint32_t ids[256] = {};
        std::uint32_t count = 1;
        for (const auto& s : a.sets) {
            std::map<std::pair<std::uint32_t, bool>, std::uint32_t> split;
            for (unsigned b = 0; b < 256; ++b)
                split.try_emplace({ids[b], s.test(b)}, static_cast<std::uint32_t>(split.size()));
            for (unsigned b = 0; b < 256; ++b)
                ids[b] = split[{ids[b], s.test(b)}];
            count = static_cast<std::uint32_t>(split.size());
        }
        std::vector<unsigned> representative(count, 256);
        for (unsigned b = 0; b < 256; ++b) {
            p.byte_class_[b] = static_cast<std::uint8_t>(ids[b]);
            if (representative[ids[b]] == 256) representative[ids[b]] = b;
        }
        p.classes_ = count;

        dfa_builder d{a, f.in, std::vector<std::uint32_t>(a.states.size(), 0)};
        std::map<dfa_builder::key, std::uint32_t> index;
        std::vector<dfa_builder::key> pending;
        // The search starts a match at every position: the start state joins every step. The
        // first state alone may pass `^`.
        auto intern = [&](dfa_builder::key k) -> std::uint32_t {
            const auto [it, fresh] =
                index.try_emplace(std::move(k), static_cast<std::uint32_t>(pending.size()));
            if (fresh) pending.push_back(it->first);
            return it->second;
        };
        // the first state is interned apart: it may have passed `^`, which later ones may not
        pending.push_back(d.state_for({f.in}, true));
        std::vector<std::uint32_t> seeds;
        for (std::size_t s = 0; s < pending.size() && built; ++s) {
            if (pending.size() > max_states || d.work > dfa_builder::budget) {
                built = false;
                break;
            }
            const auto flags = pending[s].second;
            p.flags_.push_back(flags);
            for (std::uint32_t c = 0; c < count; ++c) {
                if ((flags & (accept_now | dead)) != 0) {  // absorbing
                    p.next_.push_back(static_cast<std::uint32_t>(s));
                    continue;
                }
                seeds.clear();
                for (const auto st : pending[s].first)
                    if (a.sets[a.states[st].set].test(representative[c]))
                        seeds.push_back(a.states[st].out);
                seeds.push_back(f.in);
                p.next_.push_back(intern(d.state_for(seeds, false)));
            }
        }
    }
    if (!built) {
        p.next_.clear();
        p.flags_.clear();
        std::string translated;
        emit_re2(*ast, translated);
        RE2::Options opts;
        opts.set_encoding(RE2::Options::EncodingLatin1);
        opts.set_log_errors(false);
        opts.set_never_capture(true);
        opts.set_max_mem(8 << 20);
        p.re2_ = std::make_unique<RE2>(translated, opts);
        if (!p.re2_->ok()) return std::nullopt;
    }
    return p;
}

bool schema_pattern::search(std::string_view text) const noexcept {
    if (re2_) return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re2_);
    std::uint32_t s = 0;
    const std::uint32_t* next = next_.data();
    const std::uint8_t* flags = flags_.data();
    for (const char c : text) {
        if ((flags[s] & (accept_now | dead)) != 0) break;
        s = next[s * classes_ + byte_class_[static_cast<unsigned char>(c)]];
    }
    return (flags[s] & (accept_now | accept_end)) != 0;
}

}  // namespace telecomply::detail
