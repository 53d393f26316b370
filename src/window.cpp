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
  if (x.lo_tail != WideTail{} || x.hi_tail != WideTail{} || y.lo_tail != WideTail{} || y.hi_tail != WideTail{}) {
    // Decimal bounds beyond a double (perturbation): the exact midpoint and half-width.
    const Wide half(0.5);
    w.set_exact_centre((x.lo_exact() + x.hi_exact()) * half, w.centre_x, (y.lo_exact() + y.hi_exact()) * half,
                       w.centre_y);
    w.half_x = ((x.hi_exact() - x.lo_exact()) * half).head();
    w.half_y = ((y.hi_exact() - y.lo_exact()) * half).head();
  }
  return w;
}

void Window::set_exact_centre(const Wide& x, double head_x, const Wide& y, double head_y) {
  const Wide rest_x = x - Wide(head_x), rest_y = y - Wide(head_y);
  centre_x = head_x;
  centre_y = head_y;
  tail_x = {rest_x.limbs()[0], rest_x.limbs()[1], rest_x.limbs()[2]};
  tail_y = {rest_y.limbs()[0], rest_y.limbs()[1], rest_y.limbs()[2]};
}

double min_log10_spacing(Precision precision) {
  const double eps = precision == Precision::Float64 ? static_cast<double>(std::numeric_limits<double>::epsilon())
                                                     : static_cast<double>(std::numeric_limits<float>::epsilon());
  return 2.0 * eps / std::log(10.0);
}

AxisScales axis_scales(const PhaseSpaceConfig& p) { return {x_axis(p).scale, y_axis(p).scale}; }

double axis_value(AxisScale scale, double centre, double offset) {
  if (scale == AxisScale::Linear) return centre + offset;
  return std::pow(10.0, centre) * std::pow(10.0, offset);
}

Grid::Grid(const Window& window, int cols, int rows, AxisScales scales)
    : window_(window),
      cols_(cols),
      rows_(rows),
      scales_(scales),
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
// (scale_x_ caches axis_value's first factor; the product is the same bits.)
double Grid::value_x(int col) const {
  if (scales_.x == AxisScale::Linear) return axis_value(AxisScale::Linear, window_.centre_x, offset_x(col));
  return scale_x_ * std::pow(10.0, offset_x(col));
}
double Grid::value_y(int row) const {
  if (scales_.y == AxisScale::Linear) return axis_value(AxisScale::Linear, window_.centre_y, offset_y(row));
  return scale_y_ * std::pow(10.0, offset_y(row));
}

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

void check_resolvable(const Window& window, int cols, int rows, Precision precision, const std::string& what,
                      AxisScales scales, Arithmetic arithmetic) {
  if (arithmetic == Arithmetic::Perturbation) {
    const auto relative = [](AxisScale scale, double centre, double half, int n) {
      const double s = 2.0 * half / (n - 1);
      const double magnitude = scale == AxisScale::Log10 ? std::max(1.0, std::fabs(centre)) : std::fabs(centre) + half;
      return s / magnitude;
    };
    const double rx = relative(scales.x, window.centre_x, window.half_x, cols);
    const double ry = relative(scales.y, window.centre_y, window.half_y, rows);
    if (!(std::min(rx, ry) >= kPerturbationMinRelativeSpacing)) {
      std::ostringstream msg;
      msg.precision(3);
      msg << what << " is too deep even for training.arithmetic: perturbation: pixel spacing "
          << (rx <= ry ? 2.0 * window.half_x / (cols - 1) : 2.0 * window.half_y / (rows - 1)) << " is "
          << std::min(rx, ry) << " of the coordinate's magnitude, below " << kPerturbationMinRelativeSpacing
          << " (quad-double centres keep about 62 digits); use fewer zoom frames or a smaller zoom factor";
      throw ConfigError(msg.str());
    }
    return;
  }
  const double limit = min_log10_spacing(precision);
  const double eps = precision == Precision::Float64 ? static_cast<double>(std::numeric_limits<double>::epsilon())
                                                     : static_cast<double>(std::numeric_limits<float>::epsilon());
  // On a linear axis neighbouring values must be two units in the last place of the largest
  // magnitude apart; expressed as a fraction of that floor, comparable with the log10 rule.
  const auto ratio = [&](AxisScale scale, double centre, double half, int n) {
    const double s = 2.0 * half / (n - 1);
    if (scale == AxisScale::Log10) return s / limit;
    const double floor = 2.0 * eps * std::max(std::fabs(centre) + half, std::numeric_limits<double>::min());
    return s / floor;
  };
  const double rx = ratio(scales.x, window.centre_x, window.half_x, cols);
  const double ry = ratio(scales.y, window.centre_y, window.half_y, rows);
  if (!(std::min(rx, ry) >= 1.0)) {
    const bool x_worse = !(rx >= ry);
    const AxisScale scale = x_worse ? scales.x : scales.y;
    const double s = x_worse ? 2.0 * window.half_x / (cols - 1) : 2.0 * window.half_y / (rows - 1);
    std::ostringstream msg;
    msg.precision(3);
    msg << what << " is too deep for " << to_string(precision)
        << (scale == AxisScale::Log10 ? " learning rates" : " values") << ": pixel spacing " << s
        << (scale == AxisScale::Log10 ? " log10 units" : " (linear axis)") << " (window " << 2.0 * window.half_x
        << " x " << 2.0 * window.half_y << " at " << cols << " x " << rows << " pixels) is below "
        << (scale == AxisScale::Log10 ? limit : s / (x_worse ? rx : ry))
        << ", where neighbouring pixels collapse onto the same value; "
           "use fewer zoom frames, a smaller zoom factor or a lower resolution, or "
           "training.arithmetic: perturbation for deeper windows";
    throw ConfigError(msg.str());
  }
}

}  // namespace trainscape
