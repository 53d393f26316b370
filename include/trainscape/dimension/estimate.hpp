#pragma once
/// Fractal-dimension estimators with error bars (docs/dimension.md#overview), next to the
/// paper's porespy median (analysis.hpp). Pure computation: no files, no terminal, no global
/// state. Every result is a deterministic function of its inputs and options (the bootstraps are
/// seeded; the thread count never changes a bit).
///
/// Four estimators share one result type, DimensionEstimate, so that a report can list them
/// uniformly:
///
///   porespy_median  the paper's number: numpy median of porespy's local box-count slopes of the
///                   edge mask, pooled over frames (docs/dimension.md#porespy-median). No error
///                   bar. Biased upward for image-filling boundaries; NaN as soon as one frame
///                   has no boundary.
///   boxcount_fit    least-squares box counting on the edge mask (docs/dimension.md#box-count-fit),
///                   counts averaged over grid offsets; error bar = fit-range spread +
///                   block/frame bootstrap.
///   pair            the grid uncertainty (indicator variogram) estimator on the phase image
///                   (docs/dimension.md#pair-estimator), with the same kind of error bar.
///   uncertainty     the Monte-Carlo uncertainty exponent (docs/dimension.md#uncertainty-exponent),
///                   computed by training random points and perturbed twins; bootstrap CI over
///                   base points.
///
/// Phases. A frame enters as its signed measure m (measure.hpp): the phase image is
/// S = !(m < 0), i.e. diverged, undecided (NaN) and exactly-zero pixels count as "set"
/// (docs/dimension.md#phase-image), and the edge mask is edge_mask(m) (the notebook's 2x2
/// rule). A binary image (e.g. a PNG classified by a threshold) enters through phase_measure():
/// +1 for set pixels, -1 otherwise.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

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
  std::string mode;            ///< pair: "two-phase" | "thin-set"; boxcount_fit: "edges" |
                               ///< "thin-set"; "mixed" for a sequence with both
  double fit_min = kNaN;       ///< smallest scale in the default fit (px, px or window fraction)
  double fit_max = kNaN;       ///< largest scale in the default fit
  int fit_points = 0;          ///< scales in the default fit
  std::vector<double> scales;  ///< box sizes d (px) / lags k (px) / epsilons (window fraction)
  std::vector<double> values;  ///< N(d) averaged over offsets / f(k) / f(eps) (per scale)
  std::vector<double> counts;  ///< events behind each value: occupied tiles / differing pairs
                               ///< or hits / uncertain base points n_u
  std::vector<double> local;   ///< local dimension between neighbouring scales (size - 1);
                               ///< porespy_median: porespy's slopes (same size as scales)

  // ---- box counting only ----
  double occupancy = kNaN;  ///< occupied fraction of tiles at the smallest fitted size
  bool saturated = false;   ///< occupancy > DimensionOptions::saturation: D is only ">= 1.9"

  int frames = 0;            ///< frames that contributed (1 for a single image)
  std::int64_t samples = 0;  ///< uncertainty: base points drawn; pair: base pairs per lag
  std::string note;          ///< empty, or a one-line remark (why NaN, flags, range changes)

  DimensionEstimate() = default;
  explicit DimensionEstimate(DimensionMethod m) : method(m) {}
  bool has_ci() const;  ///< both ci bounds are finite
};

/// Every field of a DimensionEstimate, each listed once: calls visit(name, member) for each, in
/// this fixed order (the order of `trainscape dimension --json`). The HDF5 store (one attribute
/// or dataset per field, named `name`; dimension_store.hpp) and the JSON printer walk this list,
/// so a new field cannot be left out of either. Member types: double, int, std::int64_t, bool,
/// std::string, std::vector<double>, and DimensionMethod (`method`; to_string / from_string
/// give its stored name). E is DimensionEstimate or const DimensionEstimate.
template <class E, class V>
void visit_fields(E& e, V&& visit) {
  visit("dimension", e.dimension);
  visit("ci_low", e.ci_low);
  visit("ci_high", e.ci_high);
  visit("method", e.method);
  visit("mode", e.mode);
  visit("systematic", e.systematic);
  visit("boot_low", e.boot_low);
  visit("boot_high", e.boot_high);
  visit("fit_se", e.fit_se);
  visit("fit_min", e.fit_min);
  visit("fit_max", e.fit_max);
  visit("fit_points", e.fit_points);
  visit("occupancy", e.occupancy);
  visit("saturated", e.saturated);
  visit("frames", e.frames);
  visit("samples", e.samples);
  visit("scales", e.scales);
  visit("values", e.values);
  visit("counts", e.counts);
  visit("local", e.local);
  visit("note", e.note);
}

/// "1.2345 [1.2011, 1.2702]", "1.8655" (no CI) or "n/a" (NaN), with `digits` decimals.
std::string format_estimate(const DimensionEstimate& e, int digits = 4);

/// The image estimators of one frame or of a sequence of frames.
struct DimensionReport {
  DimensionEstimate porespy_median{DimensionMethod::PorespyMedian};
  DimensionEstimate boxcount_fit{DimensionMethod::BoxcountFit};
  DimensionEstimate pair{DimensionMethod::Pair};
};

}  // namespace trainscape
