#pragma once
/// trainscape's version. CMake parses TRAINSCAPE_VERSION_STRING from this file; it is the only
/// place the version is written down.
#define TRAINSCAPE_VERSION_STRING "0.1.0"

namespace trainscape {
/// The library version, "major.minor.patch".
inline constexpr const char* kVersion = TRAINSCAPE_VERSION_STRING;
}  // namespace trainscape
