#pragma once
/// The batched engine: trains all pixels of a tile together, vectorised across pixels, with
/// fixed-order kernels so that every pixel's outcome is bitwise a function of (problem, its
/// HyperPoint) alone -- independent of the thread count, the tile size, the other pixels in the
/// batch, the order of the points and early exit. It computes what the reference engine
/// computes (same network, same gradient-descent steps, same convergence measure), in the
/// problem's precision (float64 or float32); results differ from the reference only by rounding
/// (summation order, constants folded, a different tanh), which matters only on chaotic pixels.
///
/// Layout and kernels are described at the top of src/batched_engine.cpp.
#include <cstddef>
#include <cstdint>

#include "trainscape/engine.hpp"

namespace trainscape {

/// Which compilation of the engine's kernels runs. Both compute the same bits (every lane runs
/// the same IEEE operations); AVX-512 does twice as many pixels per instruction.
enum class KernelIsa {
  Auto,   ///< AVX-512F if the CPU has it, else the build's own (-mavx2 -mfma or -march=native)
  Build,  ///< the kernels compiled with the build's ISA flags
  Avx512  ///< the kernels compiled with -mavx512f (train() throws on a CPU without it)
};

/// Options of the batched engine. None of them changes a result bit (early exit and the fast
/// paths are exact, see below); they exist for testing and measuring.
struct BatchedOptions {
  /// A pixel leaves the batch as soon as its output-layer weights contain a NaN. From then on
  /// every later loss is NaN, for every nonlinearity, depth and batch mode (out = H W_last has a
  /// NaN in every row, and W_last - lr * grad stays NaN), so the rest of its loss curve is known
  /// exactly: every later step records a non-finite loss, i.e. v_t = min(1e6 / l_0, 1e6) in
  /// convergence_measure. The measure is then completed from those values, bit for bit what
  /// the engine would have produced by training on. The batch is compacted so that the vector
  /// kernels stay dense.
  /// This holds for every optimizer, weight decay and schedule (docs/optimizers.md#engines).
  /// Also (tanh, depth 2, readout loss, no offset every step, optimizer gd without weight decay):
  /// a pixel whose hidden activations
  /// are all exactly +-1 has a frozen W_0 (its gradient is dH * (1 - h^2) = 0) and a constant H,
  /// so it leaves the batch for a cheap continuation that trains only W_1 with the same
  /// operations (about 1/15 of the cost of a step) until it ends or turns NaN. This is what
  /// blown-up tanh runs do long before they overflow. Also exact. Off: every pixel trains all
  /// steps in the batch.
  bool early_exit = true;
  /// Use the cheaper exact reformulations where the mathematics allows (see
  /// src/batched_engine.cpp: deep-linear depth-2 networks through the residual; datasets with
  /// fewer rows than inputs through the kernel Z = X W_0). Off: always the general kernels.
  bool fast_paths = true;
  /// Largest number of pixels trained side by side (0 = automatic: all points of the call, up
  /// to a memory budget of about 64 MiB of weights). Never changes a result bit.
  int max_batch = 0;
  /// Kernel instruction set (see KernelIsa); never changes a result bit.
  KernelIsa isa = KernelIsa::Auto;
};

/// What one train() call did (for benchmarks and tests).
struct BatchedStats {
  std::int64_t pixels = 0;           ///< points trained
  std::int64_t pixel_steps = 0;      ///< pixels x steps asked for
  std::int64_t lane_steps = 0;       ///< vector lanes x steps of the batch (incl. idle lanes)
  std::int64_t early_exits = 0;      ///< pixels that left the batch early
  std::int64_t steps_skipped = 0;    ///< pixel-steps not computed thanks to early exit
  std::int64_t saturated = 0;        ///< pixels moved to the saturated continuation
  std::int64_t saturated_steps = 0;  ///< pixel-steps computed there (cheap: output layer only)
  const char* path = "";             ///< "general", "deep_linear", "kernel" or "ripple" (ripple.hpp)
  const char* isa = "";              ///< "avx512f", "avx2+fma" or "scalar"
};

class BatchedEngine final : public Engine {
 public:
  explicit BatchedEngine(BatchedOptions options = {}) : options_(options) {}
  const char* name() const override { return "batched"; }
  void train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out) const override;
  void train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
                         const std::atomic<bool>& cancel) const override;
  /// As train(), and adds what was done to *stats (if not null); stops early, with unspecified
  /// outputs, once *cancel (if not null) is true (checked once per training step).
  void train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
             BatchedStats* stats, const std::atomic<bool>* cancel = nullptr) const;
  const BatchedOptions& options() const { return options_; }

  /// Pixels per vector for the precision (8 / 16 with AVX-512, 4 / 8 with AVX2, 1 without
  /// either) with the kernels `isa` selects on this machine.
  static int lanes(Precision precision, KernelIsa isa = KernelIsa::Auto);
  /// The instruction set of the kernels `isa` selects on this machine ("avx512f", "avx2+fma" or
  /// "scalar").
  static const char* isa(KernelIsa isa = KernelIsa::Auto);

 private:
  BatchedOptions options_;
};

namespace detail {

/// True if the CPU has AVX-512F (the kernels' run-time choice under KernelIsa::Auto).
bool cpu_has_avx512f();

/// out[i] = tanh(in[i]), i < n, with the engine's vectorised tanh (detail/simd_tanh.hpp) in the
/// kernels `isa` selects; in and out may alias. For tests and benchmarks.
void tanh_array(const double* in, double* out, std::size_t n, KernelIsa isa = KernelIsa::Auto);
void tanh_array(const float* in, float* out, std::size_t n, KernelIsa isa = KernelIsa::Auto);

/// convergence_measure (measure.hpp) computed step by step, for engines that do not keep the
/// whole loss curve. Feeding it l_0 .. l_{T-1} in order gives bit for bit the same PixelOutcome
/// as convergence_measure on the array (same operations in the same order).
class MeasureAccumulator {
 public:
  explicit MeasureAccumulator(int steps = 1) : steps_(steps) {}
  void add(double loss);
  /// Adds `count` non-finite losses (what every later step records after an early exit).
  void add_nonfinite(int count);
  int recorded() const { return t_; }
  /// The last v_t added (0 before the first).
  double last_ratio() const { return last_v_; }
  PixelOutcome finish() const;

 private:
  int steps_;
  int t_ = 0;
  double l0_ = 0.0;
  double sum_v_ = 0.0;
  double sum_inv_ = 0.0;
  double tail_sum_ = 0.0;
  double last_v_ = 0.0;
  std::int64_t divergence_step_ = -1;
};

}  // namespace detail
}  // namespace trainscape
