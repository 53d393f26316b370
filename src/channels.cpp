#include "trainscape/channels.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "detail/counter_rng.hpp"

namespace trainscape {

Eigen::VectorXd deterministic_unit_vector(Eigen::Index n) {
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    // The top 53 bits as a uniform number in [0, 1), centred on 0.
    const std::uint64_t bits = detail::mix64(static_cast<std::uint64_t>(i));
    v(i) = static_cast<double>(bits >> 11) * 0x1.0p-53 - 0.5;
  }
  return v / v.norm();
}

namespace {

/// Power iteration on v -> apply(v) - shift v. The Rayleigh quotient at the end, or NaN.
double dominant_eigenvalue(const std::function<void(const Eigen::VectorXd&, Eigen::VectorXd&)>& apply, Eigen::Index n,
                           double shift) {
  Eigen::VectorXd v = deterministic_unit_vector(n);
  Eigen::VectorXd w(n);
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (int k = 0; k < kSharpnessMaxIterations; ++k) {
    apply(v, w);
    if (shift != 0.0) w -= shift * v;
    const double rayleigh = v.dot(w);
    const double norm = w.norm();
    if (!std::isfinite(rayleigh) || !std::isfinite(norm)) return std::numeric_limits<double>::quiet_NaN();
    if (norm == 0.0) return 0.0;  // v is in the null space; A v = 0 for this start
    if (std::fabs(rayleigh - previous) <= kSharpnessTolerance * std::fabs(rayleigh)) return rayleigh;
    previous = rayleigh;
    v = w / norm;
  }
  return previous;
}

}  // namespace

double largest_eigenvalue(const std::function<void(const Eigen::VectorXd& v, Eigen::VectorXd& out)>& apply,
                          Eigen::Index n) {
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double dominant = dominant_eigenvalue(apply, n, 0.0);
  if (!(dominant < 0.0)) return dominant;
  // Every eigenvalue of A - dominant I is >= 0, and the largest belongs to A's largest.
  return dominant + dominant_eigenvalue(apply, n, dominant);
}

}  // namespace trainscape
