#pragma once
// Names of enumerators, as one table per enum rather than a switch per direction: the public
// names (error codes, decisions, severities, phone kinds...) are a contract, written once.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace telecomply::detail {

/// A fixed table of (enumerator, name) pairs. constexpr, so a table is built at compile time.
template <class E, std::size_t N>
struct enum_names {
    std::array<std::pair<E, std::string_view>, N> entries;

    /// The name of `e`, or `fallback` for a value outside the table.
    [[nodiscard]] constexpr std::string_view name(E e, std::string_view fallback) const noexcept {
        for (const auto& [value, text] : entries)
            if (value == e) return text;
        return fallback;
    }
    /// The enumerator named `text`, or nullopt.
    [[nodiscard]] constexpr std::optional<E> parse(std::string_view text) const noexcept {
        for (const auto& [value, name] : entries)
            if (name == text) return value;
        return std::nullopt;
    }
};

/// Builds a table from (enumerator, name) pairs: `make_enum_names<E>({{E::a, "a"}, ...})`.
template <class E, std::size_t N>
constexpr enum_names<E, N> make_enum_names(
    const std::pair<E, std::string_view> (&pairs)[N]) noexcept {
    enum_names<E, N> out{};
    for (std::size_t i = 0; i < N; ++i)
        out.entries[i] = pairs[i];
    return out;
}

}  // namespace telecomply::detail
