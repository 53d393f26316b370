#pragma once
/// The zoom movie's geometry, timing and compositing (docs/watch.md#the-movie), pure computation:
/// the command in apps/trainscape/commands/movie.cpp feeds the frames to an encoder, and the
/// viewer (commands/view.cpp) repeats the same rules in its script.
///
/// Between keyframes k and k+1 (windows W_k, W_{k+1}) the view follows the similarity map that
/// takes W_k onto W_{k+1}: its half-widths shrink by the constant ratio r = h_{k+1} / h_k per
/// step, i.e. by r^(1/N) per video frame, about the map's fixed point, so the view is exactly
/// W_k at phase 0 and exactly W_{k+1} at phase 1, for any target (fixed or auto).
#include <array>
#include <cstdint>
#include <vector>

#include "trainscape/image.hpp"
#include "trainscape/palette.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// Where the zoom stands in a video frame: between keyframe `key` and key + 1 at `phase` in
/// [0, 1); phase 0 is keyframe `key` itself.
struct ZoomPosition {
  int key = 0;
  double phase = 0.0;
};

/// How many video frames show what. Length in frames: (keyframes - 1) * frames_per_step +
/// 2 * hold_frames, i.e. (keyframes - 1) x seconds-per-step + 2 x hold seconds.
struct MovieTiming {
  int keyframes = 0;
  int frames_per_step = 0;  ///< video frames from one keyframe to the next
  int hold_frames = 0;      ///< video frames the first (and the last) keyframe is held
  bool reverse = false;     ///< zoom out: the last keyframe first

  int total_frames() const { return (keyframes - 1) * frames_per_step + 2 * hold_frames; }
  /// The position shown in video frame n (0 <= n < total_frames()). Frame hold + k * N shows
  /// keyframe k exactly; the frames before the first of these show keyframe 0, those after the
  /// last show the last keyframe, and the final frame always shows the last keyframe (also
  /// without a hold). `reverse` runs the same frames backwards: the last keyframe comes first.
  ZoomPosition position(int n) const;
};

/// The timing for `keyframes` stored frames at `fps` frames per second, `seconds_per_step`
/// seconds from one keyframe to the next and `hold` seconds on each end. Throws UsageError
/// (naming the option) unless fps * seconds_per_step is a whole number >= 1, fps * hold a whole
/// number >= 0 (within 1e-9) and the movie has at least one frame.
MovieTiming movie_timing(int keyframes, double fps, double seconds_per_step, double hold, bool reverse);

/// The view at `phase` between windows `from` and `to` (log10 units): its centre as an offset
/// from `from`'s centre (kept as an offset so deep zooms keep their digits) and its half-widths.
/// Per axis, with d = to.centre - from.centre and r = to.half / from.half: half = from.half *
/// r^phase, offset = d * (1 - r^phase) / (1 - r) (d * phase when r == 1). Phase 0 gives `from`
/// exactly (offset 0, the same half-widths); phase 1 gives `to`.
struct ViewWindow {
  double offset_x = 0.0;
  double offset_y = 0.0;
  double half_x = 0.0;
  double half_y = 0.0;
};
ViewWindow view_between(const Window& from, const Window& to, double phase);

/// sin^2(pi / 2 * phase): the weight of the next keyframe's colour stretch at `phase`, so the
/// palette eases from one keyframe's stretch to the next without a jump in speed at either end.
double stretch_ease(double phase);

/// Renders video frames from stored keyframes. Each keyframe pixel is coloured through its
/// equalised value and the keyframe resampled bilinearly in colour (never as nearest-neighbour
/// blocks); between keyframes k and k+1 the colours use the stretch (1 - e) S_k + e S_{k+1}
/// with e = stretch_ease(phase), and
/// keyframe k+1 is laid over keyframe k where it covers the view, faded in with opacity = phase.
/// Pixels outside every keyframe take the nearest keyframe edge. At phase 0 (and frame size
/// equal to the keyframe's) a video frame is paint() of that keyframe with its own stretch, bit
/// for bit.
class MovieRenderer {
 public:
  /// `measures[k]` is keyframe k (row 0 = y_min) over `windows[k]`; both must have the same
  /// length >= 1 and outlive the renderer. `shared_stretch`: one stretch over all keyframes
  /// instead of each keyframe's own.
  MovieRenderer(const std::vector<const Image<double>*>& measures, const std::vector<Window>& windows, Palette palette,
                bool shared_stretch = false);

  /// The video frame at `position`, `width` x `height` pixels (>= 2 each) in display order:
  /// row 0 is the TOP (largest y), ready for an encoder.
  Image<std::array<std::uint8_t, 3>> render(const ZoomPosition& position, int width, int height);

 private:
  struct Layer;
  /// Equalised images of keyframe `frame` under keyframe `stretch`'s stretch (cached; render() keeps only the current
  /// segment's four).
  const Image<double>& equalised(int frame, int stretch);

  std::vector<const Image<double>*> measures_;
  std::vector<Window> windows_;
  Palette palette_;
  std::vector<ColourStretch> stretches_;
  struct Cached {
    int frame, stretch;
    Image<double> image;
  };
  std::vector<Cached> cache_;
};

}  // namespace trainscape
