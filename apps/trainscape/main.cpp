// trainscape: the command-line tool. Thin: parse, load, run, report; one exit path.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "dimension_command.hpp"
#include "observers.hpp"
#include "trainscape/bench.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/version.hpp"
#include "trainscape/zoom.hpp"

namespace fs = std::filesystem;
using namespace trainscape;

namespace {

/// The signal that asked us to stop (0 = none). Written by the handler, read at tile boundaries.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need a lock-free atomic");

extern "C" void request_stop(int signal_number) { g_stop_signal.store(signal_number); }

struct ZoomOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;
  int threads = -1;  ///< -1: keep the config's value
  std::string engine = "batched";
  bool overwrite = false;
  bool quiet = false;
};

/// Prepares the run directory without destroying anything unless --overwrite was given.
void prepare_output_dir(const std::string& dir, bool overwrite) {
  std::error_code ec;
  const fs::path path(dir);
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec)) throw IoError(dir + ": exists and is not a directory");
    std::vector<fs::path> previous;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      if (name == "run.h5" || (name.rfind("frame_", 0) == 0 && entry.path().extension() == ".png")) {
        previous.push_back(entry.path());
      }
    }
    if (ec) throw IoError(dir + ": cannot list: " + ec.message());
    if (!previous.empty()) {
      if (!overwrite) {
        throw IoError(dir + ": already holds a run (" + previous.front().filename().string() +
                      "); pass --overwrite to replace it or choose another --out");
      }
      for (const auto& p : previous) {
        if (!fs::remove(p, ec) && ec) throw IoError(p.string() + ": cannot remove: " + ec.message());
      }
    }
  } else {
    fs::create_directories(path, ec);
    if (ec) throw IoError(dir + ": cannot create the run directory: " + ec.message());
  }
  // Fail now, not after the first frame, if we cannot write here.
  if (::access(dir.c_str(), W_OK) != 0) throw IoError(dir + ": the run directory is not writable");
}

/// Refuses a resolution whose frames would not fit in this machine's memory, before allocating.
void check_memory(const RunConfig& config) {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return;  // unknown: let the allocation decide
  const double available = static_cast<double>(pages) * static_cast<double>(page_size);
  const auto& r = config.render.resolution;
  const double needed = static_cast<double>(zoom_memory_bytes(r.cols, r.rows));
  if (needed > 0.8 * available) {
    char msg[256];
    std::snprintf(msg, sizeof msg,
                  "render.resolution = [%d, %d] needs about %.1f GiB of memory, more than 80%% of this "
                  "machine's %.1f GiB; lower the resolution",
                  r.cols, r.rows, needed / 1073741824.0, available / 1073741824.0);
    throw ConfigError(msg);
  }
}

int run_zoom_command(const ZoomOptions& opt) {
  RunConfig config = io::load_config_file(opt.config_path, opt.overrides);
  if (!opt.out_dir.empty()) config.output.dir = opt.out_dir;
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  check_memory(config);

  prepare_output_dir(config.output.dir, opt.overwrite);
  const Problem problem = make_problem(config);

  io::Hdf5RunStore store(config.output.dir + "/run.h5");
  app::PngFrameWriter png(config.output.dir);
  app::ProgressDisplay progress(!opt.quiet && ::isatty(STDERR_FILENO), g_stop_signal);
  app::SummaryPrinter summary(stdout);
  ObserverList observers;
  observers.add(store);
  observers.add(png);
  observers.add(progress);
  if (!opt.quiet) observers.add(summary);

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  try {
    const ZoomSummary result = run_zoom(config, problem, *engine, observers);
    if (opt.quiet) std::printf("%.17g\n", result.dimension);
  } catch (const Interrupted& e) {
    const int sig = g_stop_signal.load();
    throw Interrupted(std::string(e.what()) + " (" + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                          "); the finished frames are in " + config.output.dir,
                      sig == SIGTERM ? 143 : 130);
  }
  return 0;
}

/// The config reference as a Markdown table; the README embeds exactly this output.
void print_config_reference() {
  // A '|' inside a cell would end it in Markdown.
  auto cell = [](std::string text) {
    for (std::size_t i = 0; (i = text.find('|', i)) != std::string::npos; i += 2) text.replace(i, 1, "\\|");
    return text;
  };
  std::printf("| key | default | meaning | valid values |\n| --- | --- | --- | --- |\n");
  for (const auto& k : config_reference()) {
    std::printf("| `%s` | `%s` | %s | %s |\n", k.key.c_str(), k.default_value.c_str(), cell(k.meaning).c_str(),
                cell(k.rule).c_str());
  }
}

struct BenchOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string engine = "batched";
  int pixels = 4096;
  int steps = 0;      ///< 0: the config's training.steps
  int threads = -1;   ///< -1: the config's runtime.threads
};

/// Trains a block of pixels of the config's first window and reports the rate; the last line is
/// machine-readable (scripts/bench_vs_peers.sh parses it).
int run_bench_command(const BenchOptions& opt) {
  RunConfig config = io::load_config_file(opt.config_path, opt.overrides);
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  const BenchResult r = run_benchmark(config, *engine, opt.pixels, opt.steps, config.runtime.threads);
  std::printf("%lld pixels x %d steps in %.3f s (%.0f flops per pixel-step)\n", static_cast<long long>(r.pixels),
              r.steps, r.seconds, r.flops_per_pixel_step);
  std::printf("pixel_steps_per_s=%.6g gflops=%.4g engine=%s precision=%s threads=%d\n", r.pixel_steps_per_s, r.gflops,
              r.engine.c_str(), r.precision.c_str(), r.threads);
  return 0;
}

const char* kExamples = R"(Examples:
  trainscape zoom configs/quickstart.yaml
  trainscape zoom configs/paper_tanh.yaml --out runs/tanh --threads 2
  trainscape zoom configs/quickstart.yaml --set render.resolution=256 --set zoom.frames=4 --overwrite
  trainscape zoom configs/quickstart.yaml --set "zoom.target=[1.2, 2.5]" -q
  trainscape dimension runs/quickstart/run.h5 --json
  trainscape dimension figure.png --threshold 100
  trainscape uncertainty configs/quickstart.yaml --points 2000
  trainscape bench configs/paper_tanh.yaml --pixels 4096 --steps 200 --engine reference
  trainscape keys

Exit codes: 0 success, 1 internal error, 2 bad command line, 3 invalid config,
4 file error (unreadable input, existing run without --overwrite, unwritable output),
5 numerical refusal (e.g. no boundary to zoom into), 130/143 stopped by SIGINT/SIGTERM.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"trainscape: maps where neural-network training converges or diverges across two "
               "hyperparameters, zooms into the boundary and measures its fractal dimension."};
  app.set_version_flag("--version", std::string("trainscape ") + kVersion);
  app.footer(kExamples);
  app.require_subcommand(1);

  ZoomOptions zoom_opt;
  CLI::App* zoom = app.add_subcommand("zoom", "Render a zoom sequence: frame_NNN.png and run.h5 in the run directory");
  zoom->add_option("CONFIG", zoom_opt.config_path, "YAML config file")->required();
  zoom->add_option("--set", zoom_opt.overrides, "Override a config key, e.g. --set training.steps=500 (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
  zoom->add_option("--out", zoom_opt.out_dir, "Run directory (overrides output.dir)");
  zoom->add_option("--threads", zoom_opt.threads, "Worker threads, 0 = all cores (overrides runtime.threads)")
      ->check(CLI::Range(0, 1024));
  zoom->add_option("--engine", zoom_opt.engine, "Training engine: batched (default, fast) | reference (the oracle)");
  zoom->add_flag("--overwrite", zoom_opt.overwrite, "Replace an existing run in the run directory");
  zoom->add_flag("-q,--quiet", zoom_opt.quiet, "No progress or summary; print only the sequence dimension");

  BenchOptions bench_opt;
  CLI::App* bench = app.add_subcommand("bench", "Train P pixels of a config's window for T steps and report pixel-steps/s");
  bench->add_option("CONFIG", bench_opt.config_path, "YAML config file")->required();
  bench->add_option("--engine", bench_opt.engine, "Training engine: batched (default) | reference");
  bench->add_option("--pixels", bench_opt.pixels, "Pixels to train (default 4096)")->check(CLI::Range(1, 1 << 28));
  bench->add_option("--steps", bench_opt.steps, "Steps per pixel (default: the config's training.steps)")
      ->check(CLI::Range(1, 10000000));
  bench->add_option("--threads", bench_opt.threads, "Worker threads, 0 = all cores (overrides runtime.threads)")
      ->check(CLI::Range(0, 1024));
  bench->add_option("--set", bench_opt.overrides, "Override a config key (repeatable)")->type_name("SECTION.KEY=VALUE");

  CLI::App* keys = app.add_subcommand("keys", "Print the config reference (every key, default and rule) as a Markdown table");

  app::DimensionCommandOptions dim_opt;
  CLI::App* dimension = app.add_subcommand(
      "dimension", "Fractal dimension of a run.h5 (per frame and sequence, no training) or of an image file");
  dimension->add_option("INPUT", dim_opt.input, "run.h5 written by zoom, or an image (PNG, JPEG, BMP, ...)")->required();
  dimension->add_flag("--json", dim_opt.json, "Print one JSON object instead of the table (NaN as null)");
  dimension->add_flag("--write", dim_opt.write, "Store the results in the run.h5 under /dimension");
  dimension->add_option("--threshold", dim_opt.threshold, "Image pixels with luminance below this are the set (default 128)")
      ->check(CLI::Range(0.0, 256.0));

  app::UncertaintyCommandOptions unc_opt;
  CLI::App* uncertainty = app.add_subcommand(
      "uncertainty", "Monte-Carlo uncertainty exponent (dimension by training random point pairs) of a config's window");
  uncertainty->add_option("CONFIG", unc_opt.config_path, "YAML config file (its phase_space window is used)")->required();
  uncertainty->add_option("--points", unc_opt.points, "Base points (default 100000)")->check(CLI::Range(1LL, 1000000000LL));
  uncertainty->add_option("--set", unc_opt.overrides, "Override a config key (repeatable)")->type_name("SECTION.KEY=VALUE");
  uncertainty->add_option("--engine", unc_opt.engine, "Training engine: batched (default) | reference");
  uncertainty->add_option("--threads", unc_opt.threads, "Worker threads, 0 = all cores (overrides runtime.threads)")
      ->check(CLI::Range(0, 1024));
  uncertainty->add_option("--seed", unc_opt.seed, "Seed of the base points, directions and bootstrap (default 0)");
  uncertainty->add_flag("--json", unc_opt.json, "Print one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "trainscape: error: %s (see trainscape --help)\n", e.what());
    return static_cast<int>(ExitCode::Usage);
  }

  try {
    if (zoom->parsed()) return run_zoom_command(zoom_opt);
    if (bench->parsed()) return run_bench_command(bench_opt);
    if (keys->parsed()) {
      print_config_reference();
      return 0;
    }
    if (dimension->parsed()) return app::run_dimension_command(dim_opt, stdout);
    if (uncertainty->parsed()) {
      unc_opt.progress = !unc_opt.json && ::isatty(STDERR_FILENO);
      return app::run_uncertainty_command(unc_opt, stdout);
    }
    return static_cast<int>(ExitCode::Usage);
  } catch (const trainscape::Error& e) {
    std::fprintf(stderr, "trainscape: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainscape: internal error: %s\n", e.what());
    return static_cast<int>(ExitCode::Internal);
  }
}
