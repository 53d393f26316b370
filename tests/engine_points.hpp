// Test helpers shared by the engine tests: the first frame's pixel grid of a config, its points
// row by row, and training a list of points with one engine.
#pragma once

#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/window.hpp"

namespace trainscape::test {

/// The cols x rows grid over the config's phase-space window, with its axes' scales.
inline Grid first_grid(const RunConfig& c, int cols, int rows) {
  return Grid(Window::from_intervals(c.phase_space.x, c.phase_space.y), cols, rows, axis_scales(c.phase_space));
}

/// Points of a res x res grid over the config's window, row by row.
inline std::vector<HyperPoint> grid_points(const RunConfig& c, int res) {
  const Grid grid = first_grid(c, res, res);
  std::vector<HyperPoint> points;
  for (int r = 0; r < res; ++r)
    for (int col = 0; col < res; ++col) points.push_back({grid.value_x(col), grid.value_y(r)});
  return points;
}

/// Every point trained by `engine`, in order.
inline std::vector<PixelOutcome> run(const Engine& engine, const Problem& p, const std::vector<HyperPoint>& points) {
  std::vector<PixelOutcome> out(points.size());
  engine.train(p, points.data(), points.size(), out.data());
  return out;
}

}  // namespace trainscape::test
