// The batched engine against the reference engine (every nonlinearity, depth, batch mode,
// precision, phase space and readout), its exactness properties (early exit, batch composition,
// thread count and tile size change no bit), its fast paths, its tanh and the benchmark helpers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine_points.hpp"
#include "trainscape/batched_engine.hpp"
#include "trainscape/bench.hpp"
#include "trainscape/config.hpp"
#include "trainscape/detail/simd_tanh.hpp"
#include "trainscape/error.hpp"
#include "trainscape/measure.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"
#include "trainscape/window.hpp"
#include "trainscape/zoom.hpp"

using namespace trainscape;
using namespace trainscape::test;

namespace {

RunConfig config_from(const std::string& yaml) { return load_config(yaml, "batched_test.yaml"); }


bool same_bits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool identical(const std::vector<PixelOutcome>& a, const std::vector<PixelOutcome>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i].measure, b[i].measure) || a[i].converged != b[i].converged) return false;
  }
  return true;
}

struct Agreement {
  double median_rel = 0.0;  ///< median over pixels of |a - b| / |a| (0 where both are NaN)
  double class_agreement = 1.0;
  double sign_agreement = 1.0;
};

Agreement compare(const std::vector<PixelOutcome>& ref, const std::vector<PixelOutcome>& got) {
  std::vector<double> rel;
  int same_class = 0, same_sign = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double a = ref[i].measure, b = got[i].measure;
    rel.push_back(std::isnan(a) && std::isnan(b) ? 0.0 : std::fabs(a - b) / std::max(std::fabs(a), 1e-300));
    same_class += ref[i].converged == got[i].converged;
    same_sign += (a < 0) == (b < 0);
  }
  std::nth_element(rel.begin(), rel.begin() + static_cast<std::ptrdiff_t>(rel.size() / 2), rel.end());
  Agreement g;
  g.median_rel = rel[rel.size() / 2];
  g.class_agreement = static_cast<double>(same_class) / static_cast<double>(ref.size());
  g.sign_agreement = static_cast<double>(same_sign) / static_cast<double>(ref.size());
  return g;
}

int count_converged(const std::vector<PixelOutcome>& v) {
  int n = 0;
  for (const auto& o : v) n += o.converged;
  return n;
}

}  // namespace

TEST_CASE("MeasureAccumulator reproduces convergence_measure bit for bit", "[batched]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-3.0, 9.0);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (int steps : {1, 5, 19, 20, 21, 57, 300}) {
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<double> losses(static_cast<std::size_t>(steps));
      for (auto& l : losses) {
        const int kind = static_cast<int>(rng() % 23);
        l = kind == 0 ? nan : kind == 1 ? inf : kind == 2 ? 0.0 : std::pow(10.0, u(rng));
      }
      if (trial % 3 == 0) {  // long clamped tails, as after an early exit
        for (std::size_t t = losses.size() / 2; t < losses.size(); ++t) losses[t] = nan;
      }
      if (trial == 1) losses[0] = nan;  // non-finite initial loss
      const PixelOutcome want = convergence_measure(losses.data(), steps);
      detail::MeasureAccumulator acc(steps);
      const int cut = trial % 2 ? steps : std::max(1, steps / 2);
      for (int t = 0; t < cut; ++t) acc.add(losses[static_cast<std::size_t>(t)]);
      if (cut < steps && trial % 3 == 0 && cut >= static_cast<int>(losses.size() / 2)) {
        acc.add_nonfinite(steps - cut);
      } else {
        for (int t = cut; t < steps; ++t) acc.add(losses[static_cast<std::size_t>(t)]);
      }
      const PixelOutcome got = acc.finish();
      INFO("steps " << steps << " trial " << trial);
      CHECK(same_bits(got.measure, want.measure));
      CHECK(got.converged == want.converged);
    }
  }
}

TEST_CASE("the engine's tanh is within its stated error bound", "[batched][tanh]") {
  // 2e6 points: uniform over [-e, e] with e from 2^-30 to 2^5 (every binade that training
  // meets, including the reduction boundaries), against long double tanhl. The error is
  // measured in ulps of the correctly rounded result, so a correctly rounded function scores
  // up to 0.5 here.
  auto ulp_error = [](auto got, long double want) {
    using S = decltype(got);
    const S rounded = static_cast<S>(want);
    const long double ulp =
        static_cast<long double>(std::nextafter(std::fabs(rounded), std::numeric_limits<S>::infinity())) -
        std::fabs(rounded);
    return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
  };
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> xd;
  for (int i = 0; i < 2000000; ++i) xd.push_back(u(rng) * std::ldexp(1.0, -30 + (35 * (i % 1000)) / 1000));
  std::vector<float> xf(xd.begin(), xd.end());
  std::vector<KernelIsa> isas = {KernelIsa::Build};
  if (detail::cpu_has_avx512f()) isas.push_back(KernelIsa::Avx512);
  for (KernelIsa isa : isas) {
    INFO("kernels " << BatchedEngine::isa(isa));
    std::vector<double> yd(xd.size());
    std::vector<float> yf(xf.size());
    detail::tanh_array(xd.data(), yd.data(), xd.size(), isa);
    detail::tanh_array(xf.data(), yf.data(), xf.size(), isa);
    double worst_d = 0.0, worst_f = 0.0, mean_d = 0.0;
    for (std::size_t i = 0; i < xd.size(); ++i) {
      const double e = ulp_error(yd[i], tanhl(static_cast<long double>(xd[i])));
      worst_d = std::max(worst_d, e);
      mean_d += e;
      worst_f = std::max(worst_f, ulp_error(yf[i], tanhl(static_cast<long double>(xf[i]))));
    }
    mean_d /= static_cast<double>(xd.size());
    INFO("float64 max " << worst_d << " ulp, mean " << mean_d << "; float32 max " << worst_f << " ulp");
    CHECK(worst_d <= detail::kTanhMaxUlpDouble);
    CHECK(mean_d < 0.25);
    CHECK(worst_f <= detail::kTanhMaxUlpFloat);

    // Special values, and one lane (the scalar tail) gives the same bits as a full vector.
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> special = {0.0,  -0.0,  inf,  -inf,  1e-300, -5e-324,
                                   19.0, -20.0, 40.0, 1e300, 0.3,    -0.17328769545203876};
    std::vector<double> out(special.size());
    detail::tanh_array(special.data(), out.data(), special.size(), isa);
    CHECK(same_bits(out[0], 0.0));
    CHECK(same_bits(out[1], -0.0));
    CHECK(out[2] == 1.0);
    CHECK(out[3] == -1.0);
    CHECK(out[4] == 1e-300);
    CHECK(out[5] == -5e-324);
    CHECK(out[8] == 1.0);
    CHECK(out[9] == 1.0);
    double nan_in = std::numeric_limits<double>::quiet_NaN(), nan_out = 0.0;
    detail::tanh_array(&nan_in, &nan_out, 1, isa);
    CHECK(std::isnan(nan_out));
    for (std::size_t i = 0; i < special.size(); ++i) {
      double one = 0.0;
      detail::tanh_array(&special[i], &one, 1, isa);
      CHECK(same_bits(one, out[i]));
    }
    // Every ISA computes the same bits.
    std::vector<double> build(xd.size());
    detail::tanh_array(xd.data(), build.data(), xd.size(), KernelIsa::Build);
    CHECK(std::memcmp(build.data(), yd.data(), yd.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("the engine's tanh at the edges and in its saturated-vector shortcut", "[batched][tanh]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double denormal_min = std::numeric_limits<double>::denorm_min();
  std::vector<KernelIsa> isas = {KernelIsa::Build};
  if (detail::cpu_has_avx512f()) isas.push_back(KernelIsa::Avx512);
  for (KernelIsa isa : isas) {
    INFO("kernels " << BatchedEngine::isa(isa));
    // Denormals and the smallest normals come back unchanged (tanh x = x to far below an ulp).
    std::vector<double> tiny = {denormal_min, -denormal_min, 1e-310, -2.2250738585072014e-308, 1e-200, -3e-20};
    std::vector<double> tiny_out(tiny.size());
    detail::tanh_array(tiny.data(), tiny_out.data(), tiny.size(), isa);
    for (std::size_t i = 0; i < tiny.size(); ++i) CHECK(same_bits(tiny_out[i], tiny[i]));

    // Dense sweep across the saturation threshold, each value in a vector whose other lanes are
    // 0.5 (so the full evaluation runs) and in a vector of copies (so the shortcut may run): both
    // give the same bits, exactly +-1 from 19.1 on, and within the bound below it.
    for (double x = 18.5; x <= 45.0; x += 1.0 / 1024) {
      for (double sx : {x, -x}) {
        double mixed[16], mixed_out[16], copies[16], copies_out[16];
        for (int i = 0; i < 16; ++i) {
          mixed[i] = (i % 3 == 0) ? sx : 0.5;
          copies[i] = sx;
        }
        detail::tanh_array(mixed, mixed_out, 16, isa);
        detail::tanh_array(copies, copies_out, 16, isa);
        const long double want = tanhl(static_cast<long double>(sx));
        for (int i = 0; i < 16; i += 3) {
          REQUIRE(same_bits(mixed_out[i], copies_out[i]));
          if (x >= detail::TanhConstants<double>::saturation) REQUIRE(copies_out[i] == std::copysign(1.0, sx));
          const double ulp = std::nextafter(1.0, 0.0) - 1.0;  // ulp of the results below 1
          REQUIRE(std::fabs(static_cast<long double>(copies_out[i]) - want) <= std::fabs(ulp) * 1.0L);
        }
      }
    }
    // +-inf alone, among saturated lanes, and beside a NaN (which must not take the shortcut).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double v[8] = {inf, -inf, 30.0, -19.1, inf, -inf, 1e300, -1e300}, v_out[8];
    detail::tanh_array(v, v_out, 8, isa);
    for (int i = 0; i < 8; ++i) CHECK(v_out[i] == std::copysign(1.0, v[i]));
    v[3] = nan;
    detail::tanh_array(v, v_out, 8, isa);
    CHECK(std::isnan(v_out[3]));
    CHECK(v_out[0] == 1.0);
    CHECK(v_out[1] == -1.0);
    // float32 crosses its own threshold exactly as well.
    for (float x = 8.5f; x <= 25.0f; x += 1.0f / 256) {
      float f[16], f_out[16];
      for (int i = 0; i < 16; ++i) f[i] = (i == 5) ? 0.25f : x;
      detail::tanh_array(f, f_out, 16, isa);
      if (x >= detail::TanhConstants<float>::saturation) REQUIRE(f_out[0] == 1.0f);
      float g = x, g_out = 0.0f;
      detail::tanh_array(&g, &g_out, 1, isa);
      REQUIRE(same_bits(g_out, f_out[0]));
    }
  }
}

TEST_CASE("the engine's tanh gives the same bits in its chunked two-pass loop as one value at a time",
          "[batched][tanh]") {
  // detail::tanh_vectors runs stage 1 for a chunk of vectors and then stage 2; the scalar tail of
  // tanh_array runs both stages on one lane (tanh_v). A long array (several chunks plus a
  // remainder) with runs of saturated, non-saturated, mixed, NaN and infinite vectors must give
  // the same bits both ways, in place and out of place.
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<double> x(8 * 300 + 5);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t block = i / 24;  // runs of 24 values of one kind, across vector and chunk edges
    switch (block % 5) {
      case 0: x[i] = 3.0 * u(rng); break;
      case 1: x[i] = std::copysign(19.1 + 50.0 * std::fabs(u(rng)), u(rng)); break;
      case 2: x[i] = (i % 7 == 0) ? 0.25 * u(rng) : 30.0 * u(rng); break;
      case 3: x[i] = (i % 11 == 0) ? nan : (i % 13 == 0) ? -inf : 20.0 * u(rng); break;
      default: x[i] = u(rng) * std::ldexp(1.0, -30 + static_cast<int>(i % 36)); break;
    }
  }
  std::vector<KernelIsa> isas = {KernelIsa::Build};
  if (detail::cpu_has_avx512f()) isas.push_back(KernelIsa::Avx512);
  for (KernelIsa isa : isas) {
    INFO("kernels " << BatchedEngine::isa(isa));
    std::vector<double> whole(x.size()), one_at_a_time(x.size()), in_place = x;
    detail::tanh_array(x.data(), whole.data(), x.size(), isa);
    for (std::size_t i = 0; i < x.size(); ++i) detail::tanh_array(&x[i], &one_at_a_time[i], 1, isa);
    detail::tanh_array(in_place.data(), in_place.data(), in_place.size(), isa);
    int differing = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      differing += !same_bits(whole[i], one_at_a_time[i]) || !same_bits(in_place[i], whole[i]);
    }
    CHECK(differing == 0);
    std::vector<float> xf(x.begin(), x.end()), wf(xf.size()), of(xf.size());
    detail::tanh_array(xf.data(), wf.data(), xf.size(), isa);
    for (std::size_t i = 0; i < xf.size(); ++i) detail::tanh_array(&xf[i], &of[i], 1, isa);
    CHECK(std::memcmp(wf.data(), of.data(), wf.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("batched engine agrees with the reference on every nonlinearity, depth, batch mode and precision",
          "[batched][reference]") {
  const BatchedEngine batched;
  const ReferenceEngine reference;
  for (const char* f : {"tanh", "relu", "identity"}) {
    for (int depth : {2, 3}) {
      for (const char* batch : {"full", "6"}) {
        for (const char* precision : {"float64", "float32"}) {
          const std::string yaml = std::string("model: {width: 5, target_dim: 2, nonlinearity: ") + f +
                                   ", depth: " + std::to_string(depth) + "}\ndata: {size: 24, seed: 5}\n" +
                                   "training: {steps: 30, batch: " + batch + ", precision: " + precision + "}\n" +
                                   "phase_space: {x: [-2, 1.5], y: [-2, 1.5]}\n";
          const RunConfig c = config_from(yaml);
          const Problem p = make_problem(c);
          const auto points = grid_points(c, 7);
          const auto want = run(reference, p, points);
          const auto got = run(batched, p, points);
          const Agreement a = compare(want, got);
          INFO(f << " depth " << depth << " batch " << batch << " " << precision << ": median rel " << a.median_rel
                 << ", class agreement " << a.class_agreement);
          const bool f64 = std::string(precision) == "float64";
          CHECK(a.median_rel < (f64 ? 1e-12 : 1e-4));
          CHECK(a.class_agreement >= 0.97);
          // not vacuous: the window holds both outcomes for most settings
          if (std::string(f) != "identity") CHECK(count_converged(want) > 0);
        }
      }
    }
  }
}

TEST_CASE("batched engine agrees with the reference in the offset phase spaces and with readout: probe",
          "[batched][reference]") {
  const BatchedEngine batched;
  const ReferenceEngine reference;
  for (const char* extra : {"phase_space: {kind: offset_at_init_vs_lr, x: [-3, 0.5], y: [-2, 1]}\n",
                            "phase_space: {kind: offset_every_step_vs_lr, x: [-3, 0.5], y: [-2, 1]}\n",
                            "training: {steps: 30, readout: probe}\nphase_space: {x: [-2, 2], y: [-2, 2]}\n",
                            "model: {width: 6, nonlinearity: identity}\ntraining: {steps: 30, readout: probe}\n"}) {
    std::string yaml = std::string("data: {size: 20, seed: 2}\n") + extra;
    if (yaml.find("model:") == std::string::npos) yaml = "model: {width: 6}\n" + yaml;
    if (yaml.find("training:") == std::string::npos) yaml += "training: {steps: 30}\n";
    const RunConfig c = config_from(yaml);
    const Problem p = make_problem(c);
    const auto points = grid_points(c, 7);
    const Agreement a = compare(run(reference, p, points), run(batched, p, points));
    INFO(extra << "median rel " << a.median_rel << ", class agreement " << a.class_agreement);
    CHECK(a.median_rel < 1e-12);
    CHECK(a.class_agreement >= 0.97);
  }
}

TEST_CASE("no sign flips against the reference on a frame that contains the boundary", "[batched][boundary]") {
  // A scaled-down version of issue 3's check (the full 128 x 128 x 200-step paper frame is run by
  // scripts/bench_vs_peers.sh --check): the paper's tanh network (width 16, N = 272) on its wide
  // window, 40 x 40 pixels, 100 steps. Differences between two correct float64 implementations
  // come only from chaotic pixels on the boundary.
  const RunConfig c = config_from("model: {width: 16}\ntraining: {steps: 100}\n");
  const Problem p = make_problem(c);
  const auto points = grid_points(c, 40);
  BatchedStats stats;
  std::vector<PixelOutcome> got(points.size());
  BatchedEngine().train(p, points.data(), points.size(), got.data(), &stats);
  const auto want = run(ReferenceEngine(), p, points);
  const Agreement a = compare(want, got);
  INFO("median rel " << a.median_rel << ", sign agreement " << a.sign_agreement);
  CHECK(a.median_rel < 1e-12);
  CHECK(a.sign_agreement >= 0.995);
  CHECK(a.class_agreement >= 0.995);
  const int trained = count_converged(want);
  CHECK(trained > 100);
  CHECK(trained < 1500);
  CHECK(stats.early_exits > 0);  // the frame has runs that blow up, and they left early
}

TEST_CASE("early exit changes no bit", "[batched][early_exit]") {
  // Both kinds of exit: NaN in the output layer (every later loss NaN), and the saturated
  // continuation of tanh runs whose activations are all exactly +-1 (full batch, minibatch,
  // several outputs, the kernel path, float32).
  struct Case {
    const char* yaml;
    bool saturates;
  };
  for (const Case& k :
       {Case{"model: {width: 6}\ntraining: {steps: 80}\n", true},
        Case{"model: {width: 6}\ntraining: {steps: 80, batch: 5}\n", true},
        Case{"model: {width: 6, target_dim: 2}\ntraining: {steps: 80}\n", true},
        Case{"model: {width: 6, nonlinearity: relu, depth: 3}\ntraining: {steps: 80, batch: 7}\n", false},
        Case{"model: {width: 6, nonlinearity: identity}\ntraining: {steps: 80}\n", false},
        Case{"model: {width: 6}\ndata: {size: single}\ntraining: {steps: 80, precision: float32}\n", true},
        Case{"model: {width: 6, target_dim: 2}\ntraining: {steps: 80, readout: probe}\n", false}}) {
    const RunConfig c = config_from(k.yaml);
    const Problem p = make_problem(c);
    const auto points = grid_points(c, 12);
    BatchedOptions off;
    off.early_exit = false;
    BatchedStats on_stats, off_stats;
    std::vector<PixelOutcome> with(points.size()), without(points.size());
    BatchedEngine().train(p, points.data(), points.size(), with.data(), &on_stats);
    BatchedEngine(off).train(p, points.data(), points.size(), without.data(), &off_stats);
    INFO(k.yaml << "exits " << on_stats.early_exits << ", skipped " << on_stats.steps_skipped << ", saturated "
                << on_stats.saturated << " (" << on_stats.saturated_steps << " steps)");
    CHECK(identical(with, without));
    CHECK(on_stats.early_exits + on_stats.saturated > 0);
    if (k.saturates) CHECK(on_stats.saturated > 0);
    CHECK(off_stats.early_exits == 0);
    CHECK(off_stats.saturated == 0);
    CHECK(on_stats.lane_steps <= off_stats.lane_steps);
    if (on_stats.early_exits + on_stats.saturated >= 4 * BatchedEngine::lanes(p.precision)) {
      CHECK(on_stats.lane_steps < off_stats.lane_steps);  // compaction did drop packs
    }
  }
}

TEST_CASE("a pixel's outcome does not depend on the batch it is trained in", "[batched][determinism]") {
  for (const char* yaml : {"model: {width: 7}\ntraining: {steps: 40}\n",
                           "model: {width: 7, nonlinearity: relu}\ntraining: {steps: 40, batch: 5}\n",
                           "model: {width: 7}\ntraining: {steps: 40, precision: float32}\n"}) {
    const RunConfig c = config_from(yaml);
    const Problem p = make_problem(c);
    const auto points = grid_points(c, 9);
    const auto all = run(BatchedEngine(), p, points);
    // Reversed order, and batches of 1, 3 and 5 points (other lanes, other packs, compaction
    // at other times).
    std::vector<HyperPoint> reversed(points.rbegin(), points.rend());
    auto back = run(BatchedEngine(), p, reversed);
    std::reverse(back.begin(), back.end());
    CHECK(identical(all, back));
    for (int max_batch : {1, 3, 5}) {
      BatchedOptions o;
      o.max_batch = max_batch;
      CHECK(identical(all, run(BatchedEngine(o), p, points)));
    }
    // The AVX-512 kernels (when the CPU has them) and the build's own give the same bits.
    BatchedOptions build_isa;
    build_isa.isa = KernelIsa::Build;
    CHECK(identical(all, run(BatchedEngine(build_isa), p, points)));
    if (detail::cpu_has_avx512f()) {
      BatchedOptions avx512;
      avx512.isa = KernelIsa::Avx512;
      CHECK(identical(all, run(BatchedEngine(avx512), p, points)));
    }
    // Each point alone.
    std::vector<PixelOutcome> single(points.size());
    for (std::size_t i = 0; i < points.size(); i += 7) {
      BatchedEngine().train(p, &points[i], 1, &single[i]);
      CHECK(same_bits(single[i].measure, all[i].measure));
    }
    // And through the frame driver: 1 vs 2 threads, different tile sizes.
    const Grid grid(Window::from_intervals(c.phase_space.x, c.phase_space.y), 9, 9);
    ZoomObserver quiet;
    Image<double> m1, m2;
    Image<std::uint8_t> c1, c2;
    compute_measures(p, BatchedEngine(), grid, RuntimeConfig{1, 4}, 0, quiet, m1, c1);
    compute_measures(p, BatchedEngine(), grid, RuntimeConfig{2, 3}, 0, quiet, m2, c2);
    CHECK(std::memcmp(m1.data.data(), m2.data.data(), m1.size() * sizeof(double)) == 0);
    for (std::size_t i = 0; i < points.size(); ++i) CHECK(same_bits(m1.data[i], all[i].measure));
  }
}

TEST_CASE("fast paths agree with the reference and with the general kernels", "[batched][fast_path]") {
  BatchedOptions general;
  general.fast_paths = false;
  struct Case {
    const char* yaml;
    const char* path;
  };
  for (const Case& k :
       {Case{"model: {width: 8, nonlinearity: identity}\ntraining: {steps: 60}\n", "deep_linear"},
        Case{"model: {width: 8, nonlinearity: identity, target_dim: 3}\ntraining: {steps: 60, batch: 4}\n",
             "deep_linear"},
        Case{"model: {width: 8}\ndata: {size: single}\ntraining: {steps: 60}\n", "kernel"},
        Case{"model: {width: 8, depth: 3, nonlinearity: relu}\ndata: {size: 6}\ntraining: {steps: 60}\n", "kernel"},
        Case{"model: {width: 8}\ndata: {size: single}\ntraining: {steps: 60, precision: float32}\n", "kernel"}}) {
    const RunConfig c = config_from(k.yaml);
    const Problem p = make_problem(c);
    const auto points = grid_points(c, 10);
    BatchedStats fast_stats, general_stats;
    std::vector<PixelOutcome> fast(points.size()), slow(points.size());
    BatchedEngine().train(p, points.data(), points.size(), fast.data(), &fast_stats);
    BatchedEngine(general).train(p, points.data(), points.size(), slow.data(), &general_stats);
    CHECK(std::string(fast_stats.path) == k.path);
    CHECK(std::string(general_stats.path) == "general");
    const auto want = run(ReferenceEngine(), p, points);
    const bool f64 = p.precision == Precision::Float64;
    const Agreement vs_ref = compare(want, fast);
    const Agreement vs_general = compare(slow, fast);
    INFO(k.yaml << "vs reference: median " << vs_ref.median_rel << " class " << vs_ref.class_agreement
                << "; vs general: median " << vs_general.median_rel);
    CHECK(vs_ref.median_rel < (f64 ? 1e-12 : 1e-4));
    CHECK(vs_ref.class_agreement >= 0.97);
    CHECK(vs_general.median_rel < (f64 ? 1e-12 : 1e-4));
    CHECK(count_converged(want) > 0);
    CHECK(count_converged(want) < static_cast<int>(want.size()));
  }
}

TEST_CASE("the batched engine is registered and the benchmark helpers count and time", "[batched][bench]") {
  CHECK(std::string(make_engine("batched")->name()) == "batched");
  const auto names = engine_names();
  CHECK(std::find(names.begin(), names.end(), "batched") != names.end());
  CHECK(BatchedEngine::lanes(Precision::Float32) == 2 * BatchedEngine::lanes(Precision::Float64));

  RunConfig c = config_from("model: {width: 16}\ntraining: {steps: 3}\nruntime: {tile: 4}\n");
  CHECK(flops_per_pixel_step(make_problem(c)) == 314704.0);
  const BenchResult r = run_benchmark(c, BatchedEngine(), 37, 5, 2);
  CHECK(r.pixels == 37);
  CHECK(r.steps == 5);
  CHECK(r.engine == "batched");
  CHECK(r.precision == "float64");
  CHECK(r.threads == 2);
  CHECK(r.seconds > 0.0);
  CHECK(r.pixel_steps_per_s > 0.0);
  CHECK(r.gflops == Approx(r.pixel_steps_per_s * 314704.0 / 1e9));
  CHECK_THROWS_AS(run_benchmark(c, BatchedEngine(), 0, 5, 1), ConfigError);
}
