// The extra per-pixel channels (docs/channels.md): divergence_step, lyapunov and sharpness with
// edge_of_stability -- their definitions against independent computations, both engines, and
// their storage through run.h5, resume, shards, merge and render.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "engine_points.hpp"
#include "trainscape/batched_engine.hpp"
#include "trainscape/channels.hpp"
#include "trainscape/config.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/measure.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"

using namespace trainscape;
using namespace trainscape::test;
namespace fs = std::filesystem;

namespace {

RunConfig channels_config(const std::string& yaml) { return load_config(yaml, "channels.yaml"); }

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// The first t whose loss is non-finite or at least 1e6 times l_0, written out independently.
std::int64_t first_divergence(const std::vector<double>& losses) {
  const double l0 = std::isfinite(losses[0]) ? losses[0] : 1e6;
  for (std::size_t t = 0; t < losses.size(); ++t) {
    if (!std::isfinite(losses[t]) || !(losses[t] / l0 < 1e6)) return static_cast<std::int64_t>(t);
  }
  return -1;
}

/// Every entry of a list of weight matrices as one vector, layer by layer (column-major within).
Eigen::VectorXd flatten(const std::vector<Eigen::MatrixXd>& blocks) {
  Eigen::Index n = 0;
  for (const auto& b : blocks) n += b.size();
  Eigen::VectorXd v(n);
  Eigen::Index at = 0;
  for (const auto& b : blocks) {
    for (Eigen::Index i = 0; i < b.size(); ++i) v(at++) = b.data()[i];
  }
  return v;
}

/// `flat` cut into blocks shaped like `shapes`.
std::vector<Eigen::MatrixXd> unflatten(const Eigen::VectorXd& flat, const std::vector<Eigen::MatrixXd>& shapes) {
  std::vector<Eigen::MatrixXd> out;
  Eigen::Index at = 0;
  for (const auto& s : shapes) {
    out.emplace_back(s.rows(), s.cols());
    for (Eigen::Index i = 0; i < s.size(); ++i) out.back().data()[i] = flat(at++);
  }
  return out;
}

}  // namespace

TEST_CASE("divergence_step: the first step beyond the loss-ratio clamp or non-finite", "[channels]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::vector<double>, std::int64_t>> cases = {
      {{1.0, 2.0, 3.0}, -1},
      {{1.0, 2.0, 1e7, 3.0}, 2},
      {{2.0, 2e6, 1.0}, 1},  // exactly the clamp counts
      {{1.0, 0.5, nan, nan}, 2},
      {{1.0, inf}, 1},
      {{nan, 1.0}, 0},
      {{1e9, 1e8, nan}, 2},  // l_0 above 1e6: the NaN still counts although its v_t is only 1
      {{0.0, 0.0}, 0}};      // 0 / 0 is not below the clamp
  for (const auto& [losses, expected] : cases) {
    INFO("case with " << losses.size() << " losses, expected " << expected);
    const PixelOutcome a = convergence_measure(losses.data(), static_cast<int>(losses.size()));
    CHECK(a.divergence_step == expected);
    detail::MeasureAccumulator acc(static_cast<int>(losses.size()));
    for (double l : losses) acc.add(l);
    CHECK(acc.finish().divergence_step == expected);
  }
  // After an early exit the batched engine adds the rest as non-finite losses.
  detail::MeasureAccumulator acc(10);
  acc.add(1.0);
  acc.add(2.0);
  acc.add_nonfinite(8);
  CHECK(acc.finish().divergence_step == 2);
}

TEST_CASE("divergence_step of both engines matches the loss curve", "[channels]") {
  const RunConfig c = channels_config(
      "model: {width: 4}\ntraining: {steps: 60}\nphase_space: {x: [-1, 2.5], y: [-1, 2.5]}\n"
      "output: {channels: [divergence_step]}\n");
  const Problem p = make_problem(c);
  const std::vector<HyperPoint> points = grid_points(c, 8);
  const auto ref = run(ReferenceEngine(), p, points);
  const auto bat = run(BatchedEngine(), p, points);
  int diverged = 0, agreeing = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::int64_t expected = first_divergence(reference::loss_curve(p, points[i]));
    CHECK(ref[i].divergence_step == expected);
    if (expected >= 0) ++diverged;
    // The batched engine's loss curve differs from the reference only by rounding, so where the
    // measures agree to the bit, the curves' first crossing does too.
    if (same_bits(ref[i].measure, bat[i].measure)) {
      ++agreeing;
      CHECK(bat[i].divergence_step == ref[i].divergence_step);
    }
  }
  CHECK(diverged > 5);
  CHECK(diverged < static_cast<int>(points.size()));
  CHECK(agreeing >= 8);
}

TEST_CASE("lyapunov: log|1 - lr lambda| on the frozen-output quadratic", "[channels][lyapunov]") {
  // The set-up of test_optimizers' exact stability limits: identity network, one datapoint,
  // layer 1 frozen by lr_1 = 1e-200. Then gd on W_0 is affine with one curvature direction of
  // eigenvalue lambda; every other direction is neutral (Jacobian eigenvalue 1). The maximal
  // exponent is max(log|1 - lr lambda|, 0).
  const std::string base =
      "model: {width: 4, nonlinearity: identity}\ndata: {size: single, seed: 11}\n"
      "training: {steps: 200}\n"
      "phase_space: {x: [-2, 2], y: [-201, -199]}\n"  // x = lr_0, y = lr_1 (lr_vs_lr)
      "output: {channels: [measure, class, lyapunov]}\n";
  const Problem p = make_problem(channels_config(base));
  const double d = p.width, n = p.width;
  const double lambda = 2.0 * p.X.squaredNorm() * p.weights[1].squaredNorm() / (d * n * n);
  // The tangent along the frozen layer still feeds W_0's neutral directions (d grad_W0 / d W_1 is
  // not zero), which adds growth polynomial in t, and the start vector adds ln|component|: both
  // are o(T) in T * lyapunov. So the exponent is read from two run lengths,
  // (T2 lyapunov_T2 - T1 lyapunov_T1) / (T2 - T1), where the constant parts cancel and a
  // polynomial factor t^k leaves k ln(T2 / T1) / (T2 - T1) < 0.015 for k <= 2.
  const auto exponent = [&p](const HyperPoint& point, const Engine& engine) {
    double sum[2] = {0, 0};
    const int lengths[2] = {100, 200};
    for (int i = 0; i < 2; ++i) {
      Problem q = p;
      q.steps = lengths[i];
      PixelOutcome o;
      engine.train(q, &point, 1, &o);
      sum[i] = o.lyapunov * lengths[i];
    }
    return (sum[1] - sum[0]) / (lengths[1] - lengths[0]);
  };
  for (const double factor : {2.5, 3.0, 2.2}) {
    const HyperPoint point{factor / lambda, 1e-200};
    INFO("lr lambda = " << factor);
    const double ref = exponent(point, ReferenceEngine());
    CHECK(ref == Approx(std::log(factor - 1.0)).margin(0.02));
    CHECK(same_bits(exponent(point, BatchedEngine()), ref));  // the batched engine uses the reference's path
  }
  for (const double factor : {0.5, 1.5}) {  // contracting: the neutral directions remain
    INFO("lr lambda = " << factor);
    CHECK(exponent(HyperPoint{factor / lambda, 1e-200}, ReferenceEngine()) == Approx(0.0).margin(0.02));
  }
}

TEST_CASE("lyapunov and sharpness on the pure quadratic: gd, momentum and Nesterov against the analytic map",
          "[channels][lyapunov][ripple]") {
  // ripple_quadratic with delta = 0 is L(x) = sum x_i^2: Hessian 2 I, so every coordinate
  // follows the same linear map and the whole state's maximal exponent is that map's
  // (docs/optimizers.md; r = lr, lambda = 2, e = x_i, b its velocity):
  //   gd:       e' = (1 - r lambda) e
  //   momentum: b' = beta b + lambda e,  e' = e - r b'         -> [[1 - r lambda, -r beta], [lambda, beta]]
  //   nesterov: b' = beta b + lambda e,  e' = e - r (lambda e + beta b')
  //                                               -> [[1 - r lambda (1 + beta), -r beta^2], [lambda, beta]]
  // There is no neutral direction here (unlike the frozen-layer network, whose frozen layer's
  // velocity still follows the growing gradient), so contracting maps give negative exponents.
  const std::string base =
      "model: {kind: ripple_quadratic, dim: 3, delta: 0.0, x0: [1.0, -0.5, 2.0]}\n"
      "phase_space: {kind: axes, x_param: lr, y_param: delta, y_scale: linear, x: [-3, 0.5], y: [-0.1, 0.1]}\n"
      "output: {channels: [measure, class, lyapunov, sharpness]}\n";
  const double lambda = 2.0;
  SECTION("gd: every step grows the tangent by exactly |1 - 2 lr|") {
    const Problem p = make_problem(channels_config(base + "training: {steps: 100}\n"));
    for (const double lr : {0.05, 0.4, 0.75, 1.3, 2.0}) {
      const PixelOutcome o = reference::outcome(p, HyperPoint{lr, 0.0});
      INFO("lr " << lr);
      CHECK(o.lyapunov == Approx(std::log(std::fabs(1.0 - lr * lambda))).epsilon(1e-12));
      CHECK(o.sharpness == 2.0);
      CHECK(o.edge_of_stability == Approx(lr).epsilon(1e-15));
    }
  }
  const auto spectral_radius = [](double trace, double det) {
    const double disc = trace * trace - 4.0 * det;
    if (disc < 0) return std::sqrt(det);  // a complex pair of modulus sqrt(det)
    return std::max(std::fabs(trace + std::sqrt(disc)), std::fabs(trace - std::sqrt(disc))) / 2.0;
  };
  for (const char* optimizer : {"momentum", "nesterov"}) {
    for (const double beta : {0.5, 0.9}) {
      const Problem p = make_problem(channels_config(base + "training: {steps: 200, optimizer: " + optimizer +
                                                     ", momentum: " + std::to_string(beta) + "}\n"));
      const bool nesterov = std::string(optimizer) == "nesterov";
      // r lambda at the stability limit (the largest root's modulus reaches 1 at -1).
      const double limit = nesterov ? 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta) : 2.0 * (1.0 + beta);
      for (const double factor : {0.3, 0.5, 0.9, 1.15, 1.5}) {  // r lambda as a multiple of the limit
        const double r_lambda = factor * limit;
        const double trace = nesterov ? 1.0 - r_lambda * (1.0 + beta) + beta : 1.0 - r_lambda + beta;
        const double det = nesterov ? beta * (1.0 - r_lambda) : beta;
        const double expected = std::log(spectral_radius(trace, det));
        // The start vector's components and, for a complex pair, the rotation's bounded wobble
        // add O(1) to T * lyapunov: two run lengths cancel it to O(1) / (T2 - T1).
        double sum[2] = {0, 0};
        const int lengths[2] = {200, 400};
        for (int i = 0; i < 2; ++i) {
          Problem q = p;
          q.steps = lengths[i];
          const PixelOutcome o = reference::outcome(q, HyperPoint{r_lambda / lambda, 0.0});
          sum[i] = o.lyapunov * lengths[i];
          PixelOutcome b;
          const HyperPoint point{r_lambda / lambda, 0.0};
          BatchedEngine().train(q, &point, 1, &b);
          CHECK(same_bits(b.lyapunov, o.lyapunov));
        }
        INFO(optimizer << " beta " << beta << " r lambda / limit " << factor << " expected " << expected);
        CHECK((sum[1] - sum[0]) / (lengths[1] - lengths[0]) == Approx(expected).margin(0.01));
        CHECK((factor > 1) == (expected > 0.05));  // both sides of the limit are tested
      }
    }
  }
}

TEST_CASE("sharpness on the ripple: the largest curvature f''(x_i) at the end", "[channels][sharpness][ripple]") {
  // A run that converges to x = 0 ends where f'' = 2 + delta g(0) = 2 (1 + delta).
  const Problem p = make_problem(channels_config(
      "model: {kind: ripple_quadratic, dim: 2, wavelength: 0.7, x0: [0.4, -0.3]}\n"
      "training: {steps: 400}\n"
      "phase_space: {kind: axes, x_param: lr, y_param: delta, y_scale: linear, x: [-3, 0], y: [-0.5, 0.5]}\n"
      "output: {channels: [sharpness]}\n"));
  for (const double delta : {-0.3, 0.0, 0.25}) {
    const PixelOutcome o = reference::outcome(p, HyperPoint{0.1, delta});
    INFO("delta " << delta);
    REQUIRE(o.converged);
    CHECK(o.sharpness == Approx(2.0 * (1.0 + delta)).epsilon(1e-9));
    CHECK(o.edge_of_stability == Approx(0.1 * (1.0 + delta)).epsilon(1e-9));
  }
  // A blown-up run has no curvature to report.
  const PixelOutcome blown = reference::outcome(p, HyperPoint{30.0, 0.0});
  CHECK(!blown.converged);
  CHECK(std::isnan(blown.sharpness));
}

TEST_CASE("lyapunov: the tangent's growth against finite differences of twin runs", "[channels][lyapunov]") {
  // Over T steps the renormalised tangent's mean log growth is log |J_T ... J_1 u| / T, u the
  // documented start vector; twin runs from W +- eps u give the same product by central
  // differences.
  for (const char* batch : {"full", "3"}) {
    const RunConfig c = channels_config(std::string("model: {width: 5, depth: 3}\ntraining: {steps: 4, batch: ") +
                                        batch + "}\noutput: {channels: [lyapunov]}\n");
    const Problem p = make_problem(c);
    for (const HyperPoint point : {HyperPoint{0.3, 0.7}, HyperPoint{2.0, 0.05}, HyperPoint{8.0, 3.0}}) {
      const double lyapunov = reference::outcome(p, point).lyapunov;
      const Eigen::VectorXd u = deterministic_unit_vector(flatten(p.weights).size());
      const double eps = 1e-6;
      Problem plus = p, minus = p;
      plus.weights = unflatten(flatten(p.weights) + eps * u, p.weights);
      minus.weights = unflatten(flatten(p.weights) - eps * u, p.weights);
      const Eigen::VectorXd diff =
          (flatten(reference::trained_weights(plus, point)) - flatten(reference::trained_weights(minus, point))) /
          (2 * eps);
      INFO("batch " << batch << " point " << point.x << ", " << point.y);
      CHECK(lyapunov == Approx(std::log(diff.norm()) / p.steps).margin(1e-6));
    }
  }
}

TEST_CASE("lyapunov with every optimizer's state: deterministic, and the same in both engines",
          "[channels][lyapunov]") {
  // The state of momentum, Nesterov, Adam and AdamW includes their moments, so the tangent has
  // blocks for them too (docs/channels.md#lyapunov).
  for (const char* optimizer : {"momentum", "nesterov", "adam", "adamw"}) {
    const Problem p =
        make_problem(channels_config(std::string("model: {width: 4}\ntraining: {steps: 30, optimizer: ") + optimizer +
                                     ", weight_decay: 0.01}\noutput: {channels: [lyapunov]}\n"));
    const HyperPoint point{0.05, 0.02};
    const double a = reference::outcome(p, point).lyapunov;
    CHECK(same_bits(a, reference::outcome(p, point).lyapunov));
    PixelOutcome b;
    BatchedEngine().train(p, &point, 1, &b);
    INFO(optimizer);
    CHECK(std::isfinite(a));
    CHECK(same_bits(a, b.lyapunov));
  }
}

TEST_CASE("sharpness: power iteration finds the largest eigenvalue", "[channels][sharpness]") {
  const auto of = [](const Eigen::VectorXd& diagonal) {
    return largest_eigenvalue([&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { out = diagonal.cwiseProduct(v); },
                              diagonal.size());
  };
  Eigen::VectorXd a(5);
  a << 3.0, -1.0, 0.5, 2.0, 0.0;
  CHECK(of(a) == Approx(3.0).epsilon(1e-8));
  Eigen::VectorXd b(4);
  b << -5.0, 2.0, 1.0, -4.0;  // the dominant eigenvalue is negative: the shifted second run
  CHECK(of(b) == Approx(2.0).epsilon(1e-6));
  // A rotated symmetric matrix with known spectrum.
  Eigen::MatrixXd q = Eigen::MatrixXd::Identity(4, 4);
  q = Eigen::HouseholderQR<Eigen::MatrixXd>(
          (Eigen::MatrixXd(4, 4) << 1, 2, 0, 1, 0, 1, 3, 1, 2, 0, 1, 1, 1, 1, 1, 4).finished())
          .householderQ();
  Eigen::VectorXd spectrum(4);
  spectrum << 7.5, -2.0, 7.0, 0.1;
  const Eigen::MatrixXd m = q * spectrum.asDiagonal() * q.transpose();
  CHECK(largest_eigenvalue([&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { out = m * v; }, 4) ==
        Approx(7.5).epsilon(1e-6));
}

TEST_CASE("sharpness: exact Hessian-vector products against finite differences of gradients", "[channels][sharpness]") {
  for (const char* nonlinearity : {"tanh", "relu", "identity"}) {
    const Problem p =
        make_problem(channels_config(std::string("model: {width: 5, depth: 3, nonlinearity: ") + nonlinearity + "}\n"));
    const Eigen::VectorXd w = flatten(p.weights);
    Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(w.size(), -1.0, 1.0);
    v = v.array().sin();
    const Eigen::VectorXd hv = flatten(reference::hessian_vector_product(p, p.weights, unflatten(v, p.weights)));
    const double eps = 1e-5;
    std::vector<Eigen::MatrixXd> gp, gm;
    reference::loss_and_gradients(p, unflatten(w + eps * v, p.weights), &gp);
    reference::loss_and_gradients(p, unflatten(w - eps * v, p.weights), &gm);
    const Eigen::VectorXd fd = (flatten(gp) - flatten(gm)) / (2 * eps);
    INFO(nonlinearity);
    CHECK((hv - fd).norm() <= 1e-6 * (1.0 + hv.norm()));
    CHECK(hv.norm() > 0.0);
  }
}

TEST_CASE("sharpness: 2 |grad out|^2 at a zero residual, and the engines' channel", "[channels][sharpness]") {
  // One datapoint, one output: at weights where out = y the Hessian of (out - y)^2 is
  // 2 g g^T (g = d out / d weights), whose only non-zero eigenvalue is 2 |g|^2. The gradient at
  // y' = out - 1 is 2 g, which gives g independently of the Hessian code.
  Problem p = make_problem(channels_config("model: {width: 4, depth: 3}\ndata: {size: single}\n"));
  const std::vector<Eigen::MatrixXd> w = reference::trained_weights(p, HyperPoint{0.01, 0.01});
  const auto loss = [&](std::vector<Eigen::MatrixXd>* g) { return reference::loss_and_gradients(p, w, g); };
  p.Y.setZero();
  const double magnitude = std::sqrt(loss(nullptr));  // |out|
  p.Y.setConstant(magnitude);
  const double out = loss(nullptr) < 1e-20 * magnitude * magnitude ? magnitude : -magnitude;
  p.Y.setConstant(out - 1.0);
  std::vector<Eigen::MatrixXd> g;
  REQUIRE(loss(&g) == Approx(1.0));
  const double g_squared = flatten(g).squaredNorm() / 4.0;
  p.Y.setConstant(out);
  REQUIRE(loss(nullptr) < 1e-20);
  CHECK(reference::sharpness(p, w) == Approx(2.0 * g_squared).epsilon(1e-8));

  // The channel is the sharpness at the trained weights; edge_of_stability uses the largest lr.
  const RunConfig c =
      channels_config("model: {width: 4}\ntraining: {steps: 40}\noutput: {channels: [measure, class, sharpness]}\n");
  const Problem q = make_problem(c);
  for (const HyperPoint point : {HyperPoint{0.2, 0.5}, HyperPoint{3.0, 0.01}}) {
    const PixelOutcome o = reference::outcome(q, point);
    CHECK(same_bits(o.sharpness, reference::sharpness(q, reference::trained_weights(q, point))));
    CHECK(o.edge_of_stability == Approx(std::max(point.x, point.y) * o.sharpness / 2.0));
    PixelOutcome b;
    BatchedEngine().train(q, &point, 1, &b);
    CHECK(same_bits(b.sharpness, o.sharpness));
    CHECK(same_bits(b.edge_of_stability, o.edge_of_stability));
  }
}

TEST_CASE("channels change no measure, and are off unless asked for", "[channels]") {
  const std::string base = "model: {width: 4}\ntraining: {steps: 40}\nphase_space: {x: [-1, 2], y: [-1, 2]}\n";
  const Problem plain = make_problem(channels_config(base));
  const Problem all =
      make_problem(channels_config(base + "output: {channels: [divergence_step, lyapunov, sharpness]}\n"));
  const std::vector<HyperPoint> points = grid_points(channels_config(base), 4);
  for (const char* name : {"reference", "batched"}) {
    const auto engine = make_engine(name);
    const auto a = run(*engine, plain, points), b = run(*engine, all, points);
    for (std::size_t i = 0; i < points.size(); ++i) {
      INFO(name << " point " << i);
      CHECK(same_bits(a[i].measure, b[i].measure));
      CHECK(a[i].converged == b[i].converged);
      CHECK(a[i].divergence_step == b[i].divergence_step);
      CHECK(std::isnan(a[i].lyapunov));
      CHECK(std::isnan(a[i].sharpness));
      if (b[i].converged) CHECK(std::isfinite(b[i].sharpness));
      CHECK(std::isnan(b[i].lyapunov) == (b[i].divergence_step == 0));
    }
  }
}

TEST_CASE("output.channels: validated entry by entry, listed by keys", "[channels][config]") {
  CHECK(channel_set(channels_config("").output) == ChannelSet{});
  const ChannelSet s = channel_set(channels_config("output: {channels: [lyapunov, measure]}\n").output);
  CHECK(s.lyapunov);
  CHECK_FALSE(s.divergence_step);
  CHECK_FALSE(s.sharpness);
  CHECK(channel_set(channels_config("output: {channels: []}\n").output) == ChannelSet{});
  const auto message = [](const std::string& yaml) {
    try {
      channels_config(yaml);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(message("output: {channels: [measure, lyapunov, sharpnes]}\n"),
             Catch::Contains("output.channels = entry 2 'sharpnes': must be one of: measure | class | "
                             "divergence_step | lyapunov | sharpness"));
  CHECK_THAT(message("output: {channels: [lyapunov, lyapunov]}\n"), Catch::Contains("entry 1 'lyapunov'"));
  CHECK_THAT(message("output: {channels: lyapunov}\n"), Catch::Contains("output.channels"));
  CHECK_THAT(message("output: {channels: [[a]]}\n"), Catch::Contains("output.channels"));
  CHECK_FALSE(is_runtime_key("output", "channels"));
  CHECK(is_runtime_key("output", "dir"));
}

// ---- the real binary: run.h5, threads, tiles, resume, shards, merge, render -------------------

namespace {

const char* kChannelRun =
    "model: {width: 4}\n"
    "training: {steps: 25}\n"
    "phase_space: {x: [-1, 3], y: [-1, 3]}\n"
    "render: {resolution: 16}\n"
    "zoom: {frames: 2, target: [1.0, 1.0]}\n"
    "output: {dir: out, channels: [measure, class, divergence_step, lyapunov, sharpness]}\n"
    "runtime: {tile: 8}\n";

}  // namespace

TEST_CASE("channels in run.h5: the same bits with any threads, tiles, resume, shards and merge",
          "[channels][cli][fault]") {
  cli_test::Scratch s;
  s.write("run.yaml", kChannelRun);
  REQUIRE(s.run("zoom run.yaml --out ref -q --threads 1").code == 0);
  const io::StoredRun stored = io::read_run((s.dir / "ref/run.h5").string());
  REQUIRE(stored.frames.size() == 2);
  for (const FrameResult& f : stored.frames) {
    REQUIRE(f.channels.divergence_step.rows == 16);
    REQUIRE(f.channels.lyapunov.cols == 16);
    REQUIRE(f.channels.sharpness.rows == 16);
    REQUIRE(f.channels.edge_of_stability.rows == 16);
    int diverged = 0;
    for (std::size_t i = 0; i < f.measure.data.size(); ++i) {
      // A pixel whose loss left the bound is never converged; every value matches the engine.
      if (f.channels.divergence_step.data[i] >= 0) {
        ++diverged;
        CHECK(f.converged.data[i] == 0);
      }
      // Converged pixels end at finite weights with a finite curvature.
      if (f.converged.data[i]) CHECK(std::isfinite(f.channels.sharpness.data[i]));
    }
    CHECK(diverged > 0);
  }
  // Pixel (3, 5) of frame 0 as the engine computes it alone.
  {
    const RunConfig c = channels_config(kChannelRun);
    const Problem p = make_problem(c);
    const Grid grid = first_grid(c, 16, 16);
    PixelOutcome o;
    const HyperPoint point{grid.value_x(5), grid.value_y(3)};
    BatchedEngine().train(p, &point, 1, &o);
    CHECK(stored.frames[0].channels.divergence_step(3, 5) == o.divergence_step);
    CHECK(same_bits(stored.frames[0].channels.lyapunov(3, 5), o.lyapunov));
    CHECK(same_bits(stored.frames[0].channels.sharpness(3, 5), o.sharpness));
  }

  REQUIRE(s.run("zoom run.yaml --out other -q --threads 2 --set runtime.tile=5").code == 0);
  cli_test::check_same_run(s.dir / "ref", s.dir / "other");

#ifdef TRAINSCAPE_FAULT_INJECTION
  // Killed inside its 3rd tile write, resumed with another thread count.
  REQUIRE(s.run("zoom run.yaml -q --threads 1", "TRAINSCAPE_FAULT=tile:3").code == 128 + 9);
  const cli_test::Result resumed = s.run("zoom run.yaml -q --resume --threads 2");
  INFO(resumed.err);
  REQUIRE(resumed.code == 0);
  cli_test::check_same_run(s.dir / "ref", s.dir / "out");
  // A resume may not change the channels.
  REQUIRE(s.run("zoom run.yaml -q --out killed --threads 1", "TRAINSCAPE_FAULT=tile:3").code == 128 + 9);
  cli_test::check_one_line_error(
      s.run("zoom run.yaml -q --out killed --resume --set output.channels=[measure,lyapunov]"), 3, "output.channels");
#endif

  // Shards and merge.
  fs::remove_all(s.dir / "out");
  REQUIRE(s.run("zoom run.yaml --shard 0/2 -q").code == 0);
  REQUIRE(s.run("zoom run.yaml --shard 1/2 -q --threads 1").code == 0);
  REQUIRE(s.run("merge run.yaml -q").code == 0);
  cli_test::check_same_run(s.dir / "ref", s.dir / "out");

  // Rendering a channel.
  const cli_test::Result r = s.run("render ref --channel lyapunov --out lyap");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(s.dir / "lyap/frame_000.png"));
  CHECK(cli_test::slurp(s.dir / "lyap/frame_000.png") != cli_test::slurp(s.dir / "ref/frame_000.png"));
  REQUIRE(s.run("render ref --channel edge_of_stability --out eos").code == 0);
  REQUIRE(s.run("render ref --channel divergence_step --out div").code == 0);
  REQUIRE(s.run("render ref --channel class --out cls").code == 0);
  REQUIRE(s.run("render ref --out same").code == 0);
  CHECK(cli_test::slurp(s.dir / "same/frame_001.png") == cli_test::slurp(s.dir / "ref/frame_001.png"));
}

TEST_CASE("render --channel refuses a channel the run did not store", "[channels][cli]") {
  cli_test::Scratch s;
  s.write("run.yaml", cli_test::kTinyConfig);
  REQUIRE(s.run("zoom run.yaml -q").code == 0);
  cli_test::check_one_line_error(s.run("render out --channel lyapunov"), 2,
                                 "--channel lyapunov: must be a channel frame 0 of this run stores: measure, class");
  CHECK_FALSE(fs::exists(s.dir / "out/render"));
  cli_test::check_one_line_error(s.run("zoom run.yaml --out x --set output.channels=[measure,speed]"), 3,
                                 "output.channels = entry 1 'speed'");
}
