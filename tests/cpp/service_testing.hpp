#pragma once
// A scratch case store with a case_service over the shipped rules and the tests' clock.

#include "case_testing.hpp"
#include "store_testing.hpp"
#include "telecomply/cases/cases.hpp"
#include "test_clock.hpp"

namespace telecomply::testing {

struct store_and_service {
    temp_db db;
    case_store store = case_store::open(db.path());
    case_service service{store, manager(), test_clock()};
};

}  // namespace telecomply::testing
