#pragma once
/// Deep zoom: training below float64's pixel spacing (docs/deep-zoom.md#perturbation).
///
/// One reference pixel per frame is trained in quad-double (about 62 digits) and its trajectory
/// kept, rounded to double; every other pixel is trained as a float64 deviation from it, with
/// every difference written so that it is accurate relative to itself, not to the weights. A
/// pixel whose deviation loses accuracy (docs/deep-zoom.md#glitches) is retrained against
/// another reference of the frame, and in the end directly in quad-double.
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/wide.hpp"

namespace trainscape::deep {

/// Why this problem cannot be trained with perturbation, as a sentence fragment naming the
/// setting ("training.precision: float32 ..."), or "" if it can. Supported: float64, optimizer
/// gd with any schedule and no weight decay, readout loss, every nonlinearity, depth and batch,
/// and axes that set learning rates (lr, lr.even, lr.odd, lr.L), init_offset,
/// init_offset_every_step or init_scale, on log10 or linear scales.
std::string unsupported_reason(const Problem& problem);

/// The oracle: trains the pixel whose axis coordinates are (x, y) (log10 exponents on log10
/// axes, values on linear axes, as axis_value in window.hpp) entirely in quad-double and
/// returns its outcome as the reference engine defines it (convergence_measure of the loss
/// curve). Requires unsupported_reason(problem) to be empty.
PixelOutcome train_high_precision(const Problem& problem, const Wide& x, const Wide& y);

/// The loss curve of train_high_precision, each loss rounded to double.
std::vector<double> high_precision_loss_curve(const Problem& problem, const Wide& x, const Wide& y);

/// Glitch and reference statistics of a PerturbationEngine, summed over every call so far.
struct PerturbationCounts {
  std::size_t pixels = 0;      ///< pixels trained
  std::size_t glitched = 0;    ///< pixels the first reference could not train accurately
  std::size_t direct = 0;      ///< of those, pixels no reference could train: done in quad-double
  std::size_t references = 0;  ///< references trained in quad-double (the centre included)
  /// Pixels finished in plain float64 from their own weights, because their reference
  /// overflowed or its loss dwarfed theirs (docs/deep-zoom.md#glitches; not glitches).
  std::size_t continued = 0;
  /// Pixels whose class the tail excess decided against the double rule (docs/deep-zoom.md#the-class-at-depth).
  std::size_t reclassified = 0;
};

struct ReferenceTrajectory;  // internal (src/perturbation_reference.hpp)

/// A frame's perturbation engine. The centre (centre_x, centre_y) is the first reference and is
/// trained by the constructor; further references sit at fixed offsets of (+-2/3, 0, +-2/3) of
/// the half-widths and are trained on first need (a mutex per reference; the same trajectory
/// whoever asks first). train() receives points whose x, y are OFFSETS from the centre in axis
/// coordinates; out[i] depends only on (problem, centre, half-widths, points[i]).
class PerturbationEngine : public Engine {
 public:
  /// Requires unsupported_reason(problem) to be empty and half_x, half_y > 0. The engine keeps a
  /// reference to `problem`, which must outlive it and be the problem train() receives.
  PerturbationEngine(const Problem& problem, const Wide& centre_x, const Wide& centre_y, double half_x, double half_y);
  ~PerturbationEngine() override;
  PerturbationEngine(const PerturbationEngine&) = delete;
  PerturbationEngine& operator=(const PerturbationEngine&) = delete;

  const char* name() const override { return "perturbation"; }
  void train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out) const override;
  /// Checks `cancel` before every pixel (and before every reference it trains).
  void train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
                         const std::atomic<bool>& cancel) const override;

  /// The counts so far (exact once every train() call has returned).
  PerturbationCounts counts() const;

  /// How many references a pixel tries before it is trained directly in quad-double.
  static constexpr int kReferencesPerPixel = 3;
  /// Number of candidate references (the centre and eight around it).
  static constexpr int kCandidates = 9;

 private:
  struct Candidate {
    double offset_x = 0.0;  ///< from the centre, axis coordinates
    double offset_y = 0.0;
    mutable std::once_flag trained;
    mutable std::unique_ptr<ReferenceTrajectory> trajectory;
  };
  const ReferenceTrajectory& reference(int candidate) const;
  PixelOutcome train_pixel(const HyperPoint& offset) const;

  const Problem& problem_;
  Wide centre_x_;
  Wide centre_y_;
  double half_x_;
  double half_y_;
  std::array<Candidate, kCandidates> candidates_;
  mutable std::atomic<std::size_t> pixels_{0};
  mutable std::atomic<std::size_t> glitched_{0};
  mutable std::atomic<std::size_t> direct_{0};
  mutable std::atomic<std::size_t> references_{0};
  mutable std::atomic<std::size_t> continued_{0};
  mutable std::atomic<std::size_t> reclassified_{0};
};

/// The difference formulas of docs/deep-zoom.md#perturbation, exposed for their tests. Each is
/// accurate relative to its own result (a few ulps), whatever the size of e.
namespace difference {

/// tanh(u + e) - tanh(u), given tanh_u = tanh(u) and sech2_u = sech(u)^2 correctly rounded
/// (the reference keeps both). Saturated u (|u| up to hundreds) included.
double tanh(double u, double e, double tanh_u, double sech2_u);

/// max(z + e, 0) - max(z, 0): e itself on one side of the kink, 0 on the other, and the
/// exact-as-possible remainder across it.
double relu(double z, double e);

/// sech(u + e)^2 - sech(u)^2 from the tanh difference d = tanh(u + e) - tanh(u):
/// -d (2 tanh(u) + d), never 1 - tanh^2 of a saturated value.
double sech2(double tanh_u, double d);

/// 10^(c + dc) - 10^c given ten_c = 10^c: ten_c * expm1(dc ln 10).
double pow10(double ten_c, double dc);

/// Quad-double evaluations, rounded to double, for the tests: tanh(u + e) - tanh(u) with the
/// inputs exact, tanh(u) and sech(u)^2.
double exact_tanh(double u, double e);
double exact_tanh_value(double u);
double exact_sech2(double u);

}  // namespace difference

}  // namespace trainscape::deep
