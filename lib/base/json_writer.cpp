// JSON text written straight into a string (lib/base/json_writer.hpp).

#include "base/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace telecomply::detail {

namespace {

// For each byte: 0 when a JSON string holds it as it is, 1 when it is not ASCII (valid UTF-8 is
// held as it is), 2 when it must be escaped ('"', '\\', control characters).
constexpr auto k_stops = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' ? 2 : c >= 0x80 ? 1 : 0;
    return t;
}();

// The first byte of [p, e) that a JSON string cannot hold as it is ('"', '\\', a control
// character) or, with `high`, that is not ASCII; e when there is none.
inline const char* find_special(const char* p, const char* e, bool high) noexcept {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    const int high_mask = high ? 0xFFFF : 0;
    for (; e - p >= 16; p += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));
        const int mask = _mm_movemask_epi8(hit) | (_mm_movemask_epi8(v) & high_mask);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
#endif
    // the rest (short strings: keys, codes): a table says which bytes stop the scan
    const unsigned char stop = high ? 1 : 2;  // 1: non-ASCII stops too
    for (; p != e; ++p)
        if (k_stops[static_cast<unsigned char>(*p)] >= stop) return p;
    return e;
}

// The escape of one ASCII byte '"', '\\' or below 0x20, as nlohmann writes it, at `to`; returns
// its end (at most 6 bytes).
inline char* put_escape(char* to, unsigned char c) noexcept {
    char letter = 0;
    switch (c) {
        case '"':
            letter = '"';
            break;
        case '\\':
            letter = '\\';
            break;
        case '\b':
            letter = 'b';
            break;
        case '\t':
            letter = 't';
            break;
        case '\n':
            letter = 'n';
            break;
        case '\f':
            letter = 'f';
            break;
        case '\r':
            letter = 'r';
            break;
        default: {
            static constexpr char hex[] = "0123456789abcdef";
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            std::memcpy(to, u, 6);
            return to + 6;
        }
    }
    to[0] = '\\';
    to[1] = letter;
    return to + 2;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    json_writer(out).string(s);
}

json_writer::~json_writer() {
    try {
        flush();
    } catch (...) {  // NOLINT(bugprone-empty-catch): out keeps a prefix (no memory for more)
    }
}

void json_writer::flush() {
    out_->append(buffer_, static_cast<std::size_t>(cur_ - buffer_));
    cur_ = buffer_;
}

void json_writer::put_long(const char* s, std::size_t n) {
    flush();
    if (n >= k_buffer / 2) {
        out_->append(s, n);
        return;
    }
    std::memcpy(cur_, s, n);
    cur_ += n;
}

void json_writer::escaped(std::string_view s) {
    // where the string starts in the whole text (out_ and the buffer after it)
    const std::size_t start = out_->size() + static_cast<std::size_t>(cur_ - buffer_);
    put('"');
    const char* p = s.data();
    const char* const e = p + s.size();
    const char* run = p;
    bool high = true;  // until the text is known to be valid UTF-8, stop at non-ASCII bytes
    for (;;) {
        p = find_special(p, e, high);
        if (p == e) break;
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x80) {
            // everything before p is ASCII: the text is valid UTF-8 when the rest is
            if (!simdjson::validate_utf8(p, static_cast<std::size_t>(e - p))) {
                // rare: nlohmann itself, for its exact replacement of bad sequences, in place
                // of what was written of the string
                if (start >= out_->size()) {
                    cur_ = buffer_ + (start - out_->size());
                } else {
                    cur_ = buffer_;
                    out_->resize(start);
                }
                const std::string text =
                    nlohmann::json(std::string(s))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                put(text.data(), text.size());
                return;
            }
            high = false;
            continue;
        }
        put(run, static_cast<std::size_t>(p - run));
        room(6);
        cur_ = put_escape(cur_, c);
        run = ++p;
    }
    put(run, static_cast<std::size_t>(e - run));
    put('"');
}

void json_writer::newline_indent(int levels) {
    put('\n');
    for (auto n = static_cast<std::size_t>(current_indent_ + levels * indent_); n != 0;) {
        const std::size_t k = std::min<std::size_t>(n, 64);
        room(k);
        std::memset(cur_, ' ', k);
        cur_ += k;
        n -= k;
    }
}

void json_writer::plain_number(std::int64_t i) {
    room(24);
    cur_ = std::to_chars(cur_, cur_ + 24, i).ptr;
}

void json_writer::plain_number(std::uint64_t u) {
    room(24);
    cur_ = std::to_chars(cur_, cur_ + 24, u).ptr;
}

void json_writer::plain_number(double d) {
    if (!std::isfinite(d)) {
        put("null", 4);
        return;
    }
    room(64);
    cur_ = nlohmann::detail::to_chars(cur_, cur_ + 64, d);
}

void json_writer::number(std::int64_t i) {
    separate();
    plain_number(i);
}

void json_writer::number(std::uint64_t u) {
    separate();
    plain_number(u);
}

void json_writer::number(double d) {
    separate();
    plain_number(d);
}

void json_writer::value(const nlohmann::json& j) {
    separate();
    nested(j, depth_);
}

// `j` at nesting level `level` (its items are one deeper), by recursion: any depth.
void json_writer::nested(const nlohmann::json& j, int level) {
    using t = nlohmann::json::value_t;
    switch (j.type()) {
        case t::object:
        case t::array: {
            const bool object = j.is_object();
            if (j.empty()) {
                put(object ? "{}" : "[]", 2);
                return;
            }
            put(object ? '{' : '[');
            bool first = true;
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (!first) put(',');
                first = false;
                if (indent_ >= 0) newline_indent(level + 1);
                if (object) {
                    escaped(it.key());
                    if (indent_ >= 0)
                        put(": ", 2);
                    else
                        put(':');
                }
                nested(it.value(), level + 1);
            }
            if (indent_ >= 0) newline_indent(level);
            put(object ? '}' : ']');
            return;
        }
        case t::string:
            escaped(j.get_ref<const std::string&>());
            return;
        case t::number_integer:
            plain_number(j.get<std::int64_t>());
            return;
        case t::number_unsigned:
            plain_number(j.get<std::uint64_t>());
            return;
        case t::number_float:
            plain_number(j.get<double>());
            return;
        default: {  // null, booleans (and, compact, the binary values parsing never gives)
            const std::string text =
                j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            put(text.data(), text.size());
            return;
        }
    }
}

}  // namespace telecomply::detail
