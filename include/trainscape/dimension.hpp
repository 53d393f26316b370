#pragma once
/// Fractal-dimension estimators with error bars (../shared/docs/fractal-dimension.md sections 2
/// and 4), next to the paper's porespy median (analysis.hpp). Pure computation: no files, no
/// terminal, no global state. Every result is a deterministic function of its inputs and
/// options (the bootstraps are seeded; the thread count never changes a bit).
///
/// Four estimators share one result type, DimensionEstimate, so that a report can list them
/// uniformly:
///
///   porespy_median  the paper's number: numpy median of porespy's local box-count slopes of the
///                   edge mask, pooled over frames (section 1.7). No error bar. Biased upward for
///                   image-filling boundaries; NaN as soon as one frame has no boundary.
///   boxcount_fit    least-squares box counting on the edge mask (section 4.1), counts averaged
///                   over grid offsets; error bar = fit-range spread + block/frame bootstrap.
///   pair            the grid uncertainty (indicator variogram) estimator on the phase image
///                   (section 2.3), with the same kind of error bar.
///   uncertainty     the Monte-Carlo uncertainty exponent (section 2.2), computed by training
///                   random points and perturbed twins; bootstrap CI over base points.
///
/// Phases. A frame enters as its signed measure m (measure.hpp): the phase image is
/// S = !(m < 0), i.e. diverged, undecided (NaN) and exactly-zero pixels count as "set"
/// (section 4.1 step 1), and the edge mask is edge_mask(m) (the notebook's 2x2 rule). A binary
/// image (e.g. a PNG classified by a threshold) enters through phase_measure(): +1 for set
/// pixels, -1 otherwise.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "trainscape/analysis.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/image.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// Which estimator produced a DimensionEstimate. Names (to_string): "porespy_median",
/// "boxcount_fit", "pair", "uncertainty" -- also the JSON keys and HDF5 group names.
enum class DimensionMethod { PorespyMedian, BoxcountFit, Pair, Uncertainty };
const char* to_string(DimensionMethod method);
bool from_string(const std::string& name, DimensionMethod& out);

/// One estimate of a boundary's (box-counting) dimension, with its error bar and the data behind
/// it. NaN marks "undefined"; `note` then says why (no boundary, too few scales, too few
/// uncertain points, ...).
struct DimensionEstimate {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  DimensionMethod method = DimensionMethod::BoxcountFit;
  double dimension = kNaN;  ///< the estimate, NaN if undefined
  double ci_low = kNaN;     ///< error bar [ci_low, ci_high]; NaN for porespy_median (it has none)
  double ci_high = kNaN;

  // ---- how the error bar was made (NaN / 0 where not applicable) ----
  double fit_se = kNaN;      ///< regression standard error of the slope (optimistic, diagnostic only)
  double systematic = kNaN;  ///< half the spread (max - min) / 2 of D over the fit-range family
  double boot_low = kNaN;    ///< bootstrap percentile interval of D (the statistical part)
  double boot_high = kNaN;

  // ---- the fit ----
  std::string mode;             ///< pair: "two-phase" | "thin-set"; boxcount_fit: "edges" |
                                ///< "thin-set"; "mixed" for a sequence with both
  double fit_min = kNaN;               ///< smallest scale in the default fit (px, px or window fraction)
  double fit_max = kNaN;               ///< largest scale in the default fit
  int fit_points = 0;           ///< scales in the default fit
  std::vector<double> scales;   ///< box sizes d (px) / lags k (px) / epsilons (window fraction)
  std::vector<double> values;   ///< N(d) averaged over offsets / f(k) / f(eps) (per scale)
  std::vector<double> counts;   ///< events behind each value: occupied tiles / differing pairs
                                ///< or hits / uncertain base points n_u
  std::vector<double> local;    ///< local dimension between neighbouring scales (size - 1);
                                ///< porespy_median: porespy's slopes (same size as scales)

  // ---- box counting only ----
  double occupancy = kNaN;        ///< occupied fraction of tiles at the smallest fitted size
  bool saturated = false;  ///< occupancy > DimensionOptions::saturation: D is only ">= 1.9"

  int frames = 0;            ///< frames that contributed (1 for a single image)
  std::int64_t samples = 0;  ///< uncertainty: base points drawn; pair: base pairs per lag
  std::string note;          ///< empty, or a one-line remark (why NaN, flags, range changes)

  DimensionEstimate() = default;
  explicit DimensionEstimate(DimensionMethod m) : method(m) {}
  bool has_ci() const;  ///< both ci bounds are finite
};

/// "1.2345 [1.2011, 1.2702]", "1.8655" (no CI) or "n/a" (NaN), with `digits` decimals.
std::string format_estimate(const DimensionEstimate& e, int digits = 4);

/// Options of the image estimators. The defaults are fractal-dimension.md's recommendations.
struct DimensionOptions {
  /// Box sizes and lags come from one geometric ladder: the distinct values of
  /// round(2^(i / per_octave)), i = 0, 1, ... -> 1 2 3 4 6 8 11 16 23 32 45 64 91 128 ...
  int per_octave = 2;
  /// boxcount_fit: fit over sizes d in [box_min_size, n / box_max_divisor], n = the edge mask's
  /// smaller side. If that range holds fewer than 4 sizes, the top is raised to n / 8 (noted);
  /// fewer than 3 sizes -> NaN ("frame too small").
  int box_min_size = 4;
  int box_max_divisor = 16;
  /// Grid offsets per axis: the distinct floor(j * d / offsets), j = 0 .. offsets-1, in both axes;
  /// counts are averaged over all offset pairs. Tiles reaching past the image are padded with
  /// empty pixels (a tile counts iff it holds at least one edge pixel).
  int offsets = 4;
  /// Occupancy at the smallest fitted size above this flags the estimate as saturated.
  double saturation = 0.9;
  /// pair: fit over lags k in [pair_min_lag, n / pair_max_divisor] (n = the phase image's
  /// smaller side; raised to n / 8 when fewer than 4 lags, NaN when fewer than 3).
  int pair_min_lag = 1;
  int pair_max_divisor = 16;
  /// The minority phase (by area) is a "thin set" -- a drawn curve, a gasket of pixels -- when
  /// it covers less than thin_area of the image and fewer than thin_interior of its pixels have
  /// all four neighbours in it. (Balanced speckle, e.g. a riddled basin image, stays two-phase:
  /// both phases carry area.) A thin set is
  /// its own boundary: boxcount_fit then counts its pixels instead of the edge mask (whose 2x2
  /// rule draws a 2-3 px band around a 1-px line), and pair is undefined (section 2.3: the
  /// difference count needs two area-carrying phases; on a gasket of pixels it stays nearly
  /// flat and would read close to 2).
  double thin_interior = 0.5;
  double thin_area = 0.25;
  /// Spatial block bootstrap: blocks x blocks blocks per frame; the blocks holding boundary are
  /// resampled with replacement. For a sequence, frames are resampled too (two levels).
  int blocks = 4;
  int resamples = 2000;
  double confidence = 0.95;  ///< of the bootstrap percentile interval
  std::uint64_t seed = 0;    ///< bootstrap seed; results are a pure function of it
};

/// The image estimators of one frame or of a sequence of frames.
struct DimensionReport {
  DimensionEstimate porespy_median{DimensionMethod::PorespyMedian};
  DimensionEstimate boxcount_fit{DimensionMethod::BoxcountFit};
  DimensionEstimate pair{DimensionMethod::Pair};
};

/// Everything the estimators need from one frame (counts per scale, offset and block; the
/// porespy box counts), so that a sequence can be estimated without keeping its images.
/// Computed from the frame's signed measure by frame_statistics(). Treat as opaque.
struct FrameStatistics {
  int rows = 0;  ///< of the measure
  int cols = 0;
  BoxCount porespy;                 ///< porespy_boxcount(edge_mask(measure))
  std::int64_t edge_pixels = 0;
  // box counting on the edge mask: sizes 2 .. n/8 of the ladder
  std::vector<int> box_sizes;
  std::vector<double> box_counts;        ///< [size] N(d) averaged over offsets
  std::vector<double> box_counts0;       ///< [size] N(d) of the offset-0 grid only
  std::vector<double> box_tiles;         ///< [size] tiles meeting the image, offset-averaged
  std::vector<double> box_block_counts;  ///< [size * blocks^2 + block] offset-averaged
  // pair: lags 1 .. n/8 of the ladder, for the three lag ranges' fixed base sets
  bool thin = false;                     ///< the minority phase is a thin set (see thin_interior)
  double minority_fraction = 0.0;        ///< area fraction of the smaller phase
  double interior_fraction = 0.0;        ///< of the minority phase's pixels
  std::int64_t box_mask_pixels = 0;      ///< pixels of the mask boxcount_fit counts
  std::vector<int> pair_lags;
  std::vector<int> pair_bases;           ///< [base] k_max of each fixed base set
  std::vector<double> pair_hits;         ///< [(base * lags + lag) * blocks^2 + block]
  std::vector<double> pair_total;        ///< [base * blocks^2 + block] pairs in the base set
  int blocks = 0;
};

/// The measure that phase image `set` stands for: +1 where set (non-zero), -1 elsewhere.
Image<double> phase_measure(const Image<std::uint8_t>& set);

/// The statistics of one frame, from its signed measure (rows, cols >= 2).
FrameStatistics frame_statistics(const Image<double>& measure, const DimensionOptions& options = {});

/// All three image estimators for one frame (frames.size() == 1) or a sequence:
///   porespy_median: numpy median of all frames' porespy slopes pooled (pooled_median_slope).
///   boxcount_fit / pair: per frame, D_f = least-squares fit over the default range; the
///     sequence's D is the median of the defined D_f. Error bar:
///       [D - sqrt((D - b_lo)^2 + (D - f_lo)^2),  D + sqrt((b_hi - D)^2 + (f_hi - D)^2)]
///     where [b_lo, b_hi] is the bootstrap percentile interval (frames resampled, then each
///     frame's boundary blocks resampled, refit, median) and [f_lo, f_hi] is the range of D
///     (with D itself) over the fit-range family d_min in {d0/2, d0, 2 d0} x
///     d_max in {2 dM (at most n/8), dM, dM/2}, box counting each with and without offset
///     averaging -- section 4.2; `systematic` = (f_hi - f_lo) / 2. Frames of a zoom sequence are
///     nested, so treat the frame-to-frame part as optimistic. Not included: the resolution
///     bias of box counting on fractal boundaries (measured 0.01-0.05 low on Julia sets and
///     the carpet at 1024-2048 px; see scripts/validate_dimension.sh).
DimensionReport estimate_dimensions(const std::vector<FrameStatistics>& frames,
                                    const DimensionOptions& options = {});

/// Convenience for the zoom driver, its summary and its store: feed frames one by one, get each
/// frame's report at once and the sequence's at the end.
///
///   DimensionAccumulator acc;                        // per run
///   frame.robust = acc.add_frame(frame.measure);     // per frame
///   summary.robust = acc.sequence();                 // at the end
class DimensionAccumulator {
 public:
  explicit DimensionAccumulator(DimensionOptions options = {}) : options_(options) {}
  /// Adds a frame (signed measure, rows and cols >= 2) and returns that frame's own report.
  DimensionReport add_frame(const Image<double>& measure);
  /// The report of all frames added so far (all NaN before the first frame).
  DimensionReport sequence() const;
  std::size_t frames() const { return frames_.size(); }
  const DimensionOptions& options() const { return options_; }

 private:
  DimensionOptions options_;
  std::vector<FrameStatistics> frames_;
};

// ---- the Monte-Carlo uncertainty exponent (section 2.2) -----------------------------------------

/// Options of the Monte-Carlo estimator. Coordinates are normalised: the window is [0,1]^2 in
/// its log10 axes, so epsilon is a fraction of the window's width (and height).
struct UncertaintyOptions {
  std::int64_t points = 100000;  ///< budget of base points M (>= 1)
  /// Epsilon ladder 10^eps_max_exp, 10^(eps_max_exp - 1/per_decade), ... down to 10^eps_min_exp
  /// (at most 63 values). Epsilons below the outcome's numerical resolution are dropped.
  double eps_max_exp = -1.0;
  double eps_min_exp = -7.0;
  int eps_per_decade = 2;
  /// The fit uses epsilons <= 10^fit_max_exp (beyond, f saturates and the window edge matters)
  /// with at least min_uncertain uncertain points each.
  double fit_max_exp = -1.5;
  std::int64_t min_uncertain = 20;
  /// A dimension is reported only with at least min_eps fitted epsilons spanning min_decades.
  int min_eps = 5;
  double min_decades = 2.5;
  /// Sampling stops early, at a round boundary, once every epsilon of the ladder has this many
  /// uncertain points (0 = always use the whole budget).
  std::int64_t target_uncertain = 400;
  /// Base points per evaluation call (each call evaluates chunk * (1 + epsilons) points), and
  /// calls per round; rounds are the same for any thread count.
  int chunk = 256;
  int chunks_per_round = 16;
  int threads = 0;  ///< 0 = all cores; never changes a result bit
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 0;  ///< base points, directions and bootstrap are pure functions of it
  /// Called on the calling thread after each round with (base points done, budget); return
  /// false to stop sampling (the estimate then uses the points so far, and says so in note).
  std::function<bool(std::int64_t, std::int64_t)> progress;
};

/// The outcome at a point (u, v) of the normalised window (u, v may lie slightly outside
/// [0,1]^2): true = diverged (the "set" phase). Must be safe to call concurrently.
using PhaseFunction = std::function<bool(double u, double v)>;
/// Batch form: out[i] = outcome at (u[i], v[i]) (non-zero = diverged). Called concurrently on
/// disjoint outputs.
using BatchPhaseFunction =
    std::function<void(const double* u, const double* v, std::size_t n, std::uint8_t* out)>;

/// The estimator on any outcome (section 2.2): base points uniform in [0,1]^2, each compared with
/// one twin per epsilon at distance epsilon in a random direction (the same direction for every
/// epsilon); f(eps) = n_u(eps) / M; weighted least squares of ln f on ln eps with weights n_u;
/// D = 2 - slope; CI: Poisson bootstrap over base points (each keeps its whole row of outcomes),
/// percentile interval. Epsilons below `eps_floor` (a window fraction) are not evaluated.
/// `local` holds 2 - (local slope) between neighbouring epsilons; `systematic` is half the
/// spread of D when the largest or the smallest fitted epsilon is left out (diagnostic; not in
/// the CI). Exceptions thrown by `phase` are rethrown.
DimensionEstimate uncertainty_exponent_batch(const BatchPhaseFunction& phase,
                                             const UncertaintyOptions& options,
                                             double eps_floor = 0.0);
DimensionEstimate uncertainty_exponent(const PhaseFunction& phase, const UncertaintyOptions& options);

/// The estimator by training: the point (u, v) of `window` is the hyperparameter pair
/// x = 10^centre_x * 10^((2u - 1) half_x), y likewise (as Grid::value_x computes pixels), trained
/// with engine.train in calls of chunk * (1 + epsilons) points; "diverged" means measure >= 0 or
/// NaN, as for images. Epsilons whose log10 step 2 * half * eps is below
/// 10 * min_log10_spacing(problem.precision) are dropped (noted): the outcome cannot resolve them.
DimensionEstimate uncertainty_exponent(const Engine& engine, const Problem& problem,
                                       const Window& window, const UncertaintyOptions& options);

}  // namespace trainscape
