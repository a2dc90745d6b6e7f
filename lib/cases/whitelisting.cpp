// When a case held which numbers whitelisted: timelines from histories, the registry entries
// they give, and case_service::registry() (lib/cases/whitelisting.hpp, docs/workflow.md).

#include "cases/whitelisting.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "cases/case_keys.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

namespace detail {

namespace {

constexpr std::int64_t k_cst_offset = std::int64_t{8} * 3600;  // UTC+8, no daylight saving
constexpr std::int64_t k_day = 86400;

std::int64_t day_start(date d) noexcept {
    return std::int64_t{d.days_since_epoch()} * k_day - k_cst_offset;
}

// The numbers a case holds: those of the application before a pending change, else its own.
std::vector<std::string> held_numbers(const case_state& s) {
    const auto keys = keys_of_application(s.held_application ? *s.held_application : s.application);
    std::vector<std::string> out;
    for (const auto& n : keys.numbers)
        if (canonical_phone(n)) out.push_back(n);  // a number that is not one is never called from
    return out;
}

}  // namespace

bool whitelisting_state(std::string_view state) noexcept {
    return state == "whitelisted" || state == "change_pending" || state == "renewal_review";
}

std::int64_t instant_of(const event_time& t) noexcept {
    return t.unix_seconds ? *t.unix_seconds : day_start(t.day);
}

const timeline_point* case_timeline::at(std::int64_t t) const noexcept {
    const auto it =
        std::upper_bound(points.begin(), points.end(), t,
                         [](std::int64_t x, const timeline_point& p) { return x < p.at; });
    return it == points.begin() ? nullptr : &*std::prev(it);
}

bool case_timeline::whitelists(std::string_view number, std::int64_t t) const noexcept {
    const auto* p = at(t);
    return p != nullptr && whitelisting_state(p->state) &&
           std::binary_search(p->numbers.begin(), p->numbers.end(), number);
}

bool case_timeline::held(std::string_view number) const noexcept {
    return std::binary_search(ever_held.begin(), ever_held.end(), number);
}

case_timeline timeline_of(const case_manager& manager, const std::vector<stored_event>& events) {
    case_timeline t;
    if (events.empty()) return t;
    t.case_id = events.front().case_id;
    std::set<std::string, std::less<>> ever;
    std::int64_t last = 0;
    (void)manager.replay(events, [&](const stored_event& ev, const case_state& s) {
        std::int64_t own = 0;
        try {
            own = instant_of(event_time::parse(ev.at));
        } catch (const usage_error&) {
            throw integrity_error("case " + ev.case_id + " event " + std::to_string(ev.seq) +
                                  ": its time '" + ev.at +
                                  "' is not a time (`case verify` tells more)");
        }
        // a deadline passed when its last day ended, whenever a tick recorded it
        if (ev.type == "timer" && ev.payload.is_object())
            if (const auto it = ev.payload.find("last_day");
                it != ev.payload.end() && it->is_string())
                if (const auto d = date::parse(it->get<std::string>()))
                    own = std::min(own, day_start(d->add_days(1)));
        const std::int64_t at = t.points.empty() ? own : std::max(own, last);
        last = at;
        if (t.region.empty()) t.region = s.region;
        auto numbers = held_numbers(s);
        ever.insert(numbers.begin(), numbers.end());
        t.points.push_back({at, ev.seq, s.state, std::move(numbers)});
    });
    t.ever_held.assign(ever.begin(), ever.end());
    return t;
}

std::vector<registry_entry> registry_entries(const case_timeline& t) {
    std::vector<registry_entry> out;
    for (const auto& number : t.ever_held) {
        registry_entry e{number, t.region, t.case_id, {}};
        bool on = false;
        for (const auto& p : t.points) {
            const bool now = whitelisting_state(p.state) &&
                             std::binary_search(p.numbers.begin(), p.numbers.end(), number);
            if (now == on) continue;
            on = now;
            auto& spans = e.whitelisted;
            if (now) {
                if (!spans.empty() && spans.back().to == p.at)
                    spans.back().to.reset();  // closed and opened again at one instant: one span
                else
                    spans.push_back({p.at, std::nullopt});
            } else if (spans.back().from == p.at) {
                spans.pop_back();  // opened and closed at one instant: never in force
            } else {
                spans.back().to = p.at;
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace detail

std::vector<registry_entry> case_service::registry(std::vector<std::string>* skipped) const {
    std::vector<registry_entry> out;
    {
        // every history from one consistent read: a writer committing meanwhile is seen wholly
        // or not at all
        const auto view = store_.consistent_reads();
        for (const auto& id : store_.case_ids()) {
            // a history that does not replay (edited outside telecomply) is named, never
            // silently left out
            const auto skip = [&](const error& e) {
                const std::string why = "case " + id +
                                        ": its history does not replay, so its numbers are not "
                                        "in the registry (`case verify` tells why): " +
                                        e.what();
                if (skipped == nullptr) throw integrity_error(why);
                skipped->push_back(why);
            };
            try {
                const auto events = store_.events(id);
                use_pinned_of(events);  // reads only: the rules each event was judged by
                auto entries = detail::registry_entries(detail::timeline_of(manager_, events));
                std::move(entries.begin(), entries.end(), std::back_inserter(out));
            } catch (const integrity_error& e) {
                skip(e);
            } catch (const store_error&) {
                throw;  // the store itself fails: no registry
            } catch (const error& e) {
                skip(e);
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const registry_entry& a, const registry_entry& b) {
        return std::tie(a.number, a.case_id) < std::tie(b.number, b.case_id);
    });
    return out;
}

}  // namespace telecomply
