#pragma once
/// \file forecast.hpp
/// When an open case is likely to be decided (审批周期): case_service::forecast() (cases.hpp),
/// `telecomply case forecast`, Python's CaseStore.forecast() (docs/workflow.md, "Time to a
/// decision: durations and forecasts").
///
/// A **decision** is a transition that stops an SLA timer of the workflow (kind "sla"): the
/// bureau's clock stops when it answers. In the national workflow these are approve
/// (→ whitelisted), reject, inspection_failed and supplement_missed (→ rejected) and
/// find_false_information (→ barred); they are read from the workflow, not listed here.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"

namespace telecomply {

/// How case_service::forecast() chooses its basis.
struct forecast_options {
    /// The fewest similar cases a history must have (in the region, else in all regions) to
    /// be the basis; with fewer, the forecast follows the workflow's SLA.
    std::size_t min_similar = 5;
};

/// A running timer of the forecast case.
struct forecast_deadline {
    std::string timer;
    std::string kind;  ///< "sla" or "deadline"
    date due;          ///< its last day
    bool provisional = false;
    /// Whether it bounds the forecast: an SLA a decision stops, whose last day is not past.
    bool bounds = false;
};

/// The likely decision date range of an open case (case_service::forecast()). A value type.
///
/// Remaining working days r are counted from `as_of` and turned into days on the region's
/// calendar: earliest = as_of + floor(p10), likely = as_of + round(median) (halves up), latest
/// = as_of + ceil(p90) working days (calendar::add_working_days(); 0 is as_of itself).
struct decision_forecast {
    std::string case_id, region, state;
    date as_of;
    date in_state_since;          ///< the day the case entered its state
    int waited_working_days = 0;  ///< working days in the state at as_of
    /// "history": the remaining working days of similar cases; "sla": too few of them, the
    /// workflow's SLA gives the latest day.
    std::string basis;
    /// With basis "history": "region" (the case's own) or "all_regions" (its region had too
    /// few); "" with basis "sla".
    std::string scope;
    /// The similar cases found: in the scope used; with basis "sla", in all regions.
    std::size_t similar_cases = 0;
    std::size_t similar_in_region = 0;  ///< of them, in the case's region
    std::size_t min_similar = 0;        ///< forecast_options::min_similar
    /// With basis "history", the percentiles (percentile(), linear interpolation) of the
    /// remaining working days: p10, median, p90.
    std::optional<double> p10, median, p90;
    date earliest, likely, latest;
    /// The SLA timer whose last day capped the dates ("" when none did).
    std::string bounded_by;
    /// With basis "history" and bounded_by set: the latest day the history alone gives.
    std::optional<date> history_latest;
    std::vector<forecast_deadline> deadlines;  ///< its running timers, by name
    std::vector<int> provisional_years;        ///< provisional years the counts crossed, ascending
    std::string explanation;                   ///< one or two sentences saying all this
    /// `{case_id, region, state, as_of, in_state_since, waited_working_days, basis, scope,
    /// similar_cases, similar_in_region, min_similar, remaining_working_days: {p10, median,
    /// p90} | null, earliest, likely, latest, bounded_by | null, history_latest | null,
    /// deadlines: [{timer, kind, due, provisional, bounds}], provisional_years, explanation}`.
    [[nodiscard]] nlohmann::json to_json() const;
};

}  // namespace telecomply
