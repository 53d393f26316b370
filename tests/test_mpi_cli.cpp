// Distributed runs of the real binary on a tiny config: MPI ranks (mpiexec -n R trainscape zoom)
// and Slurm-style shards (trainscape zoom --shard I/N, then trainscape merge) must give the same
// bits as one plain process. Also drives the MPI tile distributor directly
// (tests/mpi_distributor_check.cpp) under mpiexec.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "cli_support.hpp"

namespace {

using cli_test::check_same_run;
using cli_test::Result;
using cli_test::Scratch;
namespace fs = std::filesystem;

/// A 24 x 24 tanh network of width 4, 20 steps, 3 frames, tiles of 8 px: 9 tiles per frame,
/// computed in a fraction of a second. `target` is "auto" or "[x, y]".
std::string tiny_config(const std::string& target, const std::string& out_dir) {
  return "model: {width: 4, depth: 2, nonlinearity: tanh}\n"
         "training: {steps: 20}\n"
         "phase_space: {x: [-2.0, 2.0], y: [-2.0, 2.0]}\n"
         "render: {resolution: 24}\n"
         "zoom: {frames: 3, factor: 2.0, target: " +
         target +
         "}\n"
         "output: {dir: " +
         out_dir +
         "}\n"
         "runtime: {threads: 1, tile: 8}\n";
}

/// Runs a shell command line inside the scratch directory (stdout / stderr captured).
[[maybe_unused]] Result run_shell(const Scratch& s, const std::string& command) {
  const std::string cmd = "cd '" + s.dir.string() + "' && " + command + " > stdout.txt 2> stderr.txt";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = cli_test::slurp(s.dir / "stdout.txt");
  r.err = cli_test::slurp(s.dir / "stderr.txt");
  return r;
}

[[maybe_unused]] std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

#ifdef TRAINSCAPE_HAVE_MPI

namespace {

/// `mpiexec -n <ranks> <program>`, set up to work as root inside a container on one small
/// machine: root allowed (both variables, one alone is refused), more ranks than cores allowed,
/// no binding (each rank's OpenMP threads may use every core), shared memory between ranks
/// without the ptrace-based single copy (often forbidden in containers), and no ssh. A hung
/// job is killed after 5 minutes rather than hanging the test suite. Under AddressSanitizer
/// (scripts/sanitize.sh) leak checking is off for the ranks: Open MPI leaves about 120 kB of its
/// own allocations at MPI_Finalize, mostly from components it has dlclose'd, whose stacks
/// LeakSanitizer cannot name; our code's leaks are checked by the single-process tests.
std::string mpiexec(int ranks, const std::string& program) {
  return "timeout -k 10 300 env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
         "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" "
         "OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_hwloc_base_binding_policy=none "
         "OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none "
         "OMPI_MCA_plm=isolated '" TRAINSCAPE_MPIEXEC "' -n " +
         std::to_string(ranks) + " '" + program + "'";
}

std::string mpi_trainscape(int ranks) { return mpiexec(ranks, TRAINSCAPE_BINARY); }

}  // namespace

TEST_CASE("MPI distributor: every tile once, frames assembled bit for bit on rank 0", "[mpi]") {
  Scratch s;
  for (int ranks : {2, 3}) {
    INFO("ranks " << ranks);
    const Result r = run_shell(s, mpiexec(ranks, TRAINSCAPE_MPI_CHECK) + " 2 6");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("mpi_distributor_check: ok ranks=" + std::to_string(ranks)));
  }
}

TEST_CASE("mpiexec -n 2 zoom gives the bits of one process (target auto and fixed)", "[mpi]") {
  for (const std::string target : {"auto", "[0.9, 0.85]"}) {
    Scratch s;
    INFO("target " << target);
    s.write("tiny.yaml", tiny_config(target, "mpi"));
    const Result single = s.run("zoom tiny.yaml --threads 1 --out single");
    INFO("single stderr: " << single.err);
    REQUIRE(single.code == 0);

    const Result mpi = run_shell(s, mpi_trainscape(2) + " zoom tiny.yaml --threads 1");
    INFO("mpi stdout: " << mpi.out << "\nmpi stderr: " << mpi.err);
    REQUIRE(mpi.code == 0);
    check_same_run(s.dir / "single", s.dir / "mpi");
    // Rank 0 alone reports.
    CHECK(count_of(mpi.out, "sequence dimension") == 1);
  }
}

TEST_CASE("mpiexec -n 3 x 2 threads (more ranks than cores) gives the bits of one process", "[mpi]") {
  Scratch s;
  s.write("tiny.yaml", tiny_config("auto", "mpi"));
  REQUIRE(s.run("zoom tiny.yaml --threads 1 --out single").code == 0);
  const Result mpi = run_shell(s, mpi_trainscape(3) + " zoom tiny.yaml --threads 2");
  INFO("mpi stdout: " << mpi.out << "\nmpi stderr: " << mpi.err);
  REQUIRE(mpi.code == 0);
  check_same_run(s.dir / "single", s.dir / "mpi");
}

TEST_CASE("mpiexec -n 2 with every channel gives the bits of one process", "[mpi][channels]") {
  // The channel images are assembled like the measure (docs/channels.md#storage).
  Scratch s;
  s.write("tiny.yaml", tiny_config("auto", "mpi"));
  const std::string channels = " --set 'output.channels=[divergence_step, lyapunov, sharpness]'";
  REQUIRE(s.run("zoom tiny.yaml --threads 1 --out single" + channels).code == 0);
  const Result mpi = run_shell(s, mpi_trainscape(2) + " zoom tiny.yaml --threads 1" + channels);
  INFO("mpi stdout: " << mpi.out << "\nmpi stderr: " << mpi.err);
  REQUIRE(mpi.code == 0);
  check_same_run(s.dir / "single", s.dir / "mpi");
  const auto contents = cli_test::hdf5_contents(s.dir / "mpi/run.h5");
  CHECK(contents.count("frames/000002/lyapunov") + contents.count("/frames/000002/lyapunov") == 1);
}

TEST_CASE("mpiexec: failures end every rank with the documented exit code, without hanging", "[mpi]") {
  Scratch s;
  SECTION("invalid config (every rank fails the same way)") {
    s.write("bad.yaml", "training: {steps: 0}\n");
    const Result r = run_shell(s, mpi_trainscape(2) + " zoom bad.yaml");
    INFO("stderr: " << r.err);
    CHECK(r.code == 3);
    CHECK_THAT(r.err, Catch::Contains("training.steps"));
  }
  SECTION("existing run directory without --overwrite") {
    s.write("tiny.yaml", tiny_config("auto", "run"));
    REQUIRE(s.run("zoom tiny.yaml").code == 0);
    const Result r = run_shell(s, mpi_trainscape(2) + " zoom tiny.yaml");
    INFO("stderr: " << r.err);
    CHECK(r.code == 4);
    CHECK_THAT(r.err, Catch::Contains("--overwrite"));
  }
}

// Every rank must take rank 0's "nothing to resume" (a max over ranks of -1 on rank 0 and 0
// elsewhere once made the other ranks compute the finished run again).
TEST_CASE("mpiexec zoom --resume on a finished run does nothing", "[mpi][cli]") {
  Scratch s;
  s.write("tiny.yaml", tiny_config("auto", "run"));
  REQUIRE(s.run("zoom tiny.yaml --threads 1 --out single").code == 0);
  REQUIRE(s.run("zoom tiny.yaml --threads 1").code == 0);
  const auto before = fs::last_write_time(s.dir / "run" / "run.h5");
  const Result again = run_shell(s, mpi_trainscape(2) + " zoom tiny.yaml --threads 1 --resume");
  INFO("stdout: " << again.out << "\nstderr: " << again.err);
  CHECK(again.code == 0);
  CHECK_THAT(again.err, Catch::Contains("nothing to resume"));
  CHECK(count_of(again.out, "frame ") == 0);
  CHECK(fs::last_write_time(s.dir / "run" / "run.h5") == before);
  check_same_run(s.dir / "single", s.dir / "run");
}

TEST_CASE("mpiexec -n 2 transect gives the bits of one process, channels included", "[mpi][transect]") {
  // 129 points in runs of 9: 15 tiles for two ranks to draw.
  Scratch s;
  s.write("t.yaml",
          "model: {width: 4}\ntraining: {steps: 40}\nruntime: {tile: 3}\n"
          "output: {dir: out, channels: [measure, class, divergence_step, lyapunov, sharpness]}\n");
  const std::string args = " transect t.yaml --from -2,1 --to 4,1 --points 129";
  const Result single = s.run(args + " --threads 1 --out single.h5 -q");
  INFO("single stderr: " << single.err);
  REQUIRE(single.code == 0);
  const auto reference = cli_test::hdf5_contents(s.dir / "single.h5");
  REQUIRE(reference.count("/transect/sharpness") + reference.count("transect/sharpness") == 1);
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    const Result mpi =
        run_shell(s, mpi_trainscape(2) + args + " --threads " + std::to_string(threads) + " --out mpi.h5 --overwrite");
    INFO("mpi stdout: " << mpi.out << "\nmpi stderr: " << mpi.err);
    REQUIRE(mpi.code == 0);
    CHECK(cli_test::hdf5_contents(s.dir / "mpi.h5") == reference);
    // Rank 0 alone writes and reports; the journal is gone.
    CHECK(count_of(mpi.out, "transect of 129 points") == 1);
    CHECK_THAT(mpi.out, Catch::Contains("2 MPI ranks"));
    CHECK_FALSE(fs::exists(s.dir / "mpi.h5.journal"));
  }
  // An existing file without --overwrite: every rank ends with rank 0's one line and exit code 4.
  const Result refused = run_shell(s, mpi_trainscape(2) + args + " --out mpi.h5");
  INFO("stderr: " << refused.err);
  CHECK(refused.code == 4);
  CHECK(count_of(refused.err, "--overwrite") == 1);
  // --resume of a finished transect does nothing on every rank.
  const Result again = run_shell(s, mpi_trainscape(2) + args + " --out mpi.h5 --resume");
  CHECK(again.code == 0);
  CHECK_THAT(again.err, Catch::Contains("nothing to resume"));
  CHECK(cli_test::hdf5_contents(s.dir / "mpi.h5") == reference);
#ifdef TRAINSCAPE_FAULT_INJECTION
  // A transect killed on one process continues under MPI (rank 0 loads the journaled tiles,
  // the ranks draw the rest) to the same bits.
  const Result killed = s.run(args + " --threads 2 --out resumed.h5 -q", "TRAINSCAPE_FAULT=tile:7");
  REQUIRE(killed.code == 128 + 9);
  const Result resumed = run_shell(s, mpi_trainscape(2) + args + " --threads 1 --out resumed.h5 --resume");
  INFO("resumed stderr: " << resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(cli_test::hdf5_contents(s.dir / "resumed.h5") == reference);
#endif
  // Shards are separate processes.
  const Result shard = run_shell(s, mpi_trainscape(2) + args + " --out sh.h5 --shard 0/2");
  CHECK(shard.code == 2);
  CHECK_THAT(shard.err, Catch::Contains("do not start them with mpirun"));
}

#else

TEST_CASE("MPI tests: this build has no MPI (TRAINSCAPE_WITH_MPI=OFF), so they are skipped", "[mpi]") {
  WARN("trainscape was built without MPI: the mpiexec tests did not run");
  SUCCEED();
}

#endif

// ---- Slurm-style shards: no MPI involved ---------------------------------------------------------

namespace {
/// Runs the three shards of tiny.yaml (fixed target; output.dir "run") and merges them.
void run_shards_and_merge(const Scratch& s) {
  for (int i = 0; i < 3; ++i) {
    const Result r = s.run("zoom tiny.yaml --shard " + std::to_string(i) + "/3");
    INFO("shard " << i << " stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(fs::is_directory(s.dir / "run" / "shards" / ("shard-" + std::to_string(i) + "-of-3")));
  }
  const Result m = s.run("merge tiny.yaml");
  INFO("merge stdout: " << m.out << "\nmerge stderr: " << m.err);
  REQUIRE(m.code == 0);
}
}  // namespace

TEST_CASE("zoom --shard I/3 for every I, then merge, gives the bits of one process", "[shard]") {
  Scratch s;
  s.write("tiny.yaml", tiny_config("[0.9, 0.85]", "run"));
  REQUIRE(s.run("zoom tiny.yaml --out single").code == 0);
  run_shards_and_merge(s);
  check_same_run(s.dir / "single", s.dir / "run");

  SECTION("merging again changes nothing") {
    const Result again = s.run("merge tiny.yaml");
    INFO("stderr: " << again.err);
    REQUIRE(again.code == 0);
    check_same_run(s.dir / "single", s.dir / "run");
  }

  SECTION("a missing shard is named; running that shard alone again completes the run") {
    const fs::path run = s.dir / "run";
    fs::remove_all(run / "shards" / "shard-1-of-3");
    fs::remove(run / "run.h5");
    for (int f = 0; f < 3; ++f) fs::remove(run / ("frame_00" + std::to_string(f) + ".png"));

    const Result missing = s.run("merge tiny.yaml");
    INFO("stderr: " << missing.err);
    CHECK(missing.code == 4);
    CHECK(missing.err.rfind("trainscape: error: ", 0) == 0);
    const bool names_it = missing.err.find("shard-1-of-3") != std::string::npos ||
                          missing.err.find("1/3") != std::string::npos;
    CHECK(names_it);

    const Result rerun = s.run("zoom tiny.yaml --shard 1/3");
    INFO("rerun stderr: " << rerun.err);
    REQUIRE(rerun.code == 0);
    const Result merged = s.run("merge tiny.yaml");
    INFO("merge stderr: " << merged.err);
    REQUIRE(merged.code == 0);
    check_same_run(s.dir / "single", run);
  }
}
