#pragma once
/// The reference engine: one network at a time, plain Eigen, written to be obviously correct.
/// It is the oracle every faster engine is tested against and stays in the tree forever.
#include <vector>

#include "trainscape/engine.hpp"

namespace trainscape {

class ReferenceEngine final : public Engine {
 public:
  const char* name() const override { return "reference"; }
  void train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out) const override;
  void train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
                         const std::atomic<bool>& cancel) const override;
};

namespace reference {

/// The loss of every step t = 0 .. T-1 (before update t) of training from the problem's
/// initial weights with the pixel's hyperparameters (pixel_hyperparameters(problem, point)), in
/// the problem's precision, widened to double: the problem's optimizer, weight decay and schedule
/// (docs/optimizers.md), full batch or the problem's minibatch rows for the gradient (the
/// recorded loss is always the full-batch loss). init_scale multiplies the initial weights, then
/// init_offset is added to W_0 once; an init_offset_every_step axis adds its value to W_0 before
/// every step (the loss of step t is taken after that step's addition).
std::vector<double> loss_curve(const Problem& problem, const HyperPoint& point);

/// One pixel's outcome: the convergence measure of loss_curve, or with readout: probe the
/// network's first output at problem.probe after the last step (class still from the losses).
PixelOutcome outcome(const Problem& problem, const HyperPoint& point);

/// The channels lyapunov, sharpness and edge_of_stability of one pixel, those problem.channels
/// asks for (the others NaN; measure, class and divergence_step are left at their defaults):
/// what outcome() adds to its result, computed along the same trajectory (docs/channels.md).
/// The batched engine calls this for the pixels of a run with those channels.
PixelOutcome extra_channels(const Problem& problem, const HyperPoint& point);

/// The weights after the last step (widened to float64).
std::vector<Eigen::MatrixXd> trained_weights(const Problem& problem, const HyperPoint& point);

/// The exact Hessian-vector product H v of the full-batch loss at `weights` (forward-mode
/// derivative of backpropagation), in float64; v and the result are shaped like the weights.
std::vector<Eigen::MatrixXd> hessian_vector_product(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights,
                                                    const std::vector<Eigen::MatrixXd>& v);

/// The largest eigenvalue of that Hessian (largest_eigenvalue in channels.hpp); NaN for
/// non-finite weights.
double sharpness(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights);

/// Full-batch loss mean((out - Y)^2) at `weights` (same shapes as problem.weights), in float64,
/// and, if `gradients` is not null, d loss / d W_l for every layer (backpropagation).
double loss_and_gradients(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights,
                          std::vector<Eigen::MatrixXd>* gradients);

}  // namespace reference
}  // namespace trainscape
