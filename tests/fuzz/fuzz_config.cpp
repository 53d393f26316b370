// libFuzzer target for the config loader (scripts/fuzz.sh builds and runs it): the input is a
// config file plus --set overrides (format: fuzz_input.hpp), given to trainscape::load_config.
//
// Expected outcomes: a RunConfig, or a trainscape::ConfigError. A finding is anything else: another
// exception, a crash, a sanitizer report, a hang (-timeout), too much memory (-rss_limit_mb), or a
// broken contract checked here:
//   - every error message is one non-empty line of bounded length (the CLI prints it as is);
//   - a loaded config round-trips: load_config(to_yaml(c)) succeeds and gives the same to_yaml.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_input.hpp"
#include "trainscape/config.hpp"
#include "trainscape/error.hpp"

namespace {

// A message longer than this is not a readable one-line message any more (the loader shows at
// most 80 bytes of a value and 200 of a name; the longest fixed texts are about 400).
constexpr std::size_t kMaxMessage = 1024;

[[noreturn]] void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_config: %s: %.2000s\n", what, detail.c_str());
  std::abort();
}

void check_message(const trainscape::Error& e) {
  const std::string m = e.what();
  if (e.code() != trainscape::ExitCode::Config) finding("an error other than ConfigError", m);
  if (m.empty()) finding("empty error message", m);
  if (m.find_first_of("\n\r") != std::string::npos) finding("multi-line error message", m);
  if (m.size() > kMaxMessage) finding("error message too long", m.substr(0, 200) + "...");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz_input::Input input = fuzz_input::split(std::string(reinterpret_cast<const char*>(data), size));
  trainscape::RunConfig config;
  try {
    config = trainscape::load_config(input.yaml, "fuzz.yaml", input.overrides);
  } catch (const trainscape::Error& e) {
    check_message(e);
    return 0;
  }
  // Any other exception escapes to libFuzzer, which reports it as a crash (uncaught exception).

  const std::string text = trainscape::to_yaml(config);
  try {
    const trainscape::RunConfig back = trainscape::load_config(text, "resolved.yaml");
    if (trainscape::to_yaml(back) != text) finding("to_yaml does not round-trip", text);
  } catch (const trainscape::Error& e) {
    finding("the resolved config does not load", std::string(e.what()) + " | " + text);
  }
  return 0;
}
