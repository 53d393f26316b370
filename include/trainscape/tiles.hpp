#pragma once
/// Tiles as units of work and of storage: their results, who computes which (threads, MPI ranks,
/// Slurm shards), and where results computed earlier come from (a resumed run's journal, the
/// shards being merged). Everything here is I/O free; the io library and the app implement the
/// storage and transport behind these interfaces.
///
/// The contract that makes every mode give the same bits: a pixel's value depends only on the
/// problem and its hyperparameters, and a frame's tile decomposition only on its config, so a
/// frame assembled from tiles computed anywhere, in any order, at any time, is the same frame.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/image.hpp"
#include "trainscape/measure.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The extra channels of a frame (docs/channels.md): one image per stored channel, and empty
/// (0 x 0) images for the channels the run does not store. sharpness and edge_of_stability are
/// stored together.
struct ChannelImages {
  Image<std::int64_t> divergence_step;
  Image<double> lyapunov;
  Image<double> sharpness;
  Image<double> edge_of_stability;

  ChannelImages() = default;
  /// rows x cols images for the channels of `set`, zero-filled (as the measure image).
  ChannelImages(const ChannelSet& set, int rows, int cols);
  /// The channels these images hold.
  ChannelSet stored() const;
  /// Writes pixel (row, col)'s outcome into every held image.
  void set(int row, int col, const PixelOutcome& o);
  /// Copies every held image's pixel (row, col) into `o`.
  void get(int row, int col, PixelOutcome& o) const;
};

/// The values of one finished tile, row-major within the tile (tile.rows x tile.cols). The
/// channel vectors are empty for channels the run does not store.
struct TileResult {
  Tile tile;
  std::vector<double> measure;
  std::vector<std::uint8_t> converged;
  std::vector<std::int64_t> divergence_step;
  std::vector<double> lyapunov;
  std::vector<double> sharpness;
  std::vector<double> edge_of_stability;

  /// The channels this tile holds (non-empty vectors).
  ChannelSet stored() const;
};

/// Copies a tile's values into the frame images (which must be large enough), and its channels
/// into `channels` (may be null): every channel `channels` holds must be in the tile
/// (std::logic_error otherwise; archives check their files before).
void put_tile(const TileResult& result, Image<double>& measure, Image<std::uint8_t>& converged,
              ChannelImages* channels);

/// Extracts tile `tile` from frame images, with the channels `channels` holds (may be null).
TileResult take_tile(const Tile& tile, const Image<double>& measure, const Image<std::uint8_t>& converged,
                     const ChannelImages* channels);

/// Decides which process computes which tile of a frame and brings a frame's tiles together.
/// There is one distributor per process; every process of a run calls the same sequence of
/// begin_frame / end_frame / share_window (they may be collective operations).
class TileDistributor {
 public:
  virtual ~TileDistributor() = default;

  /// True on the one process that assembles frames, analyses them, picks the next window and
  /// delivers frames to observers.
  virtual bool is_root() const { return true; }

  /// False when no process of this run sees whole frames (a Slurm shard computes only its share
  /// of every frame): the driver then neither analyses nor delivers frames, and needs windows
  /// that are known in advance (a fixed zoom.target).
  virtual bool assembles_frames() const { return true; }

  /// Called by every process before the tiles of frame `frame` (n_tiles of them, indices
  /// 0..n_tiles-1) are handed out. `already_done[t]` is true for tiles whose results were
  /// restored (the same on every process); they are never handed out.
  virtual void begin_frame(int frame, const std::vector<bool>& already_done) = 0;

  /// The next tile this process should compute, or -1 when none is left for it. Safe to call
  /// from several threads at once.
  virtual int next_tile() = 0;

  /// Called by every process after its threads have drained next_tile(). Afterwards the root's
  /// images (measure, converged and the held channels) hold every tile of the frame; the other
  /// processes' images are unspecified.
  virtual void end_frame(Image<double>& /*measure*/, Image<std::uint8_t>& /*converged*/, ChannelImages& /*channels*/) {}

  /// Makes the root's `window` the window of every process (a no-op for one process).
  virtual void share_window(Window& /*window*/) {}

  /// Short description for progress and summaries, e.g. "rank 0 of 2" or "shard 1/3".
  virtual std::string describe() const { return "local"; }
};

/// One process: every tile not already done, handed to this process's threads in index order.
class LocalDistributor final : public TileDistributor {
 public:
  void begin_frame(int frame, const std::vector<bool>& already_done) override;
  int next_tile() override;

 private:
  std::vector<int> todo_;
  std::atomic<std::size_t> next_{0};
};

/// Shard `index` of `count` (0 <= index < count): the tiles t of every frame with
/// t % count == index. Interleaving spreads the expensive parts of a frame (long-lived,
/// converging regions) over all shards; the share depends only on (index, count, tile count).
class ShardDistributor final : public TileDistributor {
 public:
  ShardDistributor(int index, int count);
  bool assembles_frames() const override { return false; }
  void begin_frame(int frame, const std::vector<bool>& already_done) override;
  int next_tile() override;
  std::string describe() const override;
  int index() const { return index_; }
  int count() const { return count_; }
  /// True if tile t of a frame belongs to this shard.
  bool owns(int tile) const { return tile % count_ == index_; }

 private:
  int index_;
  int count_;
  std::vector<int> todo_;
  std::atomic<std::size_t> next_{0};
};

/// Results of tiles computed earlier or elsewhere.
class TileArchive {
 public:
  virtual ~TileArchive() = default;
  /// For frame `frame`, whose window is `window` and whose tiles are `tiles`: marks in `done`
  /// (sized tiles.size(), all false on entry) the tiles whose results are available, and, when
  /// `load_values` is true, copies those results into `measure` / `converged` (already sized
  /// rows x cols) and into the images `channels` holds. Must mark the same tiles on every process
  /// of a run. Throws IoError when stored results exist but cannot be used (corrupt, computed for
  /// another window, or without a channel `channels` holds), naming the file.
  virtual void restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
                       std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged,
                       ChannelImages& channels) = 0;
};

}  // namespace trainscape
