#pragma once
/// Vectorised tanh for the batched engine, float64 and float32, no libm call per element.
///
/// Method (per lane, x any double or float):
///   u = min(2|x|, U)                          U = 40 (float64) / 20 (float32): tanh is 1 there
///   E = expm1(u) = 2^k (1 + p) - 1            k = round(u / ln 2), r = u - k ln 2 in [-ln2/2, ln2/2],
///                                             r = r_hi + r_lo (Cody-Waite, r_hi exact),
///                                             p = r_hi + [r_hi^2 P(r_hi) + r_lo exp(r_hi)],
///                                             P a polynomial for (expm1(r) - r) / r^2 (float64:
///                                             degree-10 minimax, scripts/tanh_minimax.py; float32:
///                                             degree-5 Taylor), float64 evaluated as
///                                             E(r^2) + r O(r^2) (even and odd powers, two
///                                             Horner chains), E kept as a sum e + e_lo
///   tanh|x| = E / (E + 2)                     quotient q0, then one correction step that removes
///                                             the rounding of E + 2 and of the division:
///                                             q0 = E * (1 / D), q = q0 + (E - q0 D - q0 dD) / D
///                                             (the residual E - q0 D is exact by one FMA)
///   tanh x  = sign(x) * tanh|x|               sign restored by a bit operation
/// Working with u >= 0 means errors of E are never amplified (d ln tanh / d ln E = 2 / (E + 2) <= 1).
/// Special values: tanh(+-0) = +-0, tanh(+-inf) = +-1, tanh(NaN) = NaN (the clamp is written so
/// that NaN passes through), tiny and subnormal inputs come back as x.
/// Saturated vectors: when every lane has |x| >= saturation (19.1 / 9.1f, where the evaluation
/// returns exactly +-1: tested across the threshold), the evaluation is skipped (tanh_saturated).
/// Measured error (tests/test_batched_engine.cpp, against long double tanhl): see kTanhMaxUlp*;
/// float64 0.86 ulp max, mean 0.22 (tests/bench_tanh.cpp prints both; a single Horner chain for
/// P gave 0.75 ulp max and 0.22 mean, and differs in the last bit for 0.3% of inputs).
/// The evaluation is split into two stages (tanh_expm1: E as e + e_lo; tanh_quotient: the
/// quotient) so that tanh_vectors can run each stage over a chunk of vectors (see there).
/// Tried and rejected: rounding r = r_hi - k ln2_lo once and dropping the r_lo tail (-3 operations)
/// gives 1.11 ulp at x = 0.1775 (k = 1, E ~ 0.42 amplifies the half-ulp rounding of r by ~3.4).
/// detail::tanh_array (batched_engine.hpp) evaluates it over arrays.
/// Every lane runs the same operation sequence, so the result does not depend on the vector type.
#include <cstddef>
#include <type_traits>

#include "trainscape/detail/simd.hpp"

namespace trainscape::detail {

/// Error bounds the accuracy test asserts (in units in the last place of the correctly rounded
/// result, measured against long double tanhl over 2e6 points spanning every binade that matters).
inline constexpr double kTanhMaxUlpDouble = 1.0;
inline constexpr double kTanhMaxUlpFloat = 1.0;

inline namespace TRAINSCAPE_SIMD_ABI {  // see detail/simd.hpp

template <class S>
struct TanhConstants;

template <>
struct TanhConstants<double> {
  // tanh x rounds to 1 once 1 - tanh x ~ 2 e^-2x is below half an ulp of 1 (2^-54), i.e. for
  // x > 55 ln2 / 2 = 19.06; from 19.1 on the whole evaluation returns exactly 1 (tested).
  static constexpr double saturation = 19.1;
  static constexpr double clamp = 40.0;
  static constexpr double inv_ln2 = 1.4426950408889634;
  static constexpr double ln2_hi = 6.93147180369123816490e-01;  // low 21 bits zero: k * ln2_hi exact
  static constexpr double ln2_lo = 1.90821492927058770002e-10;
  static constexpr double magic = 6755399441055744.0 + 1023.0;  // 1.5 * 2^52 + exponent bias
  // (expm1(r) - r) / r^2 ~ sum_i c[i] r^(degree - 1 - i): the minimax polynomial of degree 10 for
  // the relative error on [-ln2/2, ln2/2] (Remez; scripts/tanh_minimax.py), coefficients rounded
  // to double: relative error 2^-57.2, one degree below the Taylor polynomial it replaces.
  static constexpr int degree = 11;
  static constexpr double c[degree] = {2.08893733653106e-09,
                                       2.5105173698970408e-08,
                                       2.7557349620964076e-07,
                                       2.755725551405732e-06,
                                       2.4801587245741203e-05,
                                       0.00019841269874720942,
                                       0.001388888888891796,
                                       0.008333333333326167,
                                       0.041666666666666616,
                                       0.1666666666666667,
                                       0.5};
};

template <>
struct TanhConstants<float> {
  static constexpr float saturation = 9.1f;  // 26 ln2 / 2 = 9.01: 1 - tanh x below 2^-25
  static constexpr float clamp = 20.0f;
  static constexpr float inv_ln2 = 1.44269504f;
  static constexpr float ln2_hi = 0.693145751953125f;  // low 11 bits zero
  static constexpr float ln2_lo = 1.428606765330187045e-06f;
  static constexpr float magic = 12582912.0f + 127.0f;  // 1.5 * 2^23 + exponent bias
  // 1 / n!, n = 7 .. 2
  static constexpr int degree = 6;
  static constexpr float c[degree] = {1.98412698e-04f, 1.38888889e-03f, 8.33333333e-03f,
                                      4.16666667e-02f, 1.66666667e-01f, 0.5f};
};

/// Stage 1 of the evaluation: E = expm1(u), u = min(2|x|, U), as e + e_lo (see the file comment).
template <class V>
inline void tanh_expm1(V x, V& e, V& e_lo) {
  using S = typename V::scalar;
  using C = TanhConstants<S>;
  const V one = V::set1(S(1));
  // Clamp |x| first and fold the factor 2 of u = 2|x| into the constant of t: t is the same fma
  // of the same exact product (2|x| * inv_ln2 = |x| * (2 inv_ln2), both scalings exact), so every
  // bit is as with u first, and u leaves the critical path (computed beside t).
  // min_(a, b) returns b when either is NaN: a NaN input stays NaN.
  const V ax = simd::min_(V::set1(C::clamp / 2), simd::abs_(x));
  const V t = simd::fmadd(ax, V::set1(2 * C::inv_ln2), V::set1(C::magic));
  const V u = ax + ax;
  const V k = t - V::set1(C::magic);
  const V r_hi = simd::fnmadd(k, V::set1(C::ln2_hi), u);  // exact
  const V r_lo = k * V::set1(-C::ln2_lo);
  const V r2 = r_hi * r_hi;
  // float64: P(r_hi) = E(r_hi^2) + r_hi O(r_hi^2), the even and the odd powers as two independent
  // Horner chains in r_hi^2 (which q needs anyway), so the same 10 FMAs form a chain half as long.
  // float32 keeps one Horner chain: its 5 FMAs are a short chain already, and the split raised its
  // maximum error from below 1 ulp to 1.06 ulp. Coefficient c[i] belongs to power degree - 1 - i.
  V p;
  if constexpr (std::is_same_v<S, double>) {
    constexpr int even_first = (C::degree - 1) % 2;  // index of the highest even power
    constexpr int odd_first = 1 - even_first;
    V pe = V::set1(C::c[even_first]);
    V po = V::set1(C::c[odd_first]);
    for (int c = even_first + 2; c < C::degree; c += 2) pe = simd::fmadd(pe, r2, V::set1(C::c[c]));
    for (int c = odd_first + 2; c < C::degree; c += 2) po = simd::fmadd(po, r2, V::set1(C::c[c]));
    p = simd::fmadd(po, r_hi, pe);
  } else {
    p = V::set1(C::c[0]);
    for (int c = 1; c < C::degree; ++c) p = simd::fmadd(p, r_hi, V::set1(C::c[c]));
  }
  const V q = r2 * p;                                     // expm1(r_hi) - r_hi
  const V tail = simd::fmadd(r_lo, one + (r_hi + q), q);  // + r_lo exp(r_hi)
  const V two_k = simd::shift_to_exponent(t);
  // E = 2^k r_hi + (2^k - 1) + 2^k tail as an unevaluated sum e + e_lo: the first two terms
  // are exact and |2^k - 1| >= |2^k r_hi| (or 2^k - 1 = 0), so Fast2Sum gives their sum exactly.
  const V b = two_k - one;
  const V a = two_k * r_hi;
  const V s = a + b;
  const V s_lo = simd::fmadd(two_k, tail, (b - s) + a);
  // Renormalise (|s| >= |s_lo| here), so that e_lo is below half an ulp of e.
  e = s + s_lo;  // >= 0
  e_lo = (s - e) + s_lo;
}

/// Stage 2: tanh|x| = E / (E + 2) from stage 1's e + e_lo, with the sign bit of x restored.
template <class V>
inline V tanh_quotient(V e, V e_lo, V x) {
  using S = typename V::scalar;
  const V one = V::set1(S(1));
  const V two = V::set1(S(2));
  const V d = e + two;
  const V inv_d = one / d;
  const V q0 = e * inv_d;  // within about 1 ulp of e / d, so the residual below is exact
  // Exact rounding error of d = e + 2 (Fast2Sum on the larger and the smaller operand).
  const V d_err = (simd::max_(e, two) - d) + simd::min_(e, two) + e_lo;
  const V rho = simd::fnmadd(q0, d, e) + e_lo;  // e + e_lo - q0 d
  const V c = simd::fnmadd(q0, d_err, rho);
  return simd::bxor(simd::fmadd(c, inv_d, q0), simd::sign_bit(x));
}

/// true if every lane of x has |x| >= saturation, where the evaluation returns exactly +-1
/// (tested across the threshold), so that it can be skipped: same bits, one compare.
template <class V>
inline bool tanh_saturated(V x) {
  using S = typename V::scalar;
  return simd::all_greater_equal(simd::abs_(x), V::set1(TanhConstants<S>::saturation));
}

/// tanh of every lane of x (the two stages back to back, or +-1 for a saturated vector).
template <class V>
inline V tanh_v(V x) {
  using S = typename V::scalar;
  if (tanh_saturated(x)) return simd::bxor(V::set1(S(1)), simd::sign_bit(x));
  V e, e_lo;
  tanh_expm1(x, e, e_lo);
  return tanh_quotient(e, e_lo, x);
}

/// out[i] = tanh(in[i]) for count vectors (in == out allowed): the same operations on every lane
/// as tanh_v, hence the same bits, but run as two passes over chunks of kTanhChunk vectors, stage 1
/// for the whole chunk and then stage 2. One evaluation is a dependency chain of about 110 cycles
/// on Zen 1 (the division alone ~13) in ~60 instructions, and with 256-bit operations split in two
/// the out-of-order window holds under two such chains, so one vector at a time the loop is bound
/// by latency; each stage alone is short enough for the window to overlap several vectors.
/// Measured on the AVX2 Zen 1 VM: 6.33 vs 8.42 ns per value (tests/bench_tanh.cpp; issue 12 in
/// the performance record of src/batched_engine.cpp).
inline constexpr std::size_t kTanhChunk = 32;
template <class V>
inline void tanh_vectors(const typename V::scalar* in, typename V::scalar* out, std::size_t count) {
  using S = typename V::scalar;
  constexpr std::size_t w = V::width;
  alignas(64) S e[kTanhChunk * w];
  alignas(64) S e_lo[kTanhChunk * w];
  bool saturated[kTanhChunk];
  for (std::size_t c0 = 0; c0 < count; c0 += kTanhChunk) {
    const std::size_t n = count - c0 < kTanhChunk ? count - c0 : kTanhChunk;
    const S* x = in + c0 * w;
    S* y = out + c0 * w;
    for (std::size_t i = 0; i < n; ++i) {
      const V xv = V::load(x + i * w);
      saturated[i] = tanh_saturated(xv);
      if (saturated[i]) continue;
      V ev, elv;
      tanh_expm1(xv, ev, elv);
      ev.store(e + i * w);
      elv.store(e_lo + i * w);
    }
    // Stage 2 reads x again for the sign, so a saturated vector is written only here.
    for (std::size_t i = 0; i < n; ++i) {
      const V xv = V::load(x + i * w);
      const V r = saturated[i] ? simd::bxor(V::set1(S(1)), simd::sign_bit(xv))
                               : tanh_quotient(V::load(e + i * w), V::load(e_lo + i * w), xv);
      r.store(y + i * w);
    }
  }
}

}  // namespace TRAINSCAPE_SIMD_ABI

}  // namespace trainscape::detail
