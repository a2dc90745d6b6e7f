// cel-spec's strings extension library (cel-go's ext.Strings, version 3; the conformance cases
// are cel-spec's tests/simple/testdata/string_ext.textproto): charAt, indexOf, lastIndexOf,
// replace, split, substring, join, reverse, strings.quote and format. lowerAscii, upperAscii and
// trim are standard functions here (cel_stdlib.cpp). Every function is a typed overload (see
// function_adapter.hpp); indices count code points, and an index out of range is an error value.
//
// Strings are valid UTF-8 (value.hpp), so a byte search for a valid needle only ever matches at
// a code point boundary: the functions search bytes and convert positions to code points.
// Results that are new text are written straight into the evaluation's arena, so their size is
// bounded by expression_limits::max_memory (a limit_error past it).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/utf8.hpp"
#include "expr/cel_program.hpp"
#include "expr/time.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/expr/function_adapter.hpp"

namespace telecomply::detail {

namespace {

using list_arg = of_kind<kind::list>;
constexpr std::size_t npos = std::string_view::npos;

// ------------------------------------------------------------------ code points

// Bytes of the UTF-8 sequence that starts at s[i] (never past the end, whatever the bytes).
std::size_t sequence_at(std::string_view s, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    return std::min(n, s.size() - i);
}

// The byte offset of code point `index` in `s` (s.size() for the index just past the last),
// or npos when the index is negative or beyond that.
std::size_t byte_offset(std::string_view s, std::int64_t index) noexcept {
    if (index < 0) return npos;
    std::size_t i = 0;
    for (std::int64_t k = 0; k < index; ++k) {
        if (i >= s.size()) return npos;
        i += sequence_at(s, i);
    }
    return i;
}

std::int64_t code_points(std::string_view s) noexcept {
    return static_cast<std::int64_t>(utf8::length(s));
}

value out_of_range(eval_context& ctx, std::int64_t index) {
    return ctx.error(eval_errc::index_out_of_range, "index out of range: " + std::to_string(index));
}

// Text of `size` bytes in the arena, to be filled in by the caller. A value holds at most
// 4 GiB - 1 bytes: a larger text is a limit_error whatever the memory limit.
char* text_buffer(eval_context& ctx, std::size_t size) {
    if (size > UINT32_MAX)
        throw limit_error("a string of " + std::to_string(size) + " bytes is too long");
    return static_cast<char*>(ctx.arena().allocate(size == 0 ? 1 : size, 1));
}
value new_string(eval_context& ctx, std::string_view text) {
    char* out = text_buffer(ctx, text.size());
    if (!text.empty()) std::memcpy(out, text.data(), text.size());
    return value::from_string({out, text.size()});
}

// ------------------------------------------------------------------ searching

value char_at(eval_context& ctx, std::string_view s, std::int64_t index) {
    const std::size_t at = byte_offset(s, index);
    if (at == npos) return out_of_range(ctx, index);
    if (at == s.size()) return value::from_string({});
    return value::from_string(s.substr(at, sequence_at(s, at)));
}

// s.indexOf(sub, offset): the first match at or after code point `offset`; with Last,
// s.lastIndexOf(sub, offset): the last match starting at or before it. -1 when there is none.
template <bool Last>
value index_of_from(eval_context& ctx, std::string_view s, std::string_view sub,
                    std::int64_t offset) {
    const std::size_t from = byte_offset(s, offset);
    if (from == npos) return out_of_range(ctx, offset);
    const std::size_t at = Last ? s.rfind(sub, from) : s.find(sub, from);
    if (at == npos) return value::from_int(-1);
    return value::from_int(Last ? offset - code_points(s.substr(at, from - at))
                                : offset + code_points(s.substr(from, at - from)));
}
value index_of(eval_context& ctx, std::string_view s, std::string_view sub) {
    return index_of_from<false>(ctx, s, sub, 0);
}
std::int64_t last_index_of(std::string_view s, std::string_view sub) {
    const std::size_t at = s.rfind(sub);
    return at == npos ? -1 : code_points(s.substr(0, at));
}

// ------------------------------------------------------------------ slicing

value substring_range(eval_context& ctx, std::string_view s, std::int64_t start, std::int64_t end) {
    if (start > end)
        return ctx.error(eval_errc::invalid_argument,
                         "invalid substring range. start: " + std::to_string(start) +
                             ", end: " + std::to_string(end));
    const std::size_t from = byte_offset(s, start);
    if (from == npos) return out_of_range(ctx, start);
    // start >= 0 here, so end - start cannot overflow
    const std::size_t length = byte_offset(s.substr(from), end - start);
    if (length == npos) return out_of_range(ctx, end);
    return value::from_string(s.substr(from, length));
}
value substring(eval_context& ctx, std::string_view s, std::int64_t start) {
    const std::size_t from = byte_offset(s, start);
    if (from == npos) return out_of_range(ctx, start);
    return value::from_string(s.substr(from));
}

// The places `s` is cut at for a separator or a replaced text `sep`: each match of a non-empty
// `sep` (left to right, not overlapping), or with an empty one each code point boundary
// strictly inside `s` (split) or also at both ends (replace), as Go's strings package does.
// Calls f(byte position, matched length) for at most `limit` places (negative: all) and
// returns how many there were.
template <class F>
std::size_t each_cut(std::string_view s, std::string_view sep, bool ends, std::int64_t limit,
                     F&& f) {
    std::size_t n = 0;
    const auto more = [&] { return limit < 0 || n < static_cast<std::uint64_t>(limit); };
    if (sep.empty()) {
        for (std::size_t i = ends ? 0 : sequence_at(s, 0); more() && i <= s.size();) {
            if (!ends && i == s.size()) break;
            f(i, std::size_t{0});
            ++n;
            if (i == s.size()) break;
            i += sequence_at(s, i);
        }
        return n;
    }
    for (std::size_t at = s.find(sep); more() && at != npos; at = s.find(sep, at + sep.size())) {
        f(at, sep.size());
        ++n;
    }
    return n;
}

value replace_n(eval_context& ctx, std::string_view s, std::string_view old, std::string_view with,
                std::int64_t limit) {
    if (limit == 0 || old == with || (s.empty() && !old.empty())) return value::from_string(s);
    const std::size_t cuts = each_cut(s, old, true, limit, [](std::size_t, std::size_t) {});
    if (cuts == 0) return value::from_string(s);
    // cuts <= s.size() + 1 and each text < 4 GiB: the product fits in 64 bits
    const std::size_t size = s.size() - cuts * old.size() + cuts * with.size();
    char* out = text_buffer(ctx, size);
    std::size_t done = 0, written = 0;
    each_cut(s, old, true, limit, [&](std::size_t at, std::size_t len) {
        if (at > done) std::memcpy(out + written, s.data() + done, at - done);
        written += at - done;
        if (!with.empty()) std::memcpy(out + written, with.data(), with.size());
        written += with.size();
        done = at + len;
    });
    if (done < s.size()) std::memcpy(out + written, s.data() + done, s.size() - done);
    return value::from_string({out, size});
}
value replace_all(eval_context& ctx, std::string_view s, std::string_view old,
                  std::string_view with) {
    return replace_n(ctx, s, old, with, -1);
}

// Go's strings.SplitN: limit 0 gives no pieces, a negative limit every piece, otherwise at most
// `limit` pieces, the last the rest of the string.
value split_n(eval_context& ctx, std::string_view s, std::string_view sep, std::int64_t limit) {
    if (limit == 0 || (s.empty() && sep.empty())) return value::from_list(nullptr, 0);
    const std::int64_t cut_limit = limit < 0 ? -1 : limit - 1;
    const std::size_t cuts = each_cut(s, sep, false, cut_limit, [](std::size_t, std::size_t) {});
    auto* items = ctx.arena().allocate_array<value>(cuts + 1);
    std::size_t k = 0, done = 0;
    each_cut(s, sep, false, cut_limit, [&](std::size_t at, std::size_t len) {
        items[k++] = value::from_string(s.substr(done, at - done));
        done = at + len;
    });
    items[k++] = value::from_string(s.substr(done));
    return value::from_list(items, static_cast<std::uint32_t>(k));
}
value split(eval_context& ctx, std::string_view s, std::string_view sep) {
    return split_n(ctx, s, sep, -1);
}

value join_with(eval_context& ctx, list_arg list, std::string_view sep) {
    const value& l = list.v;
    std::size_t size = 0;
    for (std::uint32_t i = 0; i < l.size(); ++i) {
        const value& item = l.list_begin()[i];
        if (item.kind() != kind::string)
            return ctx.error(eval_errc::no_such_overload,
                             "join() needs a list of strings; element " + std::to_string(i) +
                                 " is " + std::string(type_name(item.kind())));
        size += item.size() + (i == 0 ? 0 : sep.size());
    }
    char* out = text_buffer(ctx, size);
    std::size_t written = 0;
    for (std::uint32_t i = 0; i < l.size(); ++i) {
        if (i != 0 && !sep.empty()) {
            std::memcpy(out + written, sep.data(), sep.size());
            written += sep.size();
        }
        const std::string_view item = l.list_begin()[i].as_string();
        if (!item.empty()) std::memcpy(out + written, item.data(), item.size());
        written += item.size();
    }
    return value::from_string({out, size});
}
value join(eval_context& ctx, list_arg list) {
    return join_with(ctx, list, {});
}

value reverse(eval_context& ctx, std::string_view s) {
    char* out = text_buffer(ctx, s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequence_at(s, i);
        std::memcpy(out + s.size() - i - n, s.data() + i, n);
        i += n;
    }
    return value::from_string({out, s.size()});
}

// strings.quote(s): `s` in double quotes with CEL's escapes for the characters that need one
// (\a \b \f \n \r \t \v \\ \"); every other code point as it is.
value quote(eval_context& ctx, std::string_view s) {
    std::string out = "\"";
    for (char c : utf8::sanitize(s)) {
        static constexpr std::string_view plain = "\a\b\f\n\r\t\v\\\"";
        static constexpr std::string_view escaped = "abfnrtv\\\"";
        if (const std::size_t e = plain.find(c); e != npos) {
            out.push_back('\\');
            out.push_back(escaped[e]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
    return new_string(ctx, out);
}

// ------------------------------------------------------------------ format

// The text format() builds, bounded by the evaluation's memory limit: a format string or an
// argument list that would build more is a limit_error, as allocating it in the arena would be.
class format_output {
  public:
    explicit format_output(std::size_t limit) : limit_(limit == 0 ? npos : limit) {}
    /// A part built apart (a map's key or value, sorted before it is written) has the same bound.
    [[nodiscard]] format_output part() const { return format_output(limit_); }
    void append(std::string_view s) {
        if (s.size() > limit_ - text_.size())
            throw limit_error("format(): the result is larger than the memory limit of " +
                              std::to_string(limit_) + " bytes");
        text_.append(s);
    }
    [[nodiscard]] const std::string& text() const noexcept { return text_; }

  private:
    std::size_t limit_;
    std::string text_;
};

// Infinite and NaN doubles are written as CEL's double() reads them.
bool special_double(format_output& out, double d) {
    if (std::isnan(d))
        out.append("NaN");
    else if (std::isinf(d))
        out.append(d < 0 ? "-Infinity" : "Infinity");
    else
        return false;
    return true;
}

// The shortest digits that read back as `d`, in fixed notation (Go's 'f' format, precision -1).
void shortest_fixed(format_output& out, double d) {
    if (special_double(out, d)) return;
    char buf[400];  // the longest, 5e-324, takes 327 characters
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    out.append({buf, static_cast<std::size_t>(r.ptr - buf)});
}

void integer(format_output& out, const value& v, int base, bool upper) {
    char buf[72];  // 64 binary digits and a sign
    const auto r = v.kind() == kind::int_ ? std::to_chars(buf, buf + sizeof buf, v.as_int(), base)
                                          : std::to_chars(buf, buf + sizeof buf, v.as_uint(), base);
    if (upper)
        std::transform(buf, r.ptr, buf,
                       [](char c) { return c >= 'a' ? static_cast<char>(c - 32) : c; });
    out.append({buf, static_cast<std::size_t>(r.ptr - buf)});
}

double as_double(const value& v) {
    return v.kind() == kind::int_    ? static_cast<double>(v.as_int())
           : v.kind() == kind::uint_ ? static_cast<double>(v.as_uint())
                                     : v.as_double();
}

// printf's %.Nf or %.Ne of a number.
void printf_double(format_output& out, const value& v, int precision, char verb) {
    const double d = as_double(v);
    if (special_double(out, d)) return;
    const auto print = [&](char* to, std::size_t size) {
        return verb == 'f' ? std::snprintf(to, size, "%.*f", precision, d)
                           : std::snprintf(to, size, "%.*e", precision, d);
    };
    std::string buf(static_cast<std::size_t>(print(nullptr, 0)) + 1, '\0');
    print(buf.data(), buf.size());
    buf.pop_back();
    out.append(buf);
}

void format_string(format_output& out, const value& v);

// %s: a value as text (strings and bytes as they are, lists and maps in brackets and braces
// with a map's entries in the order of their keys' text).
void format_string(format_output& out, const value& v) {
    switch (v.kind()) {
        case kind::null_:
            return out.append("null");
        case kind::bool_:
            return out.append(v.as_bool() ? "true" : "false");
        case kind::int_:
        case kind::uint_:
            return integer(out, v, 10, false);
        case kind::double_:
            return shortest_fixed(out, v.as_double());
        case kind::string:
            return out.append(v.as_string());
        case kind::bytes:
            return out.append(utf8::sanitize(v.as_string()));
        case kind::list:
            out.append("[");
            for (const value* p = v.list_begin(); p != v.list_end(); ++p) {
                if (p != v.list_begin()) out.append(", ");
                format_string(out, *p);
            }
            return out.append("]");
        case kind::map: {
            std::vector<std::pair<std::string, std::string>> entries;
            for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e) {
                format_output key = out.part(), val = out.part();
                format_string(key, e->key);
                format_string(val, e->val);
                entries.emplace_back(key.text(), val.text());
            }
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            out.append("{");
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (i != 0) out.append(", ");
                out.append(entries[i].first);
                out.append(": ");
                out.append(entries[i].second);
            }
            return out.append("}");
        }
        case kind::timestamp:
            return out.append(format_timestamp(v.as_time()));
        case kind::duration:
            return out.append(format_duration(v.as_time()));
        case kind::date:
            return out.append(v.as_date().to_string());
        case kind::time_of_day:
            return out.append(v.as_time_of_day().to_string());
        case kind::type:
            return out.append(type_name(v.as_type()));
        case kind::error:
            return out.append("error");  // not reached: lists hold no errors
    }
}

void format_decimal(format_output& out, const value& v, int) {
    if (v.kind() == kind::double_) return shortest_fixed(out, v.as_double());
    integer(out, v, 10, false);
}
void format_fixed(format_output& out, const value& v, int precision) {
    printf_double(out, v, precision, 'f');
}
void format_scientific(format_output& out, const value& v, int precision) {
    printf_double(out, v, precision, 'e');
}
void format_binary(format_output& out, const value& v, int) {
    if (v.kind() == kind::bool_) return out.append(v.as_bool() ? "1" : "0");
    integer(out, v, 2, false);
}
template <bool Upper>
void format_hex(format_output& out, const value& v, int) {
    if (v.kind() == kind::int_ || v.kind() == kind::uint_) return integer(out, v, 16, Upper);
    static constexpr std::string_view digits = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (const char c : v.as_string()) {
        const auto b = static_cast<unsigned char>(c);
        const char pair[] = {digits[b >> 4], digits[b & 15]};
        out.append({pair, 2});
    }
}
void format_octal(format_output& out, const value& v, int) {
    integer(out, v, 8, false);
}

// The clauses of format(), after cel-spec's strings extension: the letter, the kinds it
// formats (described for the error message), and how.
struct format_clause {
    char verb;
    kind_set kinds;
    std::string_view takes;
    void (*write)(format_output&, const value&, int precision);
};
constexpr kind_set numbers = kind::int_ | kind::uint_ | kind::double_;
constexpr format_clause format_clauses[] = {
    {'s', kind_set::any(), "any value",
     [](format_output& o, const value& v, int) { format_string(o, v); }},
    {'d', numbers, "an int, uint or double", format_decimal},
    {'f', numbers, "an int, uint or double", format_fixed},
    {'e', numbers, "an int, uint or double", format_scientific},
    {'b', kind::int_ | kind::uint_ | kind::bool_, "an int, uint or bool", format_binary},
    {'x', kind::int_ | kind::uint_ | kind::string | kind::bytes, "an int, uint, string or bytes",
     format_hex<false>},
    {'X', kind::int_ | kind::uint_ | kind::string | kind::bytes, "an int, uint, string or bytes",
     format_hex<true>},
    {'o', kind::int_ | kind::uint_, "an int or uint", format_octal},
};
constexpr int default_precision = 6;
constexpr int max_precision = 100;

value format(eval_context& ctx, std::string_view spec, list_arg list) {
    const value& args = list.v;
    format_output out(ctx.limits().max_memory);
    const auto fail = [&](eval_errc code, const std::string& why) {
        return ctx.error(code, "format(): " + why);
    };
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < spec.size();) {
        const std::size_t percent = spec.find('%', i);
        out.append(spec.substr(i, percent - i));
        if (percent == npos) break;
        i = percent + 1;
        if (i < spec.size() && spec[i] == '%') {
            out.append("%");
            ++i;
            continue;
        }
        int precision = default_precision;
        if (i < spec.size() && spec[i] == '.') {
            const auto r =
                std::from_chars(spec.data() + i + 1, spec.data() + spec.size(), precision);
            if (r.ec != std::errc{} || precision > max_precision || precision < 0)
                return fail(eval_errc::invalid_argument,
                            "the precision after '%.' must be a number from 0 to " +
                                std::to_string(max_precision));
            i = static_cast<std::size_t>(r.ptr - spec.data());
        }
        if (i >= spec.size())
            return fail(eval_errc::invalid_argument, "the format ends inside a clause");
        const std::string_view verb = spec.substr(i, sequence_at(spec, i));  // a code point
        i += verb.size();
        const auto* clause = std::find_if(
            std::begin(format_clauses), std::end(format_clauses),
            [&](const format_clause& c) { return verb == std::string_view(&c.verb, 1); });
        if (clause == std::end(format_clauses))
            return fail(eval_errc::invalid_argument,
                        "unrecognized formatting clause \"" + std::string(verb) + "\"");
        if (next >= args.size())
            return fail(eval_errc::index_out_of_range,
                        "index " + std::to_string(next) + " out of range (" +
                            std::to_string(args.size()) + " arguments)");
        const value& arg = args.list_begin()[next++];
        if (!clause->kinds.contains(arg.kind()))
            return fail(eval_errc::invalid_argument,
                        "%" + std::string(verb) + " formats " + std::string(clause->takes) +
                            ", was given " + std::string(type_name(arg.kind())));
        clause->write(out, arg, precision);
    }
    return new_string(ctx, out.text());
}

}  // namespace

void register_string_extensions(environment& env) {
    add_overload<char_at>(env, "charAt", true);
    add_overload<index_of>(env, "indexOf", true);
    add_overload<index_of_from<false>>(env, "indexOf", true);
    add_overload<last_index_of>(env, "lastIndexOf", true);
    add_overload<index_of_from<true>>(env, "lastIndexOf", true);
    add_overload<replace_all>(env, "replace", true);
    add_overload<replace_n>(env, "replace", true);
    add_overload<split>(env, "split", true);
    add_overload<split_n>(env, "split", true);
    add_overload<substring>(env, "substring", true);
    add_overload<substring_range>(env, "substring", true);
    add_overload<join>(env, "join", true);
    add_overload<join_with>(env, "join", true);
    add_overload<reverse>(env, "reverse", true);
    add_overload<format>(env, "format", true);
    add_overload<quote>(env, "strings.quote", false);
}

}  // namespace telecomply::detail
