#include "trainscape/tiles.hpp"

#include <stdexcept>

namespace trainscape {

void put_tile(const TileResult& result, Image<double>& measure, Image<std::uint8_t>& converged) {
  const Tile& t = result.tile;
  std::size_t i = 0;
  for (int r = t.row0; r < t.row0 + t.rows; ++r) {
    for (int c = t.col0; c < t.col0 + t.cols; ++c, ++i) {
      measure(r, c) = result.measure[i];
      converged(r, c) = result.converged[i];
    }
  }
}

TileResult take_tile(const Tile& tile, const Image<double>& measure, const Image<std::uint8_t>& converged) {
  TileResult result;
  result.tile = tile;
  const std::size_t n = static_cast<std::size_t>(tile.rows) * static_cast<std::size_t>(tile.cols);
  result.measure.reserve(n);
  result.converged.reserve(n);
  for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
    for (int c = tile.col0; c < tile.col0 + tile.cols; ++c) {
      result.measure.push_back(measure(r, c));
      result.converged.push_back(converged(r, c));
    }
  }
  return result;
}

namespace {
/// The tiles not yet done, in index order.
std::vector<int> remaining(const std::vector<bool>& already_done) {
  std::vector<int> todo;
  for (std::size_t t = 0; t < already_done.size(); ++t) {
    if (!already_done[t]) todo.push_back(static_cast<int>(t));
  }
  return todo;
}
}  // namespace

void LocalDistributor::begin_frame(int /*frame*/, const std::vector<bool>& already_done) {
  todo_ = remaining(already_done);
  next_.store(0);
}

int LocalDistributor::next_tile() {
  const std::size_t i = next_.fetch_add(1);
  return i < todo_.size() ? todo_[i] : -1;
}

ShardDistributor::ShardDistributor(int index, int count) : index_(index), count_(count) {
  if (count < 1 || index < 0 || index >= count) {
    throw std::invalid_argument("ShardDistributor: need 0 <= index < count");
  }
}

void ShardDistributor::begin_frame(int /*frame*/, const std::vector<bool>& already_done) {
  todo_.clear();
  for (int t : remaining(already_done)) {
    if (owns(t)) todo_.push_back(t);
  }
  next_.store(0);
}

int ShardDistributor::next_tile() {
  const std::size_t i = next_.fetch_add(1);
  return i < todo_.size() ? todo_[i] : -1;
}

std::string ShardDistributor::describe() const {
  return "shard " + std::to_string(index_) + "/" + std::to_string(count_);
}

}  // namespace trainscape
