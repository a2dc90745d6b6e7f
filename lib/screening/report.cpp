#include <nlohmann/json.hpp>

#include "base/file_io.hpp"
#include "telecomply/screening/screener.hpp"

namespace telecomply {

nlohmann::json screening_report::to_json() const {
    nlohmann::json j = {{"rows", rows},
                        {"bad_rows", bad_rows},
                        {"flagged_rows", flagged_rows},
                        {"by_code", by_code},
                        {"passes", passes}};
    auto& regions = j["by_code_region"] = nlohmann::json::array();
    for (const auto& [k, n] : by_code_region)
        regions.push_back(
            {{"code", k.first},
             {"region", k.second.empty() ? nlohmann::json() : nlohmann::json(k.second)},
             {"calls", n}});
    auto& worst = j["worst_numbers"] = nlohmann::json::array();
    for (const auto& [number, n] : worst_numbers)
        worst.push_back({{"number", number}, {"calls", n}});
    auto& ex = j["examples"] = nlohmann::json::object();
    for (const auto& [code, list] : examples) {
        auto& arr = ex[code] = nlohmann::json::array();
        for (const auto& e : list) {
            nlohmann::json codes = nlohmann::json::array();
            for (auto c : call_finding_codes(e.codes))
                codes.push_back(c);
            arr.push_back({{"row", e.row},
                           {"caller", e.caller},
                           {"callee", e.callee},
                           {"start", e.start},
                           {"duration_s", e.duration_s},
                           {"codes", codes}});
        }
    }
    auto& days = j["number_days"] = nlohmann::json::array();
    for (const auto& d : number_days)
        days.push_back({{"number", d.number},
                        {"date", d.day.to_string()},
                        {"region", d.region},
                        {"count", d.count},
                        {"cap", d.cap}});
    auto& per_day = j["by_day"] = nlohmann::json::array();
    for (const auto& [k, n] : by_day)
        per_day.push_back(
            {{"date", std::get<0>(k)},
             {"region", std::get<1>(k).empty() ? nlohmann::json() : nlohmann::json(std::get<1>(k))},
             {"code", std::get<2>(k)},
             {"calls", n}});
    return j;
}

void screening_report::write_file(const std::filesystem::path& file) const {
    detail::replace_file(
        file, to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
        errc::store_error);
}

}  // namespace telecomply
