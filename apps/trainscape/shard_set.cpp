#include "shard_set.hpp"

#include <map>
#include <utility>

#include "trainscape/io/run_directory.hpp"

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

std::string unfinished_shards(const std::vector<bool>& done, int count) {
  std::map<int, int> missing_by_shard;
  for (std::size_t t = 0; t < done.size(); ++t) {
    if (!done[t]) ++missing_by_shard[static_cast<int>(t) % count];
  }
  std::string names;
  for (const auto& [i, n] : missing_by_shard) {
    names += (names.empty() ? "" : ", ") + io::RunDirectory::shard_name(i, count) + " (" + std::to_string(n) +
             " tiles)";
  }
  return names;
}

}  // namespace trainscape::app
