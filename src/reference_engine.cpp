#include "trainscape/reference_engine.hpp"

#include <cmath>
#include <algorithm>
#include <limits>
#include <memory>

#include "detail/dual.hpp"
#include "detail/tangent.hpp"
#include "trainscape/channels.hpp"

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
      using std::sqrt;
      const S inv_sqrt_fan_in = S(1) / sqrt(S(initial[l].rows()));
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
  using std::sqrt;
  using std::tanh;
  const S sqrt2 = sqrt(S(2));
  switch (f) {
    case Nonlinearity::Tanh: return tanh(sqrt2 * z);
    case Nonlinearity::Relu: return z > S(0) ? sqrt2 * z : S(0);
    case Nonlinearity::Identity: return z;
  }
  return z;
}

/// d activation / dz at pre-activation z whose activation is h (tanh reuses h: no second tanh).
template <class S>
S activation_derivative(Nonlinearity f, S z, S h) {
  using std::sqrt;
  const S sqrt2 = sqrt(S(2));
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
          using std::sqrt;
          w = w - rate * ((m / bc1) / (sqrt(v / bc2) + eps));
          break;
        }
      }
    }
  }
}

/// One training run in scalar type S: the network, the optimizer's state and the scratch of
/// the steps. advance() is the training map of docs/model.md#training-step; run in Dual it gives
/// that map's exact Jacobian-vector product (the Lyapunov channel).
template <class S>
struct Run {
  using Block = Mat<S>;
  const Problem& p;
  PixelHyperparameters h;
  Network<S> net;
  OptimizerState<S> state;
  Mat<S> X, Y;
  std::vector<S> learning_rate;
  S step_offset;
  bool decay;
  ForwardPass<S> full, batch;
  BackwardScratch<S> scratch;
  std::vector<Mat<S>> grads;
  Mat<S> Xb, Yb;

  Run(const Problem& problem, const HyperPoint& point)
      : p(problem),
        h(pixel_hyperparameters(problem, point)),
        net(problem, problem.weights),
        X(problem.X.cast<S>()),
        Y(problem.Y.cast<S>()),
        step_offset(static_cast<S>(h.step_offset)),
        decay(has_weight_decay(problem)) {
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
    if (p.optimizer != Optimizer::Gd) {
      for (const auto& w : net.weights) {
        state.first.push_back(Mat<S>::Zero(w.rows(), w.cols()));
        if (p.optimizer == Optimizer::Adam || p.optimizer == Optimizer::AdamW) {
          state.second.push_back(Mat<S>::Zero(w.rows(), w.cols()));
        }
      }
    }
  }

  /// Step t (0-based): the full-batch loss before the update (returned), then the update.
  S advance(int t) {
    // The notebook's reading: the offset is added again before every step's loss and gradient.
    if (h.offset_every_step) net.weights[0].array() += step_offset;
    forward(net, X, full);
    const S loss = mean_squared_error(full.out, Y);
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
      return loss;
    }
    const S factor = static_cast<S>(schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps));
    for (int l = 0; l < p.depth; ++l) {
      const S rate = p.schedule == Schedule::Constant ? learning_rate[l] : learning_rate[l] * factor;
      update_layer<S>(p, h, t + 1, rate, decay, net.weights[l], grads[l],
                      state.first.empty() ? nullptr : &state.first[l],
                      state.second.empty() ? nullptr : &state.second[l]);
    }
    return loss;
  }

  /// The state the training map acts on: every weight matrix, then the optimizer's first and
  /// second moments, in that order (the order of the tangent vector's blocks).
  template <class F>
  void for_each_block(F&& f) {
    for (auto& w : net.weights) f(w);
    for (auto& m : state.first) f(m);
    for (auto& m : state.second) f(m);
  }
};

using detail::Dual;
using detail::Tangent;

/// H v for the full-batch loss at `weights` (float64), v given per layer; the result per layer.
void hessian_vector_product_at(const Problem& p, const std::vector<Eigen::MatrixXd>& weights,
                               const std::vector<Eigen::MatrixXd>& v, std::vector<Eigen::MatrixXd>& out) {
  Network<Dual> net(p, p.weights);
  for (std::size_t l = 0; l < weights.size(); ++l) {
    Mat<Dual>& w = net.weights[l];
    w.resize(weights[l].rows(), weights[l].cols());
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = Dual(weights[l].data()[i], v[l].data()[i]);
  }
  ForwardPass<Dual> fp;
  BackwardScratch<Dual> scratch;
  std::vector<Mat<Dual>> grads;
  const Mat<Dual> X = p.X.cast<Dual>(), Y = p.Y.cast<Dual>();
  forward(net, X, fp);
  backward(net, fp, Y, scratch, grads);
  out.resize(grads.size());
  for (std::size_t l = 0; l < grads.size(); ++l) {
    out[l].resize(grads[l].rows(), grads[l].cols());
    for (Eigen::Index i = 0; i < grads[l].size(); ++i) out[l].data()[i] = grads[l].data()[i].d;
  }
}

double sharpness_at(const Problem& p, const std::vector<Eigen::MatrixXd>& weights) {
  Eigen::Index n = 0;
  for (const auto& w : weights) {
    if (!w.allFinite()) return std::numeric_limits<double>::quiet_NaN();
    n += w.size();
  }
  std::vector<Eigen::MatrixXd> v(weights.size()), hv;
  const auto apply = [&](const Eigen::VectorXd& flat, Eigen::VectorXd& out) {
    Eigen::Index at = 0;
    for (std::size_t l = 0; l < weights.size(); ++l) {
      v[l].resize(weights[l].rows(), weights[l].cols());
      for (Eigen::Index i = 0; i < v[l].size(); ++i) v[l].data()[i] = flat(at++);
    }
    hessian_vector_product_at(p, weights, v, hv);
    out.resize(flat.size());
    at = 0;
    for (const auto& m : hv) {
      for (Eigen::Index i = 0; i < m.size(); ++i) out(at++) = m.data()[i];
    }
  };
  return largest_eigenvalue(apply, n);
}

/// Trains one pixel: the loss of every step, and, when asked, the network's first output at the
/// probe input after the last step and the extra channels the problem asks for.
template <class S>
std::vector<double> train_in(const Problem& p, const HyperPoint& point, double* probe_output,
                             PixelOutcome* channels = nullptr, std::vector<Eigen::MatrixXd>* weights_out = nullptr) {
  Run<S> run(p, point);
  const bool lyapunov = channels != nullptr && p.channels.lyapunov;
  std::unique_ptr<Run<Dual>> dual;
  Tangent tangent;
  if (lyapunov) {
    dual = std::make_unique<Run<Dual>>(p, point);
    tangent = detail::start_tangent(run);
  }
  std::vector<double> losses(static_cast<std::size_t>(p.steps));
  for (int t = 0; t < p.steps; ++t) {
    if (lyapunov && tangent.live) detail::propagate_tangent(run, *dual, t, tangent);
    losses[t] = static_cast<double>(run.advance(t));
  }
  if (probe_output) {
    ForwardPass<S> probe;
    forward(run.net, Mat<S>(p.probe.cast<S>()), probe);
    *probe_output = static_cast<double>(probe.out(0, 0));
  }
  if (weights_out) {
    weights_out->clear();
    for (const auto& w : run.net.weights) weights_out->push_back(w.template cast<double>());
  }
  if (lyapunov) {
    channels->lyapunov = tangent.exponent();
  }
  if (channels != nullptr && p.channels.sharpness) {
    std::vector<Eigen::MatrixXd> final_weights;
    for (const auto& w : run.net.weights) final_weights.push_back(w.template cast<double>());
    channels->sharpness = sharpness_at(p, final_weights);
    double largest_lr = 0.0;
    for (double lr : run.h.lr) largest_lr = std::max(largest_lr, lr);
    channels->edge_of_stability = largest_lr * channels->sharpness / 2.0;
  }
  return losses;
}

template <class S>
PixelOutcome outcome_in(const Problem& p, const HyperPoint& point) {
  double probe_output = 0.0;
  const bool probe = p.readout == Readout::Probe;
  PixelOutcome channels;
  const std::vector<double> losses = train_in<S>(p, point, probe ? &probe_output : nullptr, &channels);
  PixelOutcome out = convergence_measure(losses.data(), p.steps);
  if (probe) out.measure = probe_output;
  out.lyapunov = channels.lyapunov;
  out.sharpness = channels.sharpness;
  out.edge_of_stability = channels.edge_of_stability;
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

PixelOutcome extra_channels(const Problem& problem, const HyperPoint& point) {
  PixelOutcome channels;
  if (problem.kind == ModelKind::RippleQuadratic) {
    const PixelOutcome o = ripple::outcome(problem, point);
    channels.lyapunov = o.lyapunov;
    channels.sharpness = o.sharpness;
    channels.edge_of_stability = o.edge_of_stability;
    return channels;
  }
  if (problem.precision == Precision::Float32) {
    train_in<float>(problem, point, nullptr, &channels);
  } else {
    train_in<double>(problem, point, nullptr, &channels);
  }
  return channels;
}

std::vector<Eigen::MatrixXd> trained_weights(const Problem& problem, const HyperPoint& point) {
  std::vector<Eigen::MatrixXd> weights;
  if (problem.precision == Precision::Float32) {
    train_in<float>(problem, point, nullptr, nullptr, &weights);
  } else {
    train_in<double>(problem, point, nullptr, nullptr, &weights);
  }
  return weights;
}

std::vector<Eigen::MatrixXd> hessian_vector_product(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights,
                                                    const std::vector<Eigen::MatrixXd>& v) {
  std::vector<Eigen::MatrixXd> out;
  hessian_vector_product_at(problem, weights, v, out);
  return out;
}

double sharpness(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights) {
  return sharpness_at(problem, weights);
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
