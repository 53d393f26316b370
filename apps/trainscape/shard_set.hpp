#pragma once
/// The journals of a job array's shards (zoom --shard I/N, transect --shard I/N) read as one
/// archive, for merging them: a tile is available when any shard finished it.
#include <memory>
#include <string>
#include <vector>

#include "trainscape/io/tile_journal.hpp"
#include "trainscape/tiles.hpp"

namespace trainscape::app {

class ShardSet final : public TileArchive {
 public:
  /// `shards[i]` is the journal of shard i (the index decides nothing but the order of reading).
  explicit ShardSet(std::vector<std::unique_ptr<io::TileJournal>> shards);
  /// Restores from every shard in turn: `done[t]` is true if any shard holds tile t. Throws
  /// IoError (from the journal) naming a shard's file that cannot be used.
  void restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
               std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged,
               ChannelImages& channels) override;

 private:
  std::vector<std::unique_ptr<io::TileJournal>> shards_;
};

/// The shards of `count` that owe tiles (tile t belongs to shard t % count) where `done` is
/// false, for the merge's refusal: "shard-1-of-3 (2 tiles), shard-2-of-3 (1 tiles)"; "" when
/// every tile is done.
std::string unfinished_shards(const std::vector<bool>& done, int count);

}  // namespace trainscape::app
