// The real trainscape binary's `dimension` and `uncertainty` subcommands: images of known shapes,
// a small run.h5 made by `trainscape zoom`, the JSON shape, --write, and every class of bad input
// with its one-line message and exit code.
#include <catch2/catch.hpp>

#include <H5Cpp.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_support.hpp"
#include "shapes.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/io/png.hpp"

namespace fs = std::filesystem;
using namespace trainscape;
using namespace cli_test;

namespace {

/// A PNG of a mask: set pixels black on white.
void write_png(const fs::path& path, const shapes::Mask& m) {
  Image<std::array<std::uint8_t, 3>> rgb(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    const std::uint8_t v = m.data[i] ? 0 : 255;
    rgb.data[i] = {v, v, v};
  }
  io::write_png_file(path.string(), io::encode_png(rgb, {}));
}


/// Structural JSON check without a JSON library: one object, balanced brackets outside strings,
/// no bare NaN / inf tokens.
void check_json_object(const std::string& text) {
  INFO(text.substr(0, 400));
  REQUIRE(text.size() > 2);
  CHECK(text.front() == '{');
  CHECK(text.substr(text.size() - 2) == "}\n");
  int depth = 0;
  bool in_string = false, escaped = false, closed_early = false;
  std::string bare;  // characters outside strings
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      --depth;
      if (depth == 0 && i + 2 < text.size()) closed_early = true;
    }
    bare += c;
  }
  CHECK(depth == 0);
  CHECK_FALSE(in_string);
  CHECK_FALSE(closed_early);
  CHECK(bare.find("nan") == std::string::npos);
  CHECK(bare.find("inf") == std::string::npos);
  CHECK(bare.find("NaN") == std::string::npos);
}

/// The number after `"key": ` following the first occurrence of `after` (NaN for null).
double json_value_after(const std::string& text, const std::string& after, const std::string& key) {
  const std::size_t a = text.find(after);
  if (a == std::string::npos) return -999;
  const std::size_t k = text.find("\"" + key + "\": ", a);
  if (k == std::string::npos) return -999;
  const std::size_t v = k + key.size() + 4;
  if (text.compare(v, 4, "null") == 0) return std::nan("");
  return std::strtod(text.c_str() + v, nullptr);
}

const char* kSmallRunConfig =
    "model: {width: 4}\n"
    "training: {steps: 20}\n"
    "phase_space: {x: [-2, 4], y: [-2, 4]}\n"
    "render: {resolution: 64}\n"
    "zoom: {frames: 2}\n"
    "output: {dir: out}\n"
    "runtime: {tile: 16}\n";

}  // namespace

TEST_CASE("dimension cli: an image of a disk", "[dimension][cli]") {
  Scratch s;
  write_png(s.dir / "disk.png", shapes::disk(300));
  const Result r = s.run("dimension disk.png");
  INFO("stderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("porespy_median"));
  CHECK_THAT(r.out, Catch::Contains("boxcount_fit"));
  CHECK_THAT(r.out, Catch::Contains("pair"));
  CHECK(r.err.empty());

  const Result j = s.run("dimension disk.png --json");
  REQUIRE(j.code == 0);
  check_json_object(j.out);
  for (const char* key : {"\"porespy_median\": {", "\"boxcount_fit\": {", "\"pair\": {", "\"kind\": \"image\""}) {
    CHECK_THAT(j.out, Catch::Contains(key));
  }
  // Each estimator has "dimension" first; the two with an error bar have "ci": [low, high].
  CHECK(std::abs(json_value_after(j.out, "\"boxcount_fit\": {", "dimension") - 1.0) < 0.05);
  CHECK(std::abs(json_value_after(j.out, "\"pair\": {", "dimension") - 1.0) < 0.02);
  CHECK(std::abs(json_value_after(j.out, "\"porespy_median\": {", "dimension") - 1.0) < 0.2);
  const std::size_t box = j.out.find("\"boxcount_fit\": {");
  CHECK(j.out.find("\"ci\": [", box) < j.out.find("\"pair\": {"));
  const std::size_t pm = j.out.find("\"porespy_median\": {");
  CHECK(j.out.find("\"ci\"", pm) > box);  // porespy_median has no "ci"
}

TEST_CASE("dimension cli: a thin drawn curve and the threshold", "[dimension][cli]") {
  Scratch s;
  write_png(s.dir / "koch.png", shapes::koch_curve(400, 4));
  const Result j = s.run("dimension koch.png --json");
  REQUIRE(j.code == 0);
  check_json_object(j.out);
  CHECK(std::abs(json_value_after(j.out, "\"boxcount_fit\": {", "dimension") - shapes::kKoch) < 0.08);
  CHECK(std::isnan(json_value_after(j.out, "\"pair\": {", "dimension")));  // thin set: null
  CHECK_THAT(j.out, Catch::Contains("\"thin_set\": true"));
  // Threshold 0: nothing is darker than 0, so there is no set and no boundary -- nulls, exit 0.
  const Result none = s.run("dimension koch.png --json --threshold 0");
  REQUIRE(none.code == 0);
  check_json_object(none.out);
  CHECK(std::isnan(json_value_after(none.out, "\"boxcount_fit\": {", "dimension")));
  CHECK(std::isnan(json_value_after(none.out, "\"porespy_median\": {", "dimension")));
}

TEST_CASE("dimension cli: a run.h5 from zoom, per frame and sequence, and --write", "[dimension][cli]") {
  Scratch s;
  s.write("tiny.yaml", kSmallRunConfig);
  REQUIRE(s.run("zoom tiny.yaml -q --threads 2").code == 0);
  const Result t = s.run("dimension out/run.h5");
  INFO("stderr: " << t.err);
  REQUIRE(t.code == 0);
  CHECK_THAT(t.out, Catch::Contains("2 frames of 64 x 64 px"));
  CHECK_THAT(t.out, Catch::Contains("sequence"));

  const Result j = s.run("dimension out/run.h5 --json");
  REQUIRE(j.code == 0);
  check_json_object(j.out);
  CHECK_THAT(j.out, Catch::Contains("\"kind\": \"run\""));
  CHECK_THAT(j.out, Catch::Contains("\"frames\": ["));
  CHECK_THAT(j.out, Catch::Contains("\"sequence\": {"));
  CHECK_THAT(j.out, Catch::Contains("\"index\": 1"));
  // The recomputed paper number equals the stored one.
  const io::StoredRun run = io::read_run((s.dir / "out/run.h5").string());
  CHECK(json_value_after(j.out, "\"sequence\": {", "dimension") == Approx(run.dimension).epsilon(1e-15));
  // 64 px frames are too small for box counting between 4 px and n/8: null, with a note.
  const std::string sequence = j.out.substr(j.out.find("\"sequence\": {"));
  CHECK(std::isnan(json_value_after(sequence, "\"boxcount_fit\": {", "dimension")));
  CHECK_THAT(sequence, Catch::Contains("too small"));

  const Result w = s.run("dimension out/run.h5 --write");
  REQUIRE(w.code == 0);
  CHECK_THAT(w.out, Catch::Contains("wrote /dimension"));
  const io::StoredDimensions stored = io::read_run_dimensions((s.dir / "out/run.h5").string());
  REQUIRE(stored.present);
  CHECK(stored.frame_indices == std::vector<int>{0, 1});
  CHECK(stored.sequence.porespy_median.dimension == Approx(run.dimension).epsilon(1e-15));
  CHECK(stored.frames[1].pair.scales.size() > 0);
  // Writing again replaces the group, and the run itself stays readable.
  REQUIRE(s.run("dimension out/run.h5 --write").code == 0);
  CHECK(io::read_run((s.dir / "out/run.h5").string()).frames.size() == 2);
  CHECK(io::read_run_dimensions((s.dir / "out/run.h5").string()).frames.size() == 2);
}

TEST_CASE("dimension cli: bad inputs give one line and exit 4 (2 for usage)", "[dimension][cli]") {
  Scratch s;
  check_one_line_error(s.run("dimension missing.png"), 4, "missing.png: no such file");
  s.write("notes.png", "this is not an image\n");
  check_one_line_error(s.run("dimension notes.png"), 4, "not a readable image");
  s.write("empty.png", "");
  check_one_line_error(s.run("dimension empty.png"), 4, "empty.png");
  fs::create_directory(s.dir / "adir");
  check_one_line_error(s.run("dimension adir"), 4, "is a directory");
  s.write("fake.h5", "not hdf5 at all");
  check_one_line_error(s.run("dimension fake.h5"), 4, "not an HDF5 file");

  // A truncated run.h5 and a foreign HDF5 file.
  s.write("tiny.yaml", kSmallRunConfig);
  REQUIRE(s.run("zoom tiny.yaml -q").code == 0);
  const std::string whole = slurp(s.dir / "out/run.h5");
  s.write("cut.h5", whole.substr(0, whole.size() / 3));
  const Result cut = s.run("dimension cut.h5");
  check_one_line_error(cut, 4, "cut.h5");
  {
    H5::H5File f((s.dir / "foreign.h5").string(), H5F_ACC_TRUNC);
    f.createGroup("data");
  }
  check_one_line_error(s.run("dimension foreign.h5"), 4, "not a trainscape run");
  // A PNG whose data is cut short.
  write_png(s.dir / "disk.png", shapes::disk(64));
  const std::string png = slurp(s.dir / "disk.png");
  s.write("short.png", png.substr(0, png.size() / 2));
  check_one_line_error(s.run("dimension short.png"), 4, "short.png");

  write_png(s.dir / "d.png", shapes::disk(64));
  check_one_line_error(s.run("dimension d.png --write"), 2, "--write");
  check_one_line_error(s.run("dimension d.png --threshold 300"), 2, "--threshold");
  check_one_line_error(s.run("dimension"), 2, "INPUT");
}

TEST_CASE("uncertainty cli: a tiny config, and bad configs", "[dimension][cli]") {
  Scratch s;
  s.write("tiny.yaml", kSmallRunConfig);
  const Result r = s.run("uncertainty tiny.yaml --points 2000 --threads 2");
  INFO("stderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("uncertainty exponent: D ="));
  CHECK_THAT(r.out, Catch::Contains("epsilon"));
  const Result j = s.run("uncertainty tiny.yaml --points 2000 --json --set training.steps=10");
  REQUIRE(j.code == 0);
  check_json_object(j.out);
  CHECK_THAT(j.out, Catch::Contains("\"uncertainty\": {"));
  CHECK_THAT(j.out, Catch::Contains("\"steps\": 10"));
  CHECK(json_value_after(j.out, "\"uncertainty\": {", "samples") == 2000);

  check_one_line_error(s.run("uncertainty nothere.yaml"), 4, "nothere.yaml");
  s.write("typo.yaml", "model:\n  widht: 16\n");
  check_one_line_error(s.run("uncertainty typo.yaml"), 3, "unknown key 'model.widht'");
  check_one_line_error(s.run("uncertainty tiny.yaml --points 0"), 2, "--points");
  check_one_line_error(s.run("uncertainty tiny.yaml --engine nosuch"), 3, "unknown engine");
}
