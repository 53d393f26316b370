#include "trainscape/certification.hpp"

#include <algorithm>
#include <cmath>

#include "trainscape/execution.hpp"
#include "trainscape/perturbation.hpp"

namespace trainscape {

std::vector<std::pair<int, int>> certification_sample(const Image<std::uint8_t>& converged, int count) {
  std::vector<std::pair<int, int>> by_class[2];
  for (int row = 0; row < converged.rows; ++row) {
    for (int col = 0; col < converged.cols; ++col) by_class[converged(row, col) ? 1 : 0].emplace_back(row, col);
  }
  const std::int64_t total = static_cast<std::int64_t>(by_class[0].size() + by_class[1].size());
  const std::int64_t wanted = std::min<std::int64_t>(std::max(count, 0), total);
  // Converged pixels get the larger half, unless either class is short.
  std::int64_t take_converged = std::min<std::int64_t>((wanted + 1) / 2, static_cast<std::int64_t>(by_class[1].size()));
  std::int64_t take_diverged =
      std::min<std::int64_t>(wanted - take_converged, static_cast<std::int64_t>(by_class[0].size()));
  take_converged = wanted - take_diverged;
  std::vector<std::pair<int, int>> sample;
  for (const auto& [cls, k] : {std::pair<int, std::int64_t>{1, take_converged}, {0, take_diverged}}) {
    const auto& pixels = by_class[cls];
    const auto n = static_cast<std::int64_t>(pixels.size());
    for (std::int64_t i = 0; i < k; ++i) sample.push_back(pixels[static_cast<std::size_t>((2 * i + 1) * n / (2 * k))]);
  }
  return sample;
}

Certification certify_frame(const Problem& problem, const Window& window, const Image<double>& measure,
                            const Image<std::uint8_t>& converged, int count, int threads) {
  const std::vector<std::pair<int, int>> sample = certification_sample(converged, count);
  std::vector<PixelOutcome> direct(sample.size());
  const Wide cx = window.exact_centre_x(), cy = window.exact_centre_y();
  parallel_for_each(static_cast<std::int64_t>(sample.size()), threads, [&](std::int64_t i) {
    const auto [row, col] = sample[static_cast<std::size_t>(i)];
    direct[static_cast<std::size_t>(i)] =
        deep::train_high_precision(problem, pixel_coordinate(cx, window.half_x, col, measure.cols),
                                   pixel_coordinate(cy, window.half_y, row, measure.rows));
  });
  Certification c;
  c.pixels = static_cast<int>(sample.size());
  if (sample.empty()) return c;
  int same = 0;
  std::vector<double> errors;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const auto [row, col] = sample[i];
    if (static_cast<bool>(converged(row, col)) != static_cast<bool>(direct[i].converged)) continue;
    ++same;
    const double a = direct[i].measure, b = measure(row, col);
    errors.push_back(a == b ? 0.0 : std::fabs(a - b) / std::max(std::fabs(a), 1e-300));
  }
  c.agreement = static_cast<double>(same) / static_cast<double>(sample.size());
  if (!errors.empty()) {
    std::sort(errors.begin(), errors.end());
    const std::size_t n = errors.size();
    c.median_relative_measure_error = n % 2 ? errors[n / 2] : 0.5 * (errors[n / 2 - 1] + errors[n / 2]);
    c.max_relative_measure_error = errors.back();
  }
  return c;
}

HighPrecisionFrameEngine::HighPrecisionFrameEngine(const Problem& /*problem*/, const Wide& centre_x,
                                                   const Wide& centre_y)
    : centre_x_(centre_x), centre_y_(centre_y) {}

void HighPrecisionFrameEngine::train(const Problem& problem, const HyperPoint* offsets, std::size_t count,
                                     PixelOutcome* out) const {
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = deep::train_high_precision(problem, centre_x_ + Wide(offsets[i].x), centre_y_ + Wide(offsets[i].y));
  }
}

void HighPrecisionFrameEngine::train_cancellable(const Problem& problem, const HyperPoint* offsets, std::size_t count,
                                                 PixelOutcome* out, const std::atomic<bool>& cancel) const {
  // One pixel at a time: a quad-double training takes seconds.
  for (std::size_t i = 0; i < count && !cancel.load(std::memory_order_relaxed); ++i) {
    out[i] = deep::train_high_precision(problem, centre_x_ + Wide(offsets[i].x), centre_y_ + Wide(offsets[i].y));
  }
}

}  // namespace trainscape
