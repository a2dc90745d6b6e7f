#pragma once
// CEL's matches() on RE2 (google/cel-spec: RE2 syntax), compiled one way for constant patterns
// (once, at compile time) and for patterns known only at run time (per call).

#include <re2/re2.h>

#include <string_view>

namespace telecomply::detail {

/// The options every CEL pattern is compiled with: no logging (a bad pattern is an error value,
/// not a line on stderr) and a memory bound on the automaton, so that a hostile pattern in a
/// ruleset cannot exhaust memory (8 MiB, RE2's default budget).
inline RE2::Options cel_regex_options() {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(8 << 20);
    return opts;
}

/// `pattern` as a RE2 string piece.
inline re2::StringPiece piece(std::string_view s) {
    return {s.data(), s.size()};
}

}  // namespace telecomply::detail
