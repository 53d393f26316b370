#pragma once
/// The dimension of a boundary's trace on a line (docs/transect.md#dimension-of-the-trace).
///
/// A transect samples the outcome (converged or not) at N = 2^K + 1 equally spaced points of a
/// segment. Its subsample of every (N - 1) / 2^k-th point holds 2^k + 1 points, k = 1..K, and
/// the number of neighbouring pairs of that subsample with different classes, C(2^k), counts the
/// intervals of length 2^-k of the segment that the boundary is seen to cross. For a trace of
/// dimension D_line, C grows as (2^k)^D_line, so D_line is the slope of ln C against ln 2^k.
/// The fit is the box-count fit's (docs/dimension.md#box-count-fit) with the interval length in
/// samples as the box size: the same default range, the same family of ranges for the systematic
/// part of the error bar and a block bootstrap (the segment cut into blocks) for the statistical
/// part, added in quadrature on each side. Pure computation; a deterministic function of its
/// inputs and options.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "trainscape/dimension/statistics.hpp"

namespace trainscape {

/// True if n = 2^K + 1 with K >= 1 (3, 5, 9, 17, ...): the lengths whose dyadic subsamplings all
/// land on samples.
bool is_dyadic_length(std::int64_t n);

/// The class changes of a transect at its dyadic subsamplings.
struct TransectCrossings {
  std::vector<std::int64_t> resolutions;  ///< 2^k intervals of the segment, k = 1..K, ascending
  std::vector<std::int64_t> crossings;    ///< class changes between neighbours of the 2^k + 1 subsample
};

/// Counts the class changes of `classes` (N values, any nonzero value is one class, zero the
/// other) at every dyadic subsampling. Requires is_dyadic_length(N) (throws std::invalid_argument
/// otherwise: callers validate N with a user-facing message first).
TransectCrossings count_crossings(const std::vector<std::uint8_t>& classes);

/// The trace's dimension with its error bar. NaN marks "undefined"; `note` then says why.
struct TransectDimension {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double dimension = kNaN;  ///< slope of ln C on ln resolution over the default range
  double ci_low = kNaN;     ///< error bar: bootstrap and range spread in quadrature per side
  double ci_high = kNaN;
  double fit_se = kNaN;      ///< regression standard error of the slope (diagnostic only)
  double systematic = kNaN;  ///< half the spread of D over the family of fit ranges
  double boot_low = kNaN;    ///< block-bootstrap percentile interval
  double boot_high = kNaN;
  std::int64_t fit_min = 0;   ///< smallest resolution (intervals) of the default fit
  std::int64_t fit_max = 0;   ///< largest resolution of the default fit
  int fit_points = 0;         ///< resolutions in the default fit
  std::vector<double> local;  ///< slope between neighbouring resolutions (size K - 1)
  std::string note;           ///< empty, or why the estimate is undefined
};

/// The dimension of the trace from the counts of `classes` (see count_crossings). The fit range
/// in interval lengths d = (N - 1) / 2^k samples is boxcount_fit's: d in [options.box_min_size,
/// (N - 1) / options.box_max_divisor], raised to (N - 1) / 8 when that holds fewer than 4 scales;
/// undefined with fewer than 3 scales or without any crossing. The bootstrap cuts the segment
/// into options.blocks^2 blocks and resamples the blocks holding a crossing
/// (options.resamples draws, options.seed, options.confidence).
TransectDimension transect_dimension(const std::vector<std::uint8_t>& classes, const DimensionOptions& options = {});

}  // namespace trainscape
