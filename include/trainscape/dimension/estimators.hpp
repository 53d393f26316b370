#pragma once
/// The image estimators (porespy median, box-count fit, pair) of one frame or a sequence, from
/// the frames' statistics (statistics.hpp), with error bars (docs/dimension.md).
#include <cstddef>
#include <vector>
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/dimension/statistics.hpp"
#include "trainscape/image.hpp"

namespace trainscape {

/// All three image estimators for one frame (frames.size() == 1) or a sequence:
///   porespy_median: numpy median of all frames' porespy slopes pooled (pooled_median_slope).
///   boxcount_fit / pair: per frame, D_f = least-squares fit over the default range; the
///     sequence's D is the median of the defined D_f. Error bar:
///       [D - sqrt((D - b_lo)^2 + (D - f_lo)^2),  D + sqrt((b_hi - D)^2 + (f_hi - D)^2)]
///     where [b_lo, b_hi] is the bootstrap percentile interval (frames resampled, then each
///     frame's boundary blocks resampled, refit, median) and [f_lo, f_hi] is the range of D
///     (with D itself) over the fit-range family d_min in {d0/2, d0, 2 d0} x
///     d_max in {2 dM (at most n/8), dM, dM/2}, box counting each with and without offset
///     averaging (docs/dimension.md#fit-range-family); `systematic` = (f_hi - f_lo) / 2. Frames
///     of a zoom sequence are nested, so treat the frame-to-frame part as optimistic. Not
///     included: the resolution bias of box counting on fractal boundaries (measured 0.01-0.05
///     low on Julia sets and the carpet at 1024-2048 px; see scripts/validate_dimension.sh).
DimensionReport estimate_dimensions(const std::vector<FrameStatistics>& frames, const DimensionOptions& options = {});

/// Convenience for the zoom driver, its summary and its store: feed frames one by one, get each
/// frame's report at once and the sequence's at the end.
///
///   DimensionAccumulator acc;                        // per run
///   frame.robust = acc.add_frame(frame.measure);     // per frame
///   summary.robust = acc.sequence();                 // at the end
class DimensionAccumulator {
 public:
  explicit DimensionAccumulator(DimensionOptions options = {}) : options_(options) {}
  /// Adds a frame (signed measure, rows and cols >= 2) and returns that frame's own report.
  DimensionReport add_frame(const Image<double>& measure);
  /// The report of all frames added so far (all NaN before the first frame).
  DimensionReport sequence() const;
  std::size_t frames() const { return frames_.size(); }
  const DimensionOptions& options() const { return options_; }

 private:
  DimensionOptions options_;
  std::vector<FrameStatistics> frames_;
};

}  // namespace trainscape
