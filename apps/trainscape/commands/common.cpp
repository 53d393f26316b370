// What several commands share: loading a config with its overrides, the memory refusal and the
// --shard I/N option.
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

void parse_shard(const std::string& text, int& index, int& count) {
  const std::size_t slash = text.find('/');
  bool ok = slash != std::string::npos;
  if (ok) {
    try {
      std::size_t used_i = 0, used_n = 0;
      index = std::stoi(text.substr(0, slash), &used_i);
      count = std::stoi(text.substr(slash + 1), &used_n);
      ok = used_i == slash && used_n == text.size() - slash - 1 && count >= 1 && index >= 0 && index < count &&
           count <= 1000000;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) throw errors::option_value("--shard", text, "expected I/N with 0 <= I < N, e.g. --shard 0/4");
}

}  // namespace trainscape::app
