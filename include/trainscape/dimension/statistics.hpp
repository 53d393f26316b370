#pragma once
/// What the image estimators need from one frame (docs/dimension.md): the options shared by all
/// image estimators, and each frame's counts per scale, grid offset and block, so that a
/// sequence can be estimated without keeping its images. Pure computation.
#include <cstdint>
#include <vector>
#include "trainscape/analysis.hpp"
#include "trainscape/image.hpp"

namespace trainscape {

/// Options of the image estimators. The defaults are the documented ones
/// (docs/dimension.md#box-count-fit, docs/dimension.md#pair-estimator,
/// docs/dimension.md#error-bars).
struct DimensionOptions {
  /// Box sizes and lags come from one geometric ladder: the distinct values of
  /// round(2^(i / per_octave)), i = 0, 1, ... -> 1 2 3 4 6 8 11 16 23 32 45 64 91 128 ...
  int per_octave = 2;
  /// boxcount_fit: fit over sizes d in [box_min_size, n / box_max_divisor], n = the edge mask's
  /// smaller side. If that range holds fewer than 4 sizes, the top is raised to n / 8 (noted);
  /// fewer than 3 sizes -> NaN ("frame too small").
  int box_min_size = 4;
  int box_max_divisor = 16;
  /// Grid offsets per axis: the distinct floor(j * d / offsets), j = 0 .. offsets-1, in both axes;
  /// counts are averaged over all offset pairs. Tiles reaching past the image are padded with
  /// empty pixels (a tile counts iff it holds at least one edge pixel).
  int offsets = 4;
  /// Occupancy at the smallest fitted size above this flags the estimate as saturated.
  double saturation = 0.9;
  /// pair: fit over lags k in [pair_min_lag, n / pair_max_divisor] (n = the phase image's
  /// smaller side; raised to n / 8 when fewer than 4 lags, NaN when fewer than 3).
  int pair_min_lag = 1;
  int pair_max_divisor = 16;
  /// The minority phase (by area) is a "thin set" -- a drawn curve, a gasket of pixels -- when
  /// it covers less than thin_area of the image and fewer than thin_interior of its pixels have
  /// all four neighbours in it. (Balanced speckle, e.g. a riddled basin image, stays two-phase:
  /// both phases carry area.) A thin set is
  /// its own boundary: boxcount_fit then counts its pixels instead of the edge mask (whose 2x2
  /// rule draws a 2-3 px band around a 1-px line), and pair is undefined
  /// (docs/dimension.md#pair-estimator: the difference count needs two area-carrying phases;
  /// on a gasket of pixels it stays nearly flat and would read close to 2).
  double thin_interior = 0.5;
  double thin_area = 0.25;
  /// Spatial block bootstrap: blocks x blocks blocks per frame; the blocks holding boundary are
  /// resampled with replacement. For a sequence, frames are resampled too (two levels).
  int blocks = 4;
  int resamples = 2000;
  double confidence = 0.95;  ///< of the bootstrap percentile interval
  std::uint64_t seed = 0;    ///< bootstrap seed; results are a pure function of it
};

/// Everything the estimators need from one frame (counts per scale, offset and block; the
/// porespy box counts), so that a sequence can be estimated without keeping its images.
/// Computed from the frame's signed measure by frame_statistics(). Treat as opaque.
struct FrameStatistics {
  int rows = 0;  ///< of the measure
  int cols = 0;
  BoxCount porespy;  ///< porespy_boxcount(edge_mask(measure))
  std::int64_t edge_pixels = 0;
  // box counting on the edge mask: sizes 2 .. n/8 of the ladder
  std::vector<int> box_sizes;
  std::vector<double> box_counts;        ///< [size] N(d) averaged over offsets
  std::vector<double> box_counts0;       ///< [size] N(d) of the offset-0 grid only
  std::vector<double> box_tiles;         ///< [size] tiles meeting the image, offset-averaged
  std::vector<double> box_block_counts;  ///< [size * blocks^2 + block] offset-averaged
  // pair: lags 1 .. n/8 of the ladder, for the three lag ranges' fixed base sets
  bool thin = false;                 ///< the minority phase is a thin set (see thin_interior)
  double minority_fraction = 0.0;    ///< area fraction of the smaller phase
  double interior_fraction = 0.0;    ///< of the minority phase's pixels
  std::int64_t box_mask_pixels = 0;  ///< pixels of the mask boxcount_fit counts
  std::vector<int> pair_lags;
  std::vector<int> pair_bases;     ///< [base] k_max of each fixed base set
  std::vector<double> pair_hits;   ///< [(base * lags + lag) * blocks^2 + block]
  std::vector<double> pair_total;  ///< [base * blocks^2 + block] pairs in the base set
  int blocks = 0;
};

/// The measure that phase image `set` stands for: +1 where set (non-zero), -1 elsewhere.
Image<double> phase_measure(const Image<std::uint8_t>& set);

/// The statistics of one frame, from its signed measure (rows, cols >= 2).
FrameStatistics frame_statistics(const Image<double>& measure, const DimensionOptions& options = {});

}  // namespace trainscape
