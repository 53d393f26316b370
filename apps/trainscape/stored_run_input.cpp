#include "stored_run_input.hpp"

#include <filesystem>
#include <system_error>

#include "trainscape/dimension/estimators.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/run_directory.hpp"

namespace trainscape::app {

RunInput open_run(const std::string& run_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(run_dir, ec);
  if (!fs::exists(status)) throw errors::no_such_file(run_dir);
  if (!fs::is_directory(status)) {
    throw errors::in_file(run_dir, "not a directory (give the run directory that holds run.h5)");
  }
  RunInput input;
  input.dir = run_dir;
  input.file = io::RunDirectory(run_dir).run_file();
  if (!fs::exists(input.file, ec)) throw errors::no_such_file(input.file);
  input.run = io::read_run(input.file);
  if (input.run.frames.empty()) throw errors::in_file(input.file, "the run holds no finished frame");
  for (const FrameResult& f : input.run.frames) {
    if (f.measure.rows < 2 || f.measure.cols < 2) {
      throw errors::in_file(input.file, "frame " + std::to_string(f.index) + " has a " +
                                            std::to_string(f.measure.cols) + " x " + std::to_string(f.measure.rows) +
                                            " measure (at least 2 x 2 expected)");
    }
  }
  input.config = load_config(input.run.config_yaml, input.file + " (stored config)");
  return input;
}

std::vector<DimensionReport> frame_reports(const RunInput& input, DimensionReport& sequence) {
  const io::StoredDimensions stored = io::read_run_dimensions(input.file);
  bool usable = stored.present && stored.frames.size() == input.run.frames.size();
  for (std::size_t i = 0; usable && i < stored.frame_indices.size(); ++i) {
    usable = stored.frame_indices[i] == input.run.frames[i].index;
  }
  if (usable) {
    sequence = stored.sequence;
    return stored.frames;
  }
  DimensionAccumulator accumulator;
  std::vector<DimensionReport> reports;
  for (const FrameResult& f : input.run.frames) reports.push_back(accumulator.add_frame(f.measure));
  sequence = accumulator.sequence();
  return reports;
}

}  // namespace trainscape::app
