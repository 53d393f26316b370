#include "trainscape/frame_compute.hpp"

#include <mutex>
#include <stdexcept>

#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"

namespace trainscape {

std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel) {
  const int n_tiles = static_cast<int>(tiles.size());
  std::atomic<bool> stop{false};
  std::mutex progress_mutex;
  int tiles_done = restored;
  std::int64_t pixel_steps_done = 0;
  std::vector<int> computed;

  // Each tile writes only its own pixels, and each pixel's outcome depends only on its
  // hyperparameters, so neither the thread count nor the schedule (nor which process computes a
  // tile) can change a bit.
  run_workers(threads, [&] {
    if (stop.load(std::memory_order_relaxed)) return false;
    const int ti = distributor.next_tile();
    if (ti < 0) return false;
    if (ti >= n_tiles) throw std::logic_error("tile distributor handed out a tile beyond the frame");
    TileResult result;
    result.tile = tiles[static_cast<std::size_t>(ti)];
    const Tile& tile = result.tile;
    std::vector<HyperPoint> points;
    points.reserve(static_cast<std::size_t>(tile.rows) * static_cast<std::size_t>(tile.cols));
    for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
      for (int c = tile.col0; c < tile.col0 + tile.cols; ++c) points.push_back({grid.value_x(c), grid.value_y(r)});
    }
    std::vector<PixelOutcome> outcomes(points.size());
    if (cancel == nullptr) {
      engine.train(problem, points.data(), points.size(), outcomes.data());
    } else {
      engine.train_cancellable(problem, points.data(), points.size(), outcomes.data(), *cancel);
      if (cancel->load()) {  // abandoned half way: nothing of this tile may be kept
        stop = true;
        return false;
      }
    }
    result.measure.resize(points.size());
    result.converged.resize(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      result.measure[i] = outcomes[i].measure;
      result.converged[i] = outcomes[i].converged;
    }
    put_tile(result, measure, converged);
    const std::lock_guard<std::mutex> lock(progress_mutex);
    ++tiles_done;
    pixel_steps_done += static_cast<std::int64_t>(points.size()) * problem.steps;
    computed.push_back(ti);
    TileProgress progress;
    progress.frame = frame_index;
    progress.tiles_done = tiles_done;
    progress.tiles_total = n_tiles;
    progress.tiles_restored = restored;
    progress.pixel_steps_done = pixel_steps_done;
    progress.result = &result;
    if (!observer.on_tile_done(progress)) stop = true;
    return !stop.load();
  });
  if (stop) {
    throw Interrupted("stopped during frame " + std::to_string(frame_index) + " after " + std::to_string(tiles_done) +
                      " of " + std::to_string(n_tiles) + " tiles");
  }
  return computed;
}

void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid, const RuntimeConfig& runtime,
                      int frame_index, ZoomObserver& observer, Image<double>& measure, Image<std::uint8_t>& converged) {
  measure = Image<double>(grid.rows(), grid.cols());
  converged = Image<std::uint8_t>(grid.rows(), grid.cols());
  const std::vector<Tile> tiles =
      make_tiles(grid.cols(), grid.rows(), resolve_tile_side(runtime.tile, grid.cols(), grid.rows()));
  LocalDistributor everything;
  everything.begin_frame(frame_index, std::vector<bool>(tiles.size(), false));
  compute_tiles(problem, engine, grid, tiles, 0, resolve_thread_count(runtime.threads), frame_index, everything,
                observer, measure, converged);
}

}  // namespace trainscape
