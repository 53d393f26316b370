#include "trainscape/observer.hpp"

namespace trainscape {

void ObserverList::on_run_start(const RunConfig& c, const Problem& p) {
  for (auto* o : observers_) o->on_run_start(c, p);
}
void ObserverList::on_frame_start(int frame, const Window& w, int tiles, int tiles_restored) {
  for (auto* o : observers_) o->on_frame_start(frame, w, tiles, tiles_restored);
}
bool ObserverList::on_tile_done(const TileProgress& progress) {
  bool go_on = true;
  for (auto* o : observers_) go_on = o->on_tile_done(progress) && go_on;
  return go_on;
}
void ObserverList::on_share_done(int frame, const Window& window, const std::vector<TileResult>& tiles) {
  for (auto* o : observers_) o->on_share_done(frame, window, tiles);
}
void ObserverList::on_frame_done(const FrameResult& f) {
  for (auto* o : observers_) o->on_frame_done(f);
}
void ObserverList::on_run_done(const ZoomSummary& s) {
  for (auto* o : observers_) o->on_run_done(s);
}

}  // namespace trainscape
