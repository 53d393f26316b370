#pragma once
/// Fault injection for the interruption tests: stopping a run at an exact point inside a write,
/// which no timed kill can hit reliably. Internal to trainscape_io: not installed.
///
/// Only in builds with the CMake option TRAINSCAPE_FAULT_INJECTION=ON (scripts/test.sh turns it
/// on; it is off by default, so a release library carries no test hook): if the environment
/// variable TRAINSCAPE_FAULT is "<point>:<n>" or "<point>:<n>:INT", the n-th (1-based) arrival of
/// this process at fault_point(<point>) raises SIGKILL (as `kill -9` or a power cut would), or
/// SIGINT (as Ctrl-C would). Points: "tile" (a journal file half written, not yet renamed),
/// "hdf5" (a frame half written into run.h5), "png" (a PNG half written, not yet renamed).
/// Unset, a call costs one comparison. Never set it outside tests. With the option off,
/// fault_point is an empty inline function and TRAINSCAPE_FAULT is ignored.
namespace trainscape::io {

#ifdef TRAINSCAPE_FAULT_INJECTION
void fault_point(const char* point);
#else
inline void fault_point(const char* /*point*/) {}
#endif

}  // namespace trainscape::io
