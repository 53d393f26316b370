#include "trainscape/dimension/transect.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "dimension/common.hpp"

namespace trainscape {

using namespace dimension_detail;

bool is_dyadic_length(std::int64_t n) {
  const std::int64_t intervals = n - 1;
  return intervals >= 2 && (intervals & (intervals - 1)) == 0;
}

namespace {

/// The counts behind one transect's fit: per interval length d (samples, ascending: 1, 2, 4, ...,
/// (N - 1) / 2) the class changes in all, and per block.
struct Series {
  std::int64_t n = 0;                    ///< intervals of the full transect, N - 1
  std::vector<int> sizes;                ///< d, ascending
  std::vector<double> counts;            ///< C at d
  std::size_t blocks = 0;                ///< bootstrap blocks along the segment
  std::vector<double> block_counts;      ///< [size * blocks + block]
  std::vector<std::size_t> live_blocks;  ///< blocks with a change at the finest size
};

Series make_series(const std::vector<std::uint8_t>& classes, int block_side) {
  const auto points = static_cast<std::int64_t>(classes.size());
  if (!is_dyadic_length(points)) {
    throw std::invalid_argument("count_crossings: a transect needs 2^k + 1 points, got " + std::to_string(points));
  }
  Series s;
  s.n = points - 1;
  // Blocks of equal, power-of-two length, so that every interval of a size up to the block
  // length lies in exactly one block.
  s.blocks = static_cast<std::size_t>(std::min<std::int64_t>(std::max(1, block_side * block_side), s.n));
  while (s.n % static_cast<std::int64_t>(s.blocks) != 0) --s.blocks;  // a power of two divides n
  const std::int64_t block_length = s.n / static_cast<std::int64_t>(s.blocks);
  for (std::int64_t d = 1; d < s.n; d *= 2) s.sizes.push_back(static_cast<int>(d));
  s.counts.assign(s.sizes.size(), 0.0);
  s.block_counts.assign(s.sizes.size() * s.blocks, 0.0);
  for (std::size_t k = 0; k < s.sizes.size(); ++k) {
    const std::int64_t d = s.sizes[k];
    for (std::int64_t start = 0; start < s.n; start += d) {
      const bool a = classes[static_cast<std::size_t>(start)] != 0;
      const bool b = classes[static_cast<std::size_t>(start + d)] != 0;
      if (a == b) continue;
      s.counts[k] += 1.0;
      s.block_counts[k * s.blocks + static_cast<std::size_t>(start / block_length)] += 1.0;
    }
  }
  for (std::size_t b = 0; b < s.blocks; ++b) {
    if (s.block_counts[b] > 0) s.live_blocks.push_back(b);  // size 0 is d = 1
  }
  return s;
}

/// D (= -slope of ln C on ln d) over the sizes in [r.lo, r.hi] with C > 0; NaN with fewer than 3.
LineFit fit_range(const std::vector<int>& sizes, const std::vector<double>& counts, const Range& r) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < r.lo || sizes[i] > r.hi || !(counts[i] > 0)) continue;
    x.push_back(std::log(static_cast<double>(sizes[i])));
    y.push_back(std::log(counts[i]));
  }
  if (x.size() < 3) return LineFit{};
  return fit_line(x, y);
}

double fitted_dimension(const std::vector<int>& sizes, const std::vector<double>& counts, const Range& r) {
  const LineFit f = fit_range(sizes, counts, r);
  return f.ok ? dimension_from_slope(FitKind::Box, f.slope) : kNaN;
}

}  // namespace

TransectCrossings count_crossings(const std::vector<std::uint8_t>& classes) {
  const Series s = make_series(classes, 1);
  TransectCrossings out;
  // Ascending resolution = descending interval length.
  for (std::size_t i = s.sizes.size(); i-- > 0;) {
    out.resolutions.push_back(s.n / s.sizes[i]);
    out.crossings.push_back(static_cast<std::int64_t>(s.counts[i]));
  }
  return out;
}

TransectDimension transect_dimension(const std::vector<std::uint8_t>& classes, const DimensionOptions& o) {
  const Series s = make_series(classes, o.blocks);
  TransectDimension e;
  const int n = static_cast<int>(std::min<std::int64_t>(s.n, 1 << 30));
  const Range range = default_range(s.sizes, n, o.box_min_size, o.box_max_divisor);
  e.fit_points = count_in(s.sizes, range.lo, range.hi);
  if (e.fit_points > 0) {
    int lo = 0, hi = 0;
    for (int d : s.sizes) {
      if (d < range.lo || d > range.hi) continue;
      if (lo == 0) lo = d;
      hi = d;
    }
    e.fit_min = s.n / hi;  // the largest interval is the coarsest resolution
    e.fit_max = s.n / lo;
  }
  {
    std::vector<double> sizes(s.sizes.begin(), s.sizes.end());
    e.local = local_dimensions(sizes, s.counts, FitKind::Box);
    // local_dimensions runs from fine to coarse; report it in ascending resolution like the counts.
    std::reverse(e.local.begin(), e.local.end());
  }
  if (s.counts.empty() || !(s.counts.front() > 0)) {
    e.note = "undefined: no class change on the transect";
    return e;
  }
  if (e.fit_points < 3) {
    e.note = "undefined: transect too short for 3 interval lengths in [" + std::to_string(range.lo) + ", (N-1)/8]";
    return e;
  }
  const LineFit fit = fit_range(s.sizes, s.counts, range);
  if (!fit.ok) {
    e.note = "undefined: fit failed (no class change at some fitted resolution)";
    return e;
  }
  e.dimension = dimension_from_slope(FitKind::Box, fit.slope) + 0.0;  // + 0: no "-0" for a flat count
  e.fit_se = fit.se;
  if (range.extended) e.note = "fit range extended to (N-1)/8 (short transect)";

  // Systematic: the spread of D over the family of fit ranges.
  double d_min = e.dimension, d_max = e.dimension;
  for (const Range& m : range_family(range, n)) {
    const double d = fitted_dimension(s.sizes, s.counts, m);
    if (!std::isfinite(d)) continue;
    d_min = std::min(d_min, d);
    d_max = std::max(d_max, d);
  }
  e.systematic = 0.5 * (d_max - d_min);

  // Statistical: the blocks holding a change, resampled with replacement.
  const CounterRng rng(o.seed, 0x7EA5EC7);
  std::uint64_t counter = 0;
  std::vector<double> reps, draw(s.sizes.size());
  reps.reserve(static_cast<std::size_t>(std::max(0, o.resamples)));
  const std::size_t live = s.live_blocks.size();
  for (int r = 0; r < o.resamples && live > 0; ++r) {
    std::fill(draw.begin(), draw.end(), 0.0);
    for (std::size_t i = 0; i < live; ++i) {
      const std::size_t b = s.live_blocks[rng.index(counter++, live)];
      for (std::size_t k = 0; k < s.sizes.size(); ++k) draw[k] += s.block_counts[k * s.blocks + b];
    }
    reps.push_back(fitted_dimension(s.sizes, draw, range));
  }
  const auto ci = percentile_interval(std::move(reps), o.confidence);
  e.boot_low = ci.first;
  e.boot_high = ci.second;
  const double below = std::isfinite(e.boot_low) ? std::max(0.0, e.dimension - e.boot_low) : 0.0;
  const double above = std::isfinite(e.boot_high) ? std::max(0.0, e.boot_high - e.dimension) : 0.0;
  const double sys_below = e.dimension - d_min, sys_above = d_max - e.dimension;
  e.ci_low = e.dimension - std::sqrt(below * below + sys_below * sys_below);
  e.ci_high = e.dimension + std::sqrt(above * above + sys_above * sys_above);
  return e;
}

}  // namespace trainscape
