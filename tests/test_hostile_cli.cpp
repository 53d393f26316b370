// Hostile input to the real binary, class by class: broken YAML, unknown / duplicate keys, wrong
// types, non-finite and out-of-range values, empty and inverted windows, windows too deep for the
// precision, resolutions too large for the machine, unwritable and full output locations, a run
// directory that already holds a run, and missing / truncated / foreign HDF5 and image files.
// Each case asserts the exact exit code (2 usage, 3 config, 4 io, 5 numerical), the one-line
// message naming the file, line, key or value and the rule, and that the previous good run in the
// scratch directory is byte for byte what it was (most zoom cases even pass --overwrite, so the
// input must be refused before anything is removed). test_cli.cpp and test_dimension_cli.cpp have
// the first example of several classes; this file covers the rest.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/io/png.hpp"
#include "trainscape/zoom.hpp"

namespace fs = std::filesystem;
using namespace cli_test;

namespace {

/// Every regular file under `dir`, by path relative to it, with its bytes.
std::map<std::string, std::string> files_under(const fs::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) files[fs::relative(it->path(), dir).string()] = slurp(it->path());
  }
  return files;
}

/// What differs between two snapshots of files_under ("" if nothing).
std::string difference(const std::map<std::string, std::string>& before,
                       const std::map<std::string, std::string>& after) {
  std::string d;
  for (const auto& [name, bytes] : before) {
    const auto it = after.find(name);
    if (it == after.end()) d += " removed " + name + ";";
    else if (it->second != bytes) d += " changed " + name + ";";
  }
  for (const auto& [name, bytes] : after) {
    if (before.count(name) == 0) d += " added " + name + ";";
  }
  return d;
}

/// A finished good run in <scratch>/out (run.h5, frame_000.png, frame_001.png), made with
/// kTinyConfig as tiny.yaml, and its bytes: every hostile command must leave it as it was.
class PreviousRun {
 public:
  explicit PreviousRun(const Scratch& s) : dir_(s.dir / "out") {
    s.write("tiny.yaml", kTinyConfig);
    const Result r = s.run("zoom tiny.yaml -q --threads 2");
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    files_ = files_under(dir_);
    REQUIRE(files_.count("run.h5") == 1);
    REQUIRE(files_.count("frame_000.png") == 1);
    REQUIRE(files_.count("frame_001.png") == 1);
  }
  void check_unchanged() const {
    const std::string d = difference(files_, files_under(dir_));
    INFO("the previous run in out/:" << d);
    CHECK(d.empty());
  }

 private:
  fs::path dir_;
  std::map<std::string, std::string> files_;
};

/// Runs `trainscape <args>` and checks the refusal: exit code, one line holding `fragment`, and
/// the previous run untouched.
void expect_refusal(const Scratch& s, const PreviousRun& previous, const std::string& args, int code,
                    const std::string& fragment) {
  INFO("trainscape " << args);
  check_one_line_error(s.run(args), code, fragment);
  previous.check_unchanged();
}


/// Every byte value once, 0 to 255: binary garbage.
std::string all_bytes() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  return bytes;
}

/// Seconds a command took.
template <class F>
double seconds_of(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// A PNG whose header declares a greyscale image of cols x rows pixels, with a few bytes of
/// image data: enough for anything that reads the size from the header, and no decodable image.
std::string png_declaring(std::uint32_t cols, std::uint32_t rows) {
  const auto be32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  const auto chunk = [&](const std::string& type, const std::string& data) {
    const std::string body = type + data;
    return be32(static_cast<std::uint32_t>(data.size())) + body +
           be32(trainscape::io::crc32(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  };
  const std::string ihdr = be32(cols) + be32(rows) + std::string{8, 0, 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", "not zlib") + chunk("IEND", "");
}

/// A real 1 x 1 PNG (one white pixel).
std::string one_pixel_png() {
  trainscape::Image<std::array<std::uint8_t, 3>> rgb(1, 1);
  rgb.data[0] = {255, 255, 255};
  const auto bytes = trainscape::io::encode_png(rgb, {});
  return std::string(bytes.begin(), bytes.end());
}

/// Physical memory of this machine in bytes (0 if unknown).
double physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

/// Writes an HDF5 file that is not a trainscape run: a group and, if `format` is not empty, a
/// root string attribute `format` holding it (if `format` is "int", an integer attribute).
void write_foreign_hdf5(const fs::path& path, const std::string& format) {
  const hid_t f = H5Fcreate(path.string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  H5Gclose(H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!format.empty()) {
    const hid_t space = H5Screate(H5S_SCALAR);
    if (format == "int") {
      const long long v = 7;
      const hid_t a = H5Acreate2(f, "format", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, H5T_NATIVE_LLONG, &v);
      H5Aclose(a);
    } else {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, H5T_VARIABLE);
      const char* text = format.c_str();
      const hid_t a = H5Acreate2(f, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, type, &text);
      H5Aclose(a);
      H5Tclose(type);
    }
    H5Sclose(space);
  }
  H5Fclose(f);
}

/// A copy of the previous run's run.h5 with one change made through the HDF5 C API.
template <class F>
void write_tampered_run(const Scratch& s, const std::string& name, F&& change) {
  fs::copy_file(s.dir / "out/run.h5", s.dir / name, fs::copy_options::overwrite_existing);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen((s.dir / name).string().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  change(f);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("hostile cli: YAML syntax errors exit 3 in zoom, bench and uncertainty", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  struct Case {
    const char* file;
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"indent.yaml", "model:\n  width: 4\n   depth: 3\n", "indent.yaml:3:9: YAML syntax error: illegal map value"},
      {"unclosed.yaml", "phase_space: {x: [1, 2\n",
       "unclosed.yaml:2:1: YAML syntax error: end of sequence flow not found"},
      {"mismatched.yaml", "phase_space: {x: [1, 2}\n", "mismatched.yaml:1:23: YAML syntax error: illegal flow end"},
      {"tab.yaml", "model:\n\twidth: 4\n",
       "tab.yaml:2:7: YAML syntax error: illegal map value (a tab in the indentation: YAML indents with spaces only)"},
      {"tab2.yaml", "model:\n  width: 4\n\t depth: 3\n",
       "tab2.yaml:3:1: YAML syntax error: illegal tab when looking for indentation (a tab in the indentation"},
      // Found by the fuzzer: yaml-cpp silently ignored everything after a stray ','.
      {"comma.yaml", ",\nmodel: {width: 0}\n", "comma.yaml:1:1: YAML syntax error: unexpected ','"},
      {"twodocs.yaml", "model: {width: 4}\n---\nmodel: {width: 0}\n",
       "twodocs.yaml:2:1: content after the end of the YAML document"},
      {"trailing.yaml", "{model: {width: 4}}\ntraining: {steps: 0}\n",
       "trailing.yaml:2:1: content after the end of the YAML document"},
      {"empty.yaml", "", "empty.yaml: the file is empty; write {} to use every default"},
      {"blank.yaml", "  \n\n", "blank.yaml: the file is empty; write {} to use every default"},
      // Binary: bytes 0..255. yaml-cpp reads the leading 00 01 as UTF-16; what it decodes is no
      // mapping, and the message shows it escaped and cut short.
      {"binary.yaml", all_bytes(),
       "binary.yaml:1:1: expected a mapping of sections (model, data, training, phase_space, render, zoom, output, "
       "runtime), got \\x01"},
      // Not UTF-8 (Latin-1): the bytes are shown escaped, the message stays one line of UTF-8.
      {"latin1.yaml", "mod\xe8l: {width: 4}\n", "latin1.yaml:1:1: unknown section 'mod\\xe8l'"},
      {"latin1_value.yaml", "model: {nonlinearity: t\xe2nh}\n",
       "latin1_value.yaml:1:23: model.nonlinearity = t\\xe2nh: must be one of: tanh | relu | identity"},
  };
  for (const Case& c : cases) {
    s.write(c.file, c.text);
    expect_refusal(s, previous, std::string("zoom ") + c.file + " --out out --overwrite", 3, c.message);
    expect_refusal(s, previous, std::string("bench ") + c.file + " --pixels 16 --steps 2", 3, c.message);
    expect_refusal(s, previous, std::string("uncertainty ") + c.file + " --points 10", 3, c.message);
  }
  // The binary-garbage message is cut short and stays one line.
  const Result bin = s.run("zoom binary.yaml");
  CHECK(bin.err.size() < 400);
  CHECK_THAT(bin.err, Catch::EndsWith("...\n"));
  // A PNG and an HDF5 file given as a config: their NUL bytes stop the YAML scanner.
  for (const char* file : {"out/frame_000.png", "out/run.h5"}) {
    expect_refusal(s, previous, std::string("zoom ") + file + " --out out --overwrite", 3,
                   std::string(file) + ":3:3: YAML syntax error: unknown escape character: \\x00");
    expect_refusal(s, previous, std::string("bench ") + file, 3, std::string(file) + ":3:3: YAML syntax error");
    expect_refusal(s, previous, std::string("uncertainty ") + file, 3, std::string(file) + ":3:3: YAML syntax error");
  }
}

TEST_CASE("hostile cli: config files that cannot be read exit 4 in zoom, bench and uncertainty", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  fs::create_directory(s.dir / "adir.yaml");
  fs::create_symlink("loop_b.yaml", s.dir / "loop_a.yaml");
  fs::create_symlink("loop_a.yaml", s.dir / "loop_b.yaml");
  for (const char* command : {"zoom", "bench", "uncertainty"}) {
    const std::string c = command;
    expect_refusal(s, previous, c + " missing.yaml", 4, "missing.yaml: cannot read: No such file or directory");
    expect_refusal(s, previous, c + " adir.yaml", 4, "adir.yaml: cannot read: is a directory");
    expect_refusal(s, previous, c + " loop_a.yaml", 4, "loop_a.yaml: cannot read: Too many levels of symbolic links");
    // A device that never ends: refused after 1 MiB instead of read until memory runs out.
    double took = 0;
    took = seconds_of(
        [&] { expect_refusal(s, previous, c + " /dev/zero", 4, "/dev/zero: larger than 1 MiB; not a config file"); });
    CHECK(took < 5.0);
    expect_refusal(s, previous, c + " /dev/null", 3, "/dev/null: the file is empty; write {} to use every default");
  }
  // A config cut short in the middle of a line.
  const std::string tiny = kTinyConfig;
  s.write("cut.yaml", tiny.substr(0, tiny.find("steps") + 3));
  expect_refusal(s, previous, "zoom cut.yaml --out out --overwrite", 3,
                 "cut.yaml:2:1: YAML syntax error: end of map flow not found");
  expect_refusal(s, previous, "bench cut.yaml", 3, "cut.yaml:2:1: YAML syntax error: end of map flow not found");
  expect_refusal(s, previous, "uncertainty cut.yaml", 3, "cut.yaml:2:1: YAML syntax error: end of map flow not found");
}

TEST_CASE("hostile cli: broken and unreadable configs given to merge and sweep", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  s.write("empty.yaml", "");
  s.write("comma.yaml", ",\nmodel: {width: 0}\n");
  s.write("list.txt", "tiny.yaml\nmissing.yaml\n");
  fs::create_directory(s.dir / "no_configs");
  for (const char* command : {"merge", "sweep"}) {
    const std::string c = command;
    expect_refusal(s, previous, c + " empty.yaml", 3, "empty.yaml: the file is empty; write {} to use every default");
    expect_refusal(s, previous, c + " comma.yaml", 3, "comma.yaml:1:1: YAML syntax error: unexpected ','");
    expect_refusal(s, previous, c + " out/run.h5", 3, "out/run.h5:3:3: YAML syntax error");
  }
  expect_refusal(s, previous, "merge missing.yaml", 4, "missing.yaml: cannot read: No such file or directory");
  expect_refusal(s, previous, "merge /dev/zero", 4, "/dev/zero: larger than 1 MiB; not a config file");
  expect_refusal(s, previous, "sweep missing.yaml", 4, "missing.yaml: no such config, directory or list");
  expect_refusal(s, previous, "sweep no_configs", 4, "no_configs: no *.yaml or *.yml config in this directory");
  expect_refusal(s, previous, "sweep list.txt", 4, "list.txt:2: missing.yaml: no such config file");
}

TEST_CASE("hostile cli: unknown and duplicate keys and sections exit 3", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"modle: {width: 4}\n",
       "x.yaml:1:1: unknown section 'modle' (expected one of: model, data, training, phase_space, render, zoom, output, "
       "runtime)"},
      {"runtime:\n  thread: 2\n", "x.yaml:2:3: unknown key 'runtime.thread' (expected one of: threads, tile)"},
      {"model:\n  <<: {width: 4}\n",
       "x.yaml:2:3: unknown key 'model.<<' (expected one of: kind, width, depth, nonlinearity, target_dim, dim, delta, wavelength, x0)"},
      {"training:\n  steps: 5\n  steps: 6\n", "x.yaml:3:3: duplicate key 'training.steps' (first at line 2)"},
      {"model: {width: 4, width: 5}\n", "x.yaml:1:19: duplicate key 'model.width' (first at line 1)"},
      {"model:\n  width: 4\nmodel:\n  depth: 3\n", "x.yaml:3:1: duplicate section 'model' (first at line 1)"},
      {"\"mod\\nel\": {width: 4}\n", "x.yaml:1:1: unknown section 'mod\\nel'"},
  };
  for (const auto& [text, message] : cases) {
    s.write("x.yaml", text);
    expect_refusal(s, previous, "zoom x.yaml --out out --overwrite", 3, message);
    expect_refusal(s, previous, "bench x.yaml", 3, message);
  }
  expect_refusal(s, previous, "zoom tiny.yaml --overwrite --set zoom.frame=3", 3,
                 "--set zoom.frame=3: unknown key 'zoom.frame' (expected one of: frames, factor, target)");
  expect_refusal(s, previous, "zoom tiny.yaml --overwrite --set zoom=3", 3,
                 "--set zoom=3: expected section.key=value, got key 'zoom'");
  expect_refusal(s, previous, "uncertainty tiny.yaml --set modle.width=3", 3,
                 "--set modle.width=3: unknown section 'modle'");
}

TEST_CASE("hostile cli: wrong types exit 3 with key, value and rule", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  const std::vector<std::pair<std::string, std::string>> cases = {
      // a list where a scalar belongs
      {"model: {width: [4]}\n", "x.yaml:1:16: model.width = [4]: must be an integer in [1, 4096]"},
      {"training: {precision: [float32]}\n",
       "x.yaml:1:23: training.precision = [float32]: must be one of: float64 | float32"},
      // a map where a list belongs
      {"phase_space: {x: {lo: 1, hi: 2}}\n",
       "x.yaml:1:18: phase_space.x = {lo: 1, hi: 2}: must be [lo, hi], numbers or decimal strings, with lo < hi, both in [-300, 300] (log10 exponents, or values on a linear axis)"},
      {"render: {resolution: {cols: 64, rows: 32}}\n",
       "x.yaml:1:22: render.resolution = {cols: 64, rows: 32}: must be an integer or [cols, rows], each in [16, 65536]"},
      // a string for a number
      {"training: {steps: twenty}\n", "x.yaml:1:19: training.steps = twenty: must be an integer in [1, 10000000]"},
      {"zoom: {frames: !!str 2}\n", "x.yaml:1:16: zoom.frames = !!str 2: must be an integer in [1, 100000]"},
      {"zoom: {factor: 2x}\n", "x.yaml:1:16: zoom.factor = 2x: must be a finite number > 1 and <= 1e6"},
      {"data: {seed: 1.5}\n",
       "x.yaml:1:14: data.seed = 1.5: must be an integer in [-9223372036854775808, 9223372036854775807]"},
      {"data: {seed: 9223372036854775808}\n", "x.yaml:1:14: data.seed = 9223372036854775808: must be an integer"},
      // a scalar or list where a section belongs
      {"render: [64]\n", "x.yaml:1:9: section 'render' must be a mapping of keys (resolution), got [64]"},
      {"- model\n", "x.yaml:1:1: expected a mapping of sections"},
      {"training: {steps: 5, batch: {full: true}}\n",
       "x.yaml:1:29: training.batch = {full: true}: must be full or a minibatch size in [1, 10000000]"},
  };
  for (const auto& [text, message] : cases) {
    s.write("x.yaml", text);
    expect_refusal(s, previous, "zoom x.yaml --out out --overwrite", 3, message);
  }
  expect_refusal(s, previous, "zoom tiny.yaml --overwrite --set training.steps=[5]", 3,
                 "--set training.steps=[5]: training.steps = [5]: must be an integer in [1, 10000000]");
  expect_refusal(s, previous, "bench tiny.yaml --set \"zoom.target={x: 1}\"", 3,
                 "--set zoom.target={x: 1}: zoom.target = {x: 1}: must be auto or [x, y]");
}

TEST_CASE("hostile cli: NaN, infinities, negative and zero values exit 3", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  const std::string positive = "must be a finite number > 0 and <= 1e6";
  const std::string window =
      "must be [lo, hi], numbers or decimal strings, with lo < hi, both in [-300, 300] (log10 exponents, or values on a linear axis)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"data: {ratio: .nan}\n", "x.yaml:1:15: data.ratio = .nan: " + positive},
      {"data: {ratio: -.inf}\n", "x.yaml:1:15: data.ratio = -.inf: " + positive},
      {"data: {ratio: -1}\n", "x.yaml:1:15: data.ratio = -1: " + positive},
      {"data: {ratio: 1e400}\n", "x.yaml:1:15: data.ratio = 1e400: " + positive},
      {"zoom: {factor: .inf}\n", "x.yaml:1:16: zoom.factor = .inf: must be a finite number > 1 and <= 1e6"},
      {"zoom: {factor: 0}\n", "x.yaml:1:16: zoom.factor = 0: must be a finite number > 1 and <= 1e6"},
      {"zoom: {frames: 0}\n", "x.yaml:1:16: zoom.frames = 0: must be an integer in [1, 100000]"},
      {"zoom: {target: [.nan, 0]}\n",
       "x.yaml:1:16: zoom.target = [.nan, 0]: must be auto or [x, y], numbers or decimal strings, in [-300, 300] (log10 exponents, or values on a linear axis)"},
      {"zoom: {target: [1, -.inf]}\n", "x.yaml:1:16: zoom.target = [1, -.inf]: must be auto or [x, y]"},
      {"phase_space: {x: [-.inf, 1]}\n", "x.yaml:1:18: phase_space.x = [-.inf, 1]: " + window},
      {"phase_space: {y: [0, .NaN]}\n", "x.yaml:1:18: phase_space.y = [0, .NaN]: " + window},
      {"training: {steps: -1}\n", "x.yaml:1:19: training.steps = -1: must be an integer in [1, 10000000]"},
      {"training: {batch: 0}\n", "x.yaml:1:19: training.batch = 0: must be full or a minibatch size in [1, 10000000]"},
      {"model: {width: 0}\n", "x.yaml:1:16: model.width = 0: must be an integer in [1, 4096]"},
      {"model: {target_dim: -2}\n", "x.yaml:1:21: model.target_dim = -2: must be an integer in [1, 4096]"},
      {"data: {size: 0}\n", "x.yaml:1:14: data.size = 0: must be params, single, or a dataset size in [1, 10000000]"},
      {"render: {resolution: 0}\n",
       "x.yaml:1:22: render.resolution = 0: must be an integer or [cols, rows], each in [16, 65536]"},
      {"render: {resolution: [64, -64]}\n",
       "x.yaml:1:22: render.resolution = [64, -64]: must be an integer or [cols, rows]"},
      {"runtime: {threads: -1}\n", "x.yaml:1:20: runtime.threads = -1: must be an integer in [0, 1024]"},
      {"runtime: {tile: 0}\n", "x.yaml:1:17: runtime.tile = 0: must be auto or an integer in [1, 4096]"},
  };
  for (const auto& [text, message] : cases) {
    s.write("x.yaml", text);
    expect_refusal(s, previous, "zoom x.yaml --out out --overwrite", 3, message);
  }
  expect_refusal(s, previous, "zoom tiny.yaml --overwrite --set data.ratio=.nan", 3,
                 "--set data.ratio=.nan: data.ratio = .nan: " + positive);
  expect_refusal(s, previous, "uncertainty tiny.yaml --set zoom.factor=-.inf", 3,
                 "--set zoom.factor=-.inf: zoom.factor = -.inf: must be a finite number > 1 and <= 1e6");
}

TEST_CASE("hostile cli: inverted, empty and too deep windows exit 3", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  const std::string window =
      "must be [lo, hi], numbers or decimal strings, with lo < hi, both in [-300, 300] (log10 exponents, or values on a linear axis)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"phase_space: {y: [6, -3]}\n", "x.yaml:1:18: phase_space.y = [6, -3]: " + window},
      {"phase_space: {x: [2, 2]}\n", "x.yaml:1:18: phase_space.x = [2, 2]: " + window},
      {"phase_space: {x: [-0.0, 0.0]}\n", "x.yaml:1:18: phase_space.x = [-0.0, 0.0]: " + window},
      {"phase_space: {x: []}\n", "x.yaml:1:18: phase_space.x = []: " + window},
      {"phase_space: {x: [1]}\n", "x.yaml:1:18: phase_space.x = [1]: " + window},
      {"phase_space: {x: [0, 301]}\n", "x.yaml:1:18: phase_space.x = [0, 301]: " + window},
  };
  for (const auto& [text, message] : cases) {
    s.write("x.yaml", text);
    expect_refusal(s, previous, "zoom x.yaml --out out --overwrite", 3, message);
    expect_refusal(s, previous, "uncertainty x.yaml", 3, message);
  }
  expect_refusal(s, previous, "zoom tiny.yaml --overwrite --set phase_space.y=[3,3]", 3,
                 "--set phase_space.y=[3,3]: phase_space.y = [3, 3]: " + window);

  // Too deep for the precision: a fixed target and enough frames of factor 2 (or a few of 1e6)
  // that the deepest frame's pixel spacing is below 2 eps / ln 10.
  const std::string deep = " (phase_space window / zoom.factor^";
  expect_refusal(
      s, previous,
      "zoom tiny.yaml --overwrite --set zoom.frames=52 --set \"zoom.target=[1.0, 1.0]\" --set render.resolution=64", 3,
      "tiny.yaml: zoom frame 51" + deep + "51) is too deep for float64 learning rates: pixel spacing 4.23e-17");
  expect_refusal(
      s, previous,
      "zoom tiny.yaml --overwrite --set zoom.frames=25 --set \"zoom.target=[1.0, 1.0]\" "
      "--set render.resolution=64 --set training.precision=float32",
      3, "tiny.yaml: zoom frame 24" + deep + "24) is too deep for float32 learning rates: pixel spacing 5.68e-09");
  expect_refusal(s, previous,
                 "zoom tiny.yaml --overwrite --set zoom.frames=4 --set zoom.factor=1e6 --set \"zoom.target=[1, 1]\"", 3,
                 "tiny.yaml: zoom frame 3" + deep + "3) is too deep for float64");
  // bench and uncertainty check the depth too.
  expect_refusal(s, previous,
                 "bench tiny.yaml --set zoom.frames=25 --set \"zoom.target=[1.0, 1.0]\" --set render.resolution=64 "
                 "--set training.precision=float32",
                 3, "is too deep for float32");
  expect_refusal(
      s, previous,
      "uncertainty tiny.yaml --set zoom.frames=52 --set \"zoom.target=[1.0, 1.0]\" --set render.resolution=64", 3,
      "is too deep for float64");
}

TEST_CASE("hostile cli: resolutions beyond the machine's memory are refused at once, before allocating",
          "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  for (const char* resolution : {"[65536, 60000]", "60000"}) {
    const std::string shown = std::string(resolution) == "60000" ? "[60000, 60000]" : resolution;
    double took = 0;
    took = seconds_of([&] {
      expect_refusal(s, previous,
                     std::string("zoom tiny.yaml --overwrite --set \"render.resolution=") + resolution + "\"", 3,
                     "render.resolution = " + shown + " needs about ");
    });
    CHECK(took < 5.0);
    took = seconds_of([&] {
      expect_refusal(s, previous,
                     std::string("zoom tiny.yaml --out fresh --set \"render.resolution=") + resolution + "\"", 3,
                     "GiB of memory, more than 80% of this machine's");
    });
    CHECK(took < 5.0);
    CHECK_FALSE(fs::exists(s.dir / "fresh"));  // nothing created
  }
  // The channel images count: a square that fits with measure and class alone (45 B per pixel)
  // is refused once every channel adds its 64 B per pixel (zoom.hpp's zoom_memory_bytes).
  const int side = static_cast<int>(std::sqrt(trainscape::io::memory_limit_bytes() / 70.0));
  if (side >= 16 && side <= 65536) {
    const std::string set = " --set render.resolution=" + std::to_string(side);
    REQUIRE(trainscape::io::memory_refusal(
                static_cast<double>(trainscape::zoom_memory_bytes(side, side, trainscape::ChannelSet{})), "x")
                .empty());
    expect_refusal(s, previous,
                   "zoom tiny.yaml --out fresh" + set +
                       " --set \"output.channels=[measure, class, divergence_step, lyapunov, sharpness]\"",
                   3, "GiB of memory, more than 80% of this machine's");
    CHECK_FALSE(fs::exists(s.dir / "fresh"));
  }
  // An image whose few hundred bytes declare 32768 x 32768 pixels (stb_image's largest square):
  // 32 GiB to measure, refused from its header before decoding where that is more than 80% of
  // the memory; elsewhere the decoder refuses its data. Either way exit 4, at once.
  s.write("huge.png", png_declaring(32768, 32768));
  const bool refused_for_memory = 32.0 * 1073741824.0 > 0.8 * physical_memory();
  double took = 0;
  took = seconds_of([&] {
    expect_refusal(s, previous, "dimension huge.png", 4,
                   refused_for_memory ? "huge.png: an image of 32768 x 32768 pixels needs about 32.0 GiB of memory to "
                                        "measure, more than 80% of this machine's"
                                      : "huge.png: not a readable image");
  });
  CHECK(took < 5.0);
}

TEST_CASE("hostile cli: unwritable output locations exit 4 and create nothing", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  // Tests run as root, so permissions stop nothing: use paths no one can create.
  expect_refusal(s, previous, "zoom tiny.yaml --out tiny.yaml/run", 4,
                 "tiny.yaml/run: cannot create the run directory: Not a directory");
  expect_refusal(s, previous, "zoom tiny.yaml --set output.dir=tiny.yaml/run", 4,
                 "tiny.yaml/run: cannot create the run directory: Not a directory");
  expect_refusal(s, previous, "zoom tiny.yaml --out out/run.h5/sub", 4,
                 "out/run.h5/sub: cannot create the run directory: Not a directory");
  expect_refusal(s, previous, "zoom tiny.yaml --out /dev/null/run", 4,
                 "/dev/null/run: cannot create the run directory: Not a directory");
  expect_refusal(s, previous, "zoom tiny.yaml --out /dev/null", 4, "/dev/null: exists and is not a directory");
  expect_refusal(s, previous, "zoom tiny.yaml --out /proc/trainscape_run", 4,
                 "/proc/trainscape_run: cannot create the run directory: ");
  CHECK_FALSE(fs::exists("/proc/trainscape_run"));
}

TEST_CASE("hostile cli: a full disk while writing a frame PNG exits 4 and leaves no partial PNG", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  // ENOSPC: the frame's temporary file ("<name>.tmp.<pid>") is a link to /dev/full, where every
  // write fails with "No space left on device". Before the fix the message named a stale errno
  // (ENOENT). The shell execs trainscape, so its pid is the shell's $$.
  fs::create_directory(s.dir / "full");
  const Result r =
      s.run("zoom tiny.yaml --out full -q", "echo $$ > full.pid && ln -s /dev/full full/frame_000.png.tmp.$$ && exec");
  check_one_line_error(r, 4, "full/frame_000.png: cannot write: No space left on device");
  previous.check_unchanged();
  const std::string pid = slurp(s.dir / "full.pid").substr(0, slurp(s.dir / "full.pid").find('\n'));
  REQUIRE_FALSE(pid.empty());
  CHECK_FALSE(fs::exists(s.dir / "full/frame_000.png"));
  CHECK_FALSE(fs::is_symlink(s.dir / ("full/frame_000.png.tmp." + pid)));  // the temporary is removed
}

// A write to run.h5 that fails because the file may not grow (EFBIG under `ulimit -f`, SIGXFSZ
// ignored). HDF5 1.10 crashes if such a file is closed again (in the store's destructor or the
// library's exit handler) and its C++ destructors print their own failures; the store leaves a
// broken file alone and the tool exits without the libraries' exit handlers (was: exit 139).
TEST_CASE("hostile cli: a file-size limit while writing run.h5 exits 4 with one line", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  for (const int blocks : {8, 64, 128}) {
    INFO("ulimit -f " << blocks << " (512-byte blocks)");
    const std::string dir = "limited" + std::to_string(blocks);
    const Result r = s.run("zoom tiny.yaml -q --out " + dir, "trap '' XFSZ; ulimit -f " + std::to_string(blocks) + ";");
    check_one_line_error(r, 4, "File too large");
    previous.check_unchanged();
    for (const auto& [name, bytes] : files_under(s.dir / dir)) {
      INFO(name);
      CHECK(name.find(".tmp") == std::string::npos);  // no temporary left behind
    }
  }
}

// A full disk while a worker thread journals a finished tile: the journal's IoError must be
// carried out of the worker's critical section, not escape it (was: std::terminate, exit 134).
// Needs a small tmpfs (real ENOSPC); skipped where mounting is not allowed.
TEST_CASE("hostile cli: a full file system exits 4 with one line", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  fs::create_directory(s.dir / "small");
  if (::mount("tmpfs", (s.dir / "small").c_str(), "tmpfs", 0, "size=40k") != 0) {
    WARN("cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): skipped");
    return;
  }
  struct Unmount {
    fs::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{s.dir / "small"};
  const Result r = s.run("zoom tiny.yaml -q --out small/run");
  check_one_line_error(r, 4, "No space left on device");
  previous.check_unchanged();
  for (const auto& [name, bytes] : files_under(s.dir / "small/run")) {
    INFO(name);
    CHECK(name.find(".tmp") == std::string::npos);
  }
}

TEST_CASE("hostile cli: a run directory holding a run is never touched without --overwrite", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  // Through output.dir (no --out), and whatever the config: the directory check comes first.
  expect_refusal(s, previous, "zoom tiny.yaml", 4, "out: already holds a run (frame_000.png)");
  expect_refusal(s, previous, "zoom tiny.yaml --set zoom.frames=1 --set render.resolution=16", 4,
                 "--overwrite to replace it");
  // A directory with only a frame PNG, or only a run.h5, holds a run too.
  fs::create_directory(s.dir / "png_only");
  fs::copy_file(s.dir / "out/frame_000.png", s.dir / "png_only/frame_000.png");
  fs::create_directory(s.dir / "h5_only");
  fs::copy_file(s.dir / "out/run.h5", s.dir / "h5_only/run.h5");
  const auto png_only = files_under(s.dir / "png_only"), h5_only = files_under(s.dir / "h5_only");
  expect_refusal(s, previous, "zoom tiny.yaml --out png_only", 4, "png_only: already holds a run (frame_000.png)");
  expect_refusal(s, previous, "zoom tiny.yaml --out h5_only", 4, "h5_only: already holds a run (run.h5)");
  CHECK(difference(png_only, files_under(s.dir / "png_only")).empty());
  CHECK(difference(h5_only, files_under(s.dir / "h5_only")).empty());
}

TEST_CASE("hostile cli: missing, truncated and foreign files given to dimension (and --write)", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  const std::string run = slurp(s.dir / "out/run.h5"), png = slurp(s.dir / "out/frame_000.png");
  s.write("zero.h5", "");
  s.write("zero.png", "");
  s.write("png_named.h5", png);  // a PNG renamed .h5
  s.write("cut_header.h5", run.substr(0, 1000));
  s.write("cut_half.h5", run.substr(0, run.size() / 2));
  s.write("cut.png", png.substr(0, 300));
  s.write("one_pixel.png", one_pixel_png());
  fs::create_directory(s.dir / "dir.h5");
  fs::create_symlink("loop_b.png", s.dir / "loop_a.png");
  fs::create_symlink("loop_a.png", s.dir / "loop_b.png");
  write_foreign_hdf5(s.dir / "foreign.h5", "");
  write_foreign_hdf5(s.dir / "netcdf.h5", "netcdf4");
  write_foreign_hdf5(s.dir / "int_format.h5", "int");
  write_tampered_run(s, "version2.h5", [](hid_t f) {
    const long long v = 2;
    const hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
  });
  write_tampered_run(s, "no_frames.h5", [](hid_t f) { H5Ldelete(f, "frames", H5P_DEFAULT); });
  write_tampered_run(s, "measure_1d.h5", [](hid_t f) {
    H5Ldelete(f, "frames/000000/measure", H5P_DEFAULT);
    const hsize_t dims[1] = {5};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    H5Dclose(H5Dcreate2(f, "frames/000000/measure", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(space);
  });

  struct Case {
    const char* file;
    int code;
    std::string message;
    int write_code;  ///< with --write (2: --write on an image is a usage error)
  };
  const std::vector<Case> cases = {
      {"missing.h5", 4, "missing.h5: no such file", 4},
      {"zero.h5", 4, "zero.h5: not an HDF5 file", 4},
      {"zero.png", 4, "zero.png: not a readable image (unknown image type)", 2},
      {"png_named.h5", 4, "png_named.h5: not an HDF5 file", 4},
      {"dir.h5", 4, "dir.h5: is a directory, not a run.h5 or an image", 4},
      {"loop_a.png", 4, "loop_a.png: cannot read: Too many levels of symbolic links", 4},
      {"cut_header.h5", 4, "cut_header.h5: cannot open HDF5 file: H5Fopen failed: unable to open file (truncated file",
       4},
      {"cut_half.h5", 4, "cut_half.h5: cannot open HDF5 file: H5Fopen failed: unable to open file (truncated file", 4},
      {"cut.png", 4, "cut.png: not a readable image (the data ends early or is corrupt)", 2},
      {"one_pixel.png", 5, "one_pixel.png: an image of 1 x 1 pixels is too small for a dimension (at least 2 x 2)", 2},
      {"foreign.h5", 4, "foreign.h5: not a trainscape run (format attribute missing, expected 'trainscape-run')", 4},
      {"netcdf.h5", 4, "netcdf.h5: not a trainscape run (format attribute is 'netcdf4', expected 'trainscape-run')", 4},
      {"int_format.h5", 4, "int_format.h5: not a trainscape run (format attribute is not a string)", 4},
      {"version2.h5", 4, "version2.h5: unsupported trainscape-run format_version 2 (this build reads version 1)", 4},
      {"no_frames.h5", 4, "no_frames.h5: missing group /frames", 4},
      {"measure_1d.h5", 4, "measure_1d.h5: dataset /frames/000000/measure has rank 1, expected 2", 4},
      {"/dev/null", 4, "/dev/null: not a readable image (unknown image type)", 2},
  };
  for (const Case& c : cases) {
    const fs::path path = c.file[0] == '/' ? fs::path(c.file) : s.dir / c.file;
    std::error_code ec;
    const bool regular = fs::is_regular_file(path, ec);
    const std::string before = regular ? slurp(path) : "";
    expect_refusal(s, previous, std::string("dimension ") + c.file, c.code, c.message);
    expect_refusal(s, previous, std::string("dimension ") + c.file + " --json", c.code, c.message);
    expect_refusal(s, previous, std::string("dimension ") + c.file + " --write", c.write_code,
                   c.write_code == 2 ? std::string("--write stores results in a run.h5; ") + c.file + " is an image"
                                     : c.message);
    // --write never changes a file it refused.
    if (regular) CHECK(slurp(path) == before);
  }
}

// A run.h5 whose /frames/000000/measure declares 2^20 x 2^20 doubles (8 TiB; the file itself is
// small, the dataset chunked and unwritten): refused before allocating, naming the dataset (was:
// "internal error: std::bad_alloc", exit 1).
TEST_CASE("hostile cli: a run.h5 declaring a huge frame exits 4", "[cli][hostile]") {
  Scratch s;
  const PreviousRun previous(s);
  write_tampered_run(s, "huge_frame.h5", [](hid_t f) {
    H5Ldelete(f, "frames/000000/measure", H5P_DEFAULT);
    const hsize_t dims[2] = {hsize_t{1} << 20, hsize_t{1} << 20}, chunk[2] = {64, 64};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t props = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(props, 2, chunk);
    H5Dclose(H5Dcreate2(f, "frames/000000/measure", H5T_IEEE_F64LE, space, H5P_DEFAULT, props, H5P_DEFAULT));
    H5Pclose(props);
    H5Sclose(space);
  });
  const std::string before = slurp(s.dir / "huge_frame.h5");
  expect_refusal(s, previous, "dimension huge_frame.h5", 4, "huge_frame.h5: ");
  expect_refusal(s, previous, "dimension huge_frame.h5 --write", 4, "huge_frame.h5: ");
  CHECK(slurp(s.dir / "huge_frame.h5") == before);
}
