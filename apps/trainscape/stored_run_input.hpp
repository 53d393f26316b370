#pragma once
/// The input of the commands that only read a finished (or interrupted) run: movie, render, plot
/// and view. One place that checks the run directory, reads its run.h5 through the io layer and
/// recovers the config, so that a missing, corrupt or foreign run.h5 reads the same everywhere.
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/io/hdf5_store.hpp"

namespace trainscape::app {

struct RunInput {
  std::string dir;   ///< the run directory as the user named it
  std::string file;  ///< dir + "/run.h5"
  io::StoredRun run;
  RunConfig config;  ///< the run's resolved config, loaded from run.h5
};

/// Reads RUN_DIR/run.h5. Throws IoError (exit 4) when the directory or file is missing, the file
/// is not a trainscape run, or it holds no frame; ConfigError if its stored config is invalid.
RunInput open_run(const std::string& run_dir);

/// Each frame's dimension estimates: the ones stored under /dimension when they cover exactly
/// the stored frames, otherwise computed afresh from the measures (as `trainscape dimension`
/// does, without writing anything). `sequence` receives the sequence's estimates.
std::vector<DimensionReport> frame_reports(const RunInput& input, DimensionReport& sequence);

}  // namespace trainscape::app
