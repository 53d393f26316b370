#include "trainscape/perturbation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "perturbation_reference.hpp"

namespace trainscape::deep {

// ---- the difference formulas (docs/deep-zoom.md#perturbation) ---------------------------------

namespace difference {

double tanh(double u, double e, double tanh_u, double sech2_u) {
  if (e == 0.0) return 0.0;
  if (!std::isfinite(e) || !std::isfinite(u)) return std::tanh(u + e) - tanh_u;
  if (std::fabs(e) <= 1.0) {
    // tanh(u + e) = (tanh u + tanh e) / (1 + tanh u tanh e); subtracting tanh u exactly gives
    // tanh e sech^2 u / (1 + tanh u tanh e), whose denominator is at least 1 - tanh 1 = 0.24.
    const double te = std::tanh(e);
    return te * sech2_u / (1.0 + tanh_u * te);
  }
  const double v = u + e;
  const double au = std::fabs(u);
  if (u * v > 0.0 && au >= 1.0 && std::fabs(v) >= 1.0) {
    // Both on one side, away from zero: 1 - tanh a = 2 q / (1 + q) with q = exp(-2a), so the
    // difference is the difference of two q's that are at least e^2 apart (|e| > 1): no
    // cancellation.
    // q_v = exp(-2|u| - 2 sign(u) e): the exponent as an exact sum hi + lo of doubles (Knuth's
    // two-sum), so that a large |u| costs no accuracy, and exp(hi + lo) = exp(hi) (1 + lo).
    const double sign = u > 0.0 ? 1.0 : -1.0;
    const double a = -2.0 * au, b = -2.0 * sign * e;
    const double hi = a + b;
    const double b_virtual = hi - a;
    const double lo = (a - (hi - b_virtual)) + (b - b_virtual);
    const double qu = std::exp(a);
    const double qv = std::exp(hi) * (1.0 + lo);
    return sign * 2.0 * (qu - qv) / ((1.0 + qu) * (1.0 + qv));
  }
  // Across zero or near it, with |e| > 1: the difference is at least tanh 2 - tanh 1 = 0.2, so
  // the plain difference loses at most a few bits.
  return std::tanh(v) - tanh_u;
}

double relu(double z, double e) {
  const double v = z + e;  // rounding keeps the sign of the exact sum: the side is exact
  if (z > 0.0 && v > 0.0) return e;
  if (!(z > 0.0) && !(v > 0.0)) return 0.0;
  if (z > 0.0) return -z;  // max(v, 0) - z with v <= 0
  return v;                // v - 0 with z <= 0 < v
}

double sech2(double tanh_u, double d) { return -d * (tanh_u + (tanh_u + d)); }

double pow10(double ten_c, double dc) { return ten_c * std::expm1(dc * 2.302585092994045684); }

}  // namespace difference

// ---- what perturbation supports ---------------------------------------------------------------

namespace {

bool supported_axis(AxisParam p) {
  switch (p) {
    case AxisParam::Lr:
    case AxisParam::LrEven:
    case AxisParam::LrOdd:
    case AxisParam::LrLayer:
    case AxisParam::InitOffset:
    case AxisParam::InitOffsetEveryStep:
    case AxisParam::InitScale: return true;
    default: return false;
  }
}

}  // namespace

std::string unsupported_reason(const Problem& problem) {
  if (problem.kind != ModelKind::Mlp) {
    return std::string("model.kind: ") + to_string(problem.kind) +
           " (perturbation trains the network, model.kind: mlp)";
  }
  if (problem.channels.lyapunov || problem.channels.sharpness) {
    return "output.channels lyapunov / sharpness (perturbation computes measure, class and divergence_step only)";
  }
  if (problem.precision != Precision::Float64) {
    return "training.precision: float32 (perturbation trains float64 deviations; use float64)";
  }
  if (problem.optimizer != Optimizer::Gd) {
    return std::string("training.optimizer: ") + to_string(problem.optimizer) + " (perturbation supports gd only)";
  }
  if (has_weight_decay(problem)) return "weight decay (perturbation supports gd without weight decay only)";
  if (problem.readout != Readout::Loss) return "training.readout: probe (perturbation supports readout: loss only)";
  for (const AxisSpec& axis : {x_axis(problem), y_axis(problem)}) {
    if (!supported_axis(axis.param)) {
      return "phase_space axis " + axis_param_name(axis.param, axis.layer) +
             " (perturbation supports lr, lr.even, lr.odd, lr.L, init_offset, init_offset_every_step and "
             "init_scale)";
    }
  }
  return "";
}

// ---- one pixel as a deviation from one reference ----------------------------------------------

namespace {

using Eigen::MatrixXd;

/// Below these fractions the pixel's value is a cancellation of the reference's and the
/// deviation's (docs/deep-zoom.md#glitches): the pixel's loss against the reference's (only
/// when the reference's loss is above the pixel's starting loss, where its rounding could
/// matter for the measure), and the squared norm of any weight matrix against the reference's.
constexpr double kLossCancellation = 1e-6;
constexpr double kWeightCancellation = 1e-4;
/// A deviation whose squared norm reaches this fraction of the reference's (||D|| >= 0.1 ||W*||)
/// in some layer is no longer small: the pixel continues in plain float64.
constexpr double kFar = 1e-2;
constexpr double kSqrt2 = 1.41421356237309504880;

/// The pixel's hyperparameters minus the reference's.
struct HyperDelta {
  std::vector<double> lr;
  double init_scale = 0.0;
  double init_offset = 0.0;
  double step_offset = 0.0;
};

void apply_delta(const AxisSpec& axis, double delta, HyperDelta& d) {
  if (set_axis_learning_rates(axis, delta, d.lr)) return;
  switch (axis.param) {
    case AxisParam::Lr:
    case AxisParam::LrEven:
    case AxisParam::LrOdd:
    case AxisParam::LrLayer: break;  // set above
    case AxisParam::InitOffset: d.init_offset = delta; break;
    case AxisParam::InitOffsetEveryStep: d.step_offset = delta; break;
    case AxisParam::InitScale: d.init_scale = delta; break;
    default: break;
  }
}

/// dc: the pixel's axis coordinates minus the reference's.
HyperDelta hyper_delta(const Problem& p, const ReferenceTrajectory& ref, double dc_x, double dc_y) {
  HyperDelta d;
  d.lr.assign(static_cast<std::size_t>(p.depth), 0.0);
  const AxisSpec ax = x_axis(p), ay = y_axis(p);
  const double dx = ax.scale == AxisScale::Linear ? dc_x : difference::pow10(ref.axis_value_x, dc_x);
  const double dy = ay.scale == AxisScale::Linear ? dc_y : difference::pow10(ref.axis_value_y, dc_y);
  apply_delta(ax, dx, d);
  apply_delta(ay, dy, d);
  return d;
}

void select_rows(const MatrixXd& m, const std::vector<int>& rows, MatrixXd& out) {
  out.resize(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
}

/// Done: trained by perturbation alone; Continued: finished in plain float64 from the pixel's
/// own weights (the reference overflowed or its loss cancelled the pixel's); Glitch: this
/// reference cannot train the pixel.
enum class Status { Done, Continued, Glitch };

/// Trains the pixel whose hyperparameters are the reference's plus `d`, writing its losses.
/// Working matrices live here so that a call allocates nothing after its first step.
class Deviation {
 public:
  explicit Deviation(const Problem& p) : p_(p), L_(p.depth) {
    for (int l = 0; l < L_; ++l) {
      const double inv_sqrt_fan_in = 1.0 / std::sqrt(static_cast<double>(p.weights[l].rows()));
      scale_.push_back(l + 1 == L_ ? inv_sqrt_fan_in * inv_sqrt_fan_in : inv_sqrt_fan_in);
    }
    D_.resize(L_);
    D_prev_.resize(L_);
    W_.resize(L_);
    dg_.resize(L_);
    dZ_.resize(L_ - 1);
    dH_.resize(L_ - 1);
  }

  Status run(const ReferenceTrajectory& ref, const HyperDelta& d, std::vector<double>& losses) {
    const Problem& p = p_;
    const int N = p.n_data();
    const int k = p.target_dim;
    const Nonlinearity f = p.nonlinearity;
    const bool scale_axis = x_axis(p).param == AxisParam::InitScale || y_axis(p).param == AxisParam::InitScale;
    const bool offset_axis = x_axis(p).param == AxisParam::InitOffset || y_axis(p).param == AxisParam::InitOffset;
    const bool step_axis = offsets_every_step(p);
    for (int l = 0; l < L_; ++l) {
      D_[l] = scale_axis ? MatrixXd(d.init_scale * p.weights[l])
                         : MatrixXd::Zero(p.weights[l].rows(), p.weights[l].cols());
    }
    if (offset_axis) D_[0].array() += d.init_offset;
    losses.assign(static_cast<std::size_t>(p.steps), std::nan(""));
    loss_deviation.assign(static_cast<std::size_t>(p.steps), std::nan(""));
    const double inv_nk = 1.0 / (static_cast<double>(N) * k);

    for (int t = 0; t < p.steps; ++t) {
      if (t >= ref.finite_steps) {
        // The reference overflowed at step t. Its step t - 1 was finite, and the pixel's weights
        // there, W*_{t-1} + D_{t-1}, are as accurate as the weight checks ensured: finish the
        // pixel in plain float64 from that step (docs/deep-zoom.md#glitches).
        if (t == 0) return Status::Glitch;
        for (int l = 0; l < L_; ++l) W_[l] = ref.weights[t - 1][l] + D_prev_[l];
        continue_directly(ref, d, t - 1, losses);
        return Status::Continued;
      }
      if (step_axis) D_[0].array() += d.step_offset;
      const std::vector<MatrixXd>& Ws = ref.weights[t];
      bool far = false;
      for (int l = 0; l < L_; ++l) {
        W_[l] = Ws[l] + D_[l];
        if (W_[l].squaredNorm() < kWeightCancellation * ref.weight_norm2[t][l]) return Status::Glitch;
        far = far || D_[l].squaredNorm() >= kFar * ref.weight_norm2[t][l];
      }
      if (far) {
        // The pixel has left the reference: W = W* + D is as accurate as plain float64 weights,
        // and a deviation this large has nothing left to gain over them, while a cancellation
        // could follow. Finish in plain float64 (docs/deep-zoom.md#glitches).
        continue_directly(ref, d, t, losses);
        return Status::Continued;
      }

      // Forward, full data: dZ_l = s_l (H*_l D_l + dH_l W_l), H = phi(Z) by its difference formula.
      for (int l = 0; l + 1 < L_; ++l) {
        if (l == 0) {
          dZ_[0].noalias() = scale_[0] * (p.X * D_[0]);
        } else {
          dZ_[l].noalias() = scale_[l] * (ref.act[t][l - 1] * D_[l]);
          dZ_[l].noalias() += scale_[l] * (dH_[l - 1] * W_[l]);
        }
        const MatrixXd& z = ref.pre[t][l];
        MatrixXd& dh = dH_[l];
        dh.resize(z.rows(), z.cols());
        for (Eigen::Index i = 0; i < z.size(); ++i) {
          const double e = dZ_[l].data()[i];
          switch (f) {
            case Nonlinearity::Tanh:
              dh.data()[i] = difference::tanh(kSqrt2 * z.data()[i], kSqrt2 * e, ref.act[t][l].data()[i],
                                              ref.sech2[t][l].data()[i]);
              break;
            case Nonlinearity::Relu: dh.data()[i] = kSqrt2 * difference::relu(z.data()[i], e); break;
            case Nonlinearity::Identity: dh.data()[i] = e; break;
          }
        }
      }
      const int last = L_ - 1;
      dF_.noalias() = scale_[last] * (ref.act[t][last - 1] * D_[last]);
      dF_.noalias() += scale_[last] * (dH_[last - 1] * W_[last]);
      const MatrixXd& R = ref.residual[t];
      // l - l* = mean((R* + dF)^2 - R*^2) = mean(dF (R* + R)).
      const double dl = (dF_.array() * (2.0 * R.array() + dF_.array())).sum() * inv_nk;
      const double loss = ref.loss[t] + dl;
      losses[t] = loss;
      loss_deviation[t] = dl;
      if (loss < kLossCancellation * ref.loss[t] && ref.loss[t] >= losses[0]) {
        // l* + dl has cancelled, but the weights have not (checked above): W_ is the pixel's
        // own, so plain float64 from here loses nothing.
        continue_directly(ref, d, t, losses);
        return Status::Continued;
      }

      // Backward on the step's rows: delta* and its deviation, layer by layer.
      const bool full = p.full_batch();
      const std::vector<int>* rows = full ? nullptr : &p.minibatches[static_cast<std::size_t>(t)];
      const double c_out = 2.0 / ((full ? N : static_cast<double>(rows->size())) * k);
      if (full) {
        delta_ref_ = c_out * R;
        delta_dev_ = c_out * dF_;
      } else {
        select_rows(R, *rows, tmp_);
        delta_ref_ = c_out * tmp_;
        select_rows(dF_, *rows, tmp_);
        delta_dev_ = c_out * tmp_;
      }
      for (int l = last; l >= 0; --l) {
        const MatrixXd* h_ref = nullptr;
        const MatrixXd* h_dev = nullptr;
        if (l == 0) {
          if (full) {
            h_ref = &p.X;
          } else {
            select_rows(p.X, *rows, hb_ref_);
            h_ref = &hb_ref_;
          }
          dg_[0].noalias() = scale_[0] * (h_ref->transpose() * delta_dev_);
          break;
        }
        if (full) {
          h_ref = &ref.act[t][l - 1];
          h_dev = &dH_[l - 1];
        } else {
          select_rows(ref.act[t][l - 1], *rows, hb_ref_);
          select_rows(dH_[l - 1], *rows, hb_dev_);
          h_ref = &hb_ref_;
          h_dev = &hb_dev_;
        }
        // dg = s (H*^T ddelta + dH^T (delta* + ddelta))
        delta_sum_ = delta_ref_ + delta_dev_;
        dg_[l].noalias() = scale_[l] * (h_ref->transpose() * delta_dev_);
        dg_[l].noalias() += scale_[l] * (h_dev->transpose() * delta_sum_);
        // d_in* = s delta* W*^T; its deviation s (ddelta W^T + delta* D^T)
        din_ref_.noalias() = scale_[l] * (delta_ref_ * Ws[l].transpose());
        din_dev_.noalias() = scale_[l] * (delta_dev_ * W_[l].transpose());
        din_dev_.noalias() += scale_[l] * (delta_ref_ * D_[l].transpose());
        // Through the activation of layer l-1: delta = d_in (G* + dG).
        const MatrixXd& z_all = ref.pre[t][l - 1];
        const MatrixXd& e_all = dZ_[l - 1];
        const int B = static_cast<int>(din_ref_.rows());
        const int n = static_cast<int>(din_ref_.cols());
        delta_dev_next_.resize(B, n);
        delta_ref_next_.resize(B, n);
        for (int b = 0; b < B; ++b) {
          const int r = full ? b : (*rows)[static_cast<std::size_t>(b)];
          for (int i = 0; i < n; ++i) {
            const double z = z_all(r, i);
            double g_ref = 1.0, g_dev = 0.0;
            switch (f) {
              case Nonlinearity::Tanh:
                g_ref = kSqrt2 * ref.sech2[t][l - 1](r, i);
                g_dev = kSqrt2 * difference::sech2(ref.act[t][l - 1](r, i), dH_[l - 1](r, i));
                break;
              case Nonlinearity::Relu:
                g_ref = z > 0.0 ? kSqrt2 : 0.0;
                g_dev = (z + e_all(r, i) > 0.0 ? kSqrt2 : 0.0) - g_ref;
                break;
              case Nonlinearity::Identity: break;
            }
            delta_dev_next_(b, i) = din_dev_(b, i) * (g_ref + g_dev) + din_ref_(b, i) * g_dev;
            delta_ref_next_(b, i) = din_ref_(b, i) * g_ref;
          }
        }
        delta_dev_.swap(delta_dev_next_);
        delta_ref_.swap(delta_ref_next_);
      }

      // The update: W - lr s(t) g minus W* - lr* s(t) g* = s(t) (lr* dg + dlr (g* + dg)).
      const double factor =
          p.schedule == Schedule::Constant ? 1.0 : schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps);
      for (int l = 0; l < L_; ++l) {
        D_prev_[l] = D_[l];
        const double rate = ref.lr[l] * factor;
        const double drate = d.lr[l] * factor;
        D_[l].noalias() -= rate * dg_[l];
        if (drate != 0.0) D_[l].noalias() -= drate * (ref.gradients[t][l] + dg_[l]);
      }
      // A NaN weight makes every later loss NaN: the rest of the curve is known.
      if (D_[last].hasNaN()) break;
    }
    return Status::Done;
  }

  /// The pixel's tail excess (docs/deep-zoom.md#the-class-at-depth) after run() returned Done:
  /// the reference's, in quad-double, plus the sum over the tail of dl_t - dl_0, which is
  /// accurate relative to itself. Unknown where the reference's is.
  TailExcess tail_excess(const ReferenceTrajectory& ref) const {
    TailExcess tail;
    if (!ref.tail.known) return tail;
    const int steps = p_.steps;
    double sum = 0.0;
    for (int t = steps - std::min(steps, kConvergenceTailSteps); t < steps; ++t) {
      sum += loss_deviation[t] - loss_deviation[0];
    }
    if (!std::isfinite(sum)) return tail;
    tail.known = true;
    tail.value = ref.tail.value + Wide(sum);
    return tail;
  }

  /// dl_t = l_t - l*_t of the last run() (NaN where it continued in plain float64).
  std::vector<double> loss_deviation;

  /// Plain float64 training of the pixel from step t0, whose weights (that step's offset
  /// included) are W_, for the remaining steps: the math of docs/model.md#training-step.
  void continue_directly(const ReferenceTrajectory& ref, const HyperDelta& d, int t0, std::vector<double>& losses) {
    const Problem& p = p_;
    const int N = p.n_data();
    const int k = p.target_dim;
    const Nonlinearity f = p.nonlinearity;
    const bool step_axis = offsets_every_step(p);
    const double step_offset = ref.step_offset + d.step_offset;
    inputs_.resize(L_);
    pre_.resize(L_ - 1);
    for (int t = t0; t < p.steps; ++t) {
      if (t > t0 && step_axis) W_[0].array() += step_offset;
      for (int l = 0; l + 1 < L_; ++l) {
        pre_[l].noalias() = scale_[l] * ((l == 0 ? p.X : inputs_[l]) * W_[l]);
        inputs_[l + 1] = pre_[l].unaryExpr([f](double z) {
          switch (f) {
            case Nonlinearity::Tanh: return std::tanh(kSqrt2 * z);
            case Nonlinearity::Relu: return z > 0.0 ? kSqrt2 * z : 0.0;
            case Nonlinearity::Identity: break;
          }
          return z;
        });
      }
      dF_.noalias() = scale_[L_ - 1] * (inputs_[L_ - 1] * W_[L_ - 1]);
      dF_ -= p.Y;  // the residual F - Y
      losses[t] = dF_.squaredNorm() / (static_cast<double>(N) * k);
      const bool full = p.full_batch();
      const std::vector<int>* rows = full ? nullptr : &p.minibatches[static_cast<std::size_t>(t)];
      const double c_out = 2.0 / ((full ? N : static_cast<double>(rows->size())) * k);
      if (full) {
        delta_dev_ = c_out * dF_;
      } else {
        select_rows(dF_, *rows, tmp_);
        delta_dev_ = c_out * tmp_;
      }
      for (int l = L_ - 1; l >= 0; --l) {
        const MatrixXd& h_all = l == 0 ? p.X : inputs_[l];
        if (full) {
          dg_[l].noalias() = scale_[l] * (h_all.transpose() * delta_dev_);
        } else {
          select_rows(h_all, *rows, hb_ref_);
          dg_[l].noalias() = scale_[l] * (hb_ref_.transpose() * delta_dev_);
        }
        if (l == 0) break;
        din_dev_.noalias() = scale_[l] * (delta_dev_ * W_[l].transpose());
        const int B = static_cast<int>(din_dev_.rows());
        for (int b = 0; b < B; ++b) {
          const int r = full ? b : (*rows)[static_cast<std::size_t>(b)];
          for (int i = 0; i < din_dev_.cols(); ++i) {
            const double z = pre_[l - 1](r, i);
            double g = 1.0;
            if (f == Nonlinearity::Tanh) {
              const double h = inputs_[l](r, i);
              g = kSqrt2 * (1.0 - h * h);
            } else if (f == Nonlinearity::Relu) {
              g = z > 0.0 ? kSqrt2 : 0.0;
            }
            din_dev_(b, i) *= g;
          }
        }
        delta_dev_.swap(din_dev_);
      }
      const double factor =
          p.schedule == Schedule::Constant ? 1.0 : schedule_factor(p.schedule, t + 1, p.steps, p.warmup_steps);
      for (int l = 0; l < L_; ++l) W_[l].noalias() -= ((ref.lr[l] + d.lr[l]) * factor) * dg_[l];
      if (W_[L_ - 1].hasNaN()) break;  // every later loss is NaN
    }
  }

 private:
  const Problem& p_;
  int L_;
  std::vector<double> scale_;
  std::vector<MatrixXd> D_, D_prev_, W_, dg_, dZ_, dH_;
  std::vector<MatrixXd> inputs_, pre_;  // plain float64 continuation
  MatrixXd dF_, tmp_, hb_ref_, hb_dev_, delta_ref_, delta_dev_, delta_sum_, din_ref_, din_dev_, delta_dev_next_,
      delta_ref_next_;
};

}  // namespace

// ---- the class at depth (docs/deep-zoom.md#the-class-at-depth) -------------------------------

bool plain_tail(const std::vector<double>& losses, int steps) {
  const double l0 = losses[0];
  if (!std::isfinite(l0) || !(l0 > 0.0)) return false;
  for (int t = steps - std::min(steps, kConvergenceTailSteps); t < steps; ++t) {
    const double l = losses[static_cast<std::size_t>(t)];
    if (!std::isfinite(l) || !(l / l0 < kLossRatioClamp)) return false;
  }
  return true;
}

PixelOutcome outcome_with_tail(const std::vector<double>& losses, int steps, const TailExcess& tail) {
  const PixelOutcome by_doubles = convergence_measure(losses.data(), steps);
  if (!tail.known || !plain_tail(losses, steps)) return by_doubles;
  // mean(l_t / l_0) < 1 over the tail is sum(l_t - l_0) < 0 (l_0 > 0), with no ratio clamped.
  const bool converged = tail.value < Wide(0.0);
  if (converged == static_cast<bool>(by_doubles.converged)) return by_doubles;
  return convergence_measure_of_class(losses.data(), steps, converged);
}

// ---- the engine -------------------------------------------------------------------------------

PerturbationEngine::PerturbationEngine(const Problem& problem, const Wide& centre_x, const Wide& centre_y,
                                       double half_x, double half_y)
    : problem_(problem), centre_x_(centre_x), centre_y_(centre_y), half_x_(half_x), half_y_(half_y) {
  // The centre first, then the eight points at 2/3 of the half-widths around it.
  const double a = 2.0 / 3.0;
  int index = 1;
  for (int i = -1; i <= 1; ++i) {
    for (int j = -1; j <= 1; ++j) {
      if (i == 0 && j == 0) continue;
      candidates_[index].offset_x = a * i * half_x;
      candidates_[index].offset_y = a * j * half_y;
      ++index;
    }
  }
  reference(0);
}

PerturbationEngine::~PerturbationEngine() = default;

const ReferenceTrajectory& PerturbationEngine::reference(int candidate) const {
  const Candidate& c = candidates_[static_cast<std::size_t>(candidate)];
  std::call_once(c.trained, [&] {
    auto trajectory = std::make_unique<ReferenceTrajectory>();
    train_quad_double(problem_, centre_x_ + Wide(c.offset_x), centre_y_ + Wide(c.offset_y), trajectory.get());
    c.trajectory = std::move(trajectory);
    references_.fetch_add(1, std::memory_order_relaxed);
  });
  return *c.trajectory;
}

PixelOutcome PerturbationEngine::train_pixel(const HyperPoint& offset) const {
  pixels_.fetch_add(1, std::memory_order_relaxed);
  // The references to try: the centre, then the nearest others (ties: lower index), a fixed
  // order that depends on the pixel alone.
  std::array<int, kCandidates> order{};
  std::iota(order.begin(), order.end(), 0);
  auto distance = [&](int i) {
    const Candidate& c = candidates_[static_cast<std::size_t>(i)];
    const double dx = (offset.x - c.offset_x) / half_x_, dy = (offset.y - c.offset_y) / half_y_;
    return dx * dx + dy * dy;
  };
  std::stable_sort(order.begin() + 1, order.end(), [&](int a, int b) { return distance(a) < distance(b); });

  Deviation deviation(problem_);
  std::vector<double> losses;
  for (int attempt = 0; attempt < kReferencesPerPixel; ++attempt) {
    const int candidate = order[static_cast<std::size_t>(attempt)];
    const ReferenceTrajectory& ref = reference(candidate);
    const Candidate& c = candidates_[static_cast<std::size_t>(candidate)];
    const HyperDelta d = hyper_delta(problem_, ref, offset.x - c.offset_x, offset.y - c.offset_y);
    const Status status = deviation.run(ref, d, losses);
    if (status == Status::Glitch) continue;
    if (attempt > 0) glitched_.fetch_add(1, std::memory_order_relaxed);
    if (status == Status::Continued) {
      // Plain float64 losses from some step on: the double rule decides the class.
      continued_.fetch_add(1, std::memory_order_relaxed);
      return convergence_measure(losses.data(), problem_.steps);
    }
    const PixelOutcome out = outcome_with_tail(losses, problem_.steps, deviation.tail_excess(ref));
    if (out.converged != convergence_measure(losses.data(), problem_.steps).converged) {
      reclassified_.fetch_add(1, std::memory_order_relaxed);
    }
    return out;
  }
  glitched_.fetch_add(1, std::memory_order_relaxed);
  direct_.fetch_add(1, std::memory_order_relaxed);
  return train_high_precision(problem_, centre_x_ + Wide(offset.x), centre_y_ + Wide(offset.y));
}

void PerturbationEngine::train(const Problem& /*problem*/, const HyperPoint* points, std::size_t count,
                               PixelOutcome* out) const {
  for (std::size_t i = 0; i < count; ++i) out[i] = train_pixel(points[i]);
}

void PerturbationEngine::train_cancellable(const Problem& /*problem*/, const HyperPoint* points, std::size_t count,
                                           PixelOutcome* out, const std::atomic<bool>& cancel) const {
  for (std::size_t i = 0; i < count && !cancel.load(std::memory_order_relaxed); ++i) out[i] = train_pixel(points[i]);
}

PerturbationCounts PerturbationEngine::counts() const {
  PerturbationCounts c;
  c.pixels = pixels_.load();
  c.glitched = glitched_.load();
  c.direct = direct_.load();
  c.references = references_.load();
  c.continued = continued_.load();
  c.reclassified = reclassified_.load();
  return c;
}

}  // namespace trainscape::deep
