#include "telecomply/expr/value.hpp"

#include "base/enum_names.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ostream>

#include <nlohmann/json.hpp>

#include "expr/time.hpp"
#include "expr/value_ops.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/expr/arena.hpp"

namespace telecomply {

namespace {
// Equality of short byte strings without a call to memcmp: keys and identifiers in
// applications are mostly under 16 bytes, and this comparison is the evaluator's hottest loop.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    if (n <= 16) {
        if (n >= 8) {
            std::uint64_t x0, y0, x1, y1;
            std::memcpy(&x0, a, 8);
            std::memcpy(&y0, b, 8);
            std::memcpy(&x1, a + n - 8, 8);
            std::memcpy(&y1, b + n - 8, 8);
            return x0 == y0 && x1 == y1;
        }
        for (std::size_t i = 0; i < n; ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    return std::memcmp(a, b, n) == 0;
}
}  // namespace

namespace {
constexpr auto k_kind_names = detail::make_enum_names<kind>({
    {kind::null_, "null_type"},
    {kind::bool_, "bool"},
    {kind::int_, "int"},
    {kind::uint_, "uint"},
    {kind::double_, "double"},
    {kind::string, "string"},
    {kind::bytes, "bytes"},
    {kind::list, "list"},
    {kind::map, "map"},
    {kind::timestamp, "google.protobuf.Timestamp"},
    {kind::duration, "google.protobuf.Duration"},
    {kind::date, "date"},
    {kind::time_of_day, "time_of_day"},
    {kind::type, "type"},
    {kind::error, "error"},
});
}  // namespace

std::string_view type_name(kind k) noexcept {
    return k_kind_names.name(k, "unknown");
}

namespace {
constexpr auto k_eval_errc_names = detail::make_enum_names<eval_errc>({
    {eval_errc::no_such_field, "no_such_field"},
    {eval_errc::no_such_key, "no_such_key"},
    {eval_errc::no_such_overload, "no_such_overload"},
    {eval_errc::division_by_zero, "division_by_zero"},
    {eval_errc::modulus_by_zero, "modulus_by_zero"},
    {eval_errc::overflow, "overflow"},
    {eval_errc::index_out_of_range, "index_out_of_range"},
    {eval_errc::invalid_argument, "invalid_argument"},
    {eval_errc::undeclared_reference, "undeclared_reference"},
    {eval_errc::unbound_function, "unbound_function"},
});
}  // namespace

std::string_view to_string(eval_errc code) noexcept {
    return k_eval_errc_names.name(code, "unknown");
}

namespace {
// The first 8 bytes of a value: kind, inline prefix, length (see the string constructor).
inline std::uint64_t head(const value& v) noexcept {
    std::uint64_t h;
    std::memcpy(&h, static_cast<const void*>(&v), sizeof h);
    return h;
}
}  // namespace

const value* value::find(std::string_view key) const noexcept {
    return find_string(value(kind::string, key));
}

// `key` is a string value: its first word (kind, first 3 bytes, length) is compared with each
// key's, and the rest of the text only when that matches. The evaluator's field names are
// string values built once at compile time, so a lookup builds nothing.
const value* value::find_string(const value& key) const noexcept {
    if (kind() != kind::map || key.kind() != kind::string) return nullptr;
    const std::uint64_t want = head(key);
    const std::size_t size = key.n_;
    for (const map_entry *e = map_begin(), *end = map_end(); e != end; ++e) {
        if (head(e->key) == want &&
            (size <= 3 || same_bytes(e->key.p_.s + 3, key.p_.s + 3, size - 3)))
            return &e->val;
    }
    return nullptr;
}

const value* value::find(const value& key) const noexcept {
    if (kind() != kind::map) return nullptr;
    if (key.kind() == kind::string) return find_string(key);
    const bool numeric = detail::is_numeric(key.kind());
    for (const map_entry *e = map_begin(), *end = map_end(); e != end; ++e) {
        if (numeric) {
            if (detail::is_numeric(e->key.kind()) &&
                detail::cmp_numeric(e->key, key) == detail::order::equal)
                return &e->val;
        } else if (e->key.kind() == key.kind() && equal(e->key, key)) {
            return &e->val;
        }
    }
    return nullptr;
}

bool equal(const value& a, const value& b) noexcept {
    const kind ka = a.kind(), kb = b.kind();
    if (ka != kb) {
        if (detail::is_numeric(ka) && detail::is_numeric(kb))
            return detail::cmp_numeric(a, b) == detail::order::equal;
        return false;
    }
    switch (ka) {
        case kind::null_:
            return true;
        case kind::bool_:
            return a.as_bool() == b.as_bool();
        case kind::int_:
            return a.as_int() == b.as_int();
        case kind::uint_:
            return a.as_uint() == b.as_uint();
        case kind::double_:
            return a.as_double() == b.as_double();
        case kind::string:
        case kind::bytes:
            return a.size() == b.size() &&
                   same_bytes(a.as_string().data(), b.as_string().data(), a.size());
        case kind::list: {
            if (a.size() != b.size()) return false;
            for (std::uint32_t i = 0; i < a.size(); ++i)
                if (!equal(a.list_begin()[i], b.list_begin()[i])) return false;
            return true;
        }
        case kind::map: {
            if (a.size() != b.size()) return false;
            for (const map_entry* e = a.map_begin(); e != a.map_end(); ++e) {
                const value* other = b.find(e->key);
                if (other == nullptr || !equal(e->val, *other)) return false;
            }
            return true;
        }
        case kind::timestamp:
        case kind::duration:
            return a.as_time().seconds == b.as_time().seconds &&
                   a.as_time().nanos == b.as_time().nanos;
        case kind::date:
            return a.as_date() == b.as_date();
        case kind::time_of_day:
            return a.as_time_of_day() == b.as_time_of_day();
        case kind::type:
            return a.as_type() == b.as_type();
        case kind::error:
            return false;
    }
    return false;
}

namespace detail {
order compare(const value& a, const value& b) noexcept {
    const kind ka = a.kind(), kb = b.kind();
    if (is_numeric(ka) && is_numeric(kb)) return cmp_numeric(a, b);
    if (ka != kb) return order::incomparable;
    auto three = [](auto x, auto y) {
        return x < y ? order::less : x > y ? order::greater : order::equal;
    };
    switch (ka) {
        case kind::bool_:
            return three(a.as_bool(), b.as_bool());
        case kind::string:
        case kind::bytes: {
            const int c = a.as_string().compare(b.as_string());
            return c < 0 ? order::less : c > 0 ? order::greater : order::equal;
        }
        case kind::timestamp:
        case kind::duration: {
            const auto x = a.as_time(), y = b.as_time();
            if (x.seconds != y.seconds) return three(x.seconds, y.seconds);
            return three(x.nanos, y.nanos);
        }
        case kind::date:
            return three(a.as_date(), b.as_date());
        case kind::time_of_day:
            return three(a.as_time_of_day(), b.as_time_of_day());
        default:
            return order::incomparable;
    }
}
}  // namespace detail

namespace {
// Bytes escape every non-ASCII byte: they need not be UTF-8, and the rendering must be.
void quote(std::string& out, std::string_view s, char q, bool bytes = false) {
    out.push_back(q);
    for (unsigned char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c == static_cast<unsigned char>(q)) {
                    out.push_back('\\');
                    out.push_back(static_cast<char>(c));
                } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\x%02x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back(q);
}

void render(std::string& out, const value& v) {
    switch (v.kind()) {
        case kind::null_:
            out += "null";
            break;
        case kind::bool_:
            out += v.as_bool() ? "true" : "false";
            break;
        case kind::int_:
            out += std::to_string(v.as_int());
            break;
        case kind::uint_:
            out += std::to_string(v.as_uint()) + "u";
            break;
        case kind::double_: {
            std::string d = detail::format_double(v.as_double());
            if (d.find_first_of(".eIN") == std::string::npos) d += ".0";
            out += d;
            break;
        }
        case kind::string:
            quote(out, v.as_string(), '"');
            break;
        case kind::bytes:
            out.push_back('b');
            quote(out, v.as_string(), '"', true);
            break;
        case kind::list: {
            out.push_back('[');
            for (const value* p = v.list_begin(); p != v.list_end(); ++p) {
                if (p != v.list_begin()) out += ", ";
                render(out, *p);
            }
            out.push_back(']');
            break;
        }
        case kind::map: {
            out.push_back('{');
            for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e) {
                if (e != v.map_begin()) out += ", ";
                render(out, e->key);
                out += ": ";
                render(out, e->val);
            }
            out.push_back('}');
            break;
        }
        case kind::timestamp:
            out += "timestamp(\"" + detail::format_timestamp(v.as_time()) + "\")";
            break;
        case kind::duration:
            out += "duration(\"" + detail::format_duration(v.as_time()) + "\")";
            break;
        case kind::date:
            out += "date(\"" + v.as_date().to_string() + "\")";
            break;
        case kind::time_of_day:
            out += "time_of_day(\"" + v.as_time_of_day().to_string() + "\")";
            break;
        case kind::type:
            out += type_name(v.as_type());
            break;
        case kind::error:
            out += "error(";
            out += to_string(v.as_error().code);
            out += ": ";
            out += v.as_error().message;
            out += ")";
            break;
    }
}

std::string base64(std::string_view s) {
    static constexpr char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(s[i]) << 16) |
                           (static_cast<unsigned char>(s[i + 1]) << 8) |
                           static_cast<unsigned char>(s[i + 2]);
        out += {tbl[n >> 18], tbl[(n >> 12) & 63], tbl[(n >> 6) & 63], tbl[n & 63]};
    }
    if (i + 1 == s.size()) {
        const unsigned n = static_cast<unsigned char>(s[i]) << 16;
        out += {tbl[n >> 18], tbl[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == s.size()) {
        const unsigned n =
            (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
        out += {tbl[n >> 18], tbl[(n >> 12) & 63], tbl[(n >> 6) & 63], '='};
    }
    return out;
}
}  // namespace

std::string value::to_string() const {
    std::string out;
    render(out, *this);
    return out;
}

nlohmann::json to_json(const value& v) {
    switch (v.kind()) {
        case kind::null_:
            return nullptr;
        case kind::bool_:
            return v.as_bool();
        case kind::int_:
            return v.as_int();
        case kind::uint_:
            return v.as_uint();
        case kind::double_:
            return v.as_double();
        case kind::string:
            return std::string(v.as_string());
        case kind::bytes:
            return base64(v.as_string());
        case kind::list: {
            auto out = nlohmann::json::array();
            for (const value* p = v.list_begin(); p != v.list_end(); ++p)
                out.push_back(to_json(*p));
            return out;
        }
        case kind::map: {
            auto out = nlohmann::json::object();
            for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e) {
                std::string key = e->key.kind() == kind::string ? std::string(e->key.as_string())
                                                                : e->key.to_string();
                out[key] = to_json(e->val);
            }
            return out;
        }
        case kind::timestamp:
            return detail::format_timestamp(v.as_time());
        case kind::duration:
            return detail::format_duration(v.as_time());
        case kind::date:
            return v.as_date().to_string();
        case kind::time_of_day:
            return v.as_time_of_day().to_string();
        case kind::type:
            return std::string(type_name(v.as_type()));
        case kind::error:
            return {{"error", std::string(to_string(v.as_error().code))},
                    {"message", std::string(v.as_error().message)}};
    }
    return nullptr;
}

std::ostream& operator<<(std::ostream& os, const value& v) {
    return os << v.to_string();
}

}  // namespace telecomply
