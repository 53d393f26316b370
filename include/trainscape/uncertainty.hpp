#pragma once
/// The uncertainty exponent of a config's window measured by training: random points and their
/// perturbed twins trained with an engine, fed to the Monte-Carlo estimator
/// (dimension/uncertainty_exponent.hpp). Sits beside the zoom driver because it trains.
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/dimension/uncertainty_exponent.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The estimator by training: the point (u, v) of `window` is the hyperparameter pair
/// x = 10^centre_x * 10^((2u - 1) half_x), y likewise (as Grid::value_x computes pixels), trained
/// with engine.train in calls of chunk * (1 + epsilons) points; "diverged" means measure >= 0 or
/// NaN, as for images. Epsilons whose log10 step 2 * half * eps is below
/// 10 * min_log10_spacing(problem.precision) are dropped (noted): the outcome cannot resolve them.
DimensionEstimate uncertainty_exponent(const Engine& engine, const Problem& problem, const Window& window,
                                       const UncertaintyOptions& options);

}  // namespace trainscape
