#include "trainscape/movie.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "trainscape/error.hpp"

namespace trainscape {

namespace {

// Built with -ffp-contract=off (CMakeLists.txt): phase 0 must reproduce paint() to the last bit.

/// value * rate as a whole number, or -1 if it is not one (within 1e-9).
long long whole_frames(double seconds, double fps) {
  const double frames = seconds * fps;
  const double rounded = std::round(frames);
  if (!std::isfinite(frames) || std::fabs(frames - rounded) > 1e-9 * std::max(1.0, rounded)) return -1;
  return static_cast<long long>(rounded);
}

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// The four pixels around fractional (row, col) of a rows x cols image, clamped to it, with
/// their bilinear weights. A position within 1e-9 pixels of a grid point takes that pixel alone
/// (weight 1), so a frame drawn at its own grid reproduces its pixels exactly.
struct Taps {
  int index[4] = {0, 0, 0, 0};
  double weight[4] = {1.0, 0.0, 0.0, 0.0};
  int count = 1;
};
Taps bilinear_taps(int rows, int cols, double row, double col) {
  row = std::clamp(row, 0.0, static_cast<double>(rows - 1));
  col = std::clamp(col, 0.0, static_cast<double>(cols - 1));
  const double rr = std::round(row), rc = std::round(col);
  if (std::fabs(row - rr) < 1e-9) row = rr;
  if (std::fabs(col - rc) < 1e-9) col = rc;
  const int r0 = std::min(static_cast<int>(row), rows - 1), c0 = std::min(static_cast<int>(col), cols - 1);
  const double fr = row - r0, fc = col - c0;
  Taps t;
  t.index[0] = r0 * cols + c0;
  if (fr == 0.0 && fc == 0.0) return t;
  const int r1 = std::min(r0 + 1, rows - 1), c1 = std::min(c0 + 1, cols - 1);
  t.count = 4;
  t.index[1] = r0 * cols + c1;
  t.index[2] = r1 * cols + c0;
  t.index[3] = r1 * cols + c1;
  t.weight[0] = (1.0 - fr) * (1.0 - fc);
  t.weight[1] = (1.0 - fr) * fc;
  t.weight[2] = fr * (1.0 - fc);
  t.weight[3] = fr * fc;
  return t;
}

}  // namespace

ZoomPosition MovieTiming::position(int n) const {
  const int total = total_frames();
  const int m = reverse ? total - 1 - n : n;
  ZoomPosition p;
  if (m == total - 1) {
    p.key = keyframes - 1;
    return p;
  }
  const long long along = static_cast<long long>(m) - hold_frames;
  if (along <= 0) return p;
  const long long last = static_cast<long long>(keyframes - 1) * frames_per_step;
  if (along >= last) {
    p.key = keyframes - 1;
    return p;
  }
  p.key = static_cast<int>(along / frames_per_step);
  p.phase = static_cast<double>(along % frames_per_step) / frames_per_step;
  return p;
}

MovieTiming movie_timing(int keyframes, double fps, double seconds_per_step, double hold, bool reverse) {
  if (!(fps >= 1.0 && fps <= 240.0)) throw errors::option_value("--fps", number_text(fps), "must be in [1, 240]");
  const long long per_step = whole_frames(seconds_per_step, fps);
  if (!(seconds_per_step > 0.0) || per_step < 1 || per_step > 100000) {
    throw errors::option_value("--seconds-per-step", number_text(seconds_per_step),
                               "must give a whole number of video frames (at least 1) at " + number_text(fps) + " fps");
  }
  const long long held = whole_frames(hold, fps);
  if (!(hold >= 0.0) || held < 0 || held > 100000) {
    throw errors::option_value("--hold", number_text(hold),
                               "must be >= 0 and give a whole number of video frames at " + number_text(fps) + " fps");
  }
  MovieTiming t;
  t.keyframes = keyframes;
  t.frames_per_step = static_cast<int>(per_step);
  t.hold_frames = static_cast<int>(held);
  t.reverse = reverse;
  if (keyframes < 1 || t.total_frames() < 1) {
    throw errors::option_value("--hold", number_text(hold), "a run of one frame needs a hold above 0 for a movie");
  }
  return t;
}

ViewWindow view_between(const Window& from, const Window& to, double phase) {
  ViewWindow v;
  auto axis = [phase](double c0, double h0, double c1, double h1, double& offset, double& half) {
    const double ratio = h1 / h0;
    const double shrink = phase == 0.0 ? 1.0 : std::pow(ratio, phase);
    half = h0 * shrink;
    const double d = c1 - c0;
    offset = phase == 0.0 ? 0.0 : (std::fabs(1.0 - ratio) < 1e-12 ? d * phase : d * (1.0 - shrink) / (1.0 - ratio));
  };
  axis(from.centre_x, from.half_x, to.centre_x, to.half_x, v.offset_x, v.half_x);
  axis(from.centre_y, from.half_y, to.centre_y, to.half_y, v.offset_y, v.half_y);
  return v;
}

double stretch_ease(double phase) {
  const double s = std::sin(std::acos(-1.0) / 2.0 * phase);
  return s * s;
}

MovieRenderer::MovieRenderer(const std::vector<const Image<double>*>& measures, const std::vector<Window>& windows,
                             Palette palette, bool shared_stretch)
    : measures_(measures), windows_(windows), palette_(palette) {
  if (shared_stretch) {
    stretches_.assign(measures.size(), ColourStretch(measures));
  } else {
    for (const Image<double>* m : measures) stretches_.emplace_back(*m);
  }
}

const Image<double>& MovieRenderer::equalised(int frame, int stretch) {
  for (const Cached& c : cache_) {
    if (c.frame == frame && c.stretch == stretch) return c.image;
  }
  // Never evicts: render() drops stale entries once, before it takes any reference, and reserves
  // room, so references handed out during one render stay valid.
  cache_.push_back({frame, stretch, stretches_[static_cast<std::size_t>(stretch)].apply(*measures_[frame])});
  return cache_.back().image;
}

Image<std::array<std::uint8_t, 3>> MovieRenderer::render(const ZoomPosition& position, int width, int height) {
  const int k = position.key;
  const bool between = position.phase > 0.0 && k + 1 < static_cast<int>(measures_.size());
  const double phase = between ? position.phase : 0.0;
  const Window& base = windows_[static_cast<std::size_t>(k)];
  const ViewWindow view = between ? view_between(base, windows_[static_cast<std::size_t>(k + 1)], phase)
                                  : ViewWindow{0.0, 0.0, base.half_x, base.half_y};
  const double ease = stretch_ease(phase);

  // Equalised images: layer 0 = keyframe k, layer 1 = keyframe k+1, each under stretch k and k+1.
  // Keep only what this segment can need (keyframes k and k+1 under either stretch): at most
  // four entries, and with room reserved for them no push_back moves the ones already fetched.
  cache_.erase(std::remove_if(cache_.begin(), cache_.end(),
                              [k](const Cached& c) {
                                return std::min(c.frame, c.stretch) < k || std::max(c.frame, c.stretch) > k + 1;
                              }),
               cache_.end());
  cache_.reserve(cache_.size() + 4);
  const Image<double>* eq[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};
  const int layers = between ? 2 : 1;
  for (int layer = 0; layer < layers; ++layer) {
    for (int s = 0; s < layers; ++s) eq[layer][s] = &equalised(k + layer, k + s);
  }

  Image<std::array<std::uint8_t, 3>> out(height, width);
  for (int i = 0; i < height; ++i) {
    // Offsets from the view centre in log10 units; end-inclusive like Grid (row 0 = top = y_max).
    const double qy = static_cast<double>((height - 1) - 2 * i) / (height - 1);
    for (int j = 0; j < width; ++j) {
      const double qx = static_cast<double>(2 * j - (width - 1)) / (width - 1);
      std::array<double, 3> mixed{};
      for (int layer = 0; layer < layers; ++layer) {
        const Window& w = windows_[static_cast<std::size_t>(k + layer)];
        const Image<double>& m = *measures_[static_cast<std::size_t>(k + layer)];
        // Position in the layer's normalised coordinates [-1, 1].
        const double shift_x = layer == 0 ? 0.0 : w.centre_x - base.centre_x;
        const double shift_y = layer == 0 ? 0.0 : w.centre_y - base.centre_y;
        const double ux = (view.half_x / w.half_x) * qx + (view.offset_x - shift_x) / w.half_x;
        const double uy = (view.half_y / w.half_y) * qy + (view.offset_y - shift_y) / w.half_y;
        if (layer == 1 && (std::fabs(ux) > 1.0 || std::fabs(uy) > 1.0)) continue;
        const double col = (ux + 1.0) * (m.cols - 1) / 2.0;
        const double row = (uy + 1.0) * (m.rows - 1) / 2.0;
        // Resampled in colour, not in equalised value: interpolating values across the sign
        // would paint the palette's middle (pale yellow) along every boundary.
        const Taps taps = bilinear_taps(m.rows, m.cols, row, col);
        std::array<double, 3> rgb{};
        for (int t = 0; t < taps.count; ++t) {
          const std::size_t at = static_cast<std::size_t>(taps.index[t]);
          double e = eq[layer][0]->data[at];
          if (between) e = (1.0 - ease) * e + ease * eq[layer][1]->data[at];
          const std::array<std::uint8_t, 3> tap = palette_rgb8(palette_, colour_position(e));
          for (std::size_t c = 0; c < 3; ++c) rgb[c] += taps.weight[t] * tap[c];
        }
        const double opacity = layer == 0 ? 1.0 : phase;
        for (int c = 0; c < 3; ++c) mixed[static_cast<std::size_t>(c)] = (1.0 - opacity) * mixed[c] + opacity * rgb[c];
      }
      for (int c = 0; c < 3; ++c) {
        out(i, j)[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(std::lround(mixed[c]));
      }
    }
  }
  return out;
}

}  // namespace trainscape
