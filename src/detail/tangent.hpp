#pragma once
// Internal: the Lyapunov channel's tangent bookkeeping (docs/channels.md#lyapunov), shared by the
// network engines and the ripple_quadratic toy loss. A "run" is any type with
//   using Block = Eigen::Matrix<S, Dynamic, Dynamic>;   the state's storage in its scalar S
//   S advance(int t);                                   one training step (loss before it)
//   void for_each_block(F&& f);                         f(Block&) over the whole state, in order
// so that the same run type instantiated with S = Dual (dual.hpp) computes the exact
// Jacobian-vector product of one step.
#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <vector>

#include "detail/dual.hpp"
#include "trainscape/channels.hpp"

namespace trainscape::detail {

/// The tangent (unit norm between steps) and the sum of the logarithms of its growth.
struct Tangent {
  std::vector<Eigen::MatrixXd> blocks;  ///< shaped like the run's for_each_block blocks
  double log_growth_sum = 0.0;
  int steps = 0;     ///< steps whose growth was finite and non-zero
  bool live = true;  ///< false from the first step with a non-finite or zero growth on

  /// The channel's value: the mean log growth, NaN when no step could be measured.
  double exponent() const { return steps > 0 ? log_growth_sum / steps : std::numeric_limits<double>::quiet_NaN(); }
};

/// The start of the tangent: deterministic_unit_vector over every block of `run`'s state.
template <class Run>
Tangent start_tangent(Run& run) {
  Tangent tangent;
  Eigen::Index n = 0;
  run.for_each_block([&](typename Run::Block& m) {
    tangent.blocks.emplace_back(m.rows(), m.cols());
    n += m.size();
  });
  const Eigen::VectorXd u = deterministic_unit_vector(n);
  Eigen::Index at = 0;
  for (auto& d : tangent.blocks) {
    for (Eigen::Index i = 0; i < d.size(); ++i) d.data()[i] = u(at++);
  }
  return tangent;
}

/// Pushes the tangent through step t of `run` (whose state is the one before step t) with
/// `dual` (the same pixel's run in Dual), renormalises it and records the log of its growth.
/// Leaves `run` untouched: the caller then advances it itself.
template <class Run, class DualRun>
void propagate_tangent(Run& run, DualRun& dual, int t, Tangent& tangent) {
  // Load values (the trajectory's state) and tangents into the dual run's state.
  std::vector<const typename Run::Block*> values;
  run.for_each_block([&values](typename Run::Block& m) { values.push_back(&m); });
  std::size_t b = 0;
  dual.for_each_block([&](typename DualRun::Block& m) {
    const typename Run::Block& v = *values[b];
    const Eigen::MatrixXd& d = tangent.blocks[b];
    m.resize(v.rows(), v.cols());
    for (Eigen::Index i = 0; i < v.size(); ++i) m.data()[i] = Dual(static_cast<double>(v.data()[i]), d.data()[i]);
    ++b;
  });
  dual.advance(t);
  double squared = 0.0;
  b = 0;
  dual.for_each_block([&](typename DualRun::Block& m) {
    Eigen::MatrixXd& d = tangent.blocks[b++];
    for (Eigen::Index i = 0; i < m.size(); ++i) {
      d.data()[i] = m.data()[i].d;
      squared += d.data()[i] * d.data()[i];
    }
  });
  const double growth = std::sqrt(squared);
  if (!std::isfinite(growth) || growth == 0.0) {
    tangent.live = false;
    return;
  }
  for (auto& d : tangent.blocks) d /= growth;
  tangent.log_growth_sum += std::log(growth);
  ++tangent.steps;
}

}  // namespace trainscape::detail
