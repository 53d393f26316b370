#include "trainscape/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "trainscape/error.hpp"
#include "trainscape/measure.hpp"

namespace trainscape {

DimensionEstimate uncertainty_exponent(const Engine& engine, const Problem& problem, const Window& window,
                                       const UncertaintyOptions& options) {
  if (!(window.half_x > 0) || !(window.half_y > 0)) {
    throw ConfigError("uncertainty: the window needs positive half-widths");
  }
  const double floor_log10 = 10.0 * min_log10_spacing(problem.precision);
  const double eps_floor = floor_log10 / (2.0 * std::min(window.half_x, window.half_y));
  const AxisScales scales = axis_scales(problem);
  const BatchPhaseFunction batch = [&](const double* u, const double* v, std::size_t n, std::uint8_t* out) {
    std::vector<HyperPoint> points(n);
    for (std::size_t i = 0; i < n; ++i) {
      // As Grid::value_x: the offset from the centre small and exact.
      points[i].x = axis_value(scales.x, window.centre_x, (2.0 * u[i] - 1.0) * window.half_x);
      points[i].y = axis_value(scales.y, window.centre_y, (2.0 * v[i] - 1.0) * window.half_y);
    }
    std::vector<PixelOutcome> outcomes(n);
    engine.train(problem, points.data(), n, outcomes.data());
    for (std::size_t i = 0; i < n; ++i) out[i] = !(outcomes[i].measure < 0.0) ? 1 : 0;
  };
  return uncertainty_exponent_batch(batch, options, eps_floor);
}

}  // namespace trainscape
