#include "trainscape/io/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sys/stat.h>

#include "trainscape/error.hpp"

namespace trainscape::io {

namespace {

// A config is a few hundred bytes. The cap keeps `zoom /dev/zero` (or a multi-gigabyte file
// given by mistake) from reading until memory runs out.
constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

/// The whole file, refusing more than `max_bytes`: checked while reading, because pipes and
/// devices have no size to stat.
std::string read_file(const std::string& path, std::size_t max_bytes, const char* too_large) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw IoError(path + ": cannot read: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError(path + ": cannot read: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot read: " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) throw IoError(path + ": " + too_large);
  }
  if (in.bad()) throw IoError(path + ": read error: " + std::strerror(errno));
  return text;
}

}  // namespace

std::string read_text_file(const std::string& path) {
  return read_file(path, std::numeric_limits<std::size_t>::max(), "too large");
}

RunConfig load_config_file(const std::string& path, const std::vector<std::string>& overrides) {
  const std::string text = read_file(path, kMaxConfigBytes, "larger than 1 MiB; not a config file");
  // An empty file is all defaults to the loader, which for a file is far more likely a mistake
  // (a failed copy, the wrong name) than a wish for a 512 x 512, 8-frame run; `{}` says it.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ConfigError(path + ": the file is empty; write {} to use every default");
  }
  return load_config(text, path, overrides);
}

}  // namespace trainscape::io
