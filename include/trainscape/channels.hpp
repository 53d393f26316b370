#pragma once
/// The numerical pieces of the extra per-pixel channels (docs/channels.md): the deterministic
/// start vectors of the Lyapunov tangent and of the sharpness power iteration, and the power
/// iteration itself. The engines supply the exact Jacobian- and Hessian-vector products.
#include <Eigen/Core>
#include <functional>

namespace trainscape {

/// Power iteration stops after this many products per run of the iteration ...
inline constexpr int kSharpnessMaxIterations = 300;
/// ... or once two successive Rayleigh quotients agree to this relative tolerance.
inline constexpr double kSharpnessTolerance = 1e-10;

/// The fixed unit vector of dimension n every tangent and power iteration starts from: entry i
/// is SplitMix64(i) mapped to (-0.5, 0.5), then the vector is normalised. The same for every
/// pixel, thread and machine; almost surely not orthogonal to any eigenvector that matters.
Eigen::VectorXd deterministic_unit_vector(Eigen::Index n);

/// The largest (most positive) eigenvalue of the symmetric operator `apply` (out = A v) of
/// dimension n, by power iteration from deterministic_unit_vector(n): iterate v <- A v / |A v|
/// with Rayleigh quotient v . A v until it changes by at most kSharpnessTolerance relative, or
/// kSharpnessMaxIterations products. Power iteration finds the eigenvalue of largest magnitude
/// lambda_1; if that is negative, a second iteration on A - lambda_1 I finds mu and the result
/// is lambda_1 + mu. NaN if a product is not finite. Deterministic: same inputs, same bits.
double largest_eigenvalue(const std::function<void(const Eigen::VectorXd& v, Eigen::VectorXd& out)>& apply,
                          Eigen::Index n);

}  // namespace trainscape
