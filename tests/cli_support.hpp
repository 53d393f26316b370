#pragma once
// Helpers for tests that run the real trainscape binary (TRAINSCAPE_BINARY) in a scratch
// directory and check what it printed and which exit code it returned.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cli_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh scratch directory per test case, removed afterwards.
struct Scratch {
  fs::path dir;
  Scratch() {
    char tmpl[] = "/tmp/trainscape_cli_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  /// Runs `trainscape <args>` inside the scratch directory.
  Result run(const std::string& args) const {
    const std::string cmd =
        "cd '" + dir.string() + "' && '" TRAINSCAPE_BINARY "' " + args + " > stdout.txt 2> stderr.txt";
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir / "stdout.txt");
    r.err = slurp(dir / "stderr.txt");
    return r;
  }
};

/// The documented error form: exactly one line on stderr, "trainscape: error: ...", holding
/// `fragment`, and the exit code `code`.
inline void check_one_line_error(const Result& r, int code, const std::string& fragment) {
  INFO("stderr: " << r.err << " stdout: " << r.out);
  CHECK(r.code == code);
  CHECK(r.err.rfind("trainscape: error: ", 0) == 0);
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK_THAT(r.err, Catch::Contains(fragment));
}

}  // namespace cli_test
