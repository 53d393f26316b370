#pragma once
/// The run's HDF5 file (run.h5): everything needed to recompute any image or dimension without
/// training again. Layout (format "trainscape-run", format_version 1; also in the README):
///
///   /                       attrs: format = "trainscape-run" (string), format_version = 1 (int64),
///                                  trainscape_version (string), git_describe (string),
///                                  config (string, the resolved YAML), dimension (float64, the
///                                  median slope pooled over all frames; written when the run ends),
///                                  frames_completed (int64, updated after every frame)
///   /problem                attrs: nonlinearity, precision, phase_space, readout (strings),
///                                  width, depth, target_dim, n_data, steps (int64): the settings
///                                  listed by visit_settings (problem.hpp), plus n_data
///   /problem/X              float64 [N, d]   row-major, one example per row
///   /problem/Y              float64 [N, k]
///   /problem/probe          float64 [1, d]   the probe input (readout: probe)
///   /problem/weights/0 ..   float64, initial W_l as in docs/model.md#initial-weights ([fan_in, fan_out];
///     /problem/weights/{L-1}        W_0 is [d, n])
///   /problem/minibatch_indices  int64 [T, B]   only when training.batch is not full
///   /frames/000000, ...     attrs: x_min, x_max, y_min, y_max (log10, float64),
///                                  centre_x, centre_y, half_x, half_y (log10, float64; exact),
///                                  steps (int64), dimension (float64, the frame's median slope),
///                                  edge_pixels (int64)
///     measure               float64 [rows, cols]  row 0 = y_min, column 0 = x_min
///     converged             uint8   [rows, cols]  1 = trained
///     edges                 uint8   [rows-1, cols-1]
///     divergence_step       int64   [rows, cols]  only with output.channels divergence_step
///     lyapunov              float64 [rows, cols]  only with output.channels lyapunov
///     sharpness             float64 [rows, cols]  only with output.channels sharpness, and then also
///     edge_of_stability     float64 [rows, cols]  max_l lr_l * sharpness / 2 (docs/channels.md)
///     boxcount/sizes        int64   [n_sizes]
///     boxcount/counts       int64   [n_sizes]
///     boxcount/slopes       float64 [n_sizes]
///
/// Files are flushed after every frame, so a killed run usually leaves the frames it finished
/// readable; since HDF5 cannot promise that for a kill in the middle of a write, the run's tile
/// journal (tile_journal.hpp) is the durable record and `trainscape zoom --resume` rebuilds
/// run.h5 from it.
#include <memory>
#include <string>

#include "trainscape/observer.hpp"

namespace trainscape::io {

/// A ZoomObserver that writes run.h5. Creating it creates (truncates) the file.
/// Throws IoError (naming the path and HDF5's reason) when the file cannot be created or written.
class Hdf5RunStore final : public ZoomObserver {
 public:
  explicit Hdf5RunStore(const std::string& path);
  ~Hdf5RunStore() override;
  Hdf5RunStore(const Hdf5RunStore&) = delete;
  Hdf5RunStore& operator=(const Hdf5RunStore&) = delete;

  void on_run_start(const RunConfig& config, const Problem& problem) override;
  void on_frame_done(const FrameResult& frame) override;
  void on_run_done(const ZoomSummary& summary) override;
  /// Closes the file, reporting failure (the destructor closes silently). No call may follow.
  void close();

 private:
  struct Impl;
  /// Keeps a store whose file must not be closed again alive until the process ends.
  static void abandon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// What a run.h5 holds, read back (for tests and for tools that recompute from the store).
struct StoredRun {
  std::string format;
  long long format_version = 0;
  std::string trainscape_version;
  std::string config_yaml;
  double dimension = 0.0;  ///< NaN if the run did not finish
  long long frames_completed = 0;
  Problem problem;                  ///< shapes, X, Y, weights, minibatches, steps, nonlinearity
  std::vector<FrameResult> frames;  ///< every stored frame, in order
};

/// Reads a run.h5 written by Hdf5RunStore. Throws IoError if the file is missing, not HDF5, or
/// not a trainscape run (wrong format attribute / version), naming the path and the problem.
StoredRun read_run(const std::string& path);

}  // namespace trainscape::io
