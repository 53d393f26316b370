#pragma once
/// Computing one frame's measures tile by tile, in parallel (execution.hpp), with the tiles a
/// distributor hands this process. The result never depends on the thread count, the tile size
/// or which process computed which tile.
#include <atomic>
#include <cstdint>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
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
void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid, const RuntimeConfig& runtime,
                      int frame_index, ZoomObserver& observer, Image<double>& measure, Image<std::uint8_t>& converged);

/// The general form: computes the tiles `distributor` hands this process (it has already been
/// told which of `tiles` are `restored`), with `threads` threads, into `measure` / `converged`
/// (sized, and holding the restored tiles' values where this process loaded them). Calls
/// observer.on_tile_done after each computed tile; throws Interrupted if it returns false.
/// Returns the tiles this process computed, in the order they finished.
/// `cancel` (may be null): once true, the tiles in flight are abandoned (Engine::
/// train_cancellable) and Interrupted is thrown, so a stop request takes effect within a training
/// step rather than at the end of a tile.
std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel = nullptr);

}  // namespace trainscape
