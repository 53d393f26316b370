#pragma once
/// Windows, pixel grids and tiles, and the depth limit (docs/model.md#pixel-grid,
/// docs/model.md#depth-limit).
///
/// A window is held as a centre plus half-widths in log10 units, so that deep zooms keep their
/// digits: a pixel's hyperparameter is computed as 10^centre * 10^offset, where the offset from
/// the centre is small and exact to full relative precision, instead of 10^(absolute coordinate)
/// whose coordinate has already lost the digits that distinguish neighbouring pixels.
#include <cstdint>
#include <vector>

#include "trainscape/config.hpp"

namespace trainscape {

/// The scale of each image axis (phase_space.x_scale / y_scale; log10 for the named kinds).
struct AxisScales {
  AxisScale x = AxisScale::Log10;
  AxisScale y = AxisScale::Log10;
};
AxisScales axis_scales(const PhaseSpaceConfig& phase_space);

/// THE mapping from an axis coordinate to the hyperparameter's value, for every caller (grids,
/// transects, the uncertainty exponent): log10: 10^centre * 10^offset (the offset from a window
/// centre small and exact, see above); linear: centre + offset. A point's coordinate is
/// centre + offset; pass centre = the coordinate and offset = 0 for a lone point.
double axis_value(AxisScale scale, double centre, double offset);

/// A rectangle in hyperparameter coordinates (log10 exponents, or values on a linear axis).
/// The centre is held to quad-double precision for deep zooms (docs/deep-zoom.md): centre_x is
/// within a unit in the last place of the exact centre, and centre_x + tail_x is exact. A window
/// set with plain doubles has zero tails and is exactly its doubles.
struct Window {
  double centre_x = 0.0;  ///< log10 units
  double centre_y = 0.0;
  double half_x = 0.0;  ///< half-width, > 0
  double half_y = 0.0;
  WideTail tail_x{};  ///< what centre_x lacks of the exact centre (zero unless perturbation)
  WideTail tail_y{};

  Wide exact_centre_x() const { return Wide(centre_x, tail_x); }
  Wide exact_centre_y() const { return Wide(centre_y, tail_y); }
  /// Sets the centre to (x, y): centre_x = `head_x` (the double the caller has always computed,
  /// so that direct runs keep their bits) and tail_x = x - head_x; likewise y.
  void set_exact_centre(const Wide& x, double head_x, const Wide& y, double head_y);

  static Window from_intervals(const Interval& x, const Interval& y);
  /// Bounds, for display and storage (they may have lost digits at depth; the centre and
  /// half-widths are authoritative).
  double x_min() const { return centre_x - half_x; }
  double x_max() const { return centre_x + half_x; }
  double y_min() const { return centre_y - half_y; }
  double y_max() const { return centre_y + half_y; }
};

/// Smallest pixel spacing (log10 units) at which neighbouring pixels still get hyperparameters
/// at least two units in the last place apart in the given precision: 2 * eps / ln(10), with
/// eps = 2^-52 (float64) or 2^-23 (float32). Below it, pixels collapse onto the same learning
/// rate and the image would be a lie.
double min_log10_spacing(Precision precision);

/// A cols x rows sampling of a window, end-inclusive like numpy.logspace:
/// column j samples x = x_min + j * (x_max - x_min) / (cols - 1), row i likewise for y
/// (row 0 = y_min, column 0 = x_min).
class Grid {
 public:
  /// Requires cols, rows >= 2 and positive half-widths.
  Grid(const Window& window, int cols, int rows, AxisScales scales = {});

  const Window& window() const { return window_; }
  int cols() const { return cols_; }
  int rows() const { return rows_; }
  /// Pixel spacing in log10 units.
  double spacing_x() const;
  double spacing_y() const;

  /// Offset of column j / row i from the window centre in log10 units, computed as
  /// half * (2j - (cols - 1)) / (cols - 1): exact at both ends and symmetric.
  double offset_x(int col) const;
  double offset_y(int row) const;
  /// log10 coordinate of column j / row i (centre + offset; for display).
  double log10_x(int col) const { return window_.centre_x + offset_x(col); }
  double log10_y(int row) const { return window_.centre_y + offset_y(row); }
  /// The hyperparameter itself: axis_value(scale, centre, offset).
  double value_x(int col) const;
  double value_y(int row) const;

 private:
  Window window_;
  int cols_;
  int rows_;
  AxisScales scales_;
  double scale_x_;  ///< 10^centre_x (log10 axis)
  double scale_y_;
};

/// A rectangular block of pixels: the unit of work for threads (and later ranks, shards and
/// resuming). Its result depends only on the problem, the grid and the tile's pixels.
struct Tile {
  int index = 0;  ///< row-major position among the grid's tiles
  int row0 = 0;   ///< first row
  int col0 = 0;   ///< first column
  int rows = 0;
  int cols = 0;
};

/// The tile side used for a cols x rows frame: `configured` if > 0; otherwise (auto) the larger
/// side / 8, rounded up, kept within [8, 64], so that every frame has dozens of tiles to share
/// among threads while big frames keep tiles large. Depends only on the config, never on the
/// thread count, so the decomposition of a frame is fixed by its config.
int resolve_tile_side(int configured, int cols, int rows);

/// Tiles of side `tile_size` (>= 1) covering a cols x rows grid, row-major from (0, 0); the last
/// tile of each row and column is cut short.
std::vector<Tile> make_tiles(int cols, int rows, int tile_size);

/// The smallest pixel spacing perturbation allows, relative to max(1, |centre|) on a log10 axis
/// or to the largest |value| on a linear one: quad-double centres keep about 62 digits, and
/// 1e-45 leaves 17 of them to tell neighbouring pixels apart (docs/deep-zoom.md#depth).
inline constexpr double kPerturbationMinRelativeSpacing = 1e-45;

/// Throws ConfigError when the window's pixel spacing is below min_log10_spacing(precision) on a
/// log10 axis, or below two units in the last place of the largest |value| on a linear axis
/// (direct arithmetic; the message names perturbation), or below
/// kPerturbationMinRelativeSpacing (perturbation); `what` names the frame in the message.
void check_resolvable(const Window& window, int cols, int rows, Precision precision, const std::string& what,
                      AxisScales scales = {}, Arithmetic arithmetic = Arithmetic::Direct);

}  // namespace trainscape
