// `trainscape transect CONFIG --from X,Y --to X,Y`: N points on a segment of the phase space,
// trained in tiles like a zoom frame (run_transect), journaled next to the output file so that a
// stopped or killed run continues with --resume, then stored with the dimension of the
// boundary's trace (docs/transect.md). Like zoom, it runs alone, under MPI (ranks draw tiles,
// rank 0 writes) or as shards of a job array (--shard I/N) that --merge assembles.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "../mpi_support.hpp"
#include "../observers.hpp"
#include "../shard_set.hpp"
#include "../stop_request.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/io/tile_journal.hpp"
#include "trainscape/io/transect_store.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/transect.hpp"

namespace trainscape::app {

namespace {

constexpr std::int64_t kDefaultPoints = (std::int64_t{1} << 20) + 1;

/// Parses "X,Y" (two finite numbers, log10 coordinates) for `option`.
void parse_point(const std::string& option, const std::string& text, double& x, double& y) {
  const std::size_t comma = text.find(',');
  bool ok = comma != std::string::npos && text.find(',', comma + 1) == std::string::npos;
  if (ok) {
    try {
      std::size_t used_x = 0, used_y = 0;
      const std::string xs = text.substr(0, comma), ys = text.substr(comma + 1);
      x = std::stod(xs, &used_x);
      y = std::stod(ys, &used_y);
      ok = used_x == xs.size() && used_y == ys.size() && std::isfinite(x) && std::isfinite(y);
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) throw errors::option_value(option, text, "expected X,Y in log10 coordinates, e.g. " + option + " -1.5,0.25");
}

/// Parses --points: 2^k + 1 with k >= 1, at most kMaxTransectPoints.
std::int64_t parse_points(const std::string& text) {
  if (text.empty()) return kDefaultPoints;
  std::int64_t n = 0;
  bool ok = true;
  try {
    std::size_t used = 0;
    n = std::stoll(text, &used);
    ok = used == text.size();
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok || !is_dyadic_length(n) || n > kMaxTransectPoints) {
    throw errors::option_value("--points", text,
                               "expected 2^k + 1 points with 1 <= k <= 29 (N - 1 a power of two, for the dyadic "
                               "crossing counts), e.g. 16385 or 1048577");
  }
  return n;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// The command line of this transect without --resume, --shard or --merge, for messages.
std::string base_command(const TransectOptions& opt) {
  std::string cmd = "trainscape transect " + opt.config.path;
  for (const auto& o : opt.config.overrides) cmd += " --set '" + o + "'";
  cmd += " --from " + opt.from + " --to " + opt.to;
  if (!opt.points_text.empty()) cmd += " --points " + opt.points_text;
  if (!opt.out.empty()) cmd += " --out " + opt.out;
  return cmd;
}

std::string resume_command(const TransectOptions& opt) {
  if (!opt.shard.empty()) return base_command(opt) + " --shard " + opt.shard;
  return base_command(opt) + " --resume";
}
void print_summary(const TransectLine& line, const TransectResult& r, const std::string& out, double seconds) {
  const TransectDimension& d = r.dimension;
  std::printf("transect of %d points from (%.6g, %.6g) to (%.6g, %.6g) in %.1f s -> %s\n", line.points(),
              line.segment().from_x, line.segment().from_y, line.segment().to_x, line.segment().to_y, seconds,
              out.c_str());
  std::printf("%12s %12s\n", "resolution", "crossings");
  for (std::size_t k = 0; k < r.crossings.resolutions.size(); ++k) {
    std::printf("%12lld %12lld\n", static_cast<long long>(r.crossings.resolutions[k]),
                static_cast<long long>(r.crossings.crossings[k]));
  }
  if (std::isfinite(d.dimension)) {
    std::printf("D_line = %.4f [%.4f, %.4f] (fit over resolutions %lld..%lld, %d points)%s%s\n", d.dimension, d.ci_low,
                d.ci_high, static_cast<long long>(d.fit_min), static_cast<long long>(d.fit_max), d.fit_points,
                d.note.empty() ? "" : "; ", d.note.c_str());
  } else {
    std::printf("D_line undefined: %s\n", d.note.c_str());
  }
}

/// The segment and point count as the journal records them (transect.txt beside its
/// config.yaml): the tiles of another segment or N must not be continued.
std::string describe_line(const Segment& s, std::int64_t points) {
  char text[200];
  std::snprintf(text, sizeof text, "from %.17g,%.17g to %.17g,%.17g points %lld\n", s.from_x, s.from_y, s.to_x, s.to_y,
                static_cast<long long>(points));
  return text;
}

/// Refuses to continue (`what`: "--resume", "--shard I/N", "--merge") a journal of another
/// segment or point count, naming its transect.txt; `remedy` says what to do instead.
void check_same_line(const io::TileJournal& journal, const Segment& s, std::int64_t points, const std::string& what,
                     const std::string& remedy) {
  const std::string path = journal.dir() + "/transect.txt";
  const std::string stored = io::read_text_file(path, 4096);
  const std::string wanted = describe_line(s, points);
  if (stored != wanted) {
    std::string shown = stored;
    if (!shown.empty() && shown.back() == '\n') shown.pop_back();
    throw errors::in_file(path, what + ": this journal's transect ran " + shown + ", not " +
                                    wanted.substr(0, wanted.size() - 1) + "; " + remedy);
  }
}

/// Everything a transect command works with, resolved from the options once.
struct TransectJob {
  const TransectOptions& opt;
  Segment segment;
  std::int64_t points = 0;
  RunConfig config;
  std::unique_ptr<Engine> engine;
  Problem problem;
  TransectLine line;
  std::string out;  ///< FILE
};

/// Creates FILE's directory (output.dir by default) as zoom creates its run directory; a
/// failure shows up as the journal's one-line write error that follows.
void create_parent_directory(const std::string& file) {
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
}

/// Starts a journal afresh: its config and transect.txt.
void start_journal(const TransectJob& job, const io::TileJournal& journal) {
  journal.write_config(job.config);
  io::write_file_durably(journal.dir() + "/transect.txt", describe_line(job.segment, job.points));
}

/// Gets FILE.journal ready for a transect run by one process or by MPI rank 0: continues an
/// interrupted one with --resume (after checking it is the same transect), refuses to touch an
/// existing journal or FILE without --resume or --overwrite, or starts afresh. Returns false when
/// --resume finds FILE finished and no journal (nothing to do; says so on stderr).
bool prepare_journal(const TransectJob& job, io::TileJournal& journal) {
  const TransectOptions& opt = job.opt;
  const bool interrupted = io::TileJournal::exists(journal.dir());
  if (interrupted && opt.resume) {
    io::check_same_science(job.config, journal, "--resume");
    check_same_line(journal, job.segment, job.points, "--resume",
                    "give the same --from, --to and --points, or start over with --overwrite");
    journal.set_frame_size(transect_frame_config(job.config, job.line.points()));
    journal.verify();
    return true;
  }
  if (opt.resume && path_exists(job.out)) {
    std::fprintf(stderr, "trainscape: %s holds a finished transect; nothing to resume\n", job.out.c_str());
    return false;
  }
  if (!opt.overwrite && (path_exists(job.out) || interrupted)) {
    throw errors::in_file(interrupted ? journal.dir() : job.out,
                          interrupted ? "holds an interrupted transect; continue with --resume or start over "
                                        "with --overwrite"
                                      : "exists; pass --overwrite to replace it");
  }
  if (interrupted) journal.remove();
  create_parent_directory(job.out);
  start_journal(job, journal);
  return true;
}

/// Runs the transect with `plan` and `observers`, turning a stop request into the stopped
/// message (`kept`: where the finished tiles are; how to continue).
TransectResult run_stoppable(const TransectJob& job, ZoomObserver& observers, const TransectPlan& plan,
                             const std::string& kept, const std::string& continue_with) {
  try {
    return run_transect(job.config, job.problem, *job.engine, job.line, observers, plan);
  } catch (const Interrupted& e) {
    throw stopped_error(e.what(), kept, continue_with);
  }
}

/// Reports a written transect: the summary, or the dimension alone with -q.
void report(const TransectJob& job, const TransectResult& result, double seconds) {
  if (job.opt.quiet) {
    std::printf("%.17g\n", result.dimension.dimension);
  } else {
    print_summary(job.line, result, job.out, seconds);
  }
}

void warn_set_aside(const io::TileJournal& journal) {
  for (const auto& f : journal.set_aside()) {
    std::fprintf(stderr, "trainscape: warning: %s was corrupt; recomputed its tile\n", f.c_str());
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Where shard I of N keeps its tiles: FILE.shards/shard-I-of-N.
std::string shards_root(const TransectJob& job) { return job.out + ".shards"; }
std::string shard_dir(const TransectJob& job, int index, int count) {
  return shards_root(job) + "/" + io::RunDirectory::shard_name(index, count);
}

/// One process, every tile.
int run_local(const TransectJob& job) {
  io::TileJournal journal(job.out + ".journal");
  if (!prepare_journal(job, journal)) return 0;
  ProgressDisplay progress(!job.opt.quiet && ::isatty(STDERR_FILENO), stop_signal());
  ObserverList observers;
  observers.add(journal);
  observers.add(progress);
  TransectPlan plan;
  plan.archive = &journal;
  plan.cancel = &cancel_flag();
  const auto start = std::chrono::steady_clock::now();
  const TransectResult result =
      run_stoppable(job, observers, plan, "its finished tiles are in " + journal.dir(), resume_command(job.opt));
  const double seconds = seconds_since(start);
  io::write_transect(job.out, job.config, job.problem, job.line, result);
  journal.remove();
  warn_set_aside(journal);
  report(job, result, seconds);
  return 0;
}

/// `--shard I/N`: the tiles t with t % N == I into FILE.shards/shard-I-of-N, skipping those an
/// earlier attempt of the same shard finished.
int run_shard(const TransectJob& job) {
  int index = 0, count = 1;
  parse_shard(job.opt.shard, index, count);
  io::TileJournal journal(shard_dir(job, index, count));
  const std::string what = "--shard " + job.opt.shard;
  if (io::TileJournal::exists(journal.dir())) {
    io::check_same_science(job.config, journal, what);
    check_same_line(journal, job.segment, job.points, what,
                    "give the shard's --from, --to and --points, or remove " + journal.dir() + " to start it over");
    journal.set_frame_size(transect_frame_config(job.config, job.line.points()));
    journal.verify();
  } else {
    create_parent_directory(journal.dir());
    start_journal(job, journal);
  }
  ShardDistributor shard(index, count);
  struct Count final : ZoomObserver {
    std::int64_t computed = 0, held = 0;
    bool on_tile_done(const TileProgress&) override { return ++computed, true; }
    void on_share_done(int, const Window&, const std::vector<TileResult>& tiles) override {
      held = static_cast<std::int64_t>(tiles.size());
    }
  } counter;
  ProgressDisplay progress(!job.opt.quiet && ::isatty(STDERR_FILENO), stop_signal());
  ObserverList observers;
  observers.add(journal);
  observers.add(progress);
  observers.add(counter);
  TransectPlan plan;
  plan.archive = &journal;
  plan.cancel = &cancel_flag();
  plan.distributor = &shard;
  const auto start = std::chrono::steady_clock::now();
  run_stoppable(job, observers, plan, "its finished tiles are in " + journal.dir(), resume_command(job.opt));
  warn_set_aside(journal);
  if (!job.opt.quiet) {
    std::printf(
        "shard %d/%d: %lld tiles in %s in %.1f s (%lld computed now, %lld from an earlier attempt); "
        "then: %s --merge\n",
        index, count, static_cast<long long>(counter.held), journal.dir().c_str(), seconds_since(start),
        static_cast<long long>(counter.computed), static_cast<long long>(counter.held - counter.computed),
        base_command(job.opt).c_str());
  }
  return 0;
}

/// `--merge`: FILE from the complete set of shards in FILE.shards/, bit for bit what one process
/// writes. Every shard must be of this config, segment and N, and together they must hold every
/// tile; otherwise nothing is written and the error names the shard.
int run_merge(const TransectJob& job) {
  const std::string root = shards_root(job);
  const int count = io::complete_shard_count_under(root, base_command(job.opt));
  const RunConfig frame_config = transect_frame_config(job.config, job.line.points());
  std::vector<std::unique_ptr<io::TileJournal>> journals;
  for (int i = 0; i < count; ++i) {
    auto journal = std::make_unique<io::TileJournal>(shard_dir(job, i, count));
    if (!io::TileJournal::exists(journal->dir())) throw IoError(journal->dir() + ": not a shard (no config.yaml)");
    io::check_same_science(job.config, *journal, "--merge");
    check_same_line(*journal, job.segment, job.points, "--merge",
                    "rerun that shard with this command's --from, --to and --points (after removing its directory)");
    journal->set_frame_size(frame_config);
    journals.push_back(std::move(journal));
  }
  ShardSet shards(std::move(journals));

  // Every tile must be in some shard before anything is written.
  const std::vector<Tile> tiles = make_tiles(job.line.points(), 1, frame_config.runtime.tile);
  std::vector<bool> done(tiles.size(), false);
  Image<double> measure(1, job.line.points());
  Image<std::uint8_t> converged(1, job.line.points());
  ChannelImages values_not_loaded;
  shards.restore(0, job.line.window(), tiles, false, done, measure, converged, values_not_loaded);
  const std::string names = unfinished_shards(done, count);
  if (!names.empty()) {
    throw IoError(root + ": the transect is incomplete: " + names +
                  " unfinished; rerun those shards, then merge again");
  }

  // Nothing is left to compute: every tile comes from the shards, as a resumed run's do from
  // its journal.
  ZoomObserver quiet;
  TransectPlan plan;
  plan.archive = &shards;
  const auto start = std::chrono::steady_clock::now();
  const TransectResult result = run_transect(job.config, job.problem, *job.engine, job.line, quiet, plan);
  create_parent_directory(job.out);
  io::write_transect(job.out, job.config, job.problem, job.line, result);
  report(job, result, seconds_since(start));
  return 0;
}

/// `mpirun -n R trainscape transect ...`: rank 0 prepares FILE.journal as one process would;
/// every rank draws tiles and journals the ones it computed (so FILE's directory must be on a
/// file system all ranks see); rank 0 assembles, writes FILE and removes the journal.
int run_mpi(const TransectJob& job, MpiSession& mpi) {
  const bool root = mpi.rank() == 0;
  io::TileJournal journal(job.out + ".journal");
  // Only the root prepares; every rank learns whether that worked, so that a failure ends all
  // ranks with the root's one-line message and exit code.
  int code = 0;
  std::exception_ptr setup_failure;
  if (root) {
    try {
      if (!prepare_journal(job, journal)) code = -1;
    } catch (const Error& e) {
      code = e.exit_code();
      setup_failure = std::current_exception();
    }
  }
  code = mpi.broadcast_int(code);
  if (code == -1) return 0;
  if (code != 0) {
    if (setup_failure) std::rethrow_exception(setup_failure);
    return code;
  }
  journal.set_frame_size(transect_frame_config(job.config, job.line.points()));
  std::unique_ptr<MpiTileDistributor> distributor = make_mpi_distributor(mpi);
  ProgressDisplay progress(root && !job.opt.quiet && ::isatty(STDERR_FILENO), stop_signal());
  ObserverList observers;
  observers.add(journal);
  observers.add(progress);
  TransectPlan plan;
  plan.archive = &journal;
  plan.cancel = &cancel_flag();
  plan.distributor = distributor.get();
  try {
    const auto start = std::chrono::steady_clock::now();
    const TransectResult result = run_stoppable(job, observers, plan, "its finished tiles are in " + journal.dir(),
                                                "mpirun ... " + resume_command(job.opt));
    if (root) {
      const double seconds = seconds_since(start);
      io::write_transect(job.out, job.config, job.problem, job.line, result);
      journal.remove();
      warn_set_aside(journal);
      report(job, result, seconds);
      if (!job.opt.quiet) {
        std::string per_rank;
        for (int n : distributor->tiles_per_rank()) per_rank += (per_rank.empty() ? "" : ", ") + std::to_string(n);
        std::printf("%d MPI ranks x %d threads; tiles computed per rank: %s\n", mpi.size(),
                    resolve_thread_count(job.config.runtime.threads), per_rank.c_str());
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

/// Parses and checks everything the options and the config say, before anything is written.
TransectJob make_job(const TransectOptions& opt) {
  Segment segment;
  parse_point("--from", opt.from, segment.from_x, segment.from_y);
  parse_point("--to", opt.to, segment.to_x, segment.to_y);
  if (segment.from_x == segment.to_x && segment.from_y == segment.to_y) {
    throw errors::option_value("--to", opt.to, "must differ from --from " + opt.from + " (a segment, not a point)");
  }
  const std::int64_t points = parse_points(opt.points_text);
  RunConfig config = load_run_config(opt.config);
  refuse_perturbation(config, opt.config, "transect");
  io::refuse_if_exceeds_memory<UsageError>(
      static_cast<double>(transect_memory_bytes(points, channel_set(config.output))),
      "--points " + std::to_string(points), "", "use fewer points");
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  auto engine = make_engine(opt.engine);
  Problem problem = make_problem(config);
  TransectLine line(segment, points, axis_scales(problem));
  check_resolvable(line, problem.precision);
  std::string out = opt.out.empty() ? config.output.dir + "/transect.h5" : opt.out;
  return TransectJob{opt,  segment,       points, std::move(config), std::move(engine), std::move(problem),
                     line, std::move(out)};
}

}  // namespace

int run_transect_command(const TransectOptions& opt, MpiSession& mpi) {
  const TransectJob job = make_job(opt);
  install_stop_handlers();
  if (!opt.shard.empty()) {
    if (mpi.active()) throw UsageError("--shard: shards are separate processes; do not start them with mpirun");
    return run_shard(job);
  }
  if (opt.merge) {
    if (mpi.active()) throw UsageError("--merge: merging reads the shards on one process; do not start it with mpirun");
    return run_merge(job);
  }
  if (mpi.active()) return run_mpi(job, mpi);
  return run_local(job);
}

}  // namespace trainscape::app
