#pragma once
/// A transect's HDF5 file (default <output.dir>/transect.h5; docs/transect.md#the-file). Layout
/// (format "trainscape-transect", format_version 1):
///
///   /                 attrs: format, format_version (int64), trainscape_version, config (string,
///                            the resolved YAML, as run.h5 stores it)
///   /transect         attrs: points (int64), from_x, from_y, to_x, to_y (float64, log10),
///                            steps (int64), dimension, ci_low, ci_high, fit_se, systematic,
///                            boot_low, boot_high (float64; NaN when undefined), fit_min,
///                            fit_max (int64, resolutions of the default fit), fit_points (int64),
///                            note (string)
///     x, y            float64 [N]  log10 coordinates of point i: from + (to - from) i / (N - 1)
///     measure         float64 [N]  signed convergence measure
///     converged       uint8   [N]  1 = trained
///     resolutions     int64   [K]  2^k, k = 1..K (N = 2^K + 1)
///     crossings       int64   [K]  class changes of the 2^k + 1 point subsample
///     local           float64 [K-1] slope between neighbouring resolutions
///     divergence_step int64   [N]  only when output.channels lists it (docs/channels.md)
///     lyapunov        float64 [N]  likewise
///     sharpness, edge_of_stability  float64 [N]  likewise, both for `sharpness`
///
/// The file is written under a temporary name and renamed into place once complete and on disk,
/// so `path` holds either nothing, an earlier complete transect or this one.
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/transect.hpp"

namespace trainscape::io {

/// Writes `result`, computed for `line` with `config` (steps from `problem`), to `path`.
/// Throws IoError naming the file.
void write_transect(const std::string& path, const RunConfig& config, const Problem& problem, const TransectLine& line,
                    const TransectResult& result);

/// What a transect file holds.
struct StoredTransect {
  std::string config_yaml;
  Segment segment;
  std::int64_t points = 0;
  std::int64_t steps = 0;
  TransectResult result;  ///< x, y, measure, converged, stored channels, crossings and dimension (without local)
};

/// Reads a transect file. Throws IoError naming the file when it is missing, not a transect file
/// or inconsistent (datasets of different lengths).
StoredTransect read_transect(const std::string& path);

}  // namespace trainscape::io
