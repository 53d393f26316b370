#include "trainscape/tiles.hpp"

#include <stdexcept>

namespace trainscape {

ChannelImages::ChannelImages(const ChannelSet& set, int rows, int cols) {
  // Zero bits, like the measure image: an MPI frame is assembled by OR-ing the ranks' images.
  if (set.divergence_step) divergence_step = Image<std::int64_t>(rows, cols);
  if (set.lyapunov) lyapunov = Image<double>(rows, cols);
  if (set.sharpness) {
    sharpness = Image<double>(rows, cols);
    edge_of_stability = Image<double>(rows, cols);
  }
}

ChannelSet ChannelImages::stored() const {
  ChannelSet set;
  set.divergence_step = !divergence_step.data.empty();
  set.lyapunov = !lyapunov.data.empty();
  set.sharpness = !sharpness.data.empty();
  return set;
}

void ChannelImages::set(int row, int col, const PixelOutcome& o) {
  if (!divergence_step.data.empty()) divergence_step(row, col) = o.divergence_step;
  if (!lyapunov.data.empty()) lyapunov(row, col) = o.lyapunov;
  if (!sharpness.data.empty()) {
    sharpness(row, col) = o.sharpness;
    edge_of_stability(row, col) = o.edge_of_stability;
  }
}

void ChannelImages::get(int row, int col, PixelOutcome& o) const {
  if (!divergence_step.data.empty()) o.divergence_step = divergence_step(row, col);
  if (!lyapunov.data.empty()) o.lyapunov = lyapunov(row, col);
  if (!sharpness.data.empty()) {
    o.sharpness = sharpness(row, col);
    o.edge_of_stability = edge_of_stability(row, col);
  }
}

ChannelSet TileResult::stored() const {
  ChannelSet set;
  set.divergence_step = !divergence_step.empty();
  set.lyapunov = !lyapunov.empty();
  set.sharpness = !sharpness.empty() && !edge_of_stability.empty();
  return set;
}

namespace {
/// Every channel `wanted` holds must be in `have`.
bool covers(const ChannelSet& have, const ChannelSet& wanted) {
  return (have.divergence_step || !wanted.divergence_step) && (have.lyapunov || !wanted.lyapunov) &&
         (have.sharpness || !wanted.sharpness);
}
}  // namespace

void put_tile(const TileResult& result, Image<double>& measure, Image<std::uint8_t>& converged,
              ChannelImages* channels) {
  const Tile& t = result.tile;
  const ChannelSet wanted = channels ? channels->stored() : ChannelSet{};
  if (!covers(result.stored(), wanted)) throw std::logic_error("put_tile: the tile lacks a channel of the frame");
  std::size_t i = 0;
  for (int r = t.row0; r < t.row0 + t.rows; ++r) {
    for (int c = t.col0; c < t.col0 + t.cols; ++c, ++i) {
      measure(r, c) = result.measure[i];
      converged(r, c) = result.converged[i];
      if (wanted.divergence_step) channels->divergence_step(r, c) = result.divergence_step[i];
      if (wanted.lyapunov) channels->lyapunov(r, c) = result.lyapunov[i];
      if (wanted.sharpness) {
        channels->sharpness(r, c) = result.sharpness[i];
        channels->edge_of_stability(r, c) = result.edge_of_stability[i];
      }
    }
  }
}

TileResult take_tile(const Tile& tile, const Image<double>& measure, const Image<std::uint8_t>& converged,
                     const ChannelImages* channels) {
  TileResult result;
  result.tile = tile;
  const ChannelSet held = channels ? channels->stored() : ChannelSet{};
  const std::size_t n = static_cast<std::size_t>(tile.rows) * static_cast<std::size_t>(tile.cols);
  result.measure.reserve(n);
  result.converged.reserve(n);
  for (int r = tile.row0; r < tile.row0 + tile.rows; ++r) {
    for (int c = tile.col0; c < tile.col0 + tile.cols; ++c) {
      result.measure.push_back(measure(r, c));
      result.converged.push_back(converged(r, c));
      if (held.divergence_step) result.divergence_step.push_back(channels->divergence_step(r, c));
      if (held.lyapunov) result.lyapunov.push_back(channels->lyapunov(r, c));
      if (held.sharpness) {
        result.sharpness.push_back(channels->sharpness(r, c));
        result.edge_of_stability.push_back(channels->edge_of_stability(r, c));
      }
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
