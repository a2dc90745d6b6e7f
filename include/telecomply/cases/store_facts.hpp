#pragma once
/// \file store_facts.hpp
/// What a case store knows across cases (docs/policy.md §7): the record of an applicant (by
/// USCC) and the live cases that already hold an application's numbers. A check or a
/// `submit`/`resubmit` run with a store judges the stricter of the declared history and the
/// store's record, and reports HISTORY_MISMATCH and NUMBER_ALREADY_REGISTERED.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/date.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/verdict.hpp"

namespace telecomply {

class case_store;

/// An applicant's record as the store shows it, relative to an application's submission date.
/// A value type.
struct applicant_record {
    std::string uscc;                  ///< the applicant (upper case)
    std::optional<date> banned_until;  ///< the latest ban of any of its cases that was barred
    int rejections_12m = 0;            ///< its cases entering `rejected` in the 12 months before
                                       ///< submitted_on
    int violations_24m = 0;  ///< its cases entering `suspended` or `revoked` in the 24 months
                             ///< before submitted_on
    /// The entries the values come from: "CASE-ID rejected 2026-03-18" (for people reading why).
    std::vector<std::string> evidence;
};

/// Another live case holding one of the application's numbers.
struct number_registration {
    std::string number;           ///< canonical form
    std::string case_id;          ///< the other case
    std::string state;            ///< its state (a live one)
    bool same_applicant = false;  ///< whether it is a case of the same USCC
};

/// What the store knows for one application. A value type; JSON round-trips (it is recorded in
/// the outcome of the event whose rules it took part in, so that a replay judges the same).
struct store_facts {
    /// The applicant's record; nullopt when the application names no USCC.
    std::optional<applicant_record> record;
    std::vector<number_registration> registrations;  ///< by number, then case id

    /// `{"record": {uscc, banned_until (date or null), rejections_12m, violations_24m,
    /// evidence[]} or null, "registrations": [{number, case_id, state, same_applicant}]}`.
    [[nodiscard]] nlohmann::json to_json() const;
    /// The inverse of to_json(). Throws store_error when malformed.
    static store_facts from_json(const nlohmann::json& j);
};

/// The states in which a case holds its numbers (docs/policy.md §7): submitted, under_review,
/// supplement_requested, site_inspection, whitelisted, change_pending, suspended,
/// renewal_review.
[[nodiscard]] bool is_live_state(std::string_view state) noexcept;

/// What `store` knows for `application` (its `applicant.uscc`, `numbers[].number` and
/// `submitted_on`), leaving out the case `case_id` itself (its own history is not the
/// applicant's record; "" leaves out nothing). Two indexed lookups: milliseconds whatever the
/// store's size. Throws store_error when the store fails, or when its index is still to be
/// rebuilt after an upgrade from schema 3 (case_service does that when it first needs it). Not
/// thread-safe beyond case_store's own contract (one connection per thread).
[[nodiscard]] store_facts facts_for(const case_store& store, const nlohmann::json& application,
                                    std::string_view case_id = {});

/// `application` with `applicant.history` made the stricter of what it declares and the
/// store's record: the later ban, the larger counts. A value the application leaves out is the
/// store's (none found is a clean record: null, 0, 0). Unchanged when `facts` has no record.
[[nodiscard]] nlohmann::json with_store_history(const nlohmann::json& application,
                                                const store_facts& facts);

/// The findings of the store's facts for an application as declared (docs/policy.md §7):
/// HISTORY_MISMATCH[banned_until | rejections_12m | violations_24m] (blocking) for each value
/// the application declares less strictly than the store shows, and
/// NUMBER_ALREADY_REGISTERED[number] for a number on another live case (blocking for another
/// applicant, a warning for the same one).
[[nodiscard]] std::vector<finding> store_findings(const nlohmann::json& application,
                                                  const store_facts& facts);

/// Adds store_findings() to `v` (blocking first, as a check orders them) and decides again.
void add_store_findings(verdict& v, const nlohmann::json& application, const store_facts& facts);

/// A check with a case store: the rules in force judge with_store_history(), and the store's
/// findings are added. `case_id`: the case the application is (left out of the facts), or "".
/// Throws as engine::check() (input_error for an application the schema refuses) and
/// store_error.
[[nodiscard]] verdict check_with_store(const engine& rules, const case_store& store,
                                       const nlohmann::json& application,
                                       const check_options& opts = {},
                                       std::string_view case_id = {});

}  // namespace telecomply
