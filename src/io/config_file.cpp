#include "trainscape/io/config_file.hpp"

#include "trainscape/error.hpp"

namespace trainscape::io {

namespace {

// A config is a few hundred bytes. The cap keeps `zoom /dev/zero` (or a multi-gigabyte file
// given by mistake) from reading until memory runs out.
constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

}  // namespace

RunConfig load_config_file(const std::string& path, const std::vector<std::string>& overrides) {
  const std::string text = read_text_file(path, kMaxConfigBytes, "larger than 1 MiB; not a config file");
  // An empty file is all defaults to the loader, which for a file is far more likely a mistake
  // (a failed copy, the wrong name) than a wish for a 512 x 512, 8-frame run; `{}` says it.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw errors::in_config(path, "the file is empty; write {} to use every default");
  }
  return load_config(text, path, overrides);
}

}  // namespace trainscape::io
