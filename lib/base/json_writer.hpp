#pragma once
// JSON text written straight into a std::string, byte for byte as nlohmann's
// `dump(indent, ' ', false, error_handler_t::replace)` writes the same value (what the command
// line's json_text() prints): keys in the order the caller gives them (give them sorted to
// match a nlohmann object), non-ASCII text as it is, control characters as \u00XX or their short
// escapes, text that is not valid UTF-8 with U+FFFD in place of each bad sequence, doubles in
// their shortest form ("100.0", "1e+100"), non-finite doubles as null. Private to the library.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace telecomply::detail {

/// Appends `s` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view s);

/// Writes one JSON value at the end of `out` through calls that open and close objects and
/// arrays, name members and give scalars. `indent` < 0 writes compact text; >= 0 pretty-prints
/// with that many spaces per level, the value's own lines (after its first) indented by
/// `current_indent` more (a value nested in something the caller writes). Objects and arrays
/// opened through begin_object() / begin_array() nest at most 64 deep; value(json) writes any
/// depth. The caller keeps the calls well formed (a key before each member's value).
///
/// The text gathers in the writer (on the stack) and reaches `out` a few kilobytes at a time:
/// use `out` again once the writer is gone; it then holds all that was written (a prefix of it
/// when a call threw). Not thread-safe.
class json_writer {
  public:
    explicit json_writer(std::string& out, int indent = -1, int current_indent = 0) noexcept
        : out_(&out), indent_(indent), current_indent_(current_indent < 0 ? 0 : current_indent) {}
    ~json_writer();
    json_writer(const json_writer&) = delete;
    json_writer& operator=(const json_writer&) = delete;

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    /// A member's key; its value comes next.
    void key(std::string_view k) {
        separate();
        escaped(k);
        if (indent_ >= 0)
            put(": ", 2);
        else
            put(':');
        after_key_ = true;
    }
    void string(std::string_view s) {
        separate();
        escaped(s);
    }
    void number(std::int64_t i);
    void number(std::uint64_t u);
    void number(double d);
    void boolean(bool b) {
        separate();
        b ? put("true", 4) : put("false", 5);
    }
    void null() {
        separate();
        put("null", 4);
    }
    /// `"k": s` (the common case, in one call).
    void member(std::string_view k, std::string_view s) {
        key(k);
        escaped(s);
        after_key_ = false;
    }
    /// A nlohmann value of any depth, as dump() writes it at this place.
    void value(const nlohmann::json& j);

  private:
    static constexpr std::size_t k_buffer = 4096;
    // Room for n (at most k_buffer) more bytes at cur_.
    void room(std::size_t n) {
        if (static_cast<std::size_t>(buffer_ + k_buffer - cur_) < n) flush();
    }
    void flush();
    void put(char c) {
        room(1);
        *cur_++ = c;
    }
    void put(const char* s, std::size_t n) {
        if (n == 0) return;  // an empty view's data may be null, which memcpy may not take
        if (static_cast<std::size_t>(buffer_ + k_buffer - cur_) < n) return put_long(s, n);
        std::memcpy(cur_, s, n);
        cur_ += n;
    }
    void put_long(const char* s, std::size_t n);
    void escaped(std::string_view s);  // a JSON string, quotes included
    void plain_number(std::int64_t i);
    void plain_number(std::uint64_t u);
    void plain_number(double d);
    // What comes before a value or key: nothing, ",", a new line and indent.
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (depth_ == 0) return;
        const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
        if ((has_items_ & bit) != 0) put(',');
        has_items_ |= bit;
        if (indent_ >= 0) newline_indent(depth_);
    }
    void open(char bracket) {
        separate();
        put(bracket);
        ++depth_;
        has_items_ &= ~(std::uint64_t{1} << (depth_ - 1));
    }
    void close(char bracket) {
        const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
        --depth_;
        if (indent_ >= 0 && (has_items_ & bit) != 0) newline_indent(depth_);
        put(bracket);
    }
    void newline_indent(int levels);
    void nested(const nlohmann::json& j, int level);

    std::string* out_;
    char buffer_[k_buffer];  // the text not yet in out_ (uninitialized beyond cur_)
    char* cur_ = buffer_;
    int indent_;
    int current_indent_;
    int depth_ = 0;
    bool after_key_ = false;
    std::uint64_t has_items_ = 0;  // bit d: the container at depth d + 1 has an item already
};

}  // namespace telecomply::detail
