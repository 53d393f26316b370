#pragma once
/// Reading a configuration file from disk (the core library takes text, not paths).
#include <string>
#include <vector>

#include "trainscape/config.hpp"
// read_text_file lived here before file.hpp existed; callers that include only this header
// still find it.
#include "trainscape/io/file.hpp"

namespace trainscape::io {

/// Reads `path` and loads it with load_config (overrides as for --set). Throws IoError if the
/// file cannot be read or is larger than 1 MiB (say /dev/zero), ConfigError if its content is
/// invalid or it is empty (only whitespace; `{}` selects every default). Messages start with
/// the path.
RunConfig load_config_file(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace trainscape::io
