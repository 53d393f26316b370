#include "trainscape/measure.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace trainscape {

PixelOutcome convergence_measure(const double* losses, int steps) {
  std::vector<double> v(static_cast<std::size_t>(steps));
  PixelOutcome out;
  const double l0 = std::isfinite(losses[0]) ? losses[0] : kLossRatioClamp;
  for (int t = 0; t < steps; ++t) {
    const bool finite = std::isfinite(losses[t]);
    const double l = finite ? losses[t] : kLossRatioClamp;
    const double ratio = l / l0;
    if (out.divergence_step < 0 && beyond_divergence_bound(finite, ratio)) out.divergence_step = t;
    // std::min would keep a NaN ratio (0/0) as NaN; the measure must stay a number.
    v[t] = (ratio < kLossRatioClamp) ? ratio : kLossRatioClamp;
    // A blown-up step is never progress: when l_0 > 1e6, 1e6 / l_0 alone would be below 1.
    if (!finite && v[t] < 1.0) v[t] = 1.0;
  }
  const int tail = std::min(steps, kConvergenceTailSteps);
  double tail_sum = 0.0;
  for (int t = steps - tail; t < steps; ++t) tail_sum += v[t];
  out.converged = (tail_sum / tail) < 1.0 ? 1 : 0;
  double sum = 0.0;
  if (out.converged) {
    for (double x : v) sum += x;
    out.measure = -sum;
  } else {
    for (double x : v) sum += 1.0 / x;
    out.measure = sum;
  }
  return out;
}

}  // namespace trainscape
