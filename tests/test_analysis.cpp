// Known-answer tests for edge extraction and porespy-compatible box counting: the worked examples
// of docs/dimension.md#worked-examples and further cases, with expected values from numpy 1.24
// running porespy's algorithm.
//
// numpy's float64 log, log10 and power dispatch at run time: on a CPU with AVX-512 (SKX) the
// Debian/PyPI builds call Intel SVML, elsewhere the C library. The two differ in the last bits of
// ln and log10, and SVML's pow is not correctly rounded, so slopes differ by a few ulps and a
// truncated box size can differ by one (m = 23, 2047 below). trainscape uses the C library, so the
// exact expectations here are numpy's libm results (NPY_DISABLE_CPU_FEATURES="AVX512F AVX512CD
// AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"), and the doc's values, which came from the
// AVX-512 path, are checked to 1e-14.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "trainscape/analysis.hpp"

using trainscape::BoxCount;
using trainscape::Image;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Image<std::uint8_t> diagonal_mask(int n) {
  Image<std::uint8_t> m(n, n, 0);
  for (int i = 0; i < n; ++i) m(i, i) = 1;
  return m;
}

// The signed field of example (d): +1 strictly below the diagonal, -1 on and above it.
Image<double> diagonal_sign_field(int n) {
  Image<double> x(n, n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) x(i, j) = i > j ? 1.0 : -1.0;
  }
  return x;
}

// Example (f): 5x5 all set, then five times "tile 3x3, clear the central block".
Image<std::uint8_t> sierpinski_foam() {
  Image<std::uint8_t> f(5, 5, 1);
  for (int level = 0; level < 5; ++level) {
    const int n = f.rows;
    Image<std::uint8_t> g(3 * n, 3 * n, 0);
    for (int r = 0; r < 3 * n; ++r) {
      for (int c = 0; c < 3 * n; ++c) {
        const bool centre = r >= n && r < 2 * n && c >= n && c < 2 * n;
        g(r, c) = centre ? 0 : f(r % n, c % n);
      }
    }
    f = g;
  }
  return f;
}

// porespy's loop, literally: any(tile) and not all(tile), tile by tile. Quadratic, tests only.
std::int64_t naive_count(const Image<std::uint8_t>& m, int d) {
  std::int64_t count = 0;
  for (int r0 = 0; r0 < m.rows; r0 += d) {
    for (int c0 = 0; c0 < m.cols; c0 += d) {
      bool any = false;
      bool all = true;
      for (int r = r0; r < std::min(r0 + d, m.rows); ++r) {
        for (int c = c0; c < std::min(c0 + d, m.cols); ++c) {
          any = any || m(r, c) != 0;
          all = all && m(r, c) != 0;
        }
      }
      count += (any && !all) ? 1 : 0;
    }
  }
  return count;
}

// Slopes compared bit for bit (NaN matches NaN).
void require_slopes_exact(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("slope " << i);
    if (std::isnan(want[i])) {
      CHECK(std::isnan(got[i]));
    } else {
      CHECK(got[i] == want[i]);
    }
  }
}

// Slopes within an absolute margin: the doc's AVX-512 numpy values, and rounding residue.
void require_slopes_near(const std::vector<double>& got, const std::vector<double>& want, double margin) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("slope " << i);
    CHECK(got[i] == Approx(want[i]).margin(margin));
  }
}

}  // namespace

TEST_CASE("edge_mask marks 2x2 blocks holding a strictly positive and a strictly negative value", "[analysis][edges]") {
  SECTION("example (d): diagonal sign field, a 2-pixel staircase of 31 edge pixels") {
    const Image<std::uint8_t> e = trainscape::edge_mask(diagonal_sign_field(17));
    REQUIRE(e.rows == 16);
    REQUIRE(e.cols == 16);
    int total = 0;
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 16; ++j) {
        const bool expected = (j == i) || (j == i - 1);
        CHECK((e(i, j) == 1) == expected);
        total += e(i, j);
      }
    }
    CHECK(total == 31);
  }
  SECTION("zeros never make an edge, NaN blocks never make an edge") {
    Image<double> x(3, 3, 0.0);
    // Row 0: -1 0 2 ; row 1: 0 0 0 ; row 2: 3 NaN -4
    x(0, 0) = -1.0;
    x(0, 2) = 2.0;
    x(2, 0) = 3.0;
    x(2, 1) = kNaN;
    x(2, 2) = -4.0;
    const Image<std::uint8_t> e = trainscape::edge_mask(x);
    REQUIRE(e.rows == 2);
    REQUIRE(e.cols == 2);
    CHECK(e(0, 0) == 0);  // -1 with zeros only
    CHECK(e(0, 1) == 0);  // 2 with zeros only
    CHECK(e(1, 0) == 0);  // 3 and NaN
    CHECK(e(1, 1) == 0);  // NaN and -4
    x(1, 1) = 5.0;        // now block (0,0) holds -1 and 5
    const Image<std::uint8_t> e2 = trainscape::edge_mask(x);
    CHECK(e2(0, 0) == 1);
    CHECK(e2(0, 1) == 0);
    CHECK(e2(1, 1) == 0);  // 5 and -4 but also NaN
    x(2, 1) = -kInf;       // infinities are ordinary signs
    CHECK(trainscape::edge_mask(x)(1, 0) == 1);
  }
  SECTION("rectangular input and images too small for any block") {
    Image<double> x(2, 4, 1.0);
    x(1, 3) = -1e-300;
    const Image<std::uint8_t> e = trainscape::edge_mask(x);
    REQUIRE(e.rows == 1);
    REQUIRE(e.cols == 3);
    CHECK(e(0, 0) == 0);
    CHECK(e(0, 1) == 0);
    CHECK(e(0, 2) == 1);
    CHECK(trainscape::edge_mask(Image<double>(1, 5, -1.0)).size() == 0);
    CHECK(trainscape::edge_mask(Image<double>(5, 1, -1.0)).size() == 0);
    CHECK(trainscape::edge_mask(Image<double>()).size() == 0);
  }
}

TEST_CASE("porespy_default_sizes reproduces numpy's logspace truncation (docs/dimension.md#box-sizes table)",
          "[analysis][sizes]") {
  using V = std::vector<std::int64_t>;
  CHECK(trainscape::porespy_default_sizes(255) == V{10, 14, 20, 29, 42, 60, 86, 124, 177, 254});
  CHECK(trainscape::porespy_default_sizes(256) == V{10, 14, 20, 29, 42, 60, 86, 124, 178, 256});
  CHECK(trainscape::porespy_default_sizes(511) == V{10, 15, 23, 37, 57, 88, 137, 213, 330, 511});
  CHECK(trainscape::porespy_default_sizes(512) == V{10, 15, 23, 37, 57, 89, 137, 213, 330, 512});
  CHECK(trainscape::porespy_default_sizes(1023) == V{10, 16, 27, 46, 78, 130, 218, 365, 611, 1023});
  CHECK(trainscape::porespy_default_sizes(1024) == V{10, 16, 27, 46, 78, 130, 218, 366, 612, 1024});
  CHECK(trainscape::porespy_default_sizes(1215) == V{10, 17, 29, 49, 84, 143, 245, 418, 712, 1214});
  // The doc's table has 2047 last: numpy's AVX-512 log10(2047) is correctly rounded, glibc's is
  // one ulp low and 10**e comes out as 2046.9999999999989. numpy on libm gives 2046 as well.
  CHECK(trainscape::porespy_default_sizes(2047) == V{10, 18, 32, 58, 106, 192, 347, 627, 1133, 2046});
  CHECK(trainscape::porespy_default_sizes(2048) == V{10, 18, 32, 58, 106, 192, 347, 627, 1133, 2048});
  CHECK(trainscape::porespy_default_sizes(2187) == V{10, 18, 33, 60, 109, 199, 362, 660, 1201, 2186});
  CHECK(trainscape::porespy_default_sizes(4095) == V{10, 19, 38, 74, 144, 282, 551, 1075, 2098, 4095});
  CHECK(trainscape::porespy_default_sizes(4096) == V{10, 19, 38, 74, 144, 282, 551, 1076, 2099, 4095});
}

TEST_CASE("porespy_default_sizes edge cases: knife edges, small images, other bin counts", "[analysis][sizes]") {
  using V = std::vector<std::int64_t>;
  // Knife edges: 10**log10(m) one ulp below m (64, 128, 8192), and an interior 49.999... (1250).
  CHECK(trainscape::porespy_default_sizes(64) == V{10, 12, 15, 18, 22, 28, 34, 42, 52, 63});
  CHECK(trainscape::porespy_default_sizes(128) == V{10, 13, 17, 23, 31, 41, 54, 72, 96, 127});
  CHECK(trainscape::porespy_default_sizes(8192) == V{10, 21, 44, 93, 197, 415, 875, 1844, 3887, 8191});
  CHECK(trainscape::porespy_default_sizes(1250) == V{10, 17, 29, 49, 85, 146, 249, 427, 731, 1249});
  // glibc pow(10, log10(23)) = 22.999999999999996 (correctly rounded); SVML's pow gives 23.
  CHECK(trainscape::porespy_default_sizes(23) == V{10, 12, 13, 14, 15, 17, 19, 20, 22});
  // A fused k * step + 1 in the exponent would give 39 instead of 40 here.
  CHECK(trainscape::porespy_default_sizes(80) == V{10, 12, 15, 20, 25, 31, 40, 50, 63, 79});
  // Duplicates removed (examples (a) and (e)).
  CHECK(trainscape::porespy_default_sizes(16) == V{10, 11, 12, 13, 14, 15, 16});
  CHECK(trainscape::porespy_default_sizes(20) == V{10, 11, 12, 13, 14, 15, 17, 18, 20});
  // m <= 10: the sizes run from about m up to 10.
  CHECK(trainscape::porespy_default_sizes(10) == V{10});
  CHECK(trainscape::porespy_default_sizes(5) == V{5, 6, 7, 8, 9, 10});
  CHECK(trainscape::porespy_default_sizes(3) == V{3, 4, 5, 6, 7, 8, 10});
  CHECK(trainscape::porespy_default_sizes(2) == V{2, 3, 4, 5, 6, 8, 10});
  CHECK(trainscape::porespy_default_sizes(1) == V{1, 2, 3, 4, 5, 7, 10});
  CHECK(trainscape::porespy_default_sizes(100, 5) == V{10, 17, 31, 56, 100});
  CHECK(trainscape::porespy_default_sizes(4096, 2) == V{10, 4095});
}

TEST_CASE("porespy_boxcount example (a): 16x16 diagonal, default sizes", "[analysis][boxcount]") {
  const BoxCount bc = trainscape::porespy_boxcount(diagonal_mask(16));
  CHECK(bc.sizes == std::vector<std::int64_t>{10, 11, 12, 13, 14, 15, 16});
  CHECK(bc.counts == std::vector<std::int64_t>{2, 2, 2, 2, 2, 1, 1});
  // The +-8.9e-16 entries are rounding residue of a + b + c = 0 (the weights a, b, c of
  // docs/dimension.md#local-slopes); their signs differ between numpy's libm and AVX-512 paths,
  // which moves the median between 0 and 8.9e-16.
  require_slopes_exact(
      bc.slopes, {-0.0, 8.881784197001252e-16, 8.881784197001252e-16, -0.0, 5.202881994920256, 4.85575618002882, -0.0});
  require_slopes_near(
      bc.slopes, {-0.0, -8.881784197001252e-16, 8.881784197001252e-16, -0.0, 5.202881994920256, 4.85575618002882, -0.0},
      1e-12);
  CHECK(trainscape::numpy_median(bc.slopes) == 8.881784197001252e-16);
  CHECK(trainscape::numpy_median(bc.slopes) == Approx(0.0).margin(1e-12));  // the doc's 0.0
}

TEST_CASE("porespy_boxcount examples (b) and (c): explicit sizes, a zero count", "[analysis][boxcount]") {
  const Image<std::uint8_t> m = diagonal_mask(16);
  const BoxCount b = trainscape::porespy_boxcount(m, {2, 4, 8, 16});
  CHECK(b.counts == std::vector<std::int64_t>{8, 4, 2, 1});
  // The doc rounds these to 1; numpy (both paths) gives exactly these.
  require_slopes_exact(b.slopes, {0.9999999999999999, 0.9999999999999998, 0.9999999999999999, 0.9999999999999999});

  const BoxCount c = trainscape::porespy_boxcount(m, {1, 2, 4, 8, 16});
  CHECK(c.sizes == std::vector<std::int64_t>{1, 2, 4, 8, 16});
  CHECK(c.counts == std::vector<std::int64_t>{0, 8, 4, 2, 1});
  require_slopes_exact(c.slopes, {-kInf, -kInf, 0.9999999999999998, 0.9999999999999999, 0.9999999999999999});
}

TEST_CASE("porespy_boxcount example (d): edge image of a diagonal sign field", "[analysis][boxcount]") {
  const Image<std::uint8_t> e = trainscape::edge_mask(diagonal_sign_field(17));
  const BoxCount bc = trainscape::porespy_boxcount(e, {2, 4, 8, 16});
  CHECK(bc.counts == std::vector<std::int64_t>{15, 7, 3, 1});
  require_slopes_exact(bc.slopes, {1.0995356735509145, 1.160964047443681, 1.4036774610288019, 1.584962500721156});
  CHECK(trainscape::numpy_median(bc.slopes) == 1.2823207542362414);
  // The doc's values (numpy on AVX-512).
  require_slopes_near(bc.slopes, {1.0995356735509145, 1.1609640474436813, 1.4036774610288019, 1.5849625007211559},
                      1e-14);
  CHECK(trainscape::numpy_median(bc.slopes) == Approx(1.2823207542362416).margin(1e-14));
}

TEST_CASE("porespy_boxcount example (e): partial tiles shift the grid", "[analysis][boxcount]") {
  Image<std::uint8_t> m(20, 20, 0);
  for (int i = 0; i < 20; ++i) m(i, 19 - i) = 1;
  const BoxCount bc = trainscape::porespy_boxcount(m);
  CHECK(bc.sizes == std::vector<std::int64_t>{10, 11, 12, 13, 14, 15, 17, 18, 20});
  CHECK(bc.counts == std::vector<std::int64_t>{2, 3, 3, 3, 3, 3, 3, 3, 1});
  require_slopes_exact(bc.slopes,
                       {-4.254163709905899, -2.030262624164351, 8.881784197001252e-16, -0.0, -0.0,
                        1.3322676295501878e-15, -1.7763568394002505e-15, 3.6672691120752408, 10.427172663391413});
  CHECK(trainscape::numpy_median(bc.slopes) == 0.0);
  // numpy on AVX-512.
  require_slopes_near(bc.slopes,
                      {-4.2541637099058764, -2.0302626241643367, -0.0, -8.881784197001252e-16, 1.7763568394002505e-15,
                       -4.440892098500626e-16, -0.0, 3.6672691120752408, 10.427172663391412},
                      1e-12);
}

TEST_CASE("porespy_boxcount example (f): Sierpinski foam matches porespy's documented output", "[analysis][boxcount]") {
  const Image<std::uint8_t> foam = sierpinski_foam();
  REQUIRE(foam.rows == 1215);
  REQUIRE(foam.cols == 1215);
  const BoxCount bc = trainscape::porespy_boxcount(foam);
  CHECK(bc.sizes == std::vector<std::int64_t>{10, 17, 29, 49, 84, 143, 245, 418, 712, 1214});
  CHECK(bc.counts == std::vector<std::int64_t>{6505, 4095, 1435, 552, 206, 77, 24, 9, 4, 1});
  require_slopes_exact(bc.slopes, {0.8721819724694836, 1.4160062338576829, 1.8917474924056332, 1.8250116529005274,
                                   1.8392566018208303, 2.006469118676527, 1.999932787464528, 1.6790556612601393,
                                   2.059799953614109, 2.5980123701740716});
  CHECK(trainscape::numpy_median(bc.slopes) == 1.8655020471132318);
  CHECK(trainscape::pooled_median_slope({bc}) == 1.8655020471132318);
  // The doc's values (numpy on AVX-512).
  require_slopes_near(bc.slopes,
                      {0.8721819724694828, 1.4160062338576838, 1.891747492405635, 1.8250116529005256,
                       1.8392566018208303, 2.0064691186765287, 1.9999327874645298, 1.6790556612601373,
                       2.0597999536141085, 2.5980123701740716},
                      1e-14);
  CHECK(trainscape::numpy_median(bc.slopes) == Approx(1.8655020471132326).margin(1e-14));
}

TEST_CASE("porespy_boxcount on a paper-sized 4095x4095 frame", "[analysis][boxcount]") {
  // A line of slope 0.7 plus a fully set first column; counts and slopes from numpy.
  const int n = 4095;
  Image<std::uint8_t> m(n, n, 0);
  for (int i = 0; i < n; ++i) {
    m(i, i * 7 / 10) = 1;
    m(i, 0) = 1;
  }
  const BoxCount bc = trainscape::porespy_boxcount(m);
  CHECK(bc.sizes == std::vector<std::int64_t>{10, 19, 38, 74, 144, 282, 551, 1075, 2098, 4095});
  CHECK(bc.counts == std::vector<std::int64_t>{1064, 559, 279, 143, 73, 37, 19, 8, 3, 1});
  require_slopes_exact(bc.slopes, {1.0027846066100103, 1.0026877537745542, 1.002710594419276, 1.006403123835237,
                                   1.0105226794124884, 1.0030273845841844, 1.1447891706731863, 1.3805266368461173,
                                   1.5547697932480506, 1.6427056172032615});
  CHECK(trainscape::numpy_median(bc.slopes) == 1.0084629016238627);
}

TEST_CASE("porespy_boxcount on a non-square image, sizes unsorted, duplicated, larger than the image",
          "[analysis][boxcount]") {
  // 37x23, pixel (r, c) set by a fixed hash: irregular, with partial tiles on both axes.
  Image<std::uint8_t> m(37, 23, 0);
  for (int r = 0; r < 37; ++r) {
    for (int c = 0; c < 23; ++c) m(r, c) = ((r * 31 + c * 17 + r * c) % 7 == 0) ? 1 : 0;
  }
  const std::vector<std::int64_t> sizes = {3, 1, 40, 23, 7, 7};
  const BoxCount bc = trainscape::porespy_boxcount(m, sizes);
  CHECK(bc.sizes == sizes);
  REQUIRE(bc.counts.size() == sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    INFO("size " << sizes[i]);
    CHECK(bc.counts[i] == naive_count(m, static_cast<int>(sizes[i])));
  }
  CHECK(bc.counts == std::vector<std::int64_t>{74, 0, 1, 2, 24, 24});  // numpy
  CHECK(bc.counts[1] == 0);                                            // 1x1 tiles are never mixed
  CHECK(bc.counts[2] == 1);                                            // one tile covering the whole image
  // A duplicated size divides by zero in the gradient, as in numpy.
  CHECK(std::isnan(bc.slopes[4]));
  CHECK(std::isnan(bc.slopes[5]));
  CHECK(bc.slopes[0] == -kInf);
  CHECK(bc.slopes[1] == -kInf);
  CHECK(bc.slopes[2] == kInf);
  CHECK(bc.slopes[3] == Approx(1.5180889300757148).margin(1e-12));
}

TEST_CASE("porespy_boxcount slopes on small hand-made masks match numpy", "[analysis][boxcount]") {
  SECTION("three isolated pixels, explicit sizes") {
    Image<std::uint8_t> m(12, 12, 0);
    m(0, 0) = 1;
    m(11, 11) = 1;
    m(5, 6) = 1;
    const BoxCount bc = trainscape::porespy_boxcount(m, {2, 3, 5, 12});
    CHECK(bc.counts == std::vector<std::int64_t>{3, 3, 3, 1});
    require_slopes_exact(bc.slopes, {-0.0, -1.1102230246251565e-16, 0.46240340947166203, 1.2548846598322403});
  }
  SECTION("non-square 37x23 image, default sizes from the shorter side (23), saturated counts") {
    Image<std::uint8_t> m(37, 23, 0);
    for (int r = 0; r < 37; ++r) {
      for (int c = 0; c < 23; ++c) m(r, c) = ((r * 31 + c * 17 + r * c) % 7 == 0) ? 1 : 0;
    }
    const BoxCount bc = trainscape::porespy_boxcount(m);
    // The last size is 22 with libm (numpy on AVX-512 says 23, giving counts ending 4, 2 and a
    // median of 1.7278678047460154): one ulp in pow moves the median by 0.58.
    CHECK(bc.sizes == std::vector<std::int64_t>{10, 12, 13, 14, 15, 17, 19, 20, 22});
    // Every tile is mixed: N = ceil(37/d) * ceil(23/d).
    CHECK(bc.counts == std::vector<std::int64_t>{12, 8, 6, 6, 6, 6, 4, 4, 4});
    require_slopes_exact(bc.slopes, {2.2239010857415478, 3.1760814961124613, 1.7278678047460154, 1.7763568394002505e-15,
                                     -8.881784197001252e-16, 1.9301817165478123, 1.15054930192969, -0.0, -0.0});
    CHECK(trainscape::numpy_median(bc.slopes) == 1.15054930192969);
  }
}

TEST_CASE("porespy_boxcount agrees with porespy's tile loop on random images", "[analysis][boxcount]") {
  std::mt19937 gen(12345);
  for (int trial = 0; trial < 40; ++trial) {
    const int rows = 1 + static_cast<int>(gen() % 60);
    const int cols = 1 + static_cast<int>(gen() % 60);
    const double density = static_cast<double>(gen() % 5) / 4.0;  // includes all-clear and all-set images
    std::bernoulli_distribution bit(density);
    Image<std::uint8_t> m(rows, cols, 0);
    for (auto& v : m.data) v = bit(gen) ? static_cast<std::uint8_t>(1 + gen() % 255) : 0;
    const std::vector<std::int64_t> sizes = {1, 2, 3, 5, 7, 10, 16, 33, 61, 100};
    const BoxCount bc = trainscape::porespy_boxcount(m, sizes);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      INFO("trial " << trial << " " << rows << "x" << cols << " d=" << sizes[i]);
      CHECK(bc.counts[i] == naive_count(m, static_cast<int>(sizes[i])));
    }
  }
}

TEST_CASE("porespy_boxcount with a single size gives NaN slopes", "[analysis][boxcount]") {
  Image<std::uint8_t> m(10, 10, 0);
  m(3, 4) = 1;
  const BoxCount bc = trainscape::porespy_boxcount(m);  // min side 10: sizes = [10]
  CHECK(bc.sizes == std::vector<std::int64_t>{10});
  CHECK(bc.counts == std::vector<std::int64_t>{1});
  REQUIRE(bc.slopes.size() == 1);
  CHECK(std::isnan(bc.slopes[0]));
}

TEST_CASE("numpy_median follows numpy.median", "[analysis][median]") {
  CHECK(trainscape::numpy_median({3.0, 1.0, 2.0}) == 2.0);
  CHECK(trainscape::numpy_median({4.0, 1.0, 3.0, 2.0}) == 2.5);
  CHECK(trainscape::numpy_median({5.0}) == 5.0);
  CHECK(trainscape::numpy_median({0.1, 0.2}) == 0.15000000000000002);  // (0.1 + 0.2) / 2
  CHECK(trainscape::numpy_median({1e308, 1.7e308}) == kInf);           // the sum overflows in numpy too
  CHECK(trainscape::numpy_median({1.0, kInf}) == kInf);
  CHECK(std::isnan(trainscape::numpy_median({-kInf, kInf})));
  CHECK(std::isnan(trainscape::numpy_median({1.0, kNaN, 2.0})));
  CHECK(std::isnan(trainscape::numpy_median({})));
  // numpy's mean adds from +0.0, so a -0.0 median is returned as +0.0.
  const double z = trainscape::numpy_median({-0.0});
  CHECK(z == 0.0);
  CHECK_FALSE(std::signbit(z));
  CHECK_FALSE(std::signbit(trainscape::numpy_median({-0.0, -0.0})));
  CHECK_FALSE(std::signbit(trainscape::numpy_median({-0.0, 5.0, -1.0})));
  CHECK(trainscape::numpy_median({-1.0, -0.0, 5.0, 7.0}) == 2.5);
}

TEST_CASE("pooled_median_slope takes the median of all frames' slopes together", "[analysis][median]") {
  const BoxCount a = trainscape::porespy_boxcount(diagonal_mask(16));
  const BoxCount d = trainscape::porespy_boxcount(trainscape::edge_mask(diagonal_sign_field(17)), {2, 4, 8, 16});
  const BoxCount f = trainscape::porespy_boxcount(sierpinski_foam());
  // numpy: np.median(np.concatenate([a.slope, d.slope])) and the same for d and f.
  CHECK(trainscape::pooled_median_slope({a, d}) == 1.0995356735509145);
  CHECK(trainscape::pooled_median_slope({d, f}) == 1.7520336570803332);
  CHECK(trainscape::pooled_median_slope({d}) == 1.2823207542362414);
  CHECK(std::isnan(trainscape::pooled_median_slope({})));
  // One frame without boundary poisons the pool, exactly as np.median does.
  const BoxCount empty = trainscape::porespy_boxcount(Image<std::uint8_t>(16, 16, 0));
  CHECK(empty.counts == std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 0});
  CHECK(std::isnan(trainscape::pooled_median_slope({f, empty})));
}
