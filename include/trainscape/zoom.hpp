#pragma once
/// The zoom driver: for each frame, its window (zoom_path.hpp), its tiles restored or computed
/// (frame_compute.hpp), the frame analysed (frame.hpp), and every result handed to an observer
/// (observer.hpp); it writes nothing itself.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/frame.hpp"
#include "trainscape/frame_compute.hpp"
#include "trainscape/image.hpp"
#include "trainscape/observer.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"
#include "trainscape/zoom_path.hpp"

namespace trainscape {

/// Upper estimate of the memory a zoom of cols x rows frames holds at once, in bytes: the frame
/// being computed and the previous one (measure 8 B, class 1 B, edges 1 B per pixel each), and
/// colouring and encoding one frame (equalised values and a sorted copy 16 B, RGB twice 6 B, the
/// PNG up to 3 B per pixel), about 45 B per pixel, plus 8 B per pixel in both frames for each
/// stored channel image (divergence_step, lyapunov, sharpness with edge_of_stability: 16 B).
/// Used to refuse a resolution before allocating.
std::int64_t zoom_memory_bytes(int cols, int rows, const ChannelSet& channels);

/// How a run is executed beyond the config: who computes which tiles, and which tiles were
/// computed before. Defaults: this process computes everything, nothing is restored.
struct ZoomPlan {
  TileDistributor* distributor = nullptr;  ///< null: a LocalDistributor
  TileArchive* archive = nullptr;          ///< null: no tile was computed before
  /// Set by another thread or a signal handler to stop now: tiles in flight are abandoned (their
  /// finished neighbours are kept) and run_zoom throws Interrupted. Null: stop only when an
  /// observer's on_tile_done returns false.
  const std::atomic<bool>* cancel = nullptr;
  /// Copy, instead of training, the pixels whose hyperparameters equal those of a pixel of the
  /// previous frame (KnownPixels): the same bits, less work for aligned fixed-target zooms. Only
  /// a process that holds the previous frame (the root) can copy; the others train those pixels
  /// and get the same bits. Off only to test that it changes nothing.
  bool reuse_known_pixels = true;
};

/// Runs the whole zoom of `config` with `engine`, delivering results to `observer`. Every
/// process of a multi-process run calls it with the same config and its own plan. For each
/// frame: the window (chosen on the root and shared), the tiles restored from plan.archive, the
/// rest computed as plan.distributor hands them out, and on the root the frame assembled,
/// analysed and delivered. The results are the same bits whatever the plan. With a distributor
/// that does not assemble frames (a shard), only the tiles are computed and on_share_done
/// reported; the returned summary is then empty.
ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine, ZoomObserver& observer,
                     const ZoomPlan& plan = {});

}  // namespace trainscape
