#include "trainscape/zoom.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>

#include "trainscape/dimension/estimators.hpp"
#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"

namespace trainscape {

// ---- computing a frame ---------------------------------------------------------------------------

std::vector<int> compute_tiles(const Problem& problem, const Engine& engine, const Grid& grid,
                               const std::vector<Tile>& tiles, int restored, int threads,
                               int frame_index, TileDistributor& distributor,
                               ZoomObserver& observer, Image<double>& measure,
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
    throw Interrupted("stopped during frame " + std::to_string(frame_index) + " after " +
                      std::to_string(tiles_done) + " of " + std::to_string(n_tiles) + " tiles");
  }
  return computed;
}

void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid,
                      const RuntimeConfig& runtime, int frame_index, ZoomObserver& observer,
                      Image<double>& measure, Image<std::uint8_t>& converged) {
  measure = Image<double>(grid.rows(), grid.cols());
  converged = Image<std::uint8_t>(grid.rows(), grid.cols());
  const std::vector<Tile> tiles =
      make_tiles(grid.cols(), grid.rows(), resolve_tile_side(runtime.tile, grid.cols(), grid.rows()));
  LocalDistributor everything;
  everything.begin_frame(frame_index, std::vector<bool>(tiles.size(), false));
  compute_tiles(problem, engine, grid, tiles, 0, resolve_thread_count(runtime.threads), frame_index,
                everything, observer, measure, converged);
}

void analyse_frame(FrameResult& frame) {
  frame.edges = edge_mask(frame.measure);
  frame.edge_pixels = 0;
  for (std::uint8_t e : frame.edges.data) frame.edge_pixels += e ? 1 : 0;
  frame.boxcount = porespy_boxcount(frame.edges);
  frame.dimension = numpy_median(frame.boxcount.slopes);
}

// ---- choosing windows ----------------------------------------------------------------------------

Window next_window_auto(const FrameResult& frame, double factor) {
  const Image<std::uint8_t>& edges = frame.edges;
  if (frame.edge_pixels == 0) {
    throw NumericalError("frame " + std::to_string(frame.index) +
                         " has no boundary pixel, so target: auto cannot choose where to zoom; "
                         "widen the window or give zoom.target as [x, y]");
  }
  const int cols = frame.measure.cols, rows = frame.measure.rows;
  // The new window spans this many pixel spacings of the current frame.
  const double span_x = (cols - 1) / factor, span_y = (rows - 1) / factor;
  // Edge cells (between pixels) entirely inside a candidate whose lower-left pixel is (r0, c0).
  const int cells_x = std::max(1, static_cast<int>(std::floor(span_x)));
  const int cells_y = std::max(1, static_cast<int>(std::floor(span_y)));
  const int last_c0 = std::max(0, static_cast<int>(std::floor((cols - 1) - span_x)));
  const int last_r0 = std::max(0, static_cast<int>(std::floor((rows - 1) - span_y)));

  // Summed-area table of the edge mask: sat(i, j) = edges in rows < i, cols < j.
  const int er = edges.rows, ec = edges.cols;
  std::vector<std::int64_t> sat(static_cast<std::size_t>(er + 1) * (ec + 1), 0);
  auto at = [&](int i, int j) -> std::int64_t& { return sat[static_cast<std::size_t>(i) * (ec + 1) + j]; };
  for (int i = 0; i < er; ++i) {
    for (int j = 0; j < ec; ++j) at(i + 1, j + 1) = at(i, j + 1) + at(i + 1, j) - at(i, j) + (edges(i, j) ? 1 : 0);
  }

  std::int64_t best_count = -1;
  double best_distance = 0.0;
  int best_r0 = 0, best_c0 = 0;
  const double mid_x = 0.5 * (cols - 1), mid_y = 0.5 * (rows - 1);
  for (int r0 = 0; r0 <= last_r0; ++r0) {
    const int r1 = std::min(er, r0 + cells_y);
    for (int c0 = 0; c0 <= last_c0; ++c0) {
      const int c1 = std::min(ec, c0 + cells_x);
      const std::int64_t count = at(r1, c1) - at(r0, c1) - at(r1, c0) + at(r0, c0);
      const double dx = c0 + 0.5 * span_x - mid_x, dy = r0 + 0.5 * span_y - mid_y;
      const double distance = dx * dx + dy * dy;
      if (count > best_count || (count == best_count && distance < best_distance)) {
        best_count = count;
        best_distance = distance;
        best_r0 = r0;
        best_c0 = c0;
      }
    }
  }

  const Window& w = frame.window;
  Window next;
  // Offsets from the current centre, in the current frame's log10 units.
  next.centre_x = w.centre_x + w.half_x * (2.0 * (best_c0 + 0.5 * span_x) - (cols - 1)) / (cols - 1);
  next.centre_y = w.centre_y + w.half_y * (2.0 * (best_r0 + 0.5 * span_y) - (rows - 1)) / (rows - 1);
  next.half_x = w.half_x / factor;
  next.half_y = w.half_y / factor;
  return next;
}

Window window_towards(const Window& first, const ZoomTarget& target, double factor, int k) {
  Window w;
  w.centre_x = target.x;
  w.centre_y = target.y;
  const double shrink = std::pow(factor, k);
  w.half_x = first.half_x / shrink;
  w.half_y = first.half_y / shrink;
  return w;
}

std::int64_t zoom_memory_bytes(int cols, int rows) {
  constexpr std::int64_t kBytesPerPixel = 2 * (8 + 1 + 1) + 16 + 6 + 3;
  return static_cast<std::int64_t>(cols) * rows * kBytesPerPixel;
}

// ---- the zoom ------------------------------------------------------------------------------------

std::vector<Window> planned_windows(const RunConfig& config, const std::string& what_needs_them) {
  if (config.zoom.target.automatic) {
    throw errors::config_value("zoom.target", "auto",
                               what_needs_them + " needs every frame's window in advance, but auto chooses each "
                                                 "from the previous frame; give zoom.target as [x, y]");
  }
  const Window first = Window::from_intervals(config.phase_space.x, config.phase_space.y);
  std::vector<Window> windows;
  for (int k = 0; k < config.zoom.frames; ++k) {
    windows.push_back(k == 0 ? first : window_towards(first, config.zoom.target, config.zoom.factor, k));
  }
  return windows;
}

ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine,
                     ZoomObserver& observer, const ZoomPlan& plan) {
  LocalDistributor local;
  TileDistributor& distributor = plan.distributor ? *plan.distributor : local;
  const bool assembles = distributor.assembles_frames();
  const bool root = distributor.is_root();
  const std::vector<Window> fixed = assembles ? std::vector<Window>{} : planned_windows(config, distributor.describe());

  const Window first = Window::from_intervals(config.phase_space.x, config.phase_space.y);
  const int cols = config.render.resolution.cols, rows = config.render.resolution.rows;
  const std::vector<Tile> tiles = make_tiles(cols, rows, resolve_tile_side(config.runtime.tile, cols, rows));
  const int threads = resolve_thread_count(config.runtime.threads);
  ZoomSummary summary;
  std::vector<BoxCount> boxcounts;
  DimensionAccumulator robust;
  observer.on_run_start(config, problem);

  FrameResult previous;
  for (int k = 0; k < config.zoom.frames; ++k) {
    Window window = first;
    if (!assembles) {
      window = fixed[static_cast<std::size_t>(k)];
    } else if (k > 0) {
      if (!config.zoom.target.automatic) {
        window = window_towards(first, config.zoom.target, config.zoom.factor, k);
      } else {
        // Only the root holds the previous frame; it chooses and every process takes its choice.
        if (root) window = next_window_auto(previous, config.zoom.factor);
        distributor.share_window(window);
      }
    }
    check_resolvable(window, cols, rows, problem.precision, "zoom frame " + std::to_string(k));
    const Grid grid(window, cols, rows);

    FrameResult frame;
    frame.index = k;
    frame.window = window;
    frame.steps = problem.steps;
    frame.measure = Image<double>(rows, cols);
    frame.converged = Image<std::uint8_t>(rows, cols);
    std::vector<bool> done(tiles.size(), false);
    // Only a process that delivers frames (or keeps its share) needs the restored values.
    const bool load_values = root || !assembles;
    if (plan.archive) plan.archive->restore(k, window, tiles, load_values, done, frame.measure, frame.converged);
    const int restored = static_cast<int>(std::count(done.begin(), done.end(), true));
    observer.on_frame_start(k, window, static_cast<int>(tiles.size()), restored);

    distributor.begin_frame(k, done);
    const std::vector<int> computed = compute_tiles(problem, engine, grid, tiles, restored, threads, k, distributor,
                                                    observer, frame.measure, frame.converged, plan.cancel);
    distributor.end_frame(frame.measure, frame.converged);

    if (!assembles) {
      // The share: what this process restored (its own earlier work) and computed now.
      for (int t : computed) done[static_cast<std::size_t>(t)] = true;
      std::vector<TileResult> share;
      for (const Tile& tile : tiles) {
        if (done[static_cast<std::size_t>(tile.index)]) share.push_back(take_tile(tile, frame.measure, frame.converged));
      }
      observer.on_share_done(k, window, share);
      continue;
    }
    summary.windows.push_back(window);
    if (!root) continue;

    analyse_frame(frame);
    frame.robust = robust.add_frame(frame.measure);
    observer.on_frame_done(frame);

    summary.frame_dimensions.push_back(frame.dimension);
    summary.frame_edge_pixels.push_back(frame.edge_pixels);
    boxcounts.push_back(frame.boxcount);
    previous = std::move(frame);
  }
  if (assembles && root) {
    summary.dimension = pooled_median_slope(boxcounts);
    summary.robust = robust.sequence();
    observer.on_run_done(summary);
  }
  return summary;
}

}  // namespace trainscape
