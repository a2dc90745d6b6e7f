#pragma once
// What the case store indexes a case by, derived from its application (docs/policy.md §7):
// the applicant's USCC and the numbers it applies for, in the forms that compare equal.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace telecomply::detail {

struct case_keys {
    std::string uscc;                  ///< upper case, trimmed; "" when the application has none
    std::vector<std::string> numbers;  ///< canonical_phone() forms (the text as given when it is
                                       ///< not a valid number), sorted, without duplicates
    bool operator==(const case_keys&) const = default;
};

/// The keys of an application (`applicant.uscc`, `numbers[].number`); anything missing or of
/// the wrong type is left out.
case_keys keys_of_application(const nlohmann::json& application);
/// Whether entering `state` is part of an applicant's record (docs/policy.md §7: a rejection;
/// a violation, entering suspended or revoked; a ban, entering barred): the states the store
/// indexes entries into.
bool is_record_state(std::string_view state) noexcept;
/// The USCC as the store keeps it: ASCII upper case, without surrounding blanks.
std::string store_uscc(std::string_view uscc);
/// A number as the store keeps it: canonical_phone(), or the text as given when invalid.
std::string store_number(std::string_view number);

}  // namespace telecomply::detail
