// The umbrella header compiles on its own and names the library's version.
#include <doctest/doctest.h>

#include "telecomply/telecomply.hpp"

TEST_CASE("the umbrella header brings in the whole API") {
    CHECK(telecomply::version() == TELECOMPLY_VERSION_STRING);
    CHECK(telecomply::to_string(telecomply::errc::conflict) == "conflict");
    CHECK(telecomply::to_string(telecomply::decision::needs_evidence) == "needs_evidence");
}
