#include "trainscape/measure.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace trainscape {

namespace {

/// Rules 1-3 and 6 of convergence_measure: fills v and out.divergence_step.
void loss_ratios(const double* losses, int steps, std::vector<double>& v, PixelOutcome& out) {
  v.assign(static_cast<std::size_t>(steps), 0.0);
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
}

/// Rule 5 for the given class.
void measure_of_class(const std::vector<double>& v, PixelOutcome& out) {
  double sum = 0.0;
  if (out.converged) {
    for (double x : v) sum += x;
    out.measure = -sum;
  } else {
    for (double x : v) sum += 1.0 / x;
    out.measure = sum;
  }
}

}  // namespace

PixelOutcome convergence_measure(const double* losses, int steps) {
  std::vector<double> v;
  PixelOutcome out;
  loss_ratios(losses, steps, v, out);
  const int tail = std::min(steps, kConvergenceTailSteps);
  double tail_sum = 0.0;
  for (int t = steps - tail; t < steps; ++t) tail_sum += v[t];
  out.converged = (tail_sum / tail) < 1.0 ? 1 : 0;
  measure_of_class(v, out);
  return out;
}

PixelOutcome convergence_measure_of_class(const double* losses, int steps, bool converged) {
  std::vector<double> v;
  PixelOutcome out;
  loss_ratios(losses, steps, v, out);
  out.converged = converged ? 1 : 0;
  measure_of_class(v, out);
  return out;
}

}  // namespace trainscape
