#pragma once
/// Facts about the machine the tool runs on, for refusing work before it fails halfway.
namespace trainscape::io {

/// Physical memory in bytes, or 0 if the system does not say.
double physical_memory_bytes();

}  // namespace trainscape::io
