#pragma once
/// The subcommands of the trainscape tool: one plain option struct and one run_* function each
/// (one .cpp per command in this folder). main.cpp parses the command line into these structs
/// and calls the function; each returns the process exit code or throws trainscape::Error.
/// `dimension` and `uncertainty` live in ../dimension_command.hpp.
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"

namespace trainscape::app {

class MpiSession;

/// A config file and the --set overrides applied to it.
struct ConfigSource {
  std::string path;
  std::vector<std::string> overrides;
};

/// Loads and validates `source` (throws ConfigError / IoError naming the file and key).
RunConfig load_run_config(const ConfigSource& source);

/// Refuses (ConfigError naming `source`) a resolution whose frames would not fit in this
/// machine's memory, before anything is allocated or written.
void check_frame_memory(const RunConfig& config, const std::string& source);

struct ZoomOptions {
  ConfigSource config;
  std::string out_dir;  ///< empty: output.dir
  int threads = -1;     ///< -1: keep the config's value
  std::string engine = kDefaultEngine;
  bool overwrite = false;
  bool resume = false;
  std::string shard;    ///< "I/N", or empty
  bool quiet = false;
  bool silent = false;  ///< with quiet: not even the dimension (sweep prints its own table)
};
/// `zoom`: locally, under MPI (every rank computes, rank 0 writes), or one shard of a job array.
int run_zoom_command(const ZoomOptions& options, MpiSession& mpi);

struct SweepOptions {
  std::vector<std::string> paths;
  std::vector<std::string> overrides;
  std::string out_root;
  int threads = -1;
  std::string engine = kDefaultEngine;
  int task = -1;  ///< -1: every config
  bool summary_only = false;
  bool count_only = false;
  bool quiet = false;
};
/// `sweep`: one zoom per config (resuming unfinished ones), then the table of dimensions.
int run_sweep_command(const SweepOptions& options, MpiSession& mpi);

struct MergeOptions {
  ConfigSource config;
  std::string out_dir;
  bool quiet = false;
};
/// `merge`: the shards' tiles into run.h5 and PNGs identical to a single-process run.
int run_merge_command(const MergeOptions& options);

struct BenchOptions {
  ConfigSource config;
  std::string engine = kDefaultEngine;
  int pixels = 4096;
  int steps = 0;     ///< 0: the config's training.steps
  int threads = -1;  ///< -1: the config's runtime.threads
};
/// `bench`: trains a block of pixels and prints the rate (last line machine-readable).
int run_bench_command(const BenchOptions& options);

/// `keys`: the config reference as a Markdown table (the README embeds exactly this output).
int run_keys_command();

}  // namespace trainscape::app
