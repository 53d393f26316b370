#pragma once
/// The `dimension` and `uncertainty` subcommands: plain option structs in, text or JSON out.
/// (main.cpp parses the command line into these structs; nothing here knows about CLI11.)
///
///   trainscape dimension INPUT [--json] [--write] [--threshold T]
///     INPUT is a run.h5 written by `trainscape zoom` (recognised by the HDF5 signature, or by a
///     .h5 / .hdf5 name) or an image file stb_image reads (PNG, JPEG, BMP, GIF, TGA, PNM, ...).
///     Run: every estimator recomputed from each stored frame's measure and for the sequence,
///     without training (phase = sign of the measure). Image: pixels whose luminance
///     0.2126 R + 0.7152 G + 0.0722 B (8-bit values; alpha composited over white) is below T
///     (default 128) are "set"; the image is read top row first, as numpy/imageio do.
///     --json prints one JSON object (NaN as null); --write stores the run's results in run.h5
///     under /dimension (io/dimension_store.hpp).
///
///     JSON: an image gives {"input", "kind": "image", "rows", "cols", "channels", "threshold",
///     "set_pixels", "set_fraction", "thin_set", "porespy_median", "boxcount_fit", "pair"}; a run
///     gives {"input", "kind": "run", "frames_completed", "stored_dimension", "frames": [{"index",
///     "rows", "cols", "window": [x_min, x_max, y_min, y_max], "porespy_median", "boxcount_fit",
///     "pair"}, ...], "sequence": {"porespy_median", "boxcount_fit", "pair"}}. Each estimator is
///     {"dimension", "ci": [low, high] (not for porespy_median), "method", "mode", "systematic",
///     "bootstrap": [low, high], "fit_se", "fit_range": [min, max], "fit_points", "occupancy" and
///     "saturated" (boxcount_fit), "frames", "samples", "scales", "values", "counts", "local",
///     "note"} -- the fields of DimensionEstimate.
///
///   trainscape uncertainty CONFIG [--points M] [--set K=V ...] [--engine NAME] [--threads N]
///                                 [--seed S] [--json]
///     The Monte-Carlo uncertainty exponent (fractal-dimension.md section 2.2) of the config's
///     first window (phase_space.x / .y), trained with the engine.
///
/// Both throw trainscape::Error subclasses for user-caused failures (IoError = exit 4 for
/// missing, unreadable, truncated or foreign files).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace trainscape::app {

struct DimensionCommandOptions {
  std::string input;
  bool json = false;
  bool write = false;
  double threshold = 128.0;  ///< image pixels with luminance < threshold are "set"; 0..256
  int resamples = 2000;      ///< bootstrap resamples
  std::uint64_t seed = 0;    ///< bootstrap seed
};

/// Returns the process exit code (0); prints to `out`.
int run_dimension_command(const DimensionCommandOptions& options, std::FILE* out);

struct UncertaintyCommandOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::int64_t points = 100000;
  std::string engine = "batched";
  int threads = -1;  ///< -1: the config's runtime.threads
  std::uint64_t seed = 0;
  bool json = false;
  bool progress = false;  ///< draw a progress line on stderr
  /// Set (to the signal number) when the user asks to stop: sampling ends at the next round, the
  /// estimate from the points so far is printed, and the command throws Interrupted.
  const std::atomic<int>* stop = nullptr;
};

int run_uncertainty_command(const UncertaintyCommandOptions& options, std::FILE* out);

}  // namespace trainscape::app
