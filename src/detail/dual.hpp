#pragma once
// Internal: forward-mode dual numbers (value + tangent) over double, as an Eigen scalar. Running
// any of the reference engine's computations in Dual gives, in the tangent parts, the exact
// directional derivative (Jacobian-vector product) of that computation -- the Lyapunov
// channel's tangent map and the sharpness channel's Hessian-vector products (docs/channels.md).
#include <Eigen/Core>
#include <cmath>
#include <type_traits>

namespace trainscape::detail {

struct Dual {
  double v = 0.0;  ///< value
  double d = 0.0;  ///< tangent: d value / d (the chosen direction)

  Dual() = default;
  // Implicit from numbers: constants carry no tangent.
  Dual(double value, double tangent = 0.0) : v(value), d(tangent) {}  // NOLINT(google-explicit-constructor)
  /// Counts (matrix sizes) as constants.
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  explicit Dual(I n) : v(static_cast<double>(n)) {}

  Dual& operator+=(const Dual& o) { return *this = *this + o; }
  Dual& operator-=(const Dual& o) { return *this = *this - o; }
  Dual& operator*=(const Dual& o) { return *this = *this * o; }
  Dual& operator/=(const Dual& o) { return *this = *this / o; }

  friend Dual operator+(const Dual& a, const Dual& b) { return {a.v + b.v, a.d + b.d}; }
  friend Dual operator-(const Dual& a, const Dual& b) { return {a.v - b.v, a.d - b.d}; }
  friend Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
  friend Dual operator*(const Dual& a, const Dual& b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
  friend Dual operator/(const Dual& a, const Dual& b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
  // Comparisons look at values only (branches of relu and the optimizers).
  friend bool operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
  friend bool operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
  friend bool operator<=(const Dual& a, const Dual& b) { return a.v <= b.v; }
  friend bool operator>=(const Dual& a, const Dual& b) { return a.v >= b.v; }
  friend bool operator==(const Dual& a, const Dual& b) { return a.v == b.v; }
  friend bool operator!=(const Dual& a, const Dual& b) { return a.v != b.v; }
};

// Found by argument-dependent lookup where the engine writes `using std::tanh; tanh(x)`.
inline Dual tanh(const Dual& x) {
  const double t = std::tanh(x.v);
  return {t, x.d * (1.0 - t * t)};
}
inline Dual sin(const Dual& x) { return {std::sin(x.v), x.d * std::cos(x.v)}; }
inline Dual cos(const Dual& x) { return {std::cos(x.v), -(x.d * std::sin(x.v))}; }
inline Dual sqrt(const Dual& x) {
  const double s = std::sqrt(x.v);
  return {s, x.d / (2.0 * s)};
}

}  // namespace trainscape::detail

namespace Eigen {
template <>
struct NumTraits<trainscape::detail::Dual> : NumTraits<double> {
  using Real = trainscape::detail::Dual;
  using NonInteger = trainscape::detail::Dual;
  using Nested = trainscape::detail::Dual;
  using Literal = trainscape::detail::Dual;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 2,
    AddCost = 2,
    MulCost = 3
  };
};
}  // namespace Eigen
