// `trainscape sweep PATH...`: many zooms, one per config, each resumable, then one table.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../mpi_support.hpp"
#include "commands.hpp"
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/io/tile_journal.hpp"

namespace trainscape::app {

namespace fs = std::filesystem;

namespace {

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
    state = io::TileJournal::exists(io::RunDirectory(dir).journal_dir()) ? "interrupted" : "not run";
  } else {
    try {
      const io::StoredRun run = io::read_run(h5);
      const bool finished = run.frames_completed >= config.zoom.frames && std::isfinite(run.dimension) &&
                            !io::TileJournal::exists(io::RunDirectory(dir).journal_dir());
      state = (finished ? "done " : "partial ") + std::to_string(run.frames_completed) + "/" +
              std::to_string(config.zoom.frames);
      const io::StoredDimensions d = io::read_run_dimensions(h5);
      char buf[256];
      std::snprintf(buf, sizeof buf, "%.4f | %s | %s", run.dimension,
                    d.present ? format_estimate(d.sequence.boxcount_fit).c_str() : "-",
                    d.present ? format_estimate(d.sequence.pair).c_str() : "-");
      dims = buf;
    } catch (const Error&) {
      state = "unreadable";
    }
  }
  if (dims == "-") dims = "- | - | -";
  std::snprintf(line, sizeof line, "| %s | %s | %s | %s |", path.c_str(), dir.c_str(), state.c_str(), dims.c_str());
  return line;
}

/// `sweep PATH...`: one zoom per config (resuming where a run stopped, skipping finished ones),
/// or only config --task I (a Slurm array task), then a table of every run's dimensions.
}  // namespace

int run_sweep_command(const SweepOptions& opt, MpiSession& mpi) {
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
      zo.config = {configs[i], opt.overrides};
      zo.out_dir = sweep_run_dir(opt, configs[i], loaded[i]);
      zo.threads = opt.threads;
      zo.engine = opt.engine;
      zo.resume = true;  // a rerun of the sweep continues it
      zo.quiet = true;
      zo.silent = true;
      if (!opt.quiet)
        std::fprintf(stderr, "trainscape sweep: [%zu/%zu] %s -> %s\n", i + 1, configs.size(), configs[i].c_str(),
                     zo.out_dir.c_str());
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
    std::printf(
        "| config | run directory | state | dimension (porespy median) | box-count fit [95%%] | pair [95%%] |\n");
    std::printf("| --- | --- | --- | --- | --- | --- |\n");
    for (std::size_t i = 0; i < configs.size(); ++i) {
      std::printf("%s\n", sweep_row(configs[i], sweep_run_dir(opt, configs[i], loaded[i]), loaded[i]).c_str());
    }
  }
  return worst;
}

}  // namespace trainscape::app
