#include "trainscape/window.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "trainscape/error.hpp"

namespace trainscape {

Window Window::from_intervals(const Interval& x, const Interval& y) {
  Window w;
  // The midpoint and half-width of [lo, hi]; both are exact for the modest magnitudes of a
  // config's first window, and from then on the centre/half-width pair is authoritative.
  w.centre_x = 0.5 * (x.lo + x.hi);
  w.centre_y = 0.5 * (y.lo + y.hi);
  w.half_x = 0.5 * (x.hi - x.lo);
  w.half_y = 0.5 * (y.hi - y.lo);
  return w;
}

double min_log10_spacing(Precision precision) {
  const double eps = precision == Precision::Float64 ? static_cast<double>(std::numeric_limits<double>::epsilon())
                                                     : static_cast<double>(std::numeric_limits<float>::epsilon());
  return 2.0 * eps / std::log(10.0);
}

Grid::Grid(const Window& window, int cols, int rows)
    : window_(window),
      cols_(cols),
      rows_(rows),
      scale_x_(std::pow(10.0, window.centre_x)),
      scale_y_(std::pow(10.0, window.centre_y)) {}

double Grid::spacing_x() const { return 2.0 * window_.half_x / (cols_ - 1); }
double Grid::spacing_y() const { return 2.0 * window_.half_y / (rows_ - 1); }

double Grid::offset_x(int col) const {
  return window_.half_x * static_cast<double>(2 * col - (cols_ - 1)) / static_cast<double>(cols_ - 1);
}
double Grid::offset_y(int row) const {
  return window_.half_y * static_cast<double>(2 * row - (rows_ - 1)) / static_cast<double>(rows_ - 1);
}

// pow(10, small offset) keeps full relative precision, so neighbouring pixels stay distinct
// down to a couple of ulps of the hyperparameter itself.
double Grid::value_x(int col) const { return scale_x_ * std::pow(10.0, offset_x(col)); }
double Grid::value_y(int row) const { return scale_y_ * std::pow(10.0, offset_y(row)); }

int resolve_tile_side(int configured, int cols, int rows) {
  if (configured > 0) return configured;
  const int side = (std::max(cols, rows) + 7) / 8;
  return std::clamp(side, 8, 64);
}

std::vector<Tile> make_tiles(int cols, int rows, int tile_size) {
  std::vector<Tile> tiles;
  int index = 0;
  for (int r = 0; r < rows; r += tile_size) {
    for (int c = 0; c < cols; c += tile_size) {
      Tile t;
      t.index = index++;
      t.row0 = r;
      t.col0 = c;
      t.rows = std::min(tile_size, rows - r);
      t.cols = std::min(tile_size, cols - c);
      tiles.push_back(t);
    }
  }
  return tiles;
}

void check_resolvable(const Window& window, int cols, int rows, Precision precision, const std::string& what) {
  const double limit = min_log10_spacing(precision);
  const double sx = 2.0 * window.half_x / (cols - 1);
  const double sy = 2.0 * window.half_y / (rows - 1);
  const double s = std::min(sx, sy);
  if (!(s >= limit)) {
    std::ostringstream msg;
    msg.precision(3);
    msg << what << " is too deep for " << to_string(precision) << " learning rates: pixel spacing " << s
        << " log10 units (window " << 2.0 * window.half_x << " x " << 2.0 * window.half_y << " at " << cols << " x "
        << rows << " pixels) is below " << limit
        << ", where neighbouring pixels collapse onto the same value; "
           "use fewer zoom frames, a smaller zoom factor or a lower resolution";
    throw ConfigError(msg.str());
  }
}

}  // namespace trainscape
