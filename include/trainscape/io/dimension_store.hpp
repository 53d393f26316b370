#pragma once
/// Dimension estimates in run.h5 (written by `trainscape dimension RUN --write`, and by the zoom
/// store through write_frame_dimensions / write_sequence_dimensions, declared in the internal
/// src/io/dimension_store_h5.hpp). Layout, format_version 1:
///
///   /dimension                       attrs: format_version = 1 (int64),
///                                           trainscape_version (string)
///   /dimension/sequence/<method>     one group per estimator: porespy_median, boxcount_fit, pair
///   /dimension/frames/000000/<method>, ... the same for each frame (named like /frames/NNNNNN)
///
/// Each <method> group:
///   attrs  dimension, ci_low, ci_high       float64  NaN where undefined / absent (porespy: no CI)
///          systematic, boot_low, boot_high  float64  error-bar parts (dimension.hpp)
///          fit_se, fit_min, fit_max         float64  fit_min/max: scale range of the fit (px)
///          occupancy                        float64  box counting: tile occupancy at fit_min
///          fit_points, frames, samples      int64
///          saturated                        int64    1 = occupancy above the saturation limit
///          method, mode, note               string
///   datasets scales, values, counts         float64 [n]  sizes or lags; N(d) or f(k); events
///            local                          float64 [m]  local dimensions between scales
///                                                         (porespy_median: porespy's slopes)
///
/// The attributes and datasets of a <method> group are DimensionEstimate's fields as listed by
/// visit_fields (dimension/estimate.hpp), each under its field name: writer and reader both walk
/// that list. Writing replaces an existing /dimension group. Errors throw IoError naming the
/// file, the object and HDF5's reason.
#include <string>
#include <vector>

#include "trainscape/dimension/estimate.hpp"

namespace trainscape::io {

/// Replaces /dimension of the existing run file `path` with these reports (frame_indices[i] is
/// the index of frames[i], as in /frames).
void write_run_dimensions(const std::string& path, const std::vector<int>& frame_indices,
                          const std::vector<DimensionReport>& frames, const DimensionReport& sequence);

/// What /dimension holds, read back (tests, tools).
struct StoredDimensions {
  bool present = false;
  std::vector<int> frame_indices;
  std::vector<DimensionReport> frames;
  DimensionReport sequence;
};

/// Reads /dimension of a run file (present = false when the group is absent). Throws IoError.
StoredDimensions read_run_dimensions(const std::string& path);

}  // namespace trainscape::io
