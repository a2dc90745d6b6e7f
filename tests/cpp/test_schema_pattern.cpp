// JSON Schema patterns (lib/rules/schema_pattern.hpp) against std::regex, which valijson
// searches them with: every pattern the subset accepts, std::regex accepts too and finds in
// the same strings, through the DFA and through RE2 alike.

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "rules/schema_pattern.hpp"

using telecomply::detail::schema_pattern;

namespace {

// std::regex as valijson builds it (ECMAScript), or nothing when it refuses the pattern.
std::optional<std::regex> std_regex(const std::string& pattern) {
    try {
        return std::regex(pattern);
    } catch (const std::regex_error&) {
        return std::nullopt;
    }
}

void same_answers(const std::string& pattern, const std::vector<std::string>& texts) {
    INFO("pattern: " << pattern);
    const auto dfa = schema_pattern::compile(pattern);
    REQUIRE(dfa.has_value());
    const auto re2 = schema_pattern::compile(pattern, 1);  // too small for a DFA: RE2
    REQUIRE(re2.has_value());
    const auto reference = std_regex(pattern);
    REQUIRE(reference.has_value());
    for (const auto& t : texts) {
        INFO("text: " << t);
        const bool expected = std::regex_search(t, *reference);
        CHECK(dfa->search(t) == expected);
        CHECK(re2->search(t) == expected);
    }
}

}  // namespace

TEST_CASE("schema pattern: the patterns of the application schema") {
    const std::vector<std::string> texts = {
        "",      "2026-03-02", "2026-13-02", "2026-03-32", "x2026-03-02", "2026-03-02\n",
        "CN-GD", "CN-gd",      "CN-GDX",     "09:30",      "24:00",       "24:01",
        "9:30",  "23:59",      "示例",       "CN-\xC3\xA9"};
    for (const char* p : {"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "^CN-[A-Z]{2}$",
                          "^((([01][0-9]|2[0-3]):[0-5][0-9])|24:00)?$"}) {
        same_answers(p, texts);
        CHECK(schema_pattern::compile(p)->uses_dfa());
    }
}

TEST_CASE("schema pattern: a DFA too large for its bound is matched by RE2") {
    const std::string p = "(a|b)*a(a|b){12}";  // 2^13 states unanchored
    const auto big = schema_pattern::compile(p);
    REQUIRE(big.has_value());
    CHECK_FALSE(big->uses_dfa());
    same_answers(p, {"", "a", "abababababababab", "aaaaaaaaaaaaab", "bbbbbbbbbbbbbbbbb"});
}

TEST_CASE("schema pattern: what it refuses") {
    for (const char* p :
         {"(a)\\1",  "(?=a)", "(?!a)", "(?<n>a)", "\\bword", "\\B",     "[[:alpha:]]", "\\x41",
          "\\u0041", "\\cA",  "\\0",   "[]",      "[^]",     "a{2,1}",  "a{",          "a}",
          "]",       "a**",   "^*",    "[z-a]",   "[a-\\d]", "[\\d-z]", "[a-c-e]",     "[\xC3\xA9]",
          "(a",      "a)",    "\\",    "[a",      "a{1001}"}) {
        INFO(p);
        CHECK_FALSE(schema_pattern::compile(p).has_value());
    }
}

TEST_CASE("schema pattern: random patterns, as std::regex finds them") {
    // pieces of the ECMAScript syntax, some of them outside the subset or malformed alone
    const std::vector<std::string> pieces = {
        "a",    "b",      "c",    "0",        "9",    "-",     "_",      ".",      "\\d",
        "\\D",  "\\w",    "\\W",  "\\s",      "\\S",  "[a-c]", "[^a-c]", "[\\d_]", "[-a]",
        "[a-]", "[^\\s]", "[.$]", "\xC3\xA9", "\\.",  "\\$",   "\\-",    "\\n",    "\\t",
        "\\r",  "\\/",    "(",    ")",        "(?:",  "|",     "^",      "$",      "*",
        "+",    "?",      "{2}",  "{1,3}",    "{2,}", "*?",    "+?",     "??",     "{0}",
        "[",    "]",      "\\b",  "\\1",      "(?=",  "{",     "}"};
    const std::vector<std::string> letters = {"a",
                                              "b",
                                              "c",
                                              "0",
                                              "9",
                                              "_",
                                              "-",
                                              ".",
                                              "$",
                                              " ",
                                              "\t",
                                              "\n",
                                              "\r",
                                              "\v",
                                              "\f",
                                              "\xC3\xA9",
                                              "\xE7\xA4\xBA",
                                              std::string(1, '\0')};
    std::mt19937 rng(7);
    auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    int accepted = 0, refused_by_both = 0, texts = 0;
    for (int i = 0; i < 6000; ++i) {
        std::string pattern;
        const std::size_t n = 1 + below(7);
        for (std::size_t k = 0; k < n; ++k)
            pattern += pieces[below(pieces.size())];
        INFO("pattern: " << pattern);
        const auto ours = schema_pattern::compile(pattern);
        const auto reference = std_regex(pattern);
        if (!ours) {
            refused_by_both += reference ? 0 : 1;
            continue;
        }
        // never a pattern that std::regex (so valijson) would refuse
        REQUIRE(reference.has_value());
        ++accepted;
        const auto re2 = schema_pattern::compile(pattern, 1);
        REQUIRE(re2.has_value());
        for (int t = 0; t < 40; ++t) {
            std::string text;
            const std::size_t len = below(9);
            for (std::size_t k = 0; k < len; ++k)
                text += letters[below(letters.size())];
            INFO("text: " << text);
            const bool expected = std::regex_search(text, *reference);
            CHECK(ours->search(text) == expected);
            CHECK(re2->search(text) == expected);
            ++texts;
        }
    }
    MESSAGE(accepted << " random patterns accepted and compared on " << texts << " texts; "
                     << refused_by_both << " refused by std::regex too");
    CHECK(accepted > 1500);
}
