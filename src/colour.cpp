#include "trainscape/colour.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "detail/numpy_linspace.hpp"

namespace trainscape {

using detail::numpy_linspace_at;

namespace {

// Built with -ffp-contract=off (CMakeLists.txt): numpy rounds every product before adding, and
// g++ would otherwise fuse a * b + c into one FMA under -mfma and change the last bits.

// matplotlib's _cm._Spectral_data (ColorBrewer "Spectral", 11 classes), the same literals.
constexpr double kSpectralData[11][3] = {
    {0.61960784313725492, 0.003921568627450980, 0.25882352941176473},
    {0.83529411764705885, 0.24313725490196078, 0.30980392156862746},
    {0.95686274509803926, 0.42745098039215684, 0.2627450980392157},
    {0.99215686274509807, 0.68235294117647061, 0.38039215686274508},
    {0.99607843137254903, 0.8784313725490196, 0.54509803921568623},
    {1.0, 1.0, 0.74901960784313726},
    {0.90196078431372551, 0.96078431372549022, 0.59607843137254901},
    {0.6705882352941176, 0.8666666666666667, 0.64313725490196083},
    {0.4, 0.76078431372549016, 0.6470588235294118},
    {0.19607843137254902, 0.53333333333333333, 0.74117647058823533},
    {0.36862745098039218, 0.30980392156862746, 0.63529411764705879},
};

constexpr std::size_t kLutSize = 256;  // matplotlib's rcParams['image.lut']
constexpr std::size_t kAnchors = 11;

using ByteLut = std::array<std::array<std::uint8_t, 3>, kLutSize>;

// One channel of matplotlib.colors._create_lookup_table(256, data, gamma=1) for the from_list
// data (x_i = linspace(0, 1, 11)[i], y0 = y1 = colour channel), in numpy's operation order.
std::array<double, kLutSize> spectral_channel(std::size_t channel) {
  double x[kAnchors];
  for (std::size_t i = 0; i < kAnchors; ++i) {
    x[i] = (numpy_linspace_at(0.0, 1.0, kAnchors, i) * static_cast<double>(kLutSize - 1));
  }
  std::array<double, kLutSize> lut{};
  lut[0] = kSpectralData[0][channel];
  lut[kLutSize - 1] = kSpectralData[kAnchors - 1][channel];
  for (std::size_t k = 1; k + 1 < kLutSize; ++k) {
    // (N - 1) * linspace(0, 1, N) ** gamma; the power with gamma = 1 is the identity.
    const double xind = (static_cast<double>(kLutSize - 1) * numpy_linspace_at(0.0, 1.0, kLutSize, k));
    // np.searchsorted(x, xind), side='left': the first anchor with x >= xind.
    const std::size_t ind = static_cast<std::size_t>(std::lower_bound(x, x + kAnchors, xind) - x);
    const double distance = (xind - x[ind - 1]) / (x[ind] - x[ind - 1]);
    const double y_lo = kSpectralData[ind - 1][channel];
    const double y_hi = kSpectralData[ind][channel];
    lut[k] = (distance * (y_hi - y_lo)) + y_lo;
  }
  for (double& v : lut) v = std::clamp(v, 0.0, 1.0);
  return lut;
}

// Colormap.__call__(..., bytes=True) converts the table as (lut * 255).astype(np.uint8).
ByteLut build_spectral_bytes() {
  ByteLut bytes{};
  for (std::size_t c = 0; c < 3; ++c) {
    const std::array<double, kLutSize> lut = spectral_channel(c);
    for (std::size_t k = 0; k < kLutSize; ++k) {
      bytes[k][c] = static_cast<std::uint8_t>(lut[k] * 255.0);
    }
  }
  return bytes;
}

const ByteLut& spectral_bytes() {
  static const ByteLut lut = build_spectral_bytes();
  return lut;
}

// A measure and where it came from, so one sort ranks the whole frame.
struct Ranked {
  double value;
  std::size_t index;
};

// Assigns linspace(lo, hi, n) ranks to ranked[begin, end), one sign class sorted ascending: a run
// of equal values takes the rank of its LAST member (numpy.interp returns fp[j] for x == xp[j],
// j the last tie).
void assign_ranks(const std::vector<Ranked>& ranked, std::size_t begin, std::size_t end, double lo, double hi,
                  std::vector<double>& out) {
  const std::size_t n = end - begin;
  std::size_t run_start = begin;
  while (run_start < end) {
    std::size_t run_end = run_start + 1;
    while (run_end < end && ranked[run_end].value == ranked[run_start].value) ++run_end;
    const double v = numpy_linspace_at(lo, hi, n, run_end - 1 - begin);
    for (std::size_t k = run_start; k < run_end; ++k) out[ranked[k].index] = v;
    run_start = run_end;
  }
}

}  // namespace

Image<double> rank_equalise(const Image<double>& measure) {
  // One sort of (value, index) pairs and a linear pass: a binary search per pixel into the
  // sorted values costs a cache miss per step and was about 4x slower on a 4096^2 frame.
  std::vector<Ranked> ranked;
  ranked.reserve(measure.data.size());
  for (std::size_t i = 0; i < measure.data.size(); ++i) {
    if (!std::isnan(measure.data[i])) ranked.push_back({measure.data[i], i});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.value < b.value; });
  // Negatives come first; -0.0 compares equal to 0.0 and is non-negative.
  const std::size_t n_negative = static_cast<std::size_t>(
      std::partition_point(ranked.begin(), ranked.end(), [](const Ranked& r) { return r.value < 0.0; }) -
      ranked.begin());

  Image<double> out(measure.rows, measure.cols, std::numeric_limits<double>::quiet_NaN());
  assign_ranks(ranked, 0, n_negative, -1.0, -0.25, out.data);
  assign_ranks(ranked, n_negative, ranked.size(), 0.25, 1.0, out.data);
  return out;
}

std::array<std::uint8_t, 3> spectral_rgb8(double t) {
  // matplotlib's "bad" colour is transparent black; RGB keeps the black.
  if (std::isnan(t)) return {0, 0, 0};
  const ByteLut& lut = spectral_bytes();
  // Colormap.__call__: xa = t * N (exact, N is a power of two); below 0 is "under" (entry 0),
  // t == 1 is the last entry, above is "over" (also the last entry); otherwise truncate.
  const double xa = t * static_cast<double>(kLutSize);
  if (xa < 0.0) return lut[0];
  if (xa >= static_cast<double>(kLutSize)) return lut[kLutSize - 1];
  return lut[static_cast<std::size_t>(xa)];
}

Image<std::array<std::uint8_t, 3>> colourise(const Image<double>& measure) {
  const Image<double> eq = rank_equalise(measure);
  Image<std::array<std::uint8_t, 3>> rgb(measure.rows, measure.cols);
  for (std::size_t i = 0; i < eq.data.size(); ++i) {
    // Negated so converged (negative) is blue; Normalize(-1, 1) computes (x - (-1)) / 2.
    const double t = (-eq.data[i] + 1.0) / 2.0;
    rgb.data[i] = spectral_rgb8(t);
  }
  return rgb;
}

}  // namespace trainscape
