#include "trainscape/dimension/estimators.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "dimension/common.hpp"
#include "trainscape/error.hpp"

namespace trainscape {

using namespace dimension_detail;

namespace {

// ---- fitting one frame -----------------------------------------------------------------------------

/// A frame's data for one method, in a form the fitter and the bootstrap share.
struct FrameSeries {
  FitKind kind = FitKind::Box;
  std::vector<int> scales;
  Range range;  ///< default fit range
  std::vector<Range> family;
  std::vector<std::vector<double>> family_values;  ///< values per family member
  std::vector<double> values;                      ///< default: N(d) or f(k)
  std::vector<double> counts;                      ///< events behind values
  // bootstrap: per scale and block, numerator; per block, denominator (pair) or 1 (box)
  std::vector<double> block_num;         ///< [scale * nb + block]
  std::vector<double> block_den;         ///< [block]
  std::vector<std::size_t> live_blocks;  ///< blocks holding boundary
  std::size_t nb = 0;
  double occupancy = kNaN;
  std::int64_t samples = 0;
  std::string undefined;  ///< why this frame has no estimate (empty if it has one)
};

struct FrameFit {
  double D = kNaN;
  double se = kNaN;
  int points = 0;
};

FrameFit fit_series(const std::vector<int>& scales, const std::vector<double>& values, const Range& r, FitKind kind) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < scales.size(); ++i) {
    if (scales[i] < r.lo || scales[i] > r.hi || !(values[i] > 0)) continue;
    x.push_back(std::log(static_cast<double>(scales[i])));
    y.push_back(std::log(values[i]));
  }
  FrameFit f;
  f.points = static_cast<int>(x.size());
  if (x.size() < 3) return f;
  const LineFit lf = fit_line(x, y);
  if (!lf.ok) return f;
  f.D = dimension_from_slope(kind, lf.slope);
  f.se = lf.se;
  return f;
}

FrameSeries box_series(const FrameStatistics& fs, const DimensionOptions& o) {
  FrameSeries s;
  s.kind = FitKind::Box;
  s.scales = fs.box_sizes;
  s.values = fs.box_counts;
  s.counts = fs.box_counts;
  s.nb = static_cast<std::size_t>(fs.blocks) * static_cast<std::size_t>(fs.blocks);
  const int n = std::min(fs.rows, fs.cols) - 1;  // the edge mask's side
  s.range = default_range(s.scales, n, o.box_min_size, o.box_max_divisor);
  for (const Range& m : range_family(s.range, n)) {
    s.family.push_back(m);
    s.family_values.push_back(fs.box_counts);
    s.family.push_back(m);
    s.family_values.push_back(fs.box_counts0);
  }
  s.block_num = fs.box_block_counts;
  s.block_den.assign(s.nb, 1.0);
  if (fs.box_mask_pixels == 0) {
    s.undefined = "no boundary";
  } else if (count_in(s.scales, s.range.lo, s.range.hi) < 3) {
    s.undefined = "frame too small for 3 box sizes in [" + std::to_string(s.range.lo) + ", n/8] px";
  }
  for (std::size_t b = 0; b < s.nb && !s.block_num.empty(); ++b) {
    if (s.block_num[b] > 0) s.live_blocks.push_back(b);  // scale 0 = d = 2
  }
  for (std::size_t i = 0; i < s.scales.size(); ++i) {
    if (s.scales[i] >= s.range.lo && fs.box_tiles[i] > 0) {
      s.occupancy = fs.box_counts[i] / fs.box_tiles[i];
      break;
    }
  }
  return s;
}

FrameSeries pair_series(const FrameStatistics& fs, const DimensionOptions& o) {
  FrameSeries s;
  s.kind = FitKind::Pair;
  s.scales = fs.pair_lags;
  s.nb = static_cast<std::size_t>(fs.blocks) * static_cast<std::size_t>(fs.blocks);
  const std::size_t nl = s.scales.size();
  const int n = std::min(fs.rows, fs.cols);
  s.range = default_range(s.scales, n, o.pair_min_lag, o.pair_max_divisor);
  // The stored base set for an upper end: exactly it, else the next wider one.
  auto base_index = [&](int hi) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < fs.pair_bases.size(); ++i) {
      if (fs.pair_bases[i] >= hi) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  };
  auto values_for = [&](std::ptrdiff_t bi, std::vector<double>* counts) {
    std::vector<double> v(nl, 0.0);
    if (bi < 0) return v;
    double total = 0;
    for (std::size_t b = 0; b < s.nb; ++b) total += fs.pair_total[static_cast<std::size_t>(bi) * s.nb + b];
    for (std::size_t li = 0; li < nl; ++li) {
      double h = 0;
      for (std::size_t b = 0; b < s.nb; ++b) h += fs.pair_hits[(static_cast<std::size_t>(bi) * nl + li) * s.nb + b];
      v[li] = total > 0 ? h / total : 0.0;
      if (counts) counts->push_back(h);
    }
    return v;
  };
  const std::ptrdiff_t b0 = base_index(s.range.hi);
  s.values = values_for(b0, &s.counts);
  for (const Range& m : range_family(s.range, n)) {
    s.family.push_back(m);
    s.family_values.push_back(values_for(base_index(m.hi), nullptr));
  }
  if (b0 >= 0) {
    s.block_num.assign(nl * s.nb, 0.0);
    for (std::size_t i = 0; i < nl * s.nb; ++i)
      s.block_num[i] = fs.pair_hits[static_cast<std::size_t>(b0) * nl * s.nb + i];
    s.block_den.assign(fs.pair_total.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(b0) * s.nb),
                       fs.pair_total.begin() + static_cast<std::ptrdiff_t>((static_cast<std::size_t>(b0) + 1) * s.nb));
    double total = 0;
    for (double t : s.block_den) total += t;
    s.samples = static_cast<std::int64_t>(total);
  }
  // Blocks with boundary: any hit at the largest lag of the default range.
  std::size_t top = 0;
  for (std::size_t li = 0; li < nl; ++li) {
    if (s.scales[li] <= s.range.hi) top = li;
  }
  for (std::size_t b = 0; b < s.nb && !s.block_num.empty(); ++b) {
    if (s.block_num[top * s.nb + b] > 0) s.live_blocks.push_back(b);
  }
  if (fs.minority_fraction == 0.0) {
    s.undefined = "no boundary";
  } else if (fs.thin) {
    s.undefined =
        "not applicable to a thin set (the minority phase has almost no interior pixels; "
        "the pair count needs two area-carrying phases; docs/dimension.md#pair-estimator) -- use boxcount_fit";
  } else if (b0 < 0 || count_in(s.scales, s.range.lo, s.range.hi) < 3) {
    s.undefined = "image too small for 3 lags in [" + std::to_string(s.range.lo) + ", n/8] px";
  }
  return s;
}

/// D of one bootstrap draw of a frame: its live blocks resampled with replacement.
double frame_bootstrap(const FrameSeries& s, const CounterRng& rng, std::uint64_t& counter, std::vector<double>& num) {
  const std::size_t ns = s.scales.size();
  num.assign(ns, 0.0);
  double den = 0;
  const std::size_t L = s.live_blocks.size();
  for (std::size_t i = 0; i < L; ++i) {
    const std::size_t b = s.live_blocks[rng.index(counter++, L)];
    den += s.block_den[b];
    for (std::size_t k = 0; k < ns; ++k) num[k] += s.block_num[k * s.nb + b];
  }
  if (s.kind != FitKind::Box && den > 0) {
    for (double& v : num) v /= den;
  }
  return fit_series(s.scales, num, s.range, s.kind).D;
}

/// The sequence estimate (one frame or many) of one method from its frames' series.
DimensionEstimate estimate_from_series(DimensionMethod method, const std::vector<FrameSeries>& frames,
                                       const DimensionOptions& o, std::uint64_t stream) {
  DimensionEstimate e(method);
  const bool box = method == DimensionMethod::BoxcountFit;
  std::vector<std::size_t> valid;
  std::vector<double> d_frames, se_frames;
  std::string first_reason;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const FrameSeries& s = frames[f];
    if (!s.undefined.empty()) {
      if (first_reason.empty()) first_reason = s.undefined;
      continue;
    }
    const FrameFit fit = fit_series(s.scales, s.values, s.range, s.kind);
    if (!std::isfinite(fit.D)) {
      if (first_reason.empty()) first_reason = "fit failed (zero counts in the fit range)";
      continue;
    }
    valid.push_back(f);
    d_frames.push_back(fit.D);
    se_frames.push_back(fit.se);
  }
  e.frames = static_cast<int>(valid.size());
  // Diagnostics from the first frame (the sequence's values are means over valid frames).
  const FrameSeries* ref = !valid.empty() ? &frames[valid.front()] : (!frames.empty() ? &frames.front() : nullptr);
  if (ref) {
    e.fit_min = ref->range.lo;
    e.fit_max = std::min(ref->range.hi, ref->scales.empty() ? 0 : ref->scales.back());
    e.fit_points = count_in(ref->scales, ref->range.lo, ref->range.hi);
    for (int sc : ref->scales) e.scales.push_back(sc);
    e.values.assign(ref->scales.size(), 0.0);
    e.counts.assign(ref->scales.size(), 0.0);
    std::size_t used = 0;
    for (std::size_t f :
         valid.empty() ? std::vector<std::size_t>{static_cast<std::size_t>(ref - frames.data())} : valid) {
      if (frames[f].scales != ref->scales || frames[f].kind != ref->kind) continue;
      for (std::size_t i = 0; i < e.values.size(); ++i) {
        e.values[i] += frames[f].values[i];
        if (i < frames[f].counts.size()) e.counts[i] += frames[f].counts[i];
      }
      ++used;
    }
    for (double& v : e.values) v /= static_cast<double>(std::max<std::size_t>(used, 1));
    // Lags beyond the fixed base set carry no data: drop the trailing zeros.
    while (!e.values.empty() && !(e.values.back() > 0)) {
      e.values.pop_back();
      e.counts.pop_back();
      e.scales.pop_back();
    }
    e.local = local_dimensions(e.scales, e.values, ref->kind);
    e.samples = ref->samples;
    if (ref->range.extended) e.note = "fit range extended to n/8 (small image)";
  }
  if (valid.empty()) {
    e.note = frames.empty() ? "no frames" : "undefined: " + first_reason;
    return e;
  }
  e.dimension = nan_median(d_frames);
  e.fit_se = valid.size() == 1 ? se_frames.front() : nan_median(se_frames);

  // Systematic: spread over the family of ranges (and offset conventions) of the frames' medians.
  std::vector<double> family_d;
  const std::size_t n_family = frames[valid.front()].family.size();
  for (std::size_t m = 0; m < n_family; ++m) {
    std::vector<double> per_frame;
    for (std::size_t f : valid) {
      const FrameSeries& s = frames[f];
      if (m >= s.family.size()) continue;
      per_frame.push_back(fit_series(s.scales, s.family_values[m], s.family[m], s.kind).D);
    }
    const double d = nan_median(per_frame);
    if (std::isfinite(d)) family_d.push_back(d);
  }
  family_d.push_back(e.dimension);
  const auto mm = std::minmax_element(family_d.begin(), family_d.end());
  const double sys_below = e.dimension - *mm.first, sys_above = *mm.second - e.dimension;
  e.systematic = 0.5 * (*mm.second - *mm.first);

  // Two-level bootstrap: frames with replacement, then each frame's live blocks.
  const CounterRng rng(o.seed, stream);
  std::uint64_t counter = 0;
  std::vector<double> reps;
  reps.reserve(static_cast<std::size_t>(std::max(0, o.resamples)));
  std::vector<double> num, draw;
  for (int r = 0; r < o.resamples; ++r) {
    draw.clear();
    for (std::size_t i = 0; i < valid.size(); ++i) {
      const std::size_t f = valid.size() == 1 ? valid.front() : valid[rng.index(counter++, valid.size())];
      draw.push_back(frame_bootstrap(frames[f], rng, counter, num));
    }
    reps.push_back(nan_median(draw));
  }
  const auto ci = percentile_interval(std::move(reps), o.confidence);
  e.boot_low = ci.first;
  e.boot_high = ci.second;
  // The statistical and the systematic deviations add in quadrature, on each side separately:
  // the default range may sit at one end of the family.
  const double lo = std::isfinite(e.boot_low) ? std::max(0.0, e.dimension - e.boot_low) : 0.0;
  const double hi = std::isfinite(e.boot_high) ? std::max(0.0, e.boot_high - e.dimension) : 0.0;
  e.ci_low = e.dimension - std::sqrt(lo * lo + sys_below * sys_below);
  e.ci_high = e.dimension + std::sqrt(hi * hi + sys_above * sys_above);

  if (box) {
    std::vector<double> occ;
    for (std::size_t f : valid) occ.push_back(frames[f].occupancy);
    e.occupancy = nan_median(occ);
    e.saturated = e.occupancy > o.saturation;
    if (e.saturated) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "saturated: %.0f%% of the tiles at d = %d px hold boundary; read D as >= %.1f",
                    100.0 * e.occupancy, ref->range.lo, std::min(1.9, e.dimension));
      e.note = e.note.empty() ? buf : e.note + "; " + buf;
    }
  }
  if (valid.size() < frames.size()) {
    const std::string skipped = std::to_string(frames.size() - valid.size()) + " of " + std::to_string(frames.size()) +
                                " frames without an estimate (" + first_reason + ")";
    e.note = e.note.empty() ? skipped : e.note + "; " + skipped;
  }
  return e;
}

DimensionEstimate porespy_estimate(const std::vector<FrameStatistics>& frames) {
  DimensionEstimate e(DimensionMethod::PorespyMedian);
  std::vector<BoxCount> counts;
  for (const auto& f : frames) counts.push_back(f.porespy);
  e.frames = static_cast<int>(frames.size());
  if (frames.empty()) {
    e.note = "no frames";
    return e;
  }
  e.dimension = pooled_median_slope(counts);
  const BoxCount& first = frames.front().porespy;
  for (std::int64_t s : first.sizes) e.scales.push_back(static_cast<double>(s));
  if (frames.size() == 1) {
    for (std::int64_t c : first.counts) {
      e.values.push_back(static_cast<double>(c));
      e.counts.push_back(static_cast<double>(c));
    }
    e.local = first.slopes;
  }
  if (!e.scales.empty()) {
    e.fit_min = e.scales.front();
    e.fit_max = e.scales.back();
    e.fit_points = static_cast<int>(e.scales.size());
  }
  if (std::isnan(e.dimension)) {
    e.note =
        "undefined: a frame without boundary (or with a zero count) makes a NaN slope, and numpy's median "
        "of NaN is NaN";
  }
  return e;
}

}  // namespace

DimensionReport estimate_dimensions(const std::vector<FrameStatistics>& frames, const DimensionOptions& options) {
  DimensionReport report;
  report.porespy_median = porespy_estimate(frames);
  std::vector<FrameSeries> box, pair;
  std::size_t thin = 0;
  for (const auto& f : frames) {
    box.push_back(box_series(f, options));
    pair.push_back(pair_series(f, options));
    thin += f.thin ? 1 : 0;
  }
  report.boxcount_fit = estimate_from_series(DimensionMethod::BoxcountFit, box, options, 0xB0C5);
  report.pair = estimate_from_series(DimensionMethod::Pair, pair, options, 0x9A12);
  report.pair.mode = thin == 0 ? "two-phase" : (thin == frames.size() ? "thin-set" : "mixed");
  report.boxcount_fit.mode = thin == 0 ? "edges" : (thin == frames.size() ? "thin-set" : "mixed");
  return report;
}

DimensionReport DimensionAccumulator::add_frame(const Image<double>& measure) {
  frames_.push_back(frame_statistics(measure, options_));
  return estimate_dimensions({frames_.back()}, options_);
}

DimensionReport DimensionAccumulator::sequence() const { return estimate_dimensions(frames_, options_); }

}  // namespace trainscape
