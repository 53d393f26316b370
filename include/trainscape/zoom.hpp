#pragma once
/// Frames and the zoom driver. The driver computes frames tile by tile, analyses them, picks the
/// next window, and hands every result to an observer; it writes nothing itself.
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/analysis.hpp"
#include "trainscape/config.hpp"
#include "trainscape/dimension.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/image.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// One computed and analysed frame. Row 0 = y_min, column 0 = x_min.
struct FrameResult {
  int index = 0;                     ///< 0-based position in the zoom sequence
  Window window;                     ///< log10 window
  int steps = 0;                     ///< training steps per pixel
  Image<double> measure;             ///< rows x cols signed convergence measure
  Image<std::uint8_t> converged;     ///< rows x cols, 1 = trained
  Image<std::uint8_t> edges;         ///< (rows-1) x (cols-1) boundary mask
  BoxCount boxcount;                 ///< porespy box counts of the edge mask
  double dimension = 0.0;            ///< numpy median of boxcount.slopes (NaN without boundary)
  std::int64_t edge_pixels = 0;      ///< number of set pixels in `edges`
  DimensionReport robust;            ///< porespy median, box-count fit and pair estimator with
                                     ///< error bars (dimension.hpp)
};

/// Result of a whole zoom run.
struct ZoomSummary {
  std::vector<Window> windows;         ///< one per frame
  std::vector<double> frame_dimensions;
  std::vector<std::int64_t> frame_edge_pixels;
  double dimension = 0.0;              ///< median of all frames' slopes pooled (the paper's number)
  DimensionReport robust;              ///< the robust estimators over all frames, with error bars
};

/// Receives the run's results and progress. Every method defaults to doing nothing.
/// Methods are never called concurrently; on_tile_done may run on a worker thread (inside a
/// critical section), every other method on the thread that called run_zoom.
class ZoomObserver {
 public:
  virtual ~ZoomObserver() = default;
  virtual void on_run_start(const RunConfig& /*config*/, const Problem& /*problem*/) {}
  virtual void on_frame_start(int /*frame*/, const Window& /*window*/, int /*tiles*/) {}
  /// After each finished tile. Return false to stop the run at this tile boundary (the driver
  /// then throws Interrupted; finished frames have already been delivered).
  virtual bool on_tile_done(int /*frame*/, int /*tiles_done*/, int /*tiles_total*/,
                            std::int64_t /*pixel_steps_done*/) {
    return true;
  }
  virtual void on_frame_done(const FrameResult& /*frame*/) {}
  virtual void on_run_done(const ZoomSummary& /*summary*/) {}
};

/// Several observers, called in the order added.
class ObserverList final : public ZoomObserver {
 public:
  void add(ZoomObserver& o) { observers_.push_back(&o); }
  void on_run_start(const RunConfig& c, const Problem& p) override;
  void on_frame_start(int frame, const Window& w, int tiles) override;
  bool on_tile_done(int frame, int done, int total, std::int64_t pixel_steps) override;
  void on_frame_done(const FrameResult& f) override;
  void on_run_done(const ZoomSummary& s) override;

 private:
  std::vector<ZoomObserver*> observers_;
};

/// The number of worker threads for a requested count: `requested` if > 0, else all cores
/// (OpenMP's default team size); 1 in a build without OpenMP.
int resolve_thread_count(int requested);

/// Measures of every pixel of `grid`, computed tile by tile (tiles of side
/// resolve_tile_side(runtime.tile, ...), in
/// parallel over runtime.threads threads, 0 = all). The result does not depend on the thread
/// count or the tile size. Calls observer.on_tile_done after each tile; throws Interrupted if it
/// returns false.
void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid,
                      const RuntimeConfig& runtime, int frame_index, ZoomObserver& observer,
                      Image<double>& measure, Image<std::uint8_t>& converged);

/// Fills edges, boxcount, dimension and edge_pixels of a frame from its measure (not `robust`,
/// which needs the sequence: see DimensionAccumulator).
void analyse_frame(FrameResult& frame);

/// The window of frame k+1 with target: auto. Its size is the current one divided by `factor`;
/// its centre is chosen on the current frame's pixel grid so that the new window, kept inside
/// the current one, covers as many edge pixels as possible. Ties go to the candidate nearest the
/// current centre, then to the lowest row, then the lowest column, so the choice is
/// deterministic. Throws NumericalError when the frame has no edge pixel.
Window next_window_auto(const FrameResult& frame, double factor);

/// The window of frame k (k >= 1) with a fixed target: centred on the target, half-widths of
/// the first window divided by factor^k.
Window window_towards(const Window& first, const ZoomTarget& target, double factor, int k);

/// Upper estimate of the memory a zoom of cols x rows frames holds at once, in bytes: the frame
/// being computed and the previous one (measure 8 B, class 1 B, edges 1 B per pixel each), and
/// colouring and encoding one frame (equalised values and a sorted copy 16 B, RGB twice 6 B, the
/// PNG up to 3 B per pixel), about 45 B per pixel. Used to refuse a resolution before allocating.
std::int64_t zoom_memory_bytes(int cols, int rows);

/// Runs the whole zoom of `config` with `engine`, delivering results to `observer`.
ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine,
                     ZoomObserver& observer);

}  // namespace trainscape
