#pragma once
// Engine.check_many(): applications converted on the calling thread (the GIL held) and checked
// on a pool of threads (the GIL released) as they come, a chunk at a time.

#include <pybind11/pybind11.h>

#include <vector>

#include "telecomply/rules/engine.hpp"

namespace telecomply::python {

namespace py = pybind11;

/// Checks every application of `apps` (dicts, other mappings, or JSON texts; anything else is
/// that item's input_error) on `threads` threads (0: the hardware's; the calling thread is one
/// of them) and returns, in input order, each one's verdict or the exception that stopped it,
/// as engine::check_each() does for the same items, with the same names ("apps[i]"). An
/// exception from `apps` itself (its iterator, a mapping's items()) propagates once every thread
/// has stopped.
std::vector<engine::outcome> check_applications(const engine& e, const py::iterable& apps,
                                                const check_options& opts, unsigned threads,
                                                bool validate);

}  // namespace telecomply::python
