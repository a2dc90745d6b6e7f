#pragma once
/// \file lint.hpp
/// Everything `telecomply lint` checks, for any face: the rulesets of a catalogue and the
/// workflow of every region they cover, analysed against the rules' parameters.

#include <vector>

#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

/// The problems of a catalogue's rulesets (catalogue::lint) and of the workflows in its
/// `workflow/` folder: unreachable states, states that cannot finish, unknown guards, events,
/// timers or parameters, nondeterminism, no path to `whitelisted`. Parameters a workflow reads
/// do not count as unused. Also the calendar files of its `calendars/` folder
/// (lint_calendars()). Errors first in file order as found; warnings are marked.
[[nodiscard]] std::vector<catalogue::problem> lint_all(const catalogue& cat);

}  // namespace telecomply
