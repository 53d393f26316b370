#pragma once
/// The training problem shared by every pixel of an image (docs/model.md#network,
/// docs/model.md#data, docs/model.md#initial-weights, docs/model.md#training-step): the network
/// shape, the data, the initial weights and the training schedule. Immutable once made; the
/// image varies only the two hyperparameters.
#include <Eigen/Dense>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The two axis values of one pixel, in the hyperparameters' own units (not log10): x sets
/// the x axis's parameter and y the y axis's (x_axis / y_axis below; for lr_vs_lr, x is the
/// learning rate of the even layers and y that of the odd layers).
struct HyperPoint {
  double x = 0.0;
  double y = 0.0;
};

struct Problem {
  /// Mlp trains the network below; RippleQuadratic the toy loss of docs/ripple.md (ripple.hpp),
  /// which reads only dim, delta, wavelength, x0 and the training settings. The network's
  /// arrays are still drawn for it (from the default model and data keys) so that run.h5 has
  /// one layout, but nothing reads them.
  ModelKind kind = ModelKind::Mlp;
  int dim = 1;                  ///< ripple_quadratic: number of parameters p
  double delta = 0.2;           ///< ripple_quadratic: ripple amplitude (an axis overrides it)
  double wavelength = 0.1;      ///< ripple_quadratic: ripple period (an axis overrides it)
  std::vector<double> x0{1.0};  ///< ripple_quadratic: start, one value for all or one per coordinate
  Nonlinearity nonlinearity = Nonlinearity::Tanh;
  int width = 16;      ///< hidden width n; the input dimension d equals n
  int depth = 2;       ///< number of weight matrices L >= 2
  int target_dim = 1;  ///< output dimension k
  int steps = 1000;    ///< gradient-descent steps T (losses recorded: T)
  Precision precision = Precision::Float64;
  PhaseSpaceKind phase_space = PhaseSpaceKind::LrVsLr;
  Readout readout = Readout::Loss;
  // The optimizer and its hyperparameters (docs/optimizers.md); an axis overrides its own.
  Optimizer optimizer = Optimizer::Gd;
  double momentum = 0.9;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  double weight_decay = 0.0;
  Schedule schedule = Schedule::Constant;
  int warmup_steps = 0;
  std::vector<double> lr{0.1};  ///< learning rates off-axis: one for all layers, or one per layer
  // The axes as configured (read through x_axis / y_axis below, which resolve the named kinds).
  AxisParam x_param = AxisParam::LrEven;
  int x_layer = 0;
  AxisScale x_scale = AxisScale::Log10;
  AxisParam y_param = AxisParam::LrOdd;
  int y_layer = 0;
  AxisScale y_scale = AxisScale::Log10;

  Eigen::MatrixXd X;                     ///< inputs, N x d, one example per row
  Eigen::MatrixXd Y;                     ///< targets, N x k
  std::vector<Eigen::MatrixXd> weights;  ///< initial W_0 (d x n), W_1..W_{L-2} (n x n), W_{L-1} (n x k)
  Eigen::MatrixXd probe;                 ///< probe input, 1 x d (used by readout: probe)
  /// Minibatch rows per step (steps x batch), the same for every pixel; empty = full batch.
  std::vector<std::vector<int>> minibatches;
  /// The extra per-pixel channels engines compute (output.channels; docs/channels.md). Not a
  /// setting of the training: it never changes measure, class or a trajectory.
  ChannelSet channels;

  int input_dim() const { return width; }
  int n_data() const { return static_cast<int>(X.rows()); }
  bool full_batch() const { return minibatches.empty(); }
};

/// The settings a Problem takes from its config, each listed once: calls
/// visit(name, problem_member, config_member) for each, in this fixed order. make_problem copies
/// them with it and run.h5 stores them with it (as /problem attributes named `name`: enums as
/// their to_string names, integers as int64), so a new setting cannot be left out of either.
/// P is Problem or const Problem, C RunConfig or const RunConfig.
template <class P, class C, class V>
void visit_settings(P& problem, C& config, V&& visit) {
  visit("nonlinearity", problem.nonlinearity, config.model.nonlinearity);
  visit("model_kind", problem.kind, config.model.kind);
  visit("dim", problem.dim, config.model.dim);
  visit("delta", problem.delta, config.model.delta);
  visit("wavelength", problem.wavelength, config.model.wavelength);
  visit("x0", problem.x0, config.model.x0);
  visit("width", problem.width, config.model.width);
  visit("depth", problem.depth, config.model.depth);
  visit("target_dim", problem.target_dim, config.model.target_dim);
  visit("steps", problem.steps, config.training.steps);
  visit("precision", problem.precision, config.training.precision);
  visit("phase_space", problem.phase_space, config.phase_space.kind);
  visit("readout", problem.readout, config.training.readout);
  visit("optimizer", problem.optimizer, config.training.optimizer);
  visit("momentum", problem.momentum, config.training.momentum);
  visit("adam_beta1", problem.adam_beta1, config.training.adam_beta1);
  visit("adam_beta2", problem.adam_beta2, config.training.adam_beta2);
  visit("adam_eps", problem.adam_eps, config.training.adam_eps);
  visit("weight_decay", problem.weight_decay, config.training.weight_decay);
  visit("schedule", problem.schedule, config.training.schedule);
  visit("warmup_steps", problem.warmup_steps, config.training.warmup_steps);
  visit("lr", problem.lr, config.training.lr);
  visit("x_param", problem.x_param, config.phase_space.x_param);
  visit("x_layer", problem.x_layer, config.phase_space.x_layer);
  visit("x_scale", problem.x_scale, config.phase_space.x_scale);
  visit("y_param", problem.y_param, config.phase_space.y_param);
  visit("y_layer", problem.y_layer, config.phase_space.y_layer);
  visit("y_scale", problem.y_scale, config.phase_space.y_scale);
}

/// The same for a Problem alone: visit(name, problem_member).
template <class P, class V>
void visit_settings(P& problem, V&& visit) {
  RunConfig unused;  // only its members' types matter here
  visit_settings(problem, unused, [&visit](const char* name, auto& setting, const auto&) { visit(name, setting); });
}

/// Builds the problem a valid config describes, drawing X, Y, the initial weights and the
/// minibatch indices from the config's generator and seed (random.hpp).
Problem make_problem(const RunConfig& config);

/// The two axes of the problem's images, the named kinds resolved (config.hpp, resolve_axis).
inline AxisSpec x_axis(const Problem& p) { return resolve_axis(p.phase_space, true, p.x_param, p.x_layer, p.x_scale); }
inline AxisSpec y_axis(const Problem& p) { return resolve_axis(p.phase_space, false, p.y_param, p.y_layer, p.y_scale); }
inline AxisScales axis_scales(const Problem& p) { return {x_axis(p).scale, y_axis(p).scale}; }

/// Every hyperparameter of one pixel (docs/optimizers.md#axes).
struct PixelHyperparameters {
  std::vector<double> lr;    ///< learning rate of each layer, before the schedule
  double init_scale = 1.0;   ///< multiplies every initial weight matrix (first)
  double init_offset = 0.0;  ///< then added to every entry of W_0, once
  /// Added to every entry of W_0 before every step (init_offset_every_step on an axis; then
  /// offset_every_step is true, even for a value of 0).
  double step_offset = 0.0;
  bool offset_every_step = false;
  double momentum = 0.9;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  double weight_decay = 0.0;
  double delta = 0.2;       ///< ripple_quadratic only
  double wavelength = 0.1;  ///< ripple_quadratic only
};

/// Sets the learning rates an lr-family axis covers (lr: every layer, lr.even, lr.odd, lr.L) to
/// `value` and returns true; returns false for any other axis. One copy for the three places that
/// map axes to hyperparameters (pixel_hyperparameters in double, and the perturbation engine's
/// quad-double values and float64 deviations), so they agree on which layers an axis sets.
template <class Rates, class T>
bool set_axis_learning_rates(const AxisSpec& axis, const T& value, Rates& lr) {
  const int layers = static_cast<int>(lr.size());
  switch (axis.param) {
    case AxisParam::Lr:
      for (int l = 0; l < layers; ++l) lr[l] = value;
      return true;
    case AxisParam::LrEven:
      for (int l = 0; l < layers; l += 2) lr[l] = value;
      return true;
    case AxisParam::LrOdd:
      for (int l = 1; l < layers; l += 2) lr[l] = value;
      return true;
    case AxisParam::LrLayer:
      if (axis.layer < layers) lr[axis.layer] = value;
      return true;
    default: return false;
  }
}

/// THE mapping from a pixel's two axis values (HyperPoint: values, not coordinates; see
/// axis_value in window.hpp for coordinates) to its hyperparameters: every hyperparameter takes
/// the problem's value, then the x axis sets its own, then the y axis. Used by both engines and
/// by every command that trains a point.
PixelHyperparameters pixel_hyperparameters(const Problem& problem, const HyperPoint& point);

/// True if W_0 moves by an offset before every step (init_offset_every_step on an axis).
inline bool offsets_every_step(const Problem& p) {
  return x_axis(p).param == AxisParam::InitOffsetEveryStep || y_axis(p).param == AxisParam::InitOffsetEveryStep;
}

/// True if the problem's pixels train with plain gradient descent on learning rates alone:
/// optimizer gd, no weight decay anywhere, and only learning rates on the axes (what the
/// batched engine's kernel path and saturated continuation need).
bool plain_gd_on_lr_axes(const Problem& p);

/// True if some pixel may have a non-zero weight decay (configured or on an axis).
bool has_weight_decay(const Problem& p);

/// The schedule factor s(t) of step t = 1 .. steps (docs/optimizers.md#schedules): constant 1;
/// cosine 0.5 (1 + cos(pi (t - 1) / T)); warmup_cosine t / W for t <= W, then
/// 0.5 (1 + cos(pi (t - W - 1) / (T - W))).
double schedule_factor(Schedule schedule, int t, int steps, int warmup_steps);

}  // namespace trainscape
