#include "trainscape/problem.hpp"

#include "trainscape/random.hpp"

namespace trainscape {

namespace {
Eigen::MatrixXd to_eigen(const DrawnMatrix& m) {
  Eigen::MatrixXd out(m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) out(r, c) = m.values[static_cast<std::size_t>(r) * m.cols + c];
  }
  return out;
}
}  // namespace

Problem make_problem(const RunConfig& config) {
  Problem p;
  visit_settings(p, config,
                 [](const char* /*name*/, auto& setting, const auto& from_config) { setting = from_config; });

  std::vector<std::pair<int, int>> shapes;
  shapes.emplace_back(p.input_dim(), p.width);
  for (int l = 1; l + 1 < p.depth; ++l) shapes.emplace_back(p.width, p.width);
  shapes.emplace_back(p.width, p.target_dim);

  const int n_data = dataset_size(config.model, config.data);
  const auto rng = make_randomness(config.data);
  const ProblemDraw draw = rng->draw_problem(shapes, n_data, p.input_dim(), p.target_dim);
  for (const auto& w : draw.weights) p.weights.push_back(to_eigen(w));
  p.X = to_eigen(draw.inputs);
  p.Y = to_eigen(draw.targets);
  p.probe = to_eigen(rng->probe_input(p.input_dim()));
  if (!config.training.batch.full) {
    p.minibatches = rng->minibatch_indices(p.steps, config.training.batch.size, n_data);
  }
  return p;
}

}  // namespace trainscape
