#pragma once
/// The engine interface: trains one network per hyperparameter point and reports each point's
/// convergence outcome. Every engine computes what the reference engine computes; faster ones
/// are tested against it.
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "trainscape/measure.hpp"
#include "trainscape/problem.hpp"

namespace trainscape {

class Engine {
 public:
  virtual ~Engine() = default;
  /// Short name, as accepted by make_engine.
  virtual const char* name() const = 0;
  /// Trains problem.steps steps for each of the `count` points and writes out[i] for points[i].
  /// Must be callable concurrently from several threads on disjoint outputs (engines hold no
  /// mutable shared state), and out[i] must depend only on (problem, points[i]).
  virtual void train(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out) const = 0;
  /// As train(), but gives up soon after `cancel` becomes true (engines check it at least once
  /// per training step of each batch, or per pixel): the outputs are then unspecified and the
  /// caller must discard them. This is what lets a run stop within a moment of Ctrl-C even when
  /// one tile takes minutes. The default checks only before starting.
  virtual void train_cancellable(const Problem& problem, const HyperPoint* points, std::size_t count, PixelOutcome* out,
                                 const std::atomic<bool>& cancel) const {
    if (!cancel.load(std::memory_order_relaxed)) train(problem, points, count, out);
  }
};

/// The engine commands use when none is named: the fast one.
inline constexpr const char* kDefaultEngine = "batched";
/// Names of the available engines.
std::vector<std::string> engine_names();
/// The names as one line for help texts: "reference | batched".
std::string engine_choices();
/// The engine of that name; throws ConfigError naming the available ones otherwise.
std::unique_ptr<Engine> make_engine(const std::string& name);

}  // namespace trainscape
