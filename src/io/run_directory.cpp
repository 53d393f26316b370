#include "trainscape/io/run_directory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "trainscape/error.hpp"
#include "trainscape/io/hdf5_store.hpp"

namespace trainscape::io {

namespace fs = std::filesystem;

namespace {

/// Whether `p` (an entry of a run directory) is one of a run's outputs. A journal counts once it
/// has its config.yaml, which is written before anything else: without it, it holds nothing.
bool is_run_output(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name == "journal") return TileJournal::exists(p.string());
  return name == "run.h5" || (name.rfind("frame_", 0) == 0 && p.extension() == ".png");
}

/// Prepares the run directory without destroying anything unless `overwrite`.
void prepare_output_dir(const std::string& dir, bool overwrite) {
  std::error_code ec;
  const fs::path path(dir);
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec)) throw errors::in_file(dir, "exists and is not a directory");
    std::vector<fs::path> previous;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (is_run_output(entry.path())) previous.push_back(entry.path());
    }
    if (ec) throw errors::in_file(dir, "cannot list: " + ec.message());
    std::sort(previous.begin(), previous.end());
    if (!previous.empty()) {
      if (!overwrite) {
        throw IoError(dir + ": already holds a run (" + previous.front().filename().string() +
                      "); pass --resume to continue it, --overwrite to replace it, or choose another --out");
      }
      for (const auto& p : previous) {
        fs::remove_all(p, ec);
        if (ec) throw errors::cannot_remove(p.string(), ec.message());
      }
    }
  } else {
    fs::create_directories(path, ec);
    if (ec) throw errors::in_file(dir, "cannot create the run directory: " + ec.message());
  }
  // Fail now, not after the first frame, if we cannot write here.
  if (::access(dir.c_str(), W_OK) != 0) throw IoError(dir + ": the run directory is not writable");
}

}  // namespace

std::string RunDirectory::shard_name(int index, int count) {
  return "shard-" + std::to_string(index) + "-of-" + std::to_string(count);
}

std::string RunDirectory::frame_png_name(int frame) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "frame_%03d.png", frame);
  return buf;
}

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

void check_continuation(const std::string& stored_yaml, const RunConfig& config, const std::string& where,
                        const std::string& what, bool more_frames_ok) {
  RunConfig compared = config;
  if (more_frames_ok) {
    const RunConfig stored = load_config(stored_yaml, where);
    if (config.zoom.frames > stored.zoom.frames) compared.zoom.frames = stored.zoom.frames;
  }
  std::string stored_value, new_value;
  const std::string key = first_scientific_difference(stored_yaml, to_yaml(compared), stored_value, new_value);
  if (!key.empty()) {
    throw ConfigError(what + ": " + key + " = " + new_value + " but the run in " + where + " has " + key + " = " +
                      stored_value +
                      "; only runtime.* and output.* (except output.channels) may change when continuing a run" +
                      (more_frames_ok ? " (and zoom.frames may grow)" : ""));
  }
}

void check_same_science(const RunConfig& config, const TileJournal& journal, const std::string& what) {
  check_continuation(journal.stored_config(), config, journal.dir() + "/config.yaml", what, false);
}

StartDecision prepare_run(const RunDirectory& run, const RunConfig& config, TileJournal& journal, bool resume,
                          bool overwrite) {
  const std::string& dir = run.dir();
  std::error_code ec;
  if (fs::exists(fs::symlink_status(journal.dir(), ec)) && !fs::is_directory(journal.dir(), ec)) {
    throw IoError(journal.dir() + ": exists and is not a journal directory; move it away");
  }
  StartDecision decision;
  if (resume && TileJournal::exists(journal.dir())) {
    check_continuation(journal.stored_config(), config, journal.dir() + "/config.yaml", "--resume", true);
    journal.set_frame_size(config);
    journal.verify();
    journal.write_config(config);  // it may now have more frames
    remove_temporaries(dir);
    decision.start = RunStart::Resumed;
  } else if (resume && fs::exists(run.run_file())) {
    // No journal: the run finished (its journal is removed last), or it predates journals.
    const StoredRun stored = read_run(run.run_file());
    check_continuation(stored.config_yaml, config, run.run_file(), "--resume", true);
    const bool finished = std::isfinite(stored.dimension) &&
                          stored.frames_completed == static_cast<long long>(stored.frames.size());
    if (!finished) {
      throw IoError(dir +
                    ": run.h5 is unfinished and there is no journal to resume it from; pass --overwrite "
                    "to start again");
    }
    if (stored.frames_completed >= config.zoom.frames) {
      decision.start = RunStart::NothingToDo;
      decision.frames_completed = stored.frames_completed;
      decision.stored_dimension = stored.dimension;
      return decision;
    }
    // Extending a finished run: its frames become the journal the run continues from (and are
    // checked against the windows this config gives them, like any journal).
    journal.remove();
    journal.set_frame_size(config);
    for (const FrameResult& frame : stored.frames) journal.on_frame_done(frame);
    journal.write_config(config);  // last: until it exists, the journal holds nothing
    remove_temporaries(dir);
    decision.start = RunStart::Extended;
  } else {
    prepare_output_dir(dir, overwrite);
    journal.remove();  // a journal without its config.yaml (killed while starting) holds nothing
    journal.write_config(config);
    decision.start = RunStart::Fresh;
  }
  return decision;
}

int complete_shard_count(const RunDirectory& run, const std::string& config_path) {
  return complete_shard_count_under(run.shards_root(), "trainscape zoom " + config_path);
}

int complete_shard_count_under(const std::string& root, const std::string& shard_command) {
  std::map<int, std::vector<int>> by_count;  // N -> the I found
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw IoError(root + ": no shards to merge (run " + shard_command + " --shard I/N first)");
  }
  for (const auto& e : fs::directory_iterator(root, ec)) {
    int i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(e.path().filename().c_str(), "shard-%d-of-%d%c", &i, &n, &tail) == 2 && n >= 1 && i >= 0 && i < n &&
        e.path().filename() == RunDirectory::shard_name(i, n)) {
      by_count[n].push_back(i);
    }
  }
  if (by_count.empty()) throw IoError(root + ": no shard-I-of-N directories to merge");
  if (by_count.size() > 1) {
    std::string names;
    for (const auto& [n, is] : by_count) {
      names += (names.empty() ? "" : ", ") + RunDirectory::shard_name(is.front(), n);
    }
    throw IoError(root + ": holds shards of different shard counts (" + names +
                  "); remove the stale set and merge again");
  }
  const int count = by_count.begin()->first;
  std::vector<int> present = by_count.begin()->second;
  std::sort(present.begin(), present.end());
  std::string missing;
  for (int i = 0; i < count; ++i) {
    if (!std::binary_search(present.begin(), present.end(), i)) {
      missing += (missing.empty() ? "" : ", ") + RunDirectory::shard_name(i, count);
    }
  }
  if (!missing.empty()) {
    throw IoError(root + ": missing " + missing + " of " + std::to_string(count) + " shards (run " + shard_command +
                  " --shard I/" + std::to_string(count) + ")");
  }
  return count;
}

}  // namespace trainscape::io
