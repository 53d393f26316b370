// training.arithmetic: perturbation through the real binary (docs/deep-zoom.md): a zoom 30
// decades below float64's floor around a decimal-string target, its run.h5 (decimal centres,
// certification), the same bits for any thread count, agreement with direct training where
// float64 still works, and the refusals (unsupported problems, commands that train directly).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_support.hpp"
#include "trainscape/io/hdf5_store.hpp"

namespace fs = std::filesystem;
using namespace cli_test;

namespace {

// A point near the boundary of this small tanh network (found by a target: auto zoom).
const char* kDeepConfig =
    "model: {width: 4}\n"
    "training: {steps: 60, arithmetic: perturbation, certify_pixels: 6}\n"
    "phase_space: {x: [-1, 3], y: [-1, 3]}\n"
    "render: {resolution: 16}\n"
    "zoom: {frames: 6, factor: 1e6,"
    " target: [\"0.93748387096774188353975887366686947\", \"1.58264516129032251079422621842240915\"]}\n"
    "output: {dir: out}\n"
    "runtime: {tile: 5}\n";

}  // namespace

TEST_CASE("deep cli: frames down to 4e-30 wide around a decimal target, certified, the same bits for any threads",
          "[deep][cli]") {
  Scratch s;
  s.write("d.yaml", kDeepConfig);
  const Result r = s.run("zoom d.yaml --threads 1");
  INFO("stderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("certified: 6 pixels retrained in quad-double, class agreement 1.0000"));
  CHECK_THAT(r.out, Catch::Contains("centre x 9.374838709677418835397588736668694"));

  const trainscape::io::StoredRun run = trainscape::io::read_run((s.dir / "out/run.h5").string());
  REQUIRE(run.frames.size() == 6);
  const trainscape::FrameResult& deep = run.frames[5];
  CHECK(deep.window.half_x == Approx(2e-30).epsilon(1e-12));
  CHECK(deep.window.exact_centre_x().decimal(35) == "9.3748387096774188353975887366686947e-01");
  CHECK(deep.window.exact_centre_y().decimal(36) == "1.58264516129032251079422621842240915e+00");
  for (const trainscape::FrameResult& f : run.frames) {
    INFO("frame " << f.index);
    CHECK(f.certification.pixels == 6);
    CHECK(f.certification.agreement == 1.0);
    CHECK(f.certification.median_relative_measure_error < 1e-8);
    CHECK(f.certification.counted_pixels == 256);  // one process, no resume: the counts cover the frame
  }
  CHECK_THAT(r.out, Catch::Contains("of 256 pixels trained here: "));
  Scratch t;
  t.write("d.yaml", kDeepConfig);
  REQUIRE(t.run("zoom d.yaml --threads 2 --set runtime.tile=7").code == 0);
  check_same_run(s.dir / "out", t.dir / "out");

#ifdef TRAINSCAPE_FAULT_INJECTION
  // Killed inside frame 0's 3rd tile write and resumed: the same frames, and the per-frame counts
  // say which pixels they cover (the tiles restored from the journal were not trained again).
  Scratch k;
  k.write("d.yaml", kDeepConfig);
  REQUIRE(k.run("zoom d.yaml -q --threads 1 --set zoom.frames=2", "TRAINSCAPE_FAULT=tile:3").code == 128 + 9);
  // The tiles journalled before the kill: the first ones in index order, each 5 x 5.
  int journalled = 0;
  for (const auto& e : fs::directory_iterator(k.dir / "out/journal/frame_000000")) {
    if (e.path().extension() == ".tile") ++journalled;
  }
  REQUIRE(journalled >= 1);
  REQUIRE(journalled <= 3);
  const Result resumed = k.run("zoom d.yaml -q --resume --threads 1 --set zoom.frames=2");
  INFO("stderr: " << resumed.err);
  REQUIRE(resumed.code == 0);
  const trainscape::io::StoredRun again = trainscape::io::read_run((k.dir / "out/run.h5").string());
  REQUIRE(again.frames.size() == 2);
  for (int i = 0; i < 2; ++i) {
    INFO("frame " << i);
    CHECK(again.frames[i].measure.data == run.frames[i].measure.data);
    CHECK(again.frames[i].converged.data == run.frames[i].converged.data);
  }
  CHECK(again.frames[0].certification.counted_pixels == 256 - 25 * journalled);
  CHECK(again.frames[1].certification.counted_pixels == 256);
#endif
}

TEST_CASE("deep cli: frame 43 of tanh_deep certifies where rounded losses cannot decide the class", "[deep][cli]") {
  // The first tanh_deep run's frame 43 (docs/deep-zoom.md#the-class-at-depth): the mean loss
  // ratio is 1 - 2e-16 or so over the whole frame, which the double rule decided by rounding
  // (12 of 16 certified). Decided by the tail excess in quad-double, every pixel is converged,
  // and so are all 16 certified ones.
  Scratch s;
  s.write("f43.yaml",
          "model: {width: 4, depth: 2, nonlinearity: tanh, target_dim: 1}\n"
          "data: {size: params, ratio: 1.0, rng: native, seed: 0}\n"
          "training: {steps: 100, arithmetic: perturbation, certify_pixels: 16}\n"
          "render: {resolution: 16}\nzoom: {frames: 1}\noutput: {dir: out}\n"
          "phase_space: {kind: lr_vs_lr,"
          " x: [\"-0.1763893465983789122561778872579774105554090204212784374630138881\","
          " \"-0.1763893465983789122561778355591774105554090204212784374630138881\"],"
          " y: [\"1.322744238333191700430186427348049516749793242643480507703383645\","
          " \"1.322744238333191700430186479046849516749793242643480507703383645\"]}\n");
  const Result r = s.run("zoom f43.yaml");
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("certified: 16 pixels retrained in quad-double, class agreement 1.0000"));
  const trainscape::io::StoredRun run = trainscape::io::read_run((s.dir / "out/run.h5").string());
  REQUIRE(run.frames.size() == 1);
  const trainscape::FrameResult& f = run.frames[0];
  CHECK(f.certification.pixels == 16);
  CHECK(f.certification.agreement == 1.0);
  // The counts run.h5 and the summary report: here the tail excess overrules the double rule on
  // some pixels, and no pixel leaves its reference.
  CHECK(f.certification.reclassified_pixels > 0);
  CHECK(f.certification.continued_pixels == 0);
  CHECK_THAT(r.out, Catch::Contains(" finished in float64, " + std::to_string(f.certification.reclassified_pixels) +
                                    " classed by the exact tail"));
  for (int row = 0; row < 16; ++row) {
    for (int col = 0; col < 16; ++col) CHECK(f.converged(row, col) == 1);
  }
}

TEST_CASE("deep cli: where float64 works, perturbation and direct give the same classes", "[deep][cli]") {
  Scratch s;
  const std::string base =
      "model: {width: 4}\ntraining: {steps: 60}\nphase_space: {x: [0.5, 1.5], y: [1.0, 2.0]}\n"
      "render: {resolution: 16}\nzoom: {frames: 1}\nruntime: {tile: 8}\n";
  s.write("direct.yaml", base + "output: {dir: direct}\n");
  s.write("deep.yaml", base + "output: {dir: deep}\n");
  REQUIRE(s.run("zoom direct.yaml").code == 0);
  REQUIRE(s.run("zoom deep.yaml --set training.arithmetic=perturbation").code == 0);
  const auto direct = trainscape::io::read_run((s.dir / "direct/run.h5").string());
  const auto deep = trainscape::io::read_run((s.dir / "deep/run.h5").string());
  const auto& a = direct.frames.at(0);
  const auto& b = deep.frames.at(0);
  int same = 0, both_converged = 0;
  for (std::size_t i = 0; i < a.converged.data.size(); ++i) {
    same += a.converged.data[i] == b.converged.data[i];
    both_converged += a.converged.data[i] && b.converged.data[i];
  }
  INFO(same << " of " << a.converged.data.size() << " classes equal");
  CHECK(same >= static_cast<int>(a.converged.data.size()) - 3);  // at most a few chaotic boundary pixels
  CHECK(both_converged > 20);
  CHECK(same < static_cast<int>(a.converged.data.size()) + 1);
}

TEST_CASE("deep cli: problems perturbation cannot train, and commands that train directly, are refused",
          "[deep][cli]") {
  Scratch s;
  s.write("d.yaml", kDeepConfig);
  check_one_line_error(s.run("zoom d.yaml --set training.optimizer=momentum"), 3,
                       "training.arithmetic = perturbation: is not available with training.optimizer: momentum");
  CHECK_FALSE(fs::exists(s.dir / "out"));
  check_one_line_error(s.run("zoom d.yaml --set training.precision=float32"), 3,
                       "training.arithmetic = perturbation: needs training.precision float64");
  check_one_line_error(s.run("transect d.yaml --from 0,1 --to 1,1 --points 9"), 3,
                       "d.yaml: training.arithmetic = perturbation: trainscape transect trains its points directly");
  check_one_line_error(s.run("bench d.yaml"), 3, "trainscape bench trains its points directly");
  // Direct: the same window is refused, and the message names the way out.
  check_one_line_error(s.run("zoom d.yaml --set training.arithmetic=direct"), 3,
                       "or training.arithmetic: perturbation for deeper windows");
}
