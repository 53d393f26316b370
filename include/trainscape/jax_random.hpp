#pragma once
/// JAX-compatible random numbers (data.rng: jax): the integers and doubles that
/// jax.random produced for the paper's notebook, so that trainscape can start from exactly the
/// notebook's weights, data and minibatches. The specification is docs/jax-rng.md.
///
/// What is reproduced: JAX 0.4.23 - 0.4.26 with jax_enable_x64=True, the default threefry2x32 PRNG,
/// jax_threefry_partitionable=False (the default until JAX 0.5.0) and legacy raw uint32[2] keys
/// (jax.random.PRNGKey). JAX >= 0.5.0 defaults to partitionable threefry and gives different
/// streams (docs/jax-rng.md#scope).
///
/// How exact it is:
///  * Keys, split, fold_in, random bits and randint are integer functions, identical on every JAX
///    backend; they are reproduced bit for bit (docs/jax-rng.md#keys to
///    docs/jax-rng.md#random-bits, and docs/jax-rng.md#random-integers; checked against JAX's
///    published values).
///  * uniform_f64 on [0, 1) and the uniform stage of normal_f64 are exact in binary64 whatever the
///    backend (docs/jax-rng.md#uniform-doubles, docs/jax-rng.md#normal-doubles).
///  * normal_f64 adds XLA's float64 erf_inv, whose last bits depend on the backend that ran the
///    notebook, which is UNCONFIRMED (docs/jax-rng.md#erf_inv-variants, docs/jax-rng.md#limits):
///    the log1p it used (CUDA libdevice on a GPU, an inlined Cephes expansion on XLA:CPU) and
///    whether XLA's LLVM fused the Horner multiply-adds. ErfInvVariant names the candidates. The
///    published float64 values (docs/jax-rng.md#known-answers) are matched by all of them;
///    between them the results differ by a few ulp in some entries (up to ~30 ulp for the Cephes
///    log1p). No variant is claimed to be bit-identical to the original Colab run, and the
///    notebook-specific doubles the tests pin (docs/jax-rng.md#known-answers) come from an
///    independent model of docs/jax-rng.md, not from a JAX run.
///
/// Failure behaviour: the functions are pure and thread-safe. Requests that JAX would serve with
/// its multi-block scheme (2^32 - 1 or more 32-bit words from one call, i.e. about 2^31 doubles;
/// docs/jax-rng.md#random-bits) are not implemented and throw std::length_error, as does split
/// with num >= 2^31.
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "trainscape/random.hpp"

namespace trainscape {
namespace jax {

/// A raw JAX key, jax.random.PRNGKey's uint32[2]: {word 0, word 1}.
using Key = std::array<std::uint32_t, 2>;
/// A counter pair fed to, or the pair coming out of, one Threefry-2x32 block.
using Words2 = std::array<std::uint32_t, 2>;

/// The Threefry-2x32 block function with 20 rounds (Random123;
/// docs/jax-rng.md#threefry-2x32-block): key (k0, k1), counter (x0, x1) -> (y0, y1).
Words2 threefry2x32(const Key& key, const Words2& counter);

/// jax.prng.threefry_2x32(key, count) on a flat array (docs/jax-rng.md#hashing-a-counter-array):
/// odd lengths are padded with one 0, the two HALVES (not interleaved pairs) are fed to the
/// blocks, the output is y0s then y1s, truncated to the input length. Throws std::length_error
/// if count.size() >= 2^32 - 1.
std::vector<std::uint32_t> threefry_2x32(const Key& key, const std::vector<std::uint32_t>& count);

/// jax.random.PRNGKey(seed) for a Python int seed in x64 mode (docs/jax-rng.md#keys): the high
/// and the low 32 bits of the two's complement int64, so PRNGKey(-1) = (0xFFFFFFFF, 0xFFFFFFFF).
/// Every seed JAX accepts is covered: with x64 on, JAX converts the Python int with np.int64 and
/// raises OverflowError outside [-2^63, 2^63), so larger Python ints have no key to reproduce.
/// (x32 mode, which truncates to 32 bits and gives (0, seed mod 2^32), is not the notebook's case.)
Key prng_key(std::int64_t seed);

/// PRNGKey of a NumPy uint64 (or int64 viewed as its bit pattern) seed: (bits >> 32, bits & 2^32-1).
Key prng_key_from_bits(std::uint64_t bits);

/// jax.random.split(key, num), non-partitionable (docs/jax-rng.md#split-and-fold-in): the rows of
/// threefry_2x32(key, iota(2 num)). The keys depend on num: split(k, 100)[0] != split(k, 1000)[0].
/// Throws std::length_error if num >= 2^31.
std::vector<Key> split(const Key& key, std::size_t num = 2);

/// jax.random.fold_in(key, data) (docs/jax-rng.md#split-and-fold-in): block(key, (0, data))
/// taken as a key.
Key fold_in(const Key& key, std::uint32_t data);

/// jax.random.bits / the internal random_bits(key, width, (n,)), non-partitionable
/// (docs/jax-rng.md#random-bits), for the unsigned dtypes of 8, 16, 32 and 64 bits. Any shape is
/// its row-major flattening: pass n = prod(shape). Throws std::length_error when
/// ceil(width * n / 32) >= 2^32 - 1 (JAX's multi-block case, not implemented).
std::vector<std::uint8_t> random_bits8(const Key& key, std::size_t n);
std::vector<std::uint16_t> random_bits16(const Key& key, std::size_t n);
std::vector<std::uint32_t> random_bits32(const Key& key, std::size_t n);
std::vector<std::uint64_t> random_bits64(const Key& key, std::size_t n);

/// One 64-bit random word -> jax.random.uniform's float64 in [0, 1): the top 52 bits as the
/// mantissa of a double in [1, 2), minus 1 (docs/jax-rng.md#uniform-doubles). Exact.
double unit_interval_from_bits(std::uint64_t bits);

/// jax.random.uniform(key, (n,), float64, minval, maxval) (docs/jax-rng.md#uniform-doubles):
/// max(minval, f * (maxval - minval) + minval) with f = unit_interval_from_bits(bits).
/// The product and the sum are rounded separately. When maxval - minval is a power of two (as for
/// [0, 1) and for normal()'s interval) the product is exact, so this equals what XLA computes
/// with or without FMA fusion; for other bounds XLA may have fused the two into one FMA, which can
/// move the result by 1 ulp (docs/jax-rng.md#uniform-doubles, docs/jax-rng.md#erf_inv-variants).
std::vector<double> uniform_f64(const Key& key, std::size_t n, double minval = 0.0, double maxval = 1.0);

/// Which last-bit behaviour of XLA's float64 erf_inv to reproduce
/// (docs/jax-rng.md#erf_inv-variants). Two independent choices: the log1p in w = -log1p(-x*x),
/// and whether each Horner step p*t + c is rounded twice (Plain) or once (Fma, a hardware fused
/// multiply-add).
enum class ErfInvVariant {
  /// std::log1p, plain Horner: the plain reference model (the `libm_plain` values of
  /// docs/jax-rng.md#known-answers).
  LibmPlain,
  /// std::log1p, FMA Horner: models a notebook run on a CUDA GPU (XLA:GPU builds LLVM with FMA
  /// fusion; libdevice's log1p agrees with glibc's except in rare last bits).
  LibmFma,
  /// XLA:CPU's own log1p (a Cephes rational expansion for |v| < sqrt(2) - 1, else log(1 + v)),
  /// plain Horner.
  CephesPlain,
  /// XLA:CPU's own log1p with FMA Horner (and FMA wherever XLA:CPU's LLVM very probably fused
  /// inside that log1p): models XLA:CPU on an FMA-capable host.
  CephesFma,
};

/// The variant JaxRandomness uses unless told otherwise: LibmFma
/// (docs/jax-rng.md#erf_inv-variants), because the notebook very probably ran on a Colab GPU
/// (UNCONFIRMED: docs/jax-rng.md#limits).
inline constexpr ErfInvVariant kDefaultErfInvVariant = ErfInvVariant::LibmFma;

/// log1p(v) as XLA:CPU emits it for float64 (docs/jax-rng.md#erf_inv-variants; the CephesPlain /
/// CephesFma variants): for |v| < 0.41421356237309504880, v + (-0.5 v^2 + (v v^2) N(v)/D(v))
/// with Cephes' degree-6 polynomials, else std::log(1 + v) with 1 + v rounded first. Outside
/// Cephes' design interval, v in (-0.414, -0.293), it is off by up to ~126 ulp, as XLA:CPU is.
/// `fused` contracts the multiply-adds as XLA:CPU's LLVM very probably did (each polynomial step,
/// and the -0.5 v^2 term); the exact contraction points at the pinned XLA revision are
/// UNCONFIRMED.
double xla_cpu_log1p(double v, bool fused);

/// XLA's float64 erf_inv (M. Giles' double-precision approximation, xla/client/lib/math.cc
/// ErfInv64 and its CHLO decomposition; docs/jax-rng.md#erf_inv): w = -log1p(-(x*x));
/// t = w - 3.125 (w < 6.25), sqrt(w) - 3.25 (w < 16) or sqrt(w) - 5; p = Horner over the
/// 23 / 19 / 17 coefficients of that branch; result p * x. erf_inv(+-1) = +-inf; |x| > 1 and
/// NaN give NaN.
double erf_inv_f64(double x, ErfInvVariant variant = kDefaultErfInvVariant);

/// One 64-bit random word -> jax.random.normal's float64 (docs/jax-rng.md#normal-doubles):
/// u = f * 2 + (-1 + 2^-53), exactly (4k + 1 - 2^53) 2^-53 with k = bits >> 12, so u is never 0 or
/// +-1; then sqrt(2) * erf_inv(u) with sqrt(2) = 0x3FF6A09E667F3BCD.
double normal_from_bits(std::uint64_t bits, ErfInvVariant variant = kDefaultErfInvVariant);

/// jax.random.normal(key, (n,), float64) (docs/jax-rng.md#normal-doubles): normal_from_bits over
/// random_bits64(key, n).
std::vector<double> normal_f64(const Key& key, std::size_t n, ErfInvVariant variant = kDefaultErfInvVariant);

/// jax.random.randint(key, (n,), minval, maxval, int64) in x64 mode
/// (docs/jax-rng.md#random-integers): k1, k2 = split(key); 64-bit words from each;
/// offset = ((hi % span) * (2^64 mod span) + lo % span) % span, all mod 2^64,
/// span = maxval - minval. Results lie in [minval, maxval); if maxval <= minval every result is
/// minval (JAX's behaviour, not an error). A Python maxval above INT64_MAX, which JAX clips and
/// widens the span for, cannot be passed here.
std::vector<std::int64_t> randint_i64(const Key& key, std::size_t n, std::int64_t minval, std::int64_t maxval);

/// The same for dtype int32 (32-bit words, multiplier 2^32 mod span). The bounds are Python ints
/// up to 64 bits: they are clipped to int32 as JAX does, and maxval > INT32_MAX widens the span
/// by one so that INT32_MAX itself can be drawn.
std::vector<std::int32_t> randint_i32(const Key& key, std::size_t n, std::int64_t minval, std::int64_t maxval);

/// jax.random.uniform / normal in float32 (x32 mode; docs/jax-rng.md#float32). Only there to
/// reproduce JAX's published float32 values (checked in tests/test_jax_random.cpp), which they
/// do; not used by trainscape. Every operation is rounded to float32, with log1p and sqrt taken
/// as the float32 rounding of the double result, as in the independent reference model the
/// tests' derived values come from; that is not claimed to be XLA's float32 log1p.
std::vector<float> uniform_f32(const Key& key, std::size_t n, float minval = 0.0f, float maxval = 1.0f);
float erf_inv_f32(float x);
std::vector<float> normal_f32(const Key& key, std::size_t n);

namespace detail {
/// a * b + c as this translation unit compiles it. src/jax_random.cpp must be built with
/// -ffp-contract=off, so this must differ from std::fma(a, b, c) whenever the two roundings
/// differ; the tests check that, because a silently fused "plain" Horner gives FMA results.
double multiply_add_as_compiled(double a, double b, double c);
}  // namespace detail

}  // namespace jax

/// The JAX-compatible problem generator (data.rng: jax), replaying the notebook's calls
/// (docs/jax-rng.md#problem-draws):
///   rng = PRNGKey(seed); rng, s = split(rng); lk = split(s, L);
///   W_l = normal(lk[l], weight_shapes[l])                      (shapes as given, {fan_in, fan_out})
///   rng, s = split(rng); X = normal(s, (n_data, input_dim))
///   rng, s = split(rng); Y = normal(s, (n_data, target_dim))
///   minibatches: keys = split(PRNGKey(seed + 42), steps); step t: randint(keys[t], (batch,), 0, n_data)
///   probe input: normal(PRNGKey(seed - 1234567), (1, input_dim)), no split
/// With seed 0 these are the notebook's PRNGKey(0), PRNGKey(42) and PRNGKey(-1234567). For other
/// seeds the minibatch and probe seeds are offset by the same amounts, wrapping at the ends of
/// int64 (a trainscape choice: the notebook has no seed parameter), so one seed still names the
/// whole problem. The notebook evaluates the probe inside jit; if XLA constant-folded that draw
/// with host math its last bits could differ from any variant here (UNCONFIRMED;
/// docs/jax-rng.md#problem-draws).
/// Everything is float64, entries N(0, 1), row-major as in DrawnMatrix. Because JAX draws a whole
/// array at once, a matrix depends on its shape: X for N = 272 and for N = 16 share no values, and
/// the step keys depend on `steps`.
/// Throws std::invalid_argument for negative sizes or n_data < 1 with minibatches, and
/// std::length_error for arrays of 2^31 or more entries.
class JaxRandomness final : public ProblemRandomness {
 public:
  explicit JaxRandomness(std::int64_t seed, jax::ErfInvVariant variant = jax::kDefaultErfInvVariant)
      : seed_(seed), variant_(variant) {}

  ProblemDraw draw_problem(const std::vector<std::pair<int, int>>& weight_shapes, int n_data, int input_dim,
                           int target_dim) const override;
  std::vector<std::vector<int>> minibatch_indices(int steps, int batch, int n_data) const override;
  DrawnMatrix probe_input(int input_dim) const override;

  std::int64_t seed() const { return seed_; }
  jax::ErfInvVariant variant() const { return variant_; }
  /// The seed of the minibatch keys: seed + 42, wrapping at the ends of int64.
  std::int64_t minibatch_seed() const;
  /// The seed of the probe input's key: seed - 1234567, wrapping at the ends of int64.
  std::int64_t probe_seed() const;

 private:
  std::int64_t seed_;
  jax::ErfInvVariant variant_;
};

}  // namespace trainscape
