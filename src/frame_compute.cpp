#include "trainscape/frame_compute.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <stdexcept>

#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"

namespace trainscape {

namespace {

/// For each of `count` values, the index of the bitwise-equal value among `earlier`, or -1.
template <class ValueAt, class EarlierAt>
std::vector<int> match_values(int count, ValueAt value_at, int earlier_count, EarlierAt earlier_at) {
  std::unordered_map<std::uint64_t, int> index_of;
  for (int j = 0; j < earlier_count; ++j) {
    const double v = earlier_at(j);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    index_of.emplace(bits, j);
  }
  std::vector<int> match(static_cast<std::size_t>(count), -1);
  for (int i = 0; i < count; ++i) {
    const double v = value_at(i);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    const auto it = index_of.find(bits);
    if (it != index_of.end()) match[static_cast<std::size_t>(i)] = it->second;
  }
  return match;
}

}  // namespace

KnownPixels::KnownPixels(const Grid& earlier_grid, const Image<double>& measure, const Image<std::uint8_t>& converged,
                         const ChannelImages& channels, const Grid& grid)
    : measure_(&measure), converged_(&converged), channels_(&channels) {
  earlier_col_ = match_values(
      grid.cols(), [&](int c) { return grid.value_x(c); }, earlier_grid.cols(),
      [&](int c) { return earlier_grid.value_x(c); });
  earlier_row_ = match_values(
      grid.rows(), [&](int r) { return grid.value_y(r); }, earlier_grid.rows(),
      [&](int r) { return earlier_grid.value_y(r); });
}

bool KnownPixels::find(int row, int col, PixelOutcome& out) const {
  if (measure_ == nullptr) return false;
  const int r = earlier_row_[static_cast<std::size_t>(row)];
  const int c = earlier_col_[static_cast<std::size_t>(col)];
  if (r < 0 || c < 0) return false;
  out.measure = (*measure_)(r, c);
  out.converged = (*converged_)(r, c);
  channels_->get(r, c, out);
  return true;
}

std::int64_t KnownPixels::count() const {
  const auto known = [](const std::vector<int>& v) {
    return static_cast<std::int64_t>(std::count_if(v.begin(), v.end(), [](int i) { return i >= 0; }));
  };
  return known(earlier_col_) * known(earlier_row_);
}

std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel,
                               const KnownPixels* known, ChannelImages* channels) {
  const PixelPoints point_at = [&grid](int row, int col) { return HyperPoint{grid.value_x(col), grid.value_y(row)}; };
  return compute_tiles(problem, engine, point_at, tiles, restored, threads, frame_index, distributor, observer, measure,
                       converged, cancel, known, channels);
}

std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const PixelPoints& point_at,
                               const std::vector<Tile>& tiles, int restored, int threads, int frame_index,
                               TileDistributor& distributor, ZoomObserver& observer, Image<double>& measure,
                               Image<std::uint8_t>& converged, const std::atomic<bool>* cancel,
                               const KnownPixels* known, ChannelImages* channels) {
  const ChannelSet held = channels ? channels->stored() : ChannelSet{};
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
    // The tile's pixels in row-major order: known ones are copied, the others trained.
    const std::size_t pixels = static_cast<std::size_t>(tile.rows) * static_cast<std::size_t>(tile.cols);
    result.measure.resize(pixels);
    result.converged.resize(pixels);
    if (held.divergence_step) result.divergence_step.resize(pixels);
    if (held.lyapunov) result.lyapunov.resize(pixels);
    if (held.sharpness) {
      result.sharpness.resize(pixels);
      result.edge_of_stability.resize(pixels);
    }
    // Stores one pixel's outcome at position `i` of the tile.
    const auto keep = [&result, &held](std::size_t i, const PixelOutcome& o) {
      result.measure[i] = o.measure;
      result.converged[i] = o.converged;
      if (held.divergence_step) result.divergence_step[i] = o.divergence_step;
      if (held.lyapunov) result.lyapunov[i] = o.lyapunov;
      if (held.sharpness) {
        result.sharpness[i] = o.sharpness;
        result.edge_of_stability[i] = o.edge_of_stability;
      }
    };
    std::vector<HyperPoint> points;
    std::vector<std::size_t> trained_at;  // position in the tile of each trained point
    points.reserve(pixels);
    trained_at.reserve(pixels);
    std::size_t at = 0;
    for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
      for (int c = tile.col0; c < tile.col0 + tile.cols; ++c, ++at) {
        PixelOutcome copy;
        if (known != nullptr && known->find(r, c, copy)) {
          keep(at, copy);
        } else {
          points.push_back(point_at(r, c));
          trained_at.push_back(at);
        }
      }
    }
    std::vector<PixelOutcome> outcomes(points.size());
    if (points.empty()) {
      // every pixel known: nothing to train
    } else if (cancel == nullptr) {
      engine.train(problem, points.data(), points.size(), outcomes.data());
    } else {
      engine.train_cancellable(problem, points.data(), points.size(), outcomes.data(), *cancel);
      if (cancel->load()) {  // abandoned half way: nothing of this tile may be kept
        stop = true;
        return false;
      }
    }
    for (std::size_t i = 0; i < points.size(); ++i) keep(trained_at[i], outcomes[i]);
    put_tile(result, measure, converged, channels);
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
