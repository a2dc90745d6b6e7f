// Python bindings of the working calendar, the workflow and the case store.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <utility>

#include "convert.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/complaints.hpp"
#include "telecomply/cases/forecast.hpp"
#include "telecomply/cases/registry.hpp"
#include "telecomply/cases/seal.hpp"
#include "telecomply/cases/time_in_state.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/domain/calendar_import.hpp"
#include "telecomply/rules/input.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/workflow/workflow.hpp"

namespace py = pybind11;

namespace telecomply::python {

namespace {

void need_datetime() {
    if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
}

date to_date(const py::handle& o, const char* what) {
    need_datetime();
    if (PyDate_Check(o.ptr()) && !PyDateTime_Check(o.ptr()))
        return *date::from_ymd(PyDateTime_GET_YEAR(o.ptr()),
                               static_cast<unsigned>(PyDateTime_GET_MONTH(o.ptr())),
                               static_cast<unsigned>(PyDateTime_GET_DAY(o.ptr())));
    if (py::isinstance<py::str>(o)) {
        const auto s = o.cast<std::string>();
        if (auto d = date::parse(s)) return *d;
        throw usage_error(std::string(what) + ": '" + s + "' is not a date (YYYY-MM-DD)");
    }
    if (PyDateTime_Check(o.ptr()))
        throw usage_error(std::string(what) +
                          " must be a day (datetime.date or 'YYYY-MM-DD'), not a datetime: pass "
                          "its .date() in the time zone you mean (China Standard Time for "
                          "deadlines)");
    throw usage_error(std::string(what) + " must be a datetime.date or a 'YYYY-MM-DD' string");
}

py::object from_date(date d) {
    need_datetime();
    return py::reinterpret_steal<py::object>(
        PyDate_FromDate(d.year(), static_cast<int>(d.month()), static_cast<int>(d.day())));
}

py::object json_py(const nlohmann::json& j) {
    // via the json module: exact and simple (case data is small)
    return py::module_::import("json").attr("loads")(j.dump());
}
/// The same keeping the order of an object's keys.
py::object json_py(const nlohmann::ordered_json& j) {
    return py::module_::import("json").attr("loads")(j.dump());
}

/// The JSON path of the first value in `o` that JSON cannot hold, and why; {"", ""} when none
/// is found. Only on the error path of py_json().
std::pair<std::string, std::string> not_json_at(const py::handle& o, const std::string& path,
                                                int depth) {
    if (depth > 1100) return {path, "nested deeper than JSON data may be (or circular)"};
    PyObject* p = o.ptr();
    if (o.is_none() || PyBool_Check(p) || PyLong_Check(p) || PyUnicode_Check(p)) return {};
    if (PyFloat_Check(p)) {
        if (std::isfinite(PyFloat_AS_DOUBLE(p))) return {};
        return {path, py::repr(o).cast<std::string>() +
                          " is not a JSON number (a missing value, as pandas gives one? leave "
                          "the key out)"};
    }
    if (PyDict_Check(p)) {
        for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(o)) {
            if (!(PyUnicode_Check(k.ptr()) || PyLong_Check(k.ptr()) || PyFloat_Check(k.ptr()) ||
                  k.is_none()))
                return {path, std::string("a key of type ") + Py_TYPE(k.ptr())->tp_name +
                                  " (JSON keys are strings)"};
            const auto key = py::str(k).cast<std::string>();
            const bool plain =
                !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
                    return std::isalnum(c) || c == '_' || c == '-';
                });
            auto found = not_json_at(
                v, plain ? path + "." + key : path + "[" + nlohmann::json(key).dump() + "]",
                depth + 1);
            if (!found.first.empty()) return found;
        }
        return {};
    }
    if (PyList_Check(p) || PyTuple_Check(p)) {
        std::size_t i = 0;
        for (const auto& v : py::reinterpret_borrow<py::sequence>(o)) {
            auto found = not_json_at(v, path + "[" + std::to_string(i++) + "]", depth + 1);
            if (!found.first.empty()) return found;
        }
        return {};
    }
    need_datetime();
    return {path,
            std::string("a ") + Py_TYPE(p)->tp_name + " is not JSON data" +
                (PyDate_Check(p) ? " (write a date as 'YYYY-MM-DD', a time as 'HH:MM')" : "")};
}

/// Python data as JSON (event data, applications): what JSON cannot hold (NaN, infinities,
/// other types) is an input error naming `what` and the JSON path of the value.
nlohmann::json py_json(const py::handle& o, const char* what = "data") {
    if (o.is_none()) return nlohmann::json::object();
    std::string text;
    try {
        text = py::module_::import("json")
                   .attr("dumps")(o, py::arg("allow_nan") = false)
                   .cast<std::string>();
    } catch (py::error_already_set& e) {
        // the value and why, never Python's traceback (which e.what() carries)
        const auto [path, why] = not_json_at(o, "$", 0);
        if (!path.empty())
            throw input_error("<python>", 0, path, std::string(what) + " is not JSON data: " + why);
        throw input_error(
            "<python>", 0, "$",
            std::string(what) + " is not JSON data: " + py::str(e.value()).cast<std::string>());
    }
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw input_error("<python>", 0, "$", std::string(what) + " is not JSON data: " + e.what());
    }
}

/// A seal or a bundle: a dict (as seal() and export_bundle() return), its JSON text, or the
/// path (os.PathLike) of a file holding it, as `telecomply case verify --seal/--bundle FILE`.
nlohmann::json document_arg(const py::object& o, const char* what) {
    if (py::isinstance<py::str>(o)) return parse_input_json(o.cast<std::string>(), what);
    if (py::isinstance(o, py::module_::import("os").attr("PathLike"))) {
        const auto file = py::module_::import("os").attr("fspath")(o);
        if (!py::isinstance<py::str>(file))
            throw usage_error(std::string(what) + ": a path must be text, not bytes");
        const auto name = file.cast<std::string>();
        return parse_input_json(read_input_file(name), name);
    }
    if (o.is_none()) throw usage_error(std::string(what) + " is None");
    return py_json(o, what);
}

/// An event time: None (the system clock's now), a date, an aware datetime or a string
/// (RFC 3339 / YYYY-MM-DD).
std::string event_time_arg(const py::object& at, const std::string& name = "at") {
    need_datetime();
    if (at.is_none()) return store_clock{}.now_text();
    if (PyDateTime_Check(at.ptr())) {
        if (at.attr("tzinfo").is_none())
            throw usage_error(name + ": a datetime must be timezone-aware");
        return at.attr("isoformat")().cast<std::string>();
    }
    if (PyDate_Check(at.ptr())) return at.attr("isoformat")().cast<std::string>();
    if (py::isinstance<py::str>(at)) return at.cast<std::string>();
    throw usage_error(name + " must be None, a date, an aware datetime or a string");
}

/// An event time given by a caller, or nullopt for None (then the store's clock decides, under
/// the store's lock).
std::optional<std::string> given_time(const py::object& at) {
    if (at.is_none()) return std::nullopt;
    return event_time_arg(at);
}

/// A path argument: str, bytes or os.PathLike (os.fsdecode); usage_error naming `what` for
/// anything else (None included).
std::filesystem::path path_arg(const py::object& o, const char* what) {
    if (!o.is_none() && (py::isinstance<py::str>(o) || py::isinstance<py::bytes>(o) ||
                         py::hasattr(o, "__fspath__"))) {
        const auto p = py::module_::import("os").attr("fsdecode")(o).cast<std::string>();
        if (p.find('\0') != std::string::npos)
            throw usage_error(std::string(what) + " contains a NUL character");
        return p;
    }
    throw usage_error(std::string(what) + " must be a path (str or os.PathLike), not " +
                      py::str(py::type::of(o).attr("__name__")).cast<std::string>());
}

std::filesystem::path rulesets_or_default(const py::object& rulesets) {
    if (!rulesets.is_none()) return path_arg(rulesets, "rulesets");
    return py::module_::import("telecomply._paths").attr("default_rulesets")().cast<std::string>();
}

/// The Python CaseStore: one store file, the rules and the workflow. The rules are loaded
/// again when the calendar files change on disk (an import), so that a store kept open by a
/// long-running program never counts on stale days.
///
/// Thread safety: the C++ objects under it (one SQLite connection, the service's cache of the
/// cases it wrote) are not safe to share, so every call takes `mutex` for its C++ work. A call
/// releases the GIL before it waits for the mutex and takes the GIL back only after unlocking
/// (with_store()), so that a thread holding the mutex never waits for the GIL another thread
/// holds while it waits for the mutex.
struct py_case_store {
    mutable std::mutex mutex;
    store_clock clock;  // event times are judged against it
    std::filesystem::path rulesets;
    std::vector<std::filesystem::path> overlays;  // layered over `rulesets`
    mutable std::shared_ptr<const engine> eng;
    mutable std::unique_ptr<case_manager> manager;
    std::unique_ptr<case_store> store;
    mutable std::unique_ptr<case_service> service;

    void load_rules() const {
        auto e = std::make_shared<const engine>(rulesets, overlays);
        auto m = std::make_unique<case_manager>(e);
        auto svc = std::make_unique<case_service>(*store, *m, clock);
        service = std::move(svc);  // the old service goes before the manager it refers to
        manager = std::move(m);
        eng = std::move(e);
    }
    /// This store with rules whose calendars are those on disk.
    const py_case_store& fresh() const {
        const auto& cals = eng->rules().calendars();
        if (cals && cals->changed_on_disk()) load_rules();
        return *this;
    }
};

/// Runs `f` (C++ work only: no Python object may be touched) on the store with the GIL
/// released and the store's mutex held; returns its result.
template <class F>
auto with_store(const py_case_store& s, F&& f) {
    py::gil_scoped_release release;
    std::lock_guard lock(s.mutex);
    return std::forward<F>(f)(s.fresh());
}

/// The automatic events tick() and recompute() applied, as Python dicts.
py::list automatic_events(const std::vector<std::pair<std::string, case_event>>& done) {
    py::list out;
    for (const auto& [id, e] : done) {
        py::dict d;
        d["case_id"] = id;
        if (e.type == "recompute_deadlines") {
            d["event"] = e.type;
            d["deadlines"] = json_py(e.data["deadlines"]);
        } else {
            d["timer"] = e.data.value("timer", "");
            d["last_day"] = e.data.value("last_day", "");
        }
        out.append(d);
    }
    return out;
}

/// Complaint records with each `received_at` given as a date or a datetime written as text
/// (isoformat(): YYYY-MM-DD, or RFC 3339 for an aware datetime); anything else is passed on as
/// it is (and judged there).
py::object time_texts(const py::object& records) {
    need_datetime();
    if (!py::isinstance<py::list>(records) && !py::isinstance<py::tuple>(records)) return records;
    py::list out;
    for (const auto& item : records) {
        if (py::isinstance<py::dict>(item)) {
            const auto d = py::reinterpret_borrow<py::dict>(item);
            if (d.contains("received_at")) {
                const py::object at = d["received_at"];
                if (PyDate_Check(at.ptr())) {
                    py::dict copy(d);
                    // a naive datetime's text has no offset: that record is reported as bad
                    copy["received_at"] = at.attr("isoformat")();
                    out.append(copy);
                    continue;
                }
            }
        }
        out.append(item);
    }
    return out;
}

/// case_service::durations() as a Python dict: as_of a date, datetime or text (default: today
/// on the store's clock), region text or None.
py::object durations_json(const py_case_store& s, const py::object& as_of,
                          const py::object& region) {
    const auto when =
        as_of.is_none() ? std::nullopt : std::optional<std::string>(event_time_arg(as_of, "as_of"));
    // a region by ISO 3166-2 code or GB/T 2260 code, the latter as text or a number (44)
    if (!region.is_none() && !py::isinstance<py::str>(region) && !py::isinstance<py::int_>(region))
        throw usage_error("region must be a region code (\"CN-GD\", \"44\" or 44), not " +
                          std::string(py::str(py::type::of(region).attr("__name__"))));
    const std::optional<std::string> reg =
        region.is_none() ? std::nullopt : std::optional<std::string>(py::str(region));
    const auto j = with_store(s, [&](const py_case_store& st) {
        const date day = when ? case_manager::event_date(*when) : st.clock.today();
        return st.service->durations(day, reg).to_json();
    });
    return json_py(j);
}

py::list year_list(const std::vector<int>& years) {
    py::list out;
    for (const int y : years)
        out.append(y);
    return out;
}

}  // namespace

std::shared_ptr<const calendar_set> calendars_of(const py::object& rulesets) {
    const auto dir = (rulesets_or_default(rulesets) / "calendars").string();
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const calendar_set>> loaded;
    std::lock_guard lock(mutex);
    auto& set = loaded[dir];
    if (!set || set->changed_on_disk())
        set = std::make_shared<const calendar_set>(calendar_set::load(dir));
    return set;
}

void bind_cases(py::module_& m) {
    py::class_<counted_date>(m, "CountedDate",
                             "A day reached by counting working days, and the provisional years "
                             "the count crossed (see Calendar.deadline).")
        .def_property_readonly(
            "day", [](const counted_date& c) { return from_date(c.day); }, "The day reached.")
        .def_property_readonly(
            "provisional_years",
            [](const counted_date& c) { return year_list(c.provisional_years); },
            "The provisional calendar years the count crossed, ascending.")
        .def_property_readonly("provisional", &counted_date::provisional,
                               "True when the day may move once those years are official.")
        .def(
            "__eq__",
            [](const counted_date& a, const py::object& b) {
                if (!py::isinstance<counted_date>(b)) return false;
                const auto& o = b.cast<const counted_date&>();
                return a.day == o.day && a.provisional_years == o.provisional_years;
            },
            py::is_operator())
        .def("__hash__",
             [](const counted_date& c) {
                 return py::hash(
                     py::make_tuple(c.day.to_string(), py::tuple(year_list(c.provisional_years))));
             })
        .def("__repr__", [](const counted_date& c) {
            std::string out = "<CountedDate " + c.day.to_string();
            if (c.provisional()) {
                out += " provisional:";
                for (const int y : c.provisional_years)
                    out += " " + std::to_string(y);
            }
            return out + ">";
        });

    m.def(
        "import_calendar",
        [](const py::object& file, const py::object& rulesets, bool dry_run,
           bool replace_official) {
            const auto dir = rulesets_or_default(rulesets) / "calendars";
            const auto path = path_arg(file, "file");
            calendar_import_options options;
            options.dry_run = dry_run;
            options.replace_official = replace_official;
            calendar_import_report r;
            {
                py::gil_scoped_release release;
                r = import_calendar(dir, path, options);
            }
            py::dict out;
            out["written"] = r.written.empty() ? py::object(py::none())
                                               : py::object(py::str(r.written.string()));
            py::list changes;
            for (const auto& ch : r.changes) {
                py::dict c;
                c["calendar"] = ch.calendar;
                c["year"] = ch.year;
                c["before"] = ch.before ? py::object(py::str(std::string(to_string(*ch.before))))
                                        : py::object(py::none());
                c["after"] = std::string(to_string(ch.after));
                py::list off, working;
                for (const auto& d : ch.now_off)
                    off.append(from_date(d));
                for (const auto& d : ch.now_working)
                    working.append(from_date(d));
                c["now_off"] = off;
                c["now_working"] = working;
                changes.append(c);
            }
            out["changes"] = changes;
            py::list problems;
            for (const auto& p : r.problems) {
                py::dict d;
                d["file"] = p.file;
                d["line"] = p.line;
                d["json_path"] = p.json_path;
                d["message"] = p.message;
                d["warning"] = p.warning;
                d["code"] = p.code;
                problems.append(d);
            }
            out["problems"] = problems;
            out["ok"] = r.ok();
            return out;
        },
        py::arg("file"), py::arg("rulesets") = py::none(), py::kw_only(),
        py::arg("dry_run") = false, py::arg("replace_official") = false,
        "Adds or replaces calendar years from an official arrangement (docs/calendars.md); "
        "returns {ok, written, changes, problems}. Nothing is written when an error is found, "
        "with dry_run, or when nothing would change. An official year gets other days only "
        "with replace_official=True. Open CaseStores see the new calendar at their next call.");

    py::class_<calendar>(m, "Calendar",
                         "A working-day calendar (weekends, public holidays, 调休 make-up days, a "
                         "region's own days off) over official and provisional years. Immutable: "
                         "safe to share between threads.")
        .def(py::init([](const std::string& region, const py::object& rulesets) {
                 const auto dir = rulesets_or_default(rulesets) / "calendars";
                 return calendar_set::load(dir).for_region(region);
             }),
             py::arg("region") = "CN", py::arg("rulesets") = py::none())
        .def_property_readonly("name", &calendar::name,
                               "The calendar's name (CN, or a region with its own days).")
        .def_property_readonly(
            "first_day", [](const calendar& c) { return from_date(c.first_day()); },
            "January 1 of the first covered year.")
        .def_property_readonly(
            "last_day", [](const calendar& c) { return from_date(c.last_day()); },
            "December 31 of the last covered year.")
        .def(
            "covers",
            [](const calendar& c, const py::object& d) { return c.covers(to_date(d, "day")); },
            py::arg("day"), "Whether the day lies within the covered years.")
        .def(
            "is_working_day",
            [](const calendar& c, const py::object& d) {
                return c.is_working_day(to_date(d, "day"));
            },
            py::arg("day"),
            "Whether the day is a working day; CalendarError outside the covered years.")
        .def(
            "add_working_days",
            [](const calendar& c, const py::object& d, int n) {
                return from_date(c.add_working_days(to_date(d, "start"), n));
            },
            py::arg("start"), py::arg("n"),
            "The n-th working day after start (start itself never counts).")
        .def(
            "working_days_between",
            [](const calendar& c, const py::object& a, const py::object& b) {
                return c.working_days_between(to_date(a, "start"), to_date(b, "end"));
            },
            py::arg("start"), py::arg("end"),
            "Working days d with start < d <= end (negative when end < start).")
        .def(
            "deadline",
            [](const calendar& c, const py::object& d, int n) {
                return c.deadline(to_date(d, "start"), n);
            },
            py::arg("start"), py::arg("n"),
            "add_working_days() with the provisional years the count crossed: a CountedDate.")
        .def_property_readonly("first_year", &calendar::first_year, "The first covered year.")
        .def_property_readonly("last_year", &calendar::last_year, "The last covered year.")
        .def(
            "status",
            [](const calendar& c, int year) { return std::string(to_string(c.status(year))); },
            py::arg("year"),
            "'official' (the State Council's arrangement is imported) or 'provisional' (the "
            "statutory days only, until it is); CalendarError outside the covered years.")
        .def("source", &calendar::source, py::arg("year"),
             "The notice or rule a year's days come from.")
        .def_property_readonly(
            "provisional_years", [](const calendar& c) { return year_list(c.provisional_years()); },
            "The provisional years covered, ascending.")
        .def_property_readonly("version", &calendar::version,
                               "A digest of the calendar's days and statuses (12 hex digits).")
        .def("__repr__", [](const calendar& c) {
            const auto prov = c.provisional_years();
            return "<Calendar " + c.name() + " " + c.first_day().to_string() + ".." +
                   c.last_day().to_string() +
                   (prov.empty() ? std::string()
                                 : " provisional from " + std::to_string(prov.front())) +
                   ">";
        });

    py::class_<workflow>(m, "Workflow",
                         "The approval workflow of a region, held as a graph. Immutable; safe "
                         "to share between threads.")
        .def(py::init([](const std::string& region, const py::object& rulesets) {
                 return workflow::load(rulesets_or_default(rulesets) / "workflow", region);
             }),
             py::arg("region") = "CN", py::arg("rulesets") = py::none())
        .def_property_readonly("id", &workflow::id, "CN, or the region of the overlay.")
        .def_property_readonly("initial", &workflow::initial, "The state a case starts in.")
        .def_property_readonly("states", &workflow::states, "Every state, in definition order.")
        .def_property_readonly("events", &workflow::events, "Every event the workflow accepts.")
        .def_property_readonly(
            "finals",
            [](const workflow& w) {
                std::vector<std::string> out;
                for (const auto& s : w.states())
                    if (w.is_final(s)) out.push_back(s);
                return out;
            },
            "The final states (withdrawn, barred, revoked, expired).")
        .def_property_readonly(
            "transitions",
            [](const workflow& w) {
                py::list out;
                for (const auto& t : w.transitions()) {
                    py::dict d;
                    d["id"] = t.id;
                    d["from"] = t.from;
                    d["event"] = t.event.empty() ? py::object(py::none()) : py::str(t.event);
                    d["timer"] = t.timer.empty() ? py::object(py::none()) : py::str(t.timer);
                    d["to"] = t.to;
                    d["guard"] = t.guard.empty() ? py::object(py::none()) : py::str(t.guard);
                    out.append(d);
                }
                return out;
            },
            "Every transition: {id, from, event, timer, to, guard}.")
        .def(
            "analyse",
            [](const workflow& w) {
                const auto a = w.analyse(known_guards());
                py::dict d;
                d["unreachable"] = a.unreachable;
                d["cannot_finish"] = a.cannot_finish;
                d["problems"] = a.problems;
                d["shortest_to_whitelisted"] = a.shortest_to_whitelisted;
                return d;
            },
            "Unreachable states, states that cannot finish, problems, and the shortest path to "
            "whitelisted.")
        .def("shortest_path", &workflow::shortest_path, py::arg("source"), py::arg("target"),
             "The shortest list of events from one state to another (timers as '(name)'); [] when "
             "unreachable.")
        .def("to_dot", &workflow::to_dot, "The workflow as Graphviz DOT.")
        .def("to_mermaid", &workflow::to_mermaid, "The workflow as a Mermaid stateDiagram-v2.")
        .def("__repr__", [](const workflow& w) {
            return "<Workflow " + w.id() + ": " + std::to_string(w.states().size()) + " states, " +
                   std::to_string(w.transitions().size()) + " transitions>";
        });

    m.def(
        "generate_seal_key",
        [](const py::object& out_prefix) {
            const auto prefix = path_arg(out_prefix, "out_prefix");
            std::pair<std::filesystem::path, std::filesystem::path> files;
            {
                py::gil_scoped_release release;
                files = write_seal_key(generate_seal_key(), prefix);
            }
            return py::make_tuple(files.first.string(), files.second.string());
        },
        py::arg("out_prefix"),
        "Writes a new Ed25519 key pair for seals: `<out_prefix>.pem` (the private key, mode "
        "0600: keep it off the store's host) and `<out_prefix>.pub.pem` (the public key); "
        "returns the two paths (private, public). Raises SealError naming the file when either "
        "exists (nothing written: keys are never overwritten) or cannot be written. Thread-safe.");

    m.def(
        "verify_bundle",
        [](const py::object& bundle, const py::object& public_key_path,
           const py::object& rulesets) {
            const auto doc = document_arg(bundle, "<bundle>");
            const auto key_file = path_arg(public_key_path, "public_key_path");
            const auto dir = rulesets_or_default(rulesets);
            nlohmann::json report;
            {
                py::gil_scoped_release release;
                const std::string key = read_seal_public_key(key_file);
                report = verify_bundle(doc, key, *catalogue::load(dir)).to_json();
            }
            return json_py(report);
        },
        py::arg("bundle"), py::arg("public_key_path"), py::arg("rulesets") = py::none(),
        "Checks a bundle (CaseStore.export_bundle(): a dict, its JSON text or a path to its file) "
        "offline, without "
        "any store: the seal's signature with the public key, every case's hash chain "
        "recomputed up to its sealed head, the cases equal to the sealed ones, and each pinned "
        "ruleset's content rebuilt to its digest (compiled with the calendars of `rulesets`, "
        "default the shipped ones). Returns {ok, sealed_at, key_id, cases, events, problems: "
        "[{case_id, seq, message}], appended: [], added: [], rules_not_carried: [text] (digests "
        "of rules events were judged by that the bundle does not carry)}. Raises SealError when "
        "the key "
        "file cannot be read or is not an Ed25519 public key in PEM; a bundle that does not "
        "verify is a problem, not an error. Thread-safe (the GIL is released).");

    py::class_<py_case_store>(
        m, "CaseStore",
        "Cases in a durable, tamper-evident SQLite file.\n\n"
        "Thread-safe: one CaseStore may be shared by threads (a web handler's pool); its calls "
        "run one at a time, with the GIL released while they wait and work. Several CaseStore "
        "objects, threads or processes may open the same file; their writes serialise in SQLite.")
        .def(py::init([](const py::object& path, const py::object& rulesets, const py::object& now,
                         const py::object& overlays) {
                 auto s = std::make_unique<py_case_store>();
                 s->rulesets = rulesets_or_default(rulesets);
                 if (!overlays.is_none()) {
                     if (py::isinstance<py::str>(overlays) || py::isinstance<py::bytes>(overlays))
                         throw usage_error("CaseStore: overlays is a list of folders, not one");
                     for (const auto& o : overlays)
                         s->overlays.push_back(
                             path_arg(py::reinterpret_borrow<py::object>(o), "overlays"));
                 }
                 s->clock = now.is_none() ? store_clock::from_environment()
                                          : store_clock::fixed(event_time_arg(now, "now"));
                 s->store = std::make_unique<case_store>(case_store::open(path_arg(path, "path")));
                 s->load_rules();
                 return s;
             }),
             py::arg("path"), py::arg("rulesets") = py::none(), py::arg("now") = py::none(),
             py::kw_only(), py::arg("overlays") = py::none(),
             "Opens (creating when new) a store file. `overlays`: folders of ruleset versions\n"
             "layered over `rulesets` (docs/rulesets.md, \"Overlays\"). `now` fixes the store's "
             "clock (a date, an "
             "aware datetime or RFC 3339 / YYYY-MM-DD text) for tests and simulations; by "
             "default it is TELECOMPLY_NOW when set, else the system clock. Events dated before "
             "their case's last event, or more than a day after the clock, are refused.")
        .def_property(
            "now",
            [](const py_case_store& s) {
                return with_store(s, [](const py_case_store& f) { return f.clock.now_text(); });
            },
            [](py_case_store& s, const py::object& now) {
                const store_clock c = now.is_none()
                                          ? store_clock::from_environment()
                                          : store_clock::fixed(event_time_arg(now, "now"));
                py::gil_scoped_release release;
                std::lock_guard lock(s.mutex);
                s.clock = c;
                s.load_rules();
            },
            "The store's clock as RFC 3339 text in China Standard Time; set it (as `now` of the "
            "constructor) to move a simulation's time, or to None for the default clock.")
        .def_property_readonly(
            "path", [](const py_case_store& s) { return s.store->path().string(); },
            "The SQLite file.")
        .def(
            "new",
            [](py_case_store& s, const py::object& app, const std::string& actor,
               const py::object& at, const std::string& id) {
                nlohmann::json j;
                if (py::isinstance<py::str>(app))
                    j = parse_input_json(app.cast<std::string>(), "<application>");
                else
                    j = py_json(app, "the application");
                const auto when = given_time(at);
                const auto summary = with_store(s, [&](const py_case_store& f) {
                    const case_event e{"create", actor, when.value_or(f.clock.now_text()),
                                       nlohmann::json::object()};
                    return f.service->create(j, e, id).summary();
                });
                return json_py(summary);
            },
            py::arg("application"), py::arg("actor") = "python", py::arg("at") = py::none(),
            py::arg("id") = "",
            "Creates a case from an application (dict or JSON text); returns its summary.")
        .def(
            "event",
            [](py_case_store& s, const std::string& id, const std::string& type,
               const std::string& actor, const py::object& at, const py::object& data,
               std::optional<std::int64_t> expect_version) {
                const auto when = given_time(at);
                // JSON text is read as strictly as on the command line (a key given twice...)
                const auto payload = py::isinstance<py::str>(data)
                                         ? parse_input_json(data.cast<std::string>(), "<data>")
                                         : py_json(data);
                const auto summary = with_store(s, [&](const py_case_store& f) {
                    const case_event e{type, actor, when.value_or(f.clock.now_text()), payload};
                    return f.service->apply(id, e, expect_version).after.summary();
                });
                return json_py(summary);
            },
            py::arg("case_id"), py::arg("event"), py::arg("actor") = "python",
            py::arg("at") = py::none(), py::arg("data") = py::none(),
            py::arg("expect_version") = py::none(),
            "Applies an event; returns the case summary. Raises TransitionRefused when the "
            "workflow refuses it (nothing written). expect_version: the case's version the "
            "decision was made on (its last event's seq); when the case has moved on, raises "
            "ConflictError and writes nothing. Without it, another writer's event in between is "
            "waited out and this one judged again on the case as it then is.")
        .def(
            "check",
            [](const py_case_store& s, const py::object& app, const py::object& as_of,
               const std::string& case_id) {
                const nlohmann::json j =
                    py::isinstance<py::str>(app)
                        ? parse_input_json(app.cast<std::string>(), "<application>")
                        : py_json(app, "the application");
                check_options opts;
                if (!as_of.is_none())
                    opts.as_of = case_manager::event_date(event_time_arg(as_of, "as_of"));
                return py_verdict{with_store(s, [&](const py_case_store& f) {
                    (void)f.eng->validate(j, "<application>");
                    return f.service->check(j, opts, case_id);
                })};
            },
            py::arg("application"), py::arg("as_of") = py::none(), py::arg("case_id") = "",
            "Checks an application (dict or JSON text) with what the store knows (docs/policy.md "
            "section 7): the rules judge the stricter of the declared applicant.history and the "
            "store's record of the USCC (latest ban, rejections in 12 months, violations in 24 "
            "months before submitted_on), and report HISTORY_MISMATCH[banned_until | "
            "rejections_12m | violations_24m] and NUMBER_ALREADY_REGISTERED[number] (blocking "
            "for another applicant's live case, a warning for the same applicant's). case_id: "
            "the case the application is, left out of the facts. Returns a Verdict; raises "
            "InputError for an application the schema refuses.")
        .def(
            "facts",
            [](const py_case_store& s, const py::object& app, const std::string& case_id) {
                const nlohmann::json j =
                    py::isinstance<py::str>(app)
                        ? parse_input_json(app.cast<std::string>(), "<application>")
                        : py_json(app, "the application");
                return json_py(with_store(s, [&](const py_case_store& f) {
                    return f.service->facts(j, case_id).to_json();
                }));
            },
            py::arg("application"), py::arg("case_id") = "",
            "What the store knows for an application: {record: {uscc, banned_until, "
            "rejections_12m, violations_24m, evidence: [str]} or None (no USCC), "
            "registrations: [{number, case_id, state, same_applicant}]} (live cases holding its "
            "numbers, canonical form). Indexed: milliseconds whatever the store's size.")
        .def(
            "show",
            [](const py_case_store& s, const std::string& id) {
                return json_py(with_store(
                    s, [&](const py_case_store& f) { return f.service->report(id).to_json(); }));
            },
            py::arg("case_id"),
            "{id, region, state, ruleset_version, deadlines, obligations, findings} on the current "
            "calendar; deadlines are {name: {due, provisional, provisional_years, from, "
            "working_days?, calendar?, moved_from?}}. When set: requested_items (what a "
            "supplement must bring), complaints {number: {count, dates}}, entered_state {seq, "
            "event, actor, at, data} (the event that moved the case into its state: why it is "
            "suspended, barred, rejected), missed_deadlines [{timer, last_day, recorded_at, seq}] "
            "(deadlines that fell due, kept after their timers stop), flags, warnings, "
            "rejection_reasons, banned_until, validity_until.")
        .def(
            "case",
            [](const py_case_store& s, const std::string& id) {
                return json_py(with_store(
                    s, [&](const py_case_store& f) { return f.service->get(id).to_json(); }));
            },
            py::arg("case_id"), "The full case, application included.")
        .def(
            "history",
            [](const py_case_store& s, const std::string& id) {
                const auto events =
                    with_store(s, [&](const py_case_store& f) { return f.service->history(id); });
                py::list out;
                for (const auto& [e, state] : events) {
                    nlohmann::ordered_json o = e;  // fields in history order, then the state
                    o["state"] = state;
                    out.append(json_py(o));
                }
                return out;
            },
            py::arg("case_id"),
            "The case's events: {seq, type, actor, at, payload, verdict, ruleset_digest, "
            "outcome, snapshot_digest?, prev_hash, hash, state}; state is the one the event left "
            "the case in; outcome holds the deadlines an event set, with the "
            "calendar they were counted on (None when it set none).")
        .def(
            "list",
            [](const py_case_store& s, const std::optional<std::string>& state,
               const std::optional<std::string>& region, const std::optional<std::string>& uscc,
               const py::object& due_before, bool overdue) {
                case_filter f;
                f.state = state;
                f.region = region;
                f.uscc = uscc;
                if (!due_before.is_none())
                    f.due_before =
                        case_manager::event_date(event_time_arg(due_before, "due_before"));
                const auto summaries = with_store(s, [&](const py_case_store& st) {
                    if (overdue) f.overdue_on = st.clock.today();
                    std::vector<nlohmann::json> out;
                    for (const auto& c : st.service->list(f))
                        out.push_back(c.summary());
                    return out;
                });
                py::list out;
                for (const auto& j : summaries)
                    out.append(json_py(j));
                return out;
            },
            py::kw_only(), py::arg("state") = py::none(), py::arg("region") = py::none(),
            py::arg("uscc") = py::none(), py::arg("due_before") = py::none(),
            py::arg("overdue") = false,
            "The summaries (as show()) of the cases selected: in `state`, of `region`, of the "
            "applicant `uscc`, with a running deadline before `due_before`, or already past on "
            "the store's clock (`overdue`); in case id order.")
        .def(
            "cases",
            [](const py_case_store& s) {
                return with_store(s, [](const py_case_store& f) { return f.store->case_ids(); });
            },
            "Every case id, sorted.")
        .def(
            "verify",
            [](const py_case_store& s, const std::optional<std::string>& id) {
                const case_verify_report r =
                    with_store(s, [&](const py_case_store& f) { return f.service->verify(id); });
                return json_py(r.to_json());
            },
            py::arg("case_id") = py::none(),
            "Checks the hash chains and replays; {ok, cases, events, problems: [{case_id, seq, "
            "kind: 'chain' | 'replay', message}], drift: [text]} (as `telecomply case verify "
            "--format json`).")
        .def(
            "tick",
            [](py_case_store& s, const py::object& now, const std::string& actor) {
                const auto when = given_time(now);
                const auto done = with_store(s, [&](const py_case_store& f) {
                    const date today = when ? case_manager::event_date(*when) : f.clock.today();
                    return f.service->tick(today, actor);
                });
                return automatic_events(done);
            },
            py::arg("now") = py::none(), py::arg("actor") = "system",
            "Applies what time has made due; returns [{case_id, timer, last_day}] for deadlines "
            "that passed and [{case_id, event: 'recompute_deadlines', deadlines}] for deadlines "
            "a calendar change moved (recorded first).")
        .def(
            "recompute",
            [](py_case_store& s, const py::object& at, const std::string& actor) {
                const auto when = given_time(at);
                const auto done = with_store(s, [&](const py_case_store& f) {
                    return f.service->recompute(when.value_or(f.clock.now_text()), actor);
                });
                return automatic_events(done);
            },
            py::arg("at") = py::none(), py::arg("actor") = "system",
            "Records the deadlines the current calendar counts differently (after an official "
            "year was imported); returns [{case_id, event, deadlines}].")
        .def(
            "seal",
            [](const py_case_store& s, const py::object& private_key_path, const py::object& at) {
                const auto key_file = path_arg(private_key_path, "private_key_path");
                const auto when = given_time(at);
                const auto doc = with_store(s, [&](const py_case_store& f) {
                    return seal(*f.store, read_seal_private_key(key_file),
                                when.value_or(f.clock.now_text()));
                });
                return json_py(doc);
            },
            py::arg("private_key_path"), py::arg("sealed_at") = py::none(),
            "Seals the store: {format: 'telecomply-seal/1', sealed_at, key_id, cases: {case_id: "
            "{version, head}}, root, signature}, every case's head from one consistent read, "
            "signed with the Ed25519 private key (generate_seal_key()). sealed_at: an aware "
            "datetime or RFC 3339 text (default: the store's clock). Keep the seal outside the "
            "store (json.dump it). Raises IntegrityError when the store's chains do not verify "
            "(nothing sealed), SealError when the key file is not an unencrypted Ed25519 private "
            "key in PEM, UsageError when sealed_at is a day rather than a time.")
        .def(
            "verify_seal",
            [](const py_case_store& s, const py::object& seal_doc,
               const py::object& public_key_path) {
                const auto doc = document_arg(seal_doc, "<seal>");
                const auto key_file = path_arg(public_key_path, "public_key_path");
                const auto report = with_store(s, [&](const py_case_store& f) {
                    return verify_seal(*f.store, doc, read_seal_public_key(key_file)).to_json();
                });
                return json_py(report);
            },
            py::arg("seal"), py::arg("public_key_path"),
            "Checks the store against a seal (a dict, its JSON text or a path to its file) with "
            "the "
            "signer's public "
            "key: {ok, sealed_at, key_id, cases, events, problems: [{case_id, seq, message}], "
            "appended: [{case_id, sealed_version, version}], added: [case_id]}. Problems: the "
            "seal is malformed (case_id '', the message starts with the JSON path), its "
            "signature or key id does not match the key, a sealed case is missing, shorter, or "
            "has another event at its sealed version (its history up to the seal changed), and "
            "every hash-chain problem of verify(). Cases with events since the seal are listed in "
            "appended, cases created since in added: not problems, and not vouched for. Raises "
            "SealError when the key file is not an Ed25519 public key in PEM.")
        .def(
            "export_bundle",
            [](const py_case_store& s, const py::object& seal_doc) {
                const auto doc = document_arg(seal_doc, "<seal>");
                const auto bundle = with_store(
                    s, [&](const py_case_store& f) { return export_bundle(*f.store, doc); });
                return json_py(bundle);
            },
            py::arg("seal"),
            "What a seal covers, to check offline with verify_bundle(): {format: "
            "'telecomply-bundle/1', seal, cases: {case_id: {region, events: [as history(), "
            "without state]}}, pinned_rulesets: [{digest, id, version, content}]}; each case's "
            "events up to its sealed version only. The seal's signature is not checked here "
            "(verify_seal() does). Raises SealError when the seal is malformed, IntegrityError "
            "when the store no longer holds what it sealed (nothing exported).")
        .def(
            "registry",
            [](const py_case_store& s) {
                const auto entries = with_store(s, [](const py_case_store& f) {
                    auto out = nlohmann::json::array();
                    for (const auto& e : f.service->registry())
                        out.push_back(e.to_json());
                    return out;
                });
                return json_py(entries);
            },
            "The registry of whitelisted numbers: for every number of every case, {number "
            "(canonical), region, case, whitelisted: [[from, to], ...]}, the half-open intervals "
            "(RFC 3339 text in China Standard Time, to None while still whitelisted) during which "
            "the case held it whitelisted (state whitelisted, change_pending or renewal_review); "
            "[] for a case that never did. Sorted by number, then case id; the lines of "
            "`telecomply case registry`. One consistent read of the store; writes nothing. Raises "
            "IntegrityError when a case's history does not replay (verify() tells why).")
        .def(
            "import_complaints",
            [](py_case_store& s, const py::object& records, const std::string& actor) {
                complaint_batch batch;
                if (py::isinstance<py::str>(records) || py::isinstance<py::bytes>(records) ||
                    py::hasattr(records, "__fspath__")) {
                    const auto file = path_arg(records, "records");
                    py::gil_scoped_release release;
                    batch = read_complaints(file);
                } else {
                    batch =
                        complaints_from_json(py_json(time_texts(records), "records"), "<records>");
                }
                const auto report = with_store(s, [&](const py_case_store& f) {
                    return f.service->import_complaints(batch, actor).to_json();
                });
                return json_py(report);
            },
            py::arg("records"), py::arg("actor") = "python",
            "Imports complaints as complaint events on the cases that whitelisted their numbers "
            "when they were received. records: a list of dicts {number, received_at (RFC 3339 "
            "text, an aware datetime's isoformat(), or YYYY-MM-DD), source?}, or the path of a "
            "CSV (header number,received_at[,source]) or JSON Lines file. Importing the same "
            "records again adds nothing. Returns {applied: [{number, received_at, source?, file, "
            "line, json_path, case, seq, state}], duplicates: [... case, seq], unmatched: [... "
            "reason], refused: [... case, reason], errors: [{file, line, json_path, message}]} "
            "(bad records; the rest are still imported). Raises InputError when a file cannot be "
            "read or a CSV has no usable header, or records is not a list.")
        .def(
            "durations_report",
            [](const py_case_store& s, const py::object& as_of, const py::object& region) {
                return durations_json(s, as_of, region);
            },
            py::arg("as_of") = py::none(), py::arg("region") = py::none(),
            "Time in state as plain data (what `telecomply case durations --format json` "
            "prints): {as_of, region, states: [{region, state, visits, open, counted, median, "
            "p90, max}], timers: [{region, timer, kind, raises, breached, on_time, running}], "
            "waiting: [{case_id, region, state, since, working_days}], provisional_years, visits: "
            "[...as time_in_state()]}. Working days on each region's calendar; median and p90 "
            "of the closed visits by linear interpolation (numpy's default). as_of: a date or "
            "YYYY-MM-DD (default: today on the store's clock); events of later days are left "
            "out. region: only that region. Raises UsageError for an unknown region, "
            "IntegrityError when a case's history does not replay.")
        .def(
            "time_in_state",
            [](const py_case_store& s, const py::object& as_of, const py::object& region) {
                const py::object report = durations_json(s, as_of, region);
                return py::module_::import("telecomply.frames")
                    .attr("visits_to_frame")(report["visits"]);
            },
            py::arg("as_of") = py::none(), py::arg("region") = py::none(),
            "One row per visit of a case to a workflow state (pandas DataFrame): case_id, "
            "region, state, entered_on, left_on (NaT while open), working_days (on the "
            "region's calendar), open, entered_by, left_by, provisional. As durations_report(); "
            "needs pandas.")
        .def(
            "durations",
            [](const py_case_store& s, const py::object& as_of, const py::object& region) {
                const py::object report = durations_json(s, as_of, region);
                return py::module_::import("telecomply.frames")
                    .attr("durations_to_frame")(report["states"]);
            },
            py::arg("as_of") = py::none(), py::arg("region") = py::none(),
            "One row per region and state (pandas DataFrame): region, state, visits, open, "
            "counted, median, p90, max (working days of the closed visits; NaN when none). As "
            "durations_report(); needs pandas.")
        .def(
            "sla_breaches",
            [](const py_case_store& s, const py::object& as_of, const py::object& region) {
                const py::object report = durations_json(s, as_of, region);
                return py::module_::import("telecomply.frames")
                    .attr("sla_breaches_to_frame")(report["timers"]);
            },
            py::arg("as_of") = py::none(), py::arg("region") = py::none(),
            "One row per region and timer counted in working days (pandas DataFrame): region, "
            "timer, kind ('sla' or 'deadline'), raises, breached, on_time, running (cases). As "
            "durations_report(); needs pandas.")
        .def(
            "forecast",
            [](const py_case_store& s, const std::string& id, const py::object& as_of,
               std::size_t min_similar) {
                const auto when = as_of.is_none()
                                      ? std::nullopt
                                      : std::optional<std::string>(event_time_arg(as_of, "as_of"));
                const auto f = with_store(s, [&](const py_case_store& st) {
                    const date day = when ? case_manager::event_date(*when) : st.clock.today();
                    return st.service->forecast(id, day, forecast_options{min_similar}).to_json();
                });
                return json_py(f);
            },
            py::arg("case_id"), py::arg("as_of") = py::none(), py::arg("min_similar") = 5,
            "When an open case is likely to be decided: {case_id, region, state, as_of, "
            "in_state_since, waited_working_days, basis ('history' or 'sla'), scope ('region', "
            "'all_regions' or ''), similar_cases, similar_in_region, min_similar, "
            "remaining_working_days: {p10, median, p90} or None, earliest, likely, latest, "
            "bounded_by, history_latest, deadlines: [{timer, kind, due, provisional, bounds}], "
            "provisional_years, explanation}. From similar cases' remaining working days (the "
            "case's region, else all regions, when at least min_similar), capped by its running "
            "SLA; else from the workflow's SLA. Raises NotFoundError for an unknown case, "
            "UsageError for one that awaits no decision (the message says when it was "
            "decided).")
        .def("__repr__",
             [](const py_case_store& s) { return "<CaseStore " + s.store->path().string() + ">"; });

    m.def("known_guards", &known_guards, "The guard names workflows may use.");
}

}  // namespace telecomply::python
