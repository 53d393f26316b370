#include "trainscape/analysis.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "detail/numpy_linspace.hpp"

namespace trainscape {

using detail::numpy_linspace_at;

namespace {

// Built with -ffp-contract=off (CMakeLists.txt): numpy rounds every product before adding, and
// g++ would otherwise fuse a * b + c into one FMA under -mfma and change the last bits.

// Number of tiles holding both a set and an unset pixel, for one box size, on the grid anchored at
// (0, 0) with short tiles at the far edges. Each image row is reduced once into per-tile set
// counts, so the cost is O(rows * cols) whatever the box size.
std::int64_t count_mixed_tiles(const Image<std::uint8_t>& mask, std::int64_t d) {
  const std::int64_t rows = mask.rows;
  const std::int64_t cols = mask.cols;
  const std::int64_t tile_cols = cols / d + (cols % d != 0 ? 1 : 0);  // ceil, without overflow
  std::vector<std::int64_t> set_in_tile(static_cast<std::size_t>(tile_cols), 0);
  std::int64_t mixed = 0;
  for (std::int64_t r0 = 0; r0 < rows; r0 += d) {
    const std::int64_t r1 = std::min(rows, r0 + std::min(d, rows));  // d may exceed the image
    std::fill(set_in_tile.begin(), set_in_tile.end(), 0);
    for (std::int64_t r = r0; r < r1; ++r) {
      const std::uint8_t* row = mask.data.data() + r * cols;
      for (std::int64_t t = 0; t < tile_cols; ++t) {
        const std::int64_t c0 = t * d;
        const std::int64_t c1 = std::min(cols, c0 + std::min(d, cols));
        std::int64_t n = 0;
        for (std::int64_t c = c0; c < c1; ++c) n += row[c] != 0;
        set_in_tile[static_cast<std::size_t>(t)] += n;
      }
    }
    for (std::int64_t t = 0; t < tile_cols; ++t) {
      const std::int64_t c0 = t * d;
      const std::int64_t area = (r1 - r0) * (std::min(cols, c0 + std::min(d, cols)) - c0);
      const std::int64_t n = set_in_tile[static_cast<std::size_t>(t)];
      // porespy's any(tile) and not all(tile).
      mixed += (n > 0 && n < area) ? 1 : 0;
    }
  }
  return mixed;
}

// numpy.gradient(y, x) with a coordinate array and edge_order=1, operation for operation.
// numpy switches to the uniform-spacing formulas when all np.diff(x) compare equal, so this does
// too. Requires y.size() == x.size() >= 2.
std::vector<double> numpy_gradient(const std::vector<double>& y, const std::vector<double>& x) {
  const std::size_t n = y.size();
  std::vector<double> dx(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) dx[i] = x[i + 1] - x[i];
  const bool uniform = std::all_of(dx.begin(), dx.end(), [&](double v) { return v == dx[0]; });

  std::vector<double> g(n);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (uniform) {
      g[i] = (y[i + 1] - y[i - 1]) / (2.0 * dx[0]);
    } else {
      const double dx1 = dx[i - 1];
      const double dx2 = dx[i];
      const double a = -(dx2) / (dx1 * (dx1 + dx2));
      const double b = (dx2 - dx1) / (dx1 * dx2);
      const double c = dx1 / (dx2 * (dx1 + dx2));
      // numpy evaluates a*f0 + b*f1 + c*f2 left to right, each product rounded.
      g[i] = ((a * y[i - 1]) + (b * y[i])) + (c * y[i + 1]);
    }
  }
  g[0] = (y[1] - y[0]) / dx[0];
  g[n - 1] = (y[n - 1] - y[n - 2]) / dx[n - 2];
  return g;
}

}  // namespace

Image<std::uint8_t> edge_mask(const Image<double>& measure) {
  const int out_rows = std::max(measure.rows - 1, 0);
  const int out_cols = std::max(measure.cols - 1, 0);
  Image<std::uint8_t> edge(out_rows, out_cols, 0);
  const std::size_t cols = static_cast<std::size_t>(measure.cols);
  for (int i = 0; i < out_rows; ++i) {
    const double* top = measure.data.data() + static_cast<std::size_t>(i) * cols;
    const double* bottom = top + cols;
    std::uint8_t* out = edge.data.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(out_cols);
    for (int j = 0; j < out_cols; ++j) {
      const double a = top[j], b = top[j + 1], c = bottom[j], d = bottom[j + 1];
      // The notebook's sign(max * min) < 0: NaN poisons the product, zeros give sign 0.
      // Counting instead of || keeps this branch-free; signs in a frame are as good as random.
      const int n_pos = int{a > 0.0} + int{b > 0.0} + int{c > 0.0} + int{d > 0.0};
      const int n_neg = int{a < 0.0} + int{b < 0.0} + int{c < 0.0} + int{d < 0.0};
      const int n_nan = int{std::isnan(a)} + int{std::isnan(b)} + int{std::isnan(c)} + int{std::isnan(d)};
      out[j] = static_cast<std::uint8_t>(int{n_pos > 0} & int{n_neg > 0} & int{n_nan == 0});
    }
  }
  return edge;
}

std::vector<std::int64_t> porespy_default_sizes(int min_side, int bins) {
  assert(min_side >= 1 && bins >= 2);
  // np.unique(np.logspace(1, np.log10(min_side), bins).astype(int))
  const double stop = std::log10(static_cast<double>(min_side));
  std::vector<std::int64_t> sizes;
  sizes.reserve(static_cast<std::size_t>(bins));
  for (int k = 0; k < bins; ++k) {
    const double e = numpy_linspace_at(1.0, stop, bins, k);
    // astype(int) truncates toward zero; 10**log10(m) is often one ulp below m, giving m - 1.
    sizes.push_back(static_cast<std::int64_t>(std::pow(10.0, e)));
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

BoxCount porespy_boxcount(const Image<std::uint8_t>& mask) {
  assert(mask.rows >= 1 && mask.cols >= 1);
  return porespy_boxcount(mask, porespy_default_sizes(std::min(mask.rows, mask.cols)));
}

BoxCount porespy_boxcount(const Image<std::uint8_t>& mask, const std::vector<std::int64_t>& sizes) {
  assert(mask.rows >= 1 && mask.cols >= 1);
  BoxCount result;
  result.sizes = sizes;
  result.counts.reserve(sizes.size());
  for (std::int64_t d : sizes) {
    assert(d >= 1);
    result.counts.push_back(count_mixed_tiles(mask, d));
  }

  const std::size_t n = sizes.size();
  if (n < 2) {
    // numpy.gradient refuses a single point; NaN keeps the frame visibly undefined downstream.
    result.slopes.assign(n, std::numeric_limits<double>::quiet_NaN());
    return result;
  }
  std::vector<double> log_count(n);
  std::vector<double> log_size(n);
  for (std::size_t i = 0; i < n; ++i) {
    log_count[i] = std::log(static_cast<double>(result.counts[i]));  // log(0) = -inf, as numpy
    log_size[i] = std::log(static_cast<double>(sizes[i]));
  }
  result.slopes = numpy_gradient(log_count, log_size);
  for (double& s : result.slopes) s = -1.0 * s;
  return result;
}

double numpy_median(std::vector<double> values) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (values.empty()) return nan;
  for (double v : values) {
    if (std::isnan(v)) return nan;
  }
  const std::size_t n = values.size();
  const std::size_t half = n / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half), values.end());
  const double upper = values[half];
  // numpy takes np.mean of the middle one or two values, and its sum starts from +0.0, so a
  // -0.0 median comes out as +0.0.
  double sum = 0.0;
  if (n % 2 == 0) {
    const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half));
    sum += lower;
    sum += upper;
    return sum / 2.0;
  }
  sum += upper;
  return sum / 1.0;
}

double pooled_median_slope(const std::vector<BoxCount>& frames) {
  std::vector<double> all;
  for (const BoxCount& f : frames) all.insert(all.end(), f.slopes.begin(), f.slopes.end());
  return numpy_median(std::move(all));
}

}  // namespace trainscape
