#pragma once
// Helpers for tests that run the real trainscape binary (TRAINSCAPE_BINARY) in a scratch
// directory and check what it printed and which exit code it returned.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

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
  /// Starts `trainscape <args>` in the scratch directory, polls `ready()` every 10 ms (for at most
  /// 60 s), then sends `signal_number` and waits. A process that died of a signal reports code
  /// 128 + that signal, like a shell.
  Result run_and_signal(const std::string& args, int signal_number, const std::function<bool()>& ready) const {
    const std::string cmd = "cd '" + dir.string() + "' && exec '" TRAINSCAPE_BINARY "' " + args +
                            " > stdout.txt 2> stderr.txt";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 6000 && !ready(); ++i) usleep(10000);
    kill(pid, signal_number);
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(dir / "stdout.txt");
    r.err = slurp(dir / "stderr.txt");
    return r;
  }
  /// As run_and_signal, signalling after `seconds`.
  Result run_and_signal_after(const std::string& args, int signal_number, double seconds) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    return run_and_signal(args, signal_number, [deadline] { return std::chrono::steady_clock::now() >= deadline; });
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  /// Runs `trainscape <args>` inside the scratch directory. `before` goes in front of the binary
  /// on the shell's command line: environment assignments ("TRAINSCAPE_FAULT=tile:3") or commands
  /// ("trap '' XFSZ; ulimit -f 64;"). A child killed by signal s reports code 128 + s.
  Result run(const std::string& args, const std::string& before = "") const {
    const std::string cmd = "cd '" + dir.string() + "' && " + before + " '" TRAINSCAPE_BINARY "' " + args +
                            " > stdout.txt 2> stderr.txt";
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir / "stdout.txt");
    r.err = slurp(dir / "stderr.txt");
    return r;
  }
};

/// A small, fast run: 2 frames of 24 x 24 pixels in 8 x 8 tiles, width 4, 20 steps, into out/.
inline constexpr const char* kTinyConfig =
    "model: {width: 4}\n"
    "training: {steps: 20}\n"
    "phase_space: {x: [-2, 4], y: [-2, 4]}\n"
    "render: {resolution: 24}\n"
    "zoom: {frames: 2}\n"
    "output: {dir: out}\n"
    "runtime: {tile: 8}\n";

/// The documented error form: exactly one line on stderr, "trainscape: error: ...", holding
/// `fragment`, and the exit code `code`.
inline void check_one_line_error(const Result& r, int code, const std::string& fragment) {
  INFO("stderr: " << r.err << " stdout: " << r.out);
  CHECK(r.code == code);
  CHECK(r.err.rfind("trainscape: error: ", 0) == 0);
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK_THAT(r.err, Catch::Contains(fragment));
}

/// Every dataset of an HDF5 file, by path: its type's size, its shape and its raw bytes, plus
/// the bytes of every attribute of every object except the root's `config` (which records
/// runtime settings such as the thread count and the run directory). Empty if the file does not
/// open. Two runs are bit-identical when these maps are equal.
inline std::map<std::string, std::vector<unsigned char>> hdf5_contents(const fs::path& file) {
  struct Visit {
    std::map<std::string, std::vector<unsigned char>> items;
    static std::vector<unsigned char> read_bytes(hid_t obj, bool attribute) {
      const hid_t type = attribute ? H5Aget_type(obj) : H5Dget_type(obj);
      const hid_t space = attribute ? H5Aget_space(obj) : H5Dget_space(obj);
      const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
      const hssize_t n = H5Sget_simple_extent_npoints(space);
      std::vector<unsigned char> bytes;
      if (H5Tis_variable_str(type) > 0) {
        char* text = nullptr;
        if (attribute) H5Aread(obj, native, &text);
        if (text) bytes.assign(text, text + std::char_traits<char>::length(text));
        H5free_memory(text);
      } else {
        bytes.resize(static_cast<std::size_t>(n) * H5Tget_size(native));
        if (attribute) H5Aread(obj, native, bytes.data());
        else H5Dread(obj, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
        // The shape is part of the content.
        hsize_t dims[8] = {0};
        const int rank = H5Sget_simple_extent_ndims(space);
        H5Sget_simple_extent_dims(space, dims, nullptr);
        for (int i = 0; i < rank && i < 8; ++i) {
          const auto* d = reinterpret_cast<const unsigned char*>(&dims[i]);
          bytes.insert(bytes.end(), d, d + sizeof(hsize_t));
        }
      }
      H5Tclose(native);
      H5Sclose(space);
      H5Tclose(type);
      return bytes;
    }
    static herr_t attribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
      auto* self = static_cast<std::pair<Visit*, std::string>*>(data);
      if (self->second == "." && std::string(name) == "config") return 0;
      const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
      self->first->items[self->second + "@" + name] = read_bytes(a, true);
      H5Aclose(a);
      return 0;
    }
    static herr_t object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
      auto* self = static_cast<Visit*>(data);
      const hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
      std::pair<Visit*, std::string> ctx{self, name};
      H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, attribute, &ctx);
      if (info->type == H5O_TYPE_DATASET) self->items[name] = read_bytes(obj, false);
      H5Oclose(obj);
      return 0;
    }
  };
  Visit v;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return {};
  H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, Visit::object, &v, H5O_INFO_BASIC);
  H5Fclose(f);
  return v.items;
}

/// Checks that two run directories hold bit-identical results: every dataset and attribute of
/// run.h5 (hdf5_contents) and every frame_*.png byte for byte, with the same set of PNGs.
inline void check_same_run(const fs::path& a, const fs::path& b) {
  const auto ha = hdf5_contents(a / "run.h5"), hb = hdf5_contents(b / "run.h5");
  REQUIRE_FALSE(ha.empty());
  REQUIRE(ha.size() == hb.size());
  for (const auto& [name, bytes] : ha) {
    INFO("run.h5 item " << name);
    const auto it = hb.find(name);
    REQUIRE(it != hb.end());
    CHECK(it->second == bytes);
  }
  auto pngs = [](const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("frame_", 0) == 0 && e.path().extension() == ".png") out[n] = slurp(e.path());
    }
    return out;
  };
  const auto pa = pngs(a), pb = pngs(b);
  REQUIRE_FALSE(pa.empty());
  REQUIRE(pa.size() == pb.size());
  for (const auto& [name, bytes] : pa) {
    INFO("PNG " << name);
    REQUIRE(pb.count(name) == 1);
    CHECK(pb.at(name) == bytes);
  }
}

}  // namespace cli_test
