#include "shard_set.hpp"

#include <utility>

namespace trainscape::app {

ShardSet::ShardSet(std::vector<std::unique_ptr<io::TileJournal>> shards) : shards_(std::move(shards)) {}

void ShardSet::restore(int frame, const Window& window, const std::vector<Tile>& tiles, bool load_values,
                       std::vector<bool>& done, Image<double>& measure, Image<std::uint8_t>& converged,
                       ChannelImages& channels) {
  for (auto& shard : shards_) {
    std::vector<bool> part(tiles.size(), false);
    shard->restore(frame, window, tiles, load_values, part, measure, converged, channels);
    for (std::size_t t = 0; t < tiles.size(); ++t) done[t] = done[t] || part[t];
  }
}

}  // namespace trainscape::app
