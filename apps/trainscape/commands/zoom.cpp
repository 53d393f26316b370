// `trainscape zoom CONFIG`: prepares the run directory, then runs the zoom through
// run_zoom_session with the distributor of the way it was started: alone, under MPI, or as one
// shard of a job array.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "../mpi_support.hpp"
#include "../stop_request.hpp"
#include "../zoom_session.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/perturbation.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/io/tile_journal.hpp"

namespace trainscape::app {

namespace {

/// The command that continues this run, for messages.
std::string resume_command(const ZoomOptions& opt) {
  std::string cmd = "trainscape zoom " + opt.config.path;
  for (const auto& o : opt.config.overrides) cmd += " --set '" + o + "'";
  if (!opt.out_dir.empty()) cmd += " --out " + opt.out_dir;
  if (!opt.shard.empty()) return cmd + " --shard " + opt.shard;
  return cmd + " --resume";
}

bool progress_wanted(const ZoomOptions& opt) { return !opt.quiet && ::isatty(STDERR_FILENO); }

/// `zoom --shard I/N`: this shard's tiles of every frame into <dir>/shards/shard-I-of-N, skipping
/// the ones an earlier attempt of the same shard finished.
int run_shard(const ZoomOptions& opt, const RunConfig& config, const Engine& engine) {
  int index = 0, count = 1;
  parse_shard(opt.shard, index, count);
  planned_windows(config, "--shard");  // refuses target: auto before anything is written
  const io::RunDirectory run(config.output.dir);
  io::TileJournal journal(run.shard_dir(index, count));
  if (io::TileJournal::exists(journal.dir())) {
    io::check_same_science(config, journal, "--shard " + opt.shard);
    journal.set_frame_size(config);
    journal.verify();
  } else {
    journal.write_config(config);
  }
  ShardDistributor shard(index, count);
  struct Count final : ZoomObserver {
    std::int64_t computed = 0, restored = 0, frames = 0;
    bool on_tile_done(const TileProgress&) override { return ++computed, true; }
    void on_share_done(int, const Window&, const std::vector<TileResult>& tiles) override {
      ++frames;
      restored += static_cast<std::int64_t>(tiles.size());
    }
  } counter;
  ZoomSession session;
  session.plan.distributor = &shard;
  session.plan.archive = &journal;
  session.plan.cancel = &cancel_flag();
  session.journal = &journal;
  session.write_results = false;  // merge writes them
  session.show_progress = progress_wanted(opt);
  session.extra = {&counter};
  session.kept = "its finished tiles are in " + journal.dir();
  session.resume_command = resume_command(opt);
  run_zoom_session(config, engine, session);
  if (!opt.quiet) {
    std::printf("shard %d/%d: %lld tiles over %lld frames in %s (%lld computed now, %lld from an earlier attempt)\n",
                index, count, static_cast<long long>(counter.restored), static_cast<long long>(counter.frames),
                journal.dir().c_str(), static_cast<long long>(counter.computed),
                static_cast<long long>(counter.restored - counter.computed));
  }
  return 0;
}

/// Tiles computed by each rank, summed over the frames of an MPI run (root only), for the
/// load-balance line at the end.
class RankBalance final : public ZoomObserver {
 public:
  explicit RankBalance(const MpiTileDistributor& d) : distributor_(d) {}
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
  const MpiTileDistributor& distributor_;
  std::vector<long long> totals_;
};

/// Prints what a --resume of a finished run finds.
void report_nothing_to_do(const ZoomOptions& opt, const std::string& dir, const io::StartDecision& d) {
  std::fprintf(stderr, "trainscape: %s holds a finished run (%lld frames); nothing to resume\n", dir.c_str(),
               d.frames_completed);
  if (opt.quiet && !opt.silent) std::printf("%.17g\n", d.stored_dimension);
}

/// `mpirun -n R trainscape zoom CONFIG`: every rank computes tiles as it draws them, rank 0
/// prepares the run directory, assembles, analyses and writes. The journal (tile files written
/// by the rank that computed them, so the run directory must be on a file system all ranks see)
/// makes --resume work exactly as for one process.
int run_zoom_mpi(const ZoomOptions& opt, const RunConfig& config, const Engine& engine, MpiSession& mpi) {
  const bool root = mpi.rank() == 0;
  const io::RunDirectory run(config.output.dir);
  io::TileJournal journal(run.journal_dir());

  // Setup: the root prepares the directory; every rank learns whether that worked, so that a
  // failure ends all ranks with the root's one-line message and exit code.
  int code = 0;
  std::exception_ptr setup_failure;
  if (root) {
    try {
      const io::StartDecision d = io::prepare_run(run, config, journal, opt.resume, opt.overwrite);
      if (d.start == io::RunStart::NothingToDo) {
        report_nothing_to_do(opt, run.dir(), d);
        code = -1;
      }
    } catch (const Error& e) {
      code = e.exit_code();
      setup_failure = std::current_exception();
    }
  }
  code = mpi.broadcast_int(code);  // only the root did the setup
  if (code == -1) return 0;
  if (code != 0) {
    if (setup_failure) std::rethrow_exception(setup_failure);
    return code;
  }
  journal.set_frame_size(config);
  std::unique_ptr<MpiTileDistributor> distributor = make_mpi_distributor(mpi);
  RankBalance balance(*distributor);

  // Every rank journals its own tiles and notices stop requests; only the root writes results.
  ZoomSession session;
  session.plan.distributor = distributor.get();
  session.plan.archive = &journal;
  session.plan.cancel = &cancel_flag();
  session.journal = &journal;
  session.write_results = root;
  session.run_file = run.run_file();
  session.show_progress = root && progress_wanted(opt);
  session.print_summary = root && !opt.quiet;
  if (root) session.extra = {&balance};
  session.kept = "the finished frames and tiles are in " + run.dir();
  session.resume_command = "mpirun ... " + resume_command(opt);
  try {
    const ZoomSummary result = run_zoom_session(config, engine, session);
    if (root) {
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
    std::fprintf(stderr, "trainscape: error: rank %d: %s\n", mpi.rank(), errors::one_line(e.what()).c_str());
    std::fflush(stderr);
    mpi.abort(e.exit_code());
  }
  return 0;
}

int run_zoom_local(const ZoomOptions& opt, const RunConfig& config, const Engine& engine) {
  const io::RunDirectory run(config.output.dir);
  io::TileJournal journal(run.journal_dir());
  const io::StartDecision d = io::prepare_run(run, config, journal, opt.resume, opt.overwrite);
  if (d.start == io::RunStart::NothingToDo) {
    report_nothing_to_do(opt, run.dir(), d);
    return 0;
  }
  ZoomSession session;
  session.plan.archive = &journal;
  session.plan.cancel = &cancel_flag();
  session.journal = &journal;
  session.run_file = run.run_file();
  session.show_progress = progress_wanted(opt);
  session.print_summary = !opt.quiet;
  session.kept = "the finished frames and tiles are in " + run.dir();
  session.resume_command = resume_command(opt);
  const ZoomSummary result = run_zoom_session(config, engine, session);
  if (opt.quiet && !opt.silent) std::printf("%.17g\n", result.dimension);
  if (!opt.quiet) {
    // The commands that show the run without training again (docs/watch.md).
    std::printf("watch it: trainscape movie %s (zoom.mp4), trainscape view %s (index.html), trainscape plot %s\n",
                run.dir().c_str(), run.dir().c_str(), run.dir().c_str());
  }
  return 0;
}

}  // namespace

int run_zoom_command(const ZoomOptions& opt, MpiSession& mpi) {
  RunConfig config = load_run_config(opt.config);
  if (!opt.out_dir.empty()) config.output.dir = opt.out_dir;
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  check_frame_memory(config, opt.config.path);
  if (config.training.arithmetic == Arithmetic::Perturbation) {
    // Before the run directory is touched (run_zoom checks again, for library callers).
    const std::string reason = deep::unsupported_reason(make_problem(config));
    if (!reason.empty()) {
      throw ConfigError(opt.config.path + ": training.arithmetic = perturbation: is not available with " + reason);
    }
  }
  install_stop_handlers();
  if (!opt.shard.empty()) {
    if (mpi.active()) throw UsageError("--shard: shards are separate processes; do not start them with mpirun");
    return run_shard(opt, config, *engine);
  }
  if (mpi.active()) return run_zoom_mpi(opt, config, *engine, mpi);
  return run_zoom_local(opt, config, *engine);
}

}  // namespace trainscape::app
