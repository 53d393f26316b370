// trainscape: the command-line tool. Thin: parse, load, run, report; one exit path.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sstream>

#include "dimension_command.hpp"
#include "mpi_support.hpp"
#include "observers.hpp"
#include "trainscape/bench.hpp"
#include "trainscape/dimension/estimators.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/io/tile_journal.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/version.hpp"
#include "trainscape/zoom.hpp"

namespace fs = std::filesystem;
using namespace trainscape;

namespace {

/// Error messages are one line, even when a path or a library's text holds a line break.
std::string one_line(std::string text) {
  for (std::size_t i = 0; (i = text.find_first_of("\n\r", i)) != std::string::npos;) {
    text.replace(i, 1, text[i] == '\n' ? "\\n" : "\\r");
  }
  return text;
}

/// The signal that asked us to stop (0 = none). Written by the handler, read at tile boundaries.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need a lock-free atomic");

/// The same request as a flag the engines poll every training step, so that a stop does not wait
/// for a tile that may take minutes to finish (the abandoned tiles are recomputed on --resume).
std::atomic<bool> g_cancel{false};
static_assert(std::atomic<bool>::is_always_lock_free, "signal handlers need a lock-free atomic");

extern "C" void request_stop(int signal_number) {
  g_stop_signal.store(signal_number);
  g_cancel.store(true);
}

struct ZoomOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;
  int threads = -1;  ///< -1: keep the config's value
  std::string engine = "batched";
  bool overwrite = false;
  bool resume = false;
  std::string shard;  ///< "I/N", or empty
  bool quiet = false;
  bool silent = false;  ///< with quiet: not even the dimension (sweep prints its own table)
};

/// The journal of a run directory's own run (shards keep theirs under shards/).
std::string journal_dir(const std::string& run_dir) { return run_dir + "/journal"; }

std::string shard_dir(const std::string& run_dir, int index, int count) {
  return run_dir + "/shards/shard-" + std::to_string(index) + "-of-" + std::to_string(count);
}

/// The command that resumes this run, for messages.
std::string resume_command(const ZoomOptions& opt) {
  std::string cmd = "trainscape zoom " + opt.config_path;
  for (const auto& o : opt.overrides) cmd += " --set '" + o + "'";
  if (!opt.out_dir.empty()) cmd += " --out " + opt.out_dir;
  if (!opt.shard.empty()) return cmd + " --shard " + opt.shard;
  return cmd + " --resume";
}

/// Whether `p` (an entry of a run directory) is one of a run's outputs. A journal counts once it
/// has its config.yaml, which is written before anything else: without it, it holds nothing.
bool is_run_output(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name == "journal") return io::TileJournal::exists(p.string());
  return name == "run.h5" || (name.rfind("frame_", 0) == 0 && p.extension() == ".png");
}

/// Prepares the run directory without destroying anything unless --overwrite was given.
void prepare_output_dir(const std::string& dir, bool overwrite) {
  std::error_code ec;
  const fs::path path(dir);
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec)) throw IoError(dir + ": exists and is not a directory");
    std::vector<fs::path> previous;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (is_run_output(entry.path())) previous.push_back(entry.path());
    }
    if (ec) throw IoError(dir + ": cannot list: " + ec.message());
    std::sort(previous.begin(), previous.end());
    if (!previous.empty()) {
      if (!overwrite) {
        throw IoError(dir + ": already holds a run (" + previous.front().filename().string() +
                      "); pass --resume to continue it, --overwrite to replace it, or choose another --out");
      }
      for (const auto& p : previous) {
        fs::remove_all(p, ec);
        if (ec) throw IoError(p.string() + ": cannot remove: " + ec.message());
      }
    }
  } else {
    fs::create_directories(path, ec);
    if (ec) throw IoError(dir + ": cannot create the run directory: " + ec.message());
  }
  // Fail now, not after the first frame, if we cannot write here.
  if (::access(dir.c_str(), W_OK) != 0) throw IoError(dir + ": the run directory is not writable");
}

/// Removes leftovers of writes a kill interrupted (files named *.tmp or *.tmp.*): they were never
/// finished, and their finished versions are either in place or will be rewritten.
void remove_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && (name.size() > 4 && (name.compare(name.size() - 4, 4, ".tmp") == 0 ||
                                                          name.find(".tmp.") != std::string::npos))) {
      fs::remove(entry.path(), ec);
    }
  }
}

/// Refuses to continue a run whose stored config (`stored_yaml`, kept at `where`) describes a
/// different computation, naming the first scientific key that differs. With `more_frames_ok`,
/// a larger zoom.frames is the one difference allowed: the run is extended (earlier frames do not
/// depend on how many follow).
void check_continuation(const std::string& stored_yaml, const RunConfig& config, const std::string& where,
                        const std::string& what, bool more_frames_ok) {
  RunConfig compared = config;
  if (more_frames_ok) {
    const RunConfig stored = load_config(stored_yaml, where);
    if (config.zoom.frames > stored.zoom.frames) compared.zoom.frames = stored.zoom.frames;
  }
  std::string stored_value, new_value;
  const std::string key = io::first_scientific_difference(stored_yaml, to_yaml(compared), stored_value, new_value);
  if (!key.empty()) {
    throw ConfigError(what + ": " + key + " = " + new_value + " but the run in " + where + " has " + key + " = " +
                      stored_value + "; only runtime.* and output.* may change when continuing a run" +
                      (more_frames_ok ? " (and zoom.frames may grow)" : ""));
  }
}

void check_same_science(const RunConfig& config, const io::TileJournal& journal, const std::string& what) {
  check_continuation(journal.stored_config(), config, journal.dir() + "/config.yaml", what, false);
}

/// Refuses a resolution whose frames would not fit in this machine's memory, before allocating.
/// `source` names where the config came from (the file, to which --set overrides apply).
void check_memory(const RunConfig& config, const std::string& source) {
  const double available = io::physical_memory_bytes();
  if (available <= 0) return;  // unknown: let the allocation decide
  const auto& r = config.render.resolution;
  const double needed = static_cast<double>(zoom_memory_bytes(r.cols, r.rows));
  if (needed > 0.8 * available) {
    char msg[256];
    std::snprintf(msg, sizeof msg,
                  ": render.resolution = [%d, %d] needs about %.1f GiB of memory, more than 80%% of this "
                  "machine's %.1f GiB; lower the resolution",
                  r.cols, r.rows, needed / 1073741824.0, available / 1073741824.0);
    throw ConfigError(source + msg);
  }
}

/// Makes sure run.h5's bytes are on disk before the journal that could rebuild it is removed.
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    throw IoError(path + ": cannot sync to disk: " + std::strerror(e));
  }
  ::close(fd);
}

/// Turns the driver's Interrupted into the message and exit code of the signal that caused it.
[[noreturn]] void rethrow_interrupted(const Interrupted& e, const ZoomOptions& opt, const std::string& kept) {
  const int sig = g_stop_signal.load();
  throw Interrupted(std::string(e.what()) + " (" + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "); " + kept +
                        "; continue with: " + resume_command(opt),
                    sig == SIGTERM ? 143 : 130);
}

/// Parses --shard I/N.
void parse_shard(const std::string& text, int& index, int& count) {
  const std::size_t slash = text.find('/');
  bool ok = slash != std::string::npos;
  if (ok) {
    try {
      std::size_t used_i = 0, used_n = 0;
      index = std::stoi(text.substr(0, slash), &used_i);
      count = std::stoi(text.substr(slash + 1), &used_n);
      ok = used_i == slash && used_n == text.size() - slash - 1 && count >= 1 && index >= 0 && index < count &&
           count <= 1000000;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) throw UsageError("--shard " + text + ": expected I/N with 0 <= I < N, e.g. --shard 0/4");
}

/// `zoom --shard I/N`: this shard's tiles of every frame into <dir>/shards/shard-I-of-N, skipping
/// the ones an earlier attempt of the same shard finished.
int run_shard(const ZoomOptions& opt, const RunConfig& config, const Engine& engine) {
  int index = 0, count = 1;
  parse_shard(opt.shard, index, count);
  planned_windows(config, "--shard");  // refuses target: auto before anything is written
  io::TileJournal journal(shard_dir(config.output.dir, index, count));
  if (io::TileJournal::exists(journal.dir())) {
    check_same_science(config, journal, "--shard " + opt.shard);
    journal.set_frame_size(config);
    journal.verify();
  } else {
    journal.write_config(config);
  }
  const Problem problem = make_problem(config);
  ShardDistributor shard(index, count);
  app::ProgressDisplay progress(!opt.quiet && ::isatty(STDERR_FILENO), g_stop_signal);
  struct Count final : ZoomObserver {
    std::int64_t computed = 0, restored = 0, frames = 0;
    bool on_tile_done(const TileProgress&) override { return ++computed, true; }
    void on_share_done(int, const Window&, const std::vector<TileResult>& tiles) override {
      ++frames;
      restored += static_cast<std::int64_t>(tiles.size());
    }
  } counter;
  ObserverList observers;
  observers.add(journal);
  observers.add(progress);
  observers.add(counter);
  ZoomPlan plan;
  plan.distributor = &shard;
  plan.archive = &journal;
  plan.cancel = &g_cancel;
  try {
    run_zoom(config, problem, engine, observers, plan);
  } catch (const Interrupted& e) {
    rethrow_interrupted(e, opt, "its finished tiles are in " + journal.dir());
  }
  if (!opt.quiet) {
    std::printf("shard %d/%d: %lld tiles over %lld frames in %s (%lld computed now, %lld from an earlier attempt)\n",
                index, count, static_cast<long long>(counter.restored), static_cast<long long>(counter.frames),
                journal.dir().c_str(), static_cast<long long>(counter.computed),
                static_cast<long long>(counter.restored - counter.computed));
  }
  for (const auto& f : journal.set_aside()) std::fprintf(stderr, "trainscape: warning: %s was corrupt; recomputed its tile\n", f.c_str());
  return 0;
}

/// Gets the run directory ready for a run of `config`: a fresh one (refusing to clobber a run
/// without --overwrite), or the continuation of the journaled one with --resume (checked to be the
/// same computation, its files verified). Returns true if there is nothing to do (--resume of a
/// finished run). Writes nothing if it throws.
bool prepare_run(const ZoomOptions& opt, const RunConfig& config, io::TileJournal& journal) {
  const std::string& dir = config.output.dir;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(journal.dir(), ec)) && !fs::is_directory(journal.dir(), ec)) {
    throw IoError(journal.dir() + ": exists and is not a journal directory; move it away");
  }
  if (opt.resume && io::TileJournal::exists(journal.dir())) {
    check_continuation(journal.stored_config(), config, journal.dir() + "/config.yaml", "--resume", true);
    journal.set_frame_size(config);
    journal.verify();
    journal.write_config(config);  // it may now have more frames
    remove_temporaries(dir);
  } else if (opt.resume && fs::exists(dir + "/run.h5")) {
    // No journal: the run finished (its journal is removed last), or it predates journals.
    const io::StoredRun stored = io::read_run(dir + "/run.h5");
    check_continuation(stored.config_yaml, config, dir + "/run.h5", "--resume", true);
    const bool finished = std::isfinite(stored.dimension) &&
                          stored.frames_completed == static_cast<long long>(stored.frames.size());
    if (!finished) {
      throw IoError(dir + ": run.h5 is unfinished and there is no journal to resume it from; pass --overwrite "
                          "to start again");
    }
    if (stored.frames_completed >= config.zoom.frames) {
      std::fprintf(stderr, "trainscape: %s holds a finished run (%lld frames); nothing to resume\n", dir.c_str(),
                   stored.frames_completed);
      if (opt.quiet && !opt.silent) std::printf("%.17g\n", stored.dimension);
      return true;
    }
    // Extending a finished run: its frames become the journal the run continues from (and are
    // checked against the windows this config gives them, like any journal).
    journal.remove();
    journal.set_frame_size(config);
    for (const FrameResult& frame : stored.frames) journal.on_frame_done(frame);
    journal.write_config(config);  // last: until it exists, the journal holds nothing
    remove_temporaries(dir);
  } else {
    // A fresh run (--resume with nothing to resume starts one too, so job scripts can always
    // pass it).
    prepare_output_dir(dir, opt.overwrite);
    journal.remove();  // a journal without its config.yaml (killed while starting) holds nothing
    journal.write_config(config);
  }
  return false;
}

/// Tiles computed by each rank, summed over the frames of an MPI run (root only), for the
/// load-balance line at the end.
class RankBalance final : public ZoomObserver {
 public:
  explicit RankBalance(const app::MpiTileDistributor& d) : distributor_(d) {}
  void on_frame_done(const FrameResult& /*frame*/) override {
    const std::vector<int> last = distributor_.tiles_per_rank();
    if (totals_.size() < last.size()) totals_.resize(last.size(), 0);
    for (std::size_t r = 0; r < last.size(); ++r) totals_[r] += last[r];
  }
  std::string text() const {
    std::string t;
    for (std::size_t r = 0; r < totals_.size(); ++r) t += (r ? ", " : "") + std::to_string(totals_[r]);
    return t;
  }

 private:
  const app::MpiTileDistributor& distributor_;
  std::vector<long long> totals_;
};

/// `mpirun -n R trainscape zoom CONFIG`: every rank computes tiles as it draws them, rank 0
/// prepares the run directory, assembles, analyses and writes. The journal (tile files written
/// by the rank that computed them, so the run directory must be on a file system all ranks see)
/// makes --resume work exactly as for one process.
int run_zoom_mpi(const ZoomOptions& opt, const RunConfig& config, const Engine& engine, app::MpiSession& mpi) {
  const bool root = mpi.rank() == 0;
  const std::string& dir = config.output.dir;
  io::TileJournal journal(journal_dir(dir));

  // Setup: the root prepares the directory; every rank learns whether that worked, so that a
  // failure ends all ranks with the root's one-line message and exit code.
  int code = 0;
  bool nothing_to_do = false;
  std::exception_ptr setup_failure;
  if (root) {
    try {
      nothing_to_do = prepare_run(opt, config, journal);
    } catch (const Error& e) {
      code = e.exit_code();
      setup_failure = std::current_exception();
    }
  }
  code = mpi.broadcast_int(nothing_to_do ? -1 : code);  // only the root did the setup
  if (code == -1) return 0;
  if (code != 0) {
    if (setup_failure) std::rethrow_exception(setup_failure);
    return code;
  }
  journal.set_frame_size(config);
  const Problem problem = make_problem(config);
  std::unique_ptr<app::MpiTileDistributor> distributor = app::make_mpi_distributor(mpi);

  try {
    ZoomPlan plan;
    plan.distributor = distributor.get();
    plan.archive = &journal;
    plan.cancel = &g_cancel;
    // Every rank journals its own tiles and notices stop requests; only the root writes results.
    app::ProgressDisplay progress(root && !opt.quiet && ::isatty(STDERR_FILENO), g_stop_signal);
    ObserverList observers;
    observers.add(journal);
    observers.add(progress);
    std::unique_ptr<io::Hdf5RunStore> store;
    std::unique_ptr<app::PngFrameWriter> png;
    std::unique_ptr<app::SummaryPrinter> summary;
    RankBalance balance(*distributor);
    if (root) {
      store = std::make_unique<io::Hdf5RunStore>(dir + "/run.h5");
      png = std::make_unique<app::PngFrameWriter>(dir);
      summary = std::make_unique<app::SummaryPrinter>(stdout);
      observers.add(*store);
      observers.add(*png);
      observers.add(balance);
      if (!opt.quiet) observers.add(*summary);
    }
    const ZoomSummary result = run_zoom(config, problem, engine, observers, plan);
    if (root) {
      store->close();
      sync_file(dir + "/run.h5");
      journal.remove();
      if (opt.quiet) {
        if (!opt.silent) std::printf("%.17g\n", result.dimension);
      } else {
        std::printf("%d MPI ranks x %d threads; tiles computed per rank: %s\n", mpi.size(),
                    resolve_thread_count(config.runtime.threads), balance.text().c_str());
      }
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    // One rank failing alone would leave the others waiting in the next collective step.
    std::string message = e.what();
    if (dynamic_cast<const Interrupted*>(&e) != nullptr) {
      const int sig = g_stop_signal.load();
      message += std::string(" (") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "); the finished frames and tiles are in " +
                 dir + "; continue with: mpirun ... " + resume_command(opt);
    }
    std::fprintf(stderr, "trainscape: error: rank %d: %s\n", mpi.rank(), message.c_str());
    std::fflush(stderr);
    mpi.abort(e.exit_code());
  }
  return 0;
}

int run_zoom_command(const ZoomOptions& opt, app::MpiSession& mpi) {
  RunConfig config = io::load_config_file(opt.config_path, opt.overrides);
  if (!opt.out_dir.empty()) config.output.dir = opt.out_dir;
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  check_memory(config, opt.config_path);
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  if (!opt.shard.empty()) {
    if (mpi.active()) throw UsageError("--shard: shards are separate processes; do not start them with mpirun");
    return run_shard(opt, config, *engine);
  }
  if (mpi.active()) return run_zoom_mpi(opt, config, *engine, mpi);

  const std::string& dir = config.output.dir;
  io::TileJournal journal(journal_dir(dir));
  if (prepare_run(opt, config, journal)) return 0;
  const Problem problem = make_problem(config);

  // run.h5 is rewritten from the journal on every start; see tile_journal.hpp.
  io::Hdf5RunStore store(dir + "/run.h5");
  app::PngFrameWriter png(dir);
  app::ProgressDisplay progress(!opt.quiet && ::isatty(STDERR_FILENO), g_stop_signal);
  app::SummaryPrinter summary(stdout);
  ObserverList observers;
  observers.add(journal);
  observers.add(store);
  observers.add(png);
  observers.add(progress);
  if (!opt.quiet) observers.add(summary);

  ZoomPlan plan;
  plan.archive = &journal;
  plan.cancel = &g_cancel;
  ZoomSummary result;
  try {
    result = run_zoom(config, problem, *engine, observers, plan);
  } catch (const Interrupted& e) {
    rethrow_interrupted(e, opt, "the finished frames and tiles are in " + dir);
  }
  store.close();
  sync_file(dir + "/run.h5");
  journal.remove();
  for (const auto& f : journal.set_aside()) std::fprintf(stderr, "trainscape: warning: %s was corrupt; recomputed its tile\n", f.c_str());
  if (opt.quiet && !opt.silent) std::printf("%.17g\n", result.dimension);
  return 0;
}

struct SweepOptions {
  std::vector<std::string> paths;
  std::vector<std::string> overrides;
  std::string out_root;
  int threads = -1;
  std::string engine = "batched";
  int task = -1;  ///< -1: every config
  bool summary_only = false;
  bool count_only = false;
  bool quiet = false;
};

/// The sweep's configs, in a fixed order: each path is a config file, a directory (its *.yaml and
/// *.yml files, sorted by name) or a list (*.txt: one config path per line, relative to the list;
/// blank lines and # comments skipped).
std::vector<std::string> sweep_configs(const std::vector<std::string>& paths) {
  std::vector<std::string> configs;
  auto is_yaml = [](const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; };
  std::error_code ec;
  for (const std::string& path : paths) {
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(path, ec)) {
        if (e.is_regular_file(ec) && is_yaml(e.path())) found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) throw IoError(path + ": no *.yaml or *.yml config in this directory");
      configs.insert(configs.end(), found.begin(), found.end());
    } else if (fs::path(path).extension() == ".txt") {
      std::istringstream lines(io::read_text_file(path));
      int number = 0;
      for (std::string line; std::getline(lines, line);) {
        ++number;
        line.erase(0, line.find_first_not_of(" \t"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (line.empty() || line[0] == '#') continue;
        const fs::path p = fs::path(line).is_absolute() ? fs::path(line) : fs::path(path).parent_path() / line;
        if (!fs::is_regular_file(p, ec)) {
          throw IoError(path + ":" + std::to_string(number) + ": " + line + ": no such config file");
        }
        configs.push_back(p.lexically_normal().string());
      }
    } else if (fs::is_regular_file(path, ec)) {
      configs.push_back(path);
    } else {
      throw IoError(path + ": no such config, directory or list");
    }
  }
  if (configs.empty()) throw IoError("sweep: no configs given");
  return configs;
}

/// Where config `path` of the sweep writes: its output.dir, or <out-root>/<file stem>.
std::string sweep_run_dir(const SweepOptions& opt, const std::string& path, const RunConfig& config) {
  return opt.out_root.empty() ? config.output.dir : opt.out_root + "/" + fs::path(path).stem().string();
}

/// One row of the sweep's table, from what the run directory holds now.
std::string sweep_row(const std::string& path, const std::string& dir, const RunConfig& config) {
  char line[512];
  const std::string h5 = dir + "/run.h5";
  std::string state, dims = "-";
  std::error_code ec;
  if (!fs::exists(h5, ec)) {
    state = io::TileJournal::exists(journal_dir(dir)) ? "interrupted" : "not run";
  } else {
    try {
      const io::StoredRun run = io::read_run(h5);
      const bool finished = run.frames_completed >= config.zoom.frames && std::isfinite(run.dimension) &&
                            !io::TileJournal::exists(journal_dir(dir));
      state = (finished ? "done " : "partial ") + std::to_string(run.frames_completed) + "/" +
              std::to_string(config.zoom.frames);
      const io::StoredDimensions d = io::read_run_dimensions(h5);
      char buf[256];
      std::snprintf(buf, sizeof buf, "%.4f | %s | %s", run.dimension, d.present ? format_estimate(d.sequence.boxcount_fit).c_str() : "-",
                    d.present ? format_estimate(d.sequence.pair).c_str() : "-");
      dims = buf;
    } catch (const Error& e) {
      state = "unreadable";
    }
  }
  if (dims == "-") dims = "- | - | -";
  std::snprintf(line, sizeof line, "| %s | %s | %s | %s |", path.c_str(), dir.c_str(), state.c_str(), dims.c_str());
  return line;
}

/// `sweep PATH...`: one zoom per config (resuming where a run stopped, skipping finished ones),
/// or only config --task I (a Slurm array task), then a table of every run's dimensions.
int run_sweep_command(const SweepOptions& opt, app::MpiSession& mpi) {
  const std::vector<std::string> configs = sweep_configs(opt.paths);
  if (opt.count_only) {
    std::printf("%zu\n", configs.size());
    return 0;
  }
  if (opt.task >= static_cast<int>(configs.size())) {
    throw UsageError("--task " + std::to_string(opt.task) + ": the sweep has " + std::to_string(configs.size()) +
                     " configs (tasks 0.." + std::to_string(configs.size() - 1) + ")");
  }
  // Load every config first: a typo in the last one should not surface hours later, and two
  // configs writing into one directory would overwrite each other.
  std::vector<RunConfig> loaded;
  std::map<std::string, std::string> dir_owner;
  for (const std::string& path : configs) {
    RunConfig c = io::load_config_file(path, opt.overrides);
    const std::string dir = sweep_run_dir(opt, path, c);
    const std::string key = fs::weakly_canonical(dir).string();
    if (dir_owner.count(key)) {
      throw ConfigError(path + ": output.dir = " + dir + " is also the run directory of " + dir_owner[key] +
                        "; give each config its own output.dir, or use --out-root");
    }
    dir_owner[key] = path;
    loaded.push_back(c);
  }

  int worst = 0;
  if (!opt.summary_only) {
    for (std::size_t i = 0; i < configs.size(); ++i) {
      if (opt.task >= 0 && static_cast<std::size_t>(opt.task) != i) continue;
      ZoomOptions zo;
      zo.config_path = configs[i];
      zo.overrides = opt.overrides;
      zo.out_dir = sweep_run_dir(opt, configs[i], loaded[i]);
      zo.threads = opt.threads;
      zo.engine = opt.engine;
      zo.resume = true;  // a rerun of the sweep continues it
      zo.quiet = true;
      zo.silent = true;
      if (!opt.quiet) std::fprintf(stderr, "trainscape sweep: [%zu/%zu] %s -> %s\n", i + 1, configs.size(), configs[i].c_str(), zo.out_dir.c_str());
      try {
        std::fflush(stdout);
        run_zoom_command(zo, mpi);
      } catch (const Interrupted&) {
        throw;  // the user asked to stop the whole sweep
      } catch (const Error& e) {
        // One bad config must not cost the others; the table and the exit code show it.
        std::fprintf(stderr, "trainscape: error: %s: %s\n", configs[i].c_str(), e.what());
        worst = std::max(worst, e.exit_code());
      }
    }
  }
  if ((opt.task < 0 || opt.summary_only) && (!mpi.active() || mpi.rank() == 0)) {
    std::printf("| config | run directory | state | dimension (porespy median) | box-count fit [95%%] | pair [95%%] |\n");
    std::printf("| --- | --- | --- | --- | --- | --- |\n");
    for (std::size_t i = 0; i < configs.size(); ++i) {
      std::printf("%s\n", sweep_row(configs[i], sweep_run_dir(opt, configs[i], loaded[i]), loaded[i]).c_str());
    }
  }
  return worst;
}

struct MergeOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;
  bool quiet = false;
};

/// Hands out nothing: merging computes no tile. A frame with a tile that no shard holds is
/// refused before anything is written (merge checks all frames first), so this only guards.
class NothingToCompute final : public TileDistributor {
 public:
  void begin_frame(int frame, const std::vector<bool>& already_done) override {
    if (std::find(already_done.begin(), already_done.end(), false) != already_done.end()) {
      throw IoError("merge: frame " + std::to_string(frame) + " is incomplete");
    }
  }
  int next_tile() override { return -1; }
};

/// The tiles of several shard journals as one archive.
class ShardSet final : public TileArchive {
 public:
  explicit ShardSet(std::vector<std::unique_ptr<io::TileJournal>> shards) : shards_(std::move(shards)) {}
  void restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
               std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged) override {
    for (auto& shard : shards_) {
      std::vector<bool> part(tiles.size(), false);
      shard->restore(frame, window, tiles, load_values, part, measure, converged);
      for (std::size_t t = 0; t < tiles.size(); ++t) done[t] = done[t] || part[t];
    }
  }

 private:
  std::vector<std::unique_ptr<io::TileJournal>> shards_;
};

/// `merge CONFIG`: assembles <dir>/shards/shard-I-of-N into run.h5 and the PNGs, exactly as a
/// single-process run would have written them.
int run_merge_command(const MergeOptions& opt) {
  RunConfig config = io::load_config_file(opt.config_path, opt.overrides);
  if (!opt.out_dir.empty()) config.output.dir = opt.out_dir;
  const std::string& dir = config.output.dir;
  const std::vector<Window> windows = planned_windows(config, "merge");
  check_memory(config, opt.config_path);

  // Which shards are there?
  const std::string shards_root = dir + "/shards";
  std::map<int, std::vector<int>> by_count;  // N -> the I found
  std::error_code ec;
  if (!fs::is_directory(shards_root, ec)) {
    throw IoError(shards_root + ": no shards to merge (run trainscape zoom " + opt.config_path + " --shard I/N first)");
  }
  for (const auto& e : fs::directory_iterator(shards_root, ec)) {
    int i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(e.path().filename().c_str(), "shard-%d-of-%d%c", &i, &n, &tail) == 2 && n >= 1 && i >= 0 &&
        i < n && e.path().filename() == fs::path(shard_dir(dir, i, n)).filename()) {
      by_count[n].push_back(i);
    }
  }
  if (by_count.empty()) throw IoError(shards_root + ": no shard-I-of-N directories to merge");
  if (by_count.size() > 1) {
    std::string names;
    for (const auto& [n, is] : by_count) names += (names.empty() ? "" : ", ") + std::string("shard-") +
                                                  std::to_string(is.front()) + "-of-" + std::to_string(n);
    throw IoError(shards_root + ": holds shards of different shard counts (" + names +
                  "); remove the stale set and merge again");
  }
  const int count = by_count.begin()->first;
  std::vector<int> present = by_count.begin()->second;
  std::sort(present.begin(), present.end());
  std::string missing;
  for (int i = 0; i < count; ++i) {
    if (!std::binary_search(present.begin(), present.end(), i)) {
      missing += (missing.empty() ? "" : ", ") + fs::path(shard_dir(dir, i, count)).filename().string();
    }
  }
  if (!missing.empty()) {
    throw IoError(shards_root + ": missing " + missing + " of " + std::to_string(count) +
                  " shards (run trainscape zoom " + opt.config_path + " --shard I/" + std::to_string(count) + ")");
  }
  std::vector<std::unique_ptr<io::TileJournal>> journals;
  for (int i = 0; i < count; ++i) {
    auto j = std::make_unique<io::TileJournal>(shard_dir(dir, i, count));
    if (!io::TileJournal::exists(j->dir())) throw IoError(j->dir() + ": not a shard (no config.yaml)");
    check_same_science(config, *j, "merge");
    journals.push_back(std::move(j));
  }
  ShardSet shards(std::move(journals));

  // Every tile of every frame must be there before anything is written.
  const int cols = config.render.resolution.cols, rows = config.render.resolution.rows;
  const std::vector<Tile> tiles = make_tiles(cols, rows, resolve_tile_side(config.runtime.tile, cols, rows));
  for (int k = 0; k < config.zoom.frames; ++k) {
    std::vector<bool> done(tiles.size(), false);
    Image<double> m(rows, cols);
    Image<std::uint8_t> c(rows, cols);
    shards.restore(k, windows[static_cast<std::size_t>(k)], tiles, false, done, m, c);
    std::map<int, int> missing_by_shard;
    for (std::size_t t = 0; t < tiles.size(); ++t) {
      if (!done[t]) ++missing_by_shard[static_cast<int>(t) % count];
    }
    if (!missing_by_shard.empty()) {
      std::string names;
      for (const auto& [i, n] : missing_by_shard) {
        names += (names.empty() ? "" : ", ") + fs::path(shard_dir(dir, i, count)).filename().string() + " (" +
                 std::to_string(n) + " tiles)";
      }
      throw IoError(shards_root + ": frame " + std::to_string(k) + " is incomplete: " + names +
                    " unfinished; rerun those shards, then merge again");
    }
  }

  const Problem problem = make_problem(config);
  const auto engine = make_engine("reference");  // never trains: every tile comes from the shards
  const std::string tmp = dir + "/run.h5.merge.tmp";
  ZoomSummary result;
  {
    io::Hdf5RunStore store(tmp);
    app::PngFrameWriter png(dir);
    app::SummaryPrinter summary(stdout);
    ObserverList observers;
    observers.add(store);
    observers.add(png);
    if (!opt.quiet) observers.add(summary);
    NothingToCompute nothing;
    ZoomPlan plan;
    plan.distributor = &nothing;
    plan.archive = &shards;
    try {
      result = run_zoom(config, problem, *engine, observers, plan);
      store.close();
      sync_file(tmp);
    } catch (...) {
      fs::remove(tmp, ec);
      throw;
    }
  }
  if (std::rename(tmp.c_str(), (dir + "/run.h5").c_str()) != 0) {
    const int e = errno;
    fs::remove(tmp, ec);
    throw IoError(dir + "/run.h5: cannot move the merged file into place: " + std::strerror(e));
  }
  if (opt.quiet) std::printf("%.17g\n", result.dimension);
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
  // The benchmark holds every pixel's outcome and hyperparameters plus an engine batch; about
  // 32 bytes per pixel were measured at --pixels 2^28 (8.6 GB).
  const double available = io::physical_memory_bytes();
  if (available > 0 && 32.0 * opt.pixels > 0.8 * available) {
    throw UsageError("--pixels " + std::to_string(opt.pixels) + " needs about " +
                     std::to_string(static_cast<long long>(32.0 * opt.pixels / 1073741824.0)) +
                     " GiB of memory, more than 80% of this machine's; use fewer pixels");
  }
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
  trainscape zoom configs/paper_tanh.yaml --resume
  trainscape zoom configs/paper/tanh_full.yaml --shard 3/16    (then: trainscape merge ...)
  trainscape sweep configs/paper --out-root runs/paper        (one zoom per config, then a table)
  trainscape sweep configs/paper --task 3                     (one config: a Slurm array task)
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
  // First, so that an MPI launcher's arguments are consumed before ours are parsed.
  std::unique_ptr<app::MpiSession> mpi;
  try {
    mpi = std::make_unique<app::MpiSession>(argc, argv);
  } catch (const trainscape::Error& e) {
    std::fprintf(stderr, "trainscape: error: %s\n", e.what());
    return e.exit_code();
  }
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
  // An empty --out or --shard would silently mean "not given".
  const CLI::Validator non_empty(
      [](std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); }, "NON-EMPTY");
  zoom->add_option("--out", zoom_opt.out_dir, "Run directory (overrides output.dir)")->check(non_empty);
  zoom->add_option("--threads", zoom_opt.threads, "Worker threads, 0 = all cores (overrides runtime.threads)")
      ->check(CLI::Range(0, 1024));
  zoom->add_option("--engine", zoom_opt.engine, "Training engine: batched (default, fast) | reference (the oracle)");
  CLI::Option* overwrite_flag =
      zoom->add_flag("--overwrite", zoom_opt.overwrite, "Replace an existing run in the run directory");
  CLI::Option* resume_flag = zoom->add_flag(
      "--resume", zoom_opt.resume,
      "Continue the interrupted run in the run directory: finished frames and tiles are kept (starts afresh "
      "if there is none)");
  resume_flag->excludes(overwrite_flag);
  zoom->add_option("--shard", zoom_opt.shard,
                   "Compute only shard I of N of every frame's tiles into <run dir>/shards/ (for job arrays; "
                   "needs a fixed zoom.target; combine with trainscape merge)")
      ->type_name("I/N")
      ->check(non_empty)
      ->excludes(overwrite_flag)
      ->excludes(resume_flag);
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

  MergeOptions merge_opt;
  CLI::App* merge = app.add_subcommand(
      "merge", "Combine the shards in <run dir>/shards/ into run.h5 and PNGs identical to a single-process run");
  merge->add_option("CONFIG", merge_opt.config_path, "The YAML config the shards were run with")->required();
  merge->add_option("--set", merge_opt.overrides, "Override a config key, as given to the shards (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
  merge->add_option("--out", merge_opt.out_dir, "Run directory (overrides output.dir)")->check(non_empty);
  merge->add_flag("-q,--quiet", merge_opt.quiet, "No summary; print only the sequence dimension");

  SweepOptions sweep_opt;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a zoom for each of many configs (resuming unfinished ones), then tabulate their dimensions");
  sweep->add_option("PATHS", sweep_opt.paths, "Config files, directories of *.yaml, or *.txt lists of configs")
      ->required();
  sweep->add_option("--task", sweep_opt.task, "Run only config I (0-based, in the sweep's order; e.g. $SLURM_ARRAY_TASK_ID)")
      ->check(CLI::Range(0, 100000000));
  sweep->add_flag("--summary", sweep_opt.summary_only, "Compute nothing; print the table of what the run directories hold");
  sweep->add_flag("--count", sweep_opt.count_only, "Print the number of configs (the size of a job array) and exit");
  sweep->add_option("--out-root", sweep_opt.out_root, "Write config NAME.yaml's run into DIR/NAME instead of its output.dir")
      ->check(non_empty);
  sweep->add_option("--set", sweep_opt.overrides, "Override a key in every config (repeatable)")->type_name("SECTION.KEY=VALUE");
  sweep->add_option("--threads", sweep_opt.threads, "Worker threads, 0 = all cores")->check(CLI::Range(0, 1024));
  sweep->add_option("--engine", sweep_opt.engine, "Training engine: batched (default) | reference");
  sweep->add_flag("-q,--quiet", sweep_opt.quiet, "No per-config progress lines on stderr");

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
    if (zoom->parsed()) return run_zoom_command(zoom_opt, *mpi);
    if (sweep->parsed()) return run_sweep_command(sweep_opt, *mpi);
    if (mpi->active() && mpi->rank() != 0) return 0;  // the other commands run on one process
    if (mpi->active()) std::fprintf(stderr, "trainscape: note: only zoom uses MPI ranks; running on rank 0 alone\n");
    if (merge->parsed()) return run_merge_command(merge_opt);
    if (bench->parsed()) return run_bench_command(bench_opt);
    if (keys->parsed()) {
      print_config_reference();
      return 0;
    }
    if (dimension->parsed()) return app::run_dimension_command(dim_opt, stdout);
    if (uncertainty->parsed()) {
      unc_opt.progress = !unc_opt.json && ::isatty(STDERR_FILENO);
      unc_opt.stop = &g_stop_signal;
      std::signal(SIGINT, request_stop);
      std::signal(SIGTERM, request_stop);
      return app::run_uncertainty_command(unc_opt, stdout);
    }
    return static_cast<int>(ExitCode::Usage);
  } catch (const trainscape::Error& e) {
    // Under MPI, a config or usage error happens alike on every rank: rank 0 reports it.
    const bool everywhere = dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const UsageError*>(&e);
    if (!(mpi->active() && mpi->rank() != 0 && everywhere)) std::fprintf(stderr, "trainscape: error: %s\n", one_line(e.what()).c_str());
    if (!mpi->initialised()) {
      // Everything this process wrote is closed or journaled. Skip the libraries' exit handlers:
      // after a failed write (full disk) HDF5's would close that file again and crash.
      std::fflush(nullptr);
      std::_Exit(e.exit_code());
    }
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainscape: internal error: %s\n", one_line(e.what()).c_str());
    return static_cast<int>(ExitCode::Internal);
  }
}
