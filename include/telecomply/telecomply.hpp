#pragma once
/// \file telecomply.hpp
/// Everything in one include: expressions, rulesets and verdicts, the checking engine, the
/// working calendar, the workflow, cases and the case store.

#include "telecomply/calendar.hpp"       // IWYU pragma: export
#include "telecomply/calendar_import.hpp"  // IWYU pragma: export
#include "telecomply/case_store.hpp"     // IWYU pragma: export
#include "telecomply/cases.hpp"          // IWYU pragma: export
#include "telecomply/date.hpp"           // IWYU pragma: export
#include "telecomply/diagnostic.hpp"     // IWYU pragma: export
#include "telecomply/document.hpp"       // IWYU pragma: export
#include "telecomply/engine.hpp"         // IWYU pragma: export
#include "telecomply/error.hpp"          // IWYU pragma: export
#include "telecomply/expression.hpp"     // IWYU pragma: export
#include "telecomply/identifiers.hpp"    // IWYU pragma: export
#include "telecomply/lint.hpp"           // IWYU pragma: export
#include "telecomply/ruleset.hpp"        // IWYU pragma: export
#include "telecomply/ruleset_tests.hpp"  // IWYU pragma: export
#include "telecomply/value.hpp"          // IWYU pragma: export
#include "telecomply/verdict.hpp"        // IWYU pragma: export
#include "telecomply/version.hpp"        // IWYU pragma: export
#include "telecomply/workflow.hpp"       // IWYU pragma: export
