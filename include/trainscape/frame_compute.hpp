#pragma once
/// Computing one frame's measures tile by tile, in parallel (execution.hpp), with the tiles a
/// distributor hands this process. The result never depends on the thread count, the tile size
/// or which process computed which tile.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/image.hpp"
#include "trainscape/observer.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The pixels of a frame whose outcome an earlier frame already holds: those whose two
/// hyperparameters equal, bit for bit, the hyperparameters of one of the earlier frame's pixels.
/// Every engine's outcome depends only on a pixel's hyperparameters, so copying such a pixel gives
/// the same bits as training it again, and a frame computed with reuse is identical to one
/// computed without. When grids align: a fixed-target zoom with an odd number of columns (rows)
/// about the same centre, with a zoom factor that divides the half-widths exactly (a power of 2):
/// then every second pixel of the central 1/factor of the earlier frame lands on a pixel of the
/// next one, a quarter of its pixels for factor 2 (docs/model.md#zoom). Elsewhere few or no
/// pixels match, and nothing is reused.
class KnownPixels {
 public:
  /// Knows nothing.
  KnownPixels() = default;
  /// The pixels of `grid` found in `earlier_grid`, whose measures are `measure` / `converged`
  /// and channels `channels` (earlier_grid's size; they must outlive this object).
  KnownPixels(const Grid& earlier_grid, const Image<double>& measure, const Image<std::uint8_t>& converged,
              const ChannelImages& channels, const Grid& grid);
  /// If pixel (row, col) is known, writes its outcome and returns true.
  bool find(int row, int col, PixelOutcome& out) const;
  /// How many pixels of the frame are known.
  std::int64_t count() const;

 private:
  std::vector<int> earlier_col_;  ///< per column of the frame: the earlier column with the same x, or -1
  std::vector<int> earlier_row_;  ///< likewise per row
  const Image<double>* measure_ = nullptr;
  const Image<std::uint8_t>* converged_ = nullptr;
  const ChannelImages* channels_ = nullptr;
};

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
/// step rather than at the end of a tile. `known` (may be null): pixels copied instead of trained
/// (the same bits; TileProgress::pixel_steps_done counts only trained pixels). `channels` (may be
/// null): the frame's channel images, filled like measure (and each TileResult carries them).
std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel = nullptr,
                               const KnownPixels* known = nullptr, ChannelImages* channels = nullptr);

/// Where pixel (row, col) of a frame lies in hyperparameter space: for an image, the grid's
/// (value_x(col), value_y(row)); for a transect (transect.hpp), its point `col`.
using PixelPoints = std::function<HyperPoint(int row, int col)>;

/// compute_tiles for a frame whose pixels are not a grid's (a transect's 1 x N strip): pixel
/// (row, col) is trained at point_at(row, col). The same loop, with the same guarantees.
std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const PixelPoints& point_at,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel = nullptr,
                               const KnownPixels* known = nullptr, ChannelImages* channels = nullptr);

}  // namespace trainscape
