#pragma once
/// \file value.hpp
/// The values expressions compute with: CEL's types (null, bool, int, uint, double, string,
/// bytes, list, map, timestamp, duration, type, error) plus this domain's date and time of day.
///
/// A value is 16 bytes and trivially copyable. Strings, lists and maps do not own their
/// contents: they point into a telecomply::document, into a compiled expression's constants, or
/// into an eval_context's arena, and stay valid as long as that owner does (and, for a
/// context, until its next evaluation). Use to_json() or the Python conversion to keep a
/// result beyond that.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"

namespace telecomply {

/// The runtime type of a value.
enum class kind : std::uint8_t {
    null_,
    bool_,
    int_,
    uint_,
    double_,
    string,
    bytes,
    list,
    map,
    timestamp,
    duration,
    date,
    time_of_day,
    type,
    error,
};

/// A set of kinds: what a typed function overload accepts at one argument position (see
/// environment::add_overload). `kind_set::any()` accepts every kind, as CEL's `dyn` does.
/// Build sets with `|`: `kind::string | kind::bytes`.
class kind_set {
  public:
    constexpr kind_set(kind k) noexcept  // NOLINT(google-explicit-constructor): a kind is a set
        : bits_(std::uint32_t{1} << static_cast<unsigned>(k)) {}
    /// Every kind (CEL `dyn`).
    static constexpr kind_set any() noexcept { return kind_set(~std::uint32_t{0}); }
    [[nodiscard]] constexpr bool contains(kind k) const noexcept {
        return ((bits_ >> static_cast<unsigned>(k)) & 1U) != 0;
    }
    [[nodiscard]] constexpr bool is_any() const noexcept { return bits_ == ~std::uint32_t{0}; }
    /// Whether every kind of `o` is in this set.
    [[nodiscard]] constexpr bool includes(kind_set o) const noexcept {
        return (bits_ & o.bits_) == o.bits_;
    }
    constexpr kind_set operator|(kind_set o) const noexcept { return kind_set(bits_ | o.bits_); }
    friend constexpr bool operator==(kind_set, kind_set) noexcept = default;

  private:
    explicit constexpr kind_set(std::uint32_t bits) noexcept : bits_(bits) {}
    std::uint32_t bits_;
};
constexpr kind_set operator|(kind a, kind b) noexcept {
    return kind_set(a) | kind_set(b);
}

/// The CEL name of a kind ("int", "google.protobuf.Timestamp", "date"...).
std::string_view type_name(kind k) noexcept;

/// Why an evaluation produced an error value. Stable: rule engines match on these.
enum class eval_errc : std::uint8_t {
    no_such_field = 1,     ///< selecting a field a map does not have (an absent input)
    no_such_key,           ///< indexing a map with a key it does not have
    no_such_overload,      ///< no function or operator accepts these argument types
    division_by_zero,      ///< integer division by zero
    modulus_by_zero,       ///< integer modulus by zero
    overflow,              ///< integer, timestamp or duration arithmetic out of range
    index_out_of_range,    ///< list index outside the list
    invalid_argument,      ///< a conversion or function argument has a bad value
    undeclared_reference,  ///< (unchecked mode) a name that is not bound
    unbound_function,      ///< (unchecked mode) a function that does not exist
};

/// The stable name of an evaluation error code, e.g. "no_such_field".
std::string_view to_string(eval_errc code) noexcept;

/// The payload of an error value. `path` is set for no_such_field errors raised on a field path
/// that starts at a variable (e.g. "materials.marketing_plan.consent"), so that rule engines
/// can report which inputs were absent; `next` chains further errors of that kind merged by
/// `&&` / `||`.
struct error_info {
    eval_errc code;
    std::uint32_t offset;  ///< byte offset in the expression source of the failing operation
    std::string_view message;
    std::string_view path;
    const error_info* next = nullptr;
};

class value;

/// One entry of a map value.
struct map_entry;

/// Seconds and nanoseconds (nanos has the sign of seconds), as protobuf Timestamp/Duration.
struct time_parts {
    std::int64_t seconds;
    std::int32_t nanos;
};

/// A CEL value. Trivially copyable; see the file comment for lifetimes.
class value {
  public:
    /// null
    constexpr value() noexcept
        : head_(static_cast<std::uint32_t>(kind::null_)), n_(0), p_{.i = 0} {}
    constexpr value(std::nullptr_t) noexcept : value() {}

    static constexpr value from_bool(bool b) noexcept {
        return value(kind::bool_, 0, payload{.b = b});
    }
    static constexpr value from_int(std::int64_t i) noexcept {
        return value(kind::int_, 0, payload{.i = i});
    }
    static constexpr value from_uint(std::uint64_t u) noexcept {
        return value(kind::uint_, 0, payload{.u = u});
    }
    static constexpr value from_double(double d) noexcept {
        return value(kind::double_, 0, payload{.d = d});
    }
    /// A string that refers to `s` (which must be valid UTF-8 and outlive the value).
    static constexpr value from_string(std::string_view s) noexcept {
        return value(kind::string, s);
    }
    static constexpr value from_bytes(std::string_view s) noexcept { return value(kind::bytes, s); }
    static constexpr value from_list(const value* items, std::uint32_t size) noexcept {
        return value(kind::list, size, payload{.items = items});
    }
    static constexpr value from_map(const map_entry* entries, std::uint32_t size) noexcept {
        return value(kind::map, size, payload{.entries = entries});
    }
    static constexpr value from_timestamp(time_parts t) noexcept {
        return value(kind::timestamp, static_cast<std::uint32_t>(t.nanos), payload{.i = t.seconds});
    }
    static constexpr value from_duration(time_parts t) noexcept {
        return value(kind::duration, static_cast<std::uint32_t>(t.nanos), payload{.i = t.seconds});
    }
    static constexpr value from_date(telecomply::date d) noexcept {
        return value(kind::date, 0, payload{.i = d.days_since_epoch()});
    }
    static constexpr value from_time_of_day(telecomply::time_of_day t) noexcept {
        return value(kind::time_of_day, 0, payload{.i = t.minutes()});
    }
    /// A type value denoting kind `k`.
    static constexpr value from_type(kind k) noexcept {
        return value(kind::type, 0, payload{.i = static_cast<std::int64_t>(k)});
    }
    static constexpr value from_error(const error_info* e) noexcept {
        return value(kind::error, 0, payload{.err = e});
    }

    [[nodiscard]] constexpr telecomply::kind kind() const noexcept {
        return static_cast<telecomply::kind>(head_ & 0xFFu);
    }
    [[nodiscard]] constexpr bool is_null() const noexcept { return kind() == kind::null_; }
    [[nodiscard]] constexpr bool is_bool() const noexcept { return kind() == kind::bool_; }
    [[nodiscard]] constexpr bool is_error() const noexcept { return kind() == kind::error; }
    [[nodiscard]] constexpr bool is_true() const noexcept { return kind() == kind::bool_ && p_.b; }
    [[nodiscard]] constexpr bool is_false() const noexcept {
        return kind() == kind::bool_ && !p_.b;
    }

    // Accessors: the caller checks kind() first (no checks are made).
    [[nodiscard]] constexpr bool as_bool() const noexcept { return p_.b; }
    [[nodiscard]] constexpr std::int64_t as_int() const noexcept { return p_.i; }
    [[nodiscard]] constexpr std::uint64_t as_uint() const noexcept { return p_.u; }
    [[nodiscard]] constexpr double as_double() const noexcept { return p_.d; }
    /// String or bytes contents.
    [[nodiscard]] constexpr std::string_view as_string() const noexcept { return {p_.s, n_}; }
    [[nodiscard]] constexpr std::uint32_t size() const noexcept { return n_; }
    [[nodiscard]] constexpr const value* list_begin() const noexcept { return p_.items; }
    [[nodiscard]] constexpr const value* list_end() const noexcept { return p_.items + n_; }
    [[nodiscard]] constexpr const map_entry* map_begin() const noexcept { return p_.entries; }
    [[nodiscard]] const map_entry* map_end() const noexcept;
    [[nodiscard]] constexpr time_parts as_time() const noexcept {
        return {p_.i, static_cast<std::int32_t>(n_)};
    }
    [[nodiscard]] constexpr telecomply::date as_date() const noexcept {
        return telecomply::date{static_cast<std::int32_t>(p_.i)};
    }
    [[nodiscard]] constexpr telecomply::time_of_day as_time_of_day() const noexcept {
        return telecomply::time_of_day{static_cast<std::int32_t>(p_.i)};
    }
    [[nodiscard]] constexpr telecomply::kind as_type() const noexcept {
        return static_cast<telecomply::kind>(p_.i);
    }
    [[nodiscard]] constexpr const error_info& as_error() const noexcept { return *p_.err; }

    /// The entry for a string key in a map, or nullptr (lists and other kinds: nullptr).
    [[nodiscard]] const value* find(std::string_view key) const noexcept;
    /// The entry for any key, with CEL's numeric key equivalence (1 == 1u == 1.0).
    [[nodiscard]] const value* find(const value& key) const noexcept;

    /// find() for a string `key` (any other kind: nullptr), without rebuilding the key: for
    /// callers that look the same name up many times (the evaluator's field names).
    [[nodiscard]] const value* find_string(const value& key) const noexcept;

    /// A readable rendering in CEL literal syntax, e.g. `{"a": [1, 2.5, null]}`.
    [[nodiscard]] std::string to_string() const;

  private:
    union payload {
        bool b;
        std::int64_t i;
        std::uint64_t u;
        double d;
        const char* s;
        const value* items;
        const map_entry* entries;
        const error_info* err;
    };
    constexpr value(telecomply::kind k, std::uint32_t n, payload p) noexcept
        : head_(static_cast<std::uint32_t>(k)), n_(n), p_(p) {}
    // Strings and bytes keep their first three bytes in head_ beside the kind: with the length
    // they make the value's first 8 bytes, so a map lookup compares one word per key and reads
    // the key's text only when that word matches.
    static constexpr std::uint32_t prefix(std::string_view s) noexcept {
        std::uint32_t h = 0;
        for (std::size_t i = 0; i < 3 && i < s.size(); ++i)
            h |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << (8 * (i + 1));
        return h;
    }
    constexpr value(telecomply::kind k, std::string_view s) noexcept
        : head_(static_cast<std::uint32_t>(k) | prefix(s)),
          n_(static_cast<std::uint32_t>(s.size())),
          p_{.s = s.data()} {}

    std::uint32_t head_;  // kind in the low byte; for strings and bytes, their first 3 bytes
    std::uint32_t n_;     // length, element count, or nanoseconds
    payload p_;
};

struct map_entry {
    value key;
    value val;
};

inline const map_entry* value::map_end() const noexcept {
    return p_.entries + n_;
}

static_assert(sizeof(value) == 16);
static_assert(std::is_standard_layout_v<value> && std::is_trivially_copyable_v<value>);

/// CEL equality (`==`): numeric values compare across int, uint and double; values of different
/// kinds are unequal; lists and maps compare element-wise. Errors are not compared (false).
bool equal(const value& a, const value& b) noexcept;

/// Converts to JSON: timestamps and durations as their CEL string forms, dates as YYYY-MM-DD,
/// bytes as base64, errors as {"error": code, "message": ...}.
nlohmann::json to_json(const value& v);

std::ostream& operator<<(std::ostream& os, const value& v);

}  // namespace telecomply
