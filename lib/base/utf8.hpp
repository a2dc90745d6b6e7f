#pragma once
// Minimal UTF-8 helpers: validation, encoding, counting code points.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace telecomply::detail::utf8 {

/// Decodes one code point at s[i]; advances i. Returns 0xFFFFFFFF on malformed input.
inline std::uint32_t decode(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 3;
        cp = b0 & 0x07;
    } else {
        return 0xFFFFFFFF;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return 0xFFFFFFFF;
    for (int k = 1; k <= n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) return 0xFFFFFFFF;
        cp = (cp << 6) | (b & 0x3F);
    }
    // reject overlong forms, surrogates and values above U+10FFFF
    static constexpr std::uint32_t min_for[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFFFFFF;
    i += static_cast<std::size_t>(n) + 1;
    return cp;
}

/// Whether a code point has the Unicode White_Space property (Unicode PropList.txt, 15.0:
/// U+0009..000D, 0020, 0085, 00A0, 1680, 2000..200A, 2028, 2029, 202F, 205F, 3000), which
/// cel-spec's strings extension strips in trim(): a full-width (ideographic) or no-break
/// space is blank.
constexpr bool is_white_space(std::uint32_t cp) noexcept {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

inline bool valid(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        if (decode(s, i) == 0xFFFFFFFF) return false;
    }
    return true;
}

/// Number of code points of valid UTF-8.
inline std::size_t length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

void append(std::string& out, std::uint32_t cp);

/// `s` with every malformed sequence replaced by U+FFFD, so that it can be printed and put in
/// JSON whatever bytes an input had.
inline std::string sanitize(std::string_view s) {
    if (valid(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        const std::uint32_t cp = decode(s, i);
        if (cp == 0xFFFFFFFF) {
            out += "\xEF\xBF\xBD";
            i = start + 1;
        } else {
            out.append(s.substr(start, i - start));
        }
    }
    return out;
}

inline void append(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

}  // namespace telecomply::detail::utf8
