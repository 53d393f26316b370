#pragma once
/// Internal to the perturbation engine: training one network in quad-double (the oracle and
/// the references) and the reference's trajectory, rounded to double, that the float64
/// deviations follow (docs/deep-zoom.md#perturbation). Only src/perturbation*.cpp include it.
#include <Eigen/Dense>
#include <vector>

#include "trainscape/perturbation.hpp"

namespace trainscape::deep {

/// sum over the last kConvergenceTailSteps steps of (l_t - l_0), whose sign is the class
/// (docs/deep-zoom.md#the-class-at-depth), held to quad-double; `known` is false when a loss of
/// the run is not finite or its ratio reaches the clamp (the double rule then decides).
struct TailExcess {
  bool known = false;
  Wide value;
};

/// The outcome of a loss curve whose tail excess is known more precisely than the doubles
/// `losses` tell it: convergence_measure, with the class taken from the excess's sign where
/// the excess is known and the curve's tail is finite and below the clamp.
PixelOutcome outcome_with_tail(const std::vector<double>& losses, int steps, const TailExcess& tail);

/// Whether the double losses' tail (and l_0) are finite with ratios below the clamp, so that
/// the class is the sign of the tail excess.
bool plain_tail(const std::vector<double>& losses, int steps);

/// Everything the deviation recurrences need from the reference at each step t (before update
/// t), each value the quad-double one correctly rounded to double. Layers l = 0 .. L-2 are the
/// hidden ones: pre[t][l] = Z*_l (N x n), act[t][l] = H*_{l+1} = phi(Z*_l) and, for tanh only,
/// sech2[t][l] = sech^2(sqrt(2) Z*_l).
struct ReferenceTrajectory {
  /// Steps 0 .. finite_steps-1 hold finite data; from finite_steps on the reference's loss or
  /// weights were not finite and nothing is recorded.
  int finite_steps = 0;
  std::vector<double> loss;                             ///< l*_t, every step (non-finite ones too)
  TailExcess tail;                                      ///< sum of l*_t - l*_0 over the tail
  std::vector<std::vector<Eigen::MatrixXd>> weights;    ///< W*_l used at step t (after a step offset)
  std::vector<std::vector<Eigen::MatrixXd>> gradients;  ///< g*_l of step t (batch rows)
  std::vector<std::vector<double>> weight_norm2;        ///< ||W*_l||_F^2
  std::vector<Eigen::MatrixXd> residual;                ///< F* - Y on the full data (N x k)
  std::vector<std::vector<Eigen::MatrixXd>> pre, act, sech2;
  /// The reference's hyperparameters (rounded): the deviations are taken from these.
  std::vector<double> lr;     ///< per layer, before the schedule
  double axis_value_x = 0.0;  ///< the x axis's value at the reference (10^coordinate on log10)
  double axis_value_y = 0.0;
  double step_offset = 0.0;  ///< added to W_0 before every step (init_offset_every_step axis)
};

/// Trains the pixel at axis coordinates (x, y) in quad-double and returns its losses rounded to
/// double; fills `record` (if not null) with its trajectory and `tail` (if not null) with its
/// tail excess.
std::vector<double> train_quad_double(const Problem& problem, const Wide& x, const Wide& y, ReferenceTrajectory* record,
                                      TailExcess* tail = nullptr);

}  // namespace trainscape::deep
