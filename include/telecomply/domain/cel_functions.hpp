#pragma once
/// \file cel_functions.hpp
/// The domain functions of the expression language (docs/expressions.md): Chinese identifiers
/// (`uscc_valid`, `resident_id_valid`), phone numbers (`phone_kind`, `mvno`, `carrier`) and
/// working days (`add_working_days`, `working_days_between`, `is_working_day`). The rules layer
/// installs them into the environment its rules compile in; the working-day functions carry
/// the calendars as their own state.

#include <memory>

#include "telecomply/domain/calendar.hpp"
#include "telecomply/expr/expression.hpp"

namespace telecomply {

/// Adds the domain functions to `env`. The working-day functions count on `calendars` (shared
/// by every expression compiled in `env`); with nullptr they evaluate to an error value ("no
/// working calendar is configured"), and a date outside the calendars' years is an error value,
/// never a guess. Safe to call once per environment; calling again replaces the functions.
void install_domain_functions(environment& env, std::shared_ptr<const calendar_set> calendars);

}  // namespace telecomply
