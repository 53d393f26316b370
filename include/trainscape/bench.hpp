#pragma once
/// Throughput benchmark of an engine on a config's problem (no I/O; the CLI prints the result).
#include <cstdint>
#include <string>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"

namespace trainscape {

/// Useful floating-point operations of one training step of one pixel, counted on the plain
/// algorithm of the reference engine whatever the engine does (a fast path that skips work still
/// gets credit for it, so GFLOP/s compare engines on equal terms). With N rows, B gradient rows
/// (B = N in full batch), d = n inputs, widths n, k outputs, L layers, h = N n (L - 1) hidden
/// activations per forward pass, P = d n + (L - 2) n^2 + n k weights:
///   forward, loss rows:          2 N P          (products)      + 3 N k  (residual, square, sum)
///   forward, gradient rows:      2 B P  if minibatch (full batch reuses the loss pass)
///   weight gradients:            2 B P
///   back-propagated signals:     2 B ((L - 2) n^2 + n k)
///   activation derivatives:      2 B n (L - 1)  (1 - h^2 and the product; relu / identity alike)
///   update:                      2 P
/// tanh evaluations are not counted (B n (L - 1) + [minibatch] N n (L - 1) of them per step).
/// Paper-like tanh config (n = 16, N = 272, L = 2, k = 1, full batch): 314,704 flops.
/// model.kind ripple_quadratic: 21 p (docs/ripple.md#cost).
double flops_per_pixel_step(const Problem& problem);

struct BenchResult {
  double pixel_steps_per_s = 0.0;  ///< pixels x steps / seconds
  double gflops = 0.0;             ///< pixel_steps_per_s x flops_per_pixel_step / 1e9
  double seconds = 0.0;            ///< wall time of the training (problem set-up excluded)
  double flops_per_pixel_step = 0.0;
  std::string engine;     ///< engine name
  std::string precision;  ///< float64 | float32
  int threads = 1;        ///< threads asked for (0 resolved to the core count)
  int tiles = 0;          ///< units of work; fewer tiles than threads leaves threads idle
  std::int64_t pixels = 0;
  int steps = 0;
};

/// Trains `pixels` pixels of the config's first window for `steps` steps (the config's value if
/// steps <= 0) with `engine`: the pixels are the first `pixels` points, row by row, of a
/// c x r grid spanning the window (c = ceil(sqrt(pixels)), r = ceil(pixels / c), both >= 2),
/// cut into tiles of side^2 points (side = resolve_tile_side(runtime.tile, c, r)) that `threads`
/// OpenMP threads (0 = all) take in turn, like a frame. Throws ConfigError for pixels < 1.
BenchResult run_benchmark(const RunConfig& config, const Engine& engine, int pixels, int steps, int threads);

}  // namespace trainscape
