#pragma once
/// The tile journal: every finished tile on disk the moment it is finished, so that no computed
/// work is lost to a kill, a power cut or a full disk, and so that tiles computed by different
/// processes (MPI ranks, Slurm shards) meet in one place.
///
/// A journal is a directory:
///   config.yaml                 the resolved config of the run (to_yaml), written first
///   frame_NNNNNN/tile_TTTTTT.tile   one finished tile each
///   frame_NNNNNN.pack           a frame's tiles in one file: the whole frame once a run has
///                               assembled it, or a shard's share of it; the tile files it
///                               replaces are then removed
/// Every file is written with write_file_durably (file.hpp): under a temporary name, flushed to
/// disk (fsync) and renamed into place, so each name holds either a complete, checksummed file or
/// nothing; readers ignore and remove temporary leftovers (*.tmp.*).
///
/// Tile and pack files share one binary layout (little-endian, as written by x86-64):
///   "TSTILE02" (8 bytes), int64 frame, float64 centre_x, centre_y, half_x, half_y,
///   int32 cols, rows (of the frame), int32 tile count, uint8 channel mask (1 divergence_step,
///   2 lyapunov, 4 sharpness with edge_of_stability; docs/channels.md), then per tile int32 index,
///   row0, col0, rows, cols, float64 measure[rows*cols] (row-major), uint8 converged[rows*cols],
///   then for each channel of the mask in that order its values[rows*cols] (int64
///   divergence_step; float64 lyapunov; float64 sharpness, then float64 edge_of_stability), and
///   last a uint64 FNV-1a checksum of all preceding bytes. "TSTILE01" files (written before
///   channels existed) are the same without the mask byte and channel values, and are still read.
///
/// run.h5 is a product of the journal: a resumed run rewrites it from the journal, so a run.h5
/// torn by a kill in the middle of an HDF5 write costs nothing. A run that completes removes its
/// journal (remove()) once run.h5 is closed and on disk.
#include <string>
#include <vector>

#include "trainscape/tiles.hpp"
#include "trainscape/observer.hpp"

namespace trainscape::io {

class TileJournal final : public ZoomObserver, public TileArchive {
 public:
  /// A journal rooted at `dir` (created on first write).
  explicit TileJournal(std::string dir);

  const std::string& dir() const { return dir_; }
  /// True if `dir` holds a journal (its config.yaml).
  static bool exists(const std::string& dir);
  /// The stored config.yaml text; throws IoError if missing or unreadable.
  std::string stored_config() const;
  /// Writes config.yaml (durably). Throws IoError.
  void write_config(const RunConfig& config) const;
  /// Reads every file of the journal before a run continues from it, so that nothing is written
  /// on the strength of a bad journal: removes temporary leftovers, sets aside corrupt tile files
  /// (their tiles are recomputed) and throws IoError, naming the file, for a corrupt or foreign
  /// pack (a whole frame or a shard's only copy) or a file of another frame size. Call after
  /// on_run_start has told it the frame size (or pass it with set_frame_size).
  void verify();
  /// The frame size and tile decomposition of the run (normally learnt from on_run_start).
  void set_frame_size(const RunConfig& config);
  /// Removes the whole journal directory. Throws IoError if it cannot.
  void remove() const;
  /// Tile files that were unreadable or corrupt and were set aside (renamed *.corrupt) during
  /// restore; their tiles are recomputed.
  const std::vector<std::string>& set_aside() const { return set_aside_; }

  // ZoomObserver: journal each finished tile, and pack a frame or a share once complete.
  void on_run_start(const RunConfig& config, const Problem& problem) override;
  void on_frame_start(int frame, const Window& window, int tiles, int tiles_restored) override;
  bool on_tile_done(const TileProgress& progress) override;
  void on_share_done(int frame, const Window& window, const std::vector<TileResult>& tiles) override;
  void on_frame_done(const FrameResult& frame) override;

  // TileArchive: tiles of `tiles` wholly covered by journaled pixels are marked done. Journaled
  // tiles may come from another tile size (runtime.tile may change between runs). A file
  // without a channel `channels` holds is refused (IoError naming it) when values are loaded.
  void restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
               std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged,
               ChannelImages& channels) override;

 private:
  std::string frame_pack(int frame) const;
  std::string frame_dir(int frame) const;
  void write_pack(const std::string& path, int frame, const Window& window, const std::vector<TileResult>& tiles) const;

  std::string dir_;
  int cols_ = 0;
  int rows_ = 0;
  std::vector<Tile> tiles_;
  Window window_of_frame_;  ///< of the frame being computed
  std::vector<std::string> set_aside_;
};

/// Reads one tile or pack file: its frame, window and tiles. Throws IoError naming the file if it
/// is unreadable, truncated, not a tile file or fails its checksum.
struct TileFile {
  int frame = 0;
  Window window;
  int cols = 0;
  int rows = 0;
  std::vector<TileResult> tiles;
};
TileFile read_tile_file(const std::string& path);

/// The first key, in the field table's order, whose value differs between two resolved configs
/// (to_yaml texts), ignoring runtime.* and output.*; "" if they agree. `a_value` / `b_value`
/// receive the two values as YAML. Throws ConfigError if either text is not a config.
std::string first_scientific_difference(const std::string& yaml_a, const std::string& yaml_b, std::string& a_value,
                                        std::string& b_value);

}  // namespace trainscape::io
