#pragma once
/// Where a zoom goes: the window of each frame, towards a fixed target or onto the densest
/// boundary of the previous frame (target: auto).
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/frame.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The window of frame k+1 with target: auto. Its size is the current one divided by `factor`;
/// its centre is chosen on the current frame's pixel grid so that the new window, kept inside
/// the current one, covers as many edge pixels as possible. Ties go to the candidate nearest the
/// current centre, then to the lowest row, then the lowest column, so the choice is
/// deterministic. Throws NumericalError when the frame has no edge pixel.
Window next_window_auto(const FrameResult& frame, double factor);

/// The window of frame k (k >= 1) with a fixed target: centred on the target, half-widths of
/// the first window divided by factor^k.
Window window_towards(const Window& first, const ZoomTarget& target, double factor, int k);

/// The windows of all frames when they do not depend on computed frames (a fixed zoom.target);
/// throws ConfigError with target: auto, naming `what_needs_them` in the message.
std::vector<Window> planned_windows(const RunConfig& config, const std::string& what_needs_them);

}  // namespace trainscape
