#include "trainscape/ripple.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "detail/tangent.hpp"

#include "trainscape/error.hpp"

namespace trainscape::ripple {

namespace {
constexpr double kPi = 3.14159265358979323846;

/// g'(u) = (u^2 - 6) sin u - 6 u cos u.
double curvature_shape_slope(double u) { return (u * u - 6.0) * std::sin(u) - 6.0 * u * std::cos(u); }

/// A root of g' in [a, b], where g' changes sign, bisected until the bracket cannot shrink.
double slope_root(double a, double b) {
  double fa = curvature_shape_slope(a);
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (a + b);
    if (m <= a || m >= b) break;
    const double fm = curvature_shape_slope(m);
    if ((fm < 0.0) == (fa < 0.0)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}

/// One optimizer update of one coordinate (docs/optimizers.md#optimizers), in the order the
/// network engines use: `rate` is lr s(t), `step` the 1-based t.
/// One optimizer update of one coordinate (docs/optimizers.md#optimizers), in the order the
/// network engines use: `rate` is lr s(t), `step` the 1-based t.
template <class S>
void update(Optimizer opt, bool decay, S wd, S beta, S b1, S b2, S eps, S bc1, S bc2, S rate, S g, S& x, S& first,
            S& second) {
  using std::sqrt;  // and detail::sqrt for Dual, by argument-dependent lookup
  if (decay && opt != Optimizer::AdamW) g = g + wd * x;
  switch (opt) {
    case Optimizer::Gd: x = x - rate * g; break;
    case Optimizer::Momentum:
      first = beta * first + g;
      x = x - rate * first;
      break;
    case Optimizer::Nesterov:
      first = beta * first + g;
      x = x - rate * (g + beta * first);
      break;
    case Optimizer::Adam:
    case Optimizer::AdamW:
      if (decay && opt == Optimizer::AdamW) x = x * (S(1) - rate * wd);
      first = b1 * first + (S(1) - b1) * g;
      second = b2 * second + (S(1) - b2) * (g * g);
      x = x - rate * ((first / bc1) / (sqrt(second / bc2) + eps));
      break;
  }
}

/// One training run of the toy loss in scalar type S (float, double, or detail::Dual for the
/// Lyapunov channel's exact tangent map; the run interface of detail/tangent.hpp).
template <class S>
struct Run {
  using Block = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  const Problem& p;
  PixelHyperparameters h;
  Block x, first, second;  // p.dim x 1 each; first and second are the optimizer's state
  S delta, k, lr, wd, beta, b1, b2, eps;
  bool decay, adam;

  Run(const Problem& problem, const HyperPoint& point)
      : p(problem),
        h(pixel_hyperparameters(problem, point)),
        x(problem.dim, 1),
        first(Block::Zero(problem.dim, 1)),
        second(Block::Zero(problem.dim, 1)),
        delta(static_cast<S>(h.delta)),
        k(static_cast<S>(2.0 * kPi / h.wavelength)),
        lr(static_cast<S>(h.lr[0])),
        wd(static_cast<S>(h.weight_decay)),
        beta(static_cast<S>(h.momentum)),
        b1(static_cast<S>(h.adam_beta1)),
        b2(static_cast<S>(h.adam_beta2)),
        eps(static_cast<S>(h.adam_eps)),
        decay(has_weight_decay(problem)),
        adam(problem.optimizer == Optimizer::Adam || problem.optimizer == Optimizer::AdamW) {
    for (int i = 0; i < p.dim; ++i)
      x(i) = static_cast<S>(p.x0.size() == 1 ? p.x0[0] : p.x0[static_cast<std::size_t>(i)]);
  }

  /// Step t (0-based): the loss before the update (returned), then the update.
  S advance(int t) {
    using std::cos;  // and detail::cos / sin for Dual, by argument-dependent lookup
    using std::sin;
    S loss = S(0);
    for (int i = 0; i < p.dim; ++i) loss += x(i) * x(i) * (S(1) + delta * cos(k * x(i)));
    const S rate = p.schedule == Schedule::Constant
                       ? lr
                       : lr * static_cast<S>(schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps));
    S bc1 = S(1), bc2 = S(1);
    if (adam) {
      bc1 = static_cast<S>(1.0 - std::pow(h.adam_beta1, static_cast<double>(t + 1)));
      bc2 = static_cast<S>(1.0 - std::pow(h.adam_beta2, static_cast<double>(t + 1)));
    }
    for (int i = 0; i < p.dim; ++i) {
      const S xi = x(i), kx = k * xi;
      const S g = S(2) * xi * (S(1) + delta * cos(kx)) - delta * k * xi * xi * sin(kx);
      update<S>(p.optimizer, decay, wd, beta, b1, b2, eps, bc1, bc2, rate, g, x(i), first(i), second(i));
    }
    return loss;
  }

  /// The state the training map acts on, in the network engines' order: x, then the first
  /// moments (momentum, nesterov, adam, adamw), then the second (adam, adamw).
  template <class F>
  void for_each_block(F&& f) {
    f(x);
    if (p.optimizer != Optimizer::Gd) f(first);
    if (adam) f(second);
  }
};

/// Trains one pixel: the loss of every step and, when `channels` is given, the channels the
/// problem asks for (lyapunov along the run; sharpness at its end).
template <class S>
std::vector<double> train_in(const Problem& p, const HyperPoint& point, PixelOutcome* channels = nullptr) {
  Run<S> run(p, point);
  const bool lyapunov = channels != nullptr && p.channels.lyapunov;
  std::unique_ptr<Run<detail::Dual>> dual;
  detail::Tangent tangent;
  if (lyapunov) {
    dual = std::make_unique<Run<detail::Dual>>(p, point);
    tangent = detail::start_tangent(run);
  }
  std::vector<double> losses(static_cast<std::size_t>(p.steps));
  for (int t = 0; t < p.steps; ++t) {
    if (lyapunov && tangent.live) detail::propagate_tangent(run, *dual, t, tangent);
    losses[static_cast<std::size_t>(t)] = static_cast<double>(run.advance(t));
  }
  if (lyapunov) channels->lyapunov = tangent.exponent();
  if (channels != nullptr && p.channels.sharpness) {
    // The Hessian is diagonal, diag f''(x_i): its largest eigenvalue is the largest entry,
    // exactly (no power iteration needed). NaN once any coordinate is not finite.
    double largest = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < p.dim; ++i) {
      const double xi = static_cast<double>(run.x(i));
      if (!std::isfinite(xi)) {
        largest = std::numeric_limits<double>::quiet_NaN();
        break;
      }
      largest = std::max(largest, coordinate_curvature(xi, run.h.delta, run.h.wavelength));
    }
    channels->sharpness = largest;
    channels->edge_of_stability = run.h.lr[0] * largest / 2.0;
  }
  return losses;
}
}  // namespace

double coordinate_loss(double x, double delta, double wavelength) {
  return x * x * (1.0 + delta * std::cos(2.0 * kPi / wavelength * x));
}

double coordinate_gradient(double x, double delta, double wavelength) {
  const double k = 2.0 * kPi / wavelength;
  return 2.0 * x * (1.0 + delta * std::cos(k * x)) - delta * k * x * x * std::sin(k * x);
}

double curvature_shape(double u) { return (2.0 - u * u) * std::cos(u) - 4.0 * u * std::sin(u); }

double coordinate_curvature(double x, double delta, double wavelength) {
  return 2.0 + delta * curvature_shape(2.0 * kPi / wavelength * x);
}

ConvexDeltas convex_deltas(double u_max) {
  if (!(u_max >= 0.0 && u_max <= 1e6)) {
    throw Error(ExitCode::Internal, "ripple::convex_deltas: u_max must be in [0, 1e6]");
  }
  // g is even, so |u| <= u_max reduces to [0, u_max]; its extremes there lie at 0, at u_max or at
  // roots of g' (g'(0) = 0 as well).
  double g_max = curvature_shape(0.0), g_min = g_max;
  const auto consider = [&](double u) {
    const double g = curvature_shape(u);
    g_max = std::max(g_max, g);
    g_min = std::min(g_min, g);
  };
  consider(u_max);
  const double step = 1.0 / 64.0;
  double a = 0.0, slope_a = curvature_shape_slope(0.0);
  while (a < u_max) {
    const double b = std::min(u_max, a + step);
    const double slope_b = curvature_shape_slope(b);
    if ((slope_a < 0.0) != (slope_b < 0.0)) consider(slope_root(a, b));
    a = b;
    slope_a = slope_b;
  }
  ConvexDeltas out;
  out.lo = -2.0 / g_max;
  out.hi = g_min < 0.0 ? 2.0 / -g_min : std::numeric_limits<double>::infinity();
  return out;
}

std::vector<double> loss_curve(const Problem& problem, const HyperPoint& point) {
  return problem.precision == Precision::Float32 ? train_in<float>(problem, point) : train_in<double>(problem, point);
}

PixelOutcome outcome(const Problem& problem, const HyperPoint& point) {
  PixelOutcome channels;
  const std::vector<double> losses = problem.precision == Precision::Float32
                                         ? train_in<float>(problem, point, &channels)
                                         : train_in<double>(problem, point, &channels);
  PixelOutcome out = convergence_measure(losses.data(), problem.steps);
  out.lyapunov = channels.lyapunov;
  out.sharpness = channels.sharpness;
  out.edge_of_stability = channels.edge_of_stability;
  return out;
}

}  // namespace trainscape::ripple
