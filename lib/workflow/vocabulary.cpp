// The guards and effects of the workflow (include/telecomply/workflow/vocabulary.hpp).

#include "telecomply/workflow/vocabulary.hpp"

#include <algorithm>

#include "telecomply/workflow/workflow.hpp"

namespace telecomply {

workflow_vocabulary::workflow_vocabulary(std::vector<guard_spec> guards,
                                         std::vector<effect_spec> effects)
    : guards_(std::move(guards)),
      effects_(std::move(effects)),
      payload_fields_({
          {"reasons", "[finding code, ...]",
           "the finding codes the decision rests on (reject, revoke, suspend...)"},
          {"items", "[material kind or field path, ...]",
           "what the officer asks to be supplied (e.g. \"industry_license\", "
           "\"materials.marketing_plan.purpose\")"},
          {"number", "\"phone number\"", "the number complained about"},
          {"source", "\"text\"",
           "who passed the complaint on (a hotline, the platform a complaints file came from)"},
          {"changed_on", "\"YYYY-MM-DD\"", "the day the reported change took effect"},
          {"patch", "{...}",
           "a JSON Merge Patch (RFC 7386) of the application: what the event changes in it"},
      }) {}

const payload_field* workflow_vocabulary::payload(std::string_view name) const noexcept {
    const auto it = std::find_if(payload_fields_.begin(), payload_fields_.end(),
                                 [&](const payload_field& f) { return f.name == name; });
    return it == payload_fields_.end() ? nullptr : &*it;
}

std::vector<const payload_field*> workflow_vocabulary::payload_of(const workflow& w,
                                                                  std::string_view event) const {
    std::vector<std::string> names;
    for (const auto& t : w.transitions()) {
        if (t.event != event) continue;
        if (const auto* g = guard(t.guard))
            names.insert(names.end(), g->payload.begin(), g->payload.end());
        for (const auto& fx : t.effects)
            if (const auto* e = effect(fx.kind))
                names.insert(names.end(), e->payload.begin(), e->payload.end());
    }
    std::vector<const payload_field*> out;
    for (const auto& f : payload_fields_)
        if (std::find(names.begin(), names.end(), f.name) != names.end()) out.push_back(&f);
    return out;
}

const workflow_vocabulary& workflow_vocabulary::standard() {
    static const workflow_vocabulary v(
        {
            {"intake_rules",
             {},
             {},
             {},
             "the pinned rules' intake phase: no blocking finding and nothing undecided"},
            {"approval",
             {},
             {},
             {},
             "all the pinned rules: no blocking finding, nothing blocking undecided, every "
             "obligation met"},
            {"supplement_complete", {}, {}, {}, "every requested item is now in the application"},
            {"renewal_window",
             {"renewal_window_days"},
             {},
             {},
             "the event falls within renewal_window_days before the validity ends"},
            {"complaints_below_threshold",
             {"complaint_threshold", "complaint_window_days"},
             {"number"},
             {"complaints_at_threshold"},
             "with this one, the number has fewer complaints than complaint_threshold in the "
             "window"},
            {"complaints_at_threshold",
             {"complaint_threshold", "complaint_window_days"},
             {"number"},
             {"complaints_below_threshold"},
             "with this one, the number reaches complaint_threshold complaints in the window"},
        },
        {
            {"start_timer", effect_arg::timer, {}, "starts the timer from the event's date"},
            {"stop_timer", effect_arg::timer, {}, "stops the timer"},
            {"extend_timer",
             effect_arg::timer,
             {},
             "a new period after the running one (from the event's date when not running)"},
            {"meet_obligation", effect_arg::code, {}, "records the obligation as met"},
            {"record",
             effect_arg::code,
             {"reasons"},
             "records the decision's reasons (finding codes) from data.reasons"},
            {"ban",
             effect_arg::parameter,
             {},
             "bans the applicant for the parameter's number of days"},
            {"check_change_lateness",
             effect_arg::parameter,
             {"changed_on"},
             "warns CHANGE_REPORTED_LATE when reported after the parameter's working days"},
            {"count_complaint",
             effect_arg::flag,
             {"number", "source"},
             "counts a complaint on data.number (data.source: who passed it on)"},
            {"require_items",
             effect_arg::flag,
             {"items"},
             "records the requested items (data.items) for supplement_complete"},
            {"amend_application",
             effect_arg::flag,
             {"patch"},
             "the event may amend the application with data.patch (a JSON Merge Patch); a "
             "patch that changes the applicant or the numbers is judged against the case "
             "store's facts"},
            {"hold_change",
             effect_arg::flag,
             {},
             "holds the application as it was before the event, until the change is decided"},
            {"accept_change", effect_arg::flag, {}, "the held change stands: drops the held copy"},
            {"revert_change",
             effect_arg::flag,
             {},
             "the held change is rejected: the application is restored as it was before it"},
        });
    return v;
}

const guard_spec* workflow_vocabulary::guard(std::string_view name) const noexcept {
    const auto it = std::find_if(guards_.begin(), guards_.end(),
                                 [&](const guard_spec& g) { return g.name == name; });
    return it == guards_.end() ? nullptr : &*it;
}

const effect_spec* workflow_vocabulary::effect(std::string_view name) const noexcept {
    const auto it = std::find_if(effects_.begin(), effects_.end(),
                                 [&](const effect_spec& e) { return e.name == name; });
    return it == effects_.end() ? nullptr : &*it;
}

bool workflow_vocabulary::exclusive(std::string_view a, std::string_view b) const noexcept {
    const auto* g = guard(a);
    return g != nullptr && std::find(g->exclusive_with.begin(), g->exclusive_with.end(), b) !=
                               g->exclusive_with.end();
}

const std::vector<std::string>& known_guards() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& g : workflow_vocabulary::standard().guards())
            out.push_back(g.name);
        return out;
    }();
    return names;
}

}  // namespace telecomply
