#include "trainscape/palette.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "detail/numpy_linspace.hpp"
#include "trainscape/colour.hpp"

namespace trainscape {

using detail::numpy_linspace_at;

namespace {

// Built with -ffp-contract=off (CMakeLists.txt), like colour.cpp: the stretch must reproduce
// rank_equalise's values to the last bit.

constexpr std::size_t kLutSize = 256;
using ByteLut = std::array<std::array<std::uint8_t, 3>, kLutSize>;

double srgb_encode(double linear) {
  const double v = std::clamp(linear, 0.0, 1.0);
  return v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

// OKLab (Ottosson 2020) to sRGB bytes, out-of-gamut channels clipped.
std::array<std::uint8_t, 3> oklab_to_rgb8(double L, double a, double b) {
  const double l_ = L + 0.3963377774 * a + 0.2158037573 * b;
  const double m_ = L - 0.1055613458 * a - 0.0638541728 * b;
  const double s_ = L - 0.0894841775 * a - 1.2914855480 * b;
  const double l = l_ * l_ * l_, m = m_ * m_ * m_, s = s_ * s_ * s_;
  const double r = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
  const double g = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
  const double bl = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;
  auto byte = [](double v) { return static_cast<std::uint8_t>(std::lround(srgb_encode(v) * 255.0)); };
  return {byte(r), byte(g), byte(bl)};
}

// Our perceptually uniform ramp: OKLab lightness from 0.30 to 0.93 in equal steps, chroma 0.11,
// hue turning from blue (260 degrees) through teal and green to yellow (100 degrees), so that
// equal steps of position are equal steps of perceived lightness.
ByteLut build_uniform() {
  ByteLut lut{};
  const double pi = std::acos(-1.0);
  for (std::size_t k = 0; k < kLutSize; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(kLutSize - 1);
    const double L = 0.30 + 0.63 * t;
    const double hue = (260.0 - 160.0 * t) * pi / 180.0;
    const double chroma = 0.11;
    lut[k] = oklab_to_rgb8(L, chroma * std::cos(hue), chroma * std::sin(hue));
  }
  return lut;
}

const ByteLut& uniform_lut() {
  static const ByteLut lut = build_uniform();
  return lut;
}

// numpy.interp(value, sorted, linspace(lo, hi, n)) with rank_equalise's tie rule (the last tie).
double interp_rank(const std::vector<double>& sorted, double value, double lo, double hi) {
  const std::size_t n = sorted.size();
  if (n == 0) return lo;
  const auto after = std::upper_bound(sorted.begin(), sorted.end(), value);
  if (after == sorted.begin()) return numpy_linspace_at(lo, hi, n, 0);
  const std::size_t j = static_cast<std::size_t>(after - sorted.begin()) - 1;  // last index with sorted[j] <= value
  const double fj = numpy_linspace_at(lo, hi, n, j);
  if (sorted[j] == value || j + 1 == n) return fj;
  const double fk = numpy_linspace_at(lo, hi, n, j + 1);
  return fj + (value - sorted[j]) * (fk - fj) / (sorted[j + 1] - sorted[j]);
}

}  // namespace

const char* to_string(Palette palette) {
  switch (palette) {
    case Palette::Spectral: return "spectral";
    case Palette::Uniform: return "uniform";
    case Palette::Classes: return "classes";
  }
  return "?";
}

bool palette_from_string(const std::string& name, Palette& out) {
  for (Palette p : {Palette::Spectral, Palette::Uniform, Palette::Classes}) {
    if (name == to_string(p)) {
      out = p;
      return true;
    }
  }
  return false;
}

std::string palette_choices() { return "spectral, uniform, classes"; }

std::array<std::uint8_t, 3> palette_rgb8(Palette palette, double position) {
  if (std::isnan(position)) return {0, 0, 0};
  switch (palette) {
    case Palette::Spectral: return spectral_rgb8(position);
    case Palette::Classes: return spectral_rgb8(position < 0.5 ? 0.0 : 1.0);
    case Palette::Uniform: {
      // The same lookup rule as spectral_rgb8: entry trunc(position * 256), clamped.
      const double xa = position * static_cast<double>(kLutSize);
      if (xa < 0.0) return uniform_lut()[0];
      if (xa >= static_cast<double>(kLutSize)) return uniform_lut()[kLutSize - 1];
      return uniform_lut()[static_cast<std::size_t>(xa)];
    }
  }
  return {0, 0, 0};
}

ColourStretch::ColourStretch(const Image<double>& measure) {
  add(measure);
  finish();
}

ColourStretch::ColourStretch(const std::vector<const Image<double>*>& measures) {
  for (const Image<double>* m : measures) add(*m);
  finish();
}

void ColourStretch::add(const Image<double>& measure) {
  for (double v : measure.data) {
    if (std::isnan(v)) continue;
    (v < 0.0 ? negatives_ : others_).push_back(v);  // -0.0 is non-negative, as in rank_equalise
  }
}

void ColourStretch::finish() {
  std::sort(negatives_.begin(), negatives_.end());
  std::sort(others_.begin(), others_.end());
}

double ColourStretch::equalised(double measure) const {
  if (std::isnan(measure)) return std::numeric_limits<double>::quiet_NaN();
  if (measure < 0.0) return interp_rank(negatives_, measure, -1.0, -0.25);
  return interp_rank(others_, measure, 0.25, 1.0);
}

Image<double> ColourStretch::apply(const Image<double>& measure) const {
  Image<double> out(measure.rows, measure.cols);
  for (std::size_t i = 0; i < measure.data.size(); ++i) out.data[i] = equalised(measure.data[i]);
  return out;
}

Image<std::array<std::uint8_t, 3>> paint(const Image<double>& measure, const ColourStretch& stretch, Palette palette) {
  Image<std::array<std::uint8_t, 3>> rgb(measure.rows, measure.cols);
  for (std::size_t i = 0; i < measure.data.size(); ++i) {
    rgb.data[i] = palette_rgb8(palette, colour_position(stretch.equalised(measure.data[i])));
  }
  return rgb;
}

Image<std::array<std::uint8_t, 3>> enlarge_nearest(const Image<std::array<std::uint8_t, 3>>& rgb, int scale) {
  Image<std::array<std::uint8_t, 3>> out(rgb.rows * scale, rgb.cols * scale);
  for (int r = 0; r < out.rows; ++r) {
    for (int c = 0; c < out.cols; ++c) out(r, c) = rgb(r / scale, c / scale);
  }
  return out;
}

}  // namespace trainscape
