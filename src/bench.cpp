#include "trainscape/bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <vector>

#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

double flops_per_pixel_step(const Problem& p) {
  // ripple_quadratic, per coordinate and step (src/ripple.cpp): the loss 7 operations, the
  // gradient 12, the plain gradient-descent update 2, counting each cos and sin as one.
  if (p.kind == ModelKind::RippleQuadratic) return 21.0 * p.dim;
  const double N = p.n_data(), n = p.width, d = p.input_dim(), k = p.target_dim, L = p.depth;
  const double B = p.full_batch() ? N : static_cast<double>(p.minibatches.front().size());
  const double P = d * n + (L - 2) * n * n + n * k;
  double flops = 2 * N * P + 3 * N * k;
  if (!p.full_batch()) flops += 2 * B * P;
  flops += 2 * B * P;
  flops += 2 * B * ((L - 2) * n * n + n * k);
  flops += 2 * B * n * (L - 1);
  flops += 2 * P;
  return flops;
}

BenchResult run_benchmark(const RunConfig& config, const Engine& engine, int pixels, int steps, int threads) {
  if (pixels < 1) throw errors::config_value("--pixels", std::to_string(pixels), "must be >= 1", "bench");
  RunConfig c = config;
  if (steps > 0) c.training.steps = steps;
  const Problem problem = make_problem(c);

  const int cols = std::max(2, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(pixels)))));
  const int rows = std::max(2, (pixels + cols - 1) / cols);
  const Grid grid(Window::from_intervals(c.phase_space.x, c.phase_space.y), cols, rows, axis_scales(problem));
  std::vector<HyperPoint> points;
  points.reserve(static_cast<std::size_t>(pixels));
  for (int i = 0; i < pixels; ++i) points.push_back({grid.value_x(i % cols), grid.value_y(i / cols)});
  std::vector<PixelOutcome> out(points.size());

  const int side = resolve_tile_side(c.runtime.tile, cols, rows);
  const std::size_t tile = static_cast<std::size_t>(side) * static_cast<std::size_t>(side);
  const int n_tiles = static_cast<int>((points.size() + tile - 1) / tile);
  const int used_threads = resolve_thread_count(threads);
  const auto start = std::chrono::steady_clock::now();
  parallel_for_each(n_tiles, used_threads, [&](std::int64_t ti) {
    const std::size_t begin = static_cast<std::size_t>(ti) * tile;
    const std::size_t count = std::min(tile, points.size() - begin);
    engine.train(problem, points.data() + begin, count, out.data() + begin);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  BenchResult r;
  r.seconds = seconds;
  r.pixels = pixels;
  r.steps = problem.steps;
  r.threads = used_threads;
  r.tiles = n_tiles;
  r.engine = engine.name();
  r.precision = to_string(problem.precision);
  r.flops_per_pixel_step = flops_per_pixel_step(problem);
  r.pixel_steps_per_s = static_cast<double>(pixels) * problem.steps / std::max(seconds, 1e-12);
  r.gflops = r.pixel_steps_per_s * r.flops_per_pixel_step / 1e9;
  return r;
}

}  // namespace trainscape
