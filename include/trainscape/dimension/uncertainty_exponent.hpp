#pragma once
/// The Monte-Carlo uncertainty exponent (docs/dimension.md) of any outcome function on the unit
/// square. Pure computation: the outcome is a callback; uncertainty.hpp supplies one that trains.
#include <cstddef>
#include <cstdint>
#include <functional>
#include "trainscape/dimension/estimate.hpp"

namespace trainscape {

// ---- the Monte-Carlo uncertainty exponent (docs/dimension.md#uncertainty-exponent) ---------------

/// Options of the Monte-Carlo estimator. Coordinates are normalised: the window is [0,1]^2 in
/// its log10 axes, so epsilon is a fraction of the window's width (and height).
struct UncertaintyOptions {
  std::int64_t points = 100000;  ///< budget of base points M (>= 1)
  /// Epsilon ladder 10^eps_max_exp, 10^(eps_max_exp - 1/per_decade), ... down to 10^eps_min_exp
  /// (at most 63 values). Epsilons below the outcome's numerical resolution are dropped.
  double eps_max_exp = -1.0;
  double eps_min_exp = -7.0;
  int eps_per_decade = 2;
  /// The fit uses epsilons <= 10^fit_max_exp (beyond, f saturates and the window edge matters)
  /// with at least min_uncertain uncertain points each.
  double fit_max_exp = -1.5;
  std::int64_t min_uncertain = 20;
  /// A dimension is reported only with at least min_eps fitted epsilons spanning min_decades.
  int min_eps = 5;
  double min_decades = 2.5;
  /// Sampling stops early, at a round boundary, once every epsilon of the ladder has this many
  /// uncertain points (0 = always use the whole budget).
  std::int64_t target_uncertain = 400;
  /// Base points per evaluation call (each call evaluates chunk * (1 + epsilons) points), and
  /// calls per round; rounds are the same for any thread count.
  int chunk = 256;
  int chunks_per_round = 16;
  int threads = 0;  ///< 0 = all cores; never changes a result bit
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 0;  ///< base points, directions and bootstrap are pure functions of it
  /// Called on the calling thread after each round with (base points done, budget); return
  /// false to stop sampling (the estimate then uses the points so far, and says so in note).
  std::function<bool(std::int64_t, std::int64_t)> progress;
};

/// The outcome at a point (u, v) of the normalised window (u, v may lie slightly outside
/// [0,1]^2): true = diverged (the "set" phase). Must be safe to call concurrently.
using PhaseFunction = std::function<bool(double u, double v)>;
/// Batch form: out[i] = outcome at (u[i], v[i]) (non-zero = diverged). Called concurrently on
/// disjoint outputs.
using BatchPhaseFunction = std::function<void(const double* u, const double* v, std::size_t n, std::uint8_t* out)>;

/// The estimator on any outcome (docs/dimension.md#uncertainty-exponent): base points uniform in
/// [0,1]^2, each compared with one twin per epsilon at distance epsilon in a random direction
/// (the same direction for every epsilon); f(eps) = n_u(eps) / M; weighted least squares of ln f
/// on ln eps with weights n_u; D = 2 - slope; CI: Poisson bootstrap over base points (each keeps
/// its whole row of outcomes), percentile interval. Epsilons below `eps_floor` (a window
/// fraction) are not evaluated.
/// `local` holds 2 - (local slope) between neighbouring epsilons; `systematic` is half the
/// spread of D when the largest or the smallest fitted epsilon is left out (diagnostic; not in
/// the CI). Exceptions thrown by `phase` are rethrown.
DimensionEstimate uncertainty_exponent_batch(const BatchPhaseFunction& phase, const UncertaintyOptions& options,
                                             double eps_floor = 0.0);
DimensionEstimate uncertainty_exponent(const PhaseFunction& phase, const UncertaintyOptions& options);

}  // namespace trainscape
