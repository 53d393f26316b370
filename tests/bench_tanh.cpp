// Microbenchmark of the batched engine's vectorised tanh (detail::tanh_array): nanoseconds per
// value for the input mixes the engine meets, in each kernel build this machine runs. A tool, not
// a test: timings depend on the machine and its load. Compare two versions by building this file
// against each and running the binaries alternately (the performance record in
// src/batched_engine.cpp quotes medians of such alternating runs). Times are processor time
// (std::clock), not wall time: on a machine shared with other jobs, wall time counts the time the
// process waits for a core, which made single runs vary by 2x on the 2-core development VM.
//
// usage: trainscape_bench_tanh [repeats (default 15)]
// Also prints the float64 maximum and mean error in ulps against long double tanhl over a sweep
// of 4e6 points across the binades 2^-30 .. 2^5 (the unit test asserts the bound; this shows it).
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "trainscape/batched_engine.hpp"

using namespace trainscape;

namespace {

struct Mix {
  const char* name;
  std::vector<double> x;
};

// Input mixes. "training" is shaped like the pre-activations of the paper's tanh network in the
// wide [-3, 6]^2 view: most |z| below a few units, a fat tail of saturated ones.
std::vector<Mix> make_mixes(std::size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<Mix> mixes = {
      {"uniform [-1,1]", {}}, {"uniform [-8,8]", {}}, {"saturated |x|>20", {}}, {"training-like", {}}};
  for (std::size_t i = 0; i < n; ++i) {
    mixes[0].x.push_back(unit(rng));
    mixes[1].x.push_back(8.0 * unit(rng));
    mixes[2].x.push_back(std::copysign(20.0 + 100.0 * std::fabs(unit(rng)), unit(rng)));
    // log-normal scale: e^N(0, 1.5) times a normal, so ~10% of values exceed 19.1 in magnitude
    mixes[3].x.push_back(normal(rng) * std::exp(1.5 * normal(rng)));
  }
  return mixes;
}

double ulp_error(double got, long double want) {
  const double rounded = static_cast<double>(want);
  const long double ulp = static_cast<long double>(std::nextafter(std::fabs(rounded), INFINITY)) - std::fabs(rounded);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  constexpr std::size_t kValues = 4096;  // 32 KiB per array: stays in L1/L2 like the engine's blocks
  constexpr int kCalls = 200;
  const std::vector<Mix> mixes = make_mixes(kValues);
  std::vector<KernelIsa> isas = {KernelIsa::Build};
  if (detail::cpu_has_avx512f()) isas.push_back(KernelIsa::Avx512);
  std::vector<double> out(kValues);
  double checksum = 0.0;
  for (KernelIsa isa : isas) {
    for (const Mix& m : mixes) {
      std::vector<double> ns;
      for (int r = 0; r < repeats; ++r) {
        const std::clock_t t0 = std::clock();
        for (int c = 0; c < kCalls; ++c) detail::tanh_array(m.x.data(), out.data(), kValues, isa);
        const std::clock_t t1 = std::clock();
        checksum += out[static_cast<std::size_t>(r) % kValues];
        ns.push_back(1e9 * static_cast<double>(t1 - t0) / CLOCKS_PER_SEC / (kCalls * double(kValues)));
      }
      std::printf("%-9s %-18s %.3f ns/value (median of %d, min %.3f)\n", BatchedEngine::isa(isa), m.name, median(ns),
                  repeats, *std::min_element(ns.begin(), ns.end()));
    }
  }
  std::printf("checksum %.17g\n", checksum);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<double> x(4000000), y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = unit(rng) * std::ldexp(1.0, -30 + static_cast<int>(35 * (i % 1000) / 1000));
  for (KernelIsa isa : isas) {
    detail::tanh_array(x.data(), y.data(), x.size(), isa);
    double worst = 0.0, mean = 0.0, worst_x = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double e = ulp_error(y[i], tanhl(static_cast<long double>(x[i])));
      mean += e;
      if (e > worst) worst = e, worst_x = x[i];
    }
    std::printf("%-9s float64 error: max %.3f ulp (at x = %.17g), mean %.4f ulp\n", BatchedEngine::isa(isa), worst,
                worst_x, mean / static_cast<double>(x.size()));
  }
  return 0;
}
