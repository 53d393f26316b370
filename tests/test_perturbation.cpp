// Deep zoom (docs/deep-zoom.md): the difference formulas against quad-double, the quad-double
// oracle against the reference engine, the perturbation engine against the reference engine
// where float64 still resolves pixels and against the oracle below that, and bit identity
// across chunkings and threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/measure.hpp"
#include "trainscape/perturbation.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;

namespace {

Problem problem_from(const std::string& yaml) { return make_problem(load_config(yaml, "test.yaml")); }

/// A small network: width 4, N = 20, `steps` steps.
Problem small_problem(const std::string& nonlinearity, const std::string& batch, int steps,
                      const std::string& phase_space = "{kind: lr_vs_lr, x: [-1.0, 3.0], y: [-1.0, 3.0]}",
                      int depth = 2) {
  return problem_from("model: {width: 4, depth: " + std::to_string(depth) + ", nonlinearity: " + nonlinearity +
                      ", target_dim: 1}\n"
                      "data: {size: 20, rng: native, seed: 3}\n"
                      "training: {steps: " +
                      std::to_string(steps) + ", batch: " + batch +
                      "}\n"
                      "phase_space: " +
                      phase_space + "\n");
}

/// |a - b| in units of the last place of b (b != 0).
double ulps(double a, double b) { return std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b)); }

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b)); }

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// A coordinate x on the row y = y0 where the class changes, to within `width`: a coarse scan of
/// [lo, hi] and bisection with the reference engine down to 1e-11, then bisection of the offsets
/// from that point with a perturbation engine (the oracle's cost would be a second per halving).
Wide boundary_x(const Problem& p, double lo, double hi, double y0, double width) {
  const int n = 48;
  auto cls = [&](double x) { return reference::outcome(p, {std::pow(10.0, x), std::pow(10.0, y0)}).converged; };
  double a = lo, b = lo;
  bool found = false;
  for (int i = 0; i + 1 < n && !found; ++i) {
    a = lo + (hi - lo) * i / (n - 1);
    b = lo + (hi - lo) * (i + 1) / (n - 1);
    found = cls(a) != cls(b);
  }
  REQUIRE(found);
  const auto class_a = cls(a);
  while (b - a > 1e-11) {
    const double mid = 0.5 * (a + b);
    (cls(mid) == class_a ? a : b) = mid;
  }
  // Offsets are doubles: each stage bisects until they run out of digits, then re-centres.
  Wide centre(0.5 * (a + b));
  double da = a - centre.head(), db = b - centre.head();
  int stages = 0;
  while (db - da > width) {
    REQUIRE(++stages < 8);
    const deep::PerturbationEngine engine(p, centre, Wide(y0), db - da, db - da);
    auto deep_class = [&](double offset) {
      const HyperPoint point{offset, 0.0};
      PixelOutcome out;
      engine.train(p, &point, 1, &out);
      return out.converged;
    };
    const auto deep_a = deep_class(da);
    // A new reference may round a chaotic end pixel the other way: then the bracket is as
    // narrow as it gets.
    if (deep_a == deep_class(db)) {
      REQUIRE(stages > 1);
      break;
    }
    while (db - da > width && db - da > 1e-13 * std::max(std::fabs(da), std::fabs(db))) {
      const double mid = 0.5 * (da + db);
      (deep_class(mid) == deep_a ? da : db) = mid;
    }
    const double mid = 0.5 * (da + db);
    centre = centre + Wide(mid);
    da -= mid;
    db -= mid;
  }
  return centre;
}

/// A cols x rows grid of offsets spanning (-half, half) in both axes.
std::vector<HyperPoint> offset_grid(double half_x, double half_y, int cols, int rows) {
  std::vector<HyperPoint> points;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      points.push_back({half_x * (2.0 * c - (cols - 1)) / (cols - 1), half_y * (2.0 * r - (rows - 1)) / (rows - 1)});
    }
  }
  return points;
}

struct DeepAgreement {
  int sampled = 0;
  int class_agree = 0;
  int converged = 0;
  double worst_measure = 0.0;  ///< relative, where classes agree
};

/// Trains a cols x cols frame of half-width `half` around (cx, cy) with perturbation and `samples`
/// of its pixels (every k-th) with the oracle.
DeepAgreement deep_agreement(const Problem& p, const Wide& cx, const Wide& cy, double half, int cols, int samples,
                             deep::PerturbationCounts* counts = nullptr) {
  const deep::PerturbationEngine engine(p, cx, cy, half, half);
  const std::vector<HyperPoint> points = offset_grid(half, half, cols, cols);
  std::vector<PixelOutcome> out(points.size());
  engine.train(p, points.data(), points.size(), out.data());
  DeepAgreement a;
  const std::size_t stride = points.size() / static_cast<std::size_t>(samples);
  for (std::size_t i = stride / 2; i < points.size(); i += stride) {
    const PixelOutcome oracle = deep::train_high_precision(p, cx + Wide(points[i].x), cy + Wide(points[i].y));
    ++a.sampled;
    a.converged += oracle.converged;
    if (oracle.converged == out[i].converged) {
      ++a.class_agree;
      a.worst_measure = std::max(a.worst_measure, relative(oracle.measure, out[i].measure));
    }
  }
  if (counts) *counts = engine.counts();
  return a;
}

}  // namespace

TEST_CASE("perturbation: tanh difference against quad-double over the whole range", "[perturbation]") {
  double worst = 0.0;
  int cases = 0;
  const double us[] = {0.0, 1e-300, 1e-8,  0.3,  -0.7, 1.0,    2.5,   -4.0,
                       9.0, 19.0,   -20.0, 35.0, 60.0, -150.0, 300.0, -345.0};
  for (double u : us) {
    const double t = deep::difference::exact_tanh_value(u);
    const double s = deep::difference::exact_sech2(u);
    for (int p = -300; p <= 2; ++p) {
      for (double m : {1.0, -1.0, 3.7, -6.1}) {
        const double e = m * std::pow(10.0, p);
        if (std::fabs(u + e) > 345.0) continue;  // sech^2 below double's range: both are ~0
        const double exact = deep::difference::exact_tanh(u, e);
        const double got = deep::difference::tanh(u, e, t, s);
        if (exact == 0.0 || std::fabs(exact) < 1e-290) continue;  // subnormal results
        const double err = ulps(got, exact);
        if (err > worst) worst = err;
        INFO("u = " << u << ", e = " << e << ": " << got << " vs " << exact);
        // Large |u| rounds u itself, which the saturated branch feeds to exp: a few ulps per
        // unit of |u + e| - |u| (docs/deep-zoom.md#perturbation); elsewhere a few ulps.
        CHECK(err <= 8.0);
        ++cases;
      }
    }
  }
  CHECK(cases > 10000);
  WARN("tanh difference: worst " << worst << " ulps over " << cases << " cases");
}

TEST_CASE("perturbation: saturated tanh keeps its deviation where 1 - tanh^2 would give zero", "[perturbation]") {
  // tanh(21) rounds to 1, so tanh(21 + e) - tanh(21) and 1 - tanh^2 vanish in plain double.
  const double u = 21.0, e = 1e-20;
  const double got =
      deep::difference::tanh(u, e, deep::difference::exact_tanh_value(u), deep::difference::exact_sech2(u));
  CHECK(std::tanh(u + e) - std::tanh(u) == 0.0);
  CHECK(got > 0.0);
  CHECK(ulps(got, deep::difference::exact_tanh(u, e)) <= 2.0);
  // The derivative's difference: sech^2(u + e) - sech^2(u) = -2 tanh(u) sech^2(u) e to first order.
  const double d2 = deep::difference::sech2(deep::difference::exact_tanh_value(u), got);
  CHECK(relative(d2, -2.0 * deep::difference::exact_sech2(u) * e) < 1e-12);
}

TEST_CASE("perturbation: relu difference across the kink", "[perturbation]") {
  CHECK(deep::difference::relu(1.0, 1e-300) == 1e-300);
  CHECK(deep::difference::relu(-1.0, 1e-300) == 0.0);
  CHECK(deep::difference::relu(0.0, 1e-300) == 1e-300);
  CHECK(deep::difference::relu(0.0, -1e-300) == 0.0);
  CHECK(deep::difference::relu(0x1p-70, -0x3p-70) == -0x1p-70);
  CHECK(deep::difference::relu(-0x1p-70, 0x3p-70) == 0x2p-70);
  CHECK(deep::difference::relu(2.0, -0.5) == -0.5);
  // Against the plain definition wherever it is exact (values of like size).
  for (double z : {-3.0, -1.0, -0.25, 0.5, 2.0}) {
    for (double e : {-4.0, -1.5, -0.5, 0.125, 1.0, 3.5}) {
      CHECK(deep::difference::relu(z, e) == std::max(z + e, 0.0) - std::max(z, 0.0));
    }
  }
}

TEST_CASE("perturbation: the learning-rate difference 10^(c + dc) - 10^c", "[perturbation]") {
  const double ten_c = std::pow(10.0, 1.3);
  for (int p = -300; p <= -1; p += 7) {
    const double dc = 2.5 * std::pow(10.0, p);
    const double got = deep::difference::pow10(ten_c, dc);
    // First order is exact enough below 1e-9: ten_c dc ln 10 (1 + dc ln 10 / 2).
    if (p < -9) CHECK(relative(got, ten_c * dc * std::log(10.0) * (1.0 + dc * std::log(10.0) / 2)) < 1e-15);
  }
  CHECK(relative(deep::difference::pow10(ten_c, 0.5), std::pow(10.0, 1.8) - ten_c) < 1e-14);
}

TEST_CASE("perturbation: unsupported settings are named", "[perturbation]") {
  CHECK(deep::unsupported_reason(small_problem("tanh", "full", 10)).empty());
  CHECK(deep::unsupported_reason(small_problem("relu", "8", 10)).empty());
  Problem p = small_problem("tanh", "full", 10);
  p.precision = Precision::Float32;
  CHECK(deep::unsupported_reason(p).find("float32") != std::string::npos);
  p = small_problem("tanh", "full", 10);
  p.optimizer = Optimizer::Adam;
  CHECK(deep::unsupported_reason(p).find("adam") != std::string::npos);
  p = small_problem("tanh", "full", 10);
  p.readout = Readout::Probe;
  CHECK(deep::unsupported_reason(p).find("probe") != std::string::npos);
  p = small_problem("tanh", "full", 10, "{kind: axes, x_param: weight_decay, x: [-3, -1], y: [-1, 1]}");
  CHECK(deep::unsupported_reason(p).find("weight decay") != std::string::npos);
}

TEST_CASE("perturbation: the quad-double oracle equals the reference engine where float64 suffices", "[perturbation]") {
  for (const char* f : {"tanh", "relu", "identity"}) {
    for (const char* batch : {"full", "8"}) {
      const Problem p = small_problem(f, batch, 60);
      for (double x : {-0.5, 0.4, 1.1}) {
        for (double y : {-0.8, 0.3}) {
          const std::vector<double> direct = reference::loss_curve(p, {std::pow(10.0, x), std::pow(10.0, y)});
          const std::vector<double> quad = deep::high_precision_loss_curve(p, Wide(x), Wide(y));
          INFO(f << " batch " << batch << " at (" << x << ", " << y << ")");
          // Non-chaotic early steps: the curves agree to float64 rounding growth.
          for (int t = 0; t < 20; ++t) {
            if (std::isfinite(direct[t])) CHECK(relative(direct[t], quad[t]) < 1e-9);
          }
        }
      }
    }
  }
}

TEST_CASE("perturbation: agrees with the reference engine where float64 resolves pixels", "[perturbation]") {
  for (const char* f : {"tanh", "relu"}) {
    const Problem p = small_problem(f, "full", 120);
    const double y0 = std::string(f) == "tanh" ? 1.0 : 0.5;  // rows that cross the boundary
    const Wide cx = boundary_x(p, -1.0, 3.0, y0, 1e-12);
    const double half = 5e-7;  // a window 1e-6 wide
    const int cols = 9;
    const deep::PerturbationEngine engine(p, cx, Wide(y0), half, half);
    const std::vector<HyperPoint> offsets = offset_grid(half, half, cols, cols);
    std::vector<PixelOutcome> deep_out(offsets.size());
    engine.train(p, offsets.data(), offsets.size(), deep_out.data());
    std::vector<double> diffs, deep_vs_oracle, direct_vs_oracle;
    int class_differs = 0, converged = 0;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      const HyperPoint value{axis_value(AxisScale::Log10, cx.head(), offsets[i].x),
                             axis_value(AxisScale::Log10, y0, offsets[i].y)};
      const PixelOutcome direct = reference::outcome(p, value);
      converged += direct.converged;
      if (direct.converged != deep_out[i].converged) {
        ++class_differs;
      } else {
        diffs.push_back(relative(direct.measure, deep_out[i].measure));
      }
      if (i % 9 == 4) {  // nine pixels against the oracle too
        const PixelOutcome oracle =
            deep::train_high_precision(p, cx + Wide(offsets[i].x), Wide(y0) + Wide(offsets[i].y));
        deep_vs_oracle.push_back(relative(oracle.measure, deep_out[i].measure));
        direct_vs_oracle.push_back(relative(oracle.measure, direct.measure));
      }
    }
    INFO(f << ": " << class_differs << " of " << offsets.size() << " classes differ, " << converged
           << " converged; median relative measure difference " << median(diffs) << " (perturbation vs oracle "
           << median(deep_vs_oracle) << ", reference engine vs oracle " << median(direct_vs_oracle) << ")");
    CHECK(converged > 0);
    CHECK(converged < static_cast<int>(offsets.size()));
    CHECK(class_differs <= 2);
    // The criterion is 1e-10; where the float64 engine itself is further than that from the
    // oracle (training that amplifies rounding), perturbation must be at least as close to the
    // oracle as the float64 engine is.
    CHECK(median(diffs) <= std::max(1e-10, 2.0 * median(direct_vs_oracle)));
    CHECK(median(deep_vs_oracle) <= std::max(1e-10, median(direct_vs_oracle)));
    WARN(f << " 1e-6 window: " << class_differs << "/" << offsets.size() << " classes differ, median rel. diff "
           << median(diffs) << " (perturbation vs oracle " << median(deep_vs_oracle) << ", reference engine vs oracle "
           << median(direct_vs_oracle) << "), glitched " << engine.counts().glitched << ", direct "
           << engine.counts().direct << ", continued " << engine.counts().continued);
  }
}

TEST_CASE("perturbation: agrees with the quad-double oracle at 1e-20 and 1e-35", "[perturbation]") {
  struct Case {
    const char* nonlinearity;
    const char* batch;
    double y0;  ///< a row that crosses the boundary
  };
  for (const Case& c : {Case{"tanh", "full", 1.0}, Case{"relu", "full", 0.5}, Case{"tanh", "8", 0.75}}) {
    const Problem p = small_problem(c.nonlinearity, c.batch, 80);
    const double y0 = c.y0;
    const Wide cx = boundary_x(p, -1.0, 3.0, y0, 1e-37);
    for (double width : {1e-20, 1e-35}) {
      deep::PerturbationCounts counts;
      const DeepAgreement a = deep_agreement(p, cx, Wide(y0), width / 2, 8, 12, &counts);
      INFO(c.nonlinearity << " batch " << c.batch << ", width " << width << ": " << a.class_agree << "/" << a.sampled
                          << " classes agree, " << a.converged << " converged, worst measure " << a.worst_measure);
      CHECK(a.class_agree >= 0.99 * a.sampled);
      CHECK(a.worst_measure <= 1e-8);
      WARN(c.nonlinearity << " batch " << c.batch << " width " << width << ": " << a.class_agree << "/" << a.sampled
                          << " agree (" << a.converged << " converged), worst rel. measure " << a.worst_measure
                          << "; glitched " << counts.glitched << "/" << counts.pixels << ", direct " << counts.direct
                          << ", references " << counts.references << ", continued in float64 " << counts.continued);
    }
  }
}

TEST_CASE("perturbation: offsets and depth 3 at 1e-20", "[perturbation]") {
  const Problem p =
      small_problem("tanh", "full", 80, "{kind: offset_every_step_vs_lr, x: [-3.0, 0.0], y: [-1.0, 2.0]}");
  const Problem q = small_problem("tanh", "full", 80, "{kind: lr_vs_lr, x: [-1.0, 3.0], y: [-1.0, 3.0]}", 3);
  for (const Problem* prob : {&p, &q}) {
    const double y0 = prob == &p ? 1.0 : 0.5;
    const Wide cx = boundary_x(*prob, prob == &p ? -3.0 : -1.0, prob == &p ? 0.0 : 3.0, y0, 1e-22);
    const DeepAgreement a = deep_agreement(*prob, cx, Wide(y0), 5e-21, 6, 9);
    INFO(a.class_agree << "/" << a.sampled << " agree, worst measure " << a.worst_measure);
    CHECK(a.class_agree >= 0.99 * a.sampled);
    CHECK(a.worst_measure <= 1e-8);
  }
}

TEST_CASE("perturbation: offset at init and relu minibatch at 1e-35", "[perturbation]") {
  const Problem offset =
      small_problem("tanh", "full", 80, "{kind: offset_at_init_vs_lr, x: [-3.0, 0.0], y: [-1.0, 2.0]}");
  const Problem relu_batch = small_problem("relu", "8", 80);
  struct Case {
    const Problem* problem;
    double lo, hi, y0;
  };
  for (const Case& c : {Case{&offset, 0.0, 1.0, 1.0}, Case{&relu_batch, -1.0, 3.0, 0.5}}) {
    const Wide cx = boundary_x(*c.problem, c.lo, c.hi, c.y0, 1e-37);
    deep::PerturbationCounts counts;
    const DeepAgreement a = deep_agreement(*c.problem, cx, Wide(c.y0), 5e-36, 6, 9, &counts);
    INFO(a.class_agree << "/" << a.sampled << " agree, " << a.converged << " converged, worst measure "
                       << a.worst_measure);
    CHECK(a.class_agree >= 0.99 * a.sampled);
    CHECK(a.worst_measure <= 1e-8);
    WARN((c.problem == &offset ? "offset_at_init_vs_lr" : "relu batch 8")
         << " width 1e-35: " << a.class_agree << "/" << a.sampled << " agree (" << a.converged
         << " converged), worst rel. measure " << a.worst_measure << "; glitched " << counts.glitched << ", continued "
         << counts.continued << ", reclassified " << counts.reclassified);
  }
}

TEST_CASE("perturbation: the class at depth is the sign of the exact tail excess", "[perturbation]") {
  // Frame 43 of configs/deep/tanh_deep.yaml (pixel spacing 3.4e-27 log10 units): every pixel's
  // loss curve equals the centre's to about 1e-17, and the mean of the last 20 loss ratios is
  // 1 - 2e-16 or so, at the resolution of doubles (docs/deep-zoom.md#the-class-at-depth).
  const Problem p = problem_from(
      "model: {width: 4, depth: 2, nonlinearity: tanh, target_dim: 1}\n"
      "data: {size: params, ratio: 1.0, rng: native, seed: 0}\n"
      "training: {steps: 100, batch: full}\n"
      "phase_space: {kind: lr_vs_lr, x: [-1.0, 3.0], y: [-1.0, 3.0]}\n");
  const Wide cx = *Wide::parse("-0.1763893465983789122561778614085774105554090204212784374630138881");
  const Wide cy = *Wide::parse("1.322744238333191700430186453197449516749793242643480507703383645");
  const double half = 2.58494e-26;
  const deep::PerturbationEngine engine(p, cx, cy, half, half);
  const std::vector<HyperPoint> points = offset_grid(half, half, 4, 4);
  std::vector<PixelOutcome> out(points.size());
  engine.train(p, points.data(), points.size(), out.data());
  int double_rule_wrong = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Wide x = cx + Wide(points[i].x), y = cy + Wide(points[i].y);
    const PixelOutcome oracle = deep::train_high_precision(p, x, y);
    const std::vector<double> rounded = deep::high_precision_loss_curve(p, x, y);
    double_rule_wrong += convergence_measure(rounded.data(), p.steps).converged != oracle.converged;
    INFO("pixel " << i);
    CHECK(out[i].converged == oracle.converged);
    CHECK(relative(out[i].measure, oracle.measure) <= 1e-12);
  }
  // The double rule on the oracle's own rounded losses gets some classes wrong here, and the
  // engine decided some classes against it: the case tests what it is meant to.
  CHECK(double_rule_wrong > 0);
  CHECK(engine.counts().reclassified > 0);
  WARN("frame 43 of tanh_deep, 16 pixels: the double rule misclassifies "
       << double_rule_wrong << ", the engine reclassified " << engine.counts().reclassified);
}

TEST_CASE("perturbation: glitched pixels are recomputed and equal the oracle", "[perturbation]") {
  // init_scale on a linear axis, window [0, 1]: near init_scale 0 the pixel's weights are a
  // cancellation of the centre's (0.5) and the deviation (check 2 of docs/deep-zoom.md#glitches).
  const Problem p = small_problem("tanh", "full", 60,
                                  "{kind: axes, x_param: init_scale, x_scale: linear, x: [0.0, 1.0], y_param: lr, y: "
                                  "[-1.0, 1.0]}");
  const Wide cx(0.5), cy(0.0);
  const double half_x = 0.5, half_y = 1.0;
  // init_scale 0.003: ||W|| is 0.006 of the centre's (glitch), 0.018 of the reference at 1/6
  // (fine); init_scale 0: zero weights, a cancellation against every reference, so trained
  // directly in quad-double; an ordinary pixel for comparison.
  const std::vector<HyperPoint> points = {{-0.497, 0.0}, {-0.5, 0.1}, {0.2, -0.3}};
  const deep::PerturbationEngine engine(p, cx, cy, half_x, half_y);
  std::vector<PixelOutcome> out(points.size());
  engine.train(p, points.data(), points.size(), out.data());
  const deep::PerturbationCounts counts = engine.counts();
  CHECK(counts.glitched == 2);
  CHECK(counts.direct == 1);
  CHECK(counts.references >= 2);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PixelOutcome oracle = deep::train_high_precision(p, cx + Wide(points[i].x), cy + Wide(points[i].y));
    INFO("pixel " << i << ": " << out[i].measure << " vs oracle " << oracle.measure);
    CHECK(out[i].converged == oracle.converged);
    CHECK(relative(out[i].measure, oracle.measure) <= 1e-12);
  }
  // The directly trained pixel is the oracle's, bit for bit.
  CHECK(same_bits(out[1].measure, deep::train_high_precision(p, cx + Wide(-0.5), cy + Wide(0.1)).measure));
}

TEST_CASE("perturbation: bit-identical across chunkings and threads", "[perturbation]") {
  const Problem p = small_problem("tanh", "full", 60);
  const Wide cx = boundary_x(p, -1.0, 3.0, 1.0, 1e-30);
  const double half = 5e-26;
  const std::vector<HyperPoint> points = offset_grid(half, half, 10, 10);
  std::vector<PixelOutcome> whole(points.size()), chunked(points.size());
  {
    const deep::PerturbationEngine engine(p, cx, Wide(1.0), half, half);
    engine.train(p, points.data(), points.size(), whole.data());
  }
  const deep::PerturbationEngine engine(p, cx, Wide(1.0), half, half);
  // Chunks of 7 in reverse order on two threads: another order of first use of every reference.
  const std::int64_t chunks = static_cast<std::int64_t>((points.size() + 6) / 7);
  parallel_for_each(chunks, 2, [&](std::int64_t c) {
    const std::size_t begin = static_cast<std::size_t>(chunks - 1 - c) * 7;
    const std::size_t count = std::min<std::size_t>(7, points.size() - begin);
    engine.train(p, points.data() + begin, count, chunked.data() + begin);
  });
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(same_bits(whole[i].measure, chunked[i].measure));
    CHECK(whole[i].converged == chunked[i].converged);
  }
}

// Timing, not a check: `trainscape_tests "[.perturbation_speed]"` prints the reference's
// quad-double training time for the paper's tanh network and a pixel's cost against the
// reference engine's float64 pixel.
TEST_CASE("perturbation: speed", "[.perturbation_speed]") {
  const Problem p = problem_from(
      "model: {width: 16, depth: 2, nonlinearity: tanh, target_dim: 1}\n"
      "data: {size: params, rng: native, seed: 0}\n"
      "training: {steps: 1000, batch: full}\n"
      "phase_space: {kind: lr_vs_lr, x: [1.1238, 1.1239], y: [2.3018, 2.3019]}\n");
  using clock = std::chrono::steady_clock;
  const Wide cx = *Wide::parse("1.12384387943491861234567890123");
  const Wide cy = *Wide::parse("2.30184387943491861234567890123");
  auto t0 = clock::now();
  const deep::PerturbationEngine engine(p, cx, cy, 5e-31, 5e-31);
  const double reference_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  const std::vector<HyperPoint> points = offset_grid(5e-31, 5e-31, 4, 4);
  std::vector<PixelOutcome> out(points.size());
  t0 = clock::now();
  engine.train(p, points.data(), points.size(), out.data());
  const double deep_seconds = std::chrono::duration<double>(clock::now() - t0).count() /
                              static_cast<double>(points.size());
  t0 = clock::now();
  for (const HyperPoint& h : points) {
    reference::outcome(p, {std::pow(10.0, 1.1238 + h.x * 1e20), std::pow(10.0, 2.3018 + h.y * 1e20)});
  }
  const double direct_seconds = std::chrono::duration<double>(clock::now() - t0).count() /
                                static_cast<double>(points.size());
  const deep::PerturbationCounts c = engine.counts();
  WARN("reference (quad-double, 1000 steps): " << reference_seconds << " s; perturbation pixel " << deep_seconds
                                               << " s; reference-engine float64 pixel " << direct_seconds
                                               << " s; ratio " << deep_seconds / direct_seconds << "; glitched "
                                               << c.glitched << ", direct " << c.direct);
}
