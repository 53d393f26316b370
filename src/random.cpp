#include "trainscape/random.hpp"

#include <cmath>

#include "detail/counter_rng.hpp"
#include "trainscape/jax_random.hpp"

namespace trainscape {

namespace {
constexpr std::uint64_t kStreamX = 1, kStreamY = 2, kStreamMinibatch = 3, kStreamProbe = 4, kStreamWeights = 16;

}  // namespace

std::uint64_t NativeRandomness::bits(std::uint64_t stream, std::uint64_t i) const {
  return detail::CounterStream(static_cast<std::uint64_t>(seed_), stream).bits(i);
}

double NativeRandomness::uniform(std::uint64_t stream, std::uint64_t i) const {
  return (static_cast<double>(bits(stream, i) >> 11) + 0.5) * 0x1.0p-53;
}

double NativeRandomness::normal(std::uint64_t stream, std::uint64_t i) const {
  const double u1 = uniform(stream, 2 * i);
  const double u2 = uniform(stream, 2 * i + 1);
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

namespace {
DrawnMatrix draw_matrix(const NativeRandomness& rng, std::uint64_t stream, int rows, int cols) {
  DrawnMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
  for (std::size_t i = 0; i < m.values.size(); ++i) m.values[i] = rng.normal(stream, i);
  return m;
}
}  // namespace

ProblemDraw NativeRandomness::draw_problem(const std::vector<std::pair<int, int>>& weight_shapes, int n_data,
                                           int input_dim, int target_dim) const {
  ProblemDraw draw;
  for (std::size_t l = 0; l < weight_shapes.size(); ++l) {
    draw.weights.push_back(draw_matrix(*this, kStreamWeights + l, weight_shapes[l].first, weight_shapes[l].second));
  }
  draw.inputs = draw_matrix(*this, kStreamX, n_data, input_dim);
  draw.targets = draw_matrix(*this, kStreamY, n_data, target_dim);
  return draw;
}

std::vector<std::vector<int>> NativeRandomness::minibatch_indices(int steps, int batch, int n_data) const {
  std::vector<std::vector<int>> indices(static_cast<std::size_t>(steps),
                                        std::vector<int>(static_cast<std::size_t>(batch)));
  for (int t = 0; t < steps; ++t) {
    for (int b = 0; b < batch; ++b) {
      const std::uint64_t i = static_cast<std::uint64_t>(t) * static_cast<std::uint64_t>(batch) +
                              static_cast<std::uint64_t>(b);
      const int k = static_cast<int>(uniform(kStreamMinibatch, i) * n_data);
      indices[t][b] = k < n_data ? k : n_data - 1;  // uniform < 1, but guard the rounding anyway
    }
  }
  return indices;
}

DrawnMatrix NativeRandomness::probe_input(int input_dim) const {
  return draw_matrix(*this, kStreamProbe, 1, input_dim);
}

std::unique_ptr<ProblemRandomness> make_randomness(const DataConfig& data) {
  if (data.rng == DataRng::Jax) {
    jax::ErfInvVariant variant = jax::ErfInvVariant::LibmFma;
    switch (data.jax_erf_inv) {
      case JaxErfInv::LibmFma: variant = jax::ErfInvVariant::LibmFma; break;
      case JaxErfInv::LibmPlain: variant = jax::ErfInvVariant::LibmPlain; break;
      case JaxErfInv::CephesFma: variant = jax::ErfInvVariant::CephesFma; break;
      case JaxErfInv::CephesPlain: variant = jax::ErfInvVariant::CephesPlain; break;
    }
    return std::make_unique<JaxRandomness>(data.seed, variant);
  }
  return std::make_unique<NativeRandomness>(data.seed);
}

}  // namespace trainscape
