#pragma once
/// The sinks the command-line tool wires into a zoom run: PNG frames, a progress line on stderr,
/// and the summary on stdout. (The HDF5 store lives in the io library, since tests and other
/// tools read it back.)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "trainscape/observer.hpp"

namespace trainscape::app {

/// The config text a frame PNG carries: the resolved config's scientific sections only (not
/// runtime.* or output.*), so that a frame's bytes do not depend on how it was computed.
std::string png_config_text(const RunConfig& config);

/// The tEXt chunks of frame `frame`'s PNG (software, version, frame index, exact window, config
/// text), in the order the zoom writes them; `render` appends its own after these.
std::vector<std::pair<std::string, std::string>> frame_png_text(const FrameResult& frame,
                                                                const std::string& config_text);

/// Writes <dir>/frame_NNN.png (io::RunDirectory::frame_png) for every frame, coloured like the paper, with the resolved
/// config's scientific sections (not runtime.* or output.*, so that a frame's bytes do not depend
/// on how it was computed), the window and the version in tEXt chunks.
class PngFrameWriter final : public ZoomObserver {
 public:
  explicit PngFrameWriter(std::string dir) : dir_(std::move(dir)) {}
  void on_run_start(const RunConfig& config, const Problem& problem) override;
  void on_frame_done(const FrameResult& frame) override;

 private:
  std::string dir_;
  std::string config_yaml_;
};

/// One self-rewriting line on a terminal: frame, tiles done, rate, ETA. Also the place where a
/// stop request (signal) is noticed: on_tile_done returns false once `stop` is set.
class ProgressDisplay final : public ZoomObserver {
 public:
  /// `enabled` = draw the line (stderr is a terminal and not -q); `stop` may be set at any time.
  ProgressDisplay(bool enabled, const std::atomic<int>& stop) : enabled_(enabled), stop_(stop) {}
  void on_run_start(const RunConfig& config, const Problem& problem) override;
  void on_frame_start(int frame, const Window& window, int tiles, int tiles_restored) override;
  bool on_tile_done(const TileProgress& progress) override;
  void on_frame_done(const FrameResult& frame) override;

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  const std::atomic<int>& stop_;
  int frames_ = 0;
  std::int64_t pixel_steps_per_frame_ = 0;
  std::int64_t computed_before_frame_ = 0;   ///< pixel-steps computed in earlier frames this time
  std::int64_t restored_ = 0;                ///< pixel-steps restored from a journal so far
  std::int64_t last_frame_pixel_steps_ = 0;  ///< computed so far in the current frame
  Clock::time_point run_start_;
  Clock::time_point last_draw_;
};

/// Prints, on stdout, one line per finished frame (window, edge pixels, dimension) and the
/// sequence's dimension at the end.
class SummaryPrinter final : public ZoomObserver {
 public:
  explicit SummaryPrinter(std::FILE* out) : out_(out) {}
  void on_run_start(const RunConfig& config, const Problem& problem) override;
  void on_frame_done(const FrameResult& frame) override;
  void on_run_done(const ZoomSummary& summary) override;

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace trainscape::app
