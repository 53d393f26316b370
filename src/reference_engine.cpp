#include "trainscape/reference_engine.hpp"

#include <cmath>

namespace trainscape {

namespace {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// One network's weights and the per-layer constants, in scalar type S.
template <class S>
struct Network {
  const Problem& problem;
  std::vector<Mat<S>> weights;
  std::vector<S> scale;  ///< forward multiplier of layer l (model.md section 1)

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

template <class S>
S activation_derivative(Nonlinearity f, S z) {
  const S sqrt2 = std::sqrt(S(2));
  switch (f) {
    case Nonlinearity::Tanh: {
      const S h = std::tanh(sqrt2 * z);
      return sqrt2 * (S(1) - h * h);
    }
    case Nonlinearity::Relu: return z > S(0) ? sqrt2 : S(0);
    case Nonlinearity::Identity: return S(1);
  }
  return S(1);
}

template <class S>
ForwardPass<S> forward(const Network<S>& net, const Mat<S>& X) {
  const int L = net.problem.depth;
  const Nonlinearity f = net.problem.nonlinearity;
  ForwardPass<S> fp;
  fp.inputs.push_back(X);
  for (int l = 0; l + 1 < L; ++l) {
    Mat<S> z = (fp.inputs[l] * net.weights[l]) * net.scale[l];
    fp.inputs.push_back(z.unaryExpr([f](S v) { return activation(f, v); }));
    fp.pre.push_back(std::move(z));
  }
  fp.out = (fp.inputs[L - 1] * net.weights[L - 1]) * net.scale[L - 1];
  return fp;
}

/// mean over all entries of (out - Y)^2
template <class S>
S mean_squared_error(const Mat<S>& out, const Mat<S>& Y) {
  return (out - Y).squaredNorm() / S(out.size());
}

/// d loss / d W_l for the loss mean((out - Y)^2) over the rows of this forward pass.
template <class S>
std::vector<Mat<S>> backward(const Network<S>& net, const ForwardPass<S>& fp, const Mat<S>& Y) {
  const int L = net.problem.depth;
  const Nonlinearity f = net.problem.nonlinearity;
  std::vector<Mat<S>> grads(static_cast<std::size_t>(L));
  // d loss / d out
  Mat<S> delta = (fp.out - Y) * (S(2) / S(fp.out.size()));
  for (int l = L - 1; l >= 0; --l) {
    grads[l] = (fp.inputs[l].transpose() * delta) * net.scale[l];
    if (l == 0) break;
    // d loss / d inputs[l], then through the activation of layer l-1
    Mat<S> d_input = (delta * net.weights[l].transpose()) * net.scale[l];
    const Mat<S>& z = fp.pre[l - 1];
    delta = d_input.cwiseProduct(z.unaryExpr([f](S v) { return activation_derivative(f, v); }));
  }
  return grads;
}

template <class S>
Mat<S> select_rows(const Mat<S>& m, const std::vector<int>& rows) {
  Mat<S> out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}

template <class S>
std::vector<double> loss_curve_in(const Problem& p, const HyperPoint& point) {
  Network<S> net(p, p.weights);
  const Mat<S> X = p.X.cast<S>();
  const Mat<S> Y = p.Y.cast<S>();
  std::vector<S> learning_rate;
  for (int l = 0; l < p.depth; ++l) learning_rate.push_back(static_cast<S>(layer_learning_rate(l, point.x, point.y)));

  std::vector<double> losses(static_cast<std::size_t>(p.steps));
  for (int t = 0; t < p.steps; ++t) {
    const ForwardPass<S> full = forward(net, X);
    losses[t] = static_cast<double>(mean_squared_error(full.out, Y));
    std::vector<Mat<S>> grads;
    if (p.full_batch()) {
      grads = backward(net, full, Y);
    } else {
      const auto& rows = p.minibatches[t];
      const Mat<S> Yb = select_rows(Y, rows);
      grads = backward(net, forward(net, select_rows(X, rows)), Yb);
    }
    for (int l = 0; l < p.depth; ++l) net.weights[l] -= learning_rate[l] * grads[l];
  }
  return losses;
}

}  // namespace

namespace reference {

std::vector<double> loss_curve(const Problem& problem, const HyperPoint& point) {
  return problem.precision == Precision::Float32 ? loss_curve_in<float>(problem, point)
                                                 : loss_curve_in<double>(problem, point);
}

double loss_and_gradients(const Problem& problem, const std::vector<Eigen::MatrixXd>& weights,
                          std::vector<Eigen::MatrixXd>* gradients) {
  Network<double> net(problem, weights);
  const ForwardPass<double> fp = forward(net, Mat<double>(problem.X));
  const double loss = mean_squared_error(fp.out, Mat<double>(problem.Y));
  if (gradients) *gradients = backward(net, fp, Mat<double>(problem.Y));
  return loss;
}

}  // namespace reference

void ReferenceEngine::train(const Problem& problem, const HyperPoint* points, std::size_t count,
                            PixelOutcome* out) const {
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<double> losses = reference::loss_curve(problem, points[i]);
    out[i] = convergence_measure(losses.data(), problem.steps);
  }
}

}  // namespace trainscape
