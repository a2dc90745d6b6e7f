// Python bindings of the checking pipeline: Engine, Verdict and its parts.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <nlohmann/json.hpp>

#include "check_many.hpp"
#include "convert.hpp"
#include "telecomply/base/version.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/fix.hpp"
#include "telecomply/workflow/lint.hpp"

namespace py = pybind11;

namespace telecomply::python {

namespace {

py::object json_to_python(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
            return py::none();
        case nlohmann::json::value_t::boolean:
            return py::bool_(j.get<bool>());
        case nlohmann::json::value_t::number_integer:
            return py::int_(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned:
            return py::int_(j.get<std::uint64_t>());
        case nlohmann::json::value_t::number_float:
            return py::float_(j.get<double>());
        case nlohmann::json::value_t::string:
            return py::str(j.get_ref<const std::string&>());
        case nlohmann::json::value_t::array: {
            py::list out;
            for (const auto& e : j)
                out.append(json_to_python(e));
            return out;
        }
        case nlohmann::json::value_t::object: {
            py::dict out;
            for (const auto& [k, v] : j.items())
                out[py::str(k)] = json_to_python(v);
            return out;
        }
        default:
            return py::none();
    }
}

py::object py_date(date d) {
    if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
    return py::reinterpret_steal<py::object>(
        PyDate_FromDate(d.year(), static_cast<int>(d.month()), static_cast<int>(d.day())));
}

std::optional<date> as_date(const py::object& o) {
    if (o.is_none()) return std::nullopt;
    if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
    if (PyDate_Check(o.ptr()))
        return date::from_ymd(PyDateTime_GET_YEAR(o.ptr()),
                              static_cast<unsigned>(PyDateTime_GET_MONTH(o.ptr())),
                              static_cast<unsigned>(PyDateTime_GET_DAY(o.ptr())));
    if (py::isinstance<py::str>(o)) {
        const auto s = o.cast<std::string>();
        if (auto d = date::parse(s)) return d;
        throw usage_error("as_of: '" + s + "' is not a date (YYYY-MM-DD)");
    }
    throw usage_error("as_of must be a datetime.date, a 'YYYY-MM-DD' string or None");
}

py::dict localized_dict(const localized& l) {
    py::dict d;
    d["zh"] = l.zh;
    d["en"] = l.en;
    return d;
}

/// Builds an application document from a dict or JSON text and validates it.
document make_document(const engine& e, py::handle app, const std::string& source) {
    if (is_json_text(app)) {
        const json_text text = read_json_text(app, source);
        py::gil_scoped_release release;
        return e.parse(text.text, source);
    }
    if (!PyDict_Check(app.ptr()) && !PyMapping_Check(app.ptr()))
        throw usage_error(source + ": an application is a dict or a JSON string");
    document doc = to_application(app);
    e.validate(doc, source);
    return doc;
}

}  // namespace

void bind_engine(py::module_& m) {
    py::class_<py_verdict>(
        m, "Verdict",
        "The outcome of checking one application. Immutable; safe to share between threads.")
        .def_property_readonly(
            "application", [](const py_verdict& p) { return p.v.application; },
            "The application's id.")
        .def_property_readonly(
            "region", [](const py_verdict& p) { return p.v.region; },
            "The region whose rules applied (CN-XX).")
        .def_property_readonly(
            "as_of", [](const py_verdict& p) { return py_date(p.v.as_of); },
            "The date whose rules applied (datetime.date).")
        .def_property_readonly(
            "decision", [](const py_verdict& p) { return std::string(to_string(p.v.outcome)); },
            "'eligible', 'ineligible' (a blocking finding) or 'needs_evidence' (a blocking rule "
            "undecided).")
        .def_property_readonly(
            "eligible", [](const py_verdict& p) { return p.v.outcome == decision::eligible; },
            "decision == 'eligible'.")
        .def_property_readonly(
            "ruleset",
            [](const py_verdict& p) {
                py::dict d;
                d["id"] = p.v.rules->id();
                d["version"] = p.v.rules->version();
                d["chain"] = p.v.rules->chain();
                d["digest"] = p.v.rules->digest();
                return d;
            },
            "The rules applied: {id, version, chain, digest}.")
        .def_property_readonly(
            "findings",
            [](const py_verdict& p) {
                py::list out;
                py::object ns = py::module_::import("telecomply._types");
                for (const auto& f : p.v.findings) {
                    out.append(ns.attr("Finding")(
                        f.code(), f.subject.empty() ? py::object(py::none()) : py::str(f.subject),
                        std::string(to_string(f.level)), localized_dict(f.message()),
                        localized_dict(f.remedy()), f.reference(), f.rule_id()));
                }
                return out;
            },
            "The findings (telecomply.Finding), blocking first, then warnings, then information.")
        .def_property_readonly(
            "unknowns",
            [](const py_verdict& p) {
                py::list out;
                py::object ns = py::module_::import("telecomply._types");
                for (const auto& u : p.v.unknowns) {
                    out.append(ns.attr("Unknown")(
                        u.rule_id(), u.source ? u.source->code : std::string(),
                        u.subject.empty() ? py::object(py::none()) : py::str(u.subject), u.missing,
                        u.reason.empty() ? py::object(py::none()) : py::str(u.reason)));
                }
                return out;
            },
            "Rules that could not be decided (telecomply.Unknown), with the absent inputs.")
        .def_property_readonly(
            "obligations",
            [](const py_verdict& p) {
                py::list out;
                py::object ns = py::module_::import("telecomply._types");
                for (const auto& o : p.v.obligations)
                    out.append(
                        ns.attr("Obligation")(o.code, o.source ? o.source->id : std::string()));
                return out;
            },
            "Steps the workflow must take (telecomply.Obligation).")
        .def_property_readonly(
            "trace",
            [](const py_verdict& p) -> py::object {
                if (!p.v.trace) return py::none();
                return json_to_python(p.v.to_json()["trace"]);
            },
            "With check(trace=True): every rule's inputs and outcome; else None.")
        .def(
            "fixes",
            [](const py_verdict& p) {
                if (!p.eng || !p.app)
                    throw usage_error(
                        "Verdict.fixes() needs a verdict of Engine.check() or check_version() "
                        "(a batch keeps no applications): call Engine.fixes(app)");
                check_options opts;
                opts.as_of = p.v.as_of;
                fix_plan plan;
                {
                    py::gil_scoped_release release;
                    plan = plan_fixes(*p.eng, *p.app, opts, p.version);
                }
                return json_to_python(plan.to_json());
            },
            "What would pass: Engine.fixes() of the application this verdict judged, under the\n"
            "same rules and date (docs/rulesets.md, \"What would pass\").")
        .def(
            "to_dict", [](const py_verdict& p) { return json_to_python(p.v.to_json()); },
            "The verdict as plain Python data (the JSON of `telecomply check --format json`).")
        .def(
            "to_json", [](const py_verdict& p, int indent) { return p.v.to_json().dump(indent); },
            py::arg("indent") = -1, "The verdict as JSON text.")
        .def(
            "to_text",
            [](const py_verdict& p, const std::string& lang) { return p.v.to_text(lang); },
            py::arg("lang") = "both", "A report a person reads; lang is 'zh', 'en' or 'both'.")
        .def("__repr__", [](const py_verdict& p) {
            std::string codes;
            for (const auto& f : p.v.findings)
                codes += (codes.empty() ? "" : ", ") + f.label();
            return "<Verdict " + p.v.application + " " + p.v.region + " " +
                   std::string(to_string(p.v.outcome)) + (codes.empty() ? "" : ": " + codes) + ">";
        });

    py::class_<engine, std::shared_ptr<engine>>(
        m, "Engine",
        "Checks applications against a folder of rulesets (default: the shipped ones).\n"
        "`rulesets_dir` is accepted as another name for `rulesets`.\n"
        "Immutable once loaded; safe to share between threads (checks release the GIL).")
        .def(py::init([](const py::object& rulesets, const py::object& rulesets_dir,
                         const py::object& overlays) {
                 if (!rulesets.is_none() && !rulesets_dir.is_none())
                     throw usage_error("Engine: give rulesets or rulesets_dir, not both");
                 py::object dir = rulesets.is_none() ? rulesets_dir : rulesets;
                 if (dir.is_none())
                     dir = py::module_::import("telecomply._paths").attr("default_rulesets")();
                 std::vector<std::filesystem::path> layers;
                 if (!overlays.is_none()) {
                     if (py::isinstance<py::str>(overlays) || py::isinstance<py::bytes>(overlays))
                         throw usage_error("Engine: overlays is a list of folders, not one");
                     for (const auto& o : overlays)
                         layers.emplace_back(py::str(o).cast<std::string>());
                 }
                 return std::make_shared<engine>(
                     std::filesystem::path(py::str(dir).cast<std::string>()), layers);
             }),
             py::arg("rulesets") = py::none(), py::kw_only(), py::arg("rulesets_dir") = py::none(),
             py::arg("overlays") = py::none())
        .def_property_readonly(
            "overlays",
            [](const engine& e) {
                std::vector<std::string> out;
                for (const auto& o : e.rules().overlays())
                    out.push_back(o.string());
                return out;
            },
            "The overlay folders layered over rulesets_dir, in order (docs/rulesets.md, "
            "\"Overlays\").")
        .def_property_readonly(
            "rulesets_dir", [](const engine& e) { return e.rules().dir().string(); },
            "The folder the rulesets were loaded from.")
        .def(
            "rulesets", [](const engine& e) { return e.rules().list(); },
            "All (id, version) pairs of the catalogue.")
        .def(
            "ruleset_versions",
            [](const engine& e) {
                py::list out;
                for (const auto& [id, version] : e.rules().list()) {
                    const auto rs = e.rules().get(id, version);
                    py::dict d;
                    d["id"] = id;
                    d["version"] = version;
                    d["file"] = e.rules().file_of(id + "@" + version).string();
                    d["effective_from"] = rs->effective_from().to_string();
                    d["effective_to"] = rs->effective_to()
                                            ? py::object(py::str(rs->effective_to()->to_string()))
                                            : py::object(py::none());
                    d["chain"] = rs->chain();
                    d["digest"] = rs->digest();
                    out.append(d);
                }
                return out;
            },
            "Every version with its file (base or overlay), the dates it is in force (an\n"
            "open-ended version ended by a later one ends the day before), its extends chain and\n"
            "digest: [{id, version, file, effective_from, effective_to, chain, digest}].\n"
            "Compiles every version (RulesetError when one does not compile).")
        .def(
            "check",
            [](const std::shared_ptr<engine>& e, py::handle app, const py::object& as_of,
               bool trace, bool full) {
                check_options opts;
                opts.as_of = as_date(as_of);
                opts.trace = trace;
                opts.trace_full = full;
                document doc = make_document(*e, app, "<application>");
                py::gil_scoped_release release;
                auto json = std::make_shared<const nlohmann::json>(to_json(doc.root()));
                return py_verdict{e->check(doc, opts), e, std::move(json), {}};
            },
            py::arg("app"), py::arg("as_of") = py::none(), py::arg("trace") = false, py::kw_only(),
            py::arg("full") = false,
            "Checks one application (a dict or JSON text) with the rules of its region in force on "
            "its\n"
            "submitted_on date (or as_of). trace=True records every rule's outcome, the leaf "
            "values\n"
            "it read and the parameters it used (full=True: every value read, whole).")
        .def(
            "check_version",
            [](const std::shared_ptr<engine>& e, py::handle app, const std::string& version,
               const py::object& as_of, bool trace) {
                check_options opts;
                opts.as_of = as_date(as_of);
                opts.trace = trace;
                document doc = make_document(*e, app, "<application>");
                py::gil_scoped_release release;
                auto json = std::make_shared<const nlohmann::json>(to_json(doc.root()));
                return py_verdict{e->check_version(doc, version, opts), e, std::move(json),
                                  version};
            },
            py::arg("app"), py::arg("version"), py::arg("as_of") = py::none(),
            py::arg("trace") = false,
            "Checks one application with a given version of its region's rules (e.g. \"2026.1\")\n"
            "instead of the one in force: a what-if. NotFoundError when the region has no such\n"
            "version.")
        .def(
            "diff",
            [](const engine& e, py::handle app, const std::string& from_version,
               const std::string& to_version, const py::object& as_of) {
                check_options opts;
                opts.as_of = as_date(as_of);
                document doc = make_document(e, app, "<application>");
                verdict before, after;
                {
                    py::gil_scoped_release release;
                    before = e.check_version(doc, from_version, opts);
                    after = e.check_version(doc, to_version, opts);
                }
                const verdict_change c = compare(before, after);
                py::dict d;
                d["application"] = before.application;
                d["region"] = before.region;
                d["from"] = std::string(to_string(c.from));
                d["to"] = std::string(to_string(c.to));
                d["added"] = c.added;
                d["removed"] = c.removed;
                d["changed"] = c.changed();
                return d;
            },
            py::arg("app"), py::arg("from_version"), py::arg("to_version"),
            py::arg("as_of") = py::none(),
            "What a policy change does to one application, as `telecomply diff` prints it: a dict\n"
            "{application, region, from, to (decisions), added, removed (finding labels\n"
            "\"CODE\" or \"CODE[subject]\" only the new / only the old rules give), changed}.")
        .def(
            "check_many",
            [](const engine& e, py::iterable apps, unsigned threads, const py::object& as_of,
               bool validate, const std::string& errors) {
                if (errors != "return" && errors != "raise")
                    throw usage_error("check_many: errors must be 'return' or 'raise', not '" +
                                      errors + "'");
                // one application given where many are expected would be iterated: a str by
                // its characters, a dict by its keys, each "an application" of its own
                if (is_json_text(apps) || PyDict_Check(apps.ptr()) ||
                    py::isinstance(apps, py::module_::import("collections.abc").attr("Mapping")))
                    throw usage_error(
                        std::string("check_many: apps is an iterable of applications (dicts or "
                                    "JSON texts), not one ") +
                        Py_TYPE(apps.ptr())->tp_name +
                        ": for one application, check(app) or check_many([app]); for JSON Lines "
                        "text, check_many(text.splitlines())");
                check_options opts;
                opts.as_of = as_date(as_of);
                // Applications are converted on this thread with the GIL held and checked, a chunk
                // at a time, with it released; one that cannot be built is that item's error.
                std::vector<engine::outcome> out =
                    check_applications(e, apps, opts, threads, validate);
                if (errors == "raise")
                    for (auto& o : out)
                        if (auto* x = std::get_if<std::exception_ptr>(&o))
                            std::rethrow_exception(*x);
                const std::size_t n = out.size();
                // Wrapping n verdicts allocates n objects, and Python's cyclic garbage collector
                // would walk every live object (the caller's applications too) several times
                // meanwhile; verdicts hold no cycles, so it is paused for the loop.
                py::object gc = py::module_::import("gc");
                const bool was_enabled = gc.attr("isenabled")().cast<bool>();
                if (was_enabled) gc.attr("disable")();
                py::list result(n);
                try {
                    for (std::size_t i = 0; i < n; ++i) {
                        if (auto* v = std::get_if<verdict>(&out[i])) {
                            result[i] = py::cast(py_verdict{std::move(*v)});
                            continue;
                        }
                        try {
                            std::rethrow_exception(std::get<std::exception_ptr>(out[i]));
                        } catch (const error& err) {
                            result[i] = make_exception(err);
                        } catch (const std::exception& err) {
                            result[i] = py::module_::import("telecomply.errors")
                                            .attr("Error")(std::string(err.what()));
                        }
                    }
                } catch (...) {
                    if (was_enabled) gc.attr("enable")();
                    throw;
                }
                if (was_enabled) gc.attr("enable")();
                return result;
            },
            py::arg("apps"), py::arg("threads") = 0, py::arg("as_of") = py::none(),
            py::arg("validate") = true, py::kw_only(), py::arg("errors") = "return",
            "Checks many applications (dicts or JSON texts) on `threads` threads (0: every core)\n"
            "with the GIL released (it is held only while a dict is read); one item per\n"
            "application, in input order.\n"
            "errors=\"return\" (the default): an application that cannot be checked gives, in its\n"
            "place, the telecomply.Error instance that stopped it (InputError naming apps[i] and\n"
            "the JSON path, NotFoundError for a region without rules...), as `telecomply check`\n"
            "reports a bad file and goes on. errors=\"raise\": every application is checked, then\n"
            "the error of the first failing one is raised. validate=False skips the schema check\n"
            "for applications already validated (rules then judge malformed values as unknown).")
        .def(
            "lint",
            [](const engine& e, bool notes) {
                py::list out;
                const auto add = [&](const diagnostic& p) {
                    py::dict d;
                    d["file"] = p.file;
                    d["line"] = p.line;
                    d["json_path"] = p.json_path;
                    d["message"] = p.message;
                    d["severity"] = p.note ? "note" : p.warning ? "warning" : "error";
                    out.append(d);
                };
                for (const auto& p : lint_all(e.rules()))
                    add(p);
                if (notes)
                    for (const auto& p : e.rules().notes())
                        add(p);
                return out;
            },
            py::kw_only(), py::arg("notes") = false,
            "Problems in the rulesets (an empty list when they are clean): dicts {file, line,\n"
            "json_path, message, severity: 'error' | 'warning'}. notes=True adds what loading\n"
            "decided (severity 'note'): which overlay file defines which version, which\n"
            "open-ended version a later one ended.")
        .def(
            "fixes",
            [](const engine& e, py::handle app, const py::object& as_of) {
                check_options opts;
                opts.as_of = as_date(as_of);
                document doc = make_document(e, app, "<application>");
                const auto json = to_json(doc.root());
                fix_plan plan;
                {
                    py::gil_scoped_release release;
                    plan = plan_fixes(e, json, opts);
                }
                return json_to_python(plan.to_json());
            },
            py::arg("app"), py::arg("as_of") = py::none(),
            "What would pass (docs/rulesets.md, \"What would pass\"): for each blocking finding\n"
            "and unknown, the smallest change that clears it. A dict {application, before, after,\n"
            "complete, patch (a JSON Merge Patch, RFC 7386: applied, the application is eligible\n"
            "when complete), fixes: [{rule, code, subject, kind: set|remove|truncate|add|none,\n"
            "path, text, patch, verified}]}.");
}

}  // namespace telecomply::python
