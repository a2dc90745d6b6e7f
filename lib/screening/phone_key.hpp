#pragma once
/// \file phone_key.hpp
/// A phone number as a 64-bit key, so that screening compares and hashes numbers without
/// strings. Private to the library.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telecomply::detail {

/// The key of a number: its canonical digits (canonical_phone()) as `value * 16 + length`, so
/// that leading zeros count (`010...` and `10...` differ). A writing canonical_phone() refuses
/// for its separators alone (blanks, '-', '(', ')' anywhere, a '+' before the digits) is read
/// as its digits (with the '+'), so that `+86  138 0013 8000 ` is `13800138000`; when
/// canonical_phone() refuses those too (a short service number), the key is of the digits: it
/// can match a refusal but never a whitelisted number. nullopt for empty text, other
/// characters, or more than 15 digits.
[[nodiscard]] std::optional<std::uint64_t> phone_key(std::string_view text);
/// phone_key() of an integer column's value (its decimal digits). A landline's leading 0 is
/// lost in an integer: such columns should be read as text.
[[nodiscard]] std::optional<std::uint64_t> phone_key(std::int64_t number);
/// The digits a key stands for.
[[nodiscard]] std::string phone_key_text(std::uint64_t key);

}  // namespace telecomply::detail
