#pragma once
/// How results and progress leave a run: the driver calls a ZoomObserver; the app wires up
/// observers that write files or draw progress (the library itself writes nothing).
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/frame.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// Receives the run's results and progress. Every method defaults to doing nothing.
/// Methods are never called concurrently; on_tile_done may run on a worker thread (inside a
/// critical section), every other method on the thread that called run_zoom.
/// With several processes (MPI), on_frame_done and on_run_done are called on the root only.
class ZoomObserver {
 public:
  virtual ~ZoomObserver() = default;
  virtual void on_run_start(const RunConfig& /*config*/, const Problem& /*problem*/) {}
  /// `tiles_restored` of the frame's `tiles` come from an archive and will not be computed.
  virtual void on_frame_start(int /*frame*/, const Window& /*window*/, int /*tiles*/, int /*tiles_restored*/) {}
  /// After each tile this process computed. Return false to stop the run at this tile boundary
  /// (the driver then throws Interrupted; finished frames have already been delivered).
  virtual bool on_tile_done(const TileProgress& /*progress*/) { return true; }
  /// When a process that does not assemble frames (a shard) has finished its share of a frame:
  /// `tiles` holds every tile of the share, restored and computed, in index order.
  virtual void on_share_done(int /*frame*/, const Window& /*window*/, const std::vector<TileResult>& /*tiles*/) {}
  virtual void on_frame_done(const FrameResult& /*frame*/) {}
  virtual void on_run_done(const ZoomSummary& /*summary*/) {}
};

/// Several observers, called in the order added.
class ObserverList final : public ZoomObserver {
 public:
  void add(ZoomObserver& o) { observers_.push_back(&o); }
  void on_run_start(const RunConfig& c, const Problem& p) override;
  void on_frame_start(int frame, const Window& w, int tiles, int tiles_restored) override;
  bool on_tile_done(const TileProgress& progress) override;
  void on_share_done(int frame, const Window& window, const std::vector<TileResult>& tiles) override;
  void on_frame_done(const FrameResult& f) override;
  void on_run_done(const ZoomSummary& s) override;

 private:
  std::vector<ZoomObserver*> observers_;
};

}  // namespace trainscape
