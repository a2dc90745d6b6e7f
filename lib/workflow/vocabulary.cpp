// The workflow's vocabulary of guards and effects (lib/workflow/vocabulary.hpp).

#include "workflow/vocabulary.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "telecomply/workflow/workflow.hpp"

namespace telecomply {
namespace detail {

// Guards that exclude each other, so two transitions on one event may carry them.
bool exclusive_guards(const std::string& a, const std::string& b) {
    static const std::set<std::pair<std::string, std::string>> pairs = {
        {"complaints_at_threshold", "complaints_below_threshold"}};
    if (a.empty() || b.empty()) return false;
    return pairs.count(std::minmax(a, b)) != 0;
}

// The ruleset parameters each guard reads.
const std::map<std::string, std::vector<std::string>, std::less<>>& guard_parameters() {
    static const std::map<std::string, std::vector<std::string>, std::less<>> m = {
        {"renewal_window", {"renewal_window_days"}},
        {"complaints_below_threshold", {"complaint_threshold", "complaint_window_days"}},
        {"complaints_at_threshold", {"complaint_threshold", "complaint_window_days"}},
    };
    return m;
}

// How each effect kind uses its argument.
const std::map<std::string, effect_arg, std::less<>>& effect_kinds() {
    static const std::map<std::string, effect_arg, std::less<>> m = {
        {"start_timer", effect_arg::timer},
        {"stop_timer", effect_arg::timer},
        {"extend_timer", effect_arg::timer},
        {"meet_obligation", effect_arg::code},
        {"record", effect_arg::code},
        {"ban", effect_arg::parameter},
        {"check_change_lateness", effect_arg::parameter},
        {"count_complaint", effect_arg::flag},
        {"require_items", effect_arg::flag},
    };
    return m;
}

}  // namespace detail

const std::vector<std::string>& known_guards() {
    static const std::vector<std::string> guards = {"intake_rules",
                                                    "approval",
                                                    "supplement_complete",
                                                    "renewal_window",
                                                    "complaints_below_threshold",
                                                    "complaints_at_threshold"};
    return guards;
}

}  // namespace telecomply
