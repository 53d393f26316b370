// Transects in the core: the dyadic crossing counts and the trace's dimension on synthetic lines
// whose answer is known, the points of a segment, and the computed transect against an image row,
// across thread counts and tile sizes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "trainscape/batched_engine.hpp"
#include "trainscape/config.hpp"
#include "trainscape/dimension/transect.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/error.hpp"
#include "trainscape/frame_compute.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/transect.hpp"

using namespace trainscape;

namespace {

/// Class of x = i / 2^K in a Cantor-like set in base `base`: the gaps are the digits `gap_lo` ..
/// `gap_hi`; a point in a gap removed at construction level m (1-based) has class m mod 2, a point
/// in no gap (the set itself, or deeper than 60 levels) class 0. Each gap of level m is flanked,
/// arbitrarily close, by gaps of level m + 1, so the boundary between the classes is the Cantor
/// set. Exact integer arithmetic on x = p / q, q = 2^K (a digit is floor(base p / q)).
std::vector<std::uint8_t> cantor_classes(int K, std::int64_t base, std::int64_t gap_lo, std::int64_t gap_hi) {
  const std::int64_t q = std::int64_t{1} << K;
  std::vector<std::uint8_t> classes(static_cast<std::size_t>(q + 1), 0);
  for (std::int64_t i = 0; i <= q; ++i) {
    std::int64_t p = i;
    for (int level = 1; level <= 60 && p > 0 && p < q; ++level) {
      const std::int64_t digit = base * p / q;
      p = base * p - digit * q;
      if (digit >= gap_lo && digit <= gap_hi) {
        classes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(level % 2);
        break;
      }
    }
  }
  return classes;
}

}  // namespace

TEST_CASE("transect: dyadic lengths", "[transect]") {
  for (std::int64_t n : {3, 5, 9, 17, 1025, 1048577}) CHECK(is_dyadic_length(n));
  for (std::int64_t n : {-1, 0, 1, 2, 4, 6, 10, 1024, 1048576}) CHECK_FALSE(is_dyadic_length(n));
  CHECK_THROWS_AS(count_crossings(std::vector<std::uint8_t>(10, 0)), std::invalid_argument);
}

TEST_CASE("transect: class changes at every dyadic subsampling, counted by hand", "[transect]") {
  // 9 points, 8 intervals. Every 4th point: 0 0 1 -> 1 change; every 2nd: 0 1 0 0 1 -> 3;
  // all: 0 0 1 1 0 0 0 1 1 -> 3.
  const std::vector<std::uint8_t> classes = {0, 0, 1, 1, 0, 0, 0, 1, 1};
  const TransectCrossings c = count_crossings(classes);
  CHECK(c.resolutions == std::vector<std::int64_t>{2, 4, 8});
  CHECK(c.crossings == std::vector<std::int64_t>{1, 3, 3});
  // Any nonzero value is the same class.
  const TransectCrossings same = count_crossings({0, 0, 7, 1, 0, 0, 0, 2, 1});
  CHECK(same.crossings == c.crossings);
}

TEST_CASE("transect: one crossing has dimension 0, no crossing none", "[transect]") {
  std::vector<std::uint8_t> step((1u << 14) + 1, 0);
  for (std::size_t i = 5000; i < step.size(); ++i) step[i] = 1;
  const TransectDimension d = transect_dimension(step);
  CHECK(d.dimension == Approx(0.0).margin(1e-12));
  CHECK(d.ci_low <= 0.0 + 1e-12);
  CHECK(d.ci_high >= 0.0 - 1e-12);
  CHECK(d.fit_points >= 3);
  const TransectDimension none = transect_dimension(std::vector<std::uint8_t>((1u << 14) + 1, 1));
  CHECK(std::isnan(none.dimension));
  CHECK_THAT(none.note, Catch::Contains("no class change"));
}

TEST_CASE("transect: a base-4 Cantor set's trace has dimension 1/2", "[transect]") {
  // Keep the outer quarters of every interval (digits 0 and 3), remove the middle half (digits 1
  // and 2): dimension log 2 / log 4 = 1/2. The classes alternate with the level's parity, so the
  // pattern repeats every two levels, i.e. every 16-fold resolution, with 4 times the gaps: on
  // the dyadic grid the counts at resolutions 2^(4j+5) are exactly 2 * 4^(j+1) (each gap seen is
  // entered and left once), a slope of exactly 1/2 between them, with a ripple in between.
  const int K = 20;
  const std::vector<std::uint8_t> classes = cantor_classes(K, 4, 1, 2);
  const TransectCrossings c = count_crossings(classes);
  REQUIRE(c.resolutions.size() == static_cast<std::size_t>(K));
  for (int j = 0; 4 * j + 5 <= K; ++j) {
    const std::size_t k = static_cast<std::size_t>(4 * j + 4);  // resolution 2^(k+1)
    INFO("resolution " << c.resolutions[k]);
    CHECK(c.resolutions[k] == std::int64_t{1} << (4 * j + 5));
    CHECK(c.crossings[k] == 2 * (std::int64_t{1} << (2 * j + 2)));
  }
  const TransectDimension d = transect_dimension(classes);
  INFO("D = " << d.dimension << " [" << d.ci_low << ", " << d.ci_high << "]");
  CHECK(d.dimension == Approx(0.5).margin(0.03));
  CHECK(d.ci_low <= 0.5);
  CHECK(d.ci_high >= 0.5);
}

TEST_CASE("transect: the middle-thirds Cantor set's trace has dimension log 2 / log 3", "[transect]") {
  // Sampled on the dyadic grid, the gaps of length 3^-m longer than the spacing 2^-k are all seen
  // (each entered and left once), so C(2^k) ~ 2^(k log 2 / log 3) up to a log-periodic ripple
  // (ternary gaps against a binary grid), which the fit over 13 octaves averages out.
  const double expected = std::log(2.0) / std::log(3.0);
  const std::vector<std::uint8_t> classes = cantor_classes(20, 3, 1, 1);
  const TransectDimension d = transect_dimension(classes);
  INFO("D = " << d.dimension << " [" << d.ci_low << ", " << d.ci_high << "] fit " << d.fit_min << ".." << d.fit_max);
  CHECK(d.dimension == Approx(expected).margin(0.03));
  CHECK(d.ci_low <= expected);
  CHECK(d.ci_high >= expected);
  CHECK(d.ci_high - d.ci_low < 0.2);
  CHECK(d.fit_min == 16);  // interval lengths 4 .. 2^20 / 16 samples
  CHECK(d.fit_max == (1 << 18));
}

TEST_CASE("transect: points of a segment, exact at both ends", "[transect]") {
  const Segment s{0.1, -0.7, 0.7, 0.3};
  const TransectLine line(s, 1025);
  CHECK(line.log10_x(0) == 0.1);
  CHECK(line.log10_y(0) == -0.7);
  CHECK(line.log10_x(1024) == 0.7);
  CHECK(line.log10_y(1024) == 0.3);
  CHECK(line.log10_x(512) == Approx(0.4).epsilon(1e-15));
  // Trained at 10^coordinate to within rounding.
  for (int i : {0, 1, 511, 1024}) {
    CHECK(line.point(i).x == Approx(std::pow(10.0, line.log10_x(i))).epsilon(1e-14));
    CHECK(line.point(i).y == Approx(std::pow(10.0, line.log10_y(i))).epsilon(1e-14));
  }
  CHECK_THROWS_AS(TransectLine(s, 1), std::invalid_argument);
  CHECK_THROWS_AS(check_resolvable(TransectLine({1, 1, 1, 1}, 9), Precision::Float64), ConfigError);
  CHECK_THROWS_AS(check_resolvable(TransectLine({1, 1, 1 + 1e-13, 1}, 1025), Precision::Float64), ConfigError);
  CHECK_NOTHROW(check_resolvable(TransectLine({1, 1, 1, 1.5}, 1025), Precision::Float64));
}

TEST_CASE("transect: equals the row of an image at the same points, for any threads and tiles", "[transect]") {
  const RunConfig config = load_config(
      "model: {width: 4}\ntraining: {steps: 40}\nphase_space: {x: [-2, 4], y: [0.5, 1.5]}\n"
      "render: {resolution: [65, 17]}\nruntime: {threads: 1, tile: 4}\n",
      "transect.yaml");
  const Problem problem = make_problem(config);
  const auto engine = make_engine("batched");

  // The image: 65 x 17 pixels over x in [-2, 4], y in [0.5, 1.5]; its middle row (8) is y = 1.
  const Grid grid(Window::from_intervals(config.phase_space.x, config.phase_space.y), 65, 17);
  Image<double> measure;
  Image<std::uint8_t> converged;
  ZoomObserver quiet;
  compute_measures(problem, *engine, grid, config.runtime, 0, quiet, measure, converged);

  const TransectLine line({-2.0, 1.0, 4.0, 1.0}, 65);
  // On a linear axis the coordinates are the values (it used to read them as log10 exponents).
  const TransectLine linear({-2.0, 1.0, 4.0, 1.0}, 65, AxisScales{AxisScale::Linear, AxisScale::Log10});
  CHECK(linear.point(0).x == -2.0);
  CHECK(linear.point(64).x == 4.0);
  CHECK(linear.point(0).y == 10.0);
  CHECK(line.point(64).x == Approx(1e4));
  const TransectResult t = run_transect(config, problem, *engine, line, quiet);
  REQUIRE(t.measure.size() == 65);
  int converged_count = 0;
  for (int c = 0; c < 65; ++c) {
    INFO("point " << c);
    CHECK(std::memcmp(&t.measure[static_cast<std::size_t>(c)], &measure(8, c), sizeof(double)) == 0);
    CHECK(t.converged[static_cast<std::size_t>(c)] == converged(8, c));
    converged_count += t.converged[static_cast<std::size_t>(c)];
  }
  CHECK(converged_count > 0);  // the row crosses the boundary: both classes occur
  CHECK(converged_count < 65);
  CHECK(t.crossings.resolutions.size() == 6);
  CHECK(t.crossings.crossings.back() >= 1);

  // A diagonal transect: the same bits on 1 or 2 threads and in tiles of 1, 4, 25 or 4096 points.
  const TransectLine diagonal({-2.0, 0.5, 4.0, 1.5}, 129);
  RunConfig other = config;
  const TransectResult reference = run_transect(config, problem, *engine, diagonal, quiet);
  for (int threads : {1, 2}) {
    for (int tile : {1, 2, 5, 0}) {
      other.runtime.threads = threads;
      other.runtime.tile = tile;
      INFO("threads " << threads << " tile " << tile);
      const TransectResult r = run_transect(other, problem, *engine, diagonal, quiet);
      CHECK(std::memcmp(r.measure.data(), reference.measure.data(), r.measure.size() * sizeof(double)) == 0);
      CHECK(r.converged == reference.converged);
      CHECK(r.crossings.crossings == reference.crossings.crossings);
    }
  }
  CHECK(transect_tile_length(RuntimeConfig{0, 5}, 129) == 25);
  CHECK(transect_tile_length(RuntimeConfig{0, 0}, 1048577) == 4096);
}

namespace {
/// Bitwise equality of a stored channel value with an image's pixel (NaN and -0.0 included).
template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}
}  // namespace

TEST_CASE("transect: every channel equals the image row's, for any threads and tiles", "[transect][channels]") {
  const RunConfig config = load_config(
      "model: {width: 4}\ntraining: {steps: 40}\nphase_space: {x: [-2, 4], y: [0.5, 1.5]}\n"
      "render: {resolution: [33, 17]}\nruntime: {threads: 1, tile: 4}\n"
      "output: {channels: [measure, class, divergence_step, lyapunov, sharpness]}\n",
      "channels.yaml");
  const Problem problem = make_problem(config);
  REQUIRE(problem.channels.divergence_step);
  REQUIRE(problem.channels.lyapunov);
  REQUIRE(problem.channels.sharpness);
  const auto engine = make_engine("batched");

  // The image's middle row (8 of 17) lies at y = 1, as the transect does.
  const Grid grid(Window::from_intervals(config.phase_space.x, config.phase_space.y), 33, 17);
  const std::vector<Tile> tiles = make_tiles(33, 17, 4);
  Image<double> measure(17, 33);
  Image<std::uint8_t> converged(17, 33);
  ChannelImages channels(problem.channels, 17, 33);
  LocalDistributor local;
  local.begin_frame(0, std::vector<bool>(tiles.size(), false));
  ZoomObserver quiet;
  compute_tiles(problem, *engine, grid, tiles, 0, 1, 0, local, quiet, measure, converged, nullptr, nullptr, &channels);

  const TransectLine line({-2.0, 1.0, 4.0, 1.0}, 33);
  const TransectResult t = run_transect(config, problem, *engine, line, quiet);
  REQUIRE(t.assembled);
  REQUIRE(t.divergence_step.size() == 33);
  REQUIRE(t.lyapunov.size() == 33);
  REQUIRE(t.sharpness.size() == 33);
  REQUIRE(t.edge_of_stability.size() == 33);
  int diverged = 0;
  for (int c = 0; c < 33; ++c) {
    INFO("point " << c);
    const auto i = static_cast<std::size_t>(c);
    CHECK(same_bits(t.measure[i], measure(8, c)));
    CHECK(t.divergence_step[i] == channels.divergence_step(8, c));
    CHECK(same_bits(t.lyapunov[i], channels.lyapunov(8, c)));
    CHECK(same_bits(t.sharpness[i], channels.sharpness(8, c)));
    CHECK(same_bits(t.edge_of_stability[i], channels.edge_of_stability(8, c)));
    // divergence_step is -1 exactly for the runs that never diverged.
    if (t.divergence_step[i] >= 0) ++diverged;
  }
  CHECK(diverged > 0);  // the row crosses the boundary: the channels are not all the same value
  CHECK(diverged < 33);

  // The same bits on 1 or 2 threads and in tiles of 1, 4 or 25 points.
  RunConfig other = config;
  for (int threads : {1, 2}) {
    for (int tile : {1, 2, 5}) {
      other.runtime.threads = threads;
      other.runtime.tile = tile;
      INFO("threads " << threads << " tile " << tile);
      const TransectResult r = run_transect(other, problem, *engine, line, quiet);
      CHECK(r.divergence_step == t.divergence_step);
      CHECK(std::memcmp(r.lyapunov.data(), t.lyapunov.data(), 33 * sizeof(double)) == 0);
      CHECK(std::memcmp(r.sharpness.data(), t.sharpness.data(), 33 * sizeof(double)) == 0);
      CHECK(std::memcmp(r.edge_of_stability.data(), t.edge_of_stability.data(), 33 * sizeof(double)) == 0);
    }
  }
}

TEST_CASE("transect: shards hold their share only, and their tiles assemble the whole transect", "[transect]") {
  const RunConfig config = load_config(
      "model: {width: 4}\ntraining: {steps: 40}\nruntime: {threads: 1, tile: 2}\n"
      "output: {channels: [measure, class, lyapunov]}\n",
      "shards.yaml");
  const Problem problem = make_problem(config);
  const auto engine = make_engine("batched");
  const TransectLine line({-2.0, 1.0, 4.0, 1.0}, 65);
  ZoomObserver quiet;
  const TransectResult whole = run_transect(config, problem, *engine, line, quiet);

  // Each shard's share reaches on_share_done; an archive of all shares then computes nothing.
  struct Shares final : ZoomObserver, TileArchive {
    std::vector<TileResult> tiles;
    std::int64_t computed = 0;
    bool on_tile_done(const TileProgress&) override { return ++computed, true; }
    void on_share_done(int, const Window&, const std::vector<TileResult>& share) override {
      tiles.insert(tiles.end(), share.begin(), share.end());
    }
    void restore(int, const Window&, const std::vector<Tile>& all, bool load, std::vector<bool>& done, Image<double>& m,
                 Image<std::uint8_t>& c, ChannelImages& ch) override {
      for (const TileResult& r : tiles) {
        done[static_cast<std::size_t>(r.tile.index)] = true;
        if (load) put_tile(r, m, c, &ch);
      }
      (void)all;
    }
  } shares;
  for (int index = 0; index < 3; ++index) {
    ShardDistributor shard(index, 3);
    TransectPlan plan;
    plan.distributor = &shard;
    const TransectResult part = run_transect(config, problem, *engine, line, shares, plan);
    CHECK_FALSE(part.assembled);
    CHECK(part.measure.empty());
  }
  const int tile_count = static_cast<int>(make_tiles(65, 1, transect_tile_length(config.runtime, 65)).size());
  CHECK(static_cast<int>(shares.tiles.size()) == tile_count);
  CHECK(shares.computed == tile_count);

  shares.computed = 0;
  TransectPlan merge;
  merge.archive = &shares;
  const TransectResult merged = run_transect(config, problem, *engine, line, shares, merge);
  CHECK(shares.computed == 0);
  CHECK(std::memcmp(merged.measure.data(), whole.measure.data(), 65 * sizeof(double)) == 0);
  CHECK(merged.converged == whole.converged);
  CHECK(std::memcmp(merged.lyapunov.data(), whole.lyapunov.data(), 65 * sizeof(double)) == 0);
  CHECK(merged.divergence_step.empty());
  CHECK(merged.crossings.crossings == whole.crossings.crossings);
}
