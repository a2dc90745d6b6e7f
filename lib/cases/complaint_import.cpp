// Importing complaints into a case store: each record a `complaint` event on the case that
// whitelisted its number when it was received (case_service::import_complaints(); docs/workflow.md,
// "Complaints").

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/json_io.hpp"
#include "base/utf8.hpp"
#include "cases/whitelisting.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/domain/identifiers.hpp"

namespace telecomply {

namespace {

// A record that reads as a complaint.
struct complaint_item {
    std::size_t index = 0;
    std::string number;  // canonical
    event_time when;
    std::int64_t instant = 0;
};

// What the import knows of a case that held one of the numbers.
struct known_case {
    detail::case_timeline timeline;
    std::vector<stored_event> events;
};

// A bad record: named by its file, line and the JSON path of `field` (a CSV record by its
// column; a record given without a place by its position).
diagnostic bad_field(const complaint_record& r, std::size_t index, const std::string& field,
                     const std::string& message) {
    diagnostic d{r.file, r.line, {}, message, false, "invalid_input"};
    if (!r.json_path.empty())
        d.json_path = detail::json_path_append_key(r.json_path, field);
    else if (r.file.empty())
        d.json_path =
            detail::json_path_append_key(detail::json_path_append_index("$", index), field);
    else
        d.message = "column " + field + ": " + message;
    return d;
}

std::string quote_text(std::string_view s) {
    return "'" + detail::utf8::sanitize(s) + "'";
}

// Whether a stored event's time is the record's: the same instant, or the same bare day.
bool same_time(const std::string& at, const event_time& when) {
    try {
        const auto t = event_time::parse(at);
        return t.day == when.day && t.unix_seconds == when.unix_seconds;
    } catch (const usage_error&) {
        return false;
    }
}

// The complaint event of `c` that already records `number` at `when`, or nullptr.
const stored_event* recorded(const known_case& c, const std::string& number,
                             const event_time& when) {
    for (const auto& ev : c.events) {
        if (ev.type != "complaint" || !ev.payload.is_object()) continue;
        const auto n = ev.payload.find("number");
        if (n == ev.payload.end() || !n->is_string()) continue;
        if (canonical_phone(n->get<std::string>()).value_or("") == number && same_time(ev.at, when))
            return &ev;
    }
    return nullptr;
}

// Why no case whitelisted `number` at `t`: what each case holding it was then. Ends with the
// parenthesis open, for the caller to add to.
std::string not_whitelisted(const std::string& number, const std::string& received_at,
                            std::int64_t t, const std::vector<std::string>& holders,
                            const std::map<std::string, known_case, std::less<>>& cases) {
    std::string why = "no case whitelisted " + number + " at " + received_at + " (";
    if (holders.empty()) return why + "no case in the store holds this number";
    for (std::size_t i = 0; i < holders.size(); ++i) {
        const auto* p = cases.at(holders[i]).timeline.at(t);
        why += (i == 0 ? "" : "; ") + holders[i];
        if (p == nullptr)
            why += " did not exist yet";
        else if (!std::binary_search(p->numbers.begin(), p->numbers.end(), number))
            why += " did not hold it then";
        else
            why += " was " + p->state + " then";
    }
    return why;
}

// Why a number several cases whitelisted at once is left to an officer.
std::string whitelisted_twice(const std::string& number, const std::string& received_at,
                              const std::vector<std::string>& matched) {
    std::string why = number + " was whitelisted by " + std::to_string(matched.size()) +
                      " cases at " + received_at + " (";
    for (std::size_t i = 0; i < matched.size(); ++i)
        why += (i == 0 ? "" : ", ") + matched[i];
    return why +
           "): which one the complaint concerns is for an officer to say (`telecomply case event "
           "ID complaint`)";
}

}  // namespace

complaint_import_report case_service::import_complaints(const complaint_batch& batch,
                                                        const std::string& actor) {
    auto report = import_complaints(batch.records, actor);
    report.errors.insert(report.errors.begin(), batch.errors.begin(), batch.errors.end());
    // one list in the records' order: by line, or by position in a list ("$[3]...")
    const auto position = [](const diagnostic& d) {
        std::size_t n = 0;
        if (d.json_path.rfind("$[", 0) == 0)
            for (std::size_t i = 2;
                 i < d.json_path.size() && d.json_path[i] >= '0' && d.json_path[i] <= '9'; ++i)
                n = n * 10 + static_cast<std::size_t>(d.json_path[i] - '0');
        return std::pair(d.line, n);
    };
    std::stable_sort(
        report.errors.begin(), report.errors.end(),
        [&](const diagnostic& a, const diagnostic& b) { return position(a) < position(b); });
    return report;
}

complaint_import_report case_service::import_complaints(
    const std::vector<complaint_record>& records, const std::string& actor) {
    complaint_import_report report;
    // ---- what each record says; bad ones are reported and left out
    std::vector<complaint_item> items;
    std::set<std::string, std::less<>> numbers;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        if (r.number.empty()) {
            report.errors.push_back(
                bad_field(r, i, "number", "missing: a complaint names a number"));
            continue;
        }
        const auto number = canonical_phone(r.number);
        if (!number) {
            report.errors.push_back(
                bad_field(r, i, "number", quote_text(r.number) + " is not a valid phone number"));
            continue;
        }
        if (r.received_at.empty()) {
            report.errors.push_back(
                bad_field(r, i, "received_at", "missing: a complaint says when it was received"));
            continue;
        }
        event_time when;
        try {
            when = event_time::parse(r.received_at);
        } catch (const usage_error&) {
            report.errors.push_back(bad_field(
                r, i, "received_at",
                quote_text(r.received_at) + " is neither an RFC 3339 time nor a YYYY-MM-DD date"));
            continue;
        }
        if (r.source && !detail::utf8::valid(*r.source)) {
            report.errors.push_back(
                bad_field(r, i, "source",
                          "is not UTF-8 text (save the file as UTF-8): " + quote_text(*r.source)));
            continue;
        }
        numbers.insert(*number);
        items.push_back({i, *number, when, detail::instant_of(when)});
    }
    if (items.empty()) return report;
    // in time order, as events are recorded; one instant in input order
    std::stable_sort(
        items.begin(), items.end(),
        [](const complaint_item& a, const complaint_item& b) { return a.instant < b.instant; });

    // ---- the cases that ever held one of the numbers, from one consistent read
    std::map<std::string, known_case, std::less<>> cases;
    std::map<std::string, std::vector<std::string>, std::less<>> holders;  // number -> case ids
    std::vector<std::string> unreadable;
    const auto read_case = [&](const std::string& id) {
        auto events = store_.events(id);
        use_pinned_of(events);
        auto timeline = detail::timeline_of(manager_, events);
        return known_case{std::move(timeline), std::move(events)};
    };
    {
        const auto view = store_.consistent_reads();
        for (const auto& id : store_.case_ids()) {
            known_case c;
            try {
                c = read_case(id);
            } catch (const integrity_error&) {
                unreadable.push_back(id);
                continue;
            } catch (const store_error&) {
                throw;
            } catch (const error&) {
                unreadable.push_back(id);
                continue;
            }
            bool relevant = false;
            for (const auto& n : numbers)
                if (c.timeline.held(n)) {
                    holders[n].push_back(id);
                    relevant = true;
                }
            if (relevant) cases.emplace(id, std::move(c));
        }
    }
    std::string not_searched;
    if (!unreadable.empty()) {
        not_searched = "; not searched: " + std::to_string(unreadable.size()) + " case" +
                       (unreadable.size() == 1 ? "" : "s") +
                       " whose history does not replay (`case verify` tells why): ";
        for (std::size_t i = 0; i < unreadable.size() && i < 5; ++i)
            not_searched += (i == 0 ? "" : ", ") + unreadable[i];
        if (unreadable.size() > 5) not_searched += ", ...";
    }

    // ---- each record, in time order
    for (const auto& it : items) {
        const auto& rec = records[it.index];
        complaint_outcome out{rec, it.index, it.number, {}, 0, {}, {}};
        const auto& ids = holders[it.number];
        // already recorded (a file imported again)?
        const stored_event* dup = nullptr;
        for (const auto& id : ids)
            if ((dup = recorded(cases.at(id), it.number, it.when)) != nullptr) {
                out.case_id = id;
                out.seq = dup->seq;
                break;
            }
        if (dup != nullptr) {
            report.duplicates.push_back(std::move(out));
            continue;
        }
        std::vector<std::string> matched;
        for (const auto& id : ids)
            if (cases.at(id).timeline.whitelists(it.number, it.instant)) matched.push_back(id);
        if (matched.size() != 1) {
            out.reason = matched.empty()
                             ? not_whitelisted(it.number, rec.received_at, it.instant, ids, cases) +
                                   not_searched + ")"
                             : whitelisted_twice(it.number, rec.received_at, matched);
            report.unmatched.push_back(std::move(out));
            continue;
        }
        const std::string& id = matched.front();
        out.case_id = id;
        case_event e{"complaint", actor, rec.received_at, {{"number", it.number}}};
        if (rec.source) e.data["source"] = *rec.source;
        try {
            const auto r = apply(id, e);
            out.seq = r.after.version;
            out.state = r.after.state;
            report.applied.push_back(std::move(out));
        } catch (const transition_refused& x) {
            out.reason = x.what();
            report.refused.push_back(std::move(out));
            continue;
        } catch (const conflict_error& x) {
            out.reason = x.what();
            report.refused.push_back(std::move(out));
            continue;
        }
        // what the case is now (its suspension, other writers' events) for the records after
        cases.at(id) = read_case(id);
    }
    const auto by_index = [](const complaint_outcome& a, const complaint_outcome& b) {
        return a.index < b.index;
    };
    for (auto* list : {&report.applied, &report.duplicates, &report.unmatched, &report.refused})
        std::sort(list->begin(), list->end(), by_index);
    return report;
}

}  // namespace telecomply
