// Tests of the sign-keeping rank equalisation and of matplotlib's "Spectral" colormap. Expected
// bytes come from matplotlib 3.6.3 (`matplotlib.colormaps['Spectral'](t, bytes=True)`), expected
// equalised values from numpy.interp over the sorted negatives / non-negatives (the header's
// contract). matplotlib is not needed to run these tests.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "trainscape/colour.hpp"

using trainscape::Image;
using Rgb = std::array<std::uint8_t, 3>;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Image<double> row_image(const std::vector<double>& values) {
  Image<double> img(1, static_cast<int>(values.size()));
  img.data = values;
  return img;
}

// Exact comparison that lets NaN match NaN.
void require_same(const Image<double>& got, const std::vector<double>& want) {
  REQUIRE(got.data.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    if (std::isnan(want[i])) {
      CHECK(std::isnan(got.data[i]));
    } else {
      CHECK(got.data[i] == want[i]);
    }
  }
}

}  // namespace

TEST_CASE("spectral_rgb8 reproduces all 256 entries of matplotlib's Spectral table", "[colour][spectral]") {
  // matplotlib: colormaps['Spectral']((k + 0.5) / 256, bytes=True)[:3] for k = 0 .. 255.
  const std::array<Rgb, 256> expected = {{
      {158, 1, 66},    {160, 3, 66},    {162, 5, 67},    {164, 8, 67},    {166, 10, 68},   {168, 12, 68},
      {170, 15, 69},   {173, 17, 69},   {175, 20, 70},   {177, 22, 70},   {179, 24, 71},   {181, 27, 71},
      {183, 29, 72},   {186, 32, 72},   {188, 34, 73},   {190, 36, 73},   {192, 39, 74},   {194, 41, 74},
      {196, 44, 75},   {198, 46, 75},   {201, 48, 76},   {203, 51, 76},   {205, 53, 77},   {207, 56, 77},
      {209, 58, 78},   {211, 60, 78},   {213, 62, 78},   {214, 64, 78},   {216, 66, 77},   {217, 68, 77},
      {218, 70, 76},   {219, 72, 76},   {220, 73, 75},   {222, 75, 75},   {223, 77, 75},   {224, 79, 74},
      {225, 81, 74},   {226, 83, 73},   {228, 85, 73},   {229, 86, 72},   {230, 88, 72},   {231, 90, 71},
      {233, 92, 71},   {234, 94, 70},   {235, 96, 70},   {236, 97, 69},   {237, 99, 69},   {239, 101, 68},
      {240, 103, 68},  {241, 105, 67},  {242, 107, 67},  {244, 109, 67},  {244, 111, 68},  {244, 114, 69},
      {245, 116, 70},  {245, 119, 71},  {245, 121, 72},  {246, 124, 74},  {246, 126, 75},  {246, 129, 76},
      {247, 131, 77},  {247, 134, 78},  {247, 137, 79},  {248, 139, 81},  {248, 142, 82},  {248, 144, 83},
      {249, 147, 84},  {249, 149, 85},  {250, 152, 86},  {250, 154, 88},  {250, 157, 89},  {251, 159, 90},
      {251, 162, 91},  {251, 165, 92},  {252, 167, 94},  {252, 170, 95},  {252, 172, 96},  {253, 174, 97},
      {253, 176, 99},  {253, 178, 101}, {253, 180, 102}, {253, 182, 104}, {253, 184, 106}, {253, 186, 107},
      {253, 188, 109}, {253, 190, 110}, {253, 192, 112}, {253, 194, 114}, {253, 196, 115}, {253, 198, 117},
      {253, 200, 119}, {253, 202, 120}, {253, 204, 122}, {253, 206, 124}, {253, 208, 125}, {253, 210, 127},
      {253, 212, 129}, {253, 214, 130}, {253, 216, 132}, {253, 218, 134}, {253, 220, 135}, {253, 222, 137},
      {254, 224, 139}, {254, 225, 141}, {254, 226, 143}, {254, 227, 145}, {254, 228, 147}, {254, 230, 149},
      {254, 231, 151}, {254, 232, 153}, {254, 233, 155}, {254, 234, 157}, {254, 236, 159}, {254, 237, 161},
      {254, 238, 163}, {254, 239, 165}, {254, 241, 167}, {254, 242, 169}, {254, 243, 171}, {254, 244, 173},
      {254, 245, 175}, {254, 247, 177}, {254, 248, 179}, {254, 249, 181}, {254, 250, 183}, {254, 251, 185},
      {254, 253, 187}, {254, 254, 189}, {254, 254, 190}, {253, 254, 188}, {252, 254, 187}, {251, 253, 185},
      {250, 253, 184}, {249, 252, 182}, {248, 252, 181}, {247, 252, 179}, {246, 251, 178}, {245, 251, 176},
      {244, 250, 174}, {243, 250, 173}, {242, 250, 171}, {241, 249, 170}, {240, 249, 168}, {239, 248, 167},
      {238, 248, 165}, {237, 248, 164}, {236, 247, 162}, {235, 247, 161}, {234, 246, 159}, {233, 246, 158},
      {232, 246, 156}, {231, 245, 155}, {230, 245, 153}, {230, 245, 152}, {227, 244, 152}, {225, 243, 152},
      {223, 242, 153}, {220, 241, 153}, {218, 240, 154}, {216, 239, 154}, {213, 238, 155}, {211, 237, 155},
      {209, 236, 156}, {206, 235, 156}, {204, 234, 157}, {202, 233, 157}, {199, 232, 158}, {197, 231, 158},
      {195, 230, 159}, {192, 229, 159}, {190, 229, 160}, {188, 228, 160}, {186, 227, 160}, {183, 226, 161},
      {181, 225, 161}, {179, 224, 162}, {176, 223, 162}, {174, 222, 163}, {172, 221, 163}, {169, 220, 164},
      {166, 219, 164}, {164, 218, 164}, {161, 217, 164}, {158, 216, 164}, {156, 215, 164}, {153, 214, 164},
      {150, 213, 164}, {148, 212, 164}, {145, 210, 164}, {142, 209, 164}, {139, 208, 164}, {137, 207, 164},
      {134, 206, 164}, {131, 205, 164}, {129, 204, 164}, {126, 203, 164}, {123, 202, 164}, {120, 201, 164},
      {118, 200, 164}, {115, 199, 164}, {112, 198, 164}, {110, 197, 164}, {107, 196, 164}, {104, 195, 164},
      {102, 194, 165}, {99, 191, 165},  {97, 189, 166},  {95, 187, 167},  {93, 184, 168},  {91, 182, 169},
      {89, 180, 170},  {87, 178, 171},  {85, 175, 172},  {83, 173, 173},  {81, 171, 174},  {79, 168, 175},
      {77, 166, 176},  {75, 164, 177},  {73, 162, 178},  {71, 159, 179},  {69, 157, 180},  {67, 155, 181},
      {65, 153, 181},  {63, 150, 182},  {61, 148, 183},  {59, 146, 184},  {57, 143, 185},  {55, 141, 186},
      {53, 139, 187},  {51, 137, 188},  {50, 134, 188},  {52, 132, 187},  {54, 130, 186},  {56, 128, 185},
      {57, 125, 184},  {59, 123, 183},  {61, 121, 182},  {62, 119, 181},  {64, 117, 180},  {66, 114, 178},
      {68, 112, 177},  {69, 110, 176},  {71, 108, 175},  {73, 105, 174},  {75, 103, 173},  {76, 101, 172},
      {78, 99, 171},   {80, 96, 170},   {81, 94, 169},   {83, 92, 168},   {85, 90, 167},   {87, 87, 166},
      {88, 85, 165},   {90, 83, 164},   {92, 81, 163},   {94, 79, 162},
  }};
  for (int k = 0; k < 256; ++k) {
    INFO("entry " << k);
    const Rgb got = trainscape::spectral_rgb8((k + 0.5) / 256.0);
    CHECK(got == expected[static_cast<std::size_t>(k)]);
    // Every t in [k/256, (k+1)/256) lands on the same entry.
    CHECK(trainscape::spectral_rgb8(k / 256.0) == expected[static_cast<std::size_t>(k)]);
  }
}

TEST_CASE("spectral_rgb8 at anchors, between them, at the ends and outside [0, 1]", "[colour][spectral]") {
  // matplotlib's bytes for each t (the anchors 0, 0.1, ..., 1 first).
  const std::vector<std::pair<double, Rgb>> cases = {
      {0.0, {158, 1, 66}},
      {0.1, {211, 60, 78}},
      {0.2, {244, 109, 67}},
      {0.3, {252, 172, 96}},
      {0.4, {254, 224, 139}},
      {0.5, {254, 254, 190}},
      {0.6, {230, 245, 152}},
      {0.7, {169, 220, 164}},
      {0.8, {102, 194, 165}},
      {0.9, {50, 134, 188}},
      {1.0, {94, 79, 162}},
      {-0.5, {158, 1, 66}},
      {-1e-300, {158, 1, 66}},
      {-0.0, {158, 1, 66}},
      {-0.001, {158, 1, 66}},
      {0.00390625, {160, 3, 66}},
      {0.0039062499999999996, {158, 1, 66}},
      {0.375, {253, 212, 129}},
      {0.625, {213, 238, 155}},
      {0.123456789, {219, 72, 76}},
      {0.7654321, {126, 203, 164}},
      {0.99609375, {94, 79, 162}},
      {0.9999999999999999, {94, 79, 162}},
      {1.0000000000000002, {94, 79, 162}},
      {2.0, {94, 79, 162}},
      {1e+300, {94, 79, 162}},
      {kInf, {94, 79, 162}},
      {-kInf, {158, 1, 66}},
  };
  for (const auto& [t, rgb] : cases) {
    INFO("t = " << t);
    CHECK(trainscape::spectral_rgb8(t) == rgb);
  }
  // matplotlib's "bad" colour is transparent black; RGB keeps black.
  CHECK(trainscape::spectral_rgb8(kNaN) == Rgb{0, 0, 0});
}

TEST_CASE("rank_equalise maps each sign class evenly, ties to the last index", "[colour][equalise]") {
  SECTION("both signs, ties, zero counts as non-negative") {
    // negatives sorted: -9 -9 -4 -1 -> linspace(-1, -0.25, 4) = -1 -0.75 -0.5 -0.25
    // non-negatives sorted: -0.0 0 2 2 2 -> linspace(0.25, 1, 5) = 0.25 0.4375 0.625 0.8125 1
    const Image<double> eq = trainscape::rank_equalise(row_image({2.0, -9.0, 0.0, -1.0, 2.0, -4.0, -0.0, -9.0, 2.0}));
    REQUIRE(eq.rows == 1);
    REQUIRE(eq.cols == 9);
    require_same(eq, {1.0, -0.75, 0.4375, -0.25, 1.0, -0.5, 0.4375, -0.75, 1.0});
  }
  SECTION("shape is kept; values are in row-major order") {
    Image<double> m(2, 3);
    m.data = {-3.0, 5.0, -7.0, 1.0, -5.0, 3.0};
    const Image<double> eq = trainscape::rank_equalise(m);
    REQUIRE(eq.rows == 2);
    REQUIRE(eq.cols == 3);
    // negatives -7 -5 -3 -> -1 -0.625 -0.25; non-negatives 1 3 5 -> 0.25 0.625 1
    CHECK(eq(0, 0) == -0.25);
    CHECK(eq(0, 1) == 1.0);
    CHECK(eq(0, 2) == -1.0);
    CHECK(eq(1, 0) == 0.25);
    CHECK(eq(1, 1) == -0.625);
    CHECK(eq(1, 2) == 0.625);
  }
  SECTION("all negative, all positive, all tied") {
    require_same(trainscape::rank_equalise(row_image({-1.0, -3.0, -2.0})), {-0.25, -1.0, -0.625});
    require_same(trainscape::rank_equalise(row_image({4.0, 1e-300, 1e300})), {0.625, 0.25, 1.0});
    require_same(trainscape::rank_equalise(row_image({-2.0, -2.0, -2.0})), {-0.25, -0.25, -0.25});
    require_same(trainscape::rank_equalise(row_image({0.0, 0.0})), {1.0, 1.0});
  }
  SECTION("a single element maps to the first end of its range") {
    require_same(trainscape::rank_equalise(row_image({-42.0})), {-1.0});
    require_same(trainscape::rank_equalise(row_image({42.0})), {0.25});
    require_same(trainscape::rank_equalise(row_image({-1.0, 3.0})), {-1.0, 0.25});
  }
  SECTION("NaN passes through and does not take a rank") {
    // Without the NaNs: negatives -5 -1 -> -1 -0.25; non-negatives 0 7 -> 0.25 1.
    require_same(trainscape::rank_equalise(row_image({kNaN, -1.0, 7.0, kNaN, -5.0, 0.0})),
                 {kNaN, -0.25, 1.0, kNaN, -1.0, 0.25});
    require_same(trainscape::rank_equalise(row_image({kNaN})), {kNaN});
  }
  SECTION("infinities rank like any value") {
    require_same(trainscape::rank_equalise(row_image({-kInf, -1.0, kInf, 2.0})), {-1.0, -0.25, 1.0, 0.25});
  }
  SECTION("inexact linspace steps follow numpy bit for bit") {
    // 11 negatives -1 .. -11 and 11 non-negatives 0 .. 10; step 0.075 is inexact. numpy gives
    // -0.475 at k = 7 where a fused multiply-add would give -0.47500000000000003.
    std::vector<double> values;
    for (int i = 1; i <= 11; ++i) values.push_back(-i);
    for (int i = 0; i <= 10; ++i) values.push_back(i);
    require_same(trainscape::rank_equalise(row_image(values)), {-0.25,
                                                                -0.32500000000000007,
                                                                -0.4,
                                                                -0.475,
                                                                -0.55,
                                                                -0.625,
                                                                -0.7,
                                                                -0.775,
                                                                -0.85,
                                                                -0.925,
                                                                -1.0,
                                                                0.25,
                                                                0.325,
                                                                0.4,
                                                                0.475,
                                                                0.55,
                                                                0.625,
                                                                0.7,
                                                                0.775,
                                                                0.85,
                                                                0.9249999999999999,
                                                                1.0});
  }
  SECTION("an empty image stays empty") { CHECK(trainscape::rank_equalise(Image<double>()).size() == 0); }
}

TEST_CASE("colourise: converged pixels blue, diverged red, bytes as matplotlib draws them", "[colour][colourise]") {
  // A 3x4 frame; expected: numpy equalisation, then
  // colormaps['Spectral']((-(eq) + 1) / 2, bytes=True).
  Image<double> m(3, 4);
  m.data = {-250.0, -3.5, 0.0, 1e-3, -3.5, -120.0, 7.0, 0.25, -1e6, 5e-7, -0.5, 7.0};
  const Image<double> eq = trainscape::rank_equalise(m);
  require_same(eq, {-0.85, -0.4, 0.25, 0.55, -0.4, -0.7, 1.0, 0.7, -1.0, 0.4, -0.25, 1.0});

  const Image<Rgb> rgb = trainscape::colourise(m);
  REQUIRE(rgb.rows == 3);
  REQUIRE(rgb.cols == 4);
  const std::vector<Rgb> expected = {
      {61, 121, 182}, {169, 220, 164}, {253, 212, 129}, {246, 124, 74}, {169, 220, 164}, {75, 164, 177},
      {158, 1, 66},   {228, 85, 73},   {94, 79, 162},   {252, 172, 96}, {213, 238, 155}, {158, 1, 66},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("pixel " << i);
    CHECK(rgb.data[i] == expected[i]);
  }
  // Orientation is kept: row 2, column 0 is the most converged pixel, the blue end of Spectral.
  CHECK(rgb(2, 0) == Rgb{94, 79, 162});
  CHECK(rgb(2, 0)[2] > rgb(2, 0)[0]);
  // The most diverged pixel (7.0, tied) is the red end.
  CHECK(rgb(1, 2) == Rgb{158, 1, 66});
  CHECK(rgb(1, 2)[0] > rgb(1, 2)[2]);
  // Every converged pixel is bluer than every diverged one.
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    for (std::size_t j = 0; j < m.data.size(); ++j) {
      if (m.data[i] < 0.0 && m.data[j] >= 0.0) {
        CHECK(rgb.data[i][2] - rgb.data[i][0] > rgb.data[j][2] - rgb.data[j][0]);
      }
    }
  }
}

TEST_CASE("colourise paints NaN black and keeps the shape of rectangular frames", "[colour][colourise]") {
  Image<double> m(2, 1);
  m.data = {kNaN, -3.0};
  const Image<Rgb> rgb = trainscape::colourise(m);
  REQUIRE(rgb.rows == 2);
  REQUIRE(rgb.cols == 1);
  CHECK(rgb(0, 0) == Rgb{0, 0, 0});
  // The single negative equalises to -1, displayed at t = 1.
  CHECK(rgb(1, 0) == Rgb{94, 79, 162});
}
