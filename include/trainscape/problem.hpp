#pragma once
/// The training problem shared by every pixel of an image (docs/model.md#network,
/// docs/model.md#data, docs/model.md#initial-weights, docs/model.md#training-step): the network
/// shape, the data, the initial weights and the training schedule. Immutable once made; the
/// image varies only the two hyperparameters.
#include <Eigen/Dense>
#include <vector>

#include "trainscape/config.hpp"

namespace trainscape {

struct Problem {
  Nonlinearity nonlinearity = Nonlinearity::Tanh;
  int width = 16;      ///< hidden width n; the input dimension d equals n
  int depth = 2;       ///< number of weight matrices L >= 2
  int target_dim = 1;  ///< output dimension k
  int steps = 1000;    ///< gradient-descent steps T (losses recorded: T)
  Precision precision = Precision::Float64;
  PhaseSpaceKind phase_space = PhaseSpaceKind::LrVsLr;
  Readout readout = Readout::Loss;

  Eigen::MatrixXd X;                     ///< inputs, N x d, one example per row
  Eigen::MatrixXd Y;                     ///< targets, N x k
  std::vector<Eigen::MatrixXd> weights;  ///< initial W_0 (d x n), W_1..W_{L-2} (n x n), W_{L-1} (n x k)
  Eigen::MatrixXd probe;                 ///< probe input, 1 x d (used by readout: probe)
  /// Minibatch rows per step (steps x batch), the same for every pixel; empty = full batch.
  std::vector<std::vector<int>> minibatches;

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
  visit("width", problem.width, config.model.width);
  visit("depth", problem.depth, config.model.depth);
  visit("target_dim", problem.target_dim, config.model.target_dim);
  visit("steps", problem.steps, config.training.steps);
  visit("precision", problem.precision, config.training.precision);
  visit("phase_space", problem.phase_space, config.phase_space.kind);
  visit("readout", problem.readout, config.training.readout);
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

/// Learning rate of layer `layer` for a pixel whose two hyperparameters are (x, y): in lr_vs_lr,
/// layer i uses x when i is even and y when i is odd (docs/model.md#phase-spaces:
/// hparams[i mod 2]; for L = 2, x drives W_0 and y drives W_1); in the offset phase spaces every
/// layer uses y.
inline double layer_learning_rate(PhaseSpaceKind kind, int layer, double x, double y) {
  if (kind != PhaseSpaceKind::LrVsLr) return y;
  return layer % 2 == 0 ? x : y;
}

/// The offset added to every entry of W_0 for a pixel with hyperparameters (x, y): x in the
/// offset phase spaces, 0 in lr_vs_lr.
inline double w0_offset(PhaseSpaceKind kind, double x) { return kind == PhaseSpaceKind::LrVsLr ? 0.0 : x; }

}  // namespace trainscape
