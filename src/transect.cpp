#include "trainscape/transect.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

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

std::int64_t transect_memory_bytes(std::int64_t points) {
  // Frame: measure 8 + class 1; result: x, y, measure 24 + class 1; the tiles in flight and the
  // analysis' copies about as much again.
  constexpr std::int64_t kBytesPerPoint = 2 * (8 + 1 + 24 + 1);
  return points * kBytesPerPoint;
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
  ChannelImages no_channels;  // a transect stores measure and class only
  std::vector<bool> done(tiles.size(), false);
  if (plan.archive) plan.archive->restore(0, line.window(), tiles, true, done, measure, converged, no_channels);
  const int restored = static_cast<int>(std::count(done.begin(), done.end(), true));
  observer.on_frame_start(0, line.window(), static_cast<int>(tiles.size()), restored);

  LocalDistributor local;
  local.begin_frame(0, done);
  const PixelPoints points = [&line](int /*row*/, int col) { return line.point(col); };
  compute_tiles(problem, engine, points, tiles, restored, resolve_thread_count(config.runtime.threads), 0, local,
                observer, measure, converged, plan.cancel);

  TransectResult result;
  result.x.resize(static_cast<std::size_t>(n));
  result.y.resize(static_cast<std::size_t>(n));
  result.measure.resize(static_cast<std::size_t>(n));
  result.converged.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto at = static_cast<std::size_t>(i);
    result.x[at] = line.log10_x(i);
    result.y[at] = line.log10_y(i);
    result.measure[at] = measure(0, i);
    result.converged[at] = converged(0, i);
  }
  if (is_dyadic_length(n)) {
    result.crossings = count_crossings(result.converged);
    result.dimension = transect_dimension(result.converged, options);
  } else {
    result.dimension.note = "undefined: the dyadic counts need 2^k + 1 points";
  }
  return result;
}

}  // namespace trainscape
