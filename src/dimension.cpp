#include "trainscape/dimension.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <string>
#include <utility>

#include "trainscape/error.hpp"
#include "trainscape/zoom.hpp"

namespace trainscape {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

// ---- small numerics ------------------------------------------------------------------------------

/// SplitMix64's finaliser, as in random.hpp.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A counter-based generator: value i of a stream is a pure function of (seed, stream, i), so
/// the order in which threads draw cannot change anything.
class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t stream)
      : key_(mix64(seed + stream * 0x9E3779B97F4A7C15ULL)) {}
  /// Uniform in (0, 1).
  double uniform(std::uint64_t i) const {
    return (static_cast<double>(mix64(key_ + i) >> 11) + 0.5) * 0x1p-53;
  }
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
  std::uint64_t key_;
};

/// Median ignoring NaN (mean of the two middle values); NaN if nothing is left.
double nan_median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// numpy.percentile's default (linear) of a sorted, NaN-free, non-empty vector; q in [0, 1].
double percentile_sorted(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

/// Percentile interval of the finite values of `reps`; {NaN, NaN} if none.
std::pair<double, double> percentile_interval(std::vector<double> reps, double confidence) {
  reps.erase(std::remove_if(reps.begin(), reps.end(), [](double x) { return !std::isfinite(x); }),
             reps.end());
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
LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y,
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
std::vector<int> scale_ladder(int per_octave, int max_value) {
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

int count_in(const std::vector<int>& ladder, int lo, int hi) {
  return static_cast<int>(std::count_if(ladder.begin(), ladder.end(), [&](int s) { return s >= lo && s <= hi; }));
}

/// A fit range [lo, hi] in pixels, and the family of section 4.2 around it.
struct Range {
  int lo = 0;
  int hi = 0;
  bool extended = false;  ///< hi raised to n / 8 for lack of scales
};

/// Default range: [lo, n / divisor]; raised to n / 8 when that holds fewer than 4 ladder values.
Range default_range(const std::vector<int>& ladder, int n, int lo, int divisor) {
  Range r{lo, n / std::max(1, divisor), false};
  if (count_in(ladder, r.lo, r.hi) < 4 && n / 8 > r.hi) {
    r.hi = n / 8;
    r.extended = true;
  }
  return r;
}

/// The family: lo in {lo/2, lo, 2 lo} x hi in {min(2 hi, n/8), hi, hi/2}.
std::vector<Range> range_family(const Range& r, int n) {
  std::vector<Range> out;
  const int los[3] = {std::max(1, r.lo / 2), r.lo, 2 * r.lo};
  const int his[3] = {std::min(2 * r.hi, std::max(r.hi, n / 8)), r.hi, r.hi / 2};
  for (int lo : los) {
    for (int hi : his) out.push_back({lo, hi, false});
  }
  return out;
}

/// Base-set widths (k_max) a frame's pair statistics are kept for: the family's upper ends.
std::vector<int> pair_base_widths(const std::vector<int>& ladder, int n, const DimensionOptions& o) {
  const Range r = default_range(ladder, n, o.pair_min_lag, o.pair_max_divisor);
  std::vector<int> out;
  for (const Range& m : range_family(r, n)) {
    if (m.hi >= 1 && std::find(out.begin(), out.end(), m.hi) == out.end()) out.push_back(m.hi);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- box counting with offsets and blocks ----------------------------------------------------------

void box_statistics(const Image<std::uint8_t>& edges, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = edges.rows, W = edges.cols;
  const int n = std::min(H, W);
  const int B = fs.blocks;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  for (int d : scale_ladder(o.per_octave, n / 8)) {
    if (d >= 2) fs.box_sizes.push_back(d);
  }
  const std::size_t ns = fs.box_sizes.size();
  fs.box_counts.assign(ns, 0.0);
  fs.box_counts0.assign(ns, 0.0);
  fs.box_tiles.assign(ns, 0.0);
  fs.box_block_counts.assign(ns * nb, 0.0);
  if (ns == 0) return;

  // Summed-area table: sat(r, c) = edge pixels in rows < r, columns < c.
  const std::size_t sw = static_cast<std::size_t>(W) + 1;
  std::vector<std::uint32_t> sat((static_cast<std::size_t>(H) + 1) * sw, 0);
  for (int r = 0; r < H; ++r) {
    std::uint32_t row_sum = 0;
    for (int c = 0; c < W; ++c) {
      row_sum += edges(r, c) != 0 ? 1u : 0u;
      sat[(static_cast<std::size_t>(r) + 1) * sw + static_cast<std::size_t>(c) + 1] =
          sat[static_cast<std::size_t>(r) * sw + static_cast<std::size_t>(c) + 1] + row_sum;
    }
  }
  auto rect = [&](int r0, int r1, int c0, int c1) {
    const std::size_t a = static_cast<std::size_t>(r0) * sw, b = static_cast<std::size_t>(r1) * sw;
    return sat[b + static_cast<std::size_t>(c1)] - sat[a + static_cast<std::size_t>(c1)] -
           sat[b + static_cast<std::size_t>(c0)] + sat[a + static_cast<std::size_t>(c0)];
  };

  std::vector<double> block(nb);
  for (std::size_t si = 0; si < ns; ++si) {
    const int d = fs.box_sizes[si];
    std::vector<int> offs;
    for (int j = 0; j < std::max(1, o.offsets); ++j) {
      const int off = static_cast<int>(static_cast<long long>(j) * d / std::max(1, o.offsets));
      if (std::find(offs.begin(), offs.end(), off) == offs.end()) offs.push_back(off);
    }
    std::fill(block.begin(), block.end(), 0.0);
    double sum_count = 0, sum_tiles = 0;
    for (int oy : offs) {
      for (int ox : offs) {
        std::int64_t count = 0, tiles = 0;
        // Tile edges at offset + m d; the first tile is [offset - d, offset) clipped to the image.
        for (int r0 = oy > 0 ? oy - d : 0; r0 < H; r0 += d) {
          const int rlo = std::max(r0, 0), rhi = std::min(r0 + d, H);
          const int br = std::min(B - 1, static_cast<int>(static_cast<long long>(rlo + rhi) * B / (2LL * H)));
          for (int c0 = ox > 0 ? ox - d : 0; c0 < W; c0 += d) {
            const int clo = std::max(c0, 0), chi = std::min(c0 + d, W);
            ++tiles;
            if (rect(rlo, rhi, clo, chi) == 0) continue;
            ++count;
            const int bc = std::min(B - 1, static_cast<int>(static_cast<long long>(clo + chi) * B / (2LL * W)));
            block[static_cast<std::size_t>(br) * static_cast<std::size_t>(B) + static_cast<std::size_t>(bc)] += 1.0;
          }
        }
        if (ox == 0 && oy == 0) fs.box_counts0[si] = static_cast<double>(count);
        sum_count += static_cast<double>(count);
        sum_tiles += static_cast<double>(tiles);
      }
    }
    const double n_off = static_cast<double>(offs.size() * offs.size());
    fs.box_counts[si] = sum_count / n_off;
    fs.box_tiles[si] = sum_tiles / n_off;
    for (std::size_t b = 0; b < nb; ++b) fs.box_block_counts[si * nb + b] = block[b] / n_off;
  }
}

// ---- pair statistics -------------------------------------------------------------------------------

/// Per block of base pixel p: the count of pairs (p, p + k e), e = x and y, whose phases differ,
/// for every lag k <= K; base pixels in columns [0, W - K) (horizontal) and rows [0, H - K)
/// (vertical), the fixed base set of section 2.3.
void pair_two_phase(const Image<std::uint8_t>& S, int K, const std::vector<int>& lags, int B,
                    double* hits /*[lag * B^2 + block]*/, double* total /*[block]*/) {
  const int H = S.rows, W = S.cols;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  std::vector<int> col_block_end(static_cast<std::size_t>(B));
  for (int b = 0; b < B; ++b) col_block_end[static_cast<std::size_t>(b)] = static_cast<int>((static_cast<long long>(b) + 1) * W / B);
  auto row_block = [&](int r) { return std::min(B - 1, static_cast<int>(static_cast<long long>(r) * B / H)); };

  // Pairs in each block of the base set.
  for (int r = 0; r < H; ++r) {
    int c0 = 0;
    for (int b = 0; b < B; ++b) {
      const int c1 = col_block_end[static_cast<std::size_t>(b)];
      const std::size_t bi = static_cast<std::size_t>(row_block(r)) * static_cast<std::size_t>(B) + static_cast<std::size_t>(b);
      const int h_end = std::min(c1, W - K);
      if (h_end > c0) total[bi] += h_end - c0;
      if (r < H - K && c1 > c0) total[bi] += c1 - c0;
      c0 = c1;
    }
  }
  for (std::size_t li = 0; li < lags.size(); ++li) {
    const int k = lags[li];
    if (k > K) break;
    double* h = hits + li * nb;
    for (int r = 0; r < H; ++r) {
      const std::uint8_t* row = S.data.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(W);
      const std::uint8_t* below = r < H - K ? row + static_cast<std::size_t>(k) * static_cast<std::size_t>(W) : nullptr;
      const std::size_t br = static_cast<std::size_t>(row_block(r)) * static_cast<std::size_t>(B);
      int c0 = 0;
      for (int b = 0; b < B; ++b) {
        const int c1 = col_block_end[static_cast<std::size_t>(b)];
        std::int64_t n = 0;
        const int h_end = std::min(c1, W - K);
        for (int c = c0; c < h_end; ++c) n += row[c] != row[c + k];
        if (below) {
          for (int c = c0; c < c1; ++c) n += row[c] != below[c];
        }
        h[br + static_cast<std::size_t>(b)] += static_cast<double>(n);
        c0 = c1;
      }
    }
  }
}

/// The phase image S = !(m < 0), its minority phase T, and whether T is a thin set.
struct Phases {
  Image<std::uint8_t> S;
  Image<std::uint8_t> T;
};

Phases classify_phases(const Image<double>& measure, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = measure.rows, W = measure.cols;
  Phases p;
  p.S = Image<std::uint8_t>(H, W, 0);
  std::int64_t set = 0;
  for (std::size_t i = 0; i < p.S.data.size(); ++i) {
    p.S.data[i] = !(measure.data[i] < 0.0) ? 1 : 0;
    set += p.S.data[i];
  }
  const double set_fraction = static_cast<double>(set) / static_cast<double>(p.S.data.size());
  fs.minority_fraction = std::min(set_fraction, 1.0 - set_fraction);
  p.T = p.S;
  if (set_fraction > 0.5) {
    for (auto& v : p.T.data) v = v ? 0 : 1;
  }
  // Interior pixels of T: all four neighbours (those inside the image) in T as well.
  std::int64_t members = 0, interior = 0;
  for (int r = 0; r < H; ++r) {
    for (int c = 0; c < W; ++c) {
      if (!p.T(r, c)) continue;
      ++members;
      const bool in = (r == 0 || p.T(r - 1, c)) && (r == H - 1 || p.T(r + 1, c)) && (c == 0 || p.T(r, c - 1)) &&
                      (c == W - 1 || p.T(r, c + 1));
      interior += in ? 1 : 0;
    }
  }
  fs.interior_fraction = members > 0 ? static_cast<double>(interior) / static_cast<double>(members) : 0.0;
  fs.thin = members > 0 && fs.interior_fraction < o.thin_interior && fs.minority_fraction < o.thin_area;
  return p;
}

void pair_statistics(const Phases& p, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = p.S.rows, W = p.S.cols;
  const int n = std::min(H, W);
  const int B = fs.blocks;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  if (fs.thin) return;  // section 2.3: differences of a thin set do not scale with its dimension
  fs.pair_lags = scale_ladder(o.per_octave, n / 8);
  fs.pair_bases = pair_base_widths(fs.pair_lags, n, o);
  const std::size_t nl = fs.pair_lags.size();
  fs.pair_hits.assign(fs.pair_bases.size() * nl * nb, 0.0);
  fs.pair_total.assign(fs.pair_bases.size() * nb, 0.0);
  for (std::size_t bi = 0; bi < fs.pair_bases.size(); ++bi) {
    const int K = fs.pair_bases[bi];
    if (K < 1 || K >= n) continue;
    double* hits = fs.pair_hits.data() + bi * nl * nb;
    double* total = fs.pair_total.data() + bi * nb;
    pair_two_phase(p.S, K, fs.pair_lags, B, hits, total);
  }
}

// ---- fitting one frame -----------------------------------------------------------------------------

/// How a fitted log-log slope becomes a dimension.
enum class FitKind {
  Box,   ///< ln N(d) on ln d: D = -slope
  Pair   ///< ln f(k) on ln k, f the fraction of differing pairs: D = 2 - slope
};

double dimension_from_slope(FitKind kind, double slope) {
  switch (kind) {
    case FitKind::Box: return -slope;
    case FitKind::Pair: return 2.0 - slope;
  }
  return kNaN;
}

/// A frame's data for one method, in a form the fitter and the bootstrap share.
struct FrameSeries {
  FitKind kind = FitKind::Box;
  std::vector<int> scales;
  Range range;                       ///< default fit range
  std::vector<Range> family;
  std::vector<std::vector<double>> family_values;  ///< values per family member
  std::vector<double> values;        ///< default: N(d) or f(k)
  std::vector<double> counts;        ///< events behind values
  // bootstrap: per scale and block, numerator; per block, denominator (pair) or 1 (box)
  std::vector<double> block_num;     ///< [scale * nb + block]
  std::vector<double> block_den;     ///< [block]
  std::vector<std::size_t> live_blocks;  ///< blocks holding boundary
  std::size_t nb = 0;
  double occupancy = kNaN;
  std::int64_t samples = 0;
  std::string undefined;             ///< why this frame has no estimate (empty if it has one)
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
    for (std::size_t i = 0; i < nl * s.nb; ++i) s.block_num[i] = fs.pair_hits[static_cast<std::size_t>(b0) * nl * s.nb + i];
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
    s.undefined = "not applicable to a thin set (the minority phase has almost no interior pixels; "
                  "section 2.3 needs two area-carrying phases) -- use boxcount_fit";
  } else if (b0 < 0 || count_in(s.scales, s.range.lo, s.range.hi) < 3) {
    s.undefined = "image too small for 3 lags in [" + std::to_string(s.range.lo) + ", n/8] px";
  }
  return s;
}

/// D of one bootstrap draw of a frame: its live blocks resampled with replacement.
double frame_bootstrap(const FrameSeries& s, const CounterRng& rng, std::uint64_t& counter,
                       std::vector<double>& num) {
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

std::vector<double> local_dimensions(const std::vector<double>& scales, const std::vector<double>& values, FitKind kind) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 1 < scales.size(); ++i) {
    if (values[i] > 0 && values[i + 1] > 0) {
      const double slope = (std::log(values[i + 1]) - std::log(values[i])) / (std::log(scales[i + 1]) - std::log(scales[i]));
      out.push_back(dimension_from_slope(kind, slope));
    } else {
      out.push_back(kNaN);
    }
  }
  return out;
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
    for (std::size_t f : valid.empty() ? std::vector<std::size_t>{static_cast<std::size_t>(ref - frames.data())} : valid) {
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
    const std::string skipped = std::to_string(frames.size() - valid.size()) + " of " +
                                std::to_string(frames.size()) + " frames without an estimate (" + first_reason + ")";
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
    e.note = "undefined: a frame without boundary (or with a zero count) makes a NaN slope, and numpy's median "
             "of NaN is NaN";
  }
  return e;
}

}  // namespace

// ---- public: names, formatting -------------------------------------------------------------------

const char* to_string(DimensionMethod method) {
  switch (method) {
    case DimensionMethod::PorespyMedian: return "porespy_median";
    case DimensionMethod::BoxcountFit: return "boxcount_fit";
    case DimensionMethod::Pair: return "pair";
    case DimensionMethod::Uncertainty: return "uncertainty";
  }
  return "unknown";
}

bool from_string(const std::string& name, DimensionMethod& out) {
  for (DimensionMethod m : {DimensionMethod::PorespyMedian, DimensionMethod::BoxcountFit, DimensionMethod::Pair,
                            DimensionMethod::Uncertainty}) {
    if (name == to_string(m)) {
      out = m;
      return true;
    }
  }
  return false;
}

bool DimensionEstimate::has_ci() const { return std::isfinite(ci_low) && std::isfinite(ci_high); }

std::string format_estimate(const DimensionEstimate& e, int digits) {
  if (!std::isfinite(e.dimension)) return "n/a";
  char buf[128];
  if (e.has_ci()) {
    std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", digits, e.dimension, digits, e.ci_low, digits, e.ci_high);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", digits, e.dimension);
  }
  return buf;
}

// ---- public: image estimators ----------------------------------------------------------------------

Image<double> phase_measure(const Image<std::uint8_t>& set) {
  Image<double> m(set.rows, set.cols, -1.0);
  for (std::size_t i = 0; i < set.data.size(); ++i) m.data[i] = set.data[i] != 0 ? 1.0 : -1.0;
  return m;
}

FrameStatistics frame_statistics(const Image<double>& measure, const DimensionOptions& options) {
  if (measure.rows < 2 || measure.cols < 2) {
    throw NumericalError("a frame of " + std::to_string(measure.rows) + " x " + std::to_string(measure.cols) +
                         " pixels is too small for a dimension (at least 2 x 2)");
  }
  FrameStatistics fs;
  fs.rows = measure.rows;
  fs.cols = measure.cols;
  fs.blocks = std::max(1, options.blocks);
  const Image<std::uint8_t> edges = edge_mask(measure);
  for (std::uint8_t e : edges.data) fs.edge_pixels += e ? 1 : 0;
  fs.porespy = porespy_boxcount(edges);
  const Phases phases = classify_phases(measure, options, fs);
  // A thin set is its own boundary: counting its pixels avoids the 2-3 px band the edge rule
  // draws around a 1-px line.
  const Image<std::uint8_t>& box_mask = fs.thin ? phases.T : edges;
  for (std::uint8_t e : box_mask.data) fs.box_mask_pixels += e ? 1 : 0;
  box_statistics(box_mask, options, fs);
  pair_statistics(phases, options, fs);
  return fs;
}

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

// ---- public: the Monte-Carlo uncertainty exponent --------------------------------------------------

DimensionEstimate uncertainty_exponent_batch(const BatchPhaseFunction& phase, const UncertaintyOptions& o,
                                             double eps_floor) {
  if (o.points < 1) throw ConfigError("uncertainty: points = " + std::to_string(o.points) + ": must be >= 1");
  if (o.eps_per_decade < 1 || !(o.eps_min_exp <= o.eps_max_exp)) {
    throw ConfigError("uncertainty: the epsilon ladder needs eps_per_decade >= 1 and eps_min_exp <= eps_max_exp");
  }
  if (o.chunk < 1 || o.chunks_per_round < 1) throw ConfigError("uncertainty: chunk and chunks_per_round must be >= 1");

  DimensionEstimate e(DimensionMethod::Uncertainty);
  std::vector<double> eps;
  int dropped = 0;
  for (int k = 0;; ++k) {
    const double ex = o.eps_max_exp - static_cast<double>(k) / o.eps_per_decade;
    if (ex < o.eps_min_exp - 1e-9) break;
    const double v = std::pow(10.0, ex);
    if (v < eps_floor) {
      ++dropped;
      continue;
    }
    eps.push_back(v);
  }
  if (eps.size() > 63) throw ConfigError("uncertainty: at most 63 epsilons (" + std::to_string(eps.size()) + " asked)");
  const std::size_t K = eps.size();
  std::string notes;
  if (dropped > 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%d epsilons below %.3g dropped: the outcome cannot resolve them in this window", dropped,
                  eps_floor);
    notes = buf;
  }
  e.scales = eps;
  if (K == 0) {
    e.note = notes.empty() ? "no epsilon to evaluate" : notes;
    return e;
  }

  const CounterRng points_rng(o.seed, 0x5EED0001);
  const std::size_t per_point = K + 1;
  std::vector<std::uint64_t> masks;
  std::vector<std::int64_t> n_u(K, 0);
  const std::int64_t round_size = static_cast<std::int64_t>(o.chunk) * o.chunks_per_round;
  const int threads = resolve_thread_count(o.threads);
  std::int64_t done = 0;
  bool stopped = false;
  while (done < o.points) {
    const std::int64_t this_round = std::min(round_size, o.points - done);
    const int chunks = static_cast<int>((this_round + o.chunk - 1) / o.chunk);
    masks.resize(static_cast<std::size_t>(done + this_round), 0);
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int ci = 0; ci < chunks; ++ci) {
      if (failed.load(std::memory_order_relaxed)) continue;
      try {
        const std::int64_t j0 = done + static_cast<std::int64_t>(ci) * o.chunk;
        const std::int64_t cnt = std::min<std::int64_t>(o.chunk, done + this_round - j0);
        const std::size_t n = static_cast<std::size_t>(cnt) * per_point;
        std::vector<double> u(n), v(n);
        std::vector<std::uint8_t> out(n, 0);
        for (std::int64_t p = 0; p < cnt; ++p) {
          const auto j = static_cast<std::uint64_t>(j0 + p);
          const double bu = points_rng.uniform(3 * j), bv = points_rng.uniform(3 * j + 1);
          const double theta = 2.0 * kPi * points_rng.uniform(3 * j + 2);
          const double cu = std::cos(theta), cv = std::sin(theta);
          const std::size_t at = static_cast<std::size_t>(p) * per_point;
          u[at] = bu;
          v[at] = bv;
          for (std::size_t k = 0; k < K; ++k) {
            u[at + 1 + k] = bu + eps[k] * cu;
            v[at + 1 + k] = bv + eps[k] * cv;
          }
        }
        phase(u.data(), v.data(), n, out.data());
        for (std::int64_t p = 0; p < cnt; ++p) {
          const std::size_t at = static_cast<std::size_t>(p) * per_point;
          const bool base = out[at] != 0;
          std::uint64_t m = 0;
          for (std::size_t k = 0; k < K; ++k) {
            if ((out[at + 1 + k] != 0) != base) m |= std::uint64_t{1} << k;
          }
          masks[static_cast<std::size_t>(j0 + p)] = m;
        }
      } catch (...) {
#pragma omp critical(trainscape_uncertainty_failure)
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
    if (failure) std::rethrow_exception(failure);
    for (std::int64_t j = done; j < done + this_round; ++j) {
      const std::uint64_t m = masks[static_cast<std::size_t>(j)];
      for (std::size_t k = 0; k < K; ++k) n_u[k] += (m >> k) & 1u;
    }
    done += this_round;
    if (o.target_uncertain > 0 &&
        std::all_of(n_u.begin(), n_u.end(), [&](std::int64_t c) { return c >= o.target_uncertain; })) {
      break;
    }
    if (done < o.points && o.progress && !o.progress(done, o.points)) {
      stopped = true;
      break;
    }
  }
  e.samples = done;
  const double M = static_cast<double>(done);
  for (std::size_t k = 0; k < K; ++k) {
    e.counts.push_back(static_cast<double>(n_u[k]));
    e.values.push_back(static_cast<double>(n_u[k]) / M);
  }
  e.local = local_dimensions(e.scales, e.values, FitKind::Pair);
  if (stopped) {
    const std::string s = "stopped after " + std::to_string(done) + " of " + std::to_string(o.points) + " points";
    notes = notes.empty() ? s : notes + "; " + s;
  }

  // The fitted epsilons, fixed from the full sample.
  const double fit_top = std::pow(10.0, o.fit_max_exp) * (1.0 + 1e-9);
  std::vector<std::size_t> fit_k;
  for (std::size_t k = 0; k < K; ++k) {
    if (eps[k] <= fit_top && n_u[k] >= o.min_uncertain && n_u[k] > 0) fit_k.push_back(k);
  }
  auto fit_with = [&](const std::vector<std::size_t>& ks, const std::vector<double>& nu) {
    std::vector<double> x, y, w;
    for (std::size_t k : ks) {
      if (!(nu[k] > 0)) continue;
      x.push_back(std::log(eps[k]));
      y.push_back(std::log(nu[k] / M));
      w.push_back(nu[k]);
    }
    if (x.size() < 3) return LineFit{};
    return fit_line(x, y, &w);
  };
  std::vector<double> nu_d(e.counts);
  double decades = 0;
  if (!fit_k.empty()) {
    e.fit_max = eps[fit_k.front()];
    e.fit_min = eps[fit_k.back()];
    decades = std::log10(e.fit_max / e.fit_min);
  }
  e.fit_points = static_cast<int>(fit_k.size());
  const LineFit main_fit = fit_with(fit_k, nu_d);
  const bool enough = static_cast<int>(fit_k.size()) >= o.min_eps && decades >= o.min_decades - 1e-9;
  if (!enough || !main_fit.ok) {
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "too few uncertain points: %zu epsilons <= %.3g with n_u >= %lld spanning %.2f decades (need %d "
                  "spanning %.1f)%s; raise the number of points",
                  fit_k.size(), fit_top, static_cast<long long>(o.min_uncertain), decades, o.min_eps, o.min_decades,
                  main_fit.ok ? (std::string(", provisional D = ") + std::to_string(2.0 - main_fit.slope)).c_str() : "");
    e.note = notes.empty() ? buf : notes + "; " + buf;
    return e;
  }
  e.dimension = 2.0 - main_fit.slope;
  e.fit_se = main_fit.se;

  // Systematic (diagnostic): leave out the largest or the smallest fitted epsilon.
  std::vector<double> alt{e.dimension};
  if (fit_k.size() > 3) {
    const LineFit a = fit_with(std::vector<std::size_t>(fit_k.begin() + 1, fit_k.end()), nu_d);
    const LineFit b = fit_with(std::vector<std::size_t>(fit_k.begin(), fit_k.end() - 1), nu_d);
    if (a.ok) alt.push_back(2.0 - a.slope);
    if (b.ok) alt.push_back(2.0 - b.slope);
  }
  const auto mm = std::minmax_element(alt.begin(), alt.end());
  e.systematic = 0.5 * (*mm.second - *mm.first);

  // Poisson bootstrap over base points: only points uncertain at some fitted epsilon matter for
  // the slope (the total weight only shifts ln f by a constant).
  std::uint64_t fit_mask = 0;
  for (std::size_t k : fit_k) fit_mask |= std::uint64_t{1} << k;
  std::vector<std::uint64_t> live;
  for (std::uint64_t m : masks) {
    if (m & fit_mask) live.push_back(m & fit_mask);
  }
  const CounterRng boot_rng(o.seed, 0x5EED0002);
  std::uint64_t counter = 0;
  std::vector<double> reps, nu(K);
  for (int r = 0; r < o.resamples; ++r) {
    std::fill(nu.begin(), nu.end(), 0.0);
    for (std::uint64_t m : live) {
      const int w = boot_rng.poisson1(counter++);
      if (w == 0) continue;
      for (std::size_t k : fit_k) {
        if ((m >> k) & 1u) nu[k] += w;
      }
    }
    const LineFit f = fit_with(fit_k, nu);
    reps.push_back(f.ok ? 2.0 - f.slope : kNaN);
  }
  const auto ci = percentile_interval(std::move(reps), o.confidence);
  e.boot_low = e.ci_low = ci.first;
  e.boot_high = e.ci_high = ci.second;
  e.note = notes;
  return e;
}

DimensionEstimate uncertainty_exponent(const PhaseFunction& phase, const UncertaintyOptions& options) {
  const BatchPhaseFunction batch = [&phase](const double* u, const double* v, std::size_t n, std::uint8_t* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = phase(u[i], v[i]) ? 1 : 0;
  };
  return uncertainty_exponent_batch(batch, options, 0.0);
}

DimensionEstimate uncertainty_exponent(const Engine& engine, const Problem& problem, const Window& window,
                                       const UncertaintyOptions& options) {
  if (!(window.half_x > 0) || !(window.half_y > 0)) {
    throw ConfigError("uncertainty: the window needs positive half-widths");
  }
  const double floor_log10 = 10.0 * min_log10_spacing(problem.precision);
  const double eps_floor = floor_log10 / (2.0 * std::min(window.half_x, window.half_y));
  const double scale_x = std::pow(10.0, window.centre_x);
  const double scale_y = std::pow(10.0, window.centre_y);
  const BatchPhaseFunction batch = [&](const double* u, const double* v, std::size_t n, std::uint8_t* out) {
    std::vector<HyperPoint> points(n);
    for (std::size_t i = 0; i < n; ++i) {
      // As Grid::value_x: 10^centre * 10^offset, the offset small and exact.
      points[i].x = scale_x * std::pow(10.0, (2.0 * u[i] - 1.0) * window.half_x);
      points[i].y = scale_y * std::pow(10.0, (2.0 * v[i] - 1.0) * window.half_y);
    }
    std::vector<PixelOutcome> outcomes(n);
    engine.train(problem, points.data(), n, outcomes.data());
    for (std::size_t i = 0; i < n; ++i) out[i] = !(outcomes[i].measure < 0.0) ? 1 : 0;
  };
  return uncertainty_exponent_batch(batch, options, eps_floor);
}

}  // namespace trainscape
