#pragma once
/// The convergence measure and classification of one training run
/// (docs/model.md#convergence-measure).
#include <cstdint>
#include <limits>

namespace trainscape {

/// Loss ratios are clamped at this value, and non-finite losses replaced by it.
inline constexpr double kLossRatioClamp = 1e6;
/// Convergence is judged on the mean loss ratio of the last this-many steps (all, if fewer).
inline constexpr int kConvergenceTailSteps = 20;

/// The result of one pixel's training.
struct PixelOutcome {
  double measure = 0.0;        ///< < 0: trained (-sum v_t); > 0: diverged (+sum 1/v_t)
  std::uint8_t converged = 0;  ///< 1 iff mean of the last 20 v_t < 1
  // The extra channels (docs/channels.md). divergence_step costs nothing and is always filled;
  // the others stay NaN unless the problem asks for them (Problem::channels).
  std::int64_t divergence_step = -1;  ///< first t with v_t at the clamp or l_t non-finite; -1 if none
  double lyapunov = std::numeric_limits<double>::quiet_NaN();           ///< mean log tangent growth per step
  double sharpness = std::numeric_limits<double>::quiet_NaN();          ///< largest Hessian eigenvalue at the end
  double edge_of_stability = std::numeric_limits<double>::quiet_NaN();  ///< max_l lr_l * sharpness / 2
};

/// True if loss l_t (with l_0 the run's first finite-or-clamped loss, as below) crossed the
/// divergence bound: l_t is non-finite, or l_t / l_0 is not below the clamp 1e6 (which includes a
/// NaN ratio 0 / 0). The first such t is PixelOutcome::divergence_step.
inline bool beyond_divergence_bound(bool finite, double ratio) { return !finite || !(ratio < kLossRatioClamp); }

/// Given the T >= 1 recorded losses l_0 .. l_{T-1} (loss before update t):
///   1. a non-finite l_t becomes 1e6;  2. v_t = l_t / l_0;  3. v_t = min(v_t, 1e6)
///   4. converged iff mean(v_{T-20} .. v_{T-1}) < 1;
///   5. measure = -sum v_t if converged, else +sum 1 / v_t.
///   6. divergence_step = the first t with beyond_divergence_bound, or -1.
/// A ratio that is itself not a number (only possible when l_0 = 0) is treated as the clamp,
/// so the measure is never NaN. Sums run in order t = 0, 1, ...
/// One amendment to the rule as first written for the paper (docs/model.md#convergence-measure):
/// a non-finite l_t gives v_t of at least 1. Followed literally, rule 1 gives v_t = 1e6 / l_0,
/// which is below 1 when l_0 > 1e6 (relu or identity networks at large W_0 offsets), so a run
/// that overflowed to NaN would be classified as trained. For l_0 <= 1e6 the amendment changes
/// nothing.
PixelOutcome convergence_measure(const double* losses, int steps);

/// convergence_measure with step 4 decided by the caller: for engines that know the sign of
/// sum over the tail of (l_t - l_0) more precisely than the doubles l_t can tell it (the deep-zoom
/// engines, docs/deep-zoom.md#the-class-at-depth). Everything else is computed as there.
PixelOutcome convergence_measure_of_class(const double* losses, int steps, bool converged);

}  // namespace trainscape
