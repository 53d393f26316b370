#pragma once
/// Palettes and colour stretches for re-rendering stored frames (docs/watch.md#colours): the
/// movie, `trainscape render` and the viewer colour a measure in two steps, a stretch (measure
/// -> equalised value in [-1, 1], as rank_equalise in colour.hpp) and a palette (position in
/// [0, 1] -> RGB). With the Spectral palette and a frame's own stretch the result is exactly
/// colourise() of that frame, so re-rendered frames equal the zoom's PNGs byte for byte.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/image.hpp"

namespace trainscape {

/// The palettes a stored run can be drawn with.
enum class Palette {
  Spectral,  ///< the paper's: matplotlib's "Spectral", exactly as colourise() (colour.hpp)
  Uniform,   ///< lightness rising linearly in OKLab from dark blue to pale yellow
  Classes    ///< two colours: diverged (position < 0.5) and converged, the ends of Spectral
};

/// "spectral", "uniform", "classes".
const char* to_string(Palette palette);
/// Parses a palette name (as to_string); false if unknown.
bool palette_from_string(const std::string& name, Palette& out);
/// "spectral, uniform, classes" for help texts and error messages.
std::string palette_choices();

/// The colour at `position` in [0, 1] (0 = most diverged, 1 = most converged; values outside are
/// clamped like matplotlib's under / over colours), as 8-bit RGB. NaN gives black.
std::array<std::uint8_t, 3> palette_rgb8(Palette palette, double position);

/// The colour position of an equalised value e in [-1, 1]: (-e + 1) / 2, as colourise() computes
/// it (negated, so that converged measures, which are negative, land at the blue end).
inline double colour_position(double equalised) { return (-equalised + 1.0) / 2.0; }

/// A rank-equalisation stretch learnt from one or more measure images and applied to any value:
/// negatives map monotonically onto [-1, -0.25] and non-negatives onto [0.25, 1] as numpy.interp
/// over the sorted values of their sign class (rank_equalise's rule). For a value that occurs in
/// the images the result is bit for bit what rank_equalise gives it (the last tie's rank);
/// between stored values it interpolates linearly, beyond them it takes the end. A sign class
/// with no stored value maps to its first end (-1 or 0.25). NaN stays NaN.
class ColourStretch {
 public:
  ColourStretch() = default;
  /// The stretch of one frame (what colourise applies to it).
  explicit ColourStretch(const Image<double>& measure);
  /// One shared stretch over several frames (their values pooled), for a common colour scale.
  explicit ColourStretch(const std::vector<const Image<double>*>& measures);

  double equalised(double measure) const;
  /// equalised() of every pixel.
  Image<double> apply(const Image<double>& measure) const;

 private:
  void add(const Image<double>& measure);
  void finish();
  std::vector<double> negatives_;  ///< sorted ascending
  std::vector<double> others_;     ///< non-negative values, sorted ascending
};

/// A stored frame drawn with a palette: `stretch` applied to every pixel, then palette_rgb8 of
/// its colour_position. Same orientation as the measure (row 0 = y_min).
Image<std::array<std::uint8_t, 3>> paint(const Image<double>& measure, const ColourStretch& stretch, Palette palette);

/// Each pixel repeated `scale` x `scale` times (nearest-neighbour enlargement, for print).
Image<std::array<std::uint8_t, 3>> enlarge_nearest(const Image<std::array<std::uint8_t, 3>>& rgb, int scale);

}  // namespace trainscape
