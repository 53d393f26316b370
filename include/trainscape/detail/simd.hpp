#pragma once
/// A minimal SIMD layer for the batched engine's kernels: one vector type per scalar type, chosen
/// at compile time from the ISA flags of the build (AVX-512F, else AVX2 + FMA, else scalar).
///
/// Every operation is a single correctly rounded IEEE operation per lane (add, sub, mul, div,
/// fused multiply-add) or an exact bit operation, and every lane does the same sequence of them.
/// So a kernel written on top of this layer gives bit-identical lanes whichever vector type it is
/// instantiated with: the AVX-512, the AVX2 and the scalar builds produce the same bits. That only
/// holds if the compiler does not contract a * b + c into an FMA by itself, so the translation
/// units that instantiate kernels are compiled with -ffp-contract=off and write every FMA
/// explicitly (fmadd / fnmadd). min_ / max_ follow the x86 rule (the second operand is returned
/// when either is NaN), also in the scalar fallback.
///
/// Internal to the batched engine (namespace detail); not a general-purpose library.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

// Everything below sits in an inline namespace named after the ISA the including translation unit
// is compiled for, so that two kernel builds with different flags never share a symbol.
#if defined(__AVX512F__)
#define TRAINSCAPE_SIMD_ABI isa_avx512
#elif defined(__AVX2__) && defined(__FMA__)
#define TRAINSCAPE_SIMD_ABI isa_avx2
#else
#define TRAINSCAPE_SIMD_ABI isa_scalar
#endif

namespace trainscape::detail::simd {
inline namespace TRAINSCAPE_SIMD_ABI {

// ---- scalar fallback (any ISA) -------------------------------------------------------------------

template <class S>
struct Scalar {
  using scalar = S;
  static constexpr int width = 1;
  S v;
  static Scalar load(const S* p) { return {*p}; }
  void store(S* p) const { *p = v; }
  static Scalar set1(S x) { return {x}; }
  static Scalar zero() { return {S(0)}; }
  /// width floats, converted exactly to S
  static Scalar load_float(const float* p) { return {static_cast<S>(*p)}; }
};
template <class S>
inline Scalar<S> operator+(Scalar<S> a, Scalar<S> b) {
  return {a.v + b.v};
}
template <class S>
inline Scalar<S> operator-(Scalar<S> a, Scalar<S> b) {
  return {a.v - b.v};
}
template <class S>
inline Scalar<S> operator*(Scalar<S> a, Scalar<S> b) {
  return {a.v * b.v};
}
template <class S>
inline Scalar<S> operator/(Scalar<S> a, Scalar<S> b) {
  return {a.v / b.v};
}
/// a * b + c, rounded once
template <class S>
inline Scalar<S> fmadd(Scalar<S> a, Scalar<S> b, Scalar<S> c) {
  return {std::fma(a.v, b.v, c.v)};
}
/// c - a * b, rounded once
template <class S>
inline Scalar<S> fnmadd(Scalar<S> a, Scalar<S> b, Scalar<S> c) {
  return {std::fma(-a.v, b.v, c.v)};
}
template <class S>
inline Scalar<S> min_(Scalar<S> a, Scalar<S> b) {
  return {a.v < b.v ? a.v : b.v};
}
template <class S>
inline Scalar<S> max_(Scalar<S> a, Scalar<S> b) {
  return {a.v > b.v ? a.v : b.v};
}
/// 1 where a > 0, else 0 (NaN gives 0)
template <class S>
inline Scalar<S> positive_indicator(Scalar<S> a) {
  return {a.v > S(0) ? S(1) : S(0)};
}
/// 1 where a == b, else 0 (NaN gives 0)
template <class S>
inline Scalar<S> equal_indicator(Scalar<S> a, Scalar<S> b) {
  return {a.v == b.v ? S(1) : S(0)};
}

/// true if a >= b in every lane (a NaN lane makes it false); a branch condition, no lane value
template <class S>
inline bool all_greater_equal(Scalar<S> a, Scalar<S> b) {
  return a.v >= b.v;
}

template <class S>
struct Bits;
template <>
struct Bits<double> {
  using type = std::uint64_t;
  static constexpr int mantissa = 52;
};
template <>
struct Bits<float> {
  using type = std::uint32_t;
  static constexpr int mantissa = 23;
};

template <class S>
inline typename Bits<S>::type to_bits(S x) {
  typename Bits<S>::type u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
template <class S>
inline S from_bits(typename Bits<S>::type u) {
  S x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

template <class S>
inline Scalar<S> abs_(Scalar<S> a) {
  return {from_bits<S>(to_bits(a.v) & ~(typename Bits<S>::type(1) << (sizeof(S) * 8 - 1)))};
}
/// the sign bit of a (as a value with only that bit set)
template <class S>
inline Scalar<S> sign_bit(Scalar<S> a) {
  return {from_bits<S>(to_bits(a.v) & (typename Bits<S>::type(1) << (sizeof(S) * 8 - 1)))};
}
template <class S>
inline Scalar<S> bxor(Scalar<S> a, Scalar<S> b) {
  return {from_bits<S>(to_bits(a.v) ^ to_bits(b.v))};
}
/// The bits of t shifted left by the mantissa width, as a float: with t = y + (1.5 * 2^m + bias)
/// for a small integer y this is 2^y.
template <class S>
inline Scalar<S> shift_to_exponent(Scalar<S> t) {
  return {from_bits<S>(static_cast<typename Bits<S>::type>(to_bits(t.v) << Bits<S>::mantissa))};
}

// ---- AVX2 + FMA ----------------------------------------------------------------------------------
#if defined(__AVX2__) && defined(__FMA__)
struct D4 {
  using scalar = double;
  static constexpr int width = 4;
  __m256d v;
  static D4 load(const double* p) { return {_mm256_loadu_pd(p)}; }
  void store(double* p) const { _mm256_storeu_pd(p, v); }
  static D4 set1(double x) { return {_mm256_set1_pd(x)}; }
  static D4 zero() { return {_mm256_setzero_pd()}; }
  static D4 load_float(const float* p) { return {_mm256_cvtps_pd(_mm_loadu_ps(p))}; }
};
inline D4 operator+(D4 a, D4 b) { return {_mm256_add_pd(a.v, b.v)}; }
inline D4 operator-(D4 a, D4 b) { return {_mm256_sub_pd(a.v, b.v)}; }
inline D4 operator*(D4 a, D4 b) { return {_mm256_mul_pd(a.v, b.v)}; }
inline D4 operator/(D4 a, D4 b) { return {_mm256_div_pd(a.v, b.v)}; }
inline D4 fmadd(D4 a, D4 b, D4 c) { return {_mm256_fmadd_pd(a.v, b.v, c.v)}; }
inline D4 fnmadd(D4 a, D4 b, D4 c) { return {_mm256_fnmadd_pd(a.v, b.v, c.v)}; }
inline D4 min_(D4 a, D4 b) { return {_mm256_min_pd(a.v, b.v)}; }
inline D4 max_(D4 a, D4 b) { return {_mm256_max_pd(a.v, b.v)}; }
inline D4 positive_indicator(D4 a) {
  return {_mm256_and_pd(_mm256_cmp_pd(a.v, _mm256_setzero_pd(), _CMP_GT_OQ), _mm256_set1_pd(1.0))};
}
inline D4 equal_indicator(D4 a, D4 b) {
  return {_mm256_and_pd(_mm256_cmp_pd(a.v, b.v, _CMP_EQ_OQ), _mm256_set1_pd(1.0))};
}
inline bool all_greater_equal(D4 a, D4 b) { return _mm256_movemask_pd(_mm256_cmp_pd(a.v, b.v, _CMP_GE_OQ)) == 0xF; }
inline D4 abs_(D4 a) { return {_mm256_andnot_pd(_mm256_set1_pd(-0.0), a.v)}; }
inline D4 sign_bit(D4 a) { return {_mm256_and_pd(_mm256_set1_pd(-0.0), a.v)}; }
inline D4 bxor(D4 a, D4 b) { return {_mm256_xor_pd(a.v, b.v)}; }
inline D4 shift_to_exponent(D4 t) { return {_mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(t.v), 52))}; }

struct F8 {
  using scalar = float;
  static constexpr int width = 8;
  __m256 v;
  static F8 load(const float* p) { return {_mm256_loadu_ps(p)}; }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  static F8 set1(float x) { return {_mm256_set1_ps(x)}; }
  static F8 zero() { return {_mm256_setzero_ps()}; }
  static F8 load_float(const float* p) { return load(p); }
};
inline F8 operator+(F8 a, F8 b) { return {_mm256_add_ps(a.v, b.v)}; }
inline F8 operator-(F8 a, F8 b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline F8 operator*(F8 a, F8 b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline F8 operator/(F8 a, F8 b) { return {_mm256_div_ps(a.v, b.v)}; }
inline F8 fmadd(F8 a, F8 b, F8 c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline F8 fnmadd(F8 a, F8 b, F8 c) { return {_mm256_fnmadd_ps(a.v, b.v, c.v)}; }
inline F8 min_(F8 a, F8 b) { return {_mm256_min_ps(a.v, b.v)}; }
inline F8 max_(F8 a, F8 b) { return {_mm256_max_ps(a.v, b.v)}; }
inline F8 positive_indicator(F8 a) {
  return {_mm256_and_ps(_mm256_cmp_ps(a.v, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_set1_ps(1.0f))};
}
inline F8 equal_indicator(F8 a, F8 b) {
  return {_mm256_and_ps(_mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ), _mm256_set1_ps(1.0f))};
}
inline bool all_greater_equal(F8 a, F8 b) { return _mm256_movemask_ps(_mm256_cmp_ps(a.v, b.v, _CMP_GE_OQ)) == 0xFF; }
inline F8 abs_(F8 a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline F8 sign_bit(F8 a) { return {_mm256_and_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline F8 bxor(F8 a, F8 b) { return {_mm256_xor_ps(a.v, b.v)}; }
inline F8 shift_to_exponent(F8 t) { return {_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t.v), 23))}; }
#endif

// ---- AVX-512F ------------------------------------------------------------------------------------
#if defined(__AVX512F__)
struct D8 {
  using scalar = double;
  static constexpr int width = 8;
  __m512d v;
  static D8 load(const double* p) { return {_mm512_loadu_pd(p)}; }
  void store(double* p) const { _mm512_storeu_pd(p, v); }
  static D8 set1(double x) { return {_mm512_set1_pd(x)}; }
  static D8 zero() { return {_mm512_setzero_pd()}; }
  static D8 load_float(const float* p) { return {_mm512_cvtps_pd(_mm256_loadu_ps(p))}; }
};
inline D8 operator+(D8 a, D8 b) { return {_mm512_add_pd(a.v, b.v)}; }
inline D8 operator-(D8 a, D8 b) { return {_mm512_sub_pd(a.v, b.v)}; }
inline D8 operator*(D8 a, D8 b) { return {_mm512_mul_pd(a.v, b.v)}; }
inline D8 operator/(D8 a, D8 b) { return {_mm512_div_pd(a.v, b.v)}; }
inline D8 fmadd(D8 a, D8 b, D8 c) { return {_mm512_fmadd_pd(a.v, b.v, c.v)}; }
inline D8 fnmadd(D8 a, D8 b, D8 c) { return {_mm512_fnmadd_pd(a.v, b.v, c.v)}; }
inline D8 min_(D8 a, D8 b) { return {_mm512_min_pd(a.v, b.v)}; }
inline D8 max_(D8 a, D8 b) { return {_mm512_max_pd(a.v, b.v)}; }
inline D8 positive_indicator(D8 a) {
  const __mmask8 m = _mm512_cmp_pd_mask(a.v, _mm512_setzero_pd(), _CMP_GT_OQ);
  return {_mm512_maskz_mov_pd(m, _mm512_set1_pd(1.0))};
}
inline D8 equal_indicator(D8 a, D8 b) {
  return {_mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a.v, b.v, _CMP_EQ_OQ), _mm512_set1_pd(1.0))};
}
inline bool all_greater_equal(D8 a, D8 b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_GE_OQ) == 0xFF; }
inline D8 abs_(D8 a) {
  return {
      _mm512_castsi512_pd(_mm512_andnot_si512(_mm512_castpd_si512(_mm512_set1_pd(-0.0)), _mm512_castpd_si512(a.v)))};
}
inline D8 sign_bit(D8 a) {
  return {_mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(_mm512_set1_pd(-0.0)), _mm512_castpd_si512(a.v)))};
}
inline D8 bxor(D8 a, D8 b) {
  return {_mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a.v), _mm512_castpd_si512(b.v)))};
}
inline D8 shift_to_exponent(D8 t) { return {_mm512_castsi512_pd(_mm512_slli_epi64(_mm512_castpd_si512(t.v), 52))}; }

struct F16 {
  using scalar = float;
  static constexpr int width = 16;
  __m512 v;
  static F16 load(const float* p) { return {_mm512_loadu_ps(p)}; }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  static F16 set1(float x) { return {_mm512_set1_ps(x)}; }
  static F16 zero() { return {_mm512_setzero_ps()}; }
  static F16 load_float(const float* p) { return load(p); }
};
inline F16 operator+(F16 a, F16 b) { return {_mm512_add_ps(a.v, b.v)}; }
inline F16 operator-(F16 a, F16 b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline F16 operator*(F16 a, F16 b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline F16 operator/(F16 a, F16 b) { return {_mm512_div_ps(a.v, b.v)}; }
inline F16 fmadd(F16 a, F16 b, F16 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline F16 fnmadd(F16 a, F16 b, F16 c) { return {_mm512_fnmadd_ps(a.v, b.v, c.v)}; }
inline F16 min_(F16 a, F16 b) { return {_mm512_min_ps(a.v, b.v)}; }
inline F16 max_(F16 a, F16 b) { return {_mm512_max_ps(a.v, b.v)}; }
inline F16 positive_indicator(F16 a) {
  const __mmask16 m = _mm512_cmp_ps_mask(a.v, _mm512_setzero_ps(), _CMP_GT_OQ);
  return {_mm512_maskz_mov_ps(m, _mm512_set1_ps(1.0f))};
}
inline F16 equal_indicator(F16 a, F16 b) {
  return {_mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ), _mm512_set1_ps(1.0f))};
}
inline bool all_greater_equal(F16 a, F16 b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GE_OQ) == 0xFFFF; }
inline F16 abs_(F16 a) {
  return {
      _mm512_castsi512_ps(_mm512_andnot_si512(_mm512_castps_si512(_mm512_set1_ps(-0.0f)), _mm512_castps_si512(a.v)))};
}
inline F16 sign_bit(F16 a) {
  return {_mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(_mm512_set1_ps(-0.0f)), _mm512_castps_si512(a.v)))};
}
inline F16 bxor(F16 a, F16 b) {
  return {_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a.v), _mm512_castps_si512(b.v)))};
}
inline F16 shift_to_exponent(F16 t) { return {_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t.v), 23))}; }
#endif

// ---- the native choice -----------------------------------------------------------------------------
#if defined(__AVX512F__)
using NativeDouble = D8;
using NativeFloat = F16;
inline constexpr const char* kIsaName = "avx512f";
#elif defined(__AVX2__) && defined(__FMA__)
using NativeDouble = D4;
using NativeFloat = F8;
inline constexpr const char* kIsaName = "avx2+fma";
#else
using NativeDouble = Scalar<double>;
using NativeFloat = Scalar<float>;
inline constexpr const char* kIsaName = "scalar";
#endif
/// The vector type the kernels use for scalar type S (double or float) in this build.
template <class S>
using NativeVec = std::conditional_t<std::is_same_v<S, double>, NativeDouble, NativeFloat>;

}  // namespace TRAINSCAPE_SIMD_ABI
}  // namespace trainscape::detail::simd
