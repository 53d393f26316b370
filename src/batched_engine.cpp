// The batched engine (issue 3; docs/model.md#engines). What it computes is docs/model.md#network,
// docs/model.md#training-step and docs/model.md#convergence-measure, exactly as
// src/reference_engine.cpp does; how it computes it is described here.
//
// ---- Layout -----------------------------------------------------------------------------------
// Pixels are trained side by side in "packs" of V lanes (V = pixels per SIMD vector: 8 doubles /
// 16 floats with AVX-512, 4 / 8 with AVX2). Every per-pixel quantity is stored pixel-innermost:
// element e of pixel p lives at [pack][e][lane] = pack_base + e * V + lane. For the weights,
// e runs over the layers in order, each row-major: W_l[c][j] is e = offset_l + c * cols_l + j.
// So the stacked input-layer weights of all pixels, W_0^all (d x n P), are one matrix whose
// columns are ordered (pack, j, lane), and the two heavy products of a step are
//     Z^all   = X' W_0^all          (N x d)(d x nP)       X' = a X, a = sqrt(2)/sqrt(d) (tanh, relu)
//     G_0^all = X'^T Delta^all      (d x N)(N x nP)                  or 1/sqrt(d) (identity)
// computed one column panel (one pack, n V columns) at a time, fused with everything else that
// pack does in that step while its panel is hot in L1: activation, output layer, loss, backward
// pass and update. Rows are processed in blocks of kRowBlock; per block and pack the scratch is
//     act[l]  (kRowBlock x n x V)    Z, then H = g(Z) in place, for each hidden layer l
//     dh      (kRowBlock x n x V)    d loss / d H, then Delta in place
//     e       (kRowBlock x k x V)    output residual, scaled to d loss / d (H W_last)
//     grad    (params x V)           gradient accumulators of the whole step
// The shared data X' (N x d) and Y (N x k) are plain row-major arrays, padded with zero rows to a
// multiple of kRowBlock (padded rows are computed but never accumulated).
//
// ---- Fixed summation order (results independent of batch composition) ------------------------
// Every lane does the same operations in the same order, whatever pack or lane it sits in and
// however many packs there are, and every reduction runs in one canonical order:
//   z[i][j]   = fma chain over c = 0..d-1 from 0 (register tiles change which (i, j) are computed
//               together, never the chain);
//   G[c][j]   = fma chain over the step's rows in order (a row block continues the chain of the
//               previous one through memory);
//   out, dH   = fma chains over j (resp. m) in order; loss = fma chain over (row, m) in order.
// Nothing is split along a reduction dimension, so no blocking decision can change a bit, and the
// kernels use no library GEMM. The kernel translation units are compiled with -ffp-contract=off
// and spell every FMA out (detail/simd.hpp), so the AVX-512, AVX2 and scalar builds agree bitwise.
//
// ---- Steps and compaction ------------------------------------------------------------------
// The points of one train() call are trained in batches (all of them, up to a memory budget).
// Within a batch all pixels advance in lock step (step t for every pack, then step t + 1), which
// is what minibatch mode needs (the same rows for every pixel at step t). After each step a pixel
// whose output-layer weights hold a NaN leaves (BatchedOptions::early_exit: every later loss is
// NaN, so its measure is completed exactly); when the live pixels fit in fewer packs, live lanes
// from the last packs are moved into the holes so that the products stay dense. Losses are turned
// into the measure on the fly by detail::MeasureAccumulator (bitwise convergence_measure).
//
// ---- Early exit: why NaN, and the saturated continuation ----------------------------------------
// A bound on the loss ("exit at 1e100 l_0, fill in the clamp") is not exact here: l_0 is the same
// for every pixel and is 1.034 for the paper's problem, so a non-finite loss records
// v = 1e6 / l_0 = 967286 while a finite loss above the clamp records 1e6, and when a blown-up run
// overflows depends on its exact trajectory (measured: 160 of 576 pixels of a boundary window and
// 218 of 576 of the wide view would get wrong fill-ins). Two conditions do fix the future exactly:
// * a NaN in W_last: every later out, loss and W_last are NaN (any nonlinearity, depth, batch
//   mode; NaN * 0 is NaN, so relu's zeros do not stop it) -> the rest is v = min(1e6 / l_0, 1e6),
//   raised to 1 if below (measure.hpp);
// * tanh, depth 2, every activation exactly +-1 (|z| > 19.1 everywhere, which is what blown-up
//   runs reach long before they overflow): W_0's gradient is dH * (1 - h^2) = dH * 0 = +-0, so W_0
//   and H = sign pattern stay fixed while dH is finite, and only W_1 trains. The pixel moves to a
//   "saturated" pack that runs exactly the output-layer operations of the general pass (same
//   chains, same order) at ~1/15 of the cost of a step, with H stored as +-1 floats; if some dH
//   becomes non-finite, Delta_0 = dH * 0 is NaN, W_0 turns NaN and every later loss is NaN, so the
//   pixel exits as above. Not used with readout: probe or an offset added every step (W_0 moves).
// Both are tested bit for bit against early_exit = false.
//
// ---- Optimizers (docs/optimizers.md) ---------------------------------------------------------
// Each pixel's optimizer state (b, or m and v) lives in a per-pack array laid out exactly like the
// weights ([pack][e][lane]), and each lane's momentum, betas, eps and weight decay sit beside its
// learning rates; compaction moves them with the weights. The update (update_pack in
// src/batched_kernels.inc) runs the reference's operations in the reference's order, with the
// square root lane by lane (correctly rounded everywhere). gd with no decay and a constant
// schedule keeps the original W - lr G loop. The NaN exit stays exact for every optimizer (a NaN
// in W_last survives every update); the saturated continuation and the kernel path need plain gd
// without decay (momentum and adam move W_0 on their state even when its gradient is 0).
//
// ---- Fast paths (exact reformulations; rounding differs from the reference) -------------------
// * deep_linear: identity nonlinearity, depth 2. out = s X' v with v = W_0 W_1 (d x k per pixel),
//   u = X'^T e (d x k); dW_1 = W_0^T u, dW_0 = u W_1^T. Per step O(N d k + d n k) instead of
//   O(N d n); the loss is still computed from explicit residuals.
// * kernel: full batch with N <= d (the single-datapoint panel has N = 1). W_0 only ever moves
//   inside the row space of X', so the engine keeps Z = X' W_0 (N x n) instead of W_0 and updates
//   it with the shared N x N kernel K = X' X'^T: Z <- Z - lr_0 K Delta. Per step O(N^2 n) for the
//   first layer instead of O(N d n) (twice).
//
// ---- Instruction set: run-time dispatch ------------------------------------------------------
// The kernels (src/batched_kernels.inc) are compiled twice, with the build's flags (-mavx2 -mfma
// by default) and with -mavx512f, and train() picks the AVX-512 copy when the CPU has AVX-512F
// (BatchedOptions::isa overrides). On the Zen 4 target this is worth 1.6x in float64: the step is
// bound by the number of FP instructions (tanh alone is ~45 per vector), and 512-bit vectors halve
// it; the products run near the FMA peak either way. The default build stays portable to AVX2-only
// CPUs, and since every lane does the same IEEE operations both copies give the same bits
// (tested). Eigen is not used in the kernels, so it does not matter here that Eigen's GEMM, on
// Zen 4, measured faster built for AVX2 (-mavx2 -mfma) than for AVX-512.
//
// ---- Performance record (paper-like tanh config: n = 16, N = 272, depth 2, k = 1, float64) ---
// Work per pixel-step: 314,704 useful flops (bench.hpp), 89% in the two 272x16x16 products
// (139,264 FMAs), and 4,352 tanh. On one Zen 4 core at ~3.6 GHz: the products need 17.4k cycles
// (8-lane FMAs at one per cycle), tanh ~45 ops x 544 vectors ~ 13-15k cycles (FMA and add pipes),
// the rest ~4k: ~35k cycles = 1.0e5 pixel-steps/s per core is the design's limit.
// Measured (1 thread, early exit off, shared machine so +-20%; perf record for the split):
//   AVX2 kernels, accurate tanh         5.3e4 /s   tanh 52%, forward tile 16%, rest of pass 28%
//   tanh variants (ns/value AVX2/AVX-512): Taylor + one quotient correction 2.0/1.04 (1.48 ulp);
//     E as a double-double + correction 2.3/1.2 (0.78 ulp) -- kept: ~10% of a step buys
//     correctly-rounded-like accuracy (mean 0.22 ulp, better than SLEEF u10's 0.24)
//   interleaving two tanh evaluations   no gain (throughput-bound, not latency-bound)
//   AVX-512 kernels by run-time dispatch 8.2e4 /s (x1.6); tanh 52%, forward 17%, rest 28%
//   2 threads, early exit on, [-3,6]^2  1.2e5 /s on a loaded machine (scripts/bench_vs_peers.sh)
//   early exit, NaN rule only           wide [-3,6]^2 view: 25% of pixel-steps skipped, 1.6-1.8x;
//                                       boundary window (lr0 10^[0.62,1.62], lr1 10^[1.8,2.8]): 4%
//   + saturated continuation            boundary window: 37% of pixel-steps run saturated, lane-steps
//     (first version recomputed the     59% of early-exit-off, 1.4x (1 thread: 1.39e5 vs 0.98e5 /s);
//     residuals: 3x cheaper only; now   wide view 1.3-1.4x (timings on this shared machine vary
//     ~15x cheaper than a step)         +-30% between runs; the lane-step counts do not)
// tanh, issue 12 (operations per vector counted from detail/simd_tanh.hpp; "FMA pipe" = mul, fma,
// div; timings: tests/bench_tanh.cpp and `trainscape bench configs/paper_tanh.yaml --pixels 4096
// --steps 100 --threads 1`, old and new binaries run alternately; measured on a 2-core VM without
// AVX-512 (AVX2 kernels) under load 5-10 from other jobs, where one run of the engine bench varies
// by +-25%, so only differences well above that are resolved):
//   before: 47 operations (23 FMA pipe + 1 division, 16 add, 3 min/max, 4 bit), 0.78 ulp max
//   minimax degree-10 polynomial for (expm1(r) - r) / r^2 (relative error 2^-57.2 with double
//     coefficients) instead of degree-11 Taylor: -1 FMA; predicted -4% of tanh, ~-2% of a step;
//     measured 0.75 ulp max, mean 0.22; with the compare below, non-saturated mixes 15.13 vs
//     15.47 ns/value (-2.2%, medians of 3 x 9 alternating runs on the loaded AVX2 VM)
//   saturated-vector shortcut (all lanes |x| >= 19.1 -> +-1, same bits as the evaluation, tested):
//     +1 compare and branch per vector; ~40x cheaper on saturated vectors (0.37 vs ~15 ns/value,
//     loaded AVX2 VM); gain on a step = the share of tanh vectors whose lanes are all saturated
//     (pixels whose every activation is +-1 already leave for the saturated continuation, so this
//     counts only partly saturated pixels). Counted with a temporary counter in tanh_v (AVX2,
//     4 lanes; 8-lane vectors will be all-saturated less often): 19.8% of tanh vectors in the
//     bench's wide [-3,6]^2 block (4096 pixels, 100 steps), 10.9% in the boundary window
//     (lr0 10^[0.62,1.62], lr1 10^[1.8,2.8]); predicted gain ~0.2 x half a step ~ +10% (wide
//     view), ~+5% (boundary). Engine A/B (old, new alternately, 1 thread, rates in
//     1e3 pixel-steps/s): 20.1/19.4, 15.1/18.2, 20.6/23.7, 6.5/10.8, 9.4/9.7, 8.2/9.3, 9.3/13.0,
//     i.e. new faster in 6 of 7 pairs, median pair ratio 1.15, but the load swings the rate 3x;
//     not yet measured on a quiet AVX-512 machine
//   rejected: r = r_hi - k ln2_lo rounded once, r_lo tail dropped (-3 operations): 1.11 ulp max
// issue 12, second round, on the 2-core AVX2 VM (AMD EPYC, family 23 model 1 = Zen 1: 256-bit
// operations run as two 128-bit halves; 2 FMA/mul pipes, 2 add pipes; shared with 3 other jobs,
// load 7-10). Rates are pixel-steps per second of processor time (user time from /usr/bin/time;
// wall-clock rates swung 30% with the load, processor-time rates ~2%), `trainscape bench
// configs/quickstart.yaml --pixels 4096 --steps 200 --threads 1`, main's binary and the new one
// alternately, 5 pairs, medians; tanh timings are processor time too (tests/bench_tanh.cpp).
//   profile before (main's binary, perf record -e cpu-clock, quickstart: n = 8, N = 72): tanh
//     63%, rest of the pass 19%, forward tile 10%, rest 5%. The AVX2 tanh loop (objdump -d of
//     src/batched_kernels.cpp's object): 67 instructions per vector, of which 22 mul/FMA + 1 div,
//     16 add/sub, 4 min/max/compare, 5 bit/shift/movemask, 10 constant broadcasts that the 16 ymm
//     registers cannot keep, and loop overhead. A calibration loop runs one ymm FMA per ~1 ns of processor time, and
//     tanh took ~42 ns per vector: ~2x its FMA-pipe bound. The evaluation is one dependency chain of ~110 cycles (10
//     FMAs of Horner = 50, division 13, ...) and with every ymm operation split in two the out-of-order window holds
//     under two vectors' evaluations, so the loop is latency bound (on Zen 4, with 512-bit operations as one and a
//     larger window, it measured throughput bound).
//   even/odd split of the polynomial (two Horner chains in r^2, the r^2 that q needs anyway) and
//     the clamp before the doubling (2|x| off the critical path; bitwise the same): same operation
//     count, chain ~110 -> ~90 cycles. Predicted -15..-20% of tanh, ~-10% of a step. Measured
//     (prototype, 11 alternating repeats): tanh 8.42 vs 10.39 ns/value (-19%; the clamp alone -3%);
//     engine 1.81e5 vs 1.60e5 /s (x1.13, 5 of 5 pairs). float64 rounding changes in 0.3% of values
//     (the polynomial is summed in another order): max 0.86 ulp (was 0.75), mean 0.22 (same).
//     float32 keeps one chain (split: 1.06 ulp max, over the 1 ulp bound; kept: 0.90).
//   two passes per chunk of 32 vectors (stage 1: E = e + e_lo for the chunk; stage 2: the
//     quotients; same operations per lane, same bits, tested): each stage is short enough for
//     the window to overlap several vectors. Predicted: down to the FMA-pipe bound (~25 ns per
//     vector), -25% of tanh, ~x1.18 on the step. Measured: tanh 6.33 vs 8.42 ns/value (-25%;
//     chunks of 4 .. 64 vectors within 7% of each other); engine 2.16e5 vs 1.63e5 /s for main
//     (x1.32 for both changes, 5 of 5 pairs), i.e. ~x1.19 for this one. A fully saturated input
//     now costs 0.80 instead of 0.37 ns/value (the second loop), against ~7 for the rest.
//   Delta_0 of 4 row blocks collected before one gradient_block call (G_0 loaded and stored once
//     per 32 rows instead of 8; Zen 1 stores one 128-bit half per cycle; same chains, same bits:
//     h5diff of a 2-frame paper_tanh run finds no difference). Microbenchmark of the 16 x 16
//     products against a 0.96 ns/FMA calibration loop: forward 1.25, gradient 1.39 (8-row calls)
//     vs 1.26 ns per ymm FMA (32-row calls). Predicted: gradient -18%, ~+3.5% on paper_tanh
//     (gradient ~18% of its step), ~+1% on quickstart. Measured against the previous commit,
//     5 pairs: quickstart x1.024, paper_tanh x1.09 (5 of 5 pairs each; the paper_tanh baseline
//     spread 2.2-2.7e4 as the load changed, so x1.09 is within noise of the prediction).
//   all three against main (main built from `git archive main`, 5 alternating pairs, processor-
//     time rates, medians): quickstart 2.16e5 vs 1.53e5 /s (x1.41); paper_tanh.yaml (n = 16,
//     N = 272, `--pixels 1024 --steps 100`) 2.98e4 vs 2.16e4 /s (x1.38); tests/bench_tanh.cpp
//     (5 alternating runs of 5): 6.60 vs 10.15 ns/value uniform [-1,1], 7.06 vs 10.15
//     training-like. float32 on paper_tanh (3 pairs): 5.99e4 vs 4.97e4 /s, so float32 / float64
//     = 2.08 (was 2.23). Profile after the first two (paper_tanh, perf; tanh is inlined into the
//     pass, split by address): tanh ~46% (stage 1 33%, stage 2 13%), forward tile 18%, the
//     gradient and the rest of the pass ~27%, train_in (update, saturated pixels) 7%.
//   rejected: a division-free reciprocal (bit-trick seed, 4 Newton steps; bitwise the same
//     results in the sample, since the correction step absorbs the error): +8 FMA-pipe
//     operations, predicted +20..30% of tanh now that it is throughput bound; measured +14%
//     (7.44 vs 6.55 ns/value). On Zen 1 the divider is not the limit. Three passes instead of
//     two (reduction, then polynomial and E, then quotient): 1-7% in two runs, not kept.
//     AVX2 forward tiles of 4 x 3 vectors (12 accumulators) instead of 4 x 2: 1.39 vs 1.17 ns
//     per ymm FMA in the product microbenchmark (16 ymm registers: the tile no longer fits).
// Next steps and what they would buy: tanh now runs at ~90% of its FMA-pipe bound on Zen 1 (22
// mul/FMA per vector), so only fewer multiplies help (e.g. a shorter polynomial on a halved
// reduction interval, which needs a table or sqrt 2 and breaks the exact E = 2^k (1 + p) - 1
// split). The two products run near the FMA peak (forward tile: 8 FMAs per 2 loads + 4
// broadcasts, 8 accumulators > latency x throughput), and their FMA count is fixed by the
// fixed-order chains, so register blocking of X' rows and W_0 columns across both products would
// save loads and stores, not FMAs: the forward product runs at ~77% of the calibration loop's
// FMA rate and the gradient now at ~76%, so at most ~x1.1 on the step remains there (not tried). The factor 2 of the
// loss gradient is already folded into e_scale (one multiply per residual); the factor 2 of u = 2|x| in tanh now sits
// off the critical path (its add remains; removing it costs two multiplies elsewhere).
#include "trainscape/batched_engine.hpp"

#include "trainscape/reference_engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "trainscape/error.hpp"
#include "trainscape/measure.hpp"
#include "trainscape/ripple.hpp"

namespace trainscape {

// ---- MeasureAccumulator ---------------------------------------------------------------------

namespace detail {

void MeasureAccumulator::add(double loss) {
  // Mirrors convergence_measure (src/measure.cpp) operation for operation.
  if (t_ == 0) l0_ = std::isfinite(loss) ? loss : kLossRatioClamp;
  const bool finite = std::isfinite(loss);
  const double l = finite ? loss : kLossRatioClamp;
  const double ratio = l / l0_;
  if (divergence_step_ < 0 && beyond_divergence_bound(finite, ratio)) divergence_step_ = t_;
  double v = (ratio < kLossRatioClamp) ? ratio : kLossRatioClamp;
  if (!finite && v < 1.0) v = 1.0;
  sum_v_ += v;
  sum_inv_ += 1.0 / v;
  const int tail = std::min(steps_, kConvergenceTailSteps);
  if (t_ >= steps_ - tail) tail_sum_ += v;
  last_v_ = v;
  ++t_;
}

void MeasureAccumulator::add_nonfinite(int count) {
  for (int i = 0; i < count; ++i) add(std::numeric_limits<double>::quiet_NaN());
}

PixelOutcome MeasureAccumulator::finish() const {
  const int tail = std::min(steps_, kConvergenceTailSteps);
  PixelOutcome out;
  out.converged = (tail_sum_ / tail) < 1.0 ? 1 : 0;
  out.measure = out.converged ? -sum_v_ : sum_inv_;
  out.divergence_step = divergence_step_;
  return out;
}

}  // namespace detail

// ---- kernel dispatch --------------------------------------------------------------------------

namespace detail {
// The two compilations of src/batched_kernels.inc.
#define TRAINSCAPE_KERNEL_ENTRY_POINTS                                                                            \
  void train(const Problem&, const HyperPoint*, std::size_t, PixelOutcome*, const BatchedOptions&, BatchedStats&, \
             const std::atomic<bool>*);                                                                           \
  void tanh_array(const double*, double*, std::size_t);                                                           \
  void tanh_array(const float*, float*, std::size_t);                                                             \
  int lanes(Precision);                                                                                           \
  const char* isa_name();
namespace kernels_build {
TRAINSCAPE_KERNEL_ENTRY_POINTS
}
namespace kernels_avx512 {
TRAINSCAPE_KERNEL_ENTRY_POINTS
}
#undef TRAINSCAPE_KERNEL_ENTRY_POINTS

bool cpu_has_avx512f() {
  // Evaluated once; a constant of the machine, not mutable state.
  static const bool has = [] {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return false;
#endif
  }();
  return has;
}

bool use_avx512(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::Build: return false;
    case KernelIsa::Avx512: return true;
    case KernelIsa::Auto: return cpu_has_avx512f();
  }
  return false;
}

void tanh_array(const double* in, double* out, std::size_t n, KernelIsa isa) {
  use_avx512(isa) ? kernels_avx512::tanh_array(in, out, n) : kernels_build::tanh_array(in, out, n);
}
void tanh_array(const float* in, float* out, std::size_t n, KernelIsa isa) {
  use_avx512(isa) ? kernels_avx512::tanh_array(in, out, n) : kernels_build::tanh_array(in, out, n);
}

}  // namespace detail

void BatchedEngine::train(const Problem& problem, const HyperPoint* points, std::size_t count,
                          PixelOutcome* out) const {
  train(problem, points, count, out, nullptr);
}

void BatchedEngine::train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count,
                                      PixelOutcome* out, const std::atomic<bool>& cancel) const {
  train(problem, points, count, out, nullptr, &cancel);
}

void BatchedEngine::train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
                          BatchedStats* stats, const std::atomic<bool>* cancel) const {
  if (options_.isa == KernelIsa::Avx512 && !detail::cpu_has_avx512f()) {
    throw Error(ExitCode::Internal, "batched engine: AVX-512 kernels requested on a CPU without AVX-512F");
  }
  BatchedStats local;
  if (problem.kind == ModelKind::RippleQuadratic) {
    // The toy loss has no matrices to batch: each point runs the one scalar implementation
    // (ripple.hpp), which the reference engine runs too, so both engines agree bit for bit.
    for (std::size_t i = 0; i < count && !(cancel && cancel->load(std::memory_order_relaxed)); ++i) {
      out[i] = ripple::outcome(problem, points[i]);
    }
    local.pixels = static_cast<std::int64_t>(count);
    local.pixel_steps = local.pixels * problem.steps;
    local.path = "ripple";
  } else if (count > 0) {
    if (detail::use_avx512(options_.isa)) {
      detail::kernels_avx512::train(problem, points, count, out, options_, local, cancel);
    } else {
      detail::kernels_build::train(problem, points, count, out, options_, local, cancel);
    }
  }
  // The Lyapunov and sharpness channels come from the reference engine's per-pixel code (dual
  // numbers, no SIMD kernels): measure, class and divergence_step stay the kernels' own. The toy
  // loss's scalar path above has filled them already.
  if (problem.kind != ModelKind::RippleQuadratic && (problem.channels.lyapunov || problem.channels.sharpness)) {
    for (std::size_t i = 0; i < count; ++i) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) break;
      const PixelOutcome extra = reference::extra_channels(problem, points[i]);
      out[i].lyapunov = extra.lyapunov;
      out[i].sharpness = extra.sharpness;
      out[i].edge_of_stability = extra.edge_of_stability;
    }
  }
  if (stats) {
    stats->pixels += local.pixels;
    stats->pixel_steps += local.pixel_steps;
    stats->lane_steps += local.lane_steps;
    stats->early_exits += local.early_exits;
    stats->steps_skipped += local.steps_skipped;
    stats->saturated += local.saturated;
    stats->saturated_steps += local.saturated_steps;
    stats->path = local.path;
    stats->isa = local.isa;
  }
}

int BatchedEngine::lanes(Precision precision, KernelIsa isa) {
  return detail::use_avx512(isa) ? detail::kernels_avx512::lanes(precision) : detail::kernels_build::lanes(precision);
}

const char* BatchedEngine::isa(KernelIsa isa) {
  return detail::use_avx512(isa) ? detail::kernels_avx512::isa_name() : detail::kernels_build::isa_name();
}

}  // namespace trainscape
