#include "trainscape/transect.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/frame_compute.hpp"

namespace trainscape {

namespace {

int checked_points(std::int64_t points) {
  if (points < 2 || points > kMaxTransectPoints) {
    throw std::invalid_argument("TransectLine: " + std::to_string(points) + " points is outside [2, 2^29 + 1]");
  }
  return static_cast<int>(points);
}

/// from + (to - from) * i / (N - 1), with both ends exact.
double along(double from, double to, int i, int points) {
  if (i == 0) return from;
  if (i == points - 1) return to;
  return from + (to - from) * static_cast<double>(i) / static_cast<double>(points - 1);
}

}  // namespace

TransectLine::TransectLine(const Segment& segment, std::int64_t points, AxisScales scales)
    : segment_(segment),
      points_(checked_points(points)),
      grid_(Window::from_intervals({segment.from_x, segment.to_x}, {segment.from_y, segment.to_y}), points_, points_,
            scales) {}

double TransectLine::log10_x(int i) const { return along(segment_.from_x, segment_.to_x, i, points_); }
double TransectLine::log10_y(int i) const { return along(segment_.from_y, segment_.to_y, i, points_); }

void check_resolvable(const TransectLine& line, Precision precision) {
  const Segment& s = line.segment();
  const double longer = std::max(std::fabs(s.to_x - s.from_x), std::fabs(s.to_y - s.from_y));
  const double spacing = longer / static_cast<double>(line.points() - 1);
  const double limit = min_log10_spacing(precision);
  if (spacing >= limit) return;
  std::ostringstream msg;
  msg.precision(3);
  if (!(longer > 0)) {
    msg << "transect from (" << s.from_x << ", " << s.from_y << ") to itself: --from and --to must differ";
  } else {
    msg << "transect too fine for " << to_string(precision) << " learning rates: point spacing " << spacing
        << " log10 units (" << line.points() << " points over " << longer << ") is below " << limit
        << ", where neighbouring points collapse onto the same value; use fewer points or a longer segment";
  }
  throw ConfigError(msg.str());
}

int transect_tile_length(const RuntimeConfig& runtime, int points) {
  const std::int64_t side = resolve_tile_side(runtime.tile, points, 1);
  return static_cast<int>(std::min<std::int64_t>(side * side, points));
}

std::int64_t transect_memory_bytes(std::int64_t points, const ChannelSet& channels) {
  // Frame: measure 8 + class 1; result: x, y, measure 24 + class 1; each channel 8 in the frame
  // and 8 in the result (sharpness 16 + 16 with edge_of_stability); the tiles in flight and the
  // analysis' copies about as much again.
  const std::int64_t channel_bytes = (channels.divergence_step ? 16 : 0) + (channels.lyapunov ? 16 : 0) +
                                     (channels.sharpness ? 32 : 0);
  const std::int64_t bytes_per_point = 2 * (8 + 1 + 24 + 1 + channel_bytes);
  return points * bytes_per_point;
}

RunConfig transect_frame_config(const RunConfig& config, int points) {
  RunConfig frame = config;
  frame.render.resolution.cols = points;
  frame.render.resolution.rows = 1;
  frame.zoom.frames = 1;
  frame.runtime.tile = transect_tile_length(config.runtime, points);
  return frame;
}

TransectResult run_transect(const RunConfig& config, const Problem& problem, const Engine& engine,
                            const TransectLine& line, ZoomObserver& observer, const TransectPlan& plan,
                            const DimensionOptions& options) {
  const int n = line.points();
  const RunConfig frame_config = transect_frame_config(config, n);
  const std::vector<Tile> tiles = make_tiles(n, 1, frame_config.runtime.tile);
  observer.on_run_start(frame_config, problem);

  Image<double> measure(1, n);
  Image<std::uint8_t> converged(1, n);
  ChannelImages channels(problem.channels, 1, n);
  LocalDistributor local;
  TileDistributor& distributor = plan.distributor ? *plan.distributor : local;
  const bool assembles = distributor.assembles_frames();
  // As in a zoom: only the process that delivers the transect (or keeps a shard's share) loads
  // restored values; under MPI the other ranks' images stay zero for the assembling OR.
  const bool load_values = distributor.is_root() || !assembles;
  std::vector<bool> done(tiles.size(), false);
  if (plan.archive) plan.archive->restore(0, line.window(), tiles, load_values, done, measure, converged, channels);
  const int restored = static_cast<int>(std::count(done.begin(), done.end(), true));
  observer.on_frame_start(0, line.window(), static_cast<int>(tiles.size()), restored);

  distributor.begin_frame(0, done);
  const PixelPoints points = [&line](int /*row*/, int col) { return line.point(col); };
  const std::vector<int> computed = compute_tiles(problem, engine, points, tiles, restored,
                                                  resolve_thread_count(config.runtime.threads), 0, distributor,
                                                  observer, measure, converged, plan.cancel, nullptr, &channels);
  distributor.end_frame(measure, converged, channels);

  TransectResult result;
  if (!assembles) {
    // A shard: its share (what it restored and computed now) goes to the observers (the
    // shard's journal packs it); the transect is assembled by merging the shards.
    for (int t : computed) done[static_cast<std::size_t>(t)] = true;
    std::vector<TileResult> share;
    for (const Tile& tile : tiles) {
      if (done[static_cast<std::size_t>(tile.index)]) share.push_back(take_tile(tile, measure, converged, &channels));
    }
    observer.on_share_done(0, line.window(), share);
  }
  if (!assembles || !distributor.is_root()) {
    result.assembled = false;
    result.dimension.note = "undefined: this process holds only part of the transect";
    return result;
  }
  const auto count = static_cast<std::size_t>(n);
  result.x.resize(count);
  result.y.resize(count);
  for (int i = 0; i < n; ++i) {
    result.x[static_cast<std::size_t>(i)] = line.log10_x(i);
    result.y[static_cast<std::size_t>(i)] = line.log10_y(i);
  }
  // A 1 x N image's data is the N points in order.
  result.measure = std::move(measure.data);
  result.converged = std::move(converged.data);
  result.divergence_step = std::move(channels.divergence_step.data);
  result.lyapunov = std::move(channels.lyapunov.data);
  result.sharpness = std::move(channels.sharpness.data);
  result.edge_of_stability = std::move(channels.edge_of_stability.data);
  if (is_dyadic_length(n)) {
    result.crossings = count_crossings(result.converged);
    result.dimension = transect_dimension(result.converged, options);
  } else {
    result.dimension.note = "undefined: the dyadic counts need 2^k + 1 points";
  }
  return result;
}

}  // namespace trainscape
