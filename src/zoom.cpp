#include "trainscape/zoom.hpp"

#include <atomic>
#include <cmath>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "trainscape/error.hpp"

namespace trainscape {

// ---- ObserverList --------------------------------------------------------------------------------

void ObserverList::on_run_start(const RunConfig& c, const Problem& p) {
  for (auto* o : observers_) o->on_run_start(c, p);
}
void ObserverList::on_frame_start(int frame, const Window& w, int tiles) {
  for (auto* o : observers_) o->on_frame_start(frame, w, tiles);
}
bool ObserverList::on_tile_done(int frame, int done, int total, std::int64_t pixel_steps) {
  bool go_on = true;
  for (auto* o : observers_) go_on = o->on_tile_done(frame, done, total, pixel_steps) && go_on;
  return go_on;
}
void ObserverList::on_frame_done(const FrameResult& f) {
  for (auto* o : observers_) o->on_frame_done(f);
}
void ObserverList::on_run_done(const ZoomSummary& s) {
  for (auto* o : observers_) o->on_run_done(s);
}

// ---- computing a frame ---------------------------------------------------------------------------

int resolve_thread_count(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

void compute_measures(const Problem& problem, const Engine& engine, const Grid& grid,
                      const RuntimeConfig& runtime, int frame_index, ZoomObserver& observer,
                      Image<double>& measure, Image<std::uint8_t>& converged) {
  measure = Image<double>(grid.rows(), grid.cols());
  converged = Image<std::uint8_t>(grid.rows(), grid.cols());
  const std::vector<Tile> tiles =
      make_tiles(grid.cols(), grid.rows(), resolve_tile_side(runtime.tile, grid.cols(), grid.rows()));
  const int n_tiles = static_cast<int>(tiles.size());
  const int threads = resolve_thread_count(runtime.threads);

  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  int tiles_done = 0;
  std::int64_t pixel_steps_done = 0;

  // Each tile writes only its own pixels, and each pixel's outcome depends only on its
  // hyperparameters, so neither the thread count nor the schedule can change a bit.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int ti = 0; ti < n_tiles; ++ti) {
    if (stop.load(std::memory_order_relaxed)) continue;
    const Tile& tile = tiles[static_cast<std::size_t>(ti)];
    try {
      std::vector<HyperPoint> points;
      points.reserve(static_cast<std::size_t>(tile.rows) * static_cast<std::size_t>(tile.cols));
      for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
        for (int c = tile.col0; c < tile.col0 + tile.cols; ++c) points.push_back({grid.value_x(c), grid.value_y(r)});
      }
      std::vector<PixelOutcome> outcomes(points.size());
      engine.train(problem, points.data(), points.size(), outcomes.data());
      std::size_t i = 0;
      for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
        for (int c = tile.col0; c < tile.col0 + tile.cols; ++c, ++i) {
          measure(r, c) = outcomes[i].measure;
          converged(r, c) = outcomes[i].converged;
        }
      }
#pragma omp critical(trainscape_progress)
      {
        ++tiles_done;
        pixel_steps_done += static_cast<std::int64_t>(points.size()) * problem.steps;
        if (!observer.on_tile_done(frame_index, tiles_done, n_tiles, pixel_steps_done)) stop = true;
      }
    } catch (...) {
#pragma omp critical(trainscape_failure)
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (stop) {
    throw Interrupted("stopped during frame " + std::to_string(frame_index) + " after " +
                      std::to_string(tiles_done) + " of " + std::to_string(n_tiles) + " tiles");
  }
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

ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine,
                     ZoomObserver& observer) {
  const Window first = Window::from_intervals(config.phase_space.x, config.phase_space.y);
  const int cols = config.render.resolution.cols, rows = config.render.resolution.rows;
  ZoomSummary summary;
  std::vector<BoxCount> boxcounts;
  DimensionAccumulator robust;
  observer.on_run_start(config, problem);

  FrameResult previous;
  for (int k = 0; k < config.zoom.frames; ++k) {
    Window window = first;
    if (k > 0) {
      window = config.zoom.target.automatic ? next_window_auto(previous, config.zoom.factor)
                                            : window_towards(first, config.zoom.target, config.zoom.factor, k);
    }
    check_resolvable(window, cols, rows, problem.precision, "zoom frame " + std::to_string(k));
    const Grid grid(window, cols, rows);
    const int tile_side = resolve_tile_side(config.runtime.tile, cols, rows);
    observer.on_frame_start(k, window, static_cast<int>(make_tiles(cols, rows, tile_side).size()));

    FrameResult frame;
    frame.index = k;
    frame.window = window;
    frame.steps = problem.steps;
    compute_measures(problem, engine, grid, config.runtime, k, observer, frame.measure, frame.converged);
    analyse_frame(frame);
    frame.robust = robust.add_frame(frame.measure);
    observer.on_frame_done(frame);

    summary.windows.push_back(window);
    summary.frame_dimensions.push_back(frame.dimension);
    summary.frame_edge_pixels.push_back(frame.edge_pixels);
    boxcounts.push_back(frame.boxcount);
    previous = std::move(frame);
  }
  summary.dimension = pooled_median_slope(boxcounts);
  summary.robust = robust.sequence();
  observer.on_run_done(summary);
  return summary;
}

}  // namespace trainscape
