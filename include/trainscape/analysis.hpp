#pragma once
/// Frame analysis: edges between converged and diverged pixels, and porespy-compatible box
/// counting (docs/dimension.md#porespy-box-counting), reproduced bit for bit as numpy
/// computes it with the C library's log, log10 and pow. numpy on an AVX-512 CPU uses Intel SVML
/// instead, whose results differ in the last bits of the slopes and, through a truncated
/// 10**e, occasionally by one in a default box size (e.g. 2047 vs 2046 for m = 2047).
#include <cstdint>
#include <vector>

#include "trainscape/image.hpp"

namespace trainscape {

/// Edge mask of a signed measure image (docs/dimension.md#edge-mask, the notebook's
/// extract_edges).
/// Returns a (rows-1) x (cols-1) mask; edge(i, j) = 1 iff the 2x2 block
/// {m(i,j), m(i+1,j), m(i,j+1), m(i+1,j+1)} holds a strictly positive AND a strictly negative
/// value. Zeros never make an edge; a block containing NaN is never an edge (the notebook's
/// sign(max*min) is NaN there). An image with fewer than 2 rows or columns gives an empty mask.
Image<std::uint8_t> edge_mask(const Image<double>& measure);

/// porespy's default box sizes for an image whose smaller side is `min_side` (>= 1), with
/// `bins` (>= 2) log-spaced exponents from 1 to log10(min_side) (numpy.linspace, the last one
/// written exactly), 10^e truncated toward zero, sorted and de-duplicated
/// (docs/dimension.md#box-sizes).
std::vector<std::int64_t> porespy_default_sizes(int min_side, int bins = 10);

/// Result of porespy.metrics.boxcount for one image.
struct BoxCount {
  std::vector<std::int64_t> sizes;   ///< box side lengths d_i, in pixels, as used
  std::vector<std::int64_t> counts;  ///< N_i: tiles holding at least one set AND one unset pixel
  std::vector<double> slopes;        ///< -gradient(ln N, ln d), numpy.gradient edge_order=1
                                     ///< (docs/dimension.md#local-slopes); same length as
                                     ///< sizes; -inf/NaN where a count is 0, all NaN when
                                     ///< there is only one size.
};

/// Box counting exactly as porespy.metrics.boxcount(mask) with default bins=10
/// (docs/dimension.md#counting-tiles, docs/dimension.md#local-slopes): a fixed grid anchored
/// at (0,0), partial tiles at the far edges counted like full ones.
/// `mask` values are booleans (non-zero = set). Requires a non-empty mask.
BoxCount porespy_boxcount(const Image<std::uint8_t>& mask);

/// The same with explicit sizes, used as given (not sorted or de-duplicated, like porespy).
/// Every size must be >= 1.
BoxCount porespy_boxcount(const Image<std::uint8_t>& mask, const std::vector<std::int64_t>& sizes);

/// numpy.median semantics: NaN if any value is NaN, the mean of the two middle values for an
/// even count, NaN for an empty input.
double numpy_median(std::vector<double> values);

/// The paper's dimension of a zoom sequence: numpy_median of all frames' slopes concatenated
/// (docs/dimension.md#porespy-median). A single frame gives that frame's median slope.
double pooled_median_slope(const std::vector<BoxCount>& frames);

}  // namespace trainscape
