#pragma once
/// \file lint.hpp
/// Everything `telecomply lint` checks, for any face: the rulesets of a catalogue and the
/// workflow of every region they cover, analysed against the rules' parameters.

#include <filesystem>
#include <vector>

#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

/// The problems of a catalogue's rulesets (catalogue::lint) and of the workflows in its
/// `workflow/` folder: unreachable states, states that cannot finish, unknown guards, events,
/// timers or parameters, nondeterminism, no path to `whitelisted`. Parameters a workflow reads
/// do not count as unused. Also the calendar files of its `calendars/` folder
/// (lint_calendars()). Errors first in file order as found; warnings are marked.
[[nodiscard]] std::vector<catalogue::problem> lint_all(const catalogue& cat);

/// What `telecomply lint DIR` reports.
struct lint_report {
    std::vector<diagnostic> problems;  ///< every problem of the folder, each once
    /// What loading decided (catalogue::notes()): which overlay file defines which version,
    /// which open-ended version a later one ended. Not problems.
    std::vector<diagnostic> notes;
    std::size_t versions = 0;  ///< ruleset versions that loaded and were checked
    [[nodiscard]] std::size_t errors() const noexcept;
};

/// Every problem of a rulesets folder in one run: files that do not load (JSON syntax, schema,
/// headers; each file's own problem, the others still checked), then lint_all() of what did
/// load, then its calendars. A problem met several ways (a parent's rule compiled for each
/// child) is reported once. Never throws for bad content.
[[nodiscard]] lint_report lint_folder(const std::filesystem::path& dir);
/// The same for `dir` with overlay folders layered over it (catalogue::load(dir, overlays)).
[[nodiscard]] lint_report lint_folder(const std::filesystem::path& dir,
                                      const std::vector<std::filesystem::path>& overlays);

}  // namespace telecomply
