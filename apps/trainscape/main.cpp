// trainscape: the command-line tool. This file is the command line and nothing else: it defines
// the subcommands and their options, dispatches to commands/ and turns every error into one line
// on stderr and a documented exit code, in one place.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "commands/commands.hpp"
#include "mpi_support.hpp"
#include "trainscape/palette.hpp"
#include "trainscape/error.hpp"
#include "trainscape/version.hpp"

using namespace trainscape;
using namespace trainscape::app;

namespace {

const char* kExamples = R"(Examples:
  trainscape zoom configs/quickstart.yaml
  trainscape zoom configs/paper_tanh.yaml --out runs/tanh --threads 2
  trainscape zoom configs/quickstart.yaml --set render.resolution=256 --set zoom.frames=4 --overwrite
  trainscape zoom configs/quickstart.yaml --set "zoom.target=[1.2, 2.5]" -q
  trainscape zoom configs/paper_tanh.yaml --resume
  trainscape zoom configs/paper/tanh_full.yaml --shard 3/16    (then: trainscape merge ...)
  trainscape sweep configs/paper --out-root runs/paper        (one zoom per config, then a table)
  trainscape sweep configs/paper --task 3                     (one config: a Slurm array task)
  trainscape dimension runs/quickstart/run.h5 --json
  trainscape dimension figure.png --threshold 100
  trainscape uncertainty configs/quickstart.yaml --points 2000
  trainscape movie runs/quickstart                            (zoom.mp4 from run.h5; nothing trains)
  trainscape render runs/quickstart --palette uniform --scale 4
  trainscape plot runs/quickstart                             (SVG figures in runs/quickstart/plots)
  trainscape view runs/quickstart                             (runs/quickstart/index.html)
  trainscape transect configs/paper/tanh_full.yaml --from -1,0.5 --to 1,0.5 --points 16385
  trainscape transect ... --shard 2/8                         (then: the same command with --merge)
  trainscape bench configs/paper_tanh.yaml --pixels 4096 --steps 200 --engine reference
  trainscape keys

Exit codes: 0 success, 1 internal error, 2 bad command line, 3 invalid config,
4 file error (unreadable input, existing run without --overwrite, unwritable output,
  no ffmpeg for movie),
5 numerical refusal (e.g. no boundary to zoom into), 130/143 stopped by SIGINT/SIGTERM.)";

// ---- options several subcommands share -----------------------------------------------------------

/// An empty --out or --shard would silently mean "not given".
const CLI::Validator kNonEmpty(
    [](std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); }, "NON-EMPTY");

void add_config_source(CLI::App* cmd, ConfigSource& source, const std::string& what = "YAML config file") {
  cmd->add_option("CONFIG", source.path, what)->required();
  cmd->add_option("--set", source.overrides, "Override a config key, e.g. --set training.steps=500 (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
}

void add_threads(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads", threads, "Worker threads, 0 = all cores (overrides runtime.threads)")
      ->check(CLI::Range(0, 1024));
}

void add_engine(CLI::App* cmd, std::string& engine) {
  cmd->add_option("--engine", engine, "Training engine: " + engine_choices() + " (default " + kDefaultEngine + ")");
}

/// Prints `e` as the one line users see. Under MPI, a config or usage error happens alike on
/// every rank, so only rank 0 reports it.
int report(const Error& e, const MpiSession& mpi) {
  const bool everywhere = dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const UsageError*>(&e);
  if (!(mpi.active() && mpi.rank() != 0 && everywhere)) {
    std::fprintf(stderr, "trainscape: error: %s\n", errors::one_line(e.what()).c_str());
  }
  return e.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  // First, so that an MPI launcher's arguments are consumed before ours are parsed.
  std::unique_ptr<MpiSession> mpi;
  try {
    mpi = std::make_unique<MpiSession>(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "trainscape: error: %s\n", errors::one_line(e.what()).c_str());
    return e.exit_code();
  }
  CLI::App app{
      "trainscape: maps where neural-network training converges or diverges across two "
      "hyperparameters, zooms into the boundary and measures its fractal dimension."};
  app.set_version_flag("--version", std::string("trainscape ") + kVersion);
  app.footer(kExamples);
  app.require_subcommand(1);

  ZoomOptions zoom_opt;
  CLI::App* zoom = app.add_subcommand("zoom", "Render a zoom sequence: frame_NNN.png and run.h5 in the run directory");
  add_config_source(zoom, zoom_opt.config);
  zoom->add_option("--out", zoom_opt.out_dir, "Run directory (overrides output.dir)")->check(kNonEmpty);
  add_threads(zoom, zoom_opt.threads);
  add_engine(zoom, zoom_opt.engine);
  CLI::Option* overwrite =
      zoom->add_flag("--overwrite", zoom_opt.overwrite, "Replace an existing run in the run directory");
  CLI::Option* resume = zoom->add_flag("--resume", zoom_opt.resume,
                                       "Continue the interrupted run in the run directory: finished frames and tiles "
                                       "are kept (starts afresh if there is none)");
  resume->excludes(overwrite);
  zoom->add_option("--shard", zoom_opt.shard,
                   "Compute only shard I of N of every frame's tiles into <run dir>/shards/ (for job arrays; "
                   "needs a fixed zoom.target; combine with trainscape merge)")
      ->type_name("I/N")
      ->check(kNonEmpty)
      ->excludes(overwrite)
      ->excludes(resume);
  zoom->add_flag("-q,--quiet", zoom_opt.quiet, "No progress or summary; print only the sequence dimension");

  BenchOptions bench_opt;
  CLI::App* bench =
      app.add_subcommand("bench", "Train P pixels of a config's window for T steps and report pixel-steps/s");
  add_config_source(bench, bench_opt.config);
  add_engine(bench, bench_opt.engine);
  bench->add_option("--pixels", bench_opt.pixels, "Pixels to train (default 4096)")->check(CLI::Range(1, 1 << 28));
  bench->add_option("--steps", bench_opt.steps, "Steps per pixel (default: the config's training.steps)")
      ->check(CLI::Range(1, 10000000));
  add_threads(bench, bench_opt.threads);

  MergeOptions merge_opt;
  CLI::App* merge = app.add_subcommand(
      "merge", "Combine the shards in <run dir>/shards/ into run.h5 and PNGs identical to a single-process run");
  add_config_source(merge, merge_opt.config, "The YAML config the shards were run with");
  merge->add_option("--out", merge_opt.out_dir, "Run directory (overrides output.dir)")->check(kNonEmpty);
  merge->add_flag("-q,--quiet", merge_opt.quiet, "No summary; print only the sequence dimension");

  SweepOptions sweep_opt;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a zoom for each of many configs (resuming unfinished ones), then tabulate their dimensions");
  sweep->add_option("PATHS", sweep_opt.paths, "Config files, directories of *.yaml, or *.txt lists of configs")
      ->required();
  sweep
      ->add_option("--task", sweep_opt.task,
                   "Run only config I (0-based, in the sweep's order; e.g. $SLURM_ARRAY_TASK_ID)")
      ->check(CLI::Range(0, 100000000));
  sweep->add_flag("--summary", sweep_opt.summary_only,
                  "Compute nothing; print the table of what the run directories hold");
  sweep->add_flag("--count", sweep_opt.count_only, "Print the number of configs (the size of a job array) and exit");
  sweep
      ->add_option("--out-root", sweep_opt.out_root,
                   "Write config NAME.yaml's run into DIR/NAME instead of its output.dir")
      ->check(kNonEmpty);
  sweep->add_option("--set", sweep_opt.overrides, "Override a key in every config (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
  add_threads(sweep, sweep_opt.threads);
  add_engine(sweep, sweep_opt.engine);
  sweep->add_flag("-q,--quiet", sweep_opt.quiet, "No per-config progress lines on stderr");

  CLI::App* keys =
      app.add_subcommand("keys", "Print the config reference (every key, default and rule) as a Markdown table");

  DimensionCommandOptions dim_opt;
  CLI::App* dimension = app.add_subcommand(
      "dimension", "Fractal dimension of a run.h5 (per frame and sequence, no training) or of an image file");
  dimension->add_option("INPUT", dim_opt.input, "run.h5 written by zoom, or an image (PNG, JPEG, BMP, ...)")
      ->required();
  dimension->add_flag("--json", dim_opt.json, "Print one JSON object instead of the table (NaN as null)");
  dimension->add_flag("--write", dim_opt.write, "Store the results in the run.h5 under /dimension");
  dimension
      ->add_option("--threshold", dim_opt.threshold, "Image pixels with luminance below this are the set (default 128)")
      ->check(CLI::Range(0.0, 256.0));

  UncertaintyCommandOptions unc_opt;
  CLI::App* uncertainty = app.add_subcommand(
      "uncertainty",
      "Monte-Carlo uncertainty exponent (dimension by training random point pairs) of a config's window");
  add_config_source(uncertainty, unc_opt.config, "YAML config file (its phase_space window is used)");
  uncertainty->add_option("--points", unc_opt.points, "Base points (default 100000)")
      ->check(CLI::Range(1LL, 1000000000LL));
  add_engine(uncertainty, unc_opt.engine);
  add_threads(uncertainty, unc_opt.threads);
  uncertainty->add_option("--seed", unc_opt.seed, "Seed of the base points, directions and bootstrap (default 0)");
  uncertainty->add_flag("--json", unc_opt.json, "Print one JSON object");

  MovieOptions movie_opt;
  CLI::App* movie = app.add_subcommand(
      "movie", "Encode the zoom stored in RUN_DIR/run.h5 as an MP4 (H.264 by ffmpeg); nothing trains");
  movie->add_option("RUN_DIR", movie_opt.run_dir, "Run directory written by zoom")->required();
  movie->add_option("--out", movie_opt.out, "Output file (default RUN_DIR/zoom.mp4)")->check(kNonEmpty);
  movie->add_option("--fps", movie_opt.fps, "Video frames per second (default 30)");
  movie->add_option("--seconds-per-step", movie_opt.seconds_per_step,
                    "Seconds from one keyframe to the next (default 1.5; fps x this must be whole)");
  movie->add_option("--hold", movie_opt.hold, "Seconds the first and last keyframes are held (default 1; 0 allowed)");
  movie->add_option("--size", movie_opt.size, "Video size N or WxH, even (default: the frames' size, made even)")
      ->type_name("N|WxH");
  movie->add_option("--codec", movie_opt.codec, "h264 (default) or hevc, both yuv420p");
  movie->add_option("--quality", movie_opt.quality, "Encoder CRF, 0..51, lower is better (default 18)");
  movie->add_option("--palette", movie_opt.palette, "Palette: " + palette_choices() + " (default spectral)");
  movie->add_flag("--reverse", movie_opt.reverse, "Zoom out: from the last frame to the first");
  movie->add_flag("-q,--quiet", movie_opt.quiet, "No progress line and no summary");

  RenderOptions render_opt;
  CLI::App* render = app.add_subcommand(
      "render", "Write the frame PNGs again from RUN_DIR/run.h5 (same bytes as zoom with no options); nothing trains");
  render->add_option("RUN_DIR", render_opt.run_dir, "Run directory written by zoom")->required();
  render->add_option("--out", render_opt.out, "Output directory (default RUN_DIR/render)")->check(kNonEmpty);
  render->add_option("--frames", render_opt.frames, "Frames A to B, inclusive (A:, :B, or one index)")
      ->type_name("A:B");
  render->add_option("--palette", render_opt.palette, "Palette: " + palette_choices() + " (default spectral)");
  render->add_option("--scale", render_opt.scale, "Enlarge each pixel to N x N (nearest neighbour, for print)");
  render->add_option("--channel", render_opt.channel,
                     "What to colour: measure (default), class, divergence_step, lyapunov, sharpness or "
                     "edge_of_stability (those the run stored; docs/channels.md#rendering)");
  render->add_flag("--shared-stretch", render_opt.shared_stretch,
                   "One colour stretch over all frames instead of each frame's own");

  PlotOptions plot_opt;
  CLI::App* plot = app.add_subcommand(
      "plot", "SVG figures of RUN_DIR/run.h5: box counts, porespy slopes, dimension against zoom depth");
  plot->add_option("RUN_DIR", plot_opt.run_dir, "Run directory written by zoom")->required();
  plot->add_option("--out", plot_opt.out, "Output directory (default RUN_DIR/plots)")->check(kNonEmpty);

  ViewOptions view_opt;
  CLI::App* view =
      app.add_subcommand("view", "One self-contained HTML page (no network) to explore RUN_DIR/run.h5 in a browser");
  view->add_option("RUN_DIR", view_opt.run_dir, "Run directory written by zoom")->required();
  view->add_option("--out", view_opt.out, "Output file (default RUN_DIR/index.html)")->check(kNonEmpty);
  TransectOptions transect_opt;
  CLI::App* transect = app.add_subcommand(
      "transect", "Train N points on a segment of the phase space and measure the boundary's trace on it");
  add_config_source(transect, transect_opt.config);
  transect->add_option("--from", transect_opt.from, "Start of the segment, log10 coordinates")
      ->type_name("X,Y")
      ->required();
  transect->add_option("--to", transect_opt.to, "End of the segment, log10 coordinates")->type_name("X,Y")->required();
  transect->add_option("--points", transect_opt.points_text, "Points N = 2^k + 1 (default 1048577 = 2^20 + 1)")
      ->type_name("N");
  transect->add_option("--out", transect_opt.out, "Output HDF5 file (default <output.dir>/transect.h5)")
      ->check(kNonEmpty);
  add_threads(transect, transect_opt.threads);
  add_engine(transect, transect_opt.engine);
  CLI::Option* transect_overwrite =
      transect->add_flag("--overwrite", transect_opt.overwrite, "Replace an existing transect file or journal");
  transect
      ->add_flag("--resume", transect_opt.resume,
                 "Continue the interrupted transect: its finished tiles are kept (starts afresh if there is none)")
      ->excludes(transect_overwrite);
  CLI::Option* transect_shard =
      transect
          ->add_option("--shard", transect_opt.shard,
                       "Compute only shard I of N of the tiles into FILE.shards/ (for job arrays; combine with "
                       "--merge)")
          ->type_name("I/N")
          ->check(kNonEmpty)
          ->excludes(transect_overwrite)
          ->excludes("--resume");
  transect
      ->add_flag("--merge", transect_opt.merge,
                 "Assemble FILE from the shards in FILE.shards/ (same config, --from, --to, --points)")
      ->excludes(transect_shard)
      ->excludes("--resume");
  transect->add_flag("-q,--quiet", transect_opt.quiet, "No progress or summary; print only the dimension");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "trainscape: error: %s (see trainscape --help)\n", errors::one_line(e.what()).c_str());
    return static_cast<int>(ExitCode::Usage);
  }

  int code = 0;
  try {
    if (zoom->parsed()) {
      code = run_zoom_command(zoom_opt, *mpi);
    } else if (sweep->parsed()) {
      code = run_sweep_command(sweep_opt, *mpi);
    } else if (transect->parsed()) {
      code = run_transect_command(transect_opt, *mpi);
    } else if (mpi->active() && mpi->rank() != 0) {
      code = 0;  // the other commands run on one process
    } else {
      if (mpi->active())
        std::fprintf(stderr,
                     "trainscape: note: only zoom, sweep and transect use MPI ranks; running on rank 0 alone\n");
      if (merge->parsed()) code = run_merge_command(merge_opt);
      if (bench->parsed()) code = run_bench_command(bench_opt);
      if (keys->parsed()) code = run_keys_command();
      if (dimension->parsed()) code = run_dimension_command(dim_opt, stdout);
      if (movie->parsed()) code = run_movie_command(movie_opt);
      if (render->parsed()) code = run_render_command(render_opt);
      if (plot->parsed()) code = run_plot_command(plot_opt);
      if (view->parsed()) code = run_view_command(view_opt);
      if (uncertainty->parsed()) {
        unc_opt.progress = !unc_opt.json && ::isatty(STDERR_FILENO);
        code = run_uncertainty_command(unc_opt, stdout);
      }
    }
  } catch (const Error& e) {
    code = report(e, *mpi);
    if (!mpi->initialised()) {
      // Everything this process wrote is closed or journaled. Skip the libraries' exit handlers:
      // after a failed write (full disk) HDF5's would close that file again and crash.
      std::fflush(nullptr);
      std::_Exit(code);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainscape: internal error: %s\n", errors::one_line(e.what()).c_str());
    code = static_cast<int>(ExitCode::Internal);
  }
  return code;
}
