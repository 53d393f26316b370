#include "perturbation_reference.hpp"

#include <qd/qd_real.h>

#include <algorithm>
#include <cmath>

// libqd's error-free transformations rely on every product being rounded on its own: this file
// is compiled with -ffp-contract=off (CMakeLists.txt).

namespace trainscape::deep {

namespace {

using Q = qd_real;

/// A row-major matrix of quad-doubles: the plain loops below are all the oracle needs.
struct QMat {
  int rows = 0;
  int cols = 0;
  std::vector<Q> v;
  QMat() = default;
  QMat(int r, int c) : rows(r), cols(c), v(static_cast<std::size_t>(r) * c, Q(0.0)) {}
  explicit QMat(const Eigen::MatrixXd& m) : QMat(static_cast<int>(m.rows()), static_cast<int>(m.cols())) {
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) (*this)(r, c) = Q(m(r, c));
    }
  }
  Q& operator()(int r, int c) { return v[static_cast<std::size_t>(r) * cols + c]; }
  const Q& operator()(int r, int c) const { return v[static_cast<std::size_t>(r) * cols + c]; }
  Eigen::MatrixXd rounded() const {
    Eigen::MatrixXd m(rows, cols);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) m(r, c) = (*this)(r, c)[0];
    }
    return m;
  }
  bool has_nan() const {
    for (const Q& q : v) {
      if (std::isnan(q[0])) return true;
    }
    return false;
  }
  bool all_finite() const {
    for (const Q& q : v) {
      if (!std::isfinite(q[0])) return false;
    }
    return true;
  }
};

const Q& sqrt2() {
  static const Q value = sqrt(Q(2.0));
  return value;
}

/// tanh in quad-double: libqd's tanh forms exp(u) and overflows for large |u|, while beyond
/// |u| = 40 tanh is +-1 to within 1e-69, below quad-double's resolution.
Q tanh_q(const Q& u) {
  if (std::isnan(u[0])) return u;
  if (u[0] > 40.0) return Q(1.0);
  if (u[0] < -40.0) return Q(-1.0);
  return tanh(u);
}

/// sech(u)^2 = 4 q / (1 + q)^2 with q = exp(-2 |u|): no cancellation when saturated; zero
/// beyond |u| = 360, where it is below double's range anyway.
Q sech2_q(const Q& u) {
  if (std::isnan(u[0])) return u;
  if (std::fabs(u[0]) >= 360.0) return Q(0.0);
  const Q q = exp(-2.0 * abs(u));
  const Q d = 1.0 + q;
  return 4.0 * q / (d * d);
}

/// tanh(u) and sech(u)^2 from one exponential: with q = exp(-2|u|), tanh|u| = (1 - q) / (1 + q)
/// and sech^2 u = 4 q / (1 + q)^2 (no cancellation when saturated); near zero libqd's tanh,
/// whose series keeps the relative precision that 1 - q would lose.
void tanh_sech2_q(const Q& u, Q& tanh_u, Q& sech2_u) {
  const double a = std::fabs(u[0]);
  if (std::isnan(u[0])) {
    tanh_u = sech2_u = u;
  } else if (a < 0.05) {
    tanh_u = tanh(u);
    sech2_u = 1.0 - sqr(tanh_u);
  } else if (a < 40.0) {
    const Q q = exp(-2.0 * abs(u));
    const Q d = 1.0 + q;
    const Q t = (1.0 - q) / d;
    tanh_u = u[0] > 0.0 ? t : -t;
    sech2_u = 4.0 * q / sqr(d);
  } else {
    tanh_u = Q(u[0] > 0.0 ? 1.0 : -1.0);
    sech2_u = sech2_q(u);
  }
}

/// The hyperparameters the oracle varies, in quad-double.
struct QuadHyper {
  std::vector<Q> lr;
  Q init_scale = Q(1.0);
  Q init_offset = Q(0.0);
  Q step_offset = Q(0.0);
  bool offset_every_step = false;
};

Q to_q(const Wide& w) {
  const auto& l = w.limbs();
  return Q(l[0], l[1], l[2], l[3]);
}

Q axis_value_q(AxisScale scale, const Wide& coordinate) {
  const Q c = to_q(coordinate);
  return scale == AxisScale::Linear ? c : exp(c * Q::_log10);
}

/// pixel_hyperparameters (problem.cpp) for the axes perturbation supports, in quad-double.
void apply_axis(const AxisSpec& axis, const Q& value, QuadHyper& h) {
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
    default: break;  // refused by unsupported_reason
  }
}

/// out = scale * a[rows] * b, a's rows optionally selected.
void product(const QMat& a, const QMat& b, const Q& scale, QMat& out) {
  out = QMat(a.rows, b.cols);
  for (int r = 0; r < a.rows; ++r) {
    for (int c = 0; c < b.cols; ++c) {
      Q sum(0.0);
      for (int i = 0; i < a.cols; ++i) sum += a(r, i) * b(i, c);
      out(r, c) = scale * sum;
    }
  }
}

/// The input of a layer is X (doubles, exact) for layer 0: products with a double are cheaper.
void product(const Eigen::MatrixXd& a, const QMat& b, const Q& scale, QMat& out) {
  out = QMat(static_cast<int>(a.rows()), b.cols);
  for (int r = 0; r < out.rows; ++r) {
    for (int c = 0; c < b.cols; ++c) {
      Q sum(0.0);
      for (int i = 0; i < b.rows; ++i) sum += b(i, c) * a(r, i);
      out(r, c) = scale * sum;
    }
  }
}

}  // namespace

std::vector<double> train_quad_double(const Problem& p, const Wide& x, const Wide& y, ReferenceTrajectory* record,
                                      TailExcess* tail) {
  const int L = p.depth;
  const int N = p.n_data();
  const int k = p.target_dim;
  const Nonlinearity f = p.nonlinearity;

  QuadHyper h;
  for (int l = 0; l < L; ++l) h.lr.emplace_back(p.lr.size() == 1 ? p.lr[0] : p.lr[static_cast<std::size_t>(l)]);
  const AxisSpec ax = x_axis(p), ay = y_axis(p);
  const Q value_x = axis_value_q(ax.scale, x), value_y = axis_value_q(ay.scale, y);
  apply_axis(ax, value_x, h);
  apply_axis(ay, value_y, h);

  std::vector<QMat> W;
  std::vector<Q> scale;
  for (int l = 0; l < L; ++l) {
    W.emplace_back(p.weights[static_cast<std::size_t>(l)]);
    const Q inv_sqrt_fan_in = 1.0 / sqrt(Q(static_cast<double>(p.weights[static_cast<std::size_t>(l)].rows())));
    scale.push_back(l + 1 == L ? inv_sqrt_fan_in * inv_sqrt_fan_in : inv_sqrt_fan_in);
  }
  if (ax.param == AxisParam::InitScale || ay.param == AxisParam::InitScale) {
    for (auto& w : W) {
      for (Q& q : w.v) q *= h.init_scale;
    }
  }
  if (ax.param == AxisParam::InitOffset || ay.param == AxisParam::InitOffset) {
    for (Q& q : W[0].v) q += h.init_offset;
  }
  const QMat Y(p.Y);

  if (record) {
    *record = ReferenceTrajectory{};
    record->finite_steps = p.steps;
    for (const Q& lr : h.lr) record->lr.push_back(lr[0]);
    record->axis_value_x = value_x[0];
    record->axis_value_y = value_y[0];
    record->step_offset = h.step_offset[0];
  }

  std::vector<double> losses(static_cast<std::size_t>(p.steps), std::nan(""));
  // The tail's losses in quad-double: their differences from l_0 decide the class.
  const int tail_begin = p.steps - std::min(p.steps, kConvergenceTailSteps);
  Q first_loss(0.0), excess(0.0);
  std::vector<QMat> inputs(static_cast<std::size_t>(L)), pre(static_cast<std::size_t>(L - 1)), grads(L);
  std::vector<QMat> sech2(static_cast<std::size_t>(L - 1));  // sech^2(sqrt(2) Z_l), tanh only
  QMat out, delta, d_input;
  bool recording = record != nullptr;
  for (int t = 0; t < p.steps; ++t) {
    if (h.offset_every_step) {
      for (Q& q : W[0].v) q += h.step_offset;
    }
    // Forward on the full data.
    for (int l = 0; l + 1 < L; ++l) {
      if (l == 0) {
        product(p.X, W[0], scale[0], pre[0]);
      } else {
        product(inputs[l], W[l], scale[l], pre[l]);
      }
      QMat& act = inputs[l + 1];
      act = QMat(pre[l].rows, pre[l].cols);
      if (f == Nonlinearity::Tanh) sech2[l] = QMat(pre[l].rows, pre[l].cols);
      for (std::size_t i = 0; i < act.v.size(); ++i) {
        const Q& z = pre[l].v[i];
        switch (f) {
          case Nonlinearity::Tanh: tanh_sech2_q(sqrt2() * z, act.v[i], sech2[l].v[i]); break;
          case Nonlinearity::Relu: act.v[i] = z[0] > 0.0 ? sqrt2() * z : Q(0.0); break;
          case Nonlinearity::Identity: act.v[i] = z; break;
        }
      }
    }
    product(inputs[L - 1], W[L - 1], scale[L - 1], out);
    Q loss(0.0);
    for (int r = 0; r < N; ++r) {
      for (int c = 0; c < k; ++c) {
        out(r, c) -= Y(r, c);  // out now holds the residual F - Y
        loss += sqr(out(r, c));
      }
    }
    loss /= static_cast<double>(N) * k;
    losses[static_cast<std::size_t>(t)] = loss[0];
    if (t == 0) first_loss = loss;
    if (t >= tail_begin) excess += loss - first_loss;

    // The gradient on the step's rows.
    const bool full = p.full_batch();
    const std::vector<int>* rows = full ? nullptr : &p.minibatches[static_cast<std::size_t>(t)];
    const int B = full ? N : static_cast<int>(rows->size());
    auto row = [&](int b) { return full ? b : (*rows)[static_cast<std::size_t>(b)]; };
    delta = QMat(B, k);
    const Q c_out = Q(2.0) / (static_cast<double>(B) * k);
    for (int b = 0; b < B; ++b) {
      for (int c = 0; c < k; ++c) delta(b, c) = out(row(b), c) * c_out;
    }
    for (int l = L - 1; l >= 0; --l) {
      const int fan_in = W[l].rows;
      QMat& g = grads[l];
      g = QMat(fan_in, W[l].cols);
      for (int i = 0; i < fan_in; ++i) {
        for (int c = 0; c < W[l].cols; ++c) {
          Q sum(0.0);
          if (l == 0) {
            for (int b = 0; b < B; ++b) sum += delta(b, c) * p.X(row(b), i);
          } else {
            for (int b = 0; b < B; ++b) sum += inputs[l](row(b), i) * delta(b, c);
          }
          g(i, c) = scale[l] * sum;
        }
      }
      if (l == 0) break;
      d_input = QMat(B, fan_in);
      for (int b = 0; b < B; ++b) {
        for (int i = 0; i < fan_in; ++i) {
          Q sum(0.0);
          for (int c = 0; c < W[l].cols; ++c) sum += delta(b, c) * W[l](i, c);
          d_input(b, i) = scale[l] * sum;
        }
      }
      delta = QMat(B, fan_in);
      for (int b = 0; b < B; ++b) {
        for (int i = 0; i < fan_in; ++i) {
          const Q& z = pre[l - 1](row(b), i);
          Q derivative;
          switch (f) {
            case Nonlinearity::Tanh: derivative = sqrt2() * sech2[l - 1](row(b), i); break;
            case Nonlinearity::Relu: derivative = z[0] > 0.0 ? sqrt2() : Q(0.0); break;
            case Nonlinearity::Identity: derivative = Q(1.0); break;
          }
          delta(b, i) = d_input(b, i) * derivative;
        }
      }
    }

    if (recording) {
      bool finite = std::isfinite(loss[0]);
      for (const QMat& w : W) finite = finite && w.all_finite();
      for (const QMat& g : grads) finite = finite && g.all_finite();
      if (!finite) {
        record->finite_steps = t;
        recording = false;
      } else {
        std::vector<Eigen::MatrixXd> ws, gs;
        std::vector<double> norms;
        for (int l = 0; l < L; ++l) {
          ws.push_back(W[l].rounded());
          gs.push_back(grads[l].rounded());
          norms.push_back(ws.back().squaredNorm());
        }
        record->weights.push_back(std::move(ws));
        record->gradients.push_back(std::move(gs));
        record->weight_norm2.push_back(std::move(norms));
        record->residual.push_back(out.rounded());
        std::vector<Eigen::MatrixXd> zs, hs, ss;
        for (int l = 0; l + 1 < L; ++l) {
          zs.push_back(pre[l].rounded());
          hs.push_back(inputs[l + 1].rounded());
          if (f == Nonlinearity::Tanh) ss.push_back(sech2[l].rounded());
        }
        record->pre.push_back(std::move(zs));
        record->act.push_back(std::move(hs));
        record->sech2.push_back(std::move(ss));
      }
    }

    // The update: gradient descent with the schedule's factor.
    const double factor = schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps);
    bool nan = false;
    for (int l = 0; l < L; ++l) {
      const Q rate = p.schedule == Schedule::Constant ? h.lr[l] : h.lr[l] * factor;
      for (std::size_t i = 0; i < W[l].v.size(); ++i) W[l].v[i] -= rate * grads[l].v[i];
      nan = nan || W[l].has_nan();
    }
    // A NaN weight makes every later loss NaN (docs/model.md#divergence-bound-and-classification):
    // the rest of the curve is known.
    if (nan) {
      if (recording) record->finite_steps = t + 1;
      break;
    }
  }
  TailExcess exact;
  exact.known = plain_tail(losses, p.steps) && std::isfinite(excess[0]);
  if (exact.known) exact.value = Wide(excess[0], {excess[1], excess[2], excess[3]});
  if (record) {
    record->loss = losses;
    record->tail = exact;
  }
  if (tail) *tail = exact;
  return losses;
}

PixelOutcome train_high_precision(const Problem& problem, const Wide& x, const Wide& y) {
  TailExcess tail;
  const std::vector<double> losses = train_quad_double(problem, x, y, nullptr, &tail);
  return outcome_with_tail(losses, problem.steps, tail);
}

std::vector<double> high_precision_loss_curve(const Problem& problem, const Wide& x, const Wide& y) {
  return train_quad_double(problem, x, y, nullptr);
}

}  // namespace trainscape::deep

namespace trainscape::deep::difference {

double exact_tanh(double u, double e) {
  // tanh e sech^2 u / (1 + tanh u tanh e) is exact, and in quad-double it does not cancel unless
  // the denominator does (u and e large and of opposite signs): then the plain difference has
  // no cancellation left.
  const qd_real qu(u), qe(e);
  const qd_real te = tanh_q(qe);
  const qd_real denominator = 1.0 + tanh_q(qu) * te;
  if (std::fabs(denominator[0]) < 1e-30) return (tanh_q(qu + qe) - tanh_q(qu))[0];
  return (te * sech2_q(qu) / denominator)[0];
}

double exact_tanh_value(double u) { return tanh_q(qd_real(u))[0]; }
double exact_sech2(double u) { return sech2_q(qd_real(u))[0]; }

}  // namespace trainscape::deep::difference
