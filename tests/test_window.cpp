// Windows, grids, tiles and the float64 depth limit (docs/model.md#pixel-grid,
// docs/model.md#depth-limit).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "trainscape/error.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;

TEST_CASE("a grid samples its window end-inclusive like numpy.logspace", "[window]") {
  const Window w = Window::from_intervals({-3.0, 6.0}, {-1.0, 2.0});
  CHECK(w.centre_x == 1.5);
  CHECK(w.half_x == 4.5);
  const Grid g(w, 10, 4);
  CHECK(g.offset_x(0) == -4.5);
  CHECK(g.offset_x(9) == 4.5);
  CHECK(g.log10_x(0) == -3.0);
  CHECK(g.log10_x(9) == 6.0);
  CHECK(g.log10_x(1) == Approx(-2.0).margin(1e-15));
  CHECK(g.log10_y(0) == -1.0);
  CHECK(g.log10_y(3) == 2.0);
  CHECK(g.spacing_x() == 1.0);
  // Values agree with 10^coordinate to a couple of ulps.
  for (int j = 0; j < 10; ++j) CHECK(g.value_x(j) == Approx(std::pow(10.0, -3.0 + j)).epsilon(4e-16));
  // Symmetric about the centre.
  CHECK(g.offset_x(2) == -g.offset_x(7));
}

TEST_CASE("deep windows keep neighbouring pixels distinct", "[window]") {
  Window w;
  w.centre_x = 2.301029995663981;  // log10(200)
  w.centre_y = 0.7;
  w.half_x = 0.5e-13;  // the paper's deepest frames: ~1e-13 wide
  w.half_y = 0.5e-13;
  const Grid g(w, 512, 512);
  REQUIRE_NOTHROW(check_resolvable(w, 512, 512, Precision::Float64, "test"));
  double previous = g.value_x(0);
  for (int j = 1; j < 512; ++j) {
    const double v = g.value_x(j);
    CHECK(v > previous);
    previous = v;
  }
  // Absolute coordinates would have collapsed: centre + offset has too few digits left.
  std::set<double> absolute;
  for (int j = 0; j < 512; ++j) absolute.insert(std::pow(10.0, w.centre_x + g.offset_x(j)));
  CHECK(absolute.size() < 512);
}

TEST_CASE("windows finer than the precision resolves are refused", "[window]") {
  Window w = Window::from_intervals({1.0, 1.0 + 1e-14}, {1.0, 1.0 + 1e-14});
  w.centre_x = 1.0;
  w.centre_y = 1.0;
  CHECK_THROWS_AS(check_resolvable(w, 512, 512, Precision::Float64, "frame 3"), ConfigError);
  CHECK_THROWS_WITH(check_resolvable(w, 512, 512, Precision::Float64, "frame 3"),
                    Catch::Contains("frame 3 is too deep for float64"));
  w.half_x = w.half_y = 1e-6;
  CHECK_NOTHROW(check_resolvable(w, 512, 512, Precision::Float64, "frame 3"));
  CHECK_THROWS_AS(check_resolvable(w, 512, 512, Precision::Float32, "frame 3"), ConfigError);
  CHECK(min_log10_spacing(Precision::Float64) == Approx(2 * 0x1.0p-52 / std::log(10.0)));
}

TEST_CASE("auto tile sides depend only on the frame size", "[window]") {
  CHECK(resolve_tile_side(0, 64, 64) == 8);
  CHECK(resolve_tile_side(0, 96, 96) == 12);
  CHECK(resolve_tile_side(0, 256, 100) == 32);
  CHECK(resolve_tile_side(0, 512, 512) == 64);
  CHECK(resolve_tile_side(0, 4096, 4096) == 64);
  CHECK(resolve_tile_side(0, 16, 16) == 8);
  CHECK(resolve_tile_side(24, 4096, 4096) == 24);
}

TEST_CASE("tiles cover the grid exactly once, row-major, cut short at the far edges", "[window]") {
  const auto tiles = make_tiles(10, 7, 4);
  REQUIRE(tiles.size() == 6);  // 3 tile columns x 2 tile rows
  CHECK(tiles[0].row0 == 0);
  CHECK(tiles[0].col0 == 0);
  CHECK(tiles[2].col0 == 8);
  CHECK(tiles[2].cols == 2);
  CHECK(tiles[3].row0 == 4);
  CHECK(tiles[3].rows == 3);
  std::vector<int> covered(70, 0);
  for (const auto& t : tiles) {
    for (int r = t.row0; r < t.row0 + t.rows; ++r)
      for (int c = t.col0; c < t.col0 + t.cols; ++c) ++covered[r * 10 + c];
  }
  for (int n : covered) CHECK(n == 1);
  for (std::size_t i = 0; i < tiles.size(); ++i) CHECK(tiles[i].index == static_cast<int>(i));
}
