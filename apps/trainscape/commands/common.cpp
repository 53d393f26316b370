// What several commands share: loading a config with its overrides, and the memory refusal.
#include <cstdio>

#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/zoom.hpp"

namespace trainscape::app {

RunConfig load_run_config(const ConfigSource& source) { return io::load_config_file(source.path, source.overrides); }

void check_frame_memory(const RunConfig& config, const std::string& source) {
  const double available = io::physical_memory_bytes();
  if (available <= 0) return;  // unknown: let the allocation decide
  const auto& r = config.render.resolution;
  const double needed = static_cast<double>(zoom_memory_bytes(r.cols, r.rows));
  if (needed > 0.8 * available) {
    char msg[256];
    std::snprintf(msg, sizeof msg,
                  ": render.resolution = [%d, %d] needs about %.1f GiB of memory, more than 80%% of this "
                  "machine's %.1f GiB; lower the resolution",
                  r.cols, r.rows, needed / 1073741824.0, available / 1073741824.0);
    throw ConfigError(source + msg);
  }
}

}  // namespace trainscape::app
