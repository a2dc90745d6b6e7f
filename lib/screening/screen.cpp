// The screening run (docs/policy.md §6, docs/screening.md): pass 1 judges every row from its
// batch's numeric columns and counts each number-day; pass 2, only when a number-day over its
// cap arrived out of start order, ranks that number-day's calls exactly; the last step hands
// each row's final codes to the sink in row order.

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "screening/call_batch.hpp"
#include "screening/call_time.hpp"
#include "screening/context.hpp"
#include "screening/phone_key.hpp"
#include "screening/result_spill.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"

namespace telecomply {

namespace {

using detail::call_batch;
using detail::row_result;
using ctx_impl = screening_context::impl;

constexpr auto k_not_whitelisted = static_cast<std::uint8_t>(call_finding::caller_not_whitelisted);
constexpr auto k_outside = static_cast<std::uint8_t>(call_finding::outside_calling_window);
constexpr auto k_over_cap = static_cast<std::uint8_t>(call_finding::daily_call_cap_exceeded);
constexpr auto k_refused = static_cast<std::uint8_t>(call_finding::callee_refused);
constexpr std::size_t k_examples = 3;
constexpr std::size_t k_worst = 10;
constexpr std::size_t k_all_sampled = 4;  // every finding kind has its examples

/// The rules of one region on one local day.
struct day_rules {
    bool ok = false;
    std::int32_t window_start = 0, window_end = 0;  ///< seconds after local midnight
    std::int64_t cap = 0;
    std::string problem;  ///< why there are none
};

/// A caller on a local day.
struct number_day {
    std::uint64_t caller = 0;
    std::int64_t day = 0;
    bool operator==(const number_day&) const = default;
};
struct number_day_hash {
    std::size_t operator()(const number_day& k) const noexcept {
        return std::hash<std::uint64_t>{}(k.caller * 0x9E3779B97F4A7C15ULL ^
                                          static_cast<std::uint64_t>(k.day));
    }
};

/// What pass 1 keeps of a number-day.
struct day_count {
    std::int64_t count = 0;
    std::int64_t last_start = std::numeric_limits<std::int64_t>::min();
    std::int64_t cap = 0;
    std::uint16_t region = 0;
    bool out_of_order = false;  ///< a call arrived earlier than one before it
};

std::int32_t seconds_of(const nlohmann::json& hhmm, const char* what) {
    if (!hhmm.is_string())
        throw ruleset_error("", 0, "", std::string("params.") + what + " is not a time");
    auto t = time_of_day::parse(hhmm.get<std::string>());
    if (!t) throw ruleset_error("", 0, "", std::string("params.") + what + " is not HH:MM");
    return t->minutes() * 60;
}

class run {
  public:
    run(const ctx_impl& ctx, screening_report& report) : ctx_(ctx), report_(report) {}

    /// Pass 1 over one batch: every row's codes into the spill.
    void judge(call_batch& b) {
        const std::size_t n = b.size();
        results_.assign(n, row_result{});
        for (std::size_t i = 0; i < n; ++i) {
            if (b.bad[i]) {
                results_[i].bad = 1;
                continue;
            }
            const std::uint64_t caller = b.caller[i];
            const std::int64_t start = b.start[i];
            const std::int64_t day = detail::local_day(start);
            std::uint8_t codes = 0;
            row_result& r = results_[i];
            r.day = static_cast<std::int32_t>(day);
            caller_state& who = state_of(caller);
            if (who.entries == nullptr) {
                codes |= k_not_whitelisted;
            } else {
                const auto standing = ctx_.at(*who.entries, start);
                if (!standing.whitelisted) codes |= k_not_whitelisted;
                const day_rules& rules = rules_for(standing.region, day);
                if (!rules.ok) {
                    b.fail(i, "start", rules.problem);
                    r.bad = 1;
                    continue;
                }
                r.region = static_cast<std::uint16_t>(standing.region + 1);
                const std::int64_t sod = start + detail::k_cst_offset_s - day * detail::k_day_s;
                if (sod < rules.window_start || sod + b.duration[i] > rules.window_end)
                    codes |= k_outside;
                day_count& d = day_of(who, caller, day);
                if (d.count == 0) {
                    d.cap = rules.cap;
                    d.region = standing.region;
                }
                ++d.count;
                if (start < d.last_start)
                    d.out_of_order = true;
                else
                    d.last_start = start;
                if (!d.out_of_order && d.count > d.cap) codes |= k_over_cap;
            }
            if (ctx_.maybe_refused(b.callee[i])) {
                auto refused = ctx_.refused_at.find(b.callee[i]);
                if (refused != ctx_.refused_at.end() && refused->second <= start)
                    codes |= k_refused;
            }
            r.codes = codes;
            if (codes != 0) {
                ++who.flagged;
                if (sampled_ != k_all_sampled) sample(b, i, codes);
            }
        }
        b.sort_errors();
        spill_.append(results_, b.errors);
    }

    /// The number-days that arrived out of order and exceed their cap: pass 2 ranks them.
    [[nodiscard]] std::unordered_set<number_day, number_day_hash> to_rank() {
        settle_days();
        std::unordered_set<number_day, number_day_hash> out;
        for (const auto& [k, d] : days_)
            if (d.out_of_order && d.count > d.cap) out.insert(k);
        return out;
    }

    /// Pass 2: ranks the calls of `days` in start order (ties: row order) and corrects them.
    void rank(call_source& input, const std::unordered_set<number_day, number_day_hash>& days) {
        struct call {
            std::int64_t start, row;
            std::uint64_t callee;
            std::int64_t duration;
        };
        std::unordered_map<number_day, std::vector<call>, number_day_hash> calls;
        auto reader = input.read();
        call_batch b;
        while (reader->next(b)) {
            for (std::size_t i = 0; i < b.size(); ++i) {
                if (b.bad[i]) continue;
                const number_day k{b.caller[i], detail::local_day(b.start[i])};
                if (!days.contains(k)) continue;
                calls[k].push_back({b.start[i], b.first_row + static_cast<std::int64_t>(i),
                                    b.callee[i], b.duration[i]});
            }
        }
        // examples of the cap from these days replace what pass 1 guessed for them
        auto& cap_examples = examples_[k_over_cap];
        std::erase_if(cap_examples, [&](const auto& e) { return days.contains(e.first); });
        for (auto& [k, list] : calls) {
            std::sort(list.begin(), list.end(), [](const call& a, const call& z) {
                return a.start != z.start ? a.start < z.start : a.row < z.row;
            });
            const std::int64_t cap = days_.at(k).cap;
            for (std::size_t rank = 0; rank < list.size(); ++rank) {
                const call& c = list[rank];
                row_result r = spill_.get(c.row);
                const bool was = r.codes != 0;
                if (static_cast<std::int64_t>(rank) >= cap)
                    r.codes |= k_over_cap;
                else
                    r.codes &= static_cast<std::uint8_t>(~k_over_cap);
                spill_.put(c.row, r);
                const bool is = r.codes != 0;
                if (was != is) state_of(k.caller).flagged += is ? 1 : -1;
                if (r.codes & k_over_cap)
                    cap_examples.push_back(
                        {k, call_example{c.row, detail::phone_key_text(k.caller),
                                         detail::phone_key_text(c.callee),
                                         detail::format_local_time(c.start), c.duration, r.codes}});
            }
        }
        std::sort(cap_examples.begin(), cap_examples.end(),
                  [](const auto& a, const auto& z) { return a.second.row < z.second.row; });
        if (cap_examples.size() > k_examples) cap_examples.resize(k_examples);
        report_.passes = 2;
    }

    /// The last step: every row's final codes to the sink, and the report's totals.
    void deliver(screening_sink& out) {
        settle_days();
        std::vector<std::uint8_t> codes;
        // counted by integer keys (day, region, finding bit); named once at the end
        std::unordered_map<std::uint64_t, std::int64_t> per_day;
        spill_.replay([&](std::int64_t first, std::span<const row_result> rows,
                          std::span<const call_row_error> errors) {
            codes.resize(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const row_result& r = rows[i];
                codes[i] = r.codes;
                if (r.bad) ++report_.bad_rows;
                if (r.codes == 0) continue;
                ++report_.flagged_rows;
                const std::uint64_t base =
                    (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.day)) << 24) |
                    (static_cast<std::uint64_t>(r.region) << 8);
                for (std::uint8_t bit = 1; bit <= k_refused;
                     bit = static_cast<std::uint8_t>(bit << 1))
                    if (r.codes & bit) ++per_day[base | bit];
            }
            out.rows(first, codes, errors);
        });
        for (const auto& [key, n] : per_day) {
            const auto bit = static_cast<call_finding>(key & 0xFF);
            const auto region_index = static_cast<std::uint16_t>((key >> 8) & 0xFFFF);
            const date day{static_cast<std::int32_t>(static_cast<std::uint32_t>(key >> 24))};
            const std::string code(to_string(bit));
            const std::string& region = region_index == 0 ? empty_ : ctx_.regions[region_index - 1];
            report_.by_code[code] += n;
            report_.by_code_region[{code, region}] += n;
            report_.by_day[{day.to_string(), region, code}] += n;
        }
        report_.rows = spill_.rows();
        for (const auto& [k, d] : days_)
            if (d.count > d.cap)
                report_.number_days.push_back({detail::phone_key_text(k.caller),
                                               date{static_cast<std::int32_t>(k.day)},
                                               ctx_.regions[d.region], d.count, d.cap});
        std::sort(report_.number_days.begin(), report_.number_days.end(),
                  [](const auto& a, const auto& z) {
                      return a.number != z.number ? a.number < z.number : a.day < z.day;
                  });
        std::vector<std::pair<std::string, std::int64_t>> worst;
        for (const auto& who : callers_)
            if (who.flagged > 0) worst.emplace_back(detail::phone_key_text(who.key), who.flagged);
        std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& z) {
            return a.second != z.second ? a.second > z.second : a.first < z.first;
        });
        if (worst.size() > k_worst) worst.resize(k_worst);
        report_.worst_numbers = std::move(worst);
        for (auto& [code, list] : examples_) {
            for (auto& [k, e] : list) {
                (void)k;
                e.codes = spill_.get(e.row).codes;
                report_.examples[std::string(to_string(static_cast<call_finding>(code)))].push_back(
                    e);
            }
        }
    }

  private:
    /// What the run keeps of a caller: found once per distinct caller, so that each row costs
    /// one lookup (none when the same caller comes again). The number-day of its latest call
    /// lives here; other days wait in days_ (a chronological input touches days_ once a day).
    struct caller_state {
        std::uint64_t key = 0;
        const ctx_impl::entries_of* entries = nullptr;  ///< nullptr: never listed
        std::int64_t flagged = 0;                       ///< its calls with findings
        std::int64_t day = std::numeric_limits<std::int64_t>::min();
        day_count current;
    };

    caller_state& state_of(std::uint64_t caller) {
        if (caller == last_caller_ && last_state_ != nullptr) return *last_state_;
        auto [it, fresh] =
            caller_ids_.try_emplace(caller, static_cast<std::uint32_t>(callers_.size()));
        if (fresh) {
            caller_state st;
            st.key = caller;
            auto e = ctx_.by_number.find(caller);
            if (e != ctx_.by_number.end()) st.entries = &e->second;
            callers_.push_back(st);
        }
        last_caller_ = caller;
        last_state_ = &callers_[it->second];
        return *last_state_;
    }

    day_count& day_of(caller_state& who, std::uint64_t caller, std::int64_t day) {
        if (who.day == day) return who.current;
        if (who.day != std::numeric_limits<std::int64_t>::min())
            days_[number_day{caller, who.day}] = who.current;
        auto it = days_.find(number_day{caller, day});
        if (it != days_.end()) {
            who.current = it->second;
            days_.erase(it);
        } else {
            who.current = day_count{};
        }
        who.day = day;
        return who.current;
    }

    /// Moves every caller's current number-day into days_.
    void settle_days() {
        for (auto& who : callers_) {
            if (who.day == std::numeric_limits<std::int64_t>::min()) continue;
            days_[number_day{who.key, who.day}] = who.current;
            who.day = std::numeric_limits<std::int64_t>::min();
        }
        last_state_ = nullptr;
        last_caller_ = 0;
    }

    const day_rules& rules_for(std::uint16_t region, std::int64_t day) {
        const std::uint64_t key = (static_cast<std::uint64_t>(region) << 40) ^
                                  static_cast<std::uint64_t>(day & 0xFFFFFFFFFF);
        if (key == last_rules_key_ && last_rules_ != nullptr) return *last_rules_;
        auto [it, fresh] = rules_.try_emplace(key);
        if (fresh) it->second = resolve(ctx_.regions[region], day);
        last_rules_key_ = key;
        last_rules_ = &it->second;
        return it->second;
    }

    day_rules resolve(const std::string& region, std::int64_t day) const {
        day_rules out;
        const date on{static_cast<std::int32_t>(day)};
        try {
            const auto rs = ctx_.rules->resolve(region, on);
            const auto& p = rs->parameters();
            const auto& window = p.at("calling_window");
            out.window_start = seconds_of(window.at("start"), "calling_window.start");
            out.window_end = seconds_of(window.at("end"), "calling_window.end");
            out.cap = p.at("daily_call_cap").get<std::int64_t>();
            out.ok = true;
        } catch (const std::exception& e) {
            out.problem = "no rules of " + region + " give a calling window and a daily cap on " +
                          on.to_string() + ": " + e.what();
        }
        return out;
    }

    void sample(const call_batch& b, std::size_t i, std::uint8_t codes) {
        for (call_finding f : all_call_findings) {
            const auto bit = static_cast<std::uint8_t>(f);
            if (!(codes & bit)) continue;
            auto& list = examples_[bit];
            if (list.size() >= k_examples) continue;
            if (list.size() + 1 == k_examples) ++sampled_;
            const number_day k{b.caller[i], detail::local_day(b.start[i])};
            list.push_back(
                {k, call_example{b.first_row + static_cast<std::int64_t>(i),
                                 detail::phone_key_text(b.caller[i]),
                                 detail::phone_key_text(b.callee[i]),
                                 detail::format_local_time(b.start[i]), b.duration[i], codes}});
        }
    }

    const ctx_impl& ctx_;
    screening_report& report_;
    detail::result_spill spill_;
    std::vector<row_result> results_;
    std::unordered_map<number_day, day_count, number_day_hash> days_;
    std::unordered_map<std::uint64_t, day_rules> rules_;
    std::uint64_t last_rules_key_ = std::numeric_limits<std::uint64_t>::max();
    const day_rules* last_rules_ = nullptr;
    std::unordered_map<std::uint64_t, std::uint32_t> caller_ids_;
    std::vector<caller_state> callers_;
    std::uint64_t last_caller_ = 0;
    caller_state* last_state_ = nullptr;
    std::size_t sampled_ = 0;  // finding kinds with all their examples
    std::map<std::uint8_t, std::vector<std::pair<number_day, call_example>>> examples_;
    std::string empty_;
};

}  // namespace

screening_report screen(const screening_context& ctx, call_source& input, screening_sink& out) {
    screening_report report;
    run r(ctx.self(), report);
    {
        auto reader = input.read();
        call_batch b;
        while (reader->next(b))
            r.judge(b);
    }
    if (auto days = r.to_rank(); !days.empty()) r.rank(input, days);
    r.deliver(out);
    return report;
}

}  // namespace telecomply
