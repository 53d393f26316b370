#pragma once
/// Frames and the zoom driver. The driver computes frames tile by tile, analyses them, picks the
/// next window, and hands every result to an observer; it writes nothing itself.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/analysis.hpp"
#include "trainscape/config.hpp"
#include "trainscape/dimension.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/image.hpp"
#include "trainscape/tiles.hpp"
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

/// Where a frame's computation stands after one more tile finished.
struct TileProgress {
  int frame = 0;
  int tiles_done = 0;       ///< finished tiles of this frame on this process, restored ones included
  int tiles_total = 0;      ///< tiles of the frame (all processes together)
  int tiles_restored = 0;   ///< of tiles_done, the ones restored from an archive, not computed
  std::int64_t pixel_steps_done = 0;  ///< pixel-steps computed in this frame by this process
  const TileResult* result = nullptr; ///< the tile that just finished
};

/// Receives the run's results and progress. Every method defaults to doing nothing.
/// Methods are never called concurrently; on_tile_done may run on a worker thread (inside a
/// critical section), every other method on the thread that called run_zoom.
/// With several processes (MPI), on_frame_done and on_run_done are called on the root only.
class ZoomObserver {
 public:
  virtual ~ZoomObserver() = default;
  virtual void on_run_start(const RunConfig& /*config*/, const Problem& /*problem*/) {}
  /// `tiles_restored` of the frame's `tiles` come from an archive and will not be computed.
  virtual void on_frame_start(int /*frame*/, const Window& /*window*/, int /*tiles*/,
                              int /*tiles_restored*/) {}
  /// After each tile this process computed. Return false to stop the run at this tile boundary
  /// (the driver then throws Interrupted; finished frames have already been delivered).
  virtual bool on_tile_done(const TileProgress& /*progress*/) { return true; }
  /// When a process that does not assemble frames (a shard) has finished its share of a frame:
  /// `tiles` holds every tile of the share, restored and computed, in index order.
  virtual void on_share_done(int /*frame*/, const Window& /*window*/,
                             const std::vector<TileResult>& /*tiles*/) {}
  virtual void on_frame_done(const FrameResult& /*frame*/) {}
  virtual void on_run_done(const ZoomSummary& /*summary*/) {}
};

/// Several observers, called in the order added.
class ObserverList final : public ZoomObserver {
 public:
  void add(ZoomObserver& o) { observers_.push_back(&o); }
  void on_run_start(const RunConfig& c, const Problem& p) override;
  void on_frame_start(int frame, const Window& w, int tiles, int tiles_restored) override;
  bool on_tile_done(const TileProgress& progress) override;
  void on_share_done(int frame, const Window& window, const std::vector<TileResult>& tiles) override;
  void on_frame_done(const FrameResult& f) override;
  void on_run_done(const ZoomSummary& s) override;

 private:
  std::vector<ZoomObserver*> observers_;
};

/// The number of worker threads for a requested count: `requested` if > 0, else all cores
/// (OpenMP's default team size); 1 in a build without OpenMP.
int resolve_thread_count(int requested);

/// Measures of every pixel of `grid`, computed tile by tile (tiles of side
/// resolve_tile_side(runtime.tile, ...), in parallel over runtime.threads threads, 0 = all). The
/// result does not depend on the thread count or the tile size. Calls observer.on_tile_done after
/// each tile; throws Interrupted if it returns false.
void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid,
                      const RuntimeConfig& runtime, int frame_index, ZoomObserver& observer,
                      Image<double>& measure, Image<std::uint8_t>& converged);

/// The general form: computes the tiles `distributor` hands this process (it has already been
/// told which of `tiles` are `restored`), with `threads` threads, into `measure` / `converged`
/// (sized, and holding the restored tiles' values where this process loaded them). Calls
/// observer.on_tile_done after each computed tile; throws Interrupted if it returns false.
/// Returns the tiles this process computed, in the order they finished.
/// `cancel` (may be null): once true, the tiles in flight are abandoned (Engine::
/// train_cancellable) and Interrupted is thrown, so a stop request takes effect within a training
/// step rather than at the end of a tile.
std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads,
                               int frame_index, TileDistributor& distributor,
                               ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged,
                               const std::atomic<bool>* cancel = nullptr);

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

/// How a run is executed beyond the config: who computes which tiles, and which tiles were
/// computed before. Defaults: this process computes everything, nothing is restored.
struct ZoomPlan {
  TileDistributor* distributor = nullptr;  ///< null: a LocalDistributor
  TileArchive* archive = nullptr;          ///< null: no tile was computed before
  /// Set by another thread or a signal handler to stop now: tiles in flight are abandoned (their
  /// finished neighbours are kept) and run_zoom throws Interrupted. Null: stop only when an
  /// observer's on_tile_done returns false.
  const std::atomic<bool>* cancel = nullptr;
};

/// The windows of all frames when they do not depend on computed frames (a fixed zoom.target);
/// throws ConfigError with target: auto, naming `what_needs_them` in the message.
std::vector<Window> planned_windows(const RunConfig& config, const std::string& what_needs_them);

/// Runs the whole zoom of `config` with `engine`, delivering results to `observer`. Every
/// process of a multi-process run calls it with the same config and its own plan. For each
/// frame: the window (chosen on the root and shared), the tiles restored from plan.archive, the
/// rest computed as plan.distributor hands them out, and on the root the frame assembled,
/// analysed and delivered. The results are the same bits whatever the plan. With a distributor
/// that does not assemble frames (a shard), only the tiles are computed and on_share_done
/// reported; the returned summary is then empty.
ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine,
                     ZoomObserver& observer, const ZoomPlan& plan = {});

}  // namespace trainscape
