// Optimizers, weight decay, schedules and phase_space kind: axes (docs/optimizers.md): exact
// stability limits on a quadratic, the batched engine against the reference for every optimizer
// and axis parameter, bit identity across threads, tiles and early exit, the named kinds as
// aliases of axes, and the validation messages. (tests/numpy_optimizers.py checks both engines
// against an independent NumPy implementation.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine_points.hpp"
#include "trainscape/batched_engine.hpp"
#include "trainscape/config.hpp"
#include "trainscape/error.hpp"
#include "trainscape/frame_compute.hpp"
#include "trainscape/observer.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;
using namespace trainscape::test;

namespace {

RunConfig config_from(const std::string& yaml) { return load_config(yaml, "optim.yaml"); }


bool identical(const std::vector<PixelOutcome>& a, const std::vector<PixelOutcome>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool both_nan = std::isnan(a[i].measure) && std::isnan(b[i].measure);
    if (!both_nan && std::memcmp(&a[i].measure, &b[i].measure, sizeof(double)) != 0) return false;
    if (a[i].converged != b[i].converged) return false;
  }
  return true;
}

/// The median relative difference of the measures and the fraction of equal classes.
std::pair<double, double> agreement(const std::vector<PixelOutcome>& ref, const std::vector<PixelOutcome>& got) {
  std::vector<double> rel;
  int same = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double a = ref[i].measure, b = got[i].measure;
    rel.push_back(std::isnan(a) && std::isnan(b) ? 0.0 : std::fabs(a - b) / std::max(std::fabs(a), 1e-300));
    same += ref[i].converged == got[i].converged;
  }
  std::nth_element(rel.begin(), rel.begin() + static_cast<std::ptrdiff_t>(rel.size() / 2), rel.end());
  return {rel[rel.size() / 2], static_cast<double>(same) / static_cast<double>(ref.size())};
}

int count_converged(const std::vector<PixelOutcome>& v) {
  int n = 0;
  for (const auto& o : v) n += o.converged;
  return n;
}

/// Every optimizer with a setting that exercises its hyperparameters (and decay for two).
const char* const kOptimizers[] = {
    "optimizer: gd",
    "optimizer: gd, weight_decay: 0.05",
    "optimizer: momentum, momentum: 0.7",
    "optimizer: nesterov, momentum: 0.6, weight_decay: 0.01",
    "optimizer: adam, adam_beta1: 0.8, adam_beta2: 0.99",
    "optimizer: adamw, weight_decay: 0.1",
};

}  // namespace

TEST_CASE("schedule factors follow docs/optimizers.md", "[optim]") {
  CHECK(schedule_factor(Schedule::Constant, 7, 10, 0) == 1.0);
  CHECK(schedule_factor(Schedule::Cosine, 1, 10, 0) == 1.0);
  CHECK(schedule_factor(Schedule::Cosine, 6, 10, 0) == Approx(0.5).margin(1e-15));
  CHECK(schedule_factor(Schedule::Cosine, 10, 10, 0) == Approx(0.5 * (1 + std::cos(0.9 * M_PI))));
  CHECK(schedule_factor(Schedule::WarmupCosine, 1, 10, 4) == 0.25);
  CHECK(schedule_factor(Schedule::WarmupCosine, 4, 10, 4) == 1.0);
  CHECK(schedule_factor(Schedule::WarmupCosine, 5, 10, 4) == 1.0);
  CHECK(schedule_factor(Schedule::WarmupCosine, 8, 10, 4) == Approx(0.5 * (1 + std::cos(M_PI * 3 / 6))));
}

TEST_CASE("pixel_hyperparameters: config values, then the x axis, then the y axis", "[optim]") {
  Problem p = make_problem(config_from(
      "model: {depth: 4, width: 3}\ntraining: {optimizer: adam, lr: [0.1, 0.2, 0.3, 0.4], adam_beta2: 0.9}\n"
      "phase_space: {kind: axes, x_param: lr.2, y_param: adam_beta1, y_scale: linear, x: [-1, 0], y: [0.1, 0.5]}\n"
      "zoom: {frames: 1}\n"));
  const PixelHyperparameters h = pixel_hyperparameters(p, {7.0, 0.25});
  CHECK(h.lr == std::vector<double>{0.1, 0.2, 7.0, 0.4});
  CHECK(h.adam_beta1 == 0.25);
  CHECK(h.adam_beta2 == 0.9);
  CHECK(h.init_scale == 1.0);
  CHECK_FALSE(h.offset_every_step);
  // linear axes: the value is centre + offset
  CHECK(axis_value(AxisScale::Linear, 0.3, -0.05) == 0.3 + -0.05);
  CHECK(axis_value(AxisScale::Log10, 1.0, 0.5) == std::pow(10.0, 1.0) * std::pow(10.0, 0.5));
  const Grid g = first_grid(config_from("phase_space: {kind: axes, x_param: lr, y_param: init_offset, "
                                        "y_scale: linear, x: [-1, 1], y: [-0.5, 0.5]}\nzoom: {frames: 1}\n"),
                            5, 5);
  CHECK(g.value_y(0) == -0.5);
  CHECK(g.value_y(2) == 0.0);
  CHECK(g.value_y(4) == 0.5);
  CHECK(g.value_x(4) == Approx(10.0));
}

// On one datapoint with the output layer frozen (lr 1e-200) the loss is a quadratic in W_0
// whose Hessian 2 a a^T has one non-zero eigenvalue lambda = 2 |x|^2 |w_1|^2 / (d n^2)
// (tests/test_engine.cpp derives it); the residual then follows the scalar recursion of the
// optimizer exactly, and the run is stable iff lr lambda is below the optimizer's limit.
TEST_CASE("exact stability limits of gd, heavy ball and Nesterov land in the right pixel of lr x momentum frames",
          "[optim][quadratic]") {
  // Layer 1 stays frozen only while lr_1 |dL/dW_1| is negligible. Rows far above a limit grow
  // their loss up to 20x per step and within 300 steps reach losses near 1e200, where 1e-200
  // times the gradient moves W_1 by O(1): such a run may collapse onto W_1 = 0 (loss constant at
  // mean(Y^2), classed converged) or overflow, decided by the last bits of rounding. Those differ
  // between the Release and ASan+UBSan builds of the reference engine (which leaves FMA
  // contraction to the compiler): there, 300 steps at beta 0, 1.9x the gd limit, rose to 3e198 at
  // step 220 and then fell to a constant 7.51. So a row is checked only while the scalar model
  // below keeps its loss growth under 1e120 over the run, where the model is exact.
  for (const char* optimizer : {"momentum", "nesterov"}) {
    for (const char* engine_name : {"batched", "reference"}) {
      const std::string base =
          std::string("model: {width: 4, nonlinearity: identity}\ndata: {size: single, seed: 11}\n") +
          "training: {steps: 300, optimizer: " + optimizer + ", lr: [1.0, 1e-200]}\n" +
          "render: {resolution: 16}\nzoom: {frames: 1}\n";
      RunConfig c = config_from(base);
      const Problem probe = make_problem(c);
      const double d = probe.width, n = probe.width;
      const double lambda = 2.0 * probe.X.squaredNorm() * probe.weights[1].squaredNorm() / (d * n * n);
      const bool nesterov = std::string(optimizer) == "nesterov";
      // max over the run of (residual_t / residual_0)^2 for the scalar recursion at rate lr, beta
      const auto loss_growth = [&](double lr, double beta) {
        double e = 1.0, b = 0.0, worst = 1.0;
        for (int t = 0; t < 300; ++t) {
          const double g = lambda * e;
          b = beta * b + g;
          e -= lr * (nesterov ? g + beta * b : b);
          worst = std::max(worst, e * e);
        }
        return worst;
      };
      const auto limit = [&](double beta) {
        return (nesterov ? 2.0 * (1 + beta) / (1 + 2 * beta) : 2.0 * (1 + beta)) / lambda;
      };
      // x: beta in [0, 0.9] (column 0 is plain gd: b = g), y: lr_0 over the range of the limits,
      // 0.0039 decades per row, shifted by a third of a row so that no pixel sits on a limit.
      const int cols = 10, rows = 129;
      const double lo = std::log10((nesterov ? 1.2 : 1.8) / lambda), hi = lo + 0.5;
      const double spacing = 0.5 / (rows - 1);
      c = config_from(base +
                      "phase_space: {kind: axes, x_param: momentum, x_scale: linear, y_param: lr.0, x: [0, 0.9], y: [" +
                      std::to_string(lo + spacing / 3) + ", " + std::to_string(hi + spacing / 3) + "]}\n");
      const Problem p = make_problem(c);
      const Grid grid = first_grid(c, cols, rows);
      Image<double> measure;
      Image<std::uint8_t> converged;
      ZoomObserver quiet;
      const auto engine = make_engine(engine_name);
      compute_measures(p, *engine, grid, c.runtime, 0, quiet, measure, converged);
      for (int col = 0; col < cols; ++col) {
        const double beta = grid.value_x(col);
        int expected = 0;  // the first row above the limit
        while (expected < rows && grid.value_y(expected) < limit(beta)) ++expected;
        REQUIRE(expected > 0);
        REQUIRE(expected < rows);
        int first_diverged = 0;
        while (first_diverged < rows && converged(first_diverged, col)) ++first_diverged;
        INFO(optimizer << " " << engine_name << " beta " << beta << " limit " << limit(beta) * lambda << " / lambda");
        CHECK(first_diverged == expected);
        int row = 0;
        for (; row < rows && loss_growth(grid.value_y(row), beta) < 1e120; ++row) {
          INFO("row " << row);
          CHECK(static_cast<bool>(converged(row, col)) == (row < expected));
        }
        CHECK(row >= expected + 5);  // the check reaches well above the limit
      }
    }
  }
}

TEST_CASE("batched engine agrees with the reference for every optimizer, schedule and batch mode",
          "[optim][reference]") {
  const BatchedEngine batched;
  const ReferenceEngine reference;
  for (const char* optimizer : kOptimizers) {
    for (const char* schedule : {"schedule: constant", "schedule: warmup_cosine, warmup_steps: 8"}) {
      for (const char* batch : {"full", "6"}) {
        for (const char* precision : {"float64", "float32"}) {
          for (int depth : {2, 3}) {
            const std::string yaml = "model: {width: 5, target_dim: 2, depth: " + std::to_string(depth) +
                                     "}\ndata: {size: 24, seed: 5}\ntraining: {steps: 30, " + optimizer + ", " +
                                     schedule + ", batch: " + batch + ", precision: " + precision +
                                     "}\nphase_space: {x: [-2.5, 1], y: [-2.5, 1]}\nzoom: {frames: 1}\n";
            const RunConfig c = config_from(yaml);
            const Problem p = make_problem(c);
            const auto points = grid_points(c, 7);
            const auto want = run(reference, p, points);
            const auto got = run(batched, p, points);
            const auto [median_rel, classes] = agreement(want, got);
            INFO(yaml << "median rel " << median_rel << ", class agreement " << classes);
            CHECK(median_rel < (std::string(precision) == "float64" ? 1e-12 : 1e-4));
            CHECK(classes >= 0.97);
            CHECK(count_converged(want) > 0);
          }
        }
      }
    }
  }
}

TEST_CASE("batched engine agrees with the reference for every axis parameter", "[optim][reference][axes]") {
  const BatchedEngine batched;
  const ReferenceEngine reference;
  struct Case {
    const char* training;
    const char* axes;
  };
  const Case cases[] = {
      {"optimizer: gd", "x_param: lr, y_param: init_scale, y: [-0.5, 0.5], x: [-2, 1]"},
      {"optimizer: momentum", "x_param: lr.even, y_param: lr.odd, x: [-2, 1], y: [-2, 1]"},
      {"optimizer: nesterov", "x_param: lr.1, y_param: lr.0, x: [-2, 1], y: [-2, 1]"},
      {"optimizer: adam", "x_param: init_offset, x_scale: linear, y_param: lr, x: [-1, 1], y: [-3, 0]"},
      {"optimizer: momentum, momentum: 0.5",
       "x_param: init_offset_every_step, x_scale: linear, y_param: lr, x: [-0.2, 0.2], y: [-2, 1]"},
      {"optimizer: momentum", "x_param: momentum, x_scale: linear, y_param: lr, x: [0, 0.95], y: [-2, 1]"},
      {"optimizer: nesterov", "x_param: lr, y_param: momentum, y: [-3, -0.01], x: [-2, 1]"},
      {"optimizer: adam", "x_param: adam_beta1, x_scale: linear, y_param: lr, x: [0, 0.99], y: [-3, 0]"},
      {"optimizer: adamw, weight_decay: 0.01",
       "x_param: adam_beta2, x_scale: linear, y_param: adam_eps, x: [0.5, 0.999], y: [-8, 0]"},
      {"optimizer: gd", "x_param: weight_decay, y_param: lr, x: [-3, 0.5], y: [-2, 1]"},
      {"optimizer: adamw, lr: 0.3",
       "x_param: weight_decay, x_scale: linear, y_param: init_scale, x: [0, 2], "
       "y: [-1, 1]"},
  };
  for (const Case& k : cases) {
    for (const char* model : {"model: {width: 5, depth: 2}", "model: {width: 4, depth: 3, nonlinearity: relu}",
                              "model: {width: 6, nonlinearity: identity}"}) {
      const std::string yaml = std::string(model) + "\ndata: {size: 20, seed: 2}\ntraining: {steps: 30, " + k.training +
                               "}\nphase_space: {kind: axes, " + k.axes + "}\nzoom: {frames: 1}\n";
      const RunConfig c = config_from(yaml);
      const Problem p = make_problem(c);
      const auto points = grid_points(c, 7);
      const auto want = run(reference, p, points);
      const auto [median_rel, classes] = agreement(want, run(batched, p, points));
      INFO(yaml << "median rel " << median_rel << ", class agreement " << classes);
      CHECK(median_rel < 1e-12);
      CHECK(classes >= 0.97);
    }
  }
}

TEST_CASE("every optimizer: bit-identical frames for any thread count, tile size and early exit",
          "[optim][determinism]") {
  for (const char* optimizer : kOptimizers) {
    for (const char* schedule : {"constant", "cosine"}) {
      const RunConfig c = config_from(std::string("model: {width: 6}\ntraining: {steps: 40, ") + optimizer +
                                      ", schedule: " + schedule +
                                      "}\nphase_space: {x: [-1.5, 2.5], y: [-1.5, 2.5]}\nzoom: {frames: 1}\n");
      const Problem p = make_problem(c);
      const Grid grid = first_grid(c, 24, 20);
      ZoomObserver quiet;
      Image<double> m1, m2, m3;
      Image<std::uint8_t> c1, c2, c3;
      const RuntimeConfig one{1, 8}, two{2, 5};
      BatchedOptions no_exit;
      no_exit.early_exit = false;
      no_exit.max_batch = 13;
      compute_measures(p, BatchedEngine{}, grid, one, 0, quiet, m1, c1);
      compute_measures(p, BatchedEngine{}, grid, two, 0, quiet, m2, c2);
      compute_measures(p, BatchedEngine{no_exit}, grid, two, 0, quiet, m3, c3);
      INFO(optimizer << ", schedule " << schedule);
      CHECK(std::memcmp(m1.data.data(), m2.data.data(), m1.size() * sizeof(double)) == 0);
      CHECK(std::memcmp(m1.data.data(), m3.data.data(), m1.size() * sizeof(double)) == 0);
      CHECK(c1 == c2);
      CHECK(c1 == c3);
      int trained = 0;
      for (auto v : c1.data) trained += v;
      CHECK(trained > 0);  // not vacuous: both outcomes
      CHECK(trained < static_cast<int>(c1.size()));
    }
  }
}

TEST_CASE("the named kinds are axes: the same bits as kind: axes with their parameters", "[optim][axes]") {
  const BatchedEngine batched;
  const ReferenceEngine reference;
  const std::pair<const char*, const char*> aliases[] = {
      {"kind: lr_vs_lr", "kind: axes, x_param: lr.even, y_param: lr.odd"},
      {"kind: offset_at_init_vs_lr", "kind: axes, x_param: init_offset, y_param: lr"},
      {"kind: offset_every_step_vs_lr", "kind: axes, x_param: init_offset_every_step, y_param: lr"},
  };
  for (const auto& [named, axes] : aliases) {
    const std::string rest =
        "model: {width: 5, depth: 3}\ndata: {size: 16}\ntraining: {steps: 25}\nzoom: {frames: 1}\n";
    const RunConfig a = config_from(rest + "phase_space: {" + named + ", x: [-2, 0.5], y: [-2, 1]}\n");
    const RunConfig b = config_from(rest + "phase_space: {" + axes + ", x: [-2, 0.5], y: [-2, 1]}\n");
    const auto points = grid_points(a, 6);
    INFO(named);
    CHECK(identical(run(batched, make_problem(a), points), run(batched, make_problem(b), points)));
    CHECK(identical(run(reference, make_problem(a), points), run(reference, make_problem(b), points)));
  }
}

TEST_CASE("impossible optimizer and axis combinations are one-line config errors", "[optim][config]") {
  const std::pair<const char*, const char*> bad[] = {
      {"training: {optimizer: gd}\nphase_space: {kind: axes, x_param: momentum, y_param: lr, x: [-2, -1]}",
       "phase_space.x_param = momentum: needs training.optimizer momentum or nesterov, not gd"},
      {"training: {optimizer: momentum}\nphase_space: {kind: axes, x_param: adam_beta1, y_param: lr, x: [-2, -1]}",
       "phase_space.x_param = adam_beta1: needs training.optimizer adam or adamw, not momentum"},
      {"phase_space: {kind: axes, x_param: lr, y_param: lr}", "sets the same hyperparameter as x_param = lr"},
      {"phase_space: {kind: axes, x_param: lr.even, y_param: lr.0}", "sets the same hyperparameter as x_param"},
      {"phase_space: {kind: axes, x_param: init_offset, y_param: init_offset_every_step}",
       "sets the same hyperparameter"},
      {"training: {optimizer: momentum}\nphase_space: {kind: axes, x_param: momentum, x_scale: linear, y_param: lr, "
       "x: [0.5, 1.0]}",
       "phase_space.x = [0.5, 1.0]: momentum must stay in [0, 1)"},
      {"training: {optimizer: adam}\nphase_space: {kind: axes, x_param: adam_beta2, y_param: lr, x: [-2, 0.5]}",
       "adam_beta2 must stay in [0, 1): log10 exponents below 0"},
      {"phase_space: {kind: axes, x_param: lr, x_scale: linear, y_param: init_scale, x: [-0.5, 2]}",
       "lr must be > 0: a linear range must not reach or cross 0"},
      {"phase_space: {kind: axes, x_param: weight_decay, x_scale: linear, y_param: lr, x: [-0.5, 2]}",
       "weight_decay must be >= 0"},
      {"phase_space: {kind: axes, x_param: lr.2, y_param: lr.0}", "the layer must be below model.depth = 2"},
      {"phase_space: {x_param: momentum}", "x_param, y_param, x_scale and y_scale are read only with kind: axes"},
      {"training: {lr: [0.1, 0.2, 0.3]}", "training.lr = 3 values: must be one learning rate or one per layer"},
      {"training: {steps: 10, warmup_steps: 11}", "training.warmup_steps = 11: must not exceed training.steps = 10"},
      {"training: {momentum: 1.0}", "training.momentum = 1.0: must be a number in [0, 1)"},
      {"training: {adam_eps: 0}", "training.adam_eps = 0: must be a finite number > 0"},
      {"training: {optimizer: sgd}", "training.optimizer = sgd: must be one of: gd | momentum | nesterov"},
      {"phase_space: {kind: axes, x_param: lr.x}", "phase_space.x_param = lr.x: must be one of:"},
      {"training: {optimizer: momentum}\nphase_space: {kind: axes, x_param: momentum, x_scale: linear, y_param: lr,"
       " x: [0, 0.5]}\nzoom: {frames: 3, target: [0.95, 1]}",
       "(zoom frame 1 around zoom.target)"},
  };
  for (const auto& [yaml, fragment] : bad) {
    INFO(yaml);
    try {
      load_config(std::string(yaml) + "\n", "bad.yaml");
      FAIL("accepted");
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::Contains(fragment));
      CHECK(what.find('\n') == std::string::npos);
      CHECK(e.code() == ExitCode::Config);
    }
  }
}
