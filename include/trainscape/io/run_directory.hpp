#pragma once
/// The run directory: every name of its layout, and the checks that decide how a run may start
/// in it (fresh, resumed, extended, merged from shards). One place, so that the zoom, sweep and
/// merge commands and the tests agree on what a run directory holds.
///
///   <dir>/run.h5                      the results (io/hdf5_store.hpp), written last
///   <dir>/frame_NNN.png               one image per frame (3 digits, more when needed)
///   <dir>/journal/                    the tile journal of an unfinished run (io/tile_journal.hpp)
///   <dir>/shards/shard-I-of-N/        the journal of shard I of N (zoom --shard I/N)
///   <dir>/run.h5.merge.tmp            merge's run.h5 until it is complete
///
/// Nothing here deletes a run unless told to (--overwrite); every refusal is an Error with a
/// one-line message naming the path and what to do instead.
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/io/tile_journal.hpp"

namespace trainscape::io {

class RunDirectory {
 public:
  explicit RunDirectory(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string run_file() const { return dir_ + "/run.h5"; }
  std::string journal_dir() const { return dir_ + "/journal"; }
  std::string shards_root() const { return dir_ + "/shards"; }
  std::string shard_dir(int index, int count) const { return shards_root() + "/" + shard_name(index, count); }
  std::string merge_temporary() const { return run_file() + ".merge.tmp"; }
  std::string frame_png(int frame) const { return dir_ + "/" + frame_png_name(frame); }

  /// "shard-I-of-N".
  static std::string shard_name(int index, int count);
  /// frame_000.png, ..., frame_999.png, frame_1000.png, ...
  static std::string frame_png_name(int frame);

 private:
  std::string dir_;
};

/// How a zoom may start in its run directory.
enum class RunStart {
  Fresh,       ///< nothing to continue: the directory was prepared for a new run
  Resumed,     ///< the journal of an interrupted run is continued
  Extended,    ///< a finished run's frames seed the journal; more frames follow
  NothingToDo  ///< --resume of a finished run with all the frames asked for
};

struct StartDecision {
  RunStart start = RunStart::Fresh;
  long long frames_completed = 0;  ///< NothingToDo: the frames of the finished run
  double stored_dimension = 0.0;   ///< NothingToDo: its dimension
};

/// Gets `run` ready for a run of `config`, with `journal` rooted at run.journal_dir():
///   - a fresh run (also for `resume` with nothing to resume, so job scripts can always pass
///     it): refuses a directory holding a run unless `overwrite`, which removes the old run's
///     outputs (run.h5, frame PNGs, journal) and nothing else;
///   - resume with a journal: checks it is the same computation (check_continuation), verifies
///     its files, rewrites its config (zoom.frames may have grown);
///   - resume of a finished run.h5 without journal: nothing to do, or, if more frames are asked
///     for, its frames become the journal the run continues from.
/// Throws ConfigError (different computation) or IoError (refused, unreadable, unwritable); writes
/// nothing if it throws.
StartDecision prepare_run(const RunDirectory& run, const RunConfig& config, TileJournal& journal, bool resume,
                          bool overwrite);

/// Refuses to continue a run whose stored config (`stored_yaml`, kept at `where`) describes a
/// different computation, naming the first scientific key that differs (ConfigError, prefixed by
/// `what`, e.g. "--resume"). With `more_frames_ok`, a larger zoom.frames is the one difference
/// allowed (earlier frames do not depend on how many follow).
void check_continuation(const std::string& stored_yaml, const RunConfig& config, const std::string& where,
                        const std::string& what, bool more_frames_ok);

/// check_continuation against a journal's stored config, no difference allowed.
void check_same_science(const RunConfig& config, const TileJournal& journal, const std::string& what);

/// The shard count N of the complete set of shard-I-of-N journals under run.shards_root().
/// Throws IoError naming the directory if there are none, if shard counts are mixed, or if a
/// shard is missing (`config_path` goes into the advice: "run trainscape zoom CONFIG --shard ...").
int complete_shard_count(const RunDirectory& run, const std::string& config_path);

/// The same for the shard-I-of-N journals under `shards_root` (a transect's FILE.shards/);
/// `shard_command` is the command that runs a shard, for the advice, e.g. "trainscape zoom CONFIG".
int complete_shard_count_under(const std::string& shards_root, const std::string& shard_command);

/// Removes leftovers of writes a kill interrupted in `dir` (files named *.tmp or *.tmp.*): they
/// were never finished, and their finished versions are either in place or will be rewritten.
void remove_temporaries(const std::string& dir);

}  // namespace trainscape::io
