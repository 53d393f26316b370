// The engine's vectorised tanh over arrays, for tests and benchmarks (the engine itself inlines
// detail::tanh_v into its fused kernels). Compiled with -ffp-contract=off like every kernel TU.
#include "trainscape/detail/simd_tanh.hpp"

namespace trainscape::detail {

namespace {
template <class S>
void tanh_array_in(const S* in, S* out, std::size_t n) {
  using V = simd::NativeVec<S>;
  constexpr std::size_t w = V::width;
  std::size_t i = 0;
  for (; i + w <= n; i += w) tanh_v(V::load(in + i)).store(out + i);
  for (; i < n; ++i) out[i] = tanh_v(simd::Scalar<S>::set1(in[i])).v;  // same operations, one lane
}
}  // namespace

void tanh_array(const double* in, double* out, std::size_t n) { tanh_array_in(in, out, n); }
void tanh_array(const float* in, float* out, std::size_t n) { tanh_array_in(in, out, n); }

}  // namespace trainscape::detail
