// The reference engine: gradients against finite differences, the exact GD stability limit of a
// quadratic loss, step-by-step consistency, minibatches, and thread-count independence.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"
#include "trainscape/zoom.hpp"

using namespace trainscape;

namespace {
Problem problem_from(const std::string& yaml) { return make_problem(load_config(yaml, "test.yaml")); }

/// Worst |analytic - numeric| over each layer's entries, relative to that layer's largest
/// numeric gradient entry; central differences with h = 1e-5. Truncation error is O(h^2) ~ 1e-10
/// and round-off ~ 1e-16 * loss / h ~ 1e-11 here, so 1e-6 leaves room for both while any wrong
/// factor or transposition gives errors of order 1.
double worst_gradient_error(const Problem& p) {
  std::vector<Eigen::MatrixXd> grads;
  reference::loss_and_gradients(p, p.weights, &grads);
  double worst = 0.0;
  for (std::size_t l = 0; l < p.weights.size(); ++l) {
    REQUIRE(grads[l].rows() == p.weights[l].rows());
    REQUIRE(grads[l].cols() == p.weights[l].cols());
    Eigen::MatrixXd numeric(grads[l].rows(), grads[l].cols());
    for (Eigen::Index i = 0; i < p.weights[l].size(); ++i) {
      const double h = 1e-5;
      auto plus = p.weights, minus = p.weights;
      plus[l](i) += h;
      minus[l](i) -= h;
      numeric(i) =
          (reference::loss_and_gradients(p, plus, nullptr) - reference::loss_and_gradients(p, minus, nullptr)) /
          (2 * h);
    }
    const double scale = numeric.cwiseAbs().maxCoeff();
    REQUIRE(scale > 1e-3);  // the check is not vacuous
    worst = std::max(worst, (grads[l] - numeric).cwiseAbs().maxCoeff() / scale);
  }
  return worst;
}
}  // namespace

// The weight shapes of docs/model.md#network and N of docs/model.md#dataset-size.
TEST_CASE("problem shapes follow model.md", "[engine]") {
  const Problem p = problem_from("model: {width: 6, depth: 4, target_dim: 2}\ntraining: {steps: 3}\n");
  REQUIRE(p.weights.size() == 4);
  CHECK(p.weights[0].rows() == 6);
  CHECK(p.weights[0].cols() == 6);
  CHECK(p.weights[3].rows() == 6);
  CHECK(p.weights[3].cols() == 2);
  CHECK(p.X.rows() == (36 * 3 + 12) / 2);
  CHECK(p.X.cols() == 6);
  CHECK(p.Y.cols() == 2);
  CHECK(p.full_batch());
  // Deterministic in the seed, different across seeds.
  const Problem again = problem_from("model: {width: 6, depth: 4, target_dim: 2}\ntraining: {steps: 3}\n");
  CHECK(again.X == p.X);
  CHECK(again.weights[2] == p.weights[2]);
  const Problem other = problem_from("model: {width: 6, depth: 4, target_dim: 2}\ndata: {seed: 1}\n");
  CHECK(other.X != p.X);
  // Entries look standard normal.
  const Problem big = problem_from("model: {width: 64}\n");
  const double mean = big.X.mean();
  const double var = (big.X.array() - mean).square().mean();
  CHECK(std::fabs(mean) < 0.01);  // 64 * 4160 samples: sd of the mean ~0.002
  CHECK(std::fabs(var - 1.0) < 0.01);
}

TEST_CASE("gradients match central finite differences", "[engine][gradient]") {
  for (const char* f : {"tanh", "relu", "identity"}) {
    for (int depth : {2, 3, 4}) {
      const std::string yaml = std::string("model: {width: 5, target_dim: 2, nonlinearity: ") + f +
                               ", depth: " + std::to_string(depth) + "}\ndata: {size: 7, seed: 3}\n";
      const Problem p = problem_from(yaml);
      INFO(f << " depth " << depth);
      CHECK(worst_gradient_error(p) < 1e-6);
    }
  }
}

TEST_CASE("a recorded loss is the loss before that step's update", "[engine]") {
  for (const char* f : {"tanh", "relu", "identity"}) {
    const Problem p =
        problem_from(std::string("model: {width: 4, depth: 3, nonlinearity: ") + f + "}\ntraining: {steps: 3}\n");
    const HyperPoint point{0.3, 0.7};
    const std::vector<double> losses = reference::loss_curve(p, point);
    REQUIRE(losses.size() == 3);
    std::vector<Eigen::MatrixXd> w = p.weights, g;
    CHECK(losses[0] == reference::loss_and_gradients(p, w, &g));
    const std::vector<double> lr = trainscape::pixel_hyperparameters(p, point).lr;
    CHECK(lr == std::vector<double>{0.3, 0.7, 0.3});  // lr_vs_lr: x for even layers, y for odd
    for (std::size_t l = 0; l < w.size(); ++l) w[l] -= lr[l] * g[l];
    CHECK(losses[1] == Approx(reference::loss_and_gradients(p, w, nullptr)).epsilon(1e-14));
  }
}

TEST_CASE("minibatch steps use the step's rows for the gradient and record the full loss", "[engine]") {
  const Problem p = problem_from("model: {width: 4}\ntraining: {steps: 4, batch: 3}\n");
  REQUIRE(p.minibatches.size() == 4);
  REQUIRE(p.minibatches[0].size() == 3);
  for (const auto& step : p.minibatches)
    for (int i : step) CHECK((i >= 0 && i < p.n_data()));
  const HyperPoint point{0.5, 0.5};
  const std::vector<double> losses = reference::loss_curve(p, point);
  std::vector<Eigen::MatrixXd> g;
  CHECK(losses[0] == reference::loss_and_gradients(p, p.weights, nullptr));
  // Gradient on the minibatch rows only.
  Problem rows_only = p;
  rows_only.X.resize(3, p.X.cols());
  rows_only.Y.resize(3, p.Y.cols());
  for (int i = 0; i < 3; ++i) {
    rows_only.X.row(i) = p.X.row(p.minibatches[0][i]);
    rows_only.Y.row(i) = p.Y.row(p.minibatches[0][i]);
  }
  reference::loss_and_gradients(rows_only, p.weights, &g);
  std::vector<Eigen::MatrixXd> w = p.weights;
  for (std::size_t l = 0; l < w.size(); ++l) w[l] -= 0.5 * g[l];
  CHECK(losses[1] == Approx(reference::loss_and_gradients(p, w, nullptr)).epsilon(1e-14));
  // And it is not the full-batch step.
  const Problem full = problem_from("model: {width: 4}\ntraining: {steps: 4}\n");
  CHECK(reference::loss_curve(full, point)[1] != losses[1]);
}

TEST_CASE("float32 training follows float64 closely on a smooth run", "[engine]") {
  const Problem p64 = problem_from("model: {width: 8}\ntraining: {steps: 20}\n");
  const Problem p32 = problem_from("model: {width: 8}\ntraining: {steps: 20, precision: float32}\n");
  const auto a = reference::loss_curve(p64, {0.1, 0.1});
  const auto b = reference::loss_curve(p32, {0.1, 0.1});
  for (std::size_t t = 0; t < a.size(); ++t) CHECK(b[t] == Approx(a[t]).epsilon(1e-5));
  CHECK(a[19] < a[0]);    // it does train
  CHECK(b[19] != a[19]);  // and float32 really is a different computation
}

TEST_CASE("the GD stability limit lr < 2 / lambda_max of a quadratic loss lands in the right column",
          "[engine][quadratic]") {
  // A deep-linear network on one datapoint with the output layer effectively frozen (its
  // learning rate is 1e-200): the loss (x W_0 w_1 / (sqrt(d) n) - y)^2 is quadratic in W_0 with
  // Hessian 2 a a^T, a = x (x) w_1 / (sqrt(d) n), so lambda_max = 2 |x|^2 |w_1|^2 / (d n^2) and
  // the residual evolves exactly as r_{t+1} = (1 - lr lambda_max) r_t. Loss ratios are
  // (1 - lr lambda)^(2t): converged iff lr < 2 / lambda_max, for any number of steps.
  RunConfig c = load_config(
      "model: {width: 4, nonlinearity: identity}\ndata: {size: single, seed: 11}\ntraining: {steps: 60}\n"
      "render: {resolution: [33, 16]}\nzoom: {frames: 1}\n",
      "quadratic.yaml");
  const Problem p = make_problem(c);
  const double d = p.width, n = p.width;
  const double lambda = 2.0 * p.X.squaredNorm() * p.weights[1].squaredNorm() / (d * n * n);
  const double limit = 2.0 / lambda;
  // A window of +-0.05 decades around the limit, offset by a third of a pixel so that no pixel
  // sits on the limit itself.
  const double spacing = 0.1 / 32;
  c.phase_space.x = {std::log10(limit) - 0.05 + spacing / 3, std::log10(limit) + 0.05 + spacing / 3};
  c.phase_space.y = {-201.0, -200.0};
  const Grid grid(Window::from_intervals(c.phase_space.x, c.phase_space.y), 33, 16);
  Image<double> measure;
  Image<std::uint8_t> converged;
  ZoomObserver quiet;
  compute_measures(p, ReferenceEngine{}, grid, c.runtime, 0, quiet, measure, converged);
  int first_diverged = -1;
  for (int col = 0; col < 33; ++col) {
    if (first_diverged < 0 && !converged(0, col)) first_diverged = col;
  }
  int expected = 0;
  while (expected < 33 && grid.value_x(expected) < limit) ++expected;
  CHECK(expected == 16);  // the limit sits just left of the centre column by construction
  CHECK(first_diverged == expected);
  for (int row = 0; row < 16; ++row) {
    for (int col = 0; col < 33; ++col) {
      INFO("row " << row << " col " << col);
      CHECK(static_cast<bool>(converged(row, col)) == (grid.value_x(col) < limit));
      CHECK((measure(row, col) < 0) == (grid.value_x(col) < limit));
    }
  }
}

TEST_CASE("frames are bit-identical for 1 and 2 threads and any tile size", "[engine][determinism]") {
  const RunConfig c =
      load_config("model: {width: 6}\ntraining: {steps: 40}\nphase_space: {x: [-1, 2], y: [-1, 2]}\n", "t.yaml");
  const Problem p = make_problem(c);
  const Grid grid(Window::from_intervals(c.phase_space.x, c.phase_space.y), 24, 20);
  ZoomObserver quiet;
  Image<double> m1, m2;
  Image<std::uint8_t> c1, c2;
  RuntimeConfig one{1, 8}, two{2, 5};
  compute_measures(p, ReferenceEngine{}, grid, one, 0, quiet, m1, c1);
  compute_measures(p, ReferenceEngine{}, grid, two, 0, quiet, m2, c2);
  REQUIRE(m1.size() == m2.size());
  CHECK(std::memcmp(m1.data.data(), m2.data.data(), m1.size() * sizeof(double)) == 0);
  CHECK(c1 == c2);
  // Not vacuous: the window holds both outcomes.
  int trained = 0;
  for (auto v : c1.data) trained += v;
  CHECK(trained > 0);
  CHECK(trained < static_cast<int>(c1.size()));
}

TEST_CASE("offset phase spaces: once at initialisation, or before every step", "[engine][offset]") {
  const Problem once =
      problem_from("model: {width: 4}\ntraining: {steps: 3}\nphase_space: {kind: offset_at_init_vs_lr}\n");
  const HyperPoint point{0.25, 0.1};  // offset 0.25, every layer's learning rate 0.1
  // Once: exactly lr_vs_lr training (x = y = 0.1) from W_0 + 0.25.
  Problem shifted = problem_from("model: {width: 4}\ntraining: {steps: 3}\n");
  shifted.weights[0].array() += 0.25;
  CHECK(reference::loss_curve(once, point) == reference::loss_curve(shifted, {0.1, 0.1}));

  // Every step: loss of step t is taken after the t-th addition of the offset.
  const Problem every =
      problem_from("model: {width: 4}\ntraining: {steps: 3}\nphase_space: {kind: offset_every_step_vs_lr}\n");
  const auto losses = reference::loss_curve(every, point);
  std::vector<Eigen::MatrixXd> w = every.weights, g;
  for (int t = 0; t < 3; ++t) {
    w[0].array() += 0.25;
    const double expected = reference::loss_and_gradients(every, w, &g);
    CHECK(losses[t] == Approx(expected).epsilon(1e-13));
    for (std::size_t l = 0; l < w.size(); ++l) w[l] -= 0.1 * g[l];
  }
  CHECK(losses[1] != reference::loss_curve(once, point)[1]);  // the readings really differ
}

TEST_CASE("probe readout is the network's output at the probe input after training", "[engine][probe]") {
  // Deep linear, depth 2: out = probe W_0 W_1 / (sqrt(d) n), by hand after one step.
  const Problem p = problem_from("model: {width: 4, nonlinearity: identity}\ntraining: {steps: 1, readout: probe}\n");
  REQUIRE(p.probe.rows() == 1);
  REQUIRE(p.probe.cols() == 4);
  const HyperPoint point{0.05, 0.07};
  std::vector<Eigen::MatrixXd> w = p.weights, g;
  reference::loss_and_gradients(p, w, &g);
  w[0] -= 0.05 * g[0];
  w[1] -= 0.07 * g[1];
  const double expected = (p.probe * w[0] * w[1])(0, 0) / (std::sqrt(4.0) * 4.0);
  const PixelOutcome o = reference::outcome(p, point);
  CHECK(o.measure == Approx(expected).epsilon(1e-14));
  // The class still comes from the losses.
  const Problem loss_readout = problem_from("model: {width: 4, nonlinearity: identity}\ntraining: {steps: 1}\n");
  CHECK(o.converged == reference::outcome(loss_readout, point).converged);
}

TEST_CASE("train_cancellable: unset, the same bits as train -- set, it returns without training", "[engine]") {
  const Problem p = problem_from("model: {width: 8}\ntraining: {steps: 50}\n");
  std::vector<HyperPoint> points;
  for (int i = 0; i < 40; ++i) points.push_back({std::pow(10.0, -2.0 + 0.15 * i), std::pow(10.0, 3.0 - 0.12 * i)});
  for (const char* name : {"reference", "batched"}) {
    INFO(name);
    const auto engine = make_engine(name);
    std::vector<PixelOutcome> plain(points.size()), cancellable(points.size());
    engine->train(p, points.data(), points.size(), plain.data());
    const std::atomic<bool> go_on{false};
    engine->train_cancellable(p, points.data(), points.size(), cancellable.data(), go_on);
    for (std::size_t i = 0; i < points.size(); ++i) {
      CHECK(std::memcmp(&plain[i].measure, &cancellable[i].measure, sizeof(double)) == 0);
      CHECK(plain[i].converged == cancellable[i].converged);
    }
    // Already cancelled: nothing is written (the sentinel survives).
    const std::atomic<bool> stop{true};
    std::vector<PixelOutcome> untouched(points.size(), PixelOutcome{12345.0, 7});
    engine->train_cancellable(p, points.data(), points.size(), untouched.data(), stop);
    for (const PixelOutcome& o : untouched) CHECK(o.measure == 12345.0);
  }
}
