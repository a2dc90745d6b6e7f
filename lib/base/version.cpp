#include "telecomply/base/version.hpp"

namespace telecomply {
std::string_view version() noexcept {
    return TELECOMPLY_VERSION;
}
}  // namespace telecomply
