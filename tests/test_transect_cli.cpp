// `trainscape transect` on the real binary: the file it writes, the same bits for any thread
// count and tile size and after an interruption, and one-line errors for bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_support.hpp"
#include "trainscape/io/transect_store.hpp"

namespace fs = std::filesystem;
using namespace cli_test;

namespace {

// 129 points in runs of 9 (runtime.tile 3): 15 tiles; width 4 and 40 steps keep it quick.
const char* kConfig =
    "model: {width: 4}\n"
    "training: {steps: 40}\n"
    "phase_space: {x: [-2, 4], y: [-2, 4]}\n"
    "output: {dir: out}\n"
    "runtime: {tile: 3}\n";
// A horizontal segment across the boundary (11 class changes between neighbours).
const char* kSegment = " --from -2,1 --to 4,1 --points 129";

}  // namespace

TEST_CASE("transect cli: the file, and the same bits for any threads and tiles", "[transect][cli]") {
  Scratch s;
  s.write("t.yaml", kConfig);
  const Result r = s.run(std::string("transect t.yaml") + kSegment + " --threads 1");
  INFO("stderr: " << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("transect of 129 points"));
  REQUIRE(fs::exists(s.dir / "out/transect.h5"));
  CHECK_FALSE(fs::exists(s.dir / "out/transect.h5.journal"));
  CHECK_FALSE(fs::exists(s.dir / "out/transect.h5.tmp"));

  const trainscape::io::StoredTransect t = trainscape::io::read_transect((s.dir / "out/transect.h5").string());
  REQUIRE(t.points == 129);
  CHECK(t.result.x.front() == -2.0);
  CHECK(t.result.x.back() == 4.0);
  CHECK(t.result.y.front() == 1.0);
  CHECK(t.result.y.back() == 1.0);
  CHECK(t.result.crossings.resolutions == std::vector<std::int64_t>{2, 4, 8, 16, 32, 64, 128});
  // The finest count is the number of class changes along the stored classes.
  std::int64_t changes = 0;
  for (std::size_t i = 1; i < t.result.converged.size(); ++i)
    changes += (t.result.converged[i] != 0) != (t.result.converged[i - 1] != 0);
  CHECK(t.result.crossings.crossings.back() == changes);
  CHECK(changes >= 1);
  CHECK(t.steps == 40);
  CHECK_THAT(t.config_yaml, Catch::Contains("width: 4"));

  const auto reference = hdf5_contents(s.dir / "out/transect.h5");
  REQUIRE_FALSE(reference.empty());
  const Result again =
      s.run(std::string("transect t.yaml") + kSegment + " --threads 2 --set runtime.tile=5 --out other.h5 -q");
  INFO("stderr: " << again.err);
  REQUIRE(again.code == 0);
  CHECK(hdf5_contents(s.dir / "other.h5") == reference);
}

TEST_CASE("transect cli: killed or stopped, resumed to the same bits", "[transect][cli][fault]") {
#ifndef TRAINSCAPE_FAULT_INJECTION
  WARN("TRAINSCAPE_TEST_SKIPPED: needs a build with -DTRAINSCAPE_FAULT_INJECTION=ON");
  return;
#endif
  Scratch s;
  s.write("t.yaml", kConfig);
  REQUIRE(s.run(std::string("transect t.yaml") + kSegment + " --out ref.h5 -q --threads 1").code == 0);
  const auto reference = hdf5_contents(s.dir / "ref.h5");
  // tile:1 is the journal's config.yaml, tile:N (N >= 2) inside the (N-1)-th tile's file.
  const auto fault = GENERATE(as<std::string>{}, "tile:3", "tile:9", "tile:12");
  INFO("fault " << fault);
  const Result killed =
      s.run(std::string("transect t.yaml") + kSegment + " -q --threads 2", "TRAINSCAPE_FAULT=" + fault);
  REQUIRE(killed.code == 128 + 9);
  CHECK_FALSE(fs::exists(s.dir / "out/transect.h5"));
  REQUIRE(fs::exists(s.dir / "out/transect.h5.journal"));
  // Without --resume the journal is protected.
  check_one_line_error(s.run(std::string("transect t.yaml") + kSegment + " -q"), 4, "--resume");
  // Another segment or point count is not continued from these tiles.
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,1 --points 257 -q --resume"), 4,
                       "give the same --from, --to and --points");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,1.5 --points 129 -q --resume"), 4, "transect.txt");
  // Resumed with another thread count and tile size, and once more stopped by SIGINT on the way.
  const Result stopped = s.run(std::string("transect t.yaml") + kSegment + " -q --resume --set runtime.tile=2",
                               "TRAINSCAPE_FAULT=tile:4:INT");
  CHECK(stopped.code == 130);
  CHECK_THAT(stopped.err, Catch::Contains("--resume"));
  const Result resumed = s.run(std::string("transect t.yaml") + kSegment + " -q --resume --threads 1");
  INFO("stderr: " << resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(hdf5_contents(s.dir / "out/transect.h5") == reference);
  CHECK_FALSE(fs::exists(s.dir / "out/transect.h5.journal"));
}

TEST_CASE("transect cli: bad input is one line with its exit code, nothing written", "[transect][cli]") {
  Scratch s;
  s.write("t.yaml", kConfig);
  s.write("bad.yaml", "model: {widht: 4}\ntraining: {steps: 40}\n");
  check_one_line_error(s.run("transect t.yaml --from -2 --to 4,0.5 --points 129"), 2, "--from -2");
  check_one_line_error(s.run("transect t.yaml --from -2,x --to 4,0.5 --points 129"), 2, "expected X,Y");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,0.5,1 --points 129"), 2, "--to 4,0.5,1");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 100"), 2,
                       "--points 100: expected 2^k + 1 points");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 2"), 2, "--points 2");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 129 --set model.bogus=1"), 3,
                       "model.bogus");
  check_one_line_error(s.run("transect bad.yaml --from -2,1 --to 4,0.5 --points 129"), 3, "widht");
  check_one_line_error(s.run("transect t.yaml --from 1,1 --to 1,1 --points 129"), 2, "must differ from --from");
  CHECK_FALSE(fs::exists(s.dir / "out"));
  // An existing result is kept unless --overwrite.
  REQUIRE(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 9 -q").code == 0);
  const auto first = hdf5_contents(s.dir / "out/transect.h5");
  check_one_line_error(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 17 -q"), 4, "--overwrite");
  CHECK(hdf5_contents(s.dir / "out/transect.h5") == first);
  CHECK(s.run("transect t.yaml --from -2,1 --to 4,0.5 --points 17 -q --overwrite").code == 0);
  CHECK(trainscape::io::read_transect((s.dir / "out/transect.h5").string()).points == 17);
}

namespace {
const char* kChannels = " --set 'output.channels=[divergence_step, lyapunov, sharpness]'";

/// Runs shards 0..count-1 of the transect into FILE.shards/ (FILE = `out`).
void run_shards(const Scratch& s, const std::string& args, int count, const std::string& out) {
  for (int i = 0; i < count; ++i) {
    const Result r = s.run(args + " --out " + out + " --shard " + std::to_string(i) + "/" + std::to_string(count));
    INFO("shard " << i << " stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("shard " + std::to_string(i) + "/" + std::to_string(count)));
    CHECK(
        fs::is_directory(s.dir / (out + ".shards") / ("shard-" + std::to_string(i) + "-of-" + std::to_string(count))));
  }
}
}  // namespace

TEST_CASE("transect cli: channels are stored, the same bits for any threads and tiles", "[transect][cli][channels]") {
  Scratch s;
  s.write("t.yaml", kConfig);
  const std::string args = std::string("transect t.yaml") + kSegment + kChannels;
  REQUIRE(s.run(args + " --threads 1 -q --out a.h5").code == 0);
  const trainscape::io::StoredTransect t = trainscape::io::read_transect((s.dir / "a.h5").string());
  REQUIRE(t.result.divergence_step.size() == 129);
  REQUIRE(t.result.lyapunov.size() == 129);
  REQUIRE(t.result.sharpness.size() == 129);
  REQUIRE(t.result.edge_of_stability.size() == 129);
  // The segment crosses the boundary: some runs blew up (divergence_step >= 0), some never did (-1).
  std::size_t blew_up = 0;
  for (std::size_t i = 0; i < 129; ++i) {
    CHECK(t.result.divergence_step[i] >= -1);
    CHECK(t.result.divergence_step[i] < 40);
    if (t.result.divergence_step[i] >= 0) ++blew_up;
  }
  CHECK(blew_up > 0);
  CHECK(blew_up < 129);
  const Result other = s.run(args + " --threads 2 --set runtime.tile=5 -q --out b.h5");
  INFO("stderr: " << other.err);
  REQUIRE(other.code == 0);
  CHECK(hdf5_contents(s.dir / "b.h5") == hdf5_contents(s.dir / "a.h5"));
  // Without channels, none is stored.
  REQUIRE(s.run(std::string("transect t.yaml") + kSegment + " -q --out plain.h5").code == 0);
  const auto plain = hdf5_contents(s.dir / "plain.h5");
  CHECK(plain.count("/transect/lyapunov") + plain.count("transect/lyapunov") == 0);
  CHECK(trainscape::io::read_transect((s.dir / "plain.h5").string()).result.lyapunov.empty());
}

TEST_CASE("transect cli: --shard I/N for every I, then --merge, gives the bits of one process",
          "[transect][cli][shard]") {
  Scratch s;
  s.write("t.yaml", kConfig);
  const std::string args = std::string("transect t.yaml") + kSegment + kChannels + " -q";
  REQUIRE(s.run(args + " --threads 1 --out single.h5").code == 0);
  const auto reference = hdf5_contents(s.dir / "single.h5");
  run_shards(s, std::string("transect t.yaml") + kSegment + kChannels, 3, "merged.h5");
  CHECK_FALSE(fs::exists(s.dir / "merged.h5"));
  const Result merged = s.run(args + " --out merged.h5 --merge");
  INFO("merge stderr: " << merged.err);
  REQUIRE(merged.code == 0);
  CHECK(hdf5_contents(s.dir / "merged.h5") == reference);
  // -q prints the dimension, as a single process does.
  CHECK(merged.out == s.run(args + " --out single.h5 --overwrite").out);

  SECTION("a shard run again computes nothing") {
    const Result again = s.run(std::string("transect t.yaml") + kSegment + kChannels + " --out merged.h5 --shard 1/3");
    INFO("stderr: " << again.err);
    REQUIRE(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("(0 computed now, 5 from an earlier attempt)"));
  }
  SECTION("a shard of another config, segment or point count is refused, naming it") {
    const fs::path shard1 = s.dir / "merged.h5.shards" / "shard-1-of-3";
    fs::remove_all(shard1);
    REQUIRE(s.run(args + " --out merged.h5 --shard 1/3 --set training.steps=41").code == 0);
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 3, "shard-1-of-3");
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 3, "training.steps");
    // Continuing that shard with this config is refused too.
    check_one_line_error(s.run(args + " --out merged.h5 --shard 1/3"), 3, "training.steps");
    fs::remove_all(shard1);
    REQUIRE(s.run(std::string("transect t.yaml --from -2,1 --to 4,1.5 --points 129") + kChannels +
                  " -q --out merged.h5 --shard 1/3")
                .code == 0);
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 4, "shard-1-of-3/transect.txt");
    fs::remove_all(shard1);
    REQUIRE(s.run(std::string("transect t.yaml --from -2,1 --to 4,1 --points 257") + kChannels +
                  " -q --out merged.h5 --shard 1/3")
                .code == 0);
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 4, "shard-1-of-3/transect.txt");
    // Nor is a shard that stores other channels.
    fs::remove_all(shard1);
    REQUIRE(s.run(std::string("transect t.yaml") + kSegment + " -q --out merged.h5 --shard 1/3").code == 0);
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 3, "output.channels");
    // The merged file of before is untouched by the refusals.
    CHECK(hdf5_contents(s.dir / "merged.h5") == reference);
  }
  SECTION("a missing or unfinished shard is named; rerunning it completes the merge") {
    const fs::path shards = s.dir / "merged.h5.shards";
    fs::remove(s.dir / "merged.h5");
    fs::remove_all(shards / "shard-2-of-3");
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 4, "missing shard-2-of-3");
    // A shard that wrote its config but no tile (killed at once) owes all its tiles.
    REQUIRE(s.run(args + " --out merged.h5 --shard 2/3").code == 0);
    for (const auto& e : fs::directory_iterator(shards / "shard-2-of-3")) {
      if (e.path().extension() == ".pack") fs::remove(e.path());
    }
    check_one_line_error(s.run(args + " --out merged.h5 --merge"), 4, "shard-2-of-3 (5 tiles) unfinished");
    CHECK_FALSE(fs::exists(s.dir / "merged.h5"));
    REQUIRE(s.run(args + " --out merged.h5 --shard 2/3").code == 0);
    REQUIRE(s.run(args + " --out merged.h5 --merge").code == 0);
    CHECK(hdf5_contents(s.dir / "merged.h5") == reference);
  }
  SECTION("bad --shard values and combinations are one-line usage errors") {
    check_one_line_error(s.run(args + " --out x.h5 --shard 3/3"), 2, "--shard 3/3: expected I/N");
    check_one_line_error(s.run(args + " --out x.h5 --shard 1"), 2, "--shard 1");
    check_one_line_error(s.run(args + " --out x.h5 --shard 0/2 --merge"), 2, "--merge");
    check_one_line_error(s.run(args + " --out x.h5 --shard 0/2 --resume"), 2, "--resume");
    check_one_line_error(s.run(args + " --out nothing.h5 --merge"), 4, "nothing.h5.shards: no shards to merge");
    CHECK_FALSE(fs::exists(s.dir / "x.h5.shards"));
  }
}

TEST_CASE("transect cli: channels survive a kill and --resume bit for bit", "[transect][cli][fault][channels]") {
#ifndef TRAINSCAPE_FAULT_INJECTION
  WARN("TRAINSCAPE_TEST_SKIPPED: needs a build with -DTRAINSCAPE_FAULT_INJECTION=ON");
  return;
#endif
  Scratch s;
  s.write("t.yaml", kConfig);
  const std::string args = std::string("transect t.yaml") + kSegment + kChannels + " -q";
  REQUIRE(s.run(args + " --out ref.h5 --threads 1").code == 0);
  const Result killed = s.run(args + " --threads 2", "TRAINSCAPE_FAULT=tile:7");
  REQUIRE(killed.code == 128 + 9);
  REQUIRE(fs::exists(s.dir / "out/transect.h5.journal"));
  const Result resumed = s.run(args + " --resume --threads 1 --set runtime.tile=2");
  INFO("stderr: " << resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(hdf5_contents(s.dir / "out/transect.h5") == hdf5_contents(s.dir / "ref.h5"));
  // A shard killed half-way continues from its own tiles to the same merged bits.
  const Result shard_killed = s.run(args + " --out sh.h5 --shard 0/2", "TRAINSCAPE_FAULT=tile:4");
  REQUIRE(shard_killed.code == 128 + 9);
  REQUIRE(s.run(args + " --out sh.h5 --shard 0/2").code == 0);
  REQUIRE(s.run(args + " --out sh.h5 --shard 1/2").code == 0);
  REQUIRE(s.run(args + " --out sh.h5 --merge").code == 0);
  CHECK(hdf5_contents(s.dir / "sh.h5") == hdf5_contents(s.dir / "ref.h5"));
}
