#pragma once
/// \file schema_pattern.hpp
/// A JSON Schema `pattern`, matched as valijson matches it: std::regex (ECMAScript grammar) on
/// the string's bytes, searched rather than anchored (JSON Schema patterns are unanchored unless
/// they say `^` or `$`). Private to the library; used by the compiled validator
/// (schema_validator.hpp).
///
/// Only a subset of the ECMAScript syntax is understood, the one whose meaning over bytes is
/// certain: literals, `.` (any byte but \n and \r), classes of ASCII characters and ranges
/// (`[^...]` too), `\d \D \w \W \s \S` (the C locale's classes, as std::regex has them), the
/// escapes `\t \n \r \f \v` and escaped punctuation, groups `(...)` and `(?:...)`,
/// alternation, the quantifiers `* + ? {n} {n,} {n,m}` (lazy or not: a search only asks
/// whether there is a match), and `^`/`$` (start and end of the input). Anything else
/// (backreferences, lookarounds, word boundaries, \x and \u escapes, POSIX classes, non-ASCII
/// bytes inside a class, ...) makes compile() say nothing: the caller then leaves that pattern
/// to valijson.
///
/// A compiled pattern is a byte DFA (a table lookup per byte of the input, no allocation); a
/// pattern whose DFA would be too large is handed to RE2 instead, compiled once from the same
/// parse in its own syntax (Latin-1, so that RE2 too sees bytes).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace telecomply::detail {

class schema_pattern {
  public:
    /// The default bound on the DFA's states, beyond which RE2 matches the pattern.
    static constexpr std::size_t default_max_states = 1024;

    schema_pattern(schema_pattern&&) noexcept;
    schema_pattern& operator=(schema_pattern&&) noexcept;
    ~schema_pattern();

    /// The pattern compiled, or nullopt when it is outside the subset understood here.
    static std::optional<schema_pattern> compile(std::string_view ecma_pattern,
                                                 std::size_t max_states = default_max_states);
    /// Whether the pattern matches somewhere in `text` (std::regex_search).
    [[nodiscard]] bool search(std::string_view text) const noexcept;
    /// Whether the DFA matches (false: RE2 does).
    [[nodiscard]] bool uses_dfa() const noexcept { return re2_ == nullptr; }

  private:
    schema_pattern() = default;
    // The DFA: a state's row of next states by byte class; flags per state.
    std::uint8_t byte_class_[256] = {};
    std::uint32_t classes_ = 0;
    std::vector<std::uint32_t> next_;
    std::vector<std::uint8_t> flags_;
    std::unique_ptr<re2::RE2> re2_;
};

}  // namespace telecomply::detail
