#include "trainscape/zoom_path.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "trainscape/error.hpp"

namespace trainscape {

Window next_window_auto(const FrameResult& frame, double factor) {
  const Image<std::uint8_t>& edges = frame.edges;
  if (frame.edge_pixels == 0) {
    throw NumericalError("frame " + std::to_string(frame.index) +
                         " has no boundary pixel, so target: auto cannot choose where to zoom; "
                         "widen the window or give zoom.target as [x, y]");
  }
  const int cols = frame.measure.cols, rows = frame.measure.rows;
  // The new window spans this many pixel spacings of the current frame.
  const double span_x = (cols - 1) / factor, span_y = (rows - 1) / factor;
  // Edge cells (between pixels) entirely inside a candidate whose lower-left pixel is (r0, c0).
  const int cells_x = std::max(1, static_cast<int>(std::floor(span_x)));
  const int cells_y = std::max(1, static_cast<int>(std::floor(span_y)));
  const int last_c0 = std::max(0, static_cast<int>(std::floor((cols - 1) - span_x)));
  const int last_r0 = std::max(0, static_cast<int>(std::floor((rows - 1) - span_y)));

  // Summed-area table of the edge mask: sat(i, j) = edges in rows < i, cols < j.
  const int er = edges.rows, ec = edges.cols;
  std::vector<std::int64_t> sat(static_cast<std::size_t>(er + 1) * (ec + 1), 0);
  auto at = [&](int i, int j) -> std::int64_t& { return sat[static_cast<std::size_t>(i) * (ec + 1) + j]; };
  for (int i = 0; i < er; ++i) {
    for (int j = 0; j < ec; ++j) at(i + 1, j + 1) = at(i, j + 1) + at(i + 1, j) - at(i, j) + (edges(i, j) ? 1 : 0);
  }

  std::int64_t best_count = -1;
  double best_distance = 0.0;
  int best_r0 = 0, best_c0 = 0;
  const double mid_x = 0.5 * (cols - 1), mid_y = 0.5 * (rows - 1);
  for (int r0 = 0; r0 <= last_r0; ++r0) {
    const int r1 = std::min(er, r0 + cells_y);
    for (int c0 = 0; c0 <= last_c0; ++c0) {
      const int c1 = std::min(ec, c0 + cells_x);
      const std::int64_t count = at(r1, c1) - at(r0, c1) - at(r1, c0) + at(r0, c0);
      const double dx = c0 + 0.5 * span_x - mid_x, dy = r0 + 0.5 * span_y - mid_y;
      const double distance = dx * dx + dy * dy;
      if (count > best_count || (count == best_count && distance < best_distance)) {
        best_count = count;
        best_distance = distance;
        best_r0 = r0;
        best_c0 = c0;
      }
    }
  }

  const Window& w = frame.window;
  Window next;
  // Offsets from the current centre, in the current frame's log10 units.
  const double unit_x = (2.0 * (best_c0 + 0.5 * span_x) - (cols - 1)) / (cols - 1);
  const double unit_y = (2.0 * (best_r0 + 0.5 * span_y) - (rows - 1)) / (rows - 1);
  next.centre_x = w.centre_x + w.half_x * unit_x;
  next.centre_y = w.centre_y + w.half_y * unit_y;
  if (w.tail_x != WideTail{} || w.tail_y != WideTail{} || w.half_x < 1e-12 || w.half_y < 1e-12) {
    // A deep window: the same offset added to the exact centre (docs/deep-zoom.md). The double
    // centre stays the one computed above, so shallow zooms keep their bits.
    next.set_exact_centre(w.exact_centre_x() + Wide(w.half_x) * Wide(unit_x), next.centre_x,
                          w.exact_centre_y() + Wide(w.half_y) * Wide(unit_y), next.centre_y);
  }
  next.half_x = w.half_x / factor;
  next.half_y = w.half_y / factor;
  return next;
}

Window window_towards(const Window& first, const ZoomTarget& target, double factor, int k) {
  Window w;
  w.set_exact_centre(target.x_exact(), target.x, target.y_exact(), target.y);
  const double shrink = std::pow(factor, k);
  w.half_x = first.half_x / shrink;
  w.half_y = first.half_y / shrink;
  return w;
}

std::vector<Window> planned_windows(const RunConfig& config, const std::string& what_needs_them) {
  if (config.zoom.target.automatic) {
    throw errors::config_value("zoom.target", "auto",
                               what_needs_them +
                                   " needs every frame's window in advance, but auto chooses each "
                                   "from the previous frame; give zoom.target as [x, y]");
  }
  const Window first = Window::from_intervals(config.phase_space.x, config.phase_space.y);
  std::vector<Window> windows;
  for (int k = 0; k < config.zoom.frames; ++k) {
    windows.push_back(k == 0 ? first : window_towards(first, config.zoom.target, config.zoom.factor, k));
  }
  return windows;
}

}  // namespace trainscape
