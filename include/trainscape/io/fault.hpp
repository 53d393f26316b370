#pragma once
/// Fault injection for the interruption tests: stopping a run at an exact point inside a write,
/// which no timed kill can hit reliably.
///
/// If the environment variable TRAINSCAPE_FAULT is "<point>:<n>" or "<point>:<n>:INT", the n-th
/// (1-based) arrival of this process at fault_point(<point>) raises SIGKILL (as `kill -9` or a
/// power cut would), or SIGINT (as Ctrl-C would). Points: "tile" (a journal file half written,
/// not yet renamed), "hdf5" (a frame half written into run.h5), "png" (a PNG half written, not
/// yet renamed). Unset, a call costs one comparison. Never set it outside tests.
namespace trainscape::io {

void fault_point(const char* point);

}  // namespace trainscape::io
