// The real trainscape binary: a good run, --version, --help, and every class of bad input with
// its message and exit code, leaving existing outputs untouched.
#include <catch2/catch.hpp>

#include <stb_image.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "trainscape/io/hdf5_store.hpp"

namespace fs = std::filesystem;
using namespace cli_test;

namespace {

/// RGB bytes of a PNG file (empty if it does not decode).
std::vector<unsigned char> decoded_pixels(const fs::path& p) {
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(p.string().c_str(), &w, &h, &n, 3);
  if (!px) return {};
  std::vector<unsigned char> out(px, px + static_cast<std::size_t>(w) * h * 3);
  stbi_image_free(px);
  return out;
}

}  // namespace

TEST_CASE("cli: a good run writes PNGs, run.h5 and a summary", "[cli]") {
  Scratch s;
  s.write("tiny.yaml", kTinyConfig);
  const Result r = s.run("zoom tiny.yaml --threads 2");
  INFO("stderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(s.dir / "out/run.h5"));
  CHECK(fs::exists(s.dir / "out/frame_000.png"));
  CHECK(fs::exists(s.dir / "out/frame_001.png"));
  CHECK_FALSE(fs::exists(s.dir / "out/frame_002.png"));
  CHECK_THAT(r.out, Catch::Contains("frame   0  x [-2, 4]  y [-2, 4]"));
  CHECK_THAT(r.out, Catch::Contains("frame   1"));
  CHECK_THAT(r.out, Catch::Contains("sequence dimension"));
  CHECK(r.err.empty());  // not a terminal: no progress line

  // Same config, --out elsewhere, -q: prints only the dimension, identical run.h5 content is
  // checked in test_hdf5; here the dimension must match the summary's.
  const Result q = s.run("zoom tiny.yaml --out out2 -q --threads 1");
  REQUIRE(q.code == 0);
  CHECK(q.out.find('\n') == q.out.size() - 1);
  // The pixels agree (the text chunks differ: they hold the resolved config with its output.dir).
  CHECK(decoded_pixels(s.dir / "out/frame_001.png") == decoded_pixels(s.dir / "out2/frame_001.png"));
  CHECK(decoded_pixels(s.dir / "out/frame_001.png").size() == 24 * 24 * 3);
}

TEST_CASE("cli: --version and --help", "[cli]") {
  Scratch s;
  const Result v = s.run("--version");
  CHECK(v.code == 0);
  CHECK(v.out == "trainscape 0.1.0\n");
  const Result h = s.run("--help");
  CHECK(h.code == 0);
  CHECK_THAT(h.out, Catch::Contains("Examples:"));
  CHECK_THAT(h.out, Catch::Contains("zoom"));
  const Result hz = s.run("zoom --help");
  CHECK(hz.code == 0);
  CHECK_THAT(hz.out, Catch::Contains("--set"));
}

TEST_CASE("cli: bad command lines exit 2", "[cli]") {
  Scratch s;
  check_one_line_error(s.run(""), 2, "subcommand");
  check_one_line_error(s.run("zoom"), 2, "CONFIG");
  check_one_line_error(s.run("zoom x.yaml --bogus"), 2, "--bogus");
  check_one_line_error(s.run("zoom x.yaml --threads -3"), 2, "--threads");
  check_one_line_error(s.run("frobnicate"), 2, "subcommand");
}

TEST_CASE("cli: bad configs exit 3 with file, line, key, value and rule", "[cli]") {
  Scratch s;
  s.write("typo.yaml", "model:\n  widht: 16\n");
  check_one_line_error(s.run("zoom typo.yaml"), 3, "typo.yaml:2:3: unknown key 'model.widht'");
  s.write("syntax.yaml", "model: {width: 16\n");
  check_one_line_error(s.run("zoom syntax.yaml"), 3, "syntax.yaml:");
  check_one_line_error(s.run("zoom syntax.yaml"), 3, "YAML syntax error");
  s.write("type.yaml", "training: {steps: many}\n");
  check_one_line_error(s.run("zoom type.yaml"), 3, "type.yaml:1:19: training.steps = many: must be an integer");
  s.write("range.yaml", "model: {depth: 1}\n");
  check_one_line_error(s.run("zoom range.yaml"), 3, "model.depth = 1: must be an integer in [2, 64]");
  s.write("window.yaml", "phase_space: {x: [2, 1]}\n");
  check_one_line_error(s.run("zoom window.yaml"), 3, "phase_space.x = [2, 1]");
  s.write("deep.yaml", "zoom: {frames: 64}\n");
  check_one_line_error(s.run("zoom deep.yaml"), 3, "too deep for float64");
  s.write("dup.yaml", "zoom: {frames: 2}\nzoom: {frames: 3}\n");
  check_one_line_error(s.run("zoom dup.yaml"), 3, "duplicate section 'zoom'");
  s.write("ok.yaml", kTinyConfig);
  check_one_line_error(s.run("zoom ok.yaml --set training.steps=0"), 3, "--set training.steps=0");
  check_one_line_error(s.run("zoom ok.yaml --set model.size=3"), 3, "unknown key 'model.size'");
  check_one_line_error(s.run("zoom ok.yaml --engine warp"), 3, "unknown engine 'warp'");
  // 65536^2 pixels need terabytes: refused before anything is allocated or created.
  check_one_line_error(s.run("zoom ok.yaml --set render.resolution=65536"), 3,
                       "render.resolution = [65536, 65536] needs about 180.0 GiB of memory");
  // None of these created the run directory.
  CHECK_FALSE(fs::exists(s.dir / "out"));
  CHECK_FALSE(fs::exists(s.dir / "runs"));
}

TEST_CASE("cli: file problems exit 4 and never clobber an existing run", "[cli]") {
  Scratch s;
  check_one_line_error(s.run("zoom missing.yaml"), 4, "missing.yaml: cannot read");
  fs::create_directory(s.dir / "adir.yaml");
  check_one_line_error(s.run("zoom adir.yaml"), 4, "adir.yaml: cannot read: is a directory");

  s.write("tiny.yaml", kTinyConfig);
  REQUIRE(s.run("zoom tiny.yaml -q").code == 0);
  const std::string h5 = slurp(s.dir / "out/run.h5"), png = slurp(s.dir / "out/frame_000.png");
  check_one_line_error(s.run("zoom tiny.yaml"), 4, "out: already holds a run");
  CHECK(slurp(s.dir / "out/run.h5") == h5);
  CHECK(slurp(s.dir / "out/frame_000.png") == png);
  // --overwrite replaces it (a different config gives a different frame).
  const Result r = s.run("zoom tiny.yaml --overwrite -q --set zoom.frames=1 --set training.steps=15");
  CHECK(r.code == 0);
  CHECK_FALSE(fs::exists(s.dir / "out/frame_001.png"));
  CHECK(slurp(s.dir / "out/frame_000.png") != png);

  s.write("afile", "not a directory");
  check_one_line_error(s.run("zoom tiny.yaml --out afile"), 4, "afile: exists and is not a directory");
}

TEST_CASE("cli: the README's config reference is exactly `trainscape keys`", "[cli]") {
  Scratch s;
  const Result r = s.run("keys");
  REQUIRE(r.code == 0);
  const std::string readme = slurp(fs::path(TRAINSCAPE_SOURCE_DIR) / "README.md");
  const std::string begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->";
  const auto b = readme.find(begin), e = readme.find(end);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  CHECK(readme.substr(b + begin.size(), e - b - begin.size()) == r.out);
}

TEST_CASE("cli: SIGINT and SIGTERM stop at a tile boundary, keep finished frames, exit 130 / 143", "[cli][signal]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    Scratch s;
    // Frame 0 is quick; frames 1.. are slow enough (many steps) to be interrupted mid-frame.
    s.write("long.yaml",
            "model: {width: 8}\ntraining: {steps: 400}\nphase_space: {x: [-2, 4], y: [-2, 4]}\n"
            "render: {resolution: 48}\nzoom: {frames: 3}\noutput: {dir: out}\nruntime: {tile: 8, threads: 1}\n");
    // Interrupt once the first frame is finished.
    const Result r = s.run_and_signal("zoom long.yaml", sig, [&] { return fs::exists(s.dir / "out/frame_000.png"); });
    REQUIRE(fs::exists(s.dir / "out/frame_000.png"));
    const std::string& err = r.err;
    INFO("stderr: " << err);
    CHECK(r.code == (sig == SIGINT ? 130 : 143));
    CHECK_THAT(err, Catch::StartsWith("trainscape: error: stopped during frame"));
    CHECK_THAT(err, Catch::Contains(sig == SIGINT ? "(SIGINT)" : "(SIGTERM)"));
    CHECK_THAT(err, Catch::Contains(
                        "the finished frames and tiles are in out; continue with: trainscape zoom long.yaml --resume"));
    CHECK(decoded_pixels(s.dir / "out/frame_000.png").size() == 48 * 48 * 3);
    CHECK_FALSE(fs::exists(s.dir / "out/frame_002.png"));
    for (const auto& e : fs::directory_iterator(s.dir / "out")) {
      CHECK(e.path().filename().string().find(".png.tmp") == std::string::npos);  // no temporary left
    }
    // run.h5 is readable and holds exactly the finished frames.
    const auto stored = trainscape::io::read_run((s.dir / "out/run.h5").string());
    CHECK(stored.frames_completed >= 1);
    CHECK(stored.frames_completed < 3);
    CHECK(static_cast<long long>(stored.frames.size()) == stored.frames_completed);
  }
}

TEST_CASE("cli: bench prints the machine-readable rate as its last line", "[cli]") {
  Scratch s;
  s.write("tiny.yaml", kTinyConfig);
  for (const char* engine : {"batched", "reference"}) {
    const Result r = s.run(std::string("bench tiny.yaml --pixels 64 --steps 5 --threads 1 --engine ") + engine);
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    const auto last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
    CHECK_THAT(last, Catch::StartsWith("pixel_steps_per_s="));
    CHECK_THAT(last, Catch::Contains(std::string(" engine=") + engine + " precision=float64 threads=1 tiles=1\n"));
    CHECK_THAT(r.out, Catch::StartsWith("64 pixels x 5 steps in "));
    CHECK(r.err.empty());
  }
  // One 8 x 8 tile cannot keep two threads busy: the rate would be one thread's, so say so.
  const Result idle = s.run("bench tiny.yaml --pixels 64 --steps 5 --threads 2");
  REQUIRE(idle.code == 0);
  CHECK_THAT(idle.err, Catch::Contains("warning: 1 tiles for 2 threads: 1 threads idle"));
  CHECK_THAT(idle.out, Catch::Contains("threads=2 tiles=1\n"));
  check_one_line_error(s.run("bench tiny.yaml --pixels 0"), 2, "--pixels");
  check_one_line_error(s.run("bench tiny.yaml --engine nope"), 3, "unknown engine 'nope'");
}

TEST_CASE("cli: SIGINT stops uncertainty at a round boundary and still prints the estimate so far", "[cli][signal]") {
  Scratch s;
  s.write("unc.yaml",
          "model: {width: 4}\ntraining: {steps: 100}\nphase_space: {x: [0, 2], y: [0, 2]}\nruntime: {threads: 1}\n");
  // Long enough for the handler to be installed even under a sanitizer; sampling takes tens of
  // seconds, so the run is still going.
  const Result r = s.run_and_signal_after("uncertainty unc.yaml --points 1000000000", SIGINT, 3.0);
  const std::string &err = r.err, &out = r.out;
  INFO("stderr: " << err << " stdout: " << out);
  CHECK(r.code == 130);
  CHECK_THAT(err, Catch::StartsWith("trainscape: error: uncertainty stopped after "));
  CHECK_THAT(err, Catch::Contains("(SIGINT); the estimate printed uses only those\n"));
  CHECK(err.find('\n') == err.size() - 1);
  CHECK_THAT(out, Catch::Contains("uncertainty exponent: D = "));
  CHECK_THAT(out, Catch::Contains("note: stopped after "));
}
