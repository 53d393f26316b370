#include "trainscape/zoom.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "trainscape/certification.hpp"
#include "trainscape/dimension/estimators.hpp"
#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/frame_compute.hpp"
#include "trainscape/perturbation.hpp"
#include "trainscape/zoom_path.hpp"

namespace trainscape {

std::int64_t zoom_memory_bytes(int cols, int rows, const ChannelSet& channels) {
  constexpr std::int64_t kBytesPerPixel = 2 * (8 + 1 + 1) + 16 + 6 + 3;
  // Channel images are held for the frame being computed and the previous one (whose pixels a
  // fixed-target zoom copies, channels included).
  const std::int64_t channel_bytes = 2 *
                                     (8 * channels.divergence_step + 8 * channels.lyapunov + 16 * channels.sharpness);
  return static_cast<std::int64_t>(cols) * rows * (kBytesPerPixel + channel_bytes);
}

// ---- the zoom ------------------------------------------------------------------------------------

ZoomSummary run_zoom(const RunConfig& config, const Problem& problem, const Engine& engine, ZoomObserver& observer,
                     const ZoomPlan& plan) {
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

  const bool perturbation = config.training.arithmetic == Arithmetic::Perturbation;
  if (perturbation) {
    const std::string reason = deep::unsupported_reason(problem);
    if (!reason.empty()) {
      throw errors::config_value("training.arithmetic", "perturbation", "is not available with " + reason);
    }
  }
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
    check_resolvable(window, cols, rows, problem.precision, "zoom frame " + std::to_string(k), axis_scales(problem),
                     config.training.arithmetic);
    const Grid grid(window, cols, rows, axis_scales(problem));

    FrameResult frame;
    frame.index = k;
    frame.window = window;
    frame.steps = problem.steps;
    frame.measure = Image<double>(rows, cols);
    frame.converged = Image<std::uint8_t>(rows, cols);
    frame.channels = ChannelImages(problem.channels, rows, cols);
    std::vector<bool> done(tiles.size(), false);
    // Only a process that delivers frames (or keeps its share) needs the restored values.
    const bool load_values = root || !assembles;
    if (plan.archive)
      plan.archive->restore(k, window, tiles, load_values, done, frame.measure, frame.converged, frame.channels);
    const int restored = static_cast<int>(std::count(done.begin(), done.end(), true));
    observer.on_frame_start(k, window, static_cast<int>(tiles.size()), restored);

    // The previous frame is held by the root only, and only once it was assembled (k > 0).
    KnownPixels known;
    if (plan.reuse_known_pixels && assembles && root && k > 0) {
      known = KnownPixels(Grid(previous.window, cols, rows, axis_scales(problem)), previous.measure, previous.converged,
                          previous.channels, grid);
    }
    distributor.begin_frame(k, done);
    std::vector<int> computed;
    if (perturbation) {
      // Every process trains the same references (they depend on the window only) and hands the
      // engine each pixel's offset from the exact centre: the exact pixel coordinate
      // (pixel_coordinate) minus the centre, rounded once. Nothing is reused from the previous
      // frame: its pixels' doubles no longer tell deep pixels apart.
      const Wide cx = window.exact_centre_x(), cy = window.exact_centre_y();
      std::vector<double> offset_x(static_cast<std::size_t>(cols)), offset_y(static_cast<std::size_t>(rows));
      for (int j = 0; j < cols; ++j) offset_x[j] = (pixel_coordinate(cx, window.half_x, j, cols) - cx).head();
      for (int i = 0; i < rows; ++i) offset_y[i] = (pixel_coordinate(cy, window.half_y, i, rows) - cy).head();
      const PixelPoints offsets = [&](int row, int col) { return HyperPoint{offset_x[col], offset_y[row]}; };
      std::unique_ptr<Engine> deep_engine;
      if (std::string(engine.name()) == "reference") {
        deep_engine = std::make_unique<HighPrecisionFrameEngine>(problem, cx, cy);
      } else {
        deep_engine = std::make_unique<deep::PerturbationEngine>(problem, cx, cy, window.half_x, window.half_y);
      }
      computed = compute_tiles(problem, *deep_engine, offsets, tiles, restored, threads, k, distributor, observer,
                               frame.measure, frame.converged, plan.cancel, nullptr, &frame.channels);
      if (const auto* p = dynamic_cast<const deep::PerturbationEngine*>(deep_engine.get())) {
        const deep::PerturbationCounts counts = p->counts();
        frame.certification.glitched_pixels = static_cast<std::int64_t>(counts.glitched);
        frame.certification.continued_pixels = static_cast<std::int64_t>(counts.continued);
        frame.certification.reclassified_pixels = static_cast<std::int64_t>(counts.reclassified);
        frame.certification.counted_pixels = static_cast<std::int64_t>(counts.pixels);
      }
    } else {
      computed = compute_tiles(problem, engine, grid, tiles, restored, threads, k, distributor, observer, frame.measure,
                               frame.converged, plan.cancel, &known, &frame.channels);
    }
    distributor.end_frame(frame.measure, frame.converged, frame.channels);

    if (!assembles) {
      // The share: what this process restored (its own earlier work) and computed now.
      for (int t : computed) done[static_cast<std::size_t>(t)] = true;
      std::vector<TileResult> share;
      for (const Tile& tile : tiles) {
        if (done[static_cast<std::size_t>(tile.index)])
          share.push_back(take_tile(tile, frame.measure, frame.converged, &frame.channels));
      }
      observer.on_share_done(k, window, share);
      continue;
    }
    summary.windows.push_back(window);
    if (!root) continue;

    analyse_frame(frame);
    if (perturbation && config.training.certify_pixels > 0) {
      const Certification counts = frame.certification;
      frame.certification =
          certify_frame(problem, window, frame.measure, frame.converged, config.training.certify_pixels, threads);
      frame.certification.glitched_pixels = counts.glitched_pixels;
      frame.certification.continued_pixels = counts.continued_pixels;
      frame.certification.reclassified_pixels = counts.reclassified_pixels;
      frame.certification.counted_pixels = counts.counted_pixels;
    }
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
