// The convergence measure and classification on hand-made loss sequences
// (docs/model.md#convergence-measure).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "trainscape/measure.hpp"

using trainscape::convergence_measure;

namespace {
trainscape::PixelOutcome measure_of(const std::vector<double>& losses) {
  return convergence_measure(losses.data(), static_cast<int>(losses.size()));
}
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("a decreasing loss is converged and measured by -sum of ratios", "[measure]") {
  const auto o = measure_of({4.0, 2.0, 1.0});
  CHECK(o.converged == 1);
  CHECK(o.measure == -1.75);  // -(1 + 0.5 + 0.25)
}

TEST_CASE("an increasing loss is diverged and measured by +sum of inverse ratios", "[measure]") {
  const auto o = measure_of({1.0, 2.0, 4.0});
  CHECK(o.converged == 0);
  CHECK(o.measure == 1.75);  // 1 + 1/2 + 1/4
}

TEST_CASE("non-finite losses count as the clamp 1e6", "[measure]") {
  const auto o = measure_of({1.0, kInf, kNaN});
  CHECK(o.converged == 0);
  CHECK(o.measure == 1.0 + 1e-6 + 1e-6);
  CHECK_FALSE(std::isnan(o.measure));
}

TEST_CASE("ratios above 1e6 are clamped", "[measure]") {
  const auto o = measure_of({2.0, 2e7, 2e12});
  CHECK(o.converged == 0);
  CHECK(o.measure == 1.0 + 1e-6 + 1e-6);
}

TEST_CASE("only the last 20 steps decide convergence", "[measure]") {
  std::vector<double> losses(5, 10.0);  // five early steps at ratio 1 ... then 20 steps at 0.5
  losses[0] = 1.0;
  for (int i = 1; i < 5; ++i) losses[i] = 10.0;
  for (int i = 0; i < 20; ++i) losses.push_back(0.5);
  const auto o = measure_of(losses);
  CHECK(o.converged == 1);
  CHECK(o.measure == -(1.0 + 4 * 10.0 + 20 * 0.5));

  // A mean of exactly 1 over the last 20 steps is not "< 1": diverged.
  std::vector<double> flat(21, 3.0);
  flat[0] = 3.0;
  const auto f = measure_of(flat);
  CHECK(f.converged == 0);
  CHECK(f.measure == 21.0);

  // The early spike outside the last 20 steps does not matter; inside it does.
  std::vector<double> spike(30, 0.5);
  spike[0] = 1.0;
  spike[9] = 100.0;  // outside the tail (steps 10..29)
  CHECK(measure_of(spike).converged == 1);
  spike[10] = 100.0;  // inside: mean of tail = (100 + 19 * 0.5) / 20 > 1
  CHECK(measure_of(spike).converged == 0);
}

TEST_CASE("fewer than 20 steps use all of them", "[measure]") {
  CHECK(measure_of({1.0}).converged == 0);  // v = 1, mean 1 is not < 1
  CHECK(measure_of({1.0}).measure == 1.0);
  CHECK(measure_of({1.0, 0.5}).converged == 1);  // mean 0.75
}

TEST_CASE("a non-finite initial loss is replaced by the clamp before dividing", "[measure]") {
  const auto o = measure_of({kInf, 1.0});
  CHECK(o.converged == 1);  // v = [1, 1e-6]
  CHECK(o.measure == -(1.0 + 1e-6));
}

TEST_CASE("a zero initial loss never yields a NaN measure", "[measure]") {
  const auto o = measure_of({0.0, 0.0, 0.0});
  CHECK(o.converged == 0);
  CHECK(o.measure == 3e-6);
}
