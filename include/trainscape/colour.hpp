#pragma once
/// Colouring a frame like the paper's figures (docs/model.md#colour): sign-keeping rank
/// equalisation of the measure, then matplotlib's "Spectral" colormap, reproduced exactly.
#include <array>
#include <cstdint>

#include "trainscape/image.hpp"

namespace trainscape {

/// Sign-keeping rank (histogram) equalisation, as the notebook's numpy.interp on sorted values.
/// Negative measures map onto [-1, -0.25] and non-negative ones onto [0.25, 1]: with the
/// negatives sorted ascending as s_0 .. s_{n-1}, a value equal to s_j maps to
/// linspace(-1, -0.25, n)[j'] where j' is the LAST index holding that value (numpy.interp on
/// ties); likewise for the non-negatives with linspace(0.25, 1, n). n = 1 maps to the first
/// end (-1 or 0.25). NaN stays NaN. Output has the shape of the input.
Image<double> rank_equalise(const Image<double>& measure);

/// matplotlib's "Spectral" colormap as `Colormap.__call__(t, bytes=True)` computes it: the
/// 256-entry lookup table of LinearSegmentedColormap.from_list over the 11 ColorBrewer colours,
/// index = trunc(t * 256) with t == 1 mapped to 255, values below 0 to entry 0 and above 1 to
/// entry 255, and each channel converted to bytes as trunc(lut * 255). NaN gives black (0,0,0)
/// (matplotlib's "bad" colour is transparent, which an RGB image cannot hold).
std::array<std::uint8_t, 3> spectral_rgb8(double t);

/// A frame's colours: rank_equalise, negate (so converged = blue, diverged = red), normalise
/// [-1, 1] onto [0, 1] as matplotlib.colors.Normalize(-1, 1) does ((v + 1) / 2), and look up
/// spectral_rgb8. Returns one RGB triple per pixel in the SAME orientation as the measure
/// (row 0 = y_min); flipping for display is the image writer's job.
Image<std::array<std::uint8_t, 3>> colourise(const Image<double>& measure);

}  // namespace trainscape
