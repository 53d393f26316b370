// trainscape_gemm_ceiling: the machine's matrix-product ceiling for the two heavy products of a
// training step, measured with Eigen's own GEMM (the library trainscape builds with), for
// scripts/bench_vs_peers.sh. Each of `threads` OpenMP threads multiplies its own matrices
// (as the engines work: one tile per thread, no nested threading):
//   forward:  (N x n) * (n x nP)    X times the stacked W_0 of P pixels
//   gradient: (n x N) * (N x nP)    X^T times the stacked deltas
// Usage: trainscape_gemm_ceiling [N=272] [n=16] [threads=2] [seconds per measurement=0.3]
// Prints one line per shape and P, then `ceiling_gflops=<v>`: at the best P, the rate of a step
// that does one product of each shape (harmonic mean of the two best rates).
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own AVX-512 intrinsics (inlined into Eigen) as -Wmaybe-uninitialized
// (GCC bug 105593); the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

/// Best and median GFLOP/s of C = A * B, summed over `threads` threads that each time their
/// own products for `seconds` (no barrier between them, like tiles).
void measure(int rows, int inner, int cols, int threads, double seconds, double& best, double& median) {
  std::vector<double> bests(static_cast<std::size_t>(threads)), medians(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
#ifdef _OPENMP
    const int me = omp_get_thread_num();
#else
    const int me = 0;
#endif
    const Mat A = Mat::Random(rows, inner), B = Mat::Random(inner, cols);
    Mat C = Mat::Zero(rows, cols);
    const double flops = 2.0 * rows * inner * cols;
    std::vector<double> rates;
    int reps = 1;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end || rates.size() < 5) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) C.noalias() = A * B;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s < 2e-3) {
        reps *= 2;
        continue;
      }
      rates.push_back(flops * reps / s / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    bests[static_cast<std::size_t>(me)] = rates.back();
    medians[static_cast<std::size_t>(me)] = rates[rates.size() / 2];
  }
  best = median = 0.0;
  for (int t = 0; t < threads; ++t) {
    best += bests[static_cast<std::size_t>(t)];
    median += medians[static_cast<std::size_t>(t)];
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int N = argc > 1 ? std::atoi(argv[1]) : 272;
  const int n = argc > 2 ? std::atoi(argv[2]) : 16;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 0.3;
  double ceiling = 0.0;
  for (int P : {16, 64, 256, 1024}) {
    double fb, fm, gb, gm;
    measure(N, n, n * P, threads, seconds, fb, fm);
    measure(n, N, n * P, threads, seconds, gb, gm);
    std::printf(
        "P=%d forward (%dx%d)(%dx%d): best %.1f median %.1f GFLOP/s; gradient (%dx%d)(%dx%d): best %.1f median %.1f GFLOP/s\n",
        P, N, n, n, n * P, fb, fm, n, N, N, n * P, gb, gm);
    ceiling = std::max(ceiling, 2.0 / (1.0 / fb + 1.0 / gb));
  }
  std::printf("threads=%d simd=%s\n", threads, Eigen::SimdInstructionSetsInUse());
  std::printf("ceiling_gflops=%.2f\n", ceiling);
  return 0;
}
