#pragma once
// Internal: numpy.linspace(start, stop, num)[k], bit for bit. numpy computes step = (stop -
// start) / (num - 1) once, returns k * step + start (rounding the product before the add), and
// writes the last element as `stop` exactly; num == 1 gives `start`; when the step underflows to
// 0 it uses (k / (num - 1)) * (stop - start) + start instead. Only include this from files built
// with -ffp-contract=off (CMakeLists.txt), or the compiler may fuse the multiply-add and change
// the last bit. Not installed.
#include <cstddef>

namespace trainscape::detail {

inline double numpy_linspace_at(double start, double stop, std::size_t num, std::size_t k) {
  if (num == 1) return start;
  if (k == num - 1) return stop;
  const double delta = stop - start;
  const double div = static_cast<double>(num - 1);
  const double step = delta / div;
  if (step == 0.0) return (static_cast<double>(k) / div * delta) + start;
  return (static_cast<double>(k) * step) + start;
}

}  // namespace trainscape::detail
