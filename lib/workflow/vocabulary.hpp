#pragma once
// The workflow's vocabulary of guards and effects as the analyses know it (private): which
// guards exclude each other, the ruleset parameters each guard reads, how each effect uses its
// argument.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace telecomply::detail {

/// True when guards `a` and `b` exclude each other (two transitions on one event may carry
/// them).
bool exclusive_guards(const std::string& a, const std::string& b);

/// The ruleset parameters each guard reads.
const std::map<std::string, std::vector<std::string>, std::less<>>& guard_parameters();

/// How each effect kind uses its argument.
enum class effect_arg : std::uint8_t { timer, code, parameter, flag };
const std::map<std::string, effect_arg, std::less<>>& effect_kinds();

}  // namespace telecomply::detail
