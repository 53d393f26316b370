#include "trainscape/problem.hpp"

#include <cmath>

#include "trainscape/random.hpp"

namespace trainscape {

namespace {
Eigen::MatrixXd to_eigen(const DrawnMatrix& m) {
  Eigen::MatrixXd out(m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) out(r, c) = m.values[static_cast<std::size_t>(r) * m.cols + c];
  }
  return out;
}
}  // namespace

Problem make_problem(const RunConfig& config) {
  Problem p;
  visit_settings(p, config,
                 [](const char* /*name*/, auto& setting, const auto& from_config) { setting = from_config; });

  std::vector<std::pair<int, int>> shapes;
  shapes.emplace_back(p.input_dim(), p.width);
  for (int l = 1; l + 1 < p.depth; ++l) shapes.emplace_back(p.width, p.width);
  shapes.emplace_back(p.width, p.target_dim);

  const int n_data = dataset_size(config.model, config.data);
  const auto rng = make_randomness(config.data);
  const ProblemDraw draw = rng->draw_problem(shapes, n_data, p.input_dim(), p.target_dim);
  for (const auto& w : draw.weights) p.weights.push_back(to_eigen(w));
  p.X = to_eigen(draw.inputs);
  p.Y = to_eigen(draw.targets);
  p.probe = to_eigen(rng->probe_input(p.input_dim()));
  if (!config.training.batch.full) {
    p.minibatches = rng->minibatch_indices(p.steps, config.training.batch.size, n_data);
  }
  p.channels = channel_set(config.output);
  return p;
}

namespace {
/// Sets the hyperparameter `axis` names to `value`.
void apply_axis(const AxisSpec& axis, double value, PixelHyperparameters& h) {
  if (set_axis_learning_rates(axis, value, h.lr)) return;
  switch (axis.param) {
    case AxisParam::Lr:
    case AxisParam::LrEven:
    case AxisParam::LrOdd:
    case AxisParam::LrLayer: break;  // set above
    case AxisParam::InitOffset: h.init_offset = value; break;
    case AxisParam::InitOffsetEveryStep:
      h.step_offset = value;
      h.offset_every_step = true;
      break;
    case AxisParam::InitScale: h.init_scale = value; break;
    case AxisParam::Momentum: h.momentum = value; break;
    case AxisParam::AdamBeta1: h.adam_beta1 = value; break;
    case AxisParam::AdamBeta2: h.adam_beta2 = value; break;
    case AxisParam::AdamEps: h.adam_eps = value; break;
    case AxisParam::WeightDecay: h.weight_decay = value; break;
    case AxisParam::Delta: h.delta = value; break;
    case AxisParam::Wavelength: h.wavelength = value; break;
  }
}

bool is_lr_param(AxisParam p) {
  return p == AxisParam::Lr || p == AxisParam::LrEven || p == AxisParam::LrOdd || p == AxisParam::LrLayer;
}
}  // namespace

PixelHyperparameters pixel_hyperparameters(const Problem& p, const HyperPoint& point) {
  PixelHyperparameters h;
  h.lr.resize(static_cast<std::size_t>(p.depth));
  for (int l = 0; l < p.depth; ++l) h.lr[l] = p.lr.size() == 1 ? p.lr[0] : p.lr[static_cast<std::size_t>(l)];
  h.momentum = p.momentum;
  h.adam_beta1 = p.adam_beta1;
  h.adam_beta2 = p.adam_beta2;
  h.adam_eps = p.adam_eps;
  h.weight_decay = p.weight_decay;
  h.delta = p.delta;
  h.wavelength = p.wavelength;
  apply_axis(x_axis(p), point.x, h);
  apply_axis(y_axis(p), point.y, h);
  return h;
}

bool plain_gd_on_lr_axes(const Problem& p) {
  return p.optimizer == Optimizer::Gd && !has_weight_decay(p) && is_lr_param(x_axis(p).param) &&
         is_lr_param(y_axis(p).param);
}

bool has_weight_decay(const Problem& p) {
  return p.weight_decay != 0.0 || x_axis(p).param == AxisParam::WeightDecay ||
         y_axis(p).param == AxisParam::WeightDecay;
}

double schedule_factor(Schedule schedule, int t, int steps, int warmup_steps) {
  const double pi = 3.14159265358979323846;
  switch (schedule) {
    case Schedule::Constant: return 1.0;
    case Schedule::Cosine: return 0.5 * (1.0 + std::cos(pi * (t - 1) / steps));
    case Schedule::WarmupCosine:
      if (t <= warmup_steps) return static_cast<double>(t) / warmup_steps;
      return 0.5 * (1.0 + std::cos(pi * (t - warmup_steps - 1) / (steps - warmup_steps)));
  }
  return 1.0;
}

}  // namespace trainscape
