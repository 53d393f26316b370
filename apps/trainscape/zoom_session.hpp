#pragma once
/// The one way the command-line tool runs a zoom: the local, MPI, shard and merge paths differ
/// only in who computes which tiles (plan.distributor), where earlier tiles come from
/// (plan.archive, journal) and whether this process writes the results; wiring the sinks,
/// handling a stop, closing and syncing run.h5 and removing the journal happen here, once.
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/io/tile_journal.hpp"
#include "trainscape/zoom.hpp"

namespace trainscape::app {

struct ZoomSession {
  ZoomPlan plan;                       ///< distributor, archive and cancel flag for run_zoom
  io::TileJournal* journal = nullptr;  ///< journals every finished tile; removed once run.h5 is on disk
  bool write_results = true;           ///< this process writes run.h5 and the PNGs (MPI: the root only)
  std::string run_file;                ///< where run.h5 goes (merge: a temporary name); PNGs go to output.dir
  bool show_progress = false;          ///< the progress line on stderr
  bool print_summary = false;          ///< per-frame lines and the sequence's dimension on stdout
  std::vector<ZoomObserver*> extra;    ///< more observers (counters), after the sinks
  std::string kept;                    ///< for a stop: where the finished work is
  std::string resume_command;          ///< for a stop: how to continue
};

/// Runs `config`'s zoom with `engine` as `session` says. With write_results, run.h5 is closed and
/// fsync'd before the journal is removed, so a crash at any moment loses no finished tile. A stop
/// request becomes stopped_error (the journal keeps what was finished). Warns on stderr about
/// journal files that were corrupt and recomputed.
ZoomSummary run_zoom_session(const RunConfig& config, const Engine& engine, const ZoomSession& session);

}  // namespace trainscape::app
