#pragma once
/// \file telecomply.hpp
/// Everything in one include: expressions, rulesets and verdicts, the checking engine, the
/// working calendar, the workflow, cases, the case store and its seals.

#include "telecomply/base/clock.hpp"              // IWYU pragma: export
#include "telecomply/base/date.hpp"               // IWYU pragma: export
#include "telecomply/base/diagnostic.hpp"         // IWYU pragma: export
#include "telecomply/base/error.hpp"              // IWYU pragma: export
#include "telecomply/base/version.hpp"            // IWYU pragma: export
#include "telecomply/cases/case_store.hpp"        // IWYU pragma: export
#include "telecomply/cases/cases.hpp"             // IWYU pragma: export
#include "telecomply/cases/complaints.hpp"        // IWYU pragma: export
#include "telecomply/cases/event_time.hpp"        // IWYU pragma: export
#include "telecomply/cases/forecast.hpp"          // IWYU pragma: export
#include "telecomply/cases/registry.hpp"          // IWYU pragma: export
#include "telecomply/cases/seal.hpp"              // IWYU pragma: export
#include "telecomply/cases/time_in_state.hpp"     // IWYU pragma: export
#include "telecomply/domain/calendar.hpp"         // IWYU pragma: export
#include "telecomply/domain/calendar_import.hpp"  // IWYU pragma: export
#include "telecomply/domain/cel_functions.hpp"    // IWYU pragma: export
#include "telecomply/domain/identifiers.hpp"      // IWYU pragma: export
#include "telecomply/expr/document.hpp"           // IWYU pragma: export
#include "telecomply/expr/expression.hpp"         // IWYU pragma: export
#include "telecomply/expr/function_adapter.hpp"   // IWYU pragma: export
#include "telecomply/expr/time_parts.hpp"         // IWYU pragma: export
#include "telecomply/expr/value.hpp"              // IWYU pragma: export
#include "telecomply/rules/engine.hpp"            // IWYU pragma: export
#include "telecomply/rules/fix.hpp"               // IWYU pragma: export
#include "telecomply/rules/input.hpp"             // IWYU pragma: export
#include "telecomply/rules/ruleset.hpp"           // IWYU pragma: export
#include "telecomply/rules/ruleset_format.hpp"    // IWYU pragma: export
#include "telecomply/rules/ruleset_tests.hpp"     // IWYU pragma: export
#include "telecomply/rules/verdict.hpp"           // IWYU pragma: export
#include "telecomply/workflow/lint.hpp"           // IWYU pragma: export
#include "telecomply/workflow/workflow.hpp"       // IWYU pragma: export
