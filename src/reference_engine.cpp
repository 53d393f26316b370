#include "trainscape/reference_engine.hpp"

#include <cmath>

#include "trainscape/ripple.hpp"

namespace trainscape {

namespace {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// One network's weights and the per-layer constants, in scalar type S.
template <class S>
struct Network {
  const Problem& problem;
  std::vector<Mat<S>> weights;
  std::vector<S> scale;  ///< forward multiplier of layer l (docs/model.md#network)

  explicit Network(const Problem& p, const std::vector<Eigen::MatrixXd>& initial) : problem(p) {
    for (const auto& w : initial) weights.push_back(w.cast<S>());
    const int L = p.depth;
    for (int l = 0; l < L; ++l) {
      const S inv_sqrt_fan_in = S(1) / std::sqrt(S(initial[l].rows()));
      // The output layer is divided by sqrt(fan_in) twice: (H W / sqrt(n)) / sqrt(n).
      scale.push_back(l + 1 == L ? inv_sqrt_fan_in * inv_sqrt_fan_in : inv_sqrt_fan_in);
    }
  }
};

/// Activations kept by the forward pass for backpropagation: inputs[l] feeds layer l
/// (inputs[0] = X), pre[l] is layer l's scaled pre-activation, out the network output.
/// Buffers keep their sizes across steps, so a training loop allocates nothing after step 0.
template <class S>
struct ForwardPass {
  std::vector<Mat<S>> inputs;
  std::vector<Mat<S>> pre;
  Mat<S> out;
};

template <class S>
S activation(Nonlinearity f, S z) {
  const S sqrt2 = std::sqrt(S(2));
  switch (f) {
    case Nonlinearity::Tanh: return std::tanh(sqrt2 * z);
    case Nonlinearity::Relu: return z > S(0) ? sqrt2 * z : S(0);
    case Nonlinearity::Identity: return z;
  }
  return z;
}

/// d activation / dz at pre-activation z whose activation is h (tanh reuses h: no second tanh).
template <class S>
S activation_derivative(Nonlinearity f, S z, S h) {
  const S sqrt2 = std::sqrt(S(2));
  switch (f) {
    case Nonlinearity::Tanh: return sqrt2 * (S(1) - h * h);
    case Nonlinearity::Relu: return z > S(0) ? sqrt2 : S(0);
    case Nonlinearity::Identity: return S(1);
  }
  return S(1);
}

template <class S>
void forward(const Network<S>& net, const Mat<S>& X, ForwardPass<S>& fp) {
  const int L = net.problem.depth;
  const Nonlinearity f = net.problem.nonlinearity;
  fp.inputs.resize(static_cast<std::size_t>(L));
  fp.pre.resize(static_cast<std::size_t>(L - 1));
  fp.inputs[0] = X;
  for (int l = 0; l + 1 < L; ++l) {
    fp.pre[l].noalias() = net.scale[l] * (fp.inputs[l] * net.weights[l]);
    fp.inputs[l + 1] = fp.pre[l].unaryExpr([f](S v) { return activation(f, v); });
  }
  fp.out.noalias() = net.scale[L - 1] * (fp.inputs[L - 1] * net.weights[L - 1]);
}

/// mean over all entries of (out - Y)^2
template <class S>
S mean_squared_error(const Mat<S>& out, const Mat<S>& Y) {
  return (out - Y).squaredNorm() / S(out.size());
}

/// Scratch for backpropagation, reused across steps.
template <class S>
struct BackwardScratch {
  Mat<S> delta;    ///< d loss / d (pre-activation) of the current layer
  Mat<S> d_input;  ///< d loss / d (input) of the current layer
};

/// grads[l] = d loss / d W_l for the loss mean((out - Y)^2) over the rows of this forward pass.
template <class S>
void backward(const Network<S>& net, const ForwardPass<S>& fp, const Mat<S>& Y, BackwardScratch<S>& scratch,
              std::vector<Mat<S>>& grads) {
  const int L = net.problem.depth;
  const Nonlinearity f = net.problem.nonlinearity;
  grads.resize(static_cast<std::size_t>(L));
  scratch.delta = (fp.out - Y) * (S(2) / S(fp.out.size()));  // d loss / d out
  for (int l = L - 1; l >= 0; --l) {
    grads[l].noalias() = net.scale[l] * (fp.inputs[l].transpose() * scratch.delta);
    if (l == 0) break;
    // d loss / d inputs[l], then through the activation of layer l-1
    scratch.d_input.noalias() = net.scale[l] * (scratch.delta * net.weights[l].transpose());
    scratch.delta = scratch.d_input.binaryExpr(
        fp.pre[l - 1].binaryExpr(fp.inputs[l], [f](S z, S h) { return activation_derivative(f, z, h); }),
        [](S d, S g) { return d * g; });
  }
}

template <class S>
void select_rows(const Mat<S>& m, const std::vector<int>& rows, Mat<S>& out) {
  out.resize(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
}

/// The optimizer's state of one network: b (momentum, nesterov) or m and v (adam, adamw), per
/// layer, shaped like the weights and starting at zero.
template <class S>
struct OptimizerState {
  std::vector<Mat<S>> first;   ///< b, or m
  std::vector<Mat<S>> second;  ///< v
};

/// One update of layer l (docs/optimizers.md#optimizers), written plainly, element by element
/// in the order the batched engine also uses: `rate` is lr_l s(t) and `step` the 1-based t.
template <class S>
void update_layer(const Problem& p, const PixelHyperparameters& h, int step, S rate, bool decay, Mat<S>& W,
                  const Mat<S>& grad, Mat<S>* first, Mat<S>* second) {
  const S wd = static_cast<S>(h.weight_decay);
  const Optimizer opt = p.optimizer;
  const bool coupled = decay && opt != Optimizer::AdamW;
  S beta = static_cast<S>(h.momentum);
  S b1 = static_cast<S>(h.adam_beta1), b2 = static_cast<S>(h.adam_beta2), eps = static_cast<S>(h.adam_eps);
  S bc1 = S(1), bc2 = S(1);
  if (opt == Optimizer::Adam || opt == Optimizer::AdamW) {
    bc1 = static_cast<S>(1.0 - std::pow(h.adam_beta1, static_cast<double>(step)));
    bc2 = static_cast<S>(1.0 - std::pow(h.adam_beta2, static_cast<double>(step)));
  }
  for (Eigen::Index j = 0; j < W.cols(); ++j) {
    for (Eigen::Index i = 0; i < W.rows(); ++i) {
      S& w = W(i, j);
      S g = grad(i, j);
      if (coupled) g = g + wd * w;
      switch (opt) {
        case Optimizer::Gd: w = w - rate * g; break;
        case Optimizer::Momentum: {
          S& b = (*first)(i, j);
          b = beta * b + g;
          w = w - rate * b;
          break;
        }
        case Optimizer::Nesterov: {
          S& b = (*first)(i, j);
          b = beta * b + g;
          w = w - rate * (g + beta * b);
          break;
        }
        case Optimizer::Adam:
        case Optimizer::AdamW: {
          if (decay && opt == Optimizer::AdamW) w = w * (S(1) - rate * wd);
          S& m = (*first)(i, j);
          S& v = (*second)(i, j);
          m = b1 * m + (S(1) - b1) * g;
          v = b2 * v + (S(1) - b2) * (g * g);
          w = w - rate * ((m / bc1) / (std::sqrt(v / bc2) + eps));
          break;
        }
      }
    }
  }
}

/// The loss of every step and, when asked, the network's first output at the probe input after
/// the last step.
template <class S>
std::vector<double> train_in(const Problem& p, const HyperPoint& point, double* probe_output) {
  const PixelHyperparameters h = pixel_hyperparameters(p, point);
  Network<S> net(p, p.weights);
  const Mat<S> X = p.X.cast<S>();
  const Mat<S> Y = p.Y.cast<S>();
  std::vector<S> learning_rate;
  for (int l = 0; l < p.depth; ++l) learning_rate.push_back(static_cast<S>(h.lr[static_cast<std::size_t>(l)]));
  // Initialisation: scale every matrix (only when init_scale is on an axis: x * 1 keeps -0 and
  // NaN as they are anyway, but the named kinds then run exactly their old operations), then
  // add the offset to W_0.
  if (x_axis(p).param == AxisParam::InitScale || y_axis(p).param == AxisParam::InitScale) {
    for (auto& w : net.weights) w *= static_cast<S>(h.init_scale);
  }
  if (x_axis(p).param == AxisParam::InitOffset || y_axis(p).param == AxisParam::InitOffset) {
    net.weights[0].array() += static_cast<S>(h.init_offset);
  }
  const S step_offset = static_cast<S>(h.step_offset);
  const bool decay = has_weight_decay(p);
  OptimizerState<S> state;
  if (p.optimizer != Optimizer::Gd) {
    for (const auto& w : net.weights) {
      state.first.push_back(Mat<S>::Zero(w.rows(), w.cols()));
      if (p.optimizer == Optimizer::Adam || p.optimizer == Optimizer::AdamW) {
        state.second.push_back(Mat<S>::Zero(w.rows(), w.cols()));
      }
    }
  }

  ForwardPass<S> full, batch;
  BackwardScratch<S> scratch;
  std::vector<Mat<S>> grads;
  Mat<S> Xb, Yb;
  std::vector<double> losses(static_cast<std::size_t>(p.steps));
  for (int t = 0; t < p.steps; ++t) {
    // The notebook's reading: the offset is added again before every step's loss and gradient.
    if (h.offset_every_step) net.weights[0].array() += step_offset;
    forward(net, X, full);
    losses[t] = static_cast<double>(mean_squared_error(full.out, Y));
    if (p.full_batch()) {
      backward(net, full, Y, scratch, grads);
    } else {
      select_rows(X, p.minibatches[t], Xb);
      select_rows(Y, p.minibatches[t], Yb);
      forward(net, Xb, batch);
      backward(net, batch, Yb, scratch, grads);
    }
    if (p.optimizer == Optimizer::Gd && !decay && p.schedule == Schedule::Constant) {
      // The paper's update, as it always was.
      for (int l = 0; l < p.depth; ++l) net.weights[l] -= learning_rate[l] * grads[l];
      continue;
    }
    const S factor = static_cast<S>(schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps));
    for (int l = 0; l < p.depth; ++l) {
      const S rate = p.schedule == Schedule::Constant ? learning_rate[l] : learning_rate[l] * factor;
      update_layer<S>(p, h, t + 1, rate, decay, net.weights[l], grads[l],
                      state.first.empty() ? nullptr : &state.first[l],
                      state.second.empty() ? nullptr : &state.second[l]);
    }
  }
  if (probe_output) {
    ForwardPass<S> probe;
    forward(net, Mat<S>(p.probe.cast<S>()), probe);
    *probe_output = static_cast<double>(probe.out(0, 0));
  }
  return losses;
}

template <class S>
PixelOutcome outcome_in(const Problem& p, const HyperPoint& point) {
  double probe_output = 0.0;
  const bool probe = p.readout == Readout::Probe;
  const std::vector<double> losses = train_in<S>(p, point, probe ? &probe_output : nullptr);
  PixelOutcome out = convergence_measure(losses.data(), p.steps);
  if (probe) out.measure = probe_output;
  return out;
}

}  // namespace

namespace reference {

std::vector<double> loss_curve(const Problem& problem, const HyperPoint& point) {
  if (problem.kind == ModelKind::RippleQuadratic) return ripple::loss_curve(problem, point);
  return problem.precision == Precision::Float32 ? train_in<float>(problem, point, nullptr)
                                                 : train_in<double>(problem, point, nullptr);
}

PixelOutcome outcome(const Problem& problem, const HyperPoint& point) {
  if (problem.kind == ModelKind::RippleQuadratic) return ripple::outcome(problem, point);
  return problem.precision == Precision::Float32 ? outcome_in<float>(problem, point)
                                                 : outcome_in<double>(problem, point);
}

double loss_and_gradients(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights,
                          std::vector<Eigen::MatrixXd>* gradients) {
  Network<double> net(problem, weights);
  ForwardPass<double> fp;
  forward(net, problem.X, fp);
  const double loss = mean_squared_error(fp.out, problem.Y);
  if (gradients) {
    BackwardScratch<double> scratch;
    backward(net, fp, problem.Y, scratch, *gradients);
  }
  return loss;
}

}  // namespace reference

void ReferenceEngine::train(const Problem& problem, const HyperPoint* points, std::size_t count,
                            PixelOutcome* out) const {
  for (std::size_t i = 0; i < count; ++i) out[i] = reference::outcome(problem, points[i]);
}

void ReferenceEngine::train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count,
                                        PixelOutcome* out, const std::atomic<bool>& cancel) const {
  // One pixel at a time: a check per pixel is a few milliseconds apart.
  for (std::size_t i = 0; i < count && !cancel.load(std::memory_order_relaxed); ++i) {
    out[i] = reference::outcome(problem, points[i]);
  }
}

}  // namespace trainscape
