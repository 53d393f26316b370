// Replays the config fuzzer's seed corpus and every finding it made (tests/fuzz/corpus,
// tests/fuzz/regressions; scripts/fuzz.sh) through the loader, in the normal build: each input
// loads, or fails with a ConfigError whose message is one line. Each finding also gets the
// message it gives now that it is fixed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "trainscape/config.hpp"
#include "trainscape/error.hpp"
#include "trainscape/problem.hpp"

namespace fs = std::filesystem;
using namespace trainscape;

namespace {

const fs::path kFuzzDir = fs::path(TRAINSCAPE_SOURCE_DIR) / "tests" / "fuzz";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The inputs of one directory, sorted by name (bookkeeping files such as .keep excluded).
std::vector<fs::path> inputs_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name[0] != '.' && e.path().extension() != ".md") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The outcome of loading an input the way the fuzzer does: "" when it loads, else the message.
/// Fails the test on anything but a ConfigError.
std::string outcome(const fs::path& file) {
  const fuzz_input::Input in = fuzz_input::split(read_bytes(file));
  try {
    const RunConfig c = load_config(in.yaml, file.filename().string(), in.overrides);
    // The fuzzer's second contract: what loads round-trips through to_yaml.
    const std::string text = to_yaml(c);
    CHECK(to_yaml(load_config(text, "resolved.yaml")) == text);
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

/// The message load_config gives for `text` as file t.yaml ("" when it loads).
std::string outcome_of_text(const std::string& text) {
  try {
    load_config(text, "t.yaml");
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

void check_one_line(const std::string& message, const std::string& name) {
  INFO(name << ": " << message);
  CHECK_FALSE(message.empty());
  CHECK(message.find_first_of("\n\r") == std::string::npos);
  CHECK(message.size() <= 1024);
  // Every message starts with where the problem is: the file (with line and column when there is
  // one) or the --set option.
  const bool located = message.rfind(name + ":", 0) == 0 || message.rfind("--set ", 0) == 0;
  CHECK(located);
}

}  // namespace

TEST_CASE("fuzz corpus and findings: each input loads or gives a one-line ConfigError", "[config][fuzz]") {
  const auto start = std::chrono::steady_clock::now();
  int loaded = 0, refused = 0;
  for (const char* dir : {"corpus", "regressions"}) {
    const auto files = inputs_in(kFuzzDir / dir);
    if (std::string(dir) == "corpus") REQUIRE(files.size() >= 40);
    for (const fs::path& f : files) {
      std::string message;
      REQUIRE_NOTHROW(message = outcome(f));
      if (message.empty()) {
        ++loaded;
      } else {
        ++refused;
        check_one_line(message, f.filename().string());
      }
    }
  }
  CHECK(loaded >= 15);  // the bundled configs among them
  CHECK(refused >= 30);
  // Replaying must stay cheap enough for every test run.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("fuzz corpus: the bundled configs are seeds and still load", "[config][fuzz]") {
  const fs::path configs = fs::path(TRAINSCAPE_SOURCE_DIR) / "configs";
  for (const fs::path& dir : {configs, configs / "paper"}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".yaml") continue;
      const std::string seed = (dir == configs ? "config_" : "paper_") + e.path().filename().string();
      INFO(seed);
      REQUIRE(fs::exists(kFuzzDir / "corpus" / seed));
      CHECK(read_bytes(kFuzzDir / "corpus" / seed) == read_bytes(e.path()));
      CHECK(outcome(kFuzzDir / "corpus" / seed).empty());
    }
  }
}

TEST_CASE("every bundled config, in every folder of configs/, loads, round-trips and builds its problem", "[config]") {
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(TRAINSCAPE_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    CHECK(outcome(e.path()).empty());
    const RunConfig c = load_config(read_bytes(e.path()), e.path().filename().string());
    const Problem p = make_problem(c);
    CHECK(p.steps == c.training.steps);
    ++checked;
  }
  CHECK(checked >= 25);  // configs/, paper/, deep/ and ripple/
}

TEST_CASE("fuzz findings: each regression gives its message", "[config][fuzz]") {
  // Findings of scripts/fuzz.sh, named as libFuzzer saved them. Each fragment is what the input
  // gives now; the comment says what it did before the fix.
  const std::map<std::string, std::string> expected = {
      // A ',' outside brackets at the top level, e.g. ", The wide ..." (a mutated comment line).
      // yaml-cpp 0.7 never consumes that token: YAML::Load silently returned the part before it
      // (here nothing: all defaults, the rest of the file ignored), and YAML::LoadAll, which the
      // loader briefly used to refuse second documents, looped forever allocating empty
      // documents (the fuzzer's timeout). Now a syntax error at the ','.
      {"timeout-1aac78e1de1f25fc440204f0248fcb9d7723a969",
       "timeout-1aac78e1de1f25fc440204f0248fcb9d7723a969:1:1: YAML syntax error: unexpected ','"},
      // The same after the override separator: "\n#--sed\n, o..." (line 3).
      {"timeout-939ac4d82851ef3674e6dcb554b2687ba56155e4",
       "timeout-939ac4d82851ef3674e6dcb554b2687ba56155e4:3:1: YAML syntax error: unexpected ','"},
      // "!," : an empty tagged scalar, then the ','.
      {"timeout-960213e1fcc68008ddbb33c53f637b51488aeab2",
       "timeout-960213e1fcc68008ddbb33c53f637b51488aeab2:1:2: YAML syntax error: unexpected ','"},
      // A comment, then ",#s-set" on line 2: the whole config after it was ignored.
      {"timeout-cfd1b07aaa52c1ced109ea1b0b8bf490c3ccc13f",
       "timeout-cfd1b07aaa52c1ced109ea1b0b8bf490c3ccc13f:2:1: YAML syntax error: unexpected ','"},
  };
  const auto files = inputs_in(kFuzzDir / "regressions");
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    INFO(name);
    const auto it = expected.find(name);
    REQUIRE(it != expected.end());  // every finding is listed here with what it gives now
    CHECK_THAT(outcome(f), Catch::StartsWith(it->second));
  }
  CHECK(files.size() == expected.size());
}

TEST_CASE("fuzz seeds: hostile YAML gives bounded, one-line, specific messages", "[config][fuzz]") {
  // Seeds written by hand for the classes of input the fuzzer is meant to explore, with what each
  // gives. Several were wrong before this test: multi-line messages (block scalars, keys with
  // "\n", a --set argument ending in a newline), messages of megabytes (long scalars, deep
  // nesting), tags ignored (!!str 3 read as the number 3), and text after the first document
  // silently dropped.
  const std::map<std::string, std::string> expected = {
      {"multiline_value.yaml",
       "multiline_value.yaml:2:17: model.nonlinearity = tanh\\nrelu\\n: must be one of: tanh | relu | identity"},
      {"newline_key.yaml", "newline_key.yaml:1:1: unknown section 'mod\\nel' (expected one of: model, data"},
      {"sets_nested_value.yaml",
       "--set model.width=[[[[[[[[[1]]]]]]]]]\\n: model.width = [[[[[[[[[1]]]]]]]]]: must be an integer in [1, 4096]"},
      {"long_scalar.yaml",
       "long_scalar.yaml:2:23: model.nonlinearity = " + std::string(80, 'b') + "...: must be one of"},
      {"deep_nesting_flow.yaml",
       "deep_nesting_flow.yaml:1:16: model.width = " + std::string(80, '[') + "...: must be an integer"},
      {"billion_laughs_value.yaml",
       "billion_laughs_value.yaml:1:16: model.width = [[x, x, x, x, x, x, x, x, x, x], [[x, x"},
      {"latin1.yaml", "latin1.yaml:2:1: unknown section 'mod\\xe8l'"},
      {"unicode.yaml", "unicode.yaml:2:1: unknown section 'mod\xc3\xa8l'"},
      {"tags.yaml", "tags.yaml:1:32: model.depth = !!str 3: must be an integer in [2, 64]"},
      {"tagged_section.yaml",
       "tagged_section.yaml:3:11: section 'training' must be a mapping of keys (steps, batch, precision, arithmetic, certify_pixels, readout, optimizer, momentum, adam_beta1, adam_beta2, adam_eps, weight_decay, schedule, warmup_steps, lr), got !foo {steps: 5}"},
      {"directives.yaml",
       "directives.yaml:4:8: section 'model' must be a mapping of keys (kind, width, depth, nonlinearity, target_dim, dim, delta, wavelength, x0), got !<tag:example.com,2000:thing> {width: 4}"},
      {"multi_document.yaml", "multi_document.yaml:2:1: content after the end of the YAML document"},
      {"unclosed_bracket.yaml", "unclosed_bracket.yaml:1:23: YAML syntax error: illegal flow end"},
      {"bad_indent.yaml", "bad_indent.yaml:3:9: YAML syntax error: illegal map value"},
      {"tab_indent.yaml", "tab_indent.yaml:2:7: YAML syntax error: illegal map value"},
      {"undefined_alias.yaml", "undefined_alias.yaml:1:16: YAML syntax error: the referenced anchor is not defined"},
      {"huge_numbers.yaml",
       "huge_numbers.yaml:1:16: model.width = 99999999999999999999999999999: must be an integer in [1, 4096]"},
      {"nan_inf.yaml", "nan_inf.yaml:1:15: data.ratio = .NaN: must be a finite number > 0 and <= 1e6"},
      {"windows_deep_f32.yaml",
       "windows_deep_f32.yaml: zoom frame 24 (phase_space window / zoom.factor^24) is too deep for float32"},
      {"windows_deep_f64.yaml",
       "windows_deep_f64.yaml: zoom frame 51 (phase_space window / zoom.factor^51) is too deep for float64"},
      {"binary_garbage.yaml", "binary_garbage.yaml:1:1: expected a mapping of sections"},
  };
  for (const auto& [name, fragment] : expected) {
    INFO(name);
    REQUIRE(fs::exists(kFuzzDir / "corpus" / name));
    CHECK_THAT(outcome(kFuzzDir / "corpus" / name), Catch::StartsWith(fragment));
  }
  // Aliases keep shared values shared: an anchored window used twice, anchors in flow and block.
  CHECK(outcome(kFuzzDir / "corpus" / "anchors_aliases.yaml").empty());
  const RunConfig c = load_config(read_bytes(kFuzzDir / "corpus" / "anchors_aliases.yaml"), "a.yaml");
  CHECK(c.phase_space.y.lo == -2.0);
  CHECK(c.phase_space.y.hi == 4.0);
  // A text after a top-level flow mapping was silently dropped (here: an invalid training.steps).
  CHECK_THAT(outcome_of_text("{model: {width: 4}}\ntraining: {steps: 0}\n"),
             Catch::StartsWith("t.yaml:2:1: content after the end of the YAML document"));
  CHECK_THAT(outcome_of_text("model: {width: 4}\n---\ntraining: {steps: 0}\n"),
             Catch::StartsWith("t.yaml:2:1: content after the end of the YAML document"));  // at the "---"
  // Empty documents after the first change nothing and stay accepted.
  CHECK(outcome_of_text("model: {width: 4}\n---\n").empty());
  CHECK(outcome_of_text("---\nmodel: {width: 4}\n...\n").empty());
  CHECK_THAT(outcome_of_text(","), Catch::StartsWith("t.yaml:1:1: YAML syntax error: unexpected ','"));
}
