#pragma once
// The store's clock in tests (tests inject the clock): fixed after every date the tests record,
// so that only the tests about the clock itself meet its "more than a day in the future" rule.

#include "telecomply/cases/event_time.hpp"

namespace telecomply::testing {

inline store_clock test_clock() {
    return store_clock::fixed("2040-01-01T00:00:00+08:00");
}

}  // namespace telecomply::testing
