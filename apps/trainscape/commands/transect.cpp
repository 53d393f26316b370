// `trainscape transect CONFIG --from X,Y --to X,Y`: N points on a segment of the phase space,
// trained in tiles like a zoom frame (run_transect), journaled next to the output file so that a
// stopped or killed run continues with --resume, then stored with the dimension of the
// boundary's trace (docs/transect.md).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "../observers.hpp"
#include "../stop_request.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
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

std::string resume_command(const TransectOptions& opt) {
  std::string cmd = "trainscape transect " + opt.config.path;
  for (const auto& o : opt.config.overrides) cmd += " --set '" + o + "'";
  cmd += " --from " + opt.from + " --to " + opt.to;
  if (!opt.points_text.empty()) cmd += " --points " + opt.points_text;
  if (!opt.out.empty()) cmd += " --out " + opt.out;
  return cmd + " --resume";
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

/// Refuses to resume a journal of another segment or point count.
void check_same_line(const io::TileJournal& journal, const Segment& s, std::int64_t points) {
  const std::string path = journal.dir() + "/transect.txt";
  const std::string stored = io::read_text_file(path, 4096);
  const std::string wanted = describe_line(s, points);
  if (stored != wanted) {
    std::string shown = stored;
    if (!shown.empty() && shown.back() == '\n') shown.pop_back();
    throw errors::in_file(path, "--resume: the interrupted transect ran " + shown + ", not " +
                                    wanted.substr(0, wanted.size() - 1) +
                                    "; give the same --from, --to and --points, or start over with --overwrite");
  }
}

}  // namespace

int run_transect_command(const TransectOptions& opt) {
  Segment segment;
  parse_point("--from", opt.from, segment.from_x, segment.from_y);
  parse_point("--to", opt.to, segment.to_x, segment.to_y);
  if (segment.from_x == segment.to_x && segment.from_y == segment.to_y) {
    throw errors::option_value("--to", opt.to, "must differ from --from " + opt.from + " (a segment, not a point)");
  }
  const std::int64_t points = parse_points(opt.points_text);
  io::refuse_if_exceeds_memory<UsageError>(static_cast<double>(transect_memory_bytes(points)),
                                           "--points " + std::to_string(points), "", "use fewer points");
  RunConfig config = load_run_config(opt.config);
  refuse_perturbation(config, opt.config, "transect");
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  const Problem problem = make_problem(config);
  const TransectLine line(segment, points, axis_scales(problem));
  check_resolvable(line, problem.precision);

  const std::string out = opt.out.empty() ? config.output.dir + "/transect.h5" : opt.out;
  io::TileJournal journal(out + ".journal");
  const bool interrupted = io::TileJournal::exists(journal.dir());
  if (interrupted && opt.resume) {
    io::check_same_science(config, journal, "--resume");
    check_same_line(journal, segment, points);
    journal.set_frame_size(transect_frame_config(config, line.points()));
    journal.verify();
  } else if (opt.resume && path_exists(out)) {
    std::fprintf(stderr, "trainscape: %s holds a finished transect; nothing to resume\n", out.c_str());
    return 0;
  } else {
    if (!opt.overwrite && (path_exists(out) || interrupted)) {
      throw errors::in_file(interrupted ? journal.dir() : out,
                            interrupted ? "holds an interrupted transect; continue with --resume or start over "
                                          "with --overwrite"
                                        : "exists; pass --overwrite to replace it");
    }
    if (interrupted) journal.remove();
    // The output's directory (output.dir by default) is created as zoom creates its run
    // directory; a failure shows up as the journal's one-line write error just below.
    const std::filesystem::path parent = std::filesystem::path(out).parent_path();
    std::error_code ignored;
    if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
    journal.write_config(config);
    io::write_file_durably(journal.dir() + "/transect.txt", describe_line(segment, points));
  }
  install_stop_handlers();

  ProgressDisplay progress(!opt.quiet && ::isatty(STDERR_FILENO), stop_signal());
  ObserverList observers;
  observers.add(journal);
  observers.add(progress);
  TransectPlan plan;
  plan.archive = &journal;
  plan.cancel = &cancel_flag();
  const auto start = std::chrono::steady_clock::now();
  TransectResult result;
  try {
    result = run_transect(config, problem, *engine, line, observers, plan);
  } catch (const Interrupted& e) {
    throw stopped_error(e.what(), "its finished tiles are in " + journal.dir(), resume_command(opt));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io::write_transect(out, config, problem, line, result);
  journal.remove();
  for (const auto& f : journal.set_aside()) {
    std::fprintf(stderr, "trainscape: warning: %s was corrupt; recomputed its tile\n", f.c_str());
  }
  if (opt.quiet) {
    std::printf("%.17g\n", result.dimension.dimension);
  } else {
    print_summary(line, result, out, seconds);
  }
  return 0;
}

}  // namespace trainscape::app
