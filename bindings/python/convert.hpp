#pragma once
// Conversions between Python objects and telecomply values, and C++ -> Python exceptions.

#include <pybind11/pybind11.h>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/value.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/verdict.hpp"

namespace telecomply::python {

namespace py = pybind11;

/// Builds a value from a Python object (None, bool, int, float, str, bytes, list, tuple, dict,
/// datetime.datetime (aware), datetime.timedelta, datetime.date, datetime.time). `path` names
/// the position for error messages. Throws telecomply::input_error on anything else.
/// `json_only` (applications): only what JSON holds, as case data is checked; NaN and
/// infinities, bytes, dates and times, and keys that are not str are refused, by path.
value to_value(py::handle obj, value_builder& b, std::string& path, std::uint32_t depth = 0,
               bool json_only = false);

/// An application given as a dict (or another mapping) as a document: exactly what
/// to_value(app, b, "$", 0, true) builds, with the same errors (input_error naming "<python>"
/// and the JSON path). Plain data (dict, list, tuple, str, int, float, bool, None) takes a
/// walk that calls no Python code, changes no object (a str's UTF-8 is written into the
/// document, not cached in the str) and builds no path; anything else, or any problem, is left
/// to to_value() from the start.
document to_application(py::handle app);

/// An application given as JSON text: a str (its UTF-8) or bytes-like data, borrowed from the
/// object while `keep` holds a reference to it (or copied into `owned`).
struct json_text {
    std::string_view text;
    std::string owned;
    py::object keep;
};

/// Whether `obj` is JSON text (str, bytes, bytearray) rather than a mapping.
bool is_json_text(py::handle obj);

/// The JSON text of a str, bytes or bytearray (is_json_text). A str that has no UTF-8 form (a
/// lone surrogate) throws input_error naming `where`; needs the GIL.
json_text read_json_text(py::handle obj, const std::string& where);

/// Converts a value to Python (timestamps as aware UTC datetimes, durations as timedeltas,
/// dates as datetime.date). Error values raise EvaluationError.
py::object to_python(const value& v);

/// A verdict as Python's telecomply.Verdict (registered by the engine's bindings, returned by
/// Engine.check() and CaseStore.check()); it shares its ruleset's ownership.
struct py_verdict {
    verdict v;
    // What Verdict.fixes() needs, kept by Engine.check() and check_version() (not by batches):
    // the engine and the application as checked.
    std::shared_ptr<const engine> eng{};
    std::shared_ptr<const nlohmann::json> app{};
    std::string version{};  // check_version(): the version that judged
};

/// Registers the translator that raises telecomply.Error subclasses for C++ exceptions.
void register_exceptions(py::module_& m);

/// The telecomply.Error instance matching a C++ telecomply::error (its class by code, with
/// file/line/json_path, line/column or case_id/state/event/reason), not raised.
py::object make_exception(const error& e);

/// Raises the Python exception matching a C++ telecomply::error.
[[noreturn]] void raise(const error& e);

}  // namespace telecomply::python
