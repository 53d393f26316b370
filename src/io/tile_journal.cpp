#include "trainscape/io/tile_journal.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "fault.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/file.hpp"

namespace fs = std::filesystem;

namespace trainscape::io {

namespace {

constexpr char kMagic[8] = {'T', 'S', 'T', 'I', 'L', 'E', '0', '2'};
/// The layout before channels: no mask byte, no channel values (still read).
constexpr char kMagicWithoutChannels[8] = {'T', 'S', 'T', 'I', 'L', 'E', '0', '1'};

// The channel mask's bits.
constexpr std::uint8_t kDivergenceStepBit = 1, kLyapunovBit = 2, kSharpnessBit = 4;

std::uint8_t channel_mask(const ChannelSet& set) {
  return static_cast<std::uint8_t>((set.divergence_step ? kDivergenceStepBit : 0) | (set.lyapunov ? kLyapunovBit : 0) |
                                   (set.sharpness ? kSharpnessBit : 0));
}

template <class T>
void put_values(std::string& out, const std::vector<T>& values) {
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}
constexpr const char* kTmpMarker = ".tmp.";

std::string numbered(const char* prefix, int n, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%06d%s", prefix, n, suffix);
  return buf;
}

std::uint64_t fnv1a(const char* data, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

template <class T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

/// Reads fixed-size values from a byte buffer, failing (not overrunning) at its end.
class Cursor {
 public:
  Cursor(const std::string& bytes, std::size_t end, std::string file)
      : bytes_(bytes), end_(end), file_(std::move(file)) {}
  template <class T>
  T get() {
    T value;
    take(&value, sizeof(T));
    return value;
  }
  void take(void* out, std::size_t n) {
    if (n > end_ - pos_) throw errors::in_file(file_, "truncated tile file (ends inside a record)");
    std::memcpy(out, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::size_t left() const { return end_ - pos_; }

 private:
  const std::string& bytes_;
  std::size_t end_;
  std::size_t pos_ = 0;
  std::string file_;
};

bool is_temporary(const fs::path& p) { return p.filename().string().find(kTmpMarker) != std::string::npos; }

}  // namespace

// ---- durable whole-file writes ---------------------------------------------------------------------

namespace {

/// write_file_durably with the interruption tests' "tile" fault point between the two halves of
/// the file: a kill there leaves half a temporary file and no finished one.
void write_journal_file(const std::string& path, const std::string& bytes) {
  write_file_durably(path, [&bytes](FileSink& out) {
    const std::size_t half = bytes.empty() ? 0 : std::max<std::size_t>(1, bytes.size() / 2);
    out.append(bytes.data(), half);
    if (half > 0) fault_point("tile");
    out.append(bytes.data() + half, bytes.size() - half);
  });
}

/// Creates `dir` (and its parents) for journal files. `what` names it in the message.
void create_directory(const std::string& dir, const std::string& what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw errors::in_file(dir, "cannot create" + what + ": " + ec.message());
}

}  // namespace

// ---- the file format -------------------------------------------------------------------------------

namespace {

std::string encode(int frame, const Window& w, int cols, int rows, const std::vector<TileResult>& tiles) {
  std::string out(kMagic, sizeof kMagic);
  put<std::int64_t>(out, frame);
  put(out, w.centre_x);
  put(out, w.centre_y);
  put(out, w.half_x);
  put(out, w.half_y);
  put<std::int32_t>(out, cols);
  put<std::int32_t>(out, rows);
  put<std::int32_t>(out, static_cast<std::int32_t>(tiles.size()));
  const ChannelSet channels = tiles.empty() ? ChannelSet{} : tiles.front().stored();
  put<std::uint8_t>(out, channel_mask(channels));
  for (const TileResult& t : tiles) {
    if (t.stored() != channels) throw std::logic_error("tile journal: the tiles of one file hold different channels");
    put<std::int32_t>(out, t.tile.index);
    put<std::int32_t>(out, t.tile.row0);
    put<std::int32_t>(out, t.tile.col0);
    put<std::int32_t>(out, t.tile.rows);
    put<std::int32_t>(out, t.tile.cols);
    out.append(reinterpret_cast<const char*>(t.measure.data()), t.measure.size() * sizeof(double));
    out.append(reinterpret_cast<const char*>(t.converged.data()), t.converged.size());
    if (channels.divergence_step) put_values(out, t.divergence_step);
    if (channels.lyapunov) put_values(out, t.lyapunov);
    if (channels.sharpness) {
      put_values(out, t.sharpness);
      put_values(out, t.edge_of_stability);
    }
  }
  put<std::uint64_t>(out, fnv1a(out.data(), out.size()));
  return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_window(const Window& a, const Window& b) {
  return same_bits(a.centre_x, b.centre_x) && same_bits(a.centre_y, b.centre_y) && same_bits(a.half_x, b.half_x) &&
         same_bits(a.half_y, b.half_y);
}

}  // namespace

TileFile read_tile_file(const std::string& path) {
  const std::string bytes = read_text_file(path);
  const bool current = bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
  const bool without_channels = bytes.size() >= sizeof kMagic &&
                                std::memcmp(bytes.data(), kMagicWithoutChannels, sizeof kMagic) == 0;
  if (bytes.size() < sizeof kMagic + sizeof(std::uint64_t) || !(current || without_channels)) {
    throw errors::in_file(path, "not a trainscape tile file (bad magic or too short)");
  }
  const std::size_t body = bytes.size() - sizeof(std::uint64_t);
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body, sizeof stored);
  if (stored != fnv1a(bytes.data(), body)) throw errors::in_file(path, "checksum mismatch (the tile file is corrupt)");

  Cursor in(bytes, body, path);
  char magic[sizeof kMagic];
  in.take(magic, sizeof magic);
  TileFile f;
  f.frame = static_cast<int>(in.get<std::int64_t>());
  f.window.centre_x = in.get<double>();
  f.window.centre_y = in.get<double>();
  f.window.half_x = in.get<double>();
  f.window.half_y = in.get<double>();
  f.cols = in.get<std::int32_t>();
  f.rows = in.get<std::int32_t>();
  const std::int32_t n = in.get<std::int32_t>();
  if (f.cols < 1 || f.rows < 1 || n < 0) throw errors::in_file(path, "invalid tile file header");
  const std::uint8_t mask = current ? in.get<std::uint8_t>() : 0;
  if (mask & ~(kDivergenceStepBit | kLyapunovBit | kSharpnessBit)) {
    throw errors::in_file(path, "unknown channel mask " + std::to_string(mask) + " in the tile file header");
  }
  const bool has_divergence = (mask & kDivergenceStepBit) != 0, has_lyapunov = (mask & kLyapunovBit) != 0,
             has_sharpness = (mask & kSharpnessBit) != 0;
  const std::size_t bytes_per_pixel = sizeof(double) + 1 + (has_divergence ? sizeof(std::int64_t) : 0) +
                                      (has_lyapunov ? sizeof(double) : 0) + (has_sharpness ? 2 * sizeof(double) : 0);
  for (std::int32_t i = 0; i < n; ++i) {
    TileResult t;
    t.tile.index = in.get<std::int32_t>();
    t.tile.row0 = in.get<std::int32_t>();
    t.tile.col0 = in.get<std::int32_t>();
    t.tile.rows = in.get<std::int32_t>();
    t.tile.cols = in.get<std::int32_t>();
    const Tile& g = t.tile;
    if (g.rows < 1 || g.cols < 1 || g.row0 < 0 || g.col0 < 0 || g.row0 > f.rows - g.rows || g.col0 > f.cols - g.cols) {
      throw errors::in_file(path, "tile " + std::to_string(g.index) + " lies outside the frame");
    }
    const std::size_t pixels = static_cast<std::size_t>(g.rows) * static_cast<std::size_t>(g.cols);
    if (pixels * bytes_per_pixel > in.left()) throw errors::in_file(path, "truncated tile file");
    t.measure.resize(pixels);
    t.converged.resize(pixels);
    in.take(t.measure.data(), pixels * sizeof(double));
    in.take(t.converged.data(), pixels);
    const auto take_values = [&in, pixels](auto& values) {
      values.resize(pixels);
      in.take(values.data(), pixels * sizeof(values[0]));
    };
    if (has_divergence) take_values(t.divergence_step);
    if (has_lyapunov) take_values(t.lyapunov);
    if (has_sharpness) {
      take_values(t.sharpness);
      take_values(t.edge_of_stability);
    }
    f.tiles.push_back(std::move(t));
  }
  if (in.left() != 0) throw errors::in_file(path, "trailing bytes after the last tile");
  return f;
}

// ---- the journal -----------------------------------------------------------------------------------

TileJournal::TileJournal(std::string dir) : dir_(std::move(dir)) {}

bool TileJournal::exists(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "config.yaml", ec);
}

std::string TileJournal::stored_config() const { return read_text_file(dir_ + "/config.yaml"); }

void TileJournal::write_config(const RunConfig& config) const {
  create_directory(dir_, " the journal directory");
  write_journal_file(dir_ + "/config.yaml", to_yaml(config));
}

void TileJournal::remove() const {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) throw errors::cannot_remove(dir_, "the journal: " + ec.message());
}

std::string TileJournal::frame_pack(int frame) const { return dir_ + "/" + numbered("frame_", frame, ".pack"); }
std::string TileJournal::frame_dir(int frame) const { return dir_ + "/" + numbered("frame_", frame, ""); }

void TileJournal::write_pack(const std::string& path, int frame, const Window& window,
                             const std::vector<TileResult>& tiles) const {
  create_directory(dir_, " the journal directory");
  write_journal_file(path, encode(frame, window, cols_, rows_, tiles));
}

void TileJournal::on_run_start(const RunConfig& config, const Problem& /*problem*/) { set_frame_size(config); }

void TileJournal::set_frame_size(const RunConfig& config) {
  cols_ = config.render.resolution.cols;
  rows_ = config.render.resolution.rows;
  tiles_ = make_tiles(cols_, rows_, resolve_tile_side(config.runtime.tile, cols_, rows_));
}

void TileJournal::on_frame_start(int /*frame*/, const Window& window, int /*tiles*/, int /*tiles_restored*/) {
  window_of_frame_ = window;
}

bool TileJournal::on_tile_done(const TileProgress& p) {
  if (p.result == nullptr) return true;
  const std::string dir = frame_dir(p.frame);
  create_directory(dir, "");
  write_journal_file(dir + "/" + numbered("tile_", p.result->tile.index, ".tile"),
                     encode(p.frame, window_of_frame_, cols_, rows_, {*p.result}));
  return true;
}

void TileJournal::on_share_done(int frame, const Window& window, const std::vector<TileResult>& tiles) {
  write_pack(frame_pack(frame), frame, window, tiles);
  std::error_code ec;
  fs::remove_all(frame_dir(frame), ec);  // now redundant; a leftover costs only disk space
}

void TileJournal::on_frame_done(const FrameResult& frame) {
  std::vector<TileResult> all;
  all.reserve(tiles_.size());
  for (const Tile& t : tiles_) all.push_back(take_tile(t, frame.measure, frame.converged, &frame.channels));
  write_pack(frame_pack(frame.index), frame.index, frame.window, all);
  std::error_code ec;
  fs::remove_all(frame_dir(frame.index), ec);
}

void TileJournal::verify() {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir_, ec)) entries.push_back(e.path());
  if (ec) throw errors::in_file(dir_, "cannot list the journal: " + ec.message());
  std::sort(entries.begin(), entries.end());
  auto check_header = [&](const fs::path& path, const TileFile& f, int frame) {
    if (f.frame != frame || (cols_ > 0 && (f.cols != cols_ || f.rows != rows_))) {
      throw errors::in_file(path.string(), "holds frame " + std::to_string(f.frame) + " of a " +
                                               std::to_string(f.cols) + " x " + std::to_string(f.rows) +
                                               " run, not frame " + std::to_string(frame) +
                                               " of this one; the journal belongs to a different config");
    }
  };
  for (const fs::path& p : entries) {
    const std::string name = p.filename().string();
    int frame = -1;
    char tail = 0;
    if (is_temporary(p)) {
      fs::remove(p, ec);
    } else if (p.extension() == ".pack" && std::sscanf(name.c_str(), "frame_%d.pac%c", &frame, &tail) == 2) {
      check_header(p, read_tile_file(p.string()), frame);  // a bad pack is refused: see restore
    } else if (fs::is_directory(p, ec) && std::sscanf(name.c_str(), "frame_%d%c", &frame, &tail) == 1) {
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (is_temporary(e.path())) {
          fs::remove(e.path(), ec);
        } else if (e.path().extension() == ".tile") {
          try {
            check_header(e.path(), read_tile_file(e.path().string()), frame);
          } catch (const IoError&) {
            fs::rename(e.path(), e.path().string() + ".corrupt", ec);
            set_aside_.push_back(e.path().string());
          }
        }
      }
    }
  }
}

void TileJournal::restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
                          std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged,
                          ChannelImages& channels) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(frame_pack(frame), ec)) files.push_back(frame_pack(frame));
  if (fs::is_directory(frame_dir(frame), ec)) {
    std::vector<std::string> singles;
    for (const auto& e : fs::directory_iterator(frame_dir(frame), ec)) {
      if (is_temporary(e.path())) {
        fs::remove(e.path(), ec);  // an interrupted write: the tile was never finished
      } else if (e.path().extension() == ".tile") {
        singles.push_back(e.path().string());
      }
    }
    std::sort(singles.begin(), singles.end());
    files.insert(files.end(), singles.begin(), singles.end());
  }
  if (files.empty()) return;

  const int rows = measure.rows, cols = measure.cols;
  std::vector<std::uint8_t> covered(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 0);
  for (const std::string& path : files) {
    TileFile f;
    try {
      f = read_tile_file(path);
    } catch (const IoError&) {
      // A single tile is cheap to recompute; keep the bad file for inspection, out of the way.
      // A pack holds many tiles, or a shard's only copy: refuse rather than drop it silently.
      if (path == frame_pack(frame)) throw;
      fs::rename(path, path + ".corrupt", ec);
      set_aside_.push_back(path);
      continue;
    }
    if (f.frame != frame || f.cols != cols || f.rows != rows || !same_window(f.window, window)) {
      throw errors::in_file(path, "holds frame " + std::to_string(f.frame) + " of a " + std::to_string(f.cols) + " x " +
                                      std::to_string(f.rows) + " run with another window than this run's frame " +
                                      std::to_string(frame) + "; the journal belongs to a different config");
    }
    const ChannelSet wanted = channels.stored();
    for (const TileResult& t : f.tiles) {
      const ChannelSet have = t.stored();
      if (load_values && ((wanted.divergence_step && !have.divergence_step) || (wanted.lyapunov && !have.lyapunov) ||
                          (wanted.sharpness && !have.sharpness))) {
        throw errors::in_file(path, "holds tiles without a channel this run stores (output.channels: " +
                                        std::string(wanted.divergence_step && !have.divergence_step ? "divergence_step"
                                                    : wanted.lyapunov && !have.lyapunov             ? "lyapunov"
                                                                                                    : "sharpness") +
                                        "); the journal belongs to a different config");
      }
      if (load_values) put_tile(t, measure, converged, &channels);
      for (int r = t.tile.row0; r < t.tile.row0 + t.tile.rows; ++r) {
        std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(r) * cols + t.tile.col0, t.tile.cols, 1);
      }
    }
  }
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const Tile& t = tiles[i];
    bool all = true;
    for (int r = t.row0; r < t.row0 + t.rows && all; ++r) {
      for (int c = t.col0; c < t.col0 + t.cols; ++c) {
        if (!covered[static_cast<std::size_t>(r) * cols + c]) {
          all = false;
          break;
        }
      }
    }
    done[i] = all;
  }
}

// ---- config comparison -----------------------------------------------------------------------------

std::string first_scientific_difference(const std::string& yaml_a, const std::string& yaml_b, std::string& a_value,
                                        std::string& b_value) {
  YAML::Node a, b;
  try {
    a = YAML::Load(yaml_a);
    b = YAML::Load(yaml_b);
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("stored config is not valid YAML: ") + e.what());
  }
  auto text = [](const YAML::Node& n) {
    if (!n) return std::string("(absent)");
    YAML::Emitter out;
    out << YAML::Flow << n;
    return std::string(out.c_str());
  };
  for (const ConfigKeyDoc& doc : config_reference()) {
    const std::size_t dot = doc.key.find('.');
    const std::string section = doc.key.substr(0, dot), key = doc.key.substr(dot + 1);
    if (is_runtime_key(section, key)) continue;
    const std::string va = a.IsMap() && a[section].IsMap() ? text(a[section][key]) : "(absent)";
    const std::string vb = b.IsMap() && b[section].IsMap() ? text(b[section][key]) : "(absent)";
    if (va != vb) {
      a_value = va;
      b_value = vb;
      return doc.key;
    }
  }
  return "";
}

}  // namespace trainscape::io
