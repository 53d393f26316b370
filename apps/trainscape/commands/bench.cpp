// `trainscape bench CONFIG`: the training rate of an engine on a config's window.
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "trainscape/bench.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/machine.hpp"

namespace trainscape::app {

// Trains a block of pixels of the config's first window and reports the rate; the last line is
// machine-readable (scripts/bench_vs_peers.sh parses it).
int run_bench_command(const BenchOptions& opt) {
  RunConfig config = load_run_config(opt.config);
  refuse_perturbation(config, opt.config, "bench");
  if (opt.threads >= 0) config.runtime.threads = opt.threads;
  const auto engine = make_engine(opt.engine);
  // The benchmark holds every pixel's outcome and hyperparameters plus an engine batch; about
  // 32 bytes per pixel were measured at --pixels 2^28 (8.6 GB).
  io::refuse_if_exceeds_memory<UsageError>(32.0 * opt.pixels, "--pixels " + std::to_string(opt.pixels), "",
                                           "use fewer pixels");
  const BenchResult r = run_benchmark(config, *engine, opt.pixels, opt.steps, config.runtime.threads);
  std::printf("%lld pixels x %d steps in %.3f s (%.0f flops per pixel-step)\n", static_cast<long long>(r.pixels),
              r.steps, r.seconds, r.flops_per_pixel_step);
  if (r.tiles < r.threads) {
    // A rate measured with idle threads is not the rate of `threads` threads.
    std::fprintf(stderr,
                 "trainscape: warning: %d tiles for %d threads: %d threads idle; use a smaller runtime.tile "
                 "or more --pixels\n",
                 r.tiles, r.threads, r.threads - r.tiles);
  }
  std::printf("pixel_steps_per_s=%.6g gflops=%.4g engine=%s precision=%s threads=%d tiles=%d\n", r.pixel_steps_per_s,
              r.gflops, r.engine.c_str(), r.precision.c_str(), r.threads, r.tiles);
  return 0;
}

}  // namespace trainscape::app
