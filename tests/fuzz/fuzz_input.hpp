#pragma once
// The input format of the config fuzzer, shared by the fuzz target (fuzz_config.cpp) and the test
// that replays its corpus and findings (test_fuzz_regressions.cpp), so both read a file alike.
//
// The bytes up to the first line "#--set" are the YAML text of a config file; every further
// "#--set" line starts one --set override, whose text (without the newline before the next
// separator) is passed as given on the command line. Files without the separator are plain
// configs, so the bundled configs are seeds as they are; and "#--set" is a YAML comment, so a seed
// stays a valid config when the fuzzer drops the overrides.
#include <cstddef>
#include <string>
#include <vector>

namespace fuzz_input {

inline constexpr const char* kSeparator = "\n#--set\n";
// More overrides add nothing the fuzzer could not reach with fewer, only run time.
inline constexpr std::size_t kMaxOverrides = 16;

struct Input {
  std::string yaml;
  std::vector<std::string> overrides;
};

inline Input split(const std::string& bytes) {
  const std::string separator = kSeparator;
  Input in;
  std::size_t at = bytes.find(separator);
  in.yaml = bytes.substr(0, at == std::string::npos ? bytes.size() : at + 1);  // keep the newline
  while (at != std::string::npos && in.overrides.size() < kMaxOverrides) {
    const std::size_t begin = at + separator.size();
    at = bytes.find(separator, begin);
    in.overrides.push_back(bytes.substr(begin, at == std::string::npos ? std::string::npos : at - begin));
  }
  return in;
}

}  // namespace fuzz_input
