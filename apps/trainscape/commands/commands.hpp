#pragma once
/// The subcommands of the trainscape tool: one plain option struct and one run_* function each
/// (one .cpp per command in this folder). main.cpp parses the command line into these structs
/// and calls the function; each returns the process exit code or throws trainscape::Error.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"

namespace trainscape::app {

class MpiSession;

/// A config file and the --set overrides applied to it.
struct ConfigSource {
  std::string path;
  std::vector<std::string> overrides;
};

/// Loads and validates `source` (throws ConfigError / IoError naming the file and key).
RunConfig load_run_config(const ConfigSource& source);

/// Refuses (ConfigError naming `source` and `command`) a config with training.arithmetic:
/// perturbation, for the commands that train points directly (transect, uncertainty, bench).
void refuse_perturbation(const RunConfig& config, const ConfigSource& source, const std::string& command);

/// Refuses (ConfigError naming `source`) a resolution whose frames would not fit in this
/// machine's memory, before anything is allocated or written.
void check_frame_memory(const RunConfig& config, const std::string& source);

/// Parses --shard I/N (0 <= I < N <= 10^6) into `index` and `count`; UsageError naming the value
/// otherwise. zoom and transect share it, so that their shards take the same syntax.
void parse_shard(const std::string& text, int& index, int& count);

struct ZoomOptions {
  ConfigSource config;
  std::string out_dir;  ///< empty: output.dir
  int threads = -1;     ///< -1: keep the config's value
  std::string engine = kDefaultEngine;
  bool overwrite = false;
  bool resume = false;
  std::string shard;  ///< "I/N", or empty
  bool quiet = false;
  bool silent = false;  ///< with quiet: not even the dimension (sweep prints its own table)
};
/// `zoom`: locally, under MPI (every rank computes, rank 0 writes), or one shard of a job array.
int run_zoom_command(const ZoomOptions& options, MpiSession& mpi);

struct SweepOptions {
  std::vector<std::string> paths;
  std::vector<std::string> overrides;
  std::string out_root;
  int threads = -1;
  std::string engine = kDefaultEngine;
  int task = -1;  ///< -1: every config
  bool summary_only = false;
  bool count_only = false;
  bool quiet = false;
};
/// `sweep`: one zoom per config (resuming unfinished ones), then the table of dimensions.
int run_sweep_command(const SweepOptions& options, MpiSession& mpi);

struct MergeOptions {
  ConfigSource config;
  std::string out_dir;
  bool quiet = false;
};
/// `merge`: the shards' tiles into run.h5 and PNGs identical to a single-process run.
int run_merge_command(const MergeOptions& options);

struct BenchOptions {
  ConfigSource config;
  std::string engine = kDefaultEngine;
  int pixels = 4096;
  int steps = 0;     ///< 0: the config's training.steps
  int threads = -1;  ///< -1: the config's runtime.threads
};
/// `bench`: trains a block of pixels and prints the rate (last line machine-readable).
int run_bench_command(const BenchOptions& options);

/// `dimension` and `uncertainty`:
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
///     The Monte-Carlo uncertainty exponent (docs/dimension.md#uncertainty-exponent) of the
///     config's first window (phase_space.x / .y), trained with the engine.
///
/// Both print to `out` and throw trainscape::Error subclasses for user-caused failures (IoError =
/// exit 4 for missing, unreadable, truncated or foreign files).
struct DimensionCommandOptions {
  std::string input;
  bool json = false;
  bool write = false;
  double threshold = 128.0;  ///< image pixels with luminance < threshold are "set"; 0..256
  int resamples = 2000;      ///< bootstrap resamples
  std::uint64_t seed = 0;    ///< bootstrap seed
};
int run_dimension_command(const DimensionCommandOptions& options, std::FILE* out);

struct UncertaintyCommandOptions {
  ConfigSource config;
  std::int64_t points = 100000;
  std::string engine = kDefaultEngine;
  int threads = -1;  ///< -1: the config's runtime.threads
  std::uint64_t seed = 0;
  bool json = false;
  bool progress = false;  ///< draw a progress line on stderr
};
/// A stop request (SIGINT / SIGTERM) ends sampling at the next round: the estimate from the
/// points so far is printed, then Interrupted is thrown (exit 130 / 143).
int run_uncertainty_command(const UncertaintyCommandOptions& options, std::FILE* out);

/// `movie`, `render`, `plot` and `view` read RUN_DIR/run.h5 only; nothing trains
/// (docs/watch.md). Each throws IoError (exit 4) for a missing, corrupt or foreign run.h5 and
/// for a missing ffmpeg (movie), UsageError (exit 2) for option values the parser cannot check.
struct MovieOptions {
  std::string run_dir;
  std::string out;  ///< empty: RUN_DIR/zoom.mp4
  double fps = 30.0;
  double seconds_per_step = 1.5;
  double hold = 1.0;
  std::string size;  ///< "N" or "WxH"; empty: the keyframes' size rounded up to even
  std::string codec = "h264";
  int quality = 18;
  std::string palette = "spectral";
  bool reverse = false;
  bool quiet = false;
};
/// `movie`: the zoom as an MP4, composited from the stored frames (movie.hpp). A stop request
/// (SIGINT / SIGTERM) stops ffmpeg, removes the partial file and throws Interrupted.
int run_movie_command(const MovieOptions& options);

struct RenderOptions {
  std::string run_dir;
  std::string out;     ///< empty: RUN_DIR/render
  std::string frames;  ///< "A:B" (inclusive, either end may be empty), or empty for all
  std::string palette = "spectral";
  int scale = 1;
  bool shared_stretch = false;
  std::string channel = "measure";  ///< measure, class, or a stored channel (docs/channels.md#rendering)
};
/// `render`: frame_NNN.png again from run.h5; with no options byte for byte what zoom wrote.
int run_render_command(const RenderOptions& options);

struct PlotOptions {
  std::string run_dir;
  std::string out;  ///< empty: RUN_DIR/plots
};
/// `plot`: boxcounts.svg, slopes.svg and dimension.svg (plot.hpp).
int run_plot_command(const PlotOptions& options);

struct ViewOptions {
  std::string run_dir;
  std::string out;  ///< empty: RUN_DIR/index.html
};
/// `view`: one self-contained HTML page to explore the run (viewer_page.hpp).
int run_view_command(const ViewOptions& options);
struct TransectOptions {
  ConfigSource config;
  std::string from;         ///< "X,Y" in log10 coordinates
  std::string to;           ///< "X,Y"
  std::string points_text;  ///< N as given (validated: 2^k + 1); empty = 2^20 + 1
  std::string out;          ///< empty: <output.dir>/transect.h5
  int threads = -1;         ///< -1: keep the config's value
  std::string engine = kDefaultEngine;
  bool overwrite = false;
  bool resume = false;
  bool quiet = false;
  std::string shard;   ///< "I/N": compute only shard I of N into FILE.shards/shard-I-of-N; empty: all
  bool merge = false;  ///< assemble FILE from the complete set of shards in FILE.shards/
};
/// `transect`: N points on a segment, trained in tiles with a journal, stored in HDF5 with the
/// dimension of the boundary's trace (docs/transect.md): alone, under MPI (ranks draw tiles,
/// rank 0 writes), or as one shard of a job array that --merge assembles.
int run_transect_command(const TransectOptions& options, MpiSession& mpi);

/// `keys`: the config reference as a Markdown table (the README embeds exactly this output).
int run_keys_command();

}  // namespace trainscape::app
