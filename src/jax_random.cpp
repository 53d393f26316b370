// JAX-compatible random numbers; the specification is docs/jax-rng.md (its sections are cited
// below by anchor).
//
// This file must be compiled with -ffp-contract=off: the "Plain" erf_inv variants and the float32
// path need a * b + c rounded twice, and g++ would otherwise contract it into an FMA under -mfma.
// Where an FMA is wanted it is written as std::fma. tests/test_jax_random.cpp checks the flag
// through detail::multiply_add_as_compiled.
#include "trainscape/jax_random.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace trainscape {
namespace jax {

namespace {

// ---- Threefry-2x32 (docs/jax-rng.md#threefry-2x32-block) ---------------------------------------

constexpr std::uint32_t kKsParity = 0x1BD11BDAu;  // Skein's key-schedule parity for 32-bit words

inline std::uint32_t rotl32(std::uint32_t v, int r) { return (v << r) | (v >> (32 - r)); }

inline void mix(std::uint32_t& x0, std::uint32_t& x1, int r) {
  x0 += x1;
  x1 = rotl32(x1, r);
  x1 ^= x0;
}

/// Four rounds with the given rotations. Templates keep every rotation a compile-time constant,
/// so that the loops calling block() can be vectorised; the integers are identical to JAX's
/// rolled CPU loop and to its CUDA kernel.
template <int R0, int R1, int R2, int R3>
inline void four_rounds(std::uint32_t& x0, std::uint32_t& x1) {
  mix(x0, x1, R0);
  mix(x0, x1, R1);
  mix(x0, x1, R2);
  mix(x0, x1, R3);
}

/// A key injection: adds (a, b) to the state.
inline void inject(std::uint32_t& x0, std::uint32_t& x1, std::uint32_t a, std::uint32_t b) {
  x0 += a;
  x1 += b;
}

/// Threefry-2x32 with 20 rounds: five groups of four rounds alternating the two rotation sets,
/// each followed by the key injection (k[s+1], k[s+2] + s + 1) of the key schedule k0, k1, k2.
inline void block(std::uint32_t k0, std::uint32_t k1, std::uint32_t& x0, std::uint32_t& x1) {
  const std::uint32_t k2 = k0 ^ k1 ^ kKsParity;
  inject(x0, x1, k0, k1);
  four_rounds<13, 15, 26, 6>(x0, x1);
  inject(x0, x1, k1, k2 + 1u);
  four_rounds<17, 29, 16, 24>(x0, x1);
  inject(x0, x1, k2, k0 + 2u);
  four_rounds<13, 15, 26, 6>(x0, x1);
  inject(x0, x1, k0, k1 + 3u);
  four_rounds<17, 29, 16, 24>(x0, x1);
  inject(x0, x1, k1, k2 + 4u);
  four_rounds<13, 15, 26, 6>(x0, x1);
  inject(x0, x1, k2, k0 + 5u);
}

// JAX hashes iota(count) in one go only while count < 2^32 - 1; beyond that it splits the key and
// hashes in blocks (docs/jax-rng.md#random-bits), which is not implemented. Requests that large
// (>= 16 GiB of output) are refused rather than answered with a stream JAX would not produce.
constexpr std::uint64_t kMaxWords = 0xFFFFFFFFull;  // exclusive bound on the 32-bit word count

void check_word_count(std::uint64_t words, const char* what) {
  if (words >= kMaxWords) {
    throw std::length_error(std::string("trainscape::jax::") + what + ": " + std::to_string(words) +
                            " 32-bit words requested; JAX's multi-block scheme for 2^32 - 1 or more "
                            "is not implemented");
  }
}

// threefry_2x32(key, iota(count)) (docs/jax-rng.md#hashing-a-counter-array), the only counts
// JAX's bits and split use:
// element i < h is block(key, (i, h + i)).y0 and element h + i its y1, h = ceil(count / 2); an odd
// count pads the upper half with a 0 counter and drops the last y1.
std::vector<std::uint32_t> hash_iota(const Key& key, std::uint64_t count, const char* what) {
  check_word_count(count, what);
  const auto n = static_cast<std::uint32_t>(count);
  const std::uint32_t h = n / 2u + n % 2u;
  std::vector<std::uint32_t> out(n);
  for (std::uint32_t i = 0; i < h; ++i) {
    std::uint32_t x0 = i;
    std::uint32_t x1 = h + i < n ? h + i : 0u;
    block(key[0], key[1], x0, x1);
    out[i] = x0;
    if (h + i < n) out[h + i] = x1;
  }
  return out;
}

// ---- float64 erf_inv (docs/jax-rng.md#erf_inv) -------------------------------------------------

// Coefficients exactly as the decimal literals in XLA's ErfInv64, highest degree first
// (docs/jax-rng.md#erf_inv).
constexpr double kErfInvA[23] = {  // w < 6.25, t = w - 3.125
    -3.6444120640178196996e-21, -1.685059138182016589e-19,  1.2858480715256400167e-18,  1.115787767802518096e-17,
    -1.333171662854620906e-16,  2.0972767875968561637e-17,  6.6376381343583238325e-15,  -4.0545662729752068639e-14,
    -8.1519341976054721522e-14, 2.6335093153082322977e-12,  -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09,   -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
    -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352,   -0.00074070253416626697512,
    -0.0060336708714301490533,  0.24015818242558961693,     1.6536545626831027356};
constexpr double kErfInvB[19] = {  // 6.25 <= w < 16, t = sqrt(w) - 3.25
    2.2137376921775787049e-09,  9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
    1.5027403968909827627e-06,  -4.013867526981545969e-06, 2.9234449089955446044e-06,  1.2475304481671778723e-05,
    -4.7318229009055733981e-05, 6.8284851459573175448e-05, 2.4031110387097893999e-05,  -0.0003550375203628474796,
    0.00095328937973738049703,  -0.0016882755560235047313, 0.0024914420961078508066,   -0.0037512085075692412107,
    0.005370914553590063617,    1.0052589676941592334,     3.0838856104922207635};
constexpr double kErfInvC[17] = {  // w >= 16, t = sqrt(w) - 5
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,  -3.7894654401267369937e-09,
    7.6157012080783393804e-09,  -1.4960026627149240478e-08, 2.9147953450901080826e-08,  -6.7711997758452339498e-08,
    2.2900482228026654717e-07,  -9.9298272942317002539e-07, 4.5260625972231537039e-06,  -1.9681778105531670567e-05,
    7.5995277030017761139e-05,  -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
    4.8499064014085844221};

// XLA's CPU log1p (docs/jax-rng.md#erf_inv-variants), Cephes' rational approximation, highest
// degree first; EvaluatePolynomial starts from 0 and does poly = poly * x + c for each.
constexpr double kLog1pNumerator[7] = {
    4.5270000862445199635215E-5, 4.9854102823193375972212E-1, 6.5787325942061044846969E0, 2.9911919328553073277375E1,
    6.0949667980987787057556E1,  5.7112963590585538103336E1,  2.0039553499201281259648E1};
constexpr double kLog1pDenominator[7] = {1.0,
                                         1.5062909083469192043167E1,
                                         8.3047565967967209469434E1,
                                         2.2176239823732856465394E2,
                                         3.0909872225312059774938E2,
                                         2.1642788614495947685003E2,
                                         6.0118660497603843919306E1};

template <std::size_t N>
double horner(const double (&c)[N], double t, bool fused) {
  double p = c[0];
  if (fused) {
    for (std::size_t i = 1; i < N; ++i) p = std::fma(p, t, c[i]);
  } else {
    for (std::size_t i = 1; i < N; ++i) p = p * t + c[i];  // two roundings (-ffp-contract=off)
  }
  return p;
}

bool uses_fma(ErfInvVariant v) { return v == ErfInvVariant::LibmFma || v == ErfInvVariant::CephesFma; }
bool uses_cephes(ErfInvVariant v) { return v == ErfInvVariant::CephesPlain || v == ErfInvVariant::CephesFma; }

constexpr double kSqrt2 = 0x1.6a09e667f3bcdp+0;  // float64(np.sqrt(2)) = 1.4142135623730951
// nextafter(-1.0, 0.0) = -1 + 2^-53: normal()'s lower bound, so that erf_inv never sees -1.
constexpr double kNormalLo = -0x1.fffffffffffffp-1;

double bits_to_double(std::uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

float bits_to_float(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// ---- randint (docs/jax-rng.md#random-integers) -------------------------------------------------

// XLA's remainder defines x % 0 == x; only reachable when the span wrapped to 0.
template <typename U>
U xla_rem(U x, U m) {
  return m == 0 ? x : static_cast<U>(x % m);
}

// The unsigned core of _randint for one word width: offsets in [0, span) (or the raw wrapped value
// when span wrapped to 0), from the high and low words of the two subkeys.
template <typename U>
std::vector<U> randint_offsets(const std::vector<U>& higher, const std::vector<U>& lower, U span) {
  constexpr unsigned kHalfBits = static_cast<unsigned>(sizeof(U)) * 4u;
  U mult = xla_rem(static_cast<U>(U{1} << kHalfBits), span);  // 2^(nbits/2) % span
  mult = xla_rem(static_cast<U>(mult * mult), span);          // 2^nbits % span, without overflow
  std::vector<U> off(higher.size());
  for (std::size_t i = 0; i < off.size(); ++i) {
    const U hi = static_cast<U>(xla_rem(higher[i], span) * mult);
    off[i] = xla_rem(static_cast<U>(hi + xla_rem(lower[i], span)), span);
  }
  return off;
}

}  // namespace

// ---- keys, hashing, bits -------------------------------------------------------------------------

Words2 threefry2x32(const Key& key, const Words2& counter) {
  std::uint32_t x0 = counter[0], x1 = counter[1];
  block(key[0], key[1], x0, x1);
  return {x0, x1};
}

std::vector<std::uint32_t> threefry_2x32(const Key& key, const std::vector<std::uint32_t>& count) {
  check_word_count(count.size(), "threefry_2x32");
  const std::size_t n = count.size();
  const std::size_t h = n / 2 + n % 2;
  std::vector<std::uint32_t> out(n);
  for (std::size_t i = 0; i < h; ++i) {
    std::uint32_t x0 = count[i];
    std::uint32_t x1 = h + i < n ? count[h + i] : 0u;
    block(key[0], key[1], x0, x1);
    out[i] = x0;
    if (h + i < n) out[h + i] = x1;
  }
  return out;
}

Key prng_key_from_bits(std::uint64_t bits) {
  return {static_cast<std::uint32_t>(bits >> 32), static_cast<std::uint32_t>(bits & 0xFFFFFFFFu)};
}

Key prng_key(std::int64_t seed) { return prng_key_from_bits(static_cast<std::uint64_t>(seed)); }

std::vector<Key> split(const Key& key, std::size_t num) {
  if (num >= (std::size_t{1} << 31)) {
    throw std::length_error("trainscape::jax::split: num = " + std::to_string(num) + " must be below 2^31");
  }
  const std::vector<std::uint32_t> out = hash_iota(key, 2 * static_cast<std::uint64_t>(num), "split");
  std::vector<Key> keys(num);
  for (std::size_t j = 0; j < num; ++j) keys[j] = {out[2 * j], out[2 * j + 1]};
  return keys;
}

Key fold_in(const Key& key, std::uint32_t data) { return threefry2x32(key, {0u, data}); }

std::vector<std::uint32_t> random_bits32(const Key& key, std::size_t n) { return hash_iota(key, n, "random_bits32"); }

std::vector<std::uint64_t> random_bits64(const Key& key, std::size_t n) {
  // 2n words; the high half of word i is y0 and the low half y1 of the same block (i, n + i).
  check_word_count(2 * static_cast<std::uint64_t>(n), "random_bits64");
  const auto m = static_cast<std::uint32_t>(n);
  std::vector<std::uint64_t> out(n);
  for (std::uint32_t i = 0; i < m; ++i) {
    std::uint32_t x0 = i, x1 = m + i;
    block(key[0], key[1], x0, x1);
    out[i] = (static_cast<std::uint64_t>(x0) << 32) | x1;
  }
  return out;
}

namespace {
// 8- and 16-bit words: each 32-bit word cut into sub-words, least significant first
// (docs/jax-rng.md#random-bits).
template <typename U>
std::vector<U> random_bits_narrow(const Key& key, std::size_t n, const char* what) {
  constexpr std::size_t kPerWord = 4 / sizeof(U);
  const std::vector<std::uint32_t> words =
      hash_iota(key, (static_cast<std::uint64_t>(n) + kPerWord - 1) / kPerWord, what);
  std::vector<U> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<U>(words[i / kPerWord] >> (8 * sizeof(U) * (i % kPerWord)));
  }
  return out;
}
}  // namespace

std::vector<std::uint8_t> random_bits8(const Key& key, std::size_t n) {
  return random_bits_narrow<std::uint8_t>(key, n, "random_bits8");
}

std::vector<std::uint16_t> random_bits16(const Key& key, std::size_t n) {
  return random_bits_narrow<std::uint16_t>(key, n, "random_bits16");
}

// ---- floats ------------------------------------------------------------------------------------

double unit_interval_from_bits(std::uint64_t bits) {
  return bits_to_double((bits >> 12) | 0x3FF0000000000000ull) - 1.0;
}

std::vector<double> uniform_f64(const Key& key, std::size_t n, double minval, double maxval) {
  const std::vector<std::uint64_t> bits = random_bits64(key, n);
  const double span = maxval - minval;
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = unit_interval_from_bits(bits[i]) * span + minval;  // rounded twice
    out[i] = std::fmax(minval, v);  // lax.max: rounding must not take the result below minval
  }
  return out;
}

double xla_cpu_log1p(double v, bool fused) {
  if (!(std::fabs(v) < 0.41421356237309504880)) return std::log(v + 1.0);  // also NaN
  // XLA evaluates N and D by Horner from 0 (the first step is exact either way), then
  // v + (-0.5 v^2 + (v v^2)(N / D)). Under FMA fusion LLVM contracts each polynomial step and
  // the first single-use product of the fadd, -0.5 v^2 (UNCONFIRMED at the pinned revision).
  const double v2 = v * v;
  const double ratio = horner(kLog1pNumerator, v, fused) / horner(kLog1pDenominator, v, fused);
  const double cubic = (v * v2) * ratio;
  const double inner = fused ? std::fma(-0.5, v2, cubic) : -0.5 * v2 + cubic;
  return v + inner;
}

double erf_inv_f64(double x, ErfInvVariant variant) {
  if (std::fabs(x) == 1.0) return x * std::numeric_limits<double>::infinity();
  // x * x is rounded before log1p: XLA forms w = -log1p(x * -x), not -log((1 - x)(1 + x)).
  const double v = x * -x;
  const double w = -(uses_cephes(variant) ? xla_cpu_log1p(v, uses_fma(variant)) : std::log1p(v));
  const bool fused = uses_fma(variant);
  // XLA evaluates all three branches with selects; for finite w that equals Horner over the
  // selected table. NaN w (|x| > 1 or NaN x) falls through to the last branch, as with selects.
  double p;
  if (w < 6.25) {
    p = horner(kErfInvA, w - 3.125, fused);
  } else if (w < 16.0) {
    p = horner(kErfInvB, std::sqrt(w) - 3.25, fused);
  } else {
    p = horner(kErfInvC, std::sqrt(w) - 5.0, fused);
  }
  return p * x;
}

double normal_from_bits(std::uint64_t bits, ErfInvVariant variant) {
  // 1 - kNormalLo = 2 - 2^-53 rounds to exactly 2, f * 2 is exact and f * 2 + kNormalLo is
  // representable, so u is exact whether or not XLA fused it, and max(kNormalLo, u) never clamps.
  const double u = unit_interval_from_bits(bits) * 2.0 + kNormalLo;
  return kSqrt2 * erf_inv_f64(u, variant);
}

std::vector<double> normal_f64(const Key& key, std::size_t n, ErfInvVariant variant) {
  const std::vector<std::uint64_t> bits = random_bits64(key, n);
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = normal_from_bits(bits[i], variant);
  return out;
}

// ---- randint -------------------------------------------------------------------------------------

std::vector<std::int64_t> randint_i64(const Key& key, std::size_t n, std::int64_t minval, std::int64_t maxval) {
  const std::vector<Key> k = split(key, 2);
  const std::vector<std::uint64_t> higher = random_bits64(k[0], n);
  const std::vector<std::uint64_t> lower = random_bits64(k[1], n);
  // maxval cannot exceed INT64_MAX here, so JAX's out-of-range widening never applies.
  const std::uint64_t span = maxval <= minval ? 1u
                                              : static_cast<std::uint64_t>(maxval) - static_cast<std::uint64_t>(minval);
  const std::vector<std::uint64_t> off = randint_offsets(higher, lower, span);
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    // minval + offset in two's complement; the result is < maxval, so it does not wrap.
    out[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(minval) + off[i]);
  }
  return out;
}

std::vector<std::int32_t> randint_i32(const Key& key, std::size_t n, std::int64_t minval, std::int64_t maxval) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
  const bool maxval_out_of_range = maxval > kMax;
  const std::int64_t lo = minval < kMin ? kMin : (minval > kMax ? kMax : minval);
  const std::int64_t hi = maxval < kMin ? kMin : (maxval > kMax ? kMax : maxval);
  const std::vector<Key> k = split(key, 2);
  const std::vector<std::uint32_t> higher = random_bits32(k[0], n);
  const std::vector<std::uint32_t> lower = random_bits32(k[1], n);
  std::uint32_t span = hi <= lo ? 1u : static_cast<std::uint32_t>(hi - lo);
  // The true span 2^32 is not representable; JAX adds one and lets it wrap to 0 in the extreme case.
  if (maxval_out_of_range && hi > lo) span = static_cast<std::uint32_t>(span + 1u);
  const std::vector<std::uint32_t> off = randint_offsets(higher, lower, span);
  std::vector<std::int32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<std::uint32_t>(lo) + off[i]);
    out[i] = static_cast<std::int32_t>(v);  // two's complement (modular since C++20, GCC always)
  }
  return out;
}

// ---- float32 (x32 mode, for JAX's float32 known answers only) --------------------------------------

std::vector<float> uniform_f32(const Key& key, std::size_t n, float minval, float maxval) {
  const std::vector<std::uint32_t> bits = random_bits32(key, n);
  const float span = maxval - minval;
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float f = bits_to_float((bits[i] >> 9) | 0x3F800000u) - 1.0f;
    out[i] = std::fmax(minval, f * span + minval);
  }
  return out;
}

float erf_inv_f32(float x) {
  // docs/jax-rng.md#float32: XLA's ErfInv32 (Giles' single-precision version), every step
  // rounded to float32.
  constexpr float kLt5[9] = {2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f, 0.00021858087f,
                             -0.00125372503f, -0.00417768164f, 0.246640727f,    1.50140941f};
  constexpr float kGe5[9] = {-0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f, 0.00573950773f,
                             -0.0076224613f,   0.00943887047f,  1.00167406f,    2.83297682f};
  const float v = -(x * x);
  const float w = -static_cast<float>(std::log1p(static_cast<double>(v)));
  const float* c = kLt5;
  float t = w - 2.5f;
  if (!(w < 5.0f)) {
    c = kGe5;
    t = static_cast<float>(std::sqrt(static_cast<double>(w))) - 3.0f;
  }
  float p = c[0];
  for (int i = 1; i < 9; ++i) p = p * t + c[i];  // two roundings (-ffp-contract=off)
  return p * x;
}

std::vector<float> normal_f32(const Key& key, std::size_t n) {
  constexpr float kLo = -0x1.fffffep-1f;     // nextafter(-1.0f, 0.0f) = -1 + 2^-24
  constexpr float kSqrt2f = 0x1.6a09e6p+0f;  // float32(np.sqrt(2)) = 1.41421354f
  const std::vector<float> u = uniform_f32(key, n, kLo, 1.0f);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = kSqrt2f * erf_inv_f32(u[i]);
  return out;
}

namespace detail {
double multiply_add_as_compiled(double a, double b, double c) { return a * b + c; }
}  // namespace detail

}  // namespace jax

// ---- the notebook's call sequence (docs/jax-rng.md#problem-draws) ----------------------------------

namespace {

DrawnMatrix draw_normal(const jax::Key& key, int rows, int cols, jax::ErfInvVariant variant) {
  if (rows < 0 || cols < 0) {
    throw std::invalid_argument("JaxRandomness: matrix shape " + std::to_string(rows) + " x " + std::to_string(cols) +
                                " is negative");
  }
  DrawnMatrix m;
  m.rows = rows;
  m.cols = cols;
  // normal(key, (rows, cols)) is normal(key, (rows * cols,)) reshaped row-major.
  m.values = jax::normal_f64(key, static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), variant);
  return m;
}

}  // namespace

std::int64_t JaxRandomness::minibatch_seed() const {
  // Unsigned arithmetic so that the wrap at INT64_MAX is defined; converting back is modular
  // (guaranteed since C++20, and what GCC and Clang always do).
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(seed_) + 42u);
}

std::int64_t JaxRandomness::probe_seed() const {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(seed_) - 1234567u);
}

ProblemDraw JaxRandomness::draw_problem(const std::vector<std::pair<int, int>>& weight_shapes, int n_data,
                                        int input_dim, int target_dim) const {
  ProblemDraw draw;
  jax::Key rng = jax::prng_key(seed_);
  // rng, srng = split(rng); init(srng) splits srng into one key per layer.
  std::vector<jax::Key> pair = jax::split(rng);
  rng = pair[0];
  const std::vector<jax::Key> layer_keys = jax::split(pair[1], weight_shapes.size());
  for (std::size_t l = 0; l < weight_shapes.size(); ++l) {
    draw.weights.push_back(draw_normal(layer_keys[l], weight_shapes[l].first, weight_shapes[l].second, variant_));
  }
  pair = jax::split(rng);
  rng = pair[0];
  draw.inputs = draw_normal(pair[1], n_data, input_dim, variant_);
  pair = jax::split(rng);
  draw.targets = draw_normal(pair[1], n_data, target_dim, variant_);
  return draw;
}

std::vector<std::vector<int>> JaxRandomness::minibatch_indices(int steps, int batch, int n_data) const {
  if (steps < 0 || batch < 0) {
    throw std::invalid_argument("JaxRandomness::minibatch_indices: steps = " + std::to_string(steps) +
                                " and batch = " + std::to_string(batch) + " must not be negative");
  }
  if (n_data < 1) {
    throw std::invalid_argument("JaxRandomness::minibatch_indices: n_data = " + std::to_string(n_data) +
                                " must be at least 1");
  }
  // The keys depend on the number of steps: split(PRNGKey(42), steps) for the notebook.
  const std::vector<jax::Key> step_keys = jax::split(jax::prng_key(minibatch_seed()), static_cast<std::size_t>(steps));
  std::vector<std::vector<int>> indices(static_cast<std::size_t>(steps));
  for (std::size_t t = 0; t < step_keys.size(); ++t) {
    // randint(key_t, (batch,), 0, n_data) with dtype int, which is int64 in x64 mode.
    const std::vector<std::int64_t> drawn = jax::randint_i64(step_keys[t], static_cast<std::size_t>(batch), 0, n_data);
    indices[t].resize(drawn.size());
    for (std::size_t b = 0; b < drawn.size(); ++b) indices[t][b] = static_cast<int>(drawn[b]);  // < n_data
  }
  return indices;
}

DrawnMatrix JaxRandomness::probe_input(int input_dim) const {
  // X_probe = normal(PRNGKey(-1234567), (1, d)): drawn from the seeded key directly, without a split.
  return draw_normal(jax::prng_key(probe_seed()), 1, input_dim, variant_);
}

}  // namespace trainscape
