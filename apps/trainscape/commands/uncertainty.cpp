// `trainscape uncertainty CONFIG`: the Monte-Carlo uncertainty exponent of a config's window,
// measured by training random points and their perturbed twins.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <string>

#include "../report_format.hpp"
#include "../stop_request.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/uncertainty.hpp"
#include "trainscape/window.hpp"

namespace trainscape::app {

int run_uncertainty_command(const UncertaintyCommandOptions& opt, std::FILE* out) {
  install_stop_handlers();
  const RunConfig config = load_run_config(opt.config);
  refuse_perturbation(config, opt.config, "uncertainty");
  const auto engine = make_engine(opt.engine);
  const Problem problem = make_problem(config);
  const Window window = Window::from_intervals(config.phase_space.x, config.phase_space.y);

  UncertaintyOptions uo;
  uo.points = opt.points;
  uo.threads = opt.threads >= 0 ? opt.threads : config.runtime.threads;
  uo.seed = opt.seed;
  const auto start = std::chrono::steady_clock::now();
  uo.progress = [&](std::int64_t done, std::int64_t budget) {
    if (opt.progress) {
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\runcertainty: %lld / %lld base points, %.0f s   ", static_cast<long long>(done),
                   static_cast<long long>(budget), t);
      std::fflush(stderr);
    }
    return stop_signal().load() == 0;
  };
  const DimensionEstimate e = uncertainty_exponent(*engine, problem, window, uo);
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // A stop request ends sampling at a round boundary; what was sampled is still reported.
  const int signal_number = stop_signal().load();
  const auto finish = [&]() {
    std::fflush(out);
    if (signal_number != 0) {
      throw Interrupted("uncertainty stopped after " + std::to_string(e.samples) + " base points (" +
                            (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") +
                            "); the estimate printed uses only those",
                        signal_number == SIGTERM ? 143 : 130);
    }
    return 0;
  };
  if (opt.json) {
    JsonObject j(0);
    j.str("config", opt.config.path).str("engine", opt.engine);
    j.raw("window", json_array({window.x_min(), window.x_max(), window.y_min(), window.y_max()}));
    j.integer("steps", problem.steps).num("seconds", seconds);
    j.raw("uncertainty", estimate_json(e, 2));
    std::fprintf(out, "%s\n", j.done().c_str());
    return finish();
  }
  std::fprintf(out, "%s: window x [%.12g, %.12g] y [%.12g, %.12g] (log10), engine %s, %d steps\n",
               opt.config.path.c_str(), window.x_min(), window.x_max(), window.y_min(), window.y_max(),
               opt.engine.c_str(), problem.steps);
  std::fprintf(out, "%-12s %-10s %-12s %s\n", "epsilon", "n_u", "f(eps)", "local D (to the next epsilon)");
  for (std::size_t k = 0; k < e.scales.size(); ++k) {
    char local[32] = "-";
    if (k < e.local.size() && std::isfinite(e.local[k])) std::snprintf(local, sizeof local, "%.4f", e.local[k]);
    std::fprintf(out, "%-12.3g %-10.0f %-12.4g %s\n", e.scales[k], e.counts[k], e.values[k], local);
  }
  std::fprintf(out,
               "uncertainty exponent: D = %s (95%% bootstrap interval), alpha = 2 - D; %lld base points, %d epsilons "
               "fitted over %.3g..%.3g, %.1f s\n",
               interval_text(e).c_str(), static_cast<long long>(e.samples), e.fit_points, e.fit_min, e.fit_max,
               seconds);
  if (!e.note.empty()) std::fprintf(out, "note: %s\n", e.note.c_str());
  return finish();
}

}  // namespace trainscape::app
