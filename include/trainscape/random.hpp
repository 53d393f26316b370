#pragma once
/// Random numbers that define a problem: initial weights, inputs X, targets Y and minibatch
/// indices. Behind an interface so that a JAX-compatible generator can stand beside the native
/// one; every generator is a pure function of its seed.
#include <cstdint>
#include <memory>
#include <vector>

#include "trainscape/config.hpp"

namespace trainscape {

/// A row-major matrix of doubles, as drawn.
struct DrawnMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> values;  ///< rows * cols, element (r, c) at r * cols + c
};

/// The random content of a problem, in the order the notebook draws it: the weights (one matrix
/// per layer, entries N(0, 1)), then X (N x d), then Y (N x k).
struct ProblemDraw {
  std::vector<DrawnMatrix> weights;
  DrawnMatrix inputs;
  DrawnMatrix targets;
};

class ProblemRandomness {
 public:
  virtual ~ProblemRandomness() = default;
  /// Draws weights of the given shapes ({rows, cols} each), X (n_data x input_dim) and
  /// Y (n_data x target_dim). Deterministic in the seed.
  virtual ProblemDraw draw_problem(const std::vector<std::pair<int, int>>& weight_shapes, int n_data, int input_dim,
                                   int target_dim) const = 0;
  /// Minibatch indices for steps 0 .. steps-1: `batch` indices per step, uniform in [0, n_data),
  /// with replacement; every pixel uses the same indices at the same step.
  virtual std::vector<std::vector<int>> minibatch_indices(int steps, int batch, int n_data) const = 0;
  /// The probe input of readout: probe, 1 x input_dim, entries N(0, 1).
  virtual DrawnMatrix probe_input(int input_dim) const = 0;
};

/// The native generator (data.rng: native). Counter-based, so any value can be computed on its
/// own, and documented exactly so that other tools can reproduce it:
///   key(stream)   = mix64(seed_as_uint64 + stream * 0x9E3779B97F4A7C15)
///   bits(stream,i)= mix64(key(stream) + i)         mix64 = SplitMix64's finaliser
///   uniform(s, i) = ((bits >> 11) + 0.5) * 2^-53   in (0, 1), never 0 or 1
///   normal(s, i)  = sqrt(-2 ln u1) * cos(2 pi u2),  u1 = uniform(s, 2i), u2 = uniform(s, 2i+1)
///   index(s, i, n)= floor(uniform(s, i) * n)
/// Streams: weights of layer l -> 16 + l; X -> 1; Y -> 2; minibatch indices -> 3 with
/// i = step * batch + b; probe input -> 4. Matrices are filled in row-major order, i = r * cols + c.
/// (std::log/std::cos come from the C library; results are identical on one platform.)
class NativeRandomness final : public ProblemRandomness {
 public:
  explicit NativeRandomness(std::int64_t seed) : seed_(seed) {}
  ProblemDraw draw_problem(const std::vector<std::pair<int, int>>& weight_shapes, int n_data, int input_dim,
                           int target_dim) const override;
  std::vector<std::vector<int>> minibatch_indices(int steps, int batch, int n_data) const override;
  DrawnMatrix probe_input(int input_dim) const override;

  std::uint64_t bits(std::uint64_t stream, std::uint64_t i) const;
  double uniform(std::uint64_t stream, std::uint64_t i) const;
  double normal(std::uint64_t stream, std::uint64_t i) const;

 private:
  std::int64_t seed_;
};

/// The generator the config's data section asks for (rng, seed, jax_erf_inv).
std::unique_ptr<ProblemRandomness> make_randomness(const DataConfig& data);

}  // namespace trainscape
