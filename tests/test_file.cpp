// Files on disk (io/file.hpp), the memory refusal (io/machine.hpp) and the error vocabulary
// (error.hpp): what each promises when it succeeds and the one-line message when it cannot.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include "trainscape/error.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/io/machine.hpp"

namespace {

namespace fs = std::filesystem;
using namespace trainscape;

/// A fresh directory, removed with everything in it at the end of the test.
struct Dir {
  fs::path path;
  Dir() {
    char pattern[] = "/tmp/trainscape_file_XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~Dir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, ec);
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

/// Names in `dir` that contain ".tmp" (temporaries left behind).
int temporaries_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().find(".tmp") != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("file: write_file_durably replaces the file whole and leaves no temporary", "[file]") {
  const Dir d;
  io::write_file_durably(d / "a.bin", std::string("first"));
  CHECK(io::read_text_file(d / "a.bin") == "first");
  const std::vector<std::uint8_t> bytes = {0, 1, 2, 255};
  io::write_file_durably(d / "a.bin", bytes);
  CHECK(io::read_text_file(d / "a.bin") == std::string("\0\1\2\xff", 4));
  io::write_file_durably(d / "b.bin", [](io::FileSink& out) {
    out.append("ab", 2);
    out.append("", 0);
    out.append("cd", 2);
  });
  CHECK(io::read_text_file(d / "b.bin") == "abcd");
  CHECK(temporaries_in(d.path) == 0);
}

TEST_CASE("file: a failed durable write keeps the old file and removes the temporary", "[file]") {
  const Dir d;
  io::write_file_durably(d / "keep.txt", std::string("old"));
  // The callback fails half way: the old content stays, the half-written temporary goes.
  CHECK_THROWS_WITH(io::write_file_durably(d / "keep.txt",
                                           [](io::FileSink& out) {
                                             out.append("new", 3);
                                             throw IoError("keep.txt: stopped");
                                           }),
                    "keep.txt: stopped");
  CHECK(io::read_text_file(d / "keep.txt") == "old");
  CHECK(temporaries_in(d.path) == 0);
  // A write that fails (ENOSPC at the temporary, through a link to /dev/full).
  if (fs::exists("/dev/full")) {
    fs::create_symlink("/dev/full", d.path / ("full.txt.tmp." + std::to_string(::getpid())));
    CHECK(message_of([&] { io::write_file_durably(d / "full.txt", std::string("x")); }) ==
          d / "full.txt" + ": cannot write: No space left on device");
    CHECK_FALSE(fs::exists(d.path / "full.txt"));
    CHECK(temporaries_in(d.path) == 0);
  }
  // No directory to create the temporary in.
  CHECK(message_of([&] { io::write_file_durably(d / "missing/x.txt", std::string("x")); }) ==
        d / "missing/x.txt" + ": cannot create: No such file or directory");
  // The target is a directory: the rename fails, and says so.
  fs::create_directory(d.path / "adir");
  CHECK(message_of([&] { io::write_file_durably(d / "adir", std::string("x")); }) ==
        d / "adir" + ": cannot rename the finished file into place: Is a directory");
  CHECK(temporaries_in(d.path) == 0);
}

TEST_CASE("file: read_text_file names the path and the reason, and caps the size", "[file]") {
  const Dir d;
  CHECK(message_of([&] { io::read_text_file(d / "none"); }) == d / "none" + ": cannot read: No such file or directory");
  CHECK(message_of([&] { io::read_text_file(d.path.string()); }) == d.path.string() + ": cannot read: is a directory");
  std::ofstream(d / "big") << std::string(100, 'x');
  CHECK(io::read_text_file(d / "big", 100).size() == 100);
  CHECK(message_of([&] { io::read_text_file(d / "big", 99, "larger than 99 bytes"); }) ==
        d / "big" + ": larger than 99 bytes");
  CHECK(message_of([] { io::read_text_file("/dev/zero", 1000, "endless"); }) == "/dev/zero: endless");
}

TEST_CASE("file: sync_file flushes an existing file and refuses a missing one", "[file]") {
  const Dir d;
  std::ofstream(d / "f") << "data";
  CHECK_NOTHROW(io::sync_file(d / "f"));
  CHECK(message_of([&] { io::sync_file(d / "none"); }) ==
        d / "none" + ": cannot sync to disk: No such file or directory");
}

TEST_CASE("memory: one limit, one refusal", "[file]") {
  const double memory = io::physical_memory_bytes();
  if (memory > 0) {
    CHECK(io::memory_limit_bytes() == 0.8 * memory);
  } else {
    CHECK(std::isinf(io::memory_limit_bytes()));
  }
  CHECK(io::memory_refusal(1024.0, "small") == "");
  if (memory <= 0) return;
  const std::string refusal =
      io::memory_refusal(1e30, "x.yaml: render.resolution = [9, 9]", "", "lower the resolution");
  CHECK_THAT(refusal, Catch::StartsWith("x.yaml: render.resolution = [9, 9] needs about "));
  CHECK_THAT(refusal, Catch::Contains(" GiB of memory, more than 80% of this machine's "));
  CHECK_THAT(refusal, Catch::EndsWith(" GiB; lower the resolution"));
  CHECK_THAT(io::memory_refusal(1e30, "a.png: an image of 2 x 2 pixels", "to measure"),
             Catch::Contains(" GiB of memory to measure, more than 80% of this machine's "));
  CHECK_THROWS_AS(io::refuse_if_exceeds_memory<ConfigError>(1e30, "s"), ConfigError);
  CHECK_THROWS_AS(io::refuse_if_exceeds_memory<UsageError>(1e30, "s"), UsageError);
  CHECK_NOTHROW(io::refuse_if_exceeds_memory<IoError>(1.0, "s"));
}

TEST_CASE("errors: messages are one line and read the same everywhere", "[file]") {
  CHECK(errors::one_line("a\nb\rc\n") == "a\\nb\\rc\\n");
  CHECK(errors::one_line("plain") == "plain");
  CHECK(std::string(errors::cannot_read("a\nb.yaml", "denied").what()) == "a\\nb.yaml: cannot read: denied");
  CHECK(std::string(errors::no_such_file("run.h5").what()) == "run.h5: no such file");
  CHECK(std::string(errors::is_a_directory("d", "an image").what()) == "d: is a directory, not an image");
  CHECK(std::string(errors::not_a_run("f.h5", "format attribute missing").what()) ==
        "f.h5: not a trainscape run (format attribute missing)");
  CHECK(std::string(errors::cannot_sync("f", "EIO").what()) == "f: cannot sync to disk: EIO");
  const ConfigError c = errors::config_value("model.width", "0", "must be an integer in [1, 4096]", "q.yaml:4:10");
  CHECK(std::string(c.what()) == "q.yaml:4:10: model.width = 0: must be an integer in [1, 4096]");
  CHECK(c.exit_code() == 3);
  CHECK(std::string(errors::config_value("training.batch", "9", "too big").what()) == "training.batch = 9: too big");
  const UsageError u = errors::option_value("--threshold", "300", "must be in [0, 256]");
  CHECK(std::string(u.what()) == "--threshold 300: must be in [0, 256]");
  CHECK(u.exit_code() == 2);
  CHECK(errors::cannot_write("p", "full").exit_code() == 4);
}
