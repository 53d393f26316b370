// The zoom driver: window choice with target auto and fixed, observer protocol, interruption.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "trainscape/error.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/zoom.hpp"

using namespace trainscape;

namespace {

/// A stand-in engine with a known boundary: the circle of radius 1 (log10 units) around
/// (1, 1); inside "trains" (negative), outside "diverges". Lets the driver be tested in
/// milliseconds; the real engines are tested in test_engine.cpp.
class CircleEngine final : public Engine {
 public:
  const char* name() const override { return "circle"; }
  void train(const Problem&, const HyperPoint* points, std::size_t count, PixelOutcome* out) const override {
    for (std::size_t i = 0; i < count; ++i) {
      const double dx = std::log10(points[i].x) - 1.0, dy = std::log10(points[i].y) - 1.0;
      const double r2 = dx * dx + dy * dy;
      out[i].measure = r2 - 1.0;
      out[i].converged = r2 < 1.0 ? 1 : 0;
    }
  }
};

struct Recorder final : ZoomObserver {
  std::vector<std::string> events;
  int stop_after_tiles = -1;
  int tiles_seen = 0;
  void on_run_start(const RunConfig&, const Problem&) override { events.push_back("start"); }
  void on_frame_start(int frame, const Window&, int tiles, int) override {
    events.push_back("frame " + std::to_string(frame) + " tiles " + std::to_string(tiles));
  }
  bool on_tile_done(const TileProgress&) override {
    ++tiles_seen;
    return stop_after_tiles < 0 || tiles_seen < stop_after_tiles;
  }
  std::vector<BoxCount> boxcounts;
  void on_frame_done(const FrameResult& f) override {
    events.push_back("done " + std::to_string(f.index));
    boxcounts.push_back(f.boxcount);
  }
  void on_run_done(const ZoomSummary&) override { events.push_back("end"); }
};

FrameResult frame_with_measure(Image<double> m, const Window& w) {
  FrameResult f;
  f.window = w;
  f.measure = std::move(m);
  analyse_frame(f);
  return f;
}

}  // namespace

TEST_CASE("auto target centres the next window on the boundary", "[zoom]") {
  // A vertical boundary between columns 40 and 41 of a 65 x 65 frame over [0, 64]^2 log10.
  Image<double> m(65, 65);
  for (int r = 0; r < 65; ++r)
    for (int c = 0; c < 65; ++c) m(r, c) = c <= 40 ? -1.0 : 1.0;
  const FrameResult f = frame_with_measure(m, Window::from_intervals({0, 64}, {0, 64}));
  REQUIRE(f.edge_pixels == 64);
  const Window next = next_window_auto(f, 2.0);
  CHECK(next.half_x == 16.0);
  CHECK(next.half_y == 16.0);
  // Every 32-wide candidate holding cell column 40 covers 32 edge cells; the tie-break picks
  // the one nearest the current centre, which here is the centred window [16, 48].
  CHECK(next.centre_x == 32.0);
  CHECK(next.centre_y == 32.0);
  CHECK(next.centre_x - next.half_x <= 40.0);
  CHECK(next.centre_x + next.half_x >= 41.0);
}

TEST_CASE("auto target picks the densest boundary", "[zoom]") {
  // Checkerboard in the upper-right quadrant only: far more edges there than anywhere else.
  Image<double> m(33, 33, -1.0);
  for (int r = 20; r < 33; ++r)
    for (int c = 20; c < 33; ++c) m(r, c) = ((r + c) % 2) ? 1.0 : -1.0;
  const FrameResult f = frame_with_measure(m, Window::from_intervals({0, 32}, {0, 32}));
  const Window next = next_window_auto(f, 4.0);
  CHECK(next.half_x == 4.0);
  CHECK(next.centre_x - next.half_x >= 20.0);
  CHECK(next.centre_y - next.half_y >= 19.0);  // edge cells start between rows 19 and 20
}

TEST_CASE("auto target refuses a frame without boundary", "[zoom]") {
  const FrameResult f = frame_with_measure(Image<double>(16, 16, -2.0), Window::from_intervals({0, 1}, {0, 1}));
  CHECK_THROWS_AS(next_window_auto(f, 2.0), NumericalError);
  CHECK_THROWS_WITH(next_window_auto(f, 2.0), Catch::Contains("has no boundary pixel"));
}

TEST_CASE("a fixed target keeps the aspect and divides the width by the factor each frame", "[zoom]") {
  const Window first = Window::from_intervals({-3, 6}, {0, 3});
  ZoomTarget t;
  t.automatic = false;
  t.x = 1.25;
  t.y = 2.0;
  const Window w3 = window_towards(first, t, 2.0, 3);
  CHECK(w3.centre_x == 1.25);
  CHECK(w3.centre_y == 2.0);
  CHECK(w3.half_x == 4.5 / 8);
  CHECK(w3.half_y == 1.5 / 8);
}

TEST_CASE("run_zoom delivers every frame in order and pools the slopes", "[zoom]") {
  const RunConfig c = load_config(
      "phase_space: {x: [-0.5, 2.5], y: [-0.5, 2.5]}\nrender: {resolution: 64}\nzoom: {frames: 4}\n"
      "runtime: {tile: 16}\ntraining: {steps: 1}\n",
      "t.yaml");
  Problem p;
  p.steps = 1;
  Recorder rec;
  const ZoomSummary s = run_zoom(c, p, CircleEngine{}, rec);
  REQUIRE(s.windows.size() == 4);
  CHECK(rec.events.front() == "start");
  CHECK(rec.events[1] == "frame 0 tiles 16");
  CHECK(rec.events[2] == "done 0");
  CHECK(rec.events.back() == "end");
  CHECK(rec.tiles_seen == 64);
  for (int k = 0; k < 4; ++k) {
    CHECK(s.frame_edge_pixels[k] > 0);  // every frame holds boundary
    CHECK(s.windows[k].half_x == Approx(1.5 / std::pow(2.0, k)));
  }
  // The sequence's dimension is the median of every frame's slopes pooled, not a mean of medians.
  REQUIRE(rec.boxcounts.size() == 4);
  std::vector<double> pooled;
  for (int k = 0; k < 4; ++k) {
    CHECK(s.frame_dimensions[k] == numpy_median(rec.boxcounts[k].slopes));
    pooled.insert(pooled.end(), rec.boxcounts[k].slopes.begin(), rec.boxcounts[k].slopes.end());
  }
  CHECK(s.dimension == numpy_median(pooled));
  CHECK(std::isfinite(s.dimension));
}

TEST_CASE("an observer can stop a run at a tile boundary", "[zoom]") {
  const RunConfig c = load_config(
      "render: {resolution: 32}\nzoom: {frames: 2}\nruntime: {tile: 8, threads: 1}\n"
      "phase_space: {x: [-0.5, 2.5], y: [-0.5, 2.5]}\n",
      "t.yaml");
  Problem p;
  Recorder rec;
  rec.stop_after_tiles = 20;  // frame 0 has 16 tiles; stop during frame 1
  CHECK_THROWS_AS(run_zoom(c, p, CircleEngine{}, rec), Interrupted);
  CHECK(rec.tiles_seen == 20);
  CHECK(std::find(rec.events.begin(), rec.events.end(), "done 0") != rec.events.end());
  CHECK(std::find(rec.events.begin(), rec.events.end(), "done 1") == rec.events.end());
}

namespace {

/// Keeps every frame's images and the pixel-steps each frame trained.
struct FrameKeeper final : ZoomObserver {
  std::vector<FrameResult> frames;
  std::vector<std::int64_t> trained;  ///< pixel-steps computed per frame
  void on_frame_start(int, const Window&, int, int) override { trained.push_back(0); }
  bool on_tile_done(const TileProgress& p) override {
    trained.back() = std::max(trained.back(), p.pixel_steps_done);  // cumulative within the frame
    return true;
  }
  void on_frame_done(const FrameResult& f) override { frames.push_back(f); }
};

}  // namespace

TEST_CASE("reuse: aligned fixed-target frames copy a quarter of their pixels, bit for bit what training gives",
          "[zoom][reuse]") {
  // Odd resolution, window centred on the target, factor 2: every second pixel of the previous
  // frame's central half is a pixel of the next frame, with bitwise the same learning rates.
  const std::string yaml =
      "model: {width: 4, depth: 2, nonlinearity: tanh}\ntraining: {steps: 40}\n"
      "phase_space: {x: [-0.5, 1.5], y: [0.0, 2.0]}\nrender: {resolution: 17}\n"
      "zoom: {frames: 4, factor: 2.0, target: [0.5, 1.0]}\nruntime: {tile: 5, threads: 2}\n";
  const RunConfig c = load_config(yaml, "reuse.yaml");
  const Problem p = make_problem(c);
  const auto engine = make_engine("batched");
  FrameKeeper with, without;
  ZoomPlan reuse, no_reuse;
  no_reuse.reuse_known_pixels = false;
  run_zoom(c, p, *engine, with, reuse);
  run_zoom(c, p, *engine, without, no_reuse);
  REQUIRE(with.frames.size() == 4);
  REQUIRE(without.frames.size() == 4);
  for (int k = 0; k < 4; ++k) {
    INFO("frame " << k);
    CHECK(std::memcmp(with.frames[k].measure.data.data(), without.frames[k].measure.data.data(),
                      with.frames[k].measure.data.size() * sizeof(double)) == 0);
    CHECK(with.frames[k].converged.data == without.frames[k].converged.data);
    CHECK(without.trained[k] == 17 * 17 * 40);
    // 9 of 17 columns and rows of frame k >= 1 are columns and rows of frame k - 1.
    CHECK(with.trained[k] == (k == 0 ? 17 * 17 * 40 : (17 * 17 - 9 * 9) * 40));
  }
  // Frames 1 and 2 hold boundary, so the copied pixels are not all of one class.
  CHECK(with.frames[1].edge_pixels > 0);
  CHECK(with.frames[2].edge_pixels > 0);

  // The grids themselves: 81 known pixels, and none for an even resolution or a frame 0 that is
  // not centred on the target (where nothing aligns).
  const Grid g1(window_towards(Window::from_intervals(c.phase_space.x, c.phase_space.y), c.zoom.target, 2.0, 1), 17,
                17);
  const Grid g2(window_towards(Window::from_intervals(c.phase_space.x, c.phase_space.y), c.zoom.target, 2.0, 2), 17,
                17);
  CHECK(KnownPixels(g1, with.frames[1].measure, with.frames[1].converged, with.frames[1].channels, g2).count() == 81);
  const Grid e1(g1.window(), 16, 16), e2(g2.window(), 16, 16);
  Image<double> m16(16, 16);
  Image<std::uint8_t> c16(16, 16);
  const ChannelImages none;
  CHECK(KnownPixels(e1, m16, c16, none, e2).count() == 0);
}

TEST_CASE("zoom_memory_bytes counts both frames' channel images", "[zoom]") {
  const std::int64_t pixels = 300 * 200;
  const std::int64_t plain = zoom_memory_bytes(300, 200, ChannelSet{});
  CHECK(plain == 45 * pixels);
  ChannelSet all;
  all.divergence_step = all.lyapunov = all.sharpness = true;
  CHECK(zoom_memory_bytes(300, 200, all) == plain + 2 * (8 + 8 + 16) * pixels);
  ChannelSet steps;
  steps.divergence_step = true;
  CHECK(zoom_memory_bytes(300, 200, steps) == plain + 16 * pixels);
}
