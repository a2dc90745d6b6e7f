#include "screening/phone_key.hpp"

#include <array>
#include <charconv>

#include "telecomply/domain/identifiers.hpp"

namespace telecomply::detail {

namespace {

constexpr std::size_t k_max_digits = 15;

std::uint64_t key_of_digits(std::string_view digits) noexcept {
    std::uint64_t value = 0;
    for (char c : digits)
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    return value * 16 + digits.size();
}

bool all_digits(std::string_view s) noexcept {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

std::optional<std::uint64_t> phone_key(std::string_view text) {
    if (text.empty() || text.size() > 40) return std::nullopt;
    // The common case, a number already written canonically: canonical_phone() returns such
    // digits unchanged unless they carry a country prefix (00 86..., or a bare 86 before 11
    // digits).
    if (text.size() <= k_max_digits && all_digits(text) && !text.starts_with("00") &&
        !(text.size() == 13 && text.starts_with("86")))
        return key_of_digits(text);
    if (auto canonical = canonical_phone(text)) return key_of_digits(*canonical);
    // A writing canonical_phone() refuses for its separators alone (two blanks in a row, a
    // blank at an end, parentheses): its digits, with the '+' in front if it has one
    std::array<char, k_max_digits + 1> digits{};
    std::size_t n = 1;  // digits[0] holds the '+'
    bool plus = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            if (n == digits.size()) return std::nullopt;
            digits[n++] = c;
        } else if (c == '+' && n == 1 && !plus) {
            plus = true;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
            return std::nullopt;
        }
    }
    if (n == 1) return std::nullopt;
    digits[0] = '+';
    const std::string_view written(digits.data() + (plus ? 0 : 1), n - (plus ? 0 : 1));
    const std::string_view bare(digits.data() + 1, n - 1);
    // ... read as canonical_phone() reads them, so that a country code or a trunk prefix is
    // dropped as it is from any other writing of the number (`+86  138...` is `138...`)
    if (auto canonical = canonical_phone(written)) return key_of_digits(*canonical);
    return key_of_digits(bare);
}

std::optional<std::uint64_t> phone_key(std::int64_t number) {
    if (number <= 0) return std::nullopt;
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), number);
    (void)ec;
    return phone_key(std::string_view(buf.data(), static_cast<std::size_t>(end - buf.data())));
}

std::string phone_key_text(std::uint64_t key) {
    const auto length = static_cast<std::size_t>(key % 16);
    std::uint64_t value = key / 16;
    std::string out(length, '0');
    for (std::size_t i = length; i-- > 0 && value != 0; value /= 10)
        out[i] = static_cast<char>('0' + value % 10);
    return out;
}

}  // namespace telecomply::detail
