// telecomply._core: the compiled half of the Python package. The pure-Python package
// `telecomply` re-exports what it needs from here and adds the pandas helpers.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "cli.hpp"
#include "convert.hpp"
#include "telecomply/domain/cel_functions.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/rules/ruleset.hpp"

namespace py = pybind11;
using namespace telecomply;

namespace telecomply::python {
void bind_cel(py::module_& m);
void bind_engine(py::module_& m);
void bind_cases(py::module_& m);
void bind_screening(py::module_& m);
std::shared_ptr<const calendar_set> calendars_of(const py::object& rulesets);
}  // namespace telecomply::python

void telecomply::python::bind_cel(py::module_& m) {
    m.def(
        "cel_evaluate",
        [](const std::string& source, py::object bindings, bool checked,
           const py::object& rulesets) {
            environment env;
            env.set_unchecked(!checked);
            // The working-day functions count on the calendars of the rulesets (the shipped
            // ones unless told otherwise), loaded once per folder.
            install_domain_functions(env, python::calendars_of(rulesets));
            document vars_doc;
            std::vector<value> slots;
            telecomply::arena arena(1024);
            value_builder b(arena);
            if (!bindings.is_none()) {
                for (auto item : py::dict(bindings)) {
                    std::string name = py::str(item.first);
                    std::string path = name;
                    env.declare(name);
                    slots.push_back(python::to_value(item.second, b, path));
                }
            }
            auto expr = expression::compile(source, env);
            eval_context ctx;
            const value v = expr.evaluate(slots, ctx);
            if (v.is_error()) {
                const auto& e = v.as_error();
                std::string msg = expr.describe(e);
                py::object cls = py::module_::import("telecomply.errors").attr("EvaluationError");
                py::object inst = cls(msg);
                inst.attr("code") = "evaluation_error";
                inst.attr("reason") = std::string(to_string(e.code));
                py::list paths;
                for (const error_info* x = &e; x != nullptr; x = x->next)
                    if (!x->path.empty()) paths.append(std::string(x->path));
                inst.attr("paths") = paths;
                PyErr_SetObject(cls.ptr(), inst.ptr());
                throw py::error_already_set();
            }
            return python::to_python(v);
        },
        py::arg("expr"), py::arg("bindings") = py::none(), py::arg("checked") = false,
        py::arg("rulesets") = py::none(),
        "Compiles and evaluates a CEL expression once (see telecomply.cel.evaluate).");
}

PYBIND11_MODULE(_core, m) {
    m.doc() = "telecomply native core (use the telecomply package, not this module)";
    m.attr("__version__") = TELECOMPLY_VERSION;
    telecomply::python::register_exceptions(m);
    telecomply::python::bind_cel(m);
    telecomply::python::bind_engine(m);
    telecomply::python::bind_cases(m);
    telecomply::python::bind_screening(m);
    m.def(
        "run_cli",
        [](const std::vector<std::string>& args) {
            py::gil_scoped_release release;
            return telecomply::cli::run(args);
        },
        py::arg("argv"), "Runs the telecomply command line; returns its exit status.");
    m.def(
        "default_rulesets_dir", [] { return telecomply::catalogue::default_dir().string(); },
        "The rulesets folder the library finds on its own (env, installed, source tree).");
}
