#pragma once
/// Transects: the outcomes of N points on a segment of the phase space, computed with the zoom's
/// machinery (docs/transect.md). A transect is a frame of 1 x N pixels: the same tiles, the same
/// parallel loop (frame_compute.hpp), the same journal and stop handling, and each point's
/// hyperparameters come from the zoom's own pixel grid (window.hpp), so a transect along a row of
/// an image reproduces that row bit for bit.
#include <atomic>
#include <cstdint>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/dimension/transect.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/observer.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The end points of a transect in log10 coordinates (as windows are).
struct Segment {
  double from_x = 0.0;
  double from_y = 0.0;
  double to_x = 0.0;
  double to_y = 0.0;
};

/// The most points a transect may have: 2^29 + 1 (its indices are ints, as a frame's columns are,
/// and the grid computes 2 i - (N - 1) in an int).
inline constexpr std::int64_t kMaxTransectPoints = (std::int64_t{1} << 29) + 1;

/// N points on a segment, point i at from + (to - from) * i / (N - 1).
class TransectLine {
 public:
  /// Requires 2 <= points <= kMaxTransectPoints (throws std::invalid_argument otherwise).
  /// `scales` are the problem's axis scales (axis_scales(problem)): on a linear axis the
  /// coordinates are the values themselves.
  TransectLine(const Segment& segment, std::int64_t points, AxisScales scales = {});

  const Segment& segment() const { return segment_; }
  int points() const { return points_; }
  /// The window whose corners are `from` (x_min, y_min side) and `to`; its half-widths are
  /// negative where to < from and zero along an axis the segment does not move in.
  const Window& window() const { return grid_.window(); }

  /// log10 coordinates of point i: from + (to - from) * i / (N - 1), exactly `from` at i = 0 and
  /// exactly `to` at i = N - 1.
  double log10_x(int i) const;
  double log10_y(int i) const;
  /// The hyperparameters point i is trained at: pixel (i, i) of the zoom's N x N grid over
  /// window() (Grid::value_x / value_y), so that a transect along a row or column of an image
  /// meets that image's pixels bit for bit.
  HyperPoint point(int i) const { return {grid_.value_x(i), grid_.value_y(i)}; }

 private:
  Segment segment_;
  int points_;
  Grid grid_;
};

/// Throws ConfigError when neighbouring points of `line` would not get distinct hyperparameters
/// in `precision` (the spacing along the segment's longer axis is below min_log10_spacing), or
/// when the segment has zero length.
void check_resolvable(const TransectLine& line, Precision precision);

/// The transect's tiles: runs of tile^2 points (tile = resolve_tile_side(runtime.tile, N, 1)),
/// as many points as a zoom tile of that side holds, so that journal files and the work per tile
/// stay those of a zoom. The last tile is cut short.
int transect_tile_length(const RuntimeConfig& runtime, int points);

/// The config the transect's tiles are seen under by observers and the journal: `config` with a
/// frame of N x 1 pixels (render.resolution), one frame (zoom.frames) and runtime.tile set to
/// transect_tile_length, so that a journal's tile decomposition is the transect's.
RunConfig transect_frame_config(const RunConfig& config, int points);

/// Memory a transect of `points` points plans to hold (the 1 x N frame with the `channels` it
/// stores, the result and its analysis), for refusing one that cannot fit before anything is
/// written.
std::int64_t transect_memory_bytes(std::int64_t points, const ChannelSet& channels = {});

/// A computed transect and its analysis.
struct TransectResult {
  /// False on a process that holds only part of the transect (a shard, or an MPI rank other
  /// than 0): then every vector below is empty and the dimension undefined.
  bool assembled = true;
  std::vector<double> x;  ///< log10 coordinates (TransectLine::log10_x)
  std::vector<double> y;
  std::vector<double> measure;          ///< signed convergence measure (measure.hpp)
  std::vector<std::uint8_t> converged;  ///< 1 = trained
  /// The extra channels of problem.channels (docs/channels.md), one value per point; empty for
  /// the channels the problem does not compute. edge_of_stability comes with sharpness.
  std::vector<std::int64_t> divergence_step;
  std::vector<double> lyapunov;
  std::vector<double> sharpness;
  std::vector<double> edge_of_stability;
  TransectCrossings crossings;  ///< when N = 2^K + 1; empty otherwise
  TransectDimension dimension;  ///< likewise (a note says why when undefined)
};

/// Where earlier results come from, who computes which tile and how a stop is noticed.
struct TransectPlan {
  TileArchive* archive = nullptr;             ///< restores tiles computed before (a journal), or null
  const std::atomic<bool>* cancel = nullptr;  ///< abandons tiles in flight once true, or null
  /// Hands this process its tiles (a shard's share, an MPI rank's draws) and assembles them on
  /// the root; null: this process computes every tile (LocalDistributor).
  TileDistributor* distributor = nullptr;
};

/// Trains the points of `line` with `engine` that the plan's distributor hands this process,
/// tile by tile on runtime.threads threads, and, where the distributor assembles the transect
/// (one process, or MPI rank 0), analyses the classes. Observers see the run as frame 0 of
/// transect_frame_config(config, N): on_run_start, on_frame_start, on_tile_done per computed tile
/// (return false to stop: Interrupted is thrown), and on a shard on_share_done with the shard's
/// tiles (restored and computed). The result does not depend on the thread count, the tile size,
/// the distribution over processes or which tiles were restored. Every channel of
/// problem.channels is computed, restored and returned like the measure.
TransectResult run_transect(const RunConfig& config, const Problem& problem, const Engine& engine,
                            const TransectLine& line, ZoomObserver& observer, const TransectPlan& plan = {},
                            const DimensionOptions& options = {});

}  // namespace trainscape
