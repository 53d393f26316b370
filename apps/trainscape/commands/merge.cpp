// `trainscape merge CONFIG`: the shards of a job array (zoom --shard I/N) into run.h5 and the
// PNGs, bit for bit what a single-process run writes.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../shard_set.hpp"
#include "../zoom_session.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/io/tile_journal.hpp"
#include "trainscape/zoom.hpp"

namespace trainscape::app {

namespace fs = std::filesystem;

namespace {

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

/// Refuses, before anything is written, a frame with a tile that no shard finished, naming the
/// shards that owe tiles.
void check_every_tile_present(const RunConfig& config, const io::RunDirectory& run, int count,
                              const std::vector<Window>& windows, ShardSet& shards) {
  const int cols = config.render.resolution.cols, rows = config.render.resolution.rows;
  const std::vector<Tile> tiles = make_tiles(cols, rows, resolve_tile_side(config.runtime.tile, cols, rows));
  for (int k = 0; k < config.zoom.frames; ++k) {
    std::vector<bool> done(tiles.size(), false);
    Image<double> m(rows, cols);
    Image<std::uint8_t> c(rows, cols);
    ChannelImages values_not_loaded;
    shards.restore(k, windows[static_cast<std::size_t>(k)], tiles, false, done, m, c, values_not_loaded);
    const std::string names = unfinished_shards(done, count);
    if (!names.empty()) {
      throw IoError(run.shards_root() + ": frame " + std::to_string(k) + " is incomplete: " + names +
                    " unfinished; rerun those shards, then merge again");
    }
  }
}

}  // namespace

int run_merge_command(const MergeOptions& opt) {
  RunConfig config = load_run_config(opt.config);
  if (!opt.out_dir.empty()) config.output.dir = opt.out_dir;
  const io::RunDirectory run(config.output.dir);
  const std::vector<Window> windows = planned_windows(config, "merge");
  check_frame_memory(config, opt.config.path);

  const int count = io::complete_shard_count(run, opt.config.path);
  std::vector<std::unique_ptr<io::TileJournal>> journals;
  for (int i = 0; i < count; ++i) {
    auto j = std::make_unique<io::TileJournal>(run.shard_dir(i, count));
    if (!io::TileJournal::exists(j->dir())) throw IoError(j->dir() + ": not a shard (no config.yaml)");
    io::check_same_science(config, *j, "merge");
    journals.push_back(std::move(j));
  }
  ShardSet shards(std::move(journals));
  check_every_tile_present(config, run, count, windows, shards);

  // run.h5 appears only when complete: written under a temporary name, then renamed.
  const auto engine = make_engine("reference");  // never trains: every tile comes from the shards
  NothingToCompute nothing;
  ZoomSession session;
  session.plan.distributor = &nothing;
  session.plan.archive = &shards;
  session.run_file = run.merge_temporary();
  session.print_summary = !opt.quiet;
  session.kept = "the shards are intact";
  session.resume_command = "trainscape merge " + opt.config.path;
  ZoomSummary result;
  std::error_code ec;
  try {
    result = run_zoom_session(config, *engine, session);
  } catch (...) {
    fs::remove(session.run_file, ec);
    throw;
  }
  if (std::rename(session.run_file.c_str(), run.run_file().c_str()) != 0) {
    const int e = errno;
    fs::remove(session.run_file, ec);
    throw errors::in_file(run.run_file(), "cannot move the merged file into place: " + errors::os_reason(e));
  }
  if (opt.quiet) std::printf("%.17g\n", result.dimension);
  return 0;
}

}  // namespace trainscape::app
