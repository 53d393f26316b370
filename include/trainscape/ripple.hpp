#pragma once
/// The toy loss of model.kind: ripple_quadratic (docs/ripple.md): parameters x in R^p and
///   L(x) = sum_i f(x_i),  f(x) = x^2 (1 + delta cos(k x)),  k = 2 pi / wavelength,
/// trained from model.x0 by the optimizers of docs/optimizers.md. Its curvature and the exact
/// condition under which f is convex on a bounded interval are here too, for docs/ripple.md's
/// derivation and its test.
#include <vector>

#include "trainscape/measure.hpp"
#include "trainscape/problem.hpp"

namespace trainscape::ripple {

/// f(x) for one coordinate.
double coordinate_loss(double x, double delta, double wavelength);
/// f'(x) = 2 x (1 + delta cos(k x)) - delta k x^2 sin(k x).
double coordinate_gradient(double x, double delta, double wavelength);
/// f''(x) = 2 + delta g(k x), with g below.
double coordinate_curvature(double x, double delta, double wavelength);
/// g(u) = (2 - u^2) cos u - 4 u sin u: the curvature's shape as a function of u = k x alone.
double curvature_shape(double u);

/// The deltas for which f is convex on |x| <= R, given as u_max = k R = 2 pi R / wavelength:
/// f'' = 2 + delta g(u) >= 0 for every |u| <= u_max iff lo <= delta <= hi, with
/// hi = 2 / max(-g) (+infinity while g >= 0 there) and lo = -2 / max(g) (max g >= g(0) = 2).
/// The extremes of g are found at the roots of g' (bracketed on a grid of step 1/64, then
/// bisected to the last bit) and at u_max. Requires 0 <= u_max <= 1e6.
struct ConvexDeltas {
  double lo = -1.0;
  double hi = 0.0;
};
ConvexDeltas convex_deltas(double u_max);

/// The loss l_0 .. l_{T-1} of training from x0 at the pixel's hyperparameters (the loss before
/// each update, as the network records it), in the problem's precision.
std::vector<double> loss_curve(const Problem& problem, const HyperPoint& point);
/// The pixel's convergence measure and class: convergence_measure of loss_curve.
PixelOutcome outcome(const Problem& problem, const HyperPoint& point);

}  // namespace trainscape::ripple
