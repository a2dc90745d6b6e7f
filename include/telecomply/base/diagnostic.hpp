#pragma once
/// \file diagnostic.hpp
/// One problem found in a file (a ruleset, a calendar, a workflow), as the tools that report
/// many problems at once collect them (lint, calendar import) instead of throwing.

#include <cstdint>
#include <string>

namespace telecomply {

/// A problem at a place in a file. A value type.
struct diagnostic {
    std::string file;        ///< the file (as given to the tool), or "" when none applies
    std::uint32_t line = 0;  ///< 1-based line of the value at json_path; 0 when unknown
    std::string json_path;   ///< where in the document, e.g. `$.2027.off[3]`; "" for the file
    std::string message;     ///< what is wrong, in English
    bool warning = false;    ///< true for a warning, false for an error
};

}  // namespace telecomply
