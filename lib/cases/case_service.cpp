// Cases kept in a case store: create, apply with optimistic concurrency, tick, recount, verify by
// replay.

#include "telecomply/cases/cases.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "cases/case_keys.hpp"
#include "cases/case_support.hpp"
#include "expr/time.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/domain/calendar.hpp"

namespace telecomply {

using detail::refuse;

// ------------------------------------------------------------------ case_service

verdict case_service::check(const nlohmann::json& application, const check_options& opts,
                            std::string_view case_id) const {
    ensure_state_entries();
    return check_with_store(manager_.rules(), store_, application, opts, case_id);
}

store_facts case_service::facts(const nlohmann::json& application, std::string_view case_id) const {
    ensure_state_entries();
    return facts_for(store_, application, case_id);
}

case_state case_service::create(const nlohmann::json& application, const case_event& e,
                                std::string id) {
    case_state s = manager_.create(application, std::move(id));
    check_time(s, e, std::nullopt);  // a bad time is refused before anything is written
    // What the store knows of the applicant and its numbers (docs/policy.md §7): an
    // application its submission would be refused for is refused now.
    // What the store adds: its own findings, and what the rules find on the stricter history
    // (a ban the application does not mention at all), beyond what the application alone
    // gives (a draft may lack much; that is for its submission to judge).
    const engine& eng = manager_.rules();
    const auto known = facts(application, s.id);
    std::set<std::string> alone;
    for (const auto& f : eng.check(eng.validate(application)).findings)
        if (f.level == severity::blocking) alone.insert(f.label());
    verdict with = eng.check(eng.validate(with_store_history(application, known)));
    add_store_findings(with, application, known);
    std::string blocking;
    for (const auto& f : with.findings)
        if (f.level == severity::blocking && !alone.contains(f.label()))
            blocking += (blocking.empty() ? "" : ", ") + f.label();
    if (!blocking.empty())
        refuse(s, e, "the case store knows better than the application declares: " + blocking);
    // the content of the rules it pins, kept by digest: they judge it whatever comes later
    const auto rs = manager_.ruleset_for(s);
    store_.put_pinned({rs->digest(), rs->id(), rs->version(), rs->content()});
    s.version = 1;
    event_input first{"create", e.actor,         e.at, {{"application", application}},
                      nullptr,  s.ruleset_digest};
    store_.create(s.id, s.region, first, s.state, s.to_json());
    return s;
}

transition_result case_service::apply(const std::string& case_id, const case_event& e,
                                      std::optional<std::int64_t> expected_version) {
    if (expected_version && *expected_version < 1)
        throw usage_error(
            "an expected version is a case's version, 1 or more (its last "
            "event's seq), not " +
            std::to_string(*expected_version));
    if (expected_version) return apply_once(case_id, e, expected_version);
    // Without a version the caller decided on, a writer that got in between is not a conflict
    // of decisions: read the case again and judge the event on what it is now. Bounded, with a
    // growing, jittered pause so that contending writers spread out.
    std::optional<std::minstd_rand> jitter;  // seeded on the first conflict only
    for (int attempt = 1;; ++attempt) {
        try {
            return apply_once(case_id, e, std::nullopt);
        } catch (const conflict_error&) {
            if (attempt == k_write_attempts) throw;
            if (!jitter) jitter.emplace(std::random_device{}());
            const int cap_ms = std::min(2 * attempt, 50);
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::uniform_int_distribution<int>(1, cap_ms)(*jitter)));
        }
    }
}

transition_result case_service::apply_once(const std::string& case_id, const case_event& e,
                                           std::optional<std::int64_t> expected_version) {
    // A remembered state is used only if it is still the stored one: judging an event against
    // an out-of-date case would refuse (or allow) it wrongly.
    const auto cached = recent_.find(case_id);
    const bool from_cache =
        cached != recent_.end() && store_.version(case_id) == cached->second.first.version;
    case_state s = from_cache ? cached->second.first : load(case_id);
    if (expected_version && *expected_version > s.version)
        throw conflict_error("case " + case_id + " is at version " + std::to_string(s.version) +
                             ": version " + std::to_string(*expected_version) +
                             " does not exist yet (was the version mistyped?)");
    if (expected_version && *expected_version != s.version)
        throw conflict_error("case " + case_id + " is at version " + std::to_string(s.version) +
                             ", not " + std::to_string(*expected_version) +
                             ": it changed since it was read; read it again and decide again");
    // before anything is written; a case this service wrote last: its last event is ours
    check_time(s, e,
               from_cache ? std::optional(cached->second.second) : store_.last_event_at(case_id));
    (void)use_pinned(s.ruleset_digest, &s);  // an older store: keep its rules now
    require_current_calendars();
    // Deadlines a calendar change has moved are recorded first, so that the event is judged
    // by the current calendar and a replay sees the same history. Both are decided before
    // either is written: a refused event writes nothing, not even the recount.
    std::optional<std::pair<case_event, transition_result>> recount;
    if (e.type != "recompute_deadlines")
        if (auto rc = manager_.recompute(s, e.at)) {
            auto rr = manager_.apply(s, *rc);
            recount.emplace(std::move(*rc), std::move(rr));
        }
    const case_state& judged = recount ? recount->second.after : s;
    // what the store knows, asked for only when the event's guard runs the rules
    const std::function<store_facts(const nlohmann::json&)> known =
        [&](const nlohmann::json& application) { return facts(application, case_id); };
    auto r = manager_.apply(judged, e, known);
    if (r.transition == "repin") {  // keep what it is judged by from now on
        const auto rs = manager_.ruleset_for(r.after);
        store_.put_pinned({rs->digest(), rs->id(), rs->version(), rs->content()});
        manager_.pin({rs->digest(), rs->id(), rs->version(), rs->content()});
    }
    // An event judged with what the store knows is written only if the store still knows the
    // same when it is written, in one transaction: two cases submitted at once with one number
    // cannot both pass (the second is judged again, as any conflicted writer).
    std::optional<case_store::transaction> tx;
    if (r.outcome.is_object() && r.outcome.contains("store_facts")) {
        if (!store_.in_transaction()) tx.emplace(store_.begin());
        if (facts(r.after.application, case_id).to_json() != r.outcome["store_facts"])
            throw conflict_error("case " + case_id +
                                 ": what the case store knows of its applicant or numbers "
                                 "changed while the event was judged; judge it again");
    }
    if (recount) write(case_id, s, recount->first, recount->second);
    write(case_id, judged, e, r);
    if (tx) tx->commit();
    return r;
}

void case_service::check_time(const case_state& s, const case_event& e,
                              const std::optional<std::string>& last_at) const {
    const event_time t = event_time::parse(e.at);
    if (last_at) {
        // a stored time that no longer parses is the store's problem, found by verify()
        std::optional<event_time> last;
        try {
            last = event_time::parse(*last_at);
        } catch (const usage_error&) {
        }
        if (last && t.before(*last))
            refuse(s, e,
                   "the event is dated " + e.at + ", before the case's last event (" + *last_at +
                       "): events are recorded in time order; a correction is a new event");
        // A bare day says nothing of the hour: an instant on that day must still not be before
        // an instant an earlier event of the same day recorded (rare: read the history then).
        if (last && !last->unix_seconds && t.unix_seconds && t.day == last->day) {
            const auto events = store_.events(s.id);
            for (auto it = events.rbegin(); it != events.rend(); ++it) {
                std::optional<event_time> et;
                try {
                    et = event_time::parse(it->at);
                } catch (const usage_error&) {
                    continue;
                }
                if (et->day != t.day) break;
                if (t.before(*et))
                    refuse(s, e,
                           "the event is dated " + e.at + ", before event " +
                               std::to_string(it->seq) + " of the case (" + it->at +
                               "): events are recorded in time order; a correction is a new "
                               "event");
            }
        }
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
    constexpr std::int64_t k_day = 86400;
    const bool future =
        t.unix_seconds ? *t.unix_seconds > now + k_day : clock_.today().add_days(1) < t.day;
    if (future)
        refuse(s, e,
               "the event is dated " + e.at + ", more than a day after the store's clock (" +
                   clock_.now_text() + "): events record what has happened");
}

void case_service::require_current_calendars() const {
    const auto& cals = manager_.rules().rules().calendars();
    if (cals && cals->changed_on_disk())
        throw calendar_error("the calendar files in '" + cals->dir().string() +
                             "' changed after they were loaded (a calendar import?): load the "
                             "rules again (a new engine, or open the store again) before "
                             "recording events; nothing was written");
}

transition_result case_service::append(const std::string& case_id, const case_state& s,
                                       const case_event& e) {
    auto r = manager_.apply(s, e);
    write(case_id, s, e, r);
    return r;
}

void case_service::write(const std::string& case_id, const case_state& s, const case_event& e,
                         const transition_result& r) {
    // the rules it was judged by: the pinned ones, or the catalogue's when they drifted
    event_input ev{e.type, e.actor,   e.at,
                   e.data, r.verdict, r.judged_by.empty() ? r.after.ruleset_digest : r.judged_by};
    ev.outcome = r.outcome;
    try {
        store_.append(case_id, s.version, ev, r.after.state, r.after.to_json());
    } catch (const conflict_error&) {
        recent_.erase(case_id);  // another writer got in between: nothing of ours is current
        throw;
    }
    if (recent_.size() >= 4096) recent_.clear();  // a bound, not an LRU: refilled on demand
    recent_[case_id] = {r.after, e.at};
}

case_state case_service::load(const std::string& case_id) const {
    const auto row = store_.get(case_id);
    if (!row) throw not_found_error("no case '" + case_id + "' in " + store_.path().string());
    case_state s = case_state::from_json(row->snapshot);
    s.version = row->version;
    (void)use_pinned(s.ruleset_digest, nullptr);  // reading writes nothing
    return s;
}

bool case_service::use_pinned(const std::string& digest, const case_state* s) const {
    if (digest.empty() || manager_.knows_pinned(digest)) return true;
    if (auto kept = store_.get_pinned(digest)) {
        manager_.pin(*kept);
        return true;
    }
    // A store written before contents were kept: keep the catalogue's content now, when it is
    // still what the case pinned.
    if (s != nullptr && s->pinned_on) {  // never while verifying: verify() only reads
        try {
            const auto rs = manager_.rules().rules().resolve(s->region, *s->pinned_on);
            if (rs->digest() == digest) {
                const pinned_ruleset p{rs->digest(), rs->id(), rs->version(), rs->content()};
                store_.put_pinned(p);
                manager_.pin(p);
                return true;
            }
        } catch (const error&) {
        }
    }
    // A case created since contents are kept had it kept then: its absence is an edit.
    if (s != nullptr) require_kept(s->id, store_.events(s->id), digest);
    return false;  // drift: judged by the catalogue's version (see verify())
}

void case_service::require_kept(const std::string& case_id, const std::vector<stored_event>& events,
                                const std::string& digest) const {
    // the first event of a case written since contents are kept carries its snapshot's digest
    if (!events.empty() && !events.front().snapshot_digest.empty())
        throw integrity_error("case " + case_id + ": the content of the rules it was judged by (" +
                              digest +
                              ") was kept in the store and is missing now: the store was "
                              "edited outside telecomply; nothing was judged or written");
}

case_state case_service::get(const std::string& case_id) const {
    return manager_.on_current_calendar(load(case_id));
}

std::vector<case_state> case_service::list(const case_filter& f,
                                           std::vector<std::string>* skipped) const {
    std::vector<case_state> out;
    // the row's columns choose (no snapshot read for the others); each chosen case is then
    // read, checked against its chain, and the choice confirmed on what it really is
    for (const auto& id : store_.case_ids_where(f.state, f.region, f.uscc)) {
        case_state s;
        try {
            s = get(id);
        } catch (const integrity_error& e) {
            if (skipped == nullptr) throw;
            skipped->emplace_back(e.what());  // one edited case does not hide the others
            continue;
        }
        if (f.state && s.state != *f.state) continue;
        if (f.region && s.region != *f.region) continue;
        if (f.uscc &&
            detail::keys_of_application(s.application).uscc != detail::store_uscc(*f.uscc))
            continue;
        const auto any_deadline = [&](auto&& pred) {
            return std::any_of(s.deadlines.begin(), s.deadlines.end(),
                               [&](const auto& d) { return pred(d.second.due); });
        };
        if (f.due_before && !any_deadline([&](date due) { return due < *f.due_before; })) continue;
        if (f.overdue_on && !any_deadline([&](date due) { return due < *f.overdue_on; })) continue;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::pair<std::string, case_event>> case_service::tick(
    date now, const std::string& actor, std::vector<std::string>* skipped) {
    require_current_calendars();
    std::vector<std::pair<std::string, case_event>> done;
    for (const auto& id : store_.case_ids()) {
        case_state s;
        try {
            s = load(id);
        } catch (const integrity_error& e) {
            if (skipped == nullptr) throw;
            skipped->emplace_back(e.what());  // the other cases' deadlines still pass
            continue;
        }
        // a tick dated before the case's last event would record out of time: a later tick
        // records what fell due
        if (const auto last = store_.last_event_at(id)) try {
                if (now < event_time::parse(*last).day) continue;
            } catch (const usage_error&) {  // NOLINT(bugprone-empty-catch): verify()'s to report
            }
        if (auto rc = manager_.recompute(s, now.to_string())) {
            rc->actor = actor;
            s = append(id, s, *rc).after;
            done.emplace_back(id, std::move(*rc));
        }
        for (auto e : manager_.due(s, now)) {
            e.actor = actor;
            s = append(id, s, e).after;
            done.emplace_back(id, e);
        }
    }
    return done;
}

std::vector<std::pair<std::string, case_event>> case_service::recompute(const std::string& at,
                                                                        const std::string& actor) {
    (void)case_manager::event_date(at);
    require_current_calendars();
    std::vector<std::pair<std::string, case_event>> done;
    for (const auto& id : store_.case_ids()) {
        for (int attempt = 1;; ++attempt) {
            try {
                const case_state s = load(id);
                if (auto rc = manager_.recompute(s, at)) {
                    rc->actor = actor;
                    (void)append(id, s, *rc);
                    done.emplace_back(id, std::move(*rc));
                }
                break;
            } catch (const conflict_error&) {
                recent_.erase(id);
                if (attempt == k_write_attempts) throw;  // another writer: read it again
            }
        }
    }
    return done;
}

namespace {

// Snapshots written by the first version of the store (schema 1) hold a deadline as its last
// day alone (a later event carries it forward as {due, from: due}), and warnings without the
// calendar they were judged on. Where the stored snapshot has that older form and agrees on
// the day, the replayed case is compared in that form: an untouched old store verifies.
void align_legacy(nlohmann::json& replayed, const nlohmann::json& stored) {
    // a change reported before changes were held: the stored case never held it
    if (replayed.contains("held_application") && !stored.contains("held_application") &&
        stored.value("state", "") == "change_pending")
        replayed.erase("held_application");
    const auto legacy_deadline = [](const nlohmann::json& d) {
        return d.is_string() ||
               (d.is_object() && !d.contains("calendar") && !d.contains("working_days") &&
                d.contains("from") &&
                d.value("from", nlohmann::json()) == d.value("due", nlohmann::json()));
    };
    if (stored.contains("deadlines") && stored["deadlines"].is_object() &&
        replayed["deadlines"].is_object())
        for (const auto& [name, sd] : stored["deadlines"].items()) {
            if (!legacy_deadline(sd) || !replayed["deadlines"].contains(name)) continue;
            const auto& due = sd.is_string() ? sd : sd["due"];
            if (replayed["deadlines"][name].value("due", nlohmann::json()) == due)
                replayed["deadlines"][name] = sd;
        }
    if (stored.contains("warnings") && stored["warnings"].is_array() &&
        replayed["warnings"].is_array() && stored["warnings"].size() == replayed["warnings"].size())
        for (std::size_t i = 0; i < stored["warnings"].size(); ++i) {
            const auto& sw = stored["warnings"][i];
            auto& rw = replayed["warnings"][i];
            if (sw.is_object() && rw.is_object() && !sw.contains("calendar")) {
                rw.erase("calendar");
                rw.erase("provisional_years");
            }
        }
}

}  // namespace

case_verify_report case_service::verify(const std::optional<std::string>& case_id) const {
    case_verify_report r;
    r.chains = case_id ? store_.verify(*case_id) : store_.verify_all();
    // replay only on chains that hold: the events alone must rebuild the stored state
    if (!r.chains.ok()) return r;
    const auto ids = case_id ? std::vector<std::string>{*case_id} : store_.case_ids();
    for (const auto& id : ids) {
        auto diffs = check_replay(id);
        bool kept = true;
        auto d = drift_of(id, &kept);
        const auto events = store_.events(id);
        const bool with_contents = !events.empty() && !events.front().snapshot_digest.empty();
        if (with_contents) {
            // its rules were kept when it was created: each must still be there, even when the
            // catalogue holds the same (the store is the record, not the catalogue)
            std::set<std::string, std::less<>> seen;
            for (const auto& ev : events)
                if (!ev.ruleset_digest.empty() && seen.insert(ev.ruleset_digest).second &&
                    !store_.get_pinned(ev.ruleset_digest))
                    diffs.push_back("case " + id + ": the content of the rules event " +
                                    std::to_string(ev.seq) + " was judged by (" +
                                    ev.ruleset_digest +
                                    ") was kept in the store and is missing now");
            if (!kept) d.reset();  // not an old store's drift: the line above says what it is
        }
        // A case whose pinned content the store does not keep (written before contents were
        // kept) replays on the catalogue's changed rules: a difference there says the rules
        // changed, not that the history was edited. The chains, checked above, hold.
        if (d && !kept && !diffs.empty() && !with_contents) {
            *d +=
                "; its history cannot be replayed on the catalogue's rules (" + diffs.front() + ")";
            diffs.clear();
        }
        for (auto& x : diffs)
            r.replay.push_back(std::move(x));
        if (d) r.drift.push_back(std::move(*d));
    }
    return r;
}

std::vector<std::pair<stored_event, std::string>> case_service::history(
    const std::string& case_id) const {
    (void)load(case_id);  // not_found_error, or integrity_error for an edited case
    auto events = store_.events(case_id);
    use_pinned_of(events);
    std::vector<std::pair<stored_event, std::string>> out;
    out.reserve(events.size());
    (void)manager_.replay(events, [&](const stored_event& ev, const case_state& s) {
        out.emplace_back(ev, s.state);
    });
    return out;
}

case_report case_service::report(const std::string& case_id) const {
    case_report r;
    r.state = get(case_id);
    const auto events = history(case_id);
    const auto ref = [](const stored_event& e) {
        return case_report::event_ref{e.seq, e.type, e.actor, e.at, e.payload};
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& [e, state] = events[i];
        if (i > 0 && state != events[i - 1].second) r.entered = ref(e);
        if (e.type == "timer")
            if (const auto last = detail::json_date(e.payload.value("last_day", nlohmann::json())))
                r.missed.push_back({e.payload.value("timer", ""), *last, ref(e)});
    }
    return r;
}

nlohmann::json case_report::to_json() const {
    nlohmann::json j = state.summary();
    const auto ref = [](const event_ref& e) {
        return nlohmann::json{
            {"seq", e.seq}, {"event", e.type}, {"actor", e.actor}, {"at", e.at}, {"data", e.data}};
    };
    if (entered) j["entered_state"] = ref(*entered);
    if (!missed.empty()) {
        nlohmann::json ms = nlohmann::json::array();
        for (const auto& m : missed)
            ms.push_back({{"timer", m.timer},
                          {"last_day", m.last_day.to_string()},
                          {"recorded_at", m.by.at},
                          {"seq", m.by.seq}});
        j["missed_deadlines"] = std::move(ms);
    }
    return j;
}

void case_service::use_pinned_of(const std::vector<stored_event>& events) const {
    // the rules it pinned, and any it was re-pinned to: each digest once
    std::set<std::string, std::less<>> seen;
    for (const auto& ev : events)
        if (seen.insert(ev.ruleset_digest).second && !use_pinned(ev.ruleset_digest, nullptr))
            require_kept(ev.case_id, events, ev.ruleset_digest);
}

std::optional<std::string> case_service::drift(const std::string& case_id) const {
    return drift_of(case_id, nullptr);
}

std::optional<std::string> case_service::drift_of(const std::string& case_id,
                                                  bool* content_kept) const {
    const auto row = store_.get(case_id);
    if (!row) return std::nullopt;
    const case_state s = case_state::from_json(row->snapshot);
    if (!s.pinned_on) return std::nullopt;
    std::shared_ptr<const ruleset> now;
    try {
        now = manager_.rules().rules().resolve(s.region, *s.pinned_on);
    } catch (const error& e) {
        return "case " + case_id + ": the catalogue has no rules for it now (" + e.what() + ")";
    }
    if (now->digest() == s.ruleset_digest) return std::nullopt;
    const std::string pinned =
        s.ruleset_id + "@" + s.ruleset_version + " (" + s.ruleset_digest + ")";
    const std::string current = now->id() + "@" + now->version() + " (" + now->digest() + ")";
    const bool kept = store_.get_pinned(s.ruleset_digest).has_value();
    if (content_kept != nullptr) *content_kept = kept;
    if (kept)
        return "case " + case_id + ": pinned " + pinned + "; the catalogue now holds " + current +
               " for its date; the store keeps the pinned content, which judges the case";
    return "case " + case_id + ": pinned " + pinned + "; the catalogue now holds " + current +
           " for its date, and the store does not keep the pinned content (written before "
           "contents were kept): the case is judged by the catalogue's; re-pin it or restore "
           "the file";
}

namespace {
// The state entries a history makes (what case_store::append() indexes): each entry into a
// state of the applicant's record, under its USCC at the time.
struct entry_collector {
    std::vector<state_entry>& out;
    std::string last_state;
    void operator()(const stored_event& ev, const case_state& s) {
        if (!last_state.empty() && s.state == last_state) return;
        last_state = s.state;
        if (!detail::is_record_state(s.state)) return;
        const auto uscc = detail::keys_of_application(s.application).uscc;
        if (uscc.empty()) return;
        out.push_back({uscc, ev.case_id, ev.seq, s.state,
                       case_manager::event_date(ev.at).to_string(),
                       s.banned_until ? s.banned_until->to_string() : std::string()});
    }
};
}  // namespace

void case_service::ensure_state_entries() const {
    // once complete, an index stays complete: asked of the store once per service
    if (entries_complete_) return;
    if (store_.state_entries_complete()) {
        entries_complete_ = true;
        return;
    }
    // A store upgraded from schema 3: the entries come from replaying every history, once.
    std::vector<state_entry> entries;
    for (const auto& id : store_.case_ids()) {
        try {
            const auto events = store_.events(id);
            use_pinned_of(events);
            entry_collector collect{entries, {}};
            (void)manager_.replay(events, std::ref(collect));
        } catch (const error&) {
            // a history that does not replay is verify()'s to report; it adds no entries
        }
    }
    store_.replace_state_entries(entries);
    entries_complete_ = true;
}

std::vector<std::string> case_service::check_replay(const std::string& case_id) const {
    std::optional<case_row> row;
    try {
        row = store_.get(case_id);
    } catch (const integrity_error& e) {
        return {e.what()};  // an edited snapshot: reported, as any replay difference
    }
    if (!row) throw not_found_error("no case '" + case_id + "' in " + store_.path().string());
    std::vector<std::string> diffs;
    std::vector<state_entry> entries;
    case_state replayed;
    try {
        const auto events = store_.events(case_id);
        use_pinned_of(events);
        entry_collector collect{entries, {}};
        replayed = manager_.replay(events, std::ref(collect));
    } catch (const error& e) {
        return {e.what()};
    }
    // the store's index of what it knows must be what the history says (an entry removed would
    // let a rejected or barred applicant apply again with a clean record)
    if (store_.state_entries_complete()) {
        std::vector<state_entry> indexed;
        std::set<std::string> usccs;
        for (const auto& x : entries)
            usccs.insert(x.uscc);
        if (const auto u =
                detail::keys_of_application(row->snapshot.value("application", nlohmann::json()))
                    .uscc;
            !u.empty())
            usccs.insert(u);
        for (const auto& u : usccs)
            for (auto& x : store_.state_entries(u))
                if (x.case_id == case_id) indexed.push_back(std::move(x));
        const auto by_seq = [](const state_entry& a, const state_entry& b) {
            return a.seq < b.seq;
        };
        std::sort(indexed.begin(), indexed.end(), by_seq);
        std::sort(entries.begin(), entries.end(), by_seq);
        if (indexed != entries)
            diffs.push_back("case " + case_id +
                            ": the store's index of the states it entered differs from its "
                            "history (" +
                            std::to_string(indexed.size()) + " indexed, " +
                            std::to_string(entries.size()) + " in the history)");
    }
    auto a = replayed.to_json();
    const auto& b = row->snapshot;
    align_legacy(a, b);
    const std::string prefix = "case " + case_id + ": ";
    auto say = [&](std::string_view what, const std::string& key, std::string_view rest) {
        std::string m = prefix;
        m.append(what).append(key).append(rest);
        diffs.push_back(std::move(m));
    };
    for (const auto& [k, v] : a.items())
        if (!b.contains(k) || b[k] != v) say("replayed '", k, "' differs from the stored snapshot");
    for (const auto& [k, v] : b.items())
        if (!a.contains(k)) say("the stored snapshot has an extra '", k, "'");
    return diffs;
}

nlohmann::json case_verify_report::to_json() const {
    auto problems = nlohmann::json::array();
    for (const auto& p : chains.problems)
        problems.push_back(
            {{"case_id", p.case_id}, {"seq", p.seq}, {"kind", "chain"}, {"message", p.message}});
    for (const auto& p : replay)
        problems.push_back({{"case_id", ""}, {"seq", 0}, {"kind", "replay"}, {"message", p}});
    return {{"ok", ok()},
            {"cases", chains.cases},
            {"events", chains.events},
            {"problems", std::move(problems)},
            {"drift", drift}};
}

}  // namespace telecomply
