// `trainscape keys`: the config reference (every key, default, meaning and rule) as Markdown.
#include <cstdio>
#include <string>

#include "commands.hpp"

namespace trainscape::app {

int run_keys_command() {
  // A '|' inside a cell would end it in Markdown.
  auto cell = [](std::string text) {
    for (std::size_t i = 0; (i = text.find('|', i)) != std::string::npos; i += 2) text.replace(i, 1, "\\|");
    return text;
  };
  std::printf("| key | default | meaning | valid values |\n| --- | --- | --- | --- |\n");
  for (const auto& k : config_reference()) {
    std::printf("| `%s` | `%s` | %s | %s |\n", k.key.c_str(), k.default_value.c_str(), cell(k.meaning).c_str(),
                cell(k.rule).c_str());
  }
  return 0;
}

}  // namespace trainscape::app
