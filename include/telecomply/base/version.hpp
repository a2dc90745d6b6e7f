#pragma once
/// \file version.hpp
/// The library's version.

#include <string_view>

namespace telecomply {
/// "MAJOR.MINOR.PATCH" of the library.
std::string_view version() noexcept;
}  // namespace telecomply
