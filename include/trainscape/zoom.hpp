#pragma once
/// The zoom driver: computes frames tile by tile, analyses them, picks the next window, and
/// hands every result to an observer (observer.hpp); it writes nothing itself.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/frame.hpp"
#include "trainscape/image.hpp"
#include "trainscape/observer.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

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
