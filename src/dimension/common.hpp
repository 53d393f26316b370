#pragma once
// Internal to the dimension estimators (src/dimension/*.cpp): the counter-based generator of the
// bootstraps, robust statistics, the weighted line fit and the scale ladder with its fit ranges
// (docs/dimension.md). Not installed.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "detail/counter_rng.hpp"
#include "trainscape/dimension/statistics.hpp"

namespace trainscape::dimension_detail {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A counter-based generator: value i of a stream is a pure function of (seed, stream, i), so
/// the order in which threads draw cannot change anything.
class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t stream) : stream_(seed, stream) {}
  /// Uniform in (0, 1).
  double uniform(std::uint64_t i) const { return stream_.uniform(i); }
  /// Uniform integer in [0, n), n >= 1.
  std::size_t index(std::uint64_t i, std::size_t n) const {
    const auto k = static_cast<std::size_t>(uniform(i) * static_cast<double>(n));
    return std::min(k, n - 1);
  }
  /// Poisson(1) by inversion.
  int poisson1(std::uint64_t i) const {
    const double u = uniform(i);
    double p = 0.36787944117144233;  // e^-1
    double cdf = p;
    int k = 0;
    while (u > cdf && k < 30) {
      ++k;
      p /= k;
      cdf += p;
    }
    return k;
  }

 private:
  detail::CounterStream stream_;
};

/// Median ignoring NaN (mean of the two middle values); NaN if nothing is left.
inline double nan_median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// numpy.percentile's default (linear) of a sorted, NaN-free, non-empty vector; q in [0, 1].
inline double percentile_sorted(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

/// Percentile interval of the finite values of `reps`; {NaN, NaN} if none.
inline std::pair<double, double> percentile_interval(std::vector<double> reps, double confidence) {
  reps.erase(std::remove_if(reps.begin(), reps.end(), [](double x) { return !std::isfinite(x); }), reps.end());
  if (reps.empty()) return {kNaN, kNaN};
  std::sort(reps.begin(), reps.end());
  const double tail = 0.5 * (1.0 - confidence);
  return {percentile_sorted(reps, tail), percentile_sorted(reps, 1.0 - tail)};
}

struct LineFit {
  bool ok = false;
  double slope = kNaN;
  double se = kNaN;
};

/// Least squares of y on x, weighted by w when given (then se = sqrt(1 / sum w (x - mx)^2), the
/// standard error for weights = 1 / variance), else ordinary (se from the residuals).
inline LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>* w = nullptr) {
  LineFit f;
  const std::size_t n = x.size();
  if (n < 2) return f;
  double sw = 0, sx = 0, sy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = w ? (*w)[i] : 1.0;
    sw += wi;
    sx += wi * x[i];
    sy += wi * y[i];
  }
  const double mx = sx / sw, my = sy / sw;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = w ? (*w)[i] : 1.0;
    sxx += wi * (x[i] - mx) * (x[i] - mx);
    sxy += wi * (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) return f;
  f.slope = sxy / sxx;
  if (w) {
    f.se = std::sqrt(1.0 / sxx);
  } else if (n > 2) {
    double ssr = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double r = y[i] - (my + f.slope * (x[i] - mx));
      ssr += r * r;
    }
    f.se = std::sqrt(ssr / static_cast<double>(n - 2) / sxx);
  }
  f.ok = std::isfinite(f.slope);
  return f;
}

/// The distinct values of round(2^(i / per_octave)) up to max_value, ascending.
inline std::vector<int> scale_ladder(int per_octave, int max_value) {
  std::vector<int> out;
  const int po = std::max(1, per_octave);
  for (int i = 0;; ++i) {
    const double v = std::round(std::pow(2.0, static_cast<double>(i) / po));
    if (v > max_value) break;
    const int iv = static_cast<int>(v);
    if (out.empty() || out.back() != iv) out.push_back(iv);
  }
  return out;
}

inline int count_in(const std::vector<int>& ladder, int lo, int hi) {
  return static_cast<int>(std::count_if(ladder.begin(), ladder.end(), [&](int s) { return s >= lo && s <= hi; }));
}

/// A fit range [lo, hi] in pixels, and the family around it (docs/dimension.md#fit-range-family).
struct Range {
  int lo = 0;
  int hi = 0;
  bool extended = false;  ///< hi raised to n / 8 for lack of scales
};

/// Default range: [lo, n / divisor]; raised to n / 8 when that holds fewer than 4 ladder values.
inline Range default_range(const std::vector<int>& ladder, int n, int lo, int divisor) {
  Range r{lo, n / std::max(1, divisor), false};
  if (count_in(ladder, r.lo, r.hi) < 4 && n / 8 > r.hi) {
    r.hi = n / 8;
    r.extended = true;
  }
  return r;
}

/// The family: lo in {lo/2, lo, 2 lo} x hi in {min(2 hi, n/8), hi, hi/2}.
inline std::vector<Range> range_family(const Range& r, int n) {
  std::vector<Range> out;
  const int los[3] = {std::max(1, r.lo / 2), r.lo, 2 * r.lo};
  const int his[3] = {std::min(2 * r.hi, std::max(r.hi, n / 8)), r.hi, r.hi / 2};
  for (int lo : los) {
    for (int hi : his) out.push_back({lo, hi, false});
  }
  return out;
}

/// Base-set widths (k_max) a frame's pair statistics are kept for: the family's upper ends.
inline std::vector<int> pair_base_widths(const std::vector<int>& ladder, int n, const DimensionOptions& o) {
  const Range r = default_range(ladder, n, o.pair_min_lag, o.pair_max_divisor);
  std::vector<int> out;
  for (const Range& m : range_family(r, n)) {
    if (m.hi >= 1 && std::find(out.begin(), out.end(), m.hi) == out.end()) out.push_back(m.hi);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// How a fitted log-log slope becomes a dimension.
enum class FitKind {
  Box,  ///< ln N(d) on ln d: D = -slope
  Pair  ///< ln f(k) on ln k, f the fraction of differing pairs: D = 2 - slope
};

inline double dimension_from_slope(FitKind kind, double slope) {
  switch (kind) {
    case FitKind::Box: return -slope;
    case FitKind::Pair: return 2.0 - slope;
  }
  return kNaN;
}

inline std::vector<double> local_dimensions(const std::vector<double>& scales, const std::vector<double>& values,
                                            FitKind kind) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 1 < scales.size(); ++i) {
    if (values[i] > 0 && values[i + 1] > 0) {
      const double slope = (std::log(values[i + 1]) - std::log(values[i])) /
                           (std::log(scales[i + 1]) - std::log(scales[i]));
      out.push_back(dimension_from_slope(kind, slope));
    } else {
      out.push_back(kNaN);
    }
  }
  return out;
}

}  // namespace trainscape::dimension_detail
