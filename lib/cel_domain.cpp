// Domain extension functions: Chinese identifiers, phone numbers and working days.
#include "telecomply/detail/cel_program.hpp"

namespace telecomply::detail {
void register_domain_functions(std::vector<function_def>&) {}
}  // namespace telecomply::detail
