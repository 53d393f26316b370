// The movie's core: colour stretch and palettes (palette.hpp), the zoom's geometry and timing and
// the compositing (movie.hpp), the SVG charts (plot.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "trainscape/colour.hpp"
#include "trainscape/error.hpp"
#include "trainscape/movie.hpp"
#include "trainscape/palette.hpp"
#include "trainscape/plot.hpp"
#include "xml_check.hpp"

using namespace trainscape;

namespace {

/// A measure with ties, both signs, exact zeros and a NaN: what rank equalisation must handle.
Image<double> test_measure(int rows, int cols, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-3.0, 2.0);
  Image<double> m(rows, cols);
  for (double& v : m.data) v = std::round(u(gen) * 8.0) / 8.0;  // many ties
  m(0, 0) = 0.0;
  m(1, 1) = -0.0;
  m(2, 3) = std::numeric_limits<double>::quiet_NaN();
  return m;
}

Window window(double cx, double cy, double hx, double hy) {
  Window w;
  w.centre_x = cx;
  w.centre_y = cy;
  w.half_x = hx;
  w.half_y = hy;
  return w;
}

}  // namespace

TEST_CASE("a frame's own stretch reproduces rank_equalise and colourise bit for bit", "[movie]") {
  const Image<double> m = test_measure(19, 23, 7);
  const ColourStretch stretch(m);
  const Image<double> expected = rank_equalise(m);
  const Image<double> got = stretch.apply(m);
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    if (std::isnan(expected.data[i])) {
      CHECK(std::isnan(got.data[i]));
    } else {
      CHECK(got.data[i] == expected.data[i]);
    }
  }
  CHECK(paint(m, stretch, Palette::Spectral) == colourise(m));
}

TEST_CASE("a stretch interpolates between its values and clamps beyond them", "[movie]") {
  Image<double> m(1, 4);
  m.data = {-4.0, -2.0, 1.0, 3.0};
  const ColourStretch s(m);
  CHECK(s.equalised(-4.0) == -1.0);
  CHECK(s.equalised(-2.0) == -0.25);
  CHECK(s.equalised(-3.0) == Approx(-0.625));
  CHECK(s.equalised(-10.0) == -1.0);
  CHECK(s.equalised(-1.0) == -0.25);
  CHECK(s.equalised(2.0) == Approx(0.625));
  CHECK(s.equalised(0.0) == 0.25);
  CHECK(s.equalised(99.0) == 1.0);
  CHECK(std::isnan(s.equalised(std::nan(""))));
  // A pooled stretch over two frames ranks their values together.
  Image<double> other(1, 2);
  other.data = {-3.0, 2.0};
  const ColourStretch pooled(std::vector<const Image<double>*>{&m, &other});
  CHECK(pooled.equalised(-3.0) == Approx(-0.625));  // rank 1 of 3 negatives
  CHECK(pooled.equalised(2.0) == Approx(0.625));
}

TEST_CASE("palettes: names, classes split at the middle, uniform lightness rises", "[movie]") {
  Palette p = Palette::Spectral;
  CHECK(palette_from_string("uniform", p));
  CHECK(p == Palette::Uniform);
  CHECK_FALSE(palette_from_string("jet", p));
  CHECK(palette_rgb8(Palette::Classes, 0.1) == spectral_rgb8(0.0));
  CHECK(palette_rgb8(Palette::Classes, 0.49) == spectral_rgb8(0.0));
  CHECK(palette_rgb8(Palette::Classes, 0.5) == spectral_rgb8(1.0));
  CHECK(palette_rgb8(Palette::Spectral, 0.3) == spectral_rgb8(0.3));
  auto luma = [](const std::array<std::uint8_t, 3>& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  double previous = -1;
  for (int k = 0; k < 256; k += 15) {
    const double l = luma(palette_rgb8(Palette::Uniform, (k + 0.5) / 256));
    CHECK(l > previous);
    previous = l;
  }
  CHECK(palette_rgb8(Palette::Uniform, std::nan("")) == std::array<std::uint8_t, 3>{0, 0, 0});
}

TEST_CASE("movie timing: length, keyframes at their times, hold and reverse", "[movie]") {
  const MovieTiming t = movie_timing(8, 30.0, 1.5, 1.0, false);
  CHECK(t.frames_per_step == 45);
  CHECK(t.hold_frames == 30);
  CHECK(t.total_frames() == 7 * 45 + 60);  // (frames - 1) x 1.5 s + 2 x 1 s at 30 fps = 12.5 s
  for (int k = 0; k < 8; ++k) {
    const ZoomPosition p = t.position(30 + 45 * k);
    CHECK(p.key == k);
    CHECK(p.phase == 0.0);
  }
  CHECK(t.position(0).key == 0);
  CHECK(t.position(0).phase == 0.0);
  CHECK(t.position(30 + 45 + 9).key == 1);
  CHECK(t.position(30 + 45 + 9).phase == Approx(0.2));
  CHECK(t.position(t.total_frames() - 1).key == 7);

  const MovieTiming no_hold = movie_timing(3, 10.0, 0.5, 0.0, false);
  CHECK(no_hold.total_frames() == 10);
  CHECK(no_hold.position(0).key == 0);
  CHECK(no_hold.position(5).key == 1);
  CHECK(no_hold.position(9).key == 2);  // the final frame shows the last keyframe
  CHECK(no_hold.position(9).phase == 0.0);

  const MovieTiming reverse = movie_timing(3, 10.0, 0.5, 0.0, true);
  CHECK(reverse.position(0).key == 2);
  CHECK(reverse.position(0).phase == 0.0);
  CHECK(reverse.position(9).key == 0);
  CHECK(reverse.position(9).phase == 0.0);
  CHECK(reverse.position(4).key == 1);
  CHECK(reverse.position(4).phase == Approx(0.0));

  CHECK_THROWS_AS(movie_timing(3, 30.0, 0.51, 1.0, false), UsageError);  // 15.3 frames per step
  CHECK_THROWS_AS(movie_timing(3, 30.0, 1.5, 0.01, false), UsageError);  // 0.3 frames of hold
  CHECK_THROWS_AS(movie_timing(1, 30.0, 1.5, 0.0, false), UsageError);   // an empty movie
  CHECK_THROWS_AS(movie_timing(3, 0.0, 1.5, 1.0, false), UsageError);
}

TEST_CASE("the view zooms about the similarity map's fixed point with a constant ratio per frame", "[movie]") {
  // Keyframe windows as target: auto makes them: the next one inside, off centre, half as wide.
  const Window a = window(1.0, 2.0, 2.0, 1.5);
  const Window b = window(1.7, 1.4, 1.0, 0.75);
  const ViewWindow v0 = view_between(a, b, 0.0);
  CHECK(v0.offset_x == 0.0);
  CHECK(v0.offset_y == 0.0);
  CHECK(v0.half_x == a.half_x);
  CHECK(v0.half_y == a.half_y);
  const ViewWindow v1 = view_between(a, b, 1.0);
  CHECK(a.centre_x + v1.offset_x == Approx(b.centre_x).epsilon(1e-14));
  CHECK(a.centre_y + v1.offset_y == Approx(b.centre_y).epsilon(1e-14));
  CHECK(v1.half_x == Approx(b.half_x).epsilon(1e-14));
  // Constant width ratio per video frame (45 per step): 2^(-1/45).
  const int n = 45;
  for (int f = 0; f + 1 < n; ++f) {
    const double ratio = view_between(a, b, (f + 1.0) / n).half_x /
                         view_between(a, b, static_cast<double>(f) / n).half_x;
    CHECK(ratio == Approx(std::pow(0.5, 1.0 / n)).epsilon(1e-12));
  }
  // The fixed point p = c_a + d / (1 - r) keeps its place in the view (same normalised position).
  const double px = a.centre_x + (b.centre_x - a.centre_x) / (1 - 0.5);
  const double py = a.centre_y + (b.centre_y - a.centre_y) / (1 - 0.5);
  for (double phase : {0.0, 0.3, 0.77, 1.0}) {
    const ViewWindow v = view_between(a, b, phase);
    CHECK((px - (a.centre_x + v.offset_x)) / v.half_x == Approx((px - a.centre_x) / a.half_x).epsilon(1e-12));
    CHECK((py - (a.centre_y + v.offset_y)) / v.half_y == Approx((py - a.centre_y) / a.half_y).epsilon(1e-12));
  }
  // A fixed target: the centre moves from the first window's centre to the target.
  const Window c = window(0.0, 0.0, 3.0, 3.0), d = window(0.5, -0.5, 1.5, 1.5);
  CHECK(view_between(c, d, 1.0).offset_x == Approx(0.5));
  CHECK(stretch_ease(0.0) == 0.0);
  CHECK(stretch_ease(1.0) == Approx(1.0));
  CHECK(stretch_ease(0.5) == Approx(0.5));
  CHECK(stretch_ease(0.25) == Approx(std::pow(std::sin(std::acos(-1.0) / 8), 2)));
}

TEST_CASE("the renderer lands exactly on each keyframe and composites smoothly between", "[movie]") {
  const Image<double> m0 = test_measure(16, 20, 1), m1 = test_measure(16, 20, 2), m2 = test_measure(16, 20, 3);
  const std::vector<const Image<double>*> measures = {&m0, &m1, &m2};
  const std::vector<Window> windows = {window(0.0, 0.0, 2.0, 2.0), window(0.4, -0.3, 1.0, 1.0),
                                       window(0.5, -0.2, 0.5, 0.5)};
  MovieRenderer renderer(measures, windows, Palette::Spectral);
  auto flipped = [](const Image<std::array<std::uint8_t, 3>>& img) {
    Image<std::array<std::uint8_t, 3>> out(img.rows, img.cols);
    for (int r = 0; r < img.rows; ++r) {
      for (int c = 0; c < img.cols; ++c) out(r, c) = img(img.rows - 1 - r, c);
    }
    return out;
  };
  for (int k = 0; k < 3; ++k) {
    INFO("keyframe " << k);
    const auto frame = renderer.render({k, 0.0}, 20, 16);
    CHECK(frame == flipped(colourise(*measures[static_cast<std::size_t>(k)])));
  }
  // Between keyframes the picture is new, and enlarging (40 x 32) is not made of 2 x 2 blocks.
  const auto between = renderer.render({0, 0.5}, 20, 16);
  CHECK_FALSE(between == renderer.render({0, 0.0}, 20, 16));
  CHECK_FALSE(between == renderer.render({1, 0.0}, 20, 16));
  const auto big = renderer.render({1, 0.0}, 40, 32);
  int differing_neighbours = 0;
  for (int r = 0; r < big.rows; r += 2) {
    for (int c = 0; c + 1 < big.cols; c += 2) differing_neighbours += big(r, c) != big(r, c + 1) ? 1 : 0;
  }
  CHECK(differing_neighbours > big.rows * big.cols / 16);
  // The classes palette stays two-coloured at keyframes.
  MovieRenderer classes(measures, windows, Palette::Classes);
  std::set<std::array<std::uint8_t, 3>> colours;
  for (const auto& px : classes.render({2, 0.0}, 20, 16).data) colours.insert(px);
  CHECK(colours.size() <= 3);  // two classes, black for the NaN pixel
}

TEST_CASE("charts are well-formed SVG with labels, legend and log ticks", "[movie]") {
  PlotSpec spec{"A <title> & more", "box size d (pixels)", "count", true, true, {}};
  spec.series.push_back({"frame 0", "#336699", true, true, false, {1, 2, 4, 8}, {1000, 300, 90, 25}, {}, {}});
  spec.series.push_back({"fit", "#993333", true, false, true, {1, 8}, {1000, 20}, {}, {}});
  spec.series.push_back({"", "#000", false, true, false, {2, 3}, {50, std::nan("")}, {40, 1}, {60, 2}});
  const std::string svg = render_svg(spec);
  CHECK(xml_check::well_formed(svg) == "");
  CHECK_THAT(svg, Catch::Contains("A &lt;title&gt; &amp; more"));
  CHECK_THAT(svg, Catch::Contains(">box size d (pixels)</text>"));
  CHECK_THAT(svg, Catch::Contains(">frame 0</text>"));
  CHECK_THAT(svg, Catch::Contains(">1000</text>"));  // a decade tick
  CHECK_THAT(svg, Catch::Contains("stroke-dasharray"));
  CHECK(xml_check::well_formed("<svg><g></svg>") != "");  // the checker can fail
}
