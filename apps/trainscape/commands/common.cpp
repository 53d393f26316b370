// What several commands share: loading a config with its overrides, and the memory refusal.
#include <string>

#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/zoom.hpp"

namespace trainscape::app {

RunConfig load_run_config(const ConfigSource& source) { return io::load_config_file(source.path, source.overrides); }

void refuse_perturbation(const RunConfig& config, const ConfigSource& source, const std::string& command) {
  if (config.training.arithmetic != Arithmetic::Perturbation) return;
  throw ConfigError(source.path + ": training.arithmetic = perturbation: trainscape " + command +
                    " trains its points directly in float64; only zoom (and merge) run perturbation");
}

void check_frame_memory(const RunConfig& config, const std::string& source) {
  const auto& r = config.render.resolution;
  io::refuse_if_exceeds_memory<ConfigError>(
      static_cast<double>(zoom_memory_bytes(r.cols, r.rows, channel_set(config.output))),
      source + ": render.resolution = [" + std::to_string(r.cols) + ", " + std::to_string(r.rows) + "]", "",
      "lower the resolution");
}

}  // namespace trainscape::app
