// telecomply._core.screen: call records through the C++ screening kernel. The Python side
// (telecomply/screening.py) turns DataFrames, tables and paths into what this takes, and the
// results into pyarrow tables.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/registry.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/screening/screener.hpp"

// the Arrow C Stream Interface's structure (arrow/c/abi.h), as every producer lays it out
struct ArrowSchema;
struct ArrowArray;
struct ArrowArrayStream {
    int (*get_schema)(ArrowArrayStream*, ArrowSchema* out);
    int (*get_next)(ArrowArrayStream*, ArrowArray* out);
    const char* (*get_last_error)(ArrowArrayStream*);
    void (*release)(ArrowArrayStream*);
    void* private_data;
};

namespace py = pybind11;
using namespace telecomply;

namespace telecomply::python {

namespace {

/// Keeps each row's codes (one byte a row) and the bad rows.
struct collect final : screening_sink {
    std::string codes;
    std::vector<call_row_error> pending;  // the GIL is released meanwhile: no Python objects
    void rows(std::int64_t, std::span<const std::uint8_t> c,
              std::span<const call_row_error> e) override {
        codes.append(reinterpret_cast<const char*>(c.data()), c.size());
        pending.insert(pending.end(), e.begin(), e.end());
    }
};

/// Moves the stream out of an object with `__arrow_c_stream__` (the Arrow PyCapsule
/// interface): the capsule is left released, so its destructor does nothing.
void take_stream(const py::object& source, ArrowArrayStream* out) {
    py::object capsule = source.attr("__arrow_c_stream__")();
    auto* stream =
        static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_array_stream"));
    if (stream == nullptr) throw py::error_already_set();
    *out = *stream;
    stream->release = nullptr;
}

}  // namespace

void bind_screening(py::module_& m) {
    m.def(
        "screen",
        [](const py::object& calls, const std::string& registry_jsonl,
           const std::string& registry_name, const py::object& refusals_text,
           const std::string& refusals_name, const std::string& rulesets) {
            const auto registry = parse_registry(registry_jsonl, registry_name);
            std::vector<refusal> refusals;
            if (!refusals_text.is_none())
                refusals = parse_refusals(refusals_text.cast<std::string>(), refusals_name);
            const screening_context ctx(catalogue::load(rulesets), registry, refusals);
            std::unique_ptr<call_source> source;
            if (py::isinstance<py::str>(calls)) {
                source = call_source::csv_file(calls.cast<std::string>());
            } else {
                // `calls()` gives a fresh object with __arrow_c_stream__ for every pass
                py::object opener = calls;
                source = call_source::arrow(
                    [opener](ArrowArrayStream* out) {
                        py::gil_scoped_acquire gil;
                        take_stream(opener(), out);
                    },
                    "calls");
            }
            collect sink;
            screening_report report;
            {
                py::gil_scoped_release nogil;
                report = screen(ctx, *source, sink);
            }
            py::list errors;
            for (const auto& e : sink.pending)
                errors.append(py::make_tuple(e.row, e.line, e.column, e.message));
            return py::make_tuple(py::bytes(sink.codes), errors, report.to_json().dump());
        },
        py::arg("calls"), py::arg("registry_jsonl"), py::arg("registry_name"),
        py::arg("refusals_text"), py::arg("refusals_name"), py::arg("rulesets"),
        "Screens call records (a CSV path, or a callable giving an object with "
        "__arrow_c_stream__ on each call) against a registry given as JSON Lines text.\n"
        "Returns (codes: bytes, one call_finding mask per row; errors: [(row, line, column, "
        "message)]; report: JSON text). The GIL is released while screening. Use "
        "telecomply.screen_calls().");
    m.def(
        "finding_codes",
        [](int mask) {
            std::vector<std::string> out;
            for (auto c : call_finding_codes(static_cast<std::uint8_t>(mask)))
                out.emplace_back(c);
            return out;
        },
        py::arg("mask"), "The finding codes of a mask of call findings, sorted.");
}

}  // namespace telecomply::python
