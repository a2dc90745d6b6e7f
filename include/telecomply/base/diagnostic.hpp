#pragma once
/// \file diagnostic.hpp
/// One problem found in a file (a ruleset, a calendar, a workflow), as the tools that report
/// many problems at once collect them (lint, calendar import) instead of throwing, and as a
/// data_error carries it (data_error::to_diagnostic()).

#include <cstdint>
#include <string>

namespace telecomply {

/// How serious a diagnostic is.
enum class diagnostic_severity : std::uint8_t {
    error,    ///< the file is refused (it does not load, or would count wrong days)
    warning,  ///< suspicious but usable (an unused parameter, a gap between versions)
    note,     ///< not a problem: what a tool decided that a reader should know
};

/// A problem at a place in a file. A value type.
struct diagnostic {
    std::string file;        ///< the file (as given to the tool), or "" when none applies
    std::uint32_t line = 0;  ///< 1-based line of the value at json_path; 0 when unknown
    std::string json_path;   ///< where in the document, e.g. `$.2027.off[3]`; "" for the file
    std::string message;     ///< what is wrong, in English
    bool warning = false;    ///< true for a warning (or a note), false for an error
    /// The stable kind of file the problem is in, an error code name (base/error.hpp):
    /// "ruleset_error", "calendar_error", "workflow_error" or "invalid_input".
    std::string code;
    /// A note (lint says which file defines a version, or that a version was ended by a later
    /// one): not a problem. `warning` is true too, so that counting errors by `!warning` never
    /// counts a note.
    bool note = false;

    [[nodiscard]] diagnostic_severity severity() const noexcept {
        return note      ? diagnostic_severity::note
               : warning ? diagnostic_severity::warning
                         : diagnostic_severity::error;
    }
};

}  // namespace telecomply
