// The keys the case store indexes a case by (see case_keys.hpp).

#include "cases/case_keys.hpp"

#include <algorithm>
#include <cctype>

#include "telecomply/domain/identifiers.hpp"

namespace telecomply::detail {

bool is_record_state(std::string_view state) noexcept {
    return state == "rejected" || state == "suspended" || state == "revoked" || state == "barred";
}

std::string store_uscc(std::string_view uscc) {
    const auto first = uscc.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = uscc.find_last_not_of(" \t");
    std::string out(uscc.substr(first, last - first + 1));
    for (char& ch : out)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

std::string store_number(std::string_view number) {
    if (auto c = canonical_phone(number)) return std::move(*c);
    return std::string(number);
}

case_keys keys_of_application(const nlohmann::json& application) {
    case_keys k;
    if (!application.is_object()) return k;
    if (const auto a = application.find("applicant"); a != application.end() && a->is_object())
        if (const auto u = a->find("uscc"); u != a->end() && u->is_string())
            k.uscc = store_uscc(u->get_ref<const std::string&>());
    if (const auto ns = application.find("numbers"); ns != application.end() && ns->is_array())
        for (const auto& n : *ns)
            if (n.is_object())
                if (const auto v = n.find("number"); v != n.end() && v->is_string())
                    k.numbers.push_back(store_number(v->get_ref<const std::string&>()));
    std::sort(k.numbers.begin(), k.numbers.end());
    k.numbers.erase(std::unique(k.numbers.begin(), k.numbers.end()), k.numbers.end());
    return k;
}

}  // namespace telecomply::detail
