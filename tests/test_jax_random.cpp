// JAX-compatible random numbers (include/trainscape/jax_random.hpp) against the known answers of
// docs/jax-rng.md#known-answers (and spot values for docs/jax-rng.md#keys,
// docs/jax-rng.md#split-and-fold-in, docs/jax-rng.md#erf_inv and docs/jax-rng.md#problem-draws).
//
// Where the expected values come from, and how exactly they are compared:
//  * [KAT] values printed by JAX (its documentation) or asserted by JAX's own tests: integers
//    bit-exact; float64 bit-exact (they are exact, and all erf_inv variants reproduce them:
//    docs/jax-rng.md#known-answers); float32 (docs/jax-rng.md#float32) to the 6 printed decimals,
//    or bit-exact after float32 rounding where JAX printed enough digits to identify the float32.
//  * [DERIVED] values computed with an independent Python model of the specification in
//    docs/jax-rng.md (a reference transcription kept outside this repository; the tests call it
//    the reference model, `r.` below) and recorded here, and extra vectors generated with it.
//    Integers and the uniform stage are exact on any platform. Float64 normals go through log1p;
//    the model used Python's math.log1p, i.e. glibc's, so on glibc they must match bit for bit.
//    Another libm may round log1p differently in the last bit, which moves a normal by at most
//    ~3 ulp (docs/jax-rng.md#erf_inv-variants); kModelUlps allows that and nothing more.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "trainscape/jax_random.hpp"

using namespace trainscape;
using jax::ErfInvVariant;
using jax::Key;

namespace {

#if defined(__GLIBC__)
constexpr std::int64_t kModelUlps = 0;
#else
constexpr std::int64_t kModelUlps = 4;
#endif

constexpr ErfInvVariant kAllVariants[] = {ErfInvVariant::LibmPlain, ErfInvVariant::LibmFma, ErfInvVariant::CephesPlain,
                                          ErfInvVariant::CephesFma};

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

std::uint32_t bits_of(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Distance in units in the last place between two finite doubles (monotone integer mapping).
std::int64_t ulps(double a, double b) {
  auto key = [](double x) {
    const auto i = static_cast<std::int64_t>(bits_of(x));
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
  };
  const std::int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

// A float64 value of the reference model: bit-exact on glibc (see the file comment).
void check_model(double got, double want) {
  INFO("got " << got << " (0x" << std::hex << bits_of(got) << "), want " << want << " (0x" << bits_of(want) << ")"
              << std::dec);
  CHECK(ulps(got, want) <= kModelUlps);
}

void check_model(const std::vector<double>& got, std::size_t first, const std::vector<double>& want) {
  REQUIRE(got.size() >= first + want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("index " << first + i);
    check_model(got[first + i], want[i]);
  }
}

std::vector<std::int64_t> as_i64(const std::vector<std::int32_t>& v) { return {v.begin(), v.end()}; }

// The notebook's problem for width 16, depth 2, target_dim 1 and a dataset of n rows.
ProblemDraw notebook_draw(int n, ErfInvVariant variant) {
  return JaxRandomness(0, variant).draw_problem({{16, 16}, {16, 1}}, n, 16, 1);
}

}  // namespace

// ---- integer stages (docs/jax-rng.md#known-answers) ------------------------------------------------

TEST_CASE("threefry2x32 reproduces the Random123 known answers", "[jax][kat]") {
  CHECK(jax::threefry2x32({0u, 0u}, {0u, 0u}) == jax::Words2{0x6b200159u, 0x99ba4efeu});
  CHECK(jax::threefry2x32({0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}) ==
        jax::Words2{0x1cb996fcu, 0xbb002be7u});
  CHECK(jax::threefry2x32({0x13198a2eu, 0x03707344u}, {0x243f6a88u, 0x85a308d3u}) ==
        jax::Words2{0xc4923a9cu, 0x483df7a0u});
}

TEST_CASE("threefry_2x32 hashes the two halves of the count array, padding odd lengths", "[jax]") {
  const Key key{0x13198a2eu, 0x03707344u};
  const std::vector<std::uint32_t> count{11u, 22u, 33u, 44u, 55u};
  const std::vector<std::uint32_t> out = jax::threefry_2x32(key, count);
  REQUIRE(out.size() == 5);
  const jax::Words2 b0 = jax::threefry2x32(key, {11u, 44u});
  const jax::Words2 b1 = jax::threefry2x32(key, {22u, 55u});
  const jax::Words2 b2 = jax::threefry2x32(key, {33u, 0u});  // the padding counter
  CHECK(out == std::vector<std::uint32_t>{b0[0], b1[0], b2[0], b0[1], b1[1]});
  CHECK(jax::threefry_2x32(key, {}).empty());
  // On iota it is random_bits32 (docs/jax-rng.md#random-bits), e.g. JAX's docs:
  // bits(PRNGKey(0), (4,)) [KAT].
  CHECK(jax::threefry_2x32({0u, 0u}, {0u, 1u, 2u, 3u}) ==
        std::vector<std::uint32_t>{4146024105u, 967050713u, 2718843009u, 1272950319u});
  CHECK(jax::random_bits32({0u, 0u}, 4) ==
        std::vector<std::uint32_t>{4146024105u, 967050713u, 2718843009u, 1272950319u});
}

TEST_CASE("PRNGKey splits the two's complement int64 seed into high and low words", "[jax][kat]") {
  // docs/jax-rng.md#keys: JAX's test_prng_seeds_and_keys in x64 mode [KAT], and derived rows.
  CHECK(jax::prng_key(0) == Key{0u, 0u});
  CHECK(jax::prng_key(1) == Key{0u, 1u});
  CHECK(jax::prng_key(3) == Key{0u, 3u});
  CHECK(jax::prng_key(-1) == Key{4294967295u, 4294967295u});
  CHECK(jax::prng_key(-3) == Key{4294967295u, 4294967293u});
  CHECK(jax::prng_key(2147483747) == Key{0u, 2147483747u});            // int32 max + 100
  CHECK(jax::prng_key(-2147483748) == Key{4294967295u, 2147483548u});  // int32 min - 100
  CHECK(jax::prng_key(-2147483749) == Key{4294967295u, 2147483547u});
  CHECK(jax::prng_key(42) == Key{0u, 42u});
  CHECK(jax::prng_key(-1234567) == Key{4294967295u, 4293732729u});  // the notebook's probe key
  CHECK(jax::prng_key(-1234567) == Key{0xFFFFFFFFu, 0xFFED2979u});
  // Beyond 32 bits, to both ends of the range JAX accepts (np.int64 raises outside it).
  CHECK(jax::prng_key((std::int64_t{1} << 40) + 5) == Key{256u, 5u});
  CHECK(jax::prng_key(std::numeric_limits<std::int64_t>::max()) == Key{2147483647u, 4294967295u});
  CHECK(jax::prng_key(std::numeric_limits<std::int64_t>::min()) == Key{2147483648u, 0u});
  // NumPy uint64 seeds follow the same rule on the bit pattern.
  CHECK(jax::prng_key_from_bits(0xFFFFFFFFFFFFFFFFull) == jax::prng_key(-1));
  CHECK(jax::prng_key_from_bits(0x8000000000000001ull) == Key{0x80000000u, 1u});
}

TEST_CASE("split and fold_in reproduce JAX's published keys", "[jax][kat]") {
  const Key k0 = jax::prng_key(0);
  CHECK(jax::split(k0, 4) == std::vector<Key>{{2285895361u, 1501764800u},
                                              {1518642379u, 4090693311u},
                                              {433833334u, 4221794875u},
                                              {839183663u, 3740430601u}});
  const std::vector<Key> halves = jax::split(k0);
  CHECK(halves == std::vector<Key>{{4146024105u, 967050713u}, {2718843009u, 1272950319u}});
  const std::vector<Key> four = jax::split(halves[0], 4);
  CHECK(four[0] == Key{3306097435u, 3899823266u});
  CHECK(four[1] == Key{147607341u, 367236428u});
  CHECK(jax::fold_in(k0, 4) == Key{2285895361u, 433833334u});
  // The pairing (i, num + i) depends on num, so the first key does too.
  CHECK(jax::split(k0, 100)[0] != jax::split(k0, 1000)[0]);
  CHECK(jax::split(k0, 0).empty());
  CHECK(jax::split(k0, 1) == std::vector<Key>{jax::threefry2x32(k0, {0u, 1u})});
}

TEST_CASE("random bits reproduce JAX's test-suite values", "[jax][kat]") {
  const Key k1701 = jax::prng_key(1701);
  CHECK(jax::random_bits8(k1701, 3) == std::vector<std::uint8_t>{216, 115, 43});
  CHECK(jax::random_bits16(k1701, 3) == std::vector<std::uint16_t>{41682, 1300, 55017});
  CHECK(jax::random_bits32(k1701, 3) == std::vector<std::uint32_t>{56197195u, 4200222568u, 961309823u});
  CHECK(jax::random_bits64(k1701, 3) ==
        std::vector<std::uint64_t>{3982329540505020460ull, 16822122385914693683ull, 7882654074788531506ull});

  // _RANDOM_VALUES_CASES: seed = adler32("bits" + "threefry2x32") = 942802475, computed with
  //   python3 -c 'import zlib; print(zlib.adler32(b"bitsthreefry2x32"))'
  const Key kbits = jax::prng_key(942802475);
  CHECK(jax::random_bits8(kbits, 5) == std::vector<std::uint8_t>{10, 158, 82, 54, 158});
  CHECK(jax::random_bits16(kbits, 5) == std::vector<std::uint16_t>{6738, 38161, 50695, 57337, 61600});
  CHECK(jax::random_bits32(kbits, 5) ==
        std::vector<std::uint32_t>{1978747883u, 4134381225u, 3628107870u, 689687174u, 2788938207u});
  CHECK(jax::random_bits64(kbits, 5) == std::vector<std::uint64_t>{17649965731882839947ull, 1415307058040849897ull,
                                                                   8282622628079774249ull, 14024425113645909402ull,
                                                                   2012979996110532418ull});
  CHECK(jax::random_bits64(kbits, 0).empty());
}

TEST_CASE("randint reproduces JAX's test-suite values", "[jax][kat]") {
  const Key k0 = jax::prng_key(0);
  // (3, 3) flattened row-major. Span 8: the multiplier 2^64 mod 8 is 0, so only `lower` matters.
  CHECK(jax::randint_i64(k0, 9, 0, 8) == std::vector<std::int64_t>{7, 2, 6, 2, 1, 0, 6, 7, 7});
  CHECK(jax::randint_i32(k0, 9, 0, 8) == std::vector<std::int32_t>{2, 1, 3, 6, 1, 5, 6, 3, 4});
  // seed = adler32("randint" + "threefry2x32") = 1319372649 (same command as above).
  CHECK(jax::randint_i32(jax::prng_key(1319372649), 5, 0, 10) == std::vector<std::int32_t>{0, 5, 7, 7, 5});
}

// ---- float32, x32 mode (docs/jax-rng.md#float32) -----------------------------------------------------

TEST_CASE("float32 uniform and normal reproduce JAX's float32 values", "[jax][kat]") {
  // These values are printed to 6 decimals, so they pin the result to within 5e-7 and no closer.
  // seeds: adler32("uniform"/"normal" + "threefry2x32") = 1338574713 / 1193674498.
  const std::vector<float> u = jax::uniform_f32(jax::prng_key(1338574713), 5);
  const double want_u[5] = {0.298671, 0.073213, 0.873356, 0.260549, 0.412797};
  REQUIRE(u.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(static_cast<double>(u[i]) == Approx(want_u[i]).margin(5e-7));
  const std::vector<float> z = jax::normal_f32(jax::prng_key(1193674498), 5);
  const double want_z[5] = {-1.173234, -1.511662, 0.070593, -0.099764, 1.052845};
  REQUIRE(z.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(static_cast<double>(z[i]) == Approx(want_z[i]).margin(5e-7));

  // JAX's documentation: printed with enough digits to identify the float32 exactly.
  const Key k0 = jax::prng_key(0);
  CHECK(bits_of(jax::normal_f32(k0, 1)[0]) == bits_of(-0.20584226f));
  const std::vector<float> z4 = jax::normal_f32(k0, 4);
  const float want4[4] = {1.8160863f, -0.75488514f, 0.33988908f, -0.53483534f};
  for (int i = 0; i < 4; ++i) CHECK(bits_of(z4[i]) == bits_of(want4[i]));
  const std::vector<Key> halves = jax::split(k0);
  CHECK(bits_of(jax::normal_f32(halves[1], 1)[0]) == bits_of(-1.2515389f));
  CHECK(bits_of(jax::normal_f32(halves[0], 1)[0]) == bits_of(0.14389051f));
}

// ---- published float64 values (docs/jax-rng.md#known-answers) -----------------------------------------

TEST_CASE("float64 normal reproduces the published bit-exact values under every variant", "[jax][kat]") {
  // jax.random.normal(jax.random.key(0), (2, 3)) in x64 under newer JAX (partitionable threefry):
  // element i hashes block (0, i) and the word is y0 << 32 | y1. Published with rtol = atol = 0.
  const double published[6] = {-0.2058421394796434, -0.7847657764467411, 1.8160866726679836,
                               0.1878440128937887,  0.08086788103743275, -0.3721107933346203};
  const Key k0 = jax::prng_key(0);
  for (const ErfInvVariant v : kAllVariants) {
    INFO("variant " << static_cast<int>(v));
    for (std::uint32_t i = 0; i < 6; ++i) {
      const jax::Words2 y = jax::threefry2x32(k0, {0u, i});
      const std::uint64_t word = (static_cast<std::uint64_t>(y[0]) << 32) | y[1];
      check_model(jax::normal_from_bits(word, v), published[i]);
    }
    // The same numbers in the notebook's non-partitionable mode: normal(PRNGKey(0), (n,))[0] uses
    // block (0, n), so it is published value n.
    for (std::size_t n = 1; n <= 5; ++n) check_model(jax::normal_f64(k0, n, v)[0], published[n]);
  }
  const std::uint64_t hex[5] = {0xbfe91ccd1e1b7b4aull, 0x3ffd0eb0e61cf797ull, 0x3fc80b45ca1069abull,
                                0x3fb4b3c1e85a437cull, 0xbfd7d0a9c9f7177full};
  for (std::size_t n = 1; n <= 5; ++n) CHECK(bits_of(published[n]) == hex[n - 1]);

  // The rest of those arrays [DERIVED]; -1.283342292129158 is 1 ulp lower under FMA Horner.
  check_model(jax::normal_f64(k0, 2, ErfInvVariant::LibmPlain), 0, {1.8160866726679836, -0.7548848444703649});
  check_model(jax::normal_f64(k0, 3, ErfInvVariant::LibmPlain), 0,
              {0.1878440128937887, -1.283342292129158, 0.6494182018294374});
  check_model(jax::normal_f64(k0, 3, ErfInvVariant::LibmFma), 1, {-1.2833422921291577});
}

// ---- the notebook (docs/jax-rng.md#problem-draws, docs/jax-rng.md#known-answers) ----------------------

TEST_CASE("the notebook's keys follow from PRNGKey(0)", "[jax][notebook]") {
  std::vector<Key> pair = jax::split(jax::prng_key(0));
  CHECK(pair == std::vector<Key>{{4146024105u, 967050713u}, {2718843009u, 1272950319u}});
  CHECK(jax::split(pair[1], 2) == std::vector<Key>{{3746991216u, 1902760697u}, {1190051861u, 3378399878u}});
  pair = jax::split(pair[0]);
  CHECK(pair == std::vector<Key>{{2384771982u, 3928867769u}, {1278412471u, 2182328957u}});
  pair = jax::split(pair[0]);
  CHECK(pair == std::vector<Key>{{3382499631u, 3878610767u}, {4104543539u, 3483300570u}});
}

TEST_CASE("the uniform stage of the notebook's W0 is exact", "[jax][notebook]") {
  const Key lk0{3746991216u, 1902760697u};
  const std::vector<std::uint64_t> bits = jax::random_bits64(lk0, 256);
  CHECK(bits[0] == 0xf6d7c7ff306899d8ull);
  CHECK(bits[1] == 0xb91418c3ac45cc2full);
  CHECK(bits[2] == 0xfa57c8016fd16921ull);
  // uniform(key, shape, float64, nextafter(-1, 0), 1): exact on every backend
  // (docs/jax-rng.md#normal-doubles).
  const double lo = std::nextafter(-1.0, 0.0);
  const std::vector<double> u = jax::uniform_f64(lk0, 256, lo, 1.0);
  CHECK(u[0] == 0.9284601207771784);
  CHECK(u[1] == 0.44592580370276214);
  CHECK(u[2] == 0.9558038718238421);
  // u = (4k + 1 - 2^53) 2^-53 with k = bits >> 12: an odd multiple of 2^-53, never 0 or +-1.
  for (std::size_t i = 0; i < 256; ++i) {
    const auto k = static_cast<std::int64_t>(bits[i] >> 12);
    const std::int64_t m = 4 * k + 1 - (std::int64_t{1} << 53);
    CHECK(u[i] == std::ldexp(static_cast<double>(m), -53));
  }
}

TEST_CASE("JaxRandomness draws the notebook's W0 and W1 for seed 0", "[jax][notebook]") {
  const ProblemDraw plain = notebook_draw(272, ErfInvVariant::LibmPlain);
  REQUIRE(plain.weights.size() == 2);
  const DrawnMatrix& w0 = plain.weights[0];
  const DrawnMatrix& w1 = plain.weights[1];
  CHECK(w0.rows == 16);
  CHECK(w0.cols == 16);
  CHECK(w1.rows == 16);
  CHECK(w1.cols == 1);
  // Row 0 of W0 (row-major, so values[0..15]) and W0[15, 15].
  check_model(w0.values, 0,
              {1.8020351263179204, 0.5916661076542855, 2.012225912204863, -0.755285085338926, 0.5980527414057083,
               0.8983741360433803, -0.35553971964681985, 1.7629059753746286, 1.0821462030814326, -1.0489501985905745,
               0.38514758744012756, 0.7727802784572751, 0.24555964761964752, 0.05496777842035224, 0.9447226684297474,
               0.2577822442249723});
  CHECK(bits_of(1.8020351263179204) == 0x3ffcd522c8dc758bull);
  CHECK(bits_of(0.5916661076542855) == 0x3fe2eeedc2d0db50ull);
  CHECK(bits_of(2.012225912204863) == 0x40001909e628ab53ull);
  CHECK(bits_of(-0.755285085338926) == 0xbfe82b4ba095fe01ull);
  CHECK(bits_of(0.5980527414057083) == 0x3fe3233f80b3dc77ull);
  check_model(w0.values[255], -0.413799912571702);
  CHECK(bits_of(-0.413799912571702) == 0xbfda7bb2a0e551d4ull);
  check_model(w1.values, 0,
              {0.481221237167072, 1.4184654277503403, 0.7514543794111577, -0.16860492040424796, 1.3782169508991855,
               1.2169866950434214, -0.659367172811254, -0.10367010571337652, -2.1094311413186912, 1.7119033443104241,
               -0.09042436080798659, -1.240332024005306, 0.7371496417772779, 0.03890255611723157, -1.056560860304076,
               -0.02586337681663514});

  // The FMA-Horner values (libm_fma, docs/jax-rng.md#known-answers): only these entries change.
  const ProblemDraw fma = notebook_draw(272, ErfInvVariant::LibmFma);
  check_model(fma.weights[0].values[0], 1.8020351263179202);
  check_model(fma.weights[0].values[4], 0.5980527414057082);
  for (const int j : {1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}) {
    CHECK(fma.weights[0].values[j] == w0.values[j]);
  }
  check_model(fma.weights[1].values[5], 1.2169866950434218);
  check_model(fma.weights[1].values[9], 1.711903344310424);
  check_model(fma.weights[1].values[14], -1.0565608603040755);
  // Everything else of W1 is unchanged.
  for (const int j : {0, 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 15}) CHECK(fma.weights[1].values[j] == w1.values[j]);
  // The default models a GPU-produced reference (docs/jax-rng.md#erf_inv-variants).
  CHECK(JaxRandomness(0).variant() == ErfInvVariant::LibmFma);
  CHECK(notebook_draw(272, jax::kDefaultErfInvVariant).weights[0].values == fma.weights[0].values);
}

TEST_CASE("JaxRandomness draws the notebook's X and Y for seed 0", "[jax][notebook]") {
  for (const ErfInvVariant v : {ErfInvVariant::LibmPlain, ErfInvVariant::LibmFma}) {
    INFO("variant " << static_cast<int>(v));
    // tanh / relu: N = n_params = 272.
    const ProblemDraw d272 = notebook_draw(272, v);
    CHECK(d272.inputs.rows == 272);
    CHECK(d272.inputs.cols == 16);
    CHECK(d272.targets.rows == 272);
    CHECK(d272.targets.cols == 1);
    check_model(d272.inputs.values, 0,
                {0.012877245180492047, 1.016514811780042, -0.07164463971493798, 0.49812724993666807});
    CHECK(bits_of(d272.inputs.values[0]) == 0x3f8a5f62974d6340ull);
    check_model(d272.inputs.values[271 * 16 + 15], -0.7365180591012189);
    CHECK(bits_of(-0.7365180591012189) == 0xbfe7918e521819a5ull);
    check_model(d272.targets.values, 0,
                {-2.3967584431649946, -0.05172164140228051, -0.26390363086539337, -0.017409113267597524});
    check_model(d272.targets.values[271], 0.1333345508007231);
    // identity: N = width = 16. A different shape gives entirely different values
    // (docs/jax-rng.md#problem-draws).
    const ProblemDraw d16 = notebook_draw(16, v);
    check_model(d16.inputs.values, 0,
                {0.031313708377454855, -1.1436330013292244, -1.066969171739973, -0.0022923589834701});
    check_model(d16.targets.values, 0,
                {-0.19566767541999366, 0.9137863295352837, 0.6288519190248008, 0.42003374235098395});
    // single datapoint: N = 1.
    const ProblemDraw d1 = notebook_draw(1, v);
    check_model(d1.inputs.values, 0,
                {0.14646465203823308, 0.795768577155017, -0.7818079721942506, -0.6802550647188821});
    check_model(d1.targets.values, 0, {-0.8910532700801882});
    // The weights do not depend on N.
    CHECK(d1.weights[0].values == d272.weights[0].values);
    CHECK(d16.weights[1].values == d272.weights[1].values);
  }
}

TEST_CASE("the notebook's probe point comes straight from PRNGKey(-1234567)", "[jax][notebook]") {
  const Key k = jax::prng_key(-1234567);
  const std::vector<double> plain = jax::normal_f64(k, 16, ErfInvVariant::LibmPlain);
  check_model(plain, 0,
              {-0.6598041782013493, -0.5311112719455496, 2.84296341838591, -0.7477451806389774, -0.9240537164438578,
               -0.9196621034508347, 0.8059697133825124, 1.363605935524716, 1.4726740463663253, -1.321251419378441,
               -0.7311522375508015, -0.33764241519991167, 0.0005178334534306494, -1.0233139742204442,
               -0.22219504170883347, -0.33571543133422094});
  const std::vector<double> fma = jax::normal_f64(k, 16, ErfInvVariant::LibmFma);
  check_model(fma[9], -1.3212514193784406);
  check_model(fma[13], -1.0233139742204445);
  for (std::size_t j = 0; j < 16; ++j) {
    if (j != 9 && j != 13) CHECK(fma[j] == plain[j]);
  }
  // JaxRandomness serves it as the probe input for seed 0.
  const JaxRandomness rng(0, ErfInvVariant::LibmPlain);
  CHECK(rng.probe_seed() == -1234567);
  const DrawnMatrix probe = rng.probe_input(16);
  CHECK(probe.rows == 1);
  CHECK(probe.cols == 16);
  CHECK(probe.values == plain);
  CHECK(JaxRandomness(0).probe_input(16).values == fma);
}

TEST_CASE("minibatch indices: split(PRNGKey(42), steps) and randint(key_t, (16,), 0, 272)", "[jax][notebook]") {
  const Key k42 = jax::prng_key(42);
  const JaxRandomness rng(0);
  CHECK(rng.minibatch_seed() == 42);

  const std::vector<Key> keys100 = jax::split(k42, 100);
  CHECK(keys100[0] == Key{825763528u, 3327736007u});
  CHECK(keys100[1] == Key{3605286560u, 1095609708u});
  CHECK(keys100[99] == Key{2592107900u, 2173550456u});
  const auto mb100 = rng.minibatch_indices(100, 16, 272);
  REQUIRE(mb100.size() == 100);
  CHECK(mb100[0] == std::vector<int>{195, 256, 213, 26, 121, 264, 255, 65, 176, 217, 140, 242, 260, 88, 63, 83});
  CHECK(mb100[1] == std::vector<int>{28, 62, 86, 135, 139, 207, 153, 252, 219, 159, 92, 268, 175, 215, 92, 80});
  // Extra rows [DERIVED] from the reference model (see the top of this file):
  //   k = r.split(r.prng_key(42), 100); r.randint(k[2], 16, 0, 272), r.randint(k[99], 16, 0, 272)
  CHECK(mb100[2] == std::vector<int>{91, 135, 139, 173, 48, 227, 106, 64, 36, 200, 126, 242, 124, 58, 162, 209});
  CHECK(mb100[99] == std::vector<int>{137, 219, 268, 28, 183, 129, 46, 184, 191, 231, 196, 86, 18, 39, 163, 264});

  const std::vector<Key> keys500 = jax::split(k42, 500);
  CHECK(keys500[0] == Key{2640944816u, 240593235u});
  CHECK(keys500[1] == Key{769495382u, 2732678430u});
  CHECK(keys500[499] == Key{3938343811u, 570182483u});
  const auto mb500 = rng.minibatch_indices(500, 16, 272);
  CHECK(mb500[0] == std::vector<int>{221, 124, 121, 39, 137, 152, 119, 257, 167, 227, 23, 128, 45, 40, 67, 246});
  CHECK(mb500[1] == std::vector<int>{117, 142, 250, 230, 232, 252, 222, 79, 23, 176, 14, 206, 52, 161, 101, 45});

  const std::vector<Key> keys1000 = jax::split(k42, 1000);
  CHECK(keys1000[0] == Key{3383801349u, 553626064u});
  CHECK(keys1000[1] == Key{1323024683u, 2579490152u});
  CHECK(keys1000[999] == Key{4119753257u, 4252442905u});
  const auto mb1000 = rng.minibatch_indices(1000, 16, 272);
  REQUIRE(mb1000.size() == 1000);
  CHECK(mb1000[0] == std::vector<int>{247, 151, 53, 129, 239, 246, 2, 15, 58, 265, 213, 11, 36, 43, 125, 171});
  CHECK(mb1000[1] == std::vector<int>{155, 204, 245, 125, 239, 234, 191, 235, 27, 37, 93, 114, 51, 253, 211, 202});
  for (const auto& step : mb1000) {
    REQUIRE(step.size() == 16);
    for (const int i : step) CHECK((i >= 0 && i < 272));
  }
  // The indices do not depend on the erf_inv variant.
  CHECK(JaxRandomness(0, ErfInvVariant::CephesPlain).minibatch_indices(100, 16, 272) == mb100);
  CHECK(rng.minibatch_indices(0, 16, 272).empty());
}

// ---- negative seeds and further vectors from the reference model ------------------------------------

// Every value below [DERIVED] was printed by the reference model (see the top of this file), e.g.
//   k = r.prng_key(-5); rng, s = r.split(k); lk = r.split(s, 3); r.normal_f64(lk[0], 16)
// with the calls named next to each check (the model's functions mirror jax.random's;
// use_fma=True for the LibmFma column).

TEST_CASE("negative seeds: a depth-3 problem and its minibatches", "[jax][seed]") {
  // JaxRandomness(-5): width 4, depth 3, target_dim 2, N = 5.
  //   rng, s = split(PRNGKey(-5)); lk = split(s, 3); W = normal(lk[l], (4,4) / (4,4) / (4,2))
  //   rng, s = split(rng); X = normal(s, 20); rng, s = split(rng); Y = normal(s, 10)
  const std::vector<std::pair<int, int>> shapes{{4, 4}, {4, 4}, {4, 2}};
  const ProblemDraw d = JaxRandomness(-5, ErfInvVariant::LibmPlain).draw_problem(shapes, 5, 4, 2);
  REQUIRE(d.weights.size() == 3);
  CHECK(d.weights[2].rows == 4);
  CHECK(d.weights[2].cols == 2);
  check_model(d.weights[0].values, 0,
              {0.5691115829994651, -0.4298399809936555, 0.5298605547440021, -0.8445393161763693, -0.14298928196343821,
               -2.4707012136035216, 0.2321264691067799, -1.3830253527102152, 1.1282281661205233, -0.03743023769710889,
               -1.5039938540481466, -2.2516768104829907, -0.5651548983584602, 0.011313488110679134, -0.6574023585188237,
               1.4285386887366358});
  check_model(d.weights[1].values, 0,
              {-0.4722899055220831, -1.2496424208666002, 0.03148492823181806, 0.7203190250041369, -1.2164873331008228,
               0.21200456072476861, 0.08716201539034392, -1.0080051882420358, 1.0241944884523497, 0.4862619141063149,
               -0.46819206591122386, -0.45878703507538815, 0.8187895254072228, -1.2160146661898734, 1.0230393362167935,
               0.9102760410342884});
  check_model(d.weights[2].values, 0,
              {0.7917008919621477, 0.9414735220943538, -1.2558662496022341, 0.4144145190971248, -0.7854565940447535,
               -0.10132930370352179, -0.018552510428964376, 1.0967816541996485});
  check_model(d.inputs.values, 0, {-0.6637228081698514,  0.5162498921238862,  0.9136082687135345,  0.5133402579971362,
                                   0.5310169472673575,   -0.4388403798587957, -1.2242052707029767, 1.0240633610338152,
                                   -0.29705286748481846, 0.2268734133936188,  0.890726280555518,   0.5112711340626395,
                                   -1.7700079205407018,  0.11243164996746416, 0.994070507096854,   0.15481846382102787,
                                   -0.7747325866563913,  0.8554254587640736,  1.7328187606160712,  0.5826021256459779});
  check_model(d.targets.values, 0,
              {1.311523730924041, 0.6745779663226649, -0.025871493370784347, 1.4619434012940604, -0.27950215997533623,
               -1.7021169169006047, 0.6825373290656164, 0.9316007959025623, 1.5581707313592863, 1.432772920274405});

  const ProblemDraw f = JaxRandomness(-5, ErfInvVariant::LibmFma).draw_problem(shapes, 5, 4, 2);
  check_model(f.weights[0].values[0], 0.569111582999465);
  check_model(f.weights[0].values[8], 1.1282281661205231);
  check_model(f.weights[0].values[9], -0.03743023769710888);
  check_model(f.weights[1].values[13], -1.2160146661898732);
  check_model(f.weights[2].values[7], 1.0967816541996482);
  check_model(f.inputs.values[17], 0.8554254587640737);
  check_model(f.targets.values[9], 1.4327729202744053);

  // Minibatch seed -5 + 42 = 37: [randint(k, 4, 0, 5) for k in split(PRNGKey(37), 3)].
  const JaxRandomness rng(-5);
  CHECK(rng.minibatch_seed() == 37);
  CHECK(rng.minibatch_indices(3, 4, 5) == std::vector<std::vector<int>>{{0, 2, 1, 3}, {0, 4, 3, 3}, {0, 4, 1, 3}});
  // The minibatch seed wraps at the ends of int64 instead of overflowing.
  CHECK(JaxRandomness(std::numeric_limits<std::int64_t>::max()).minibatch_seed() ==
        std::numeric_limits<std::int64_t>::min() + 41);
  CHECK(JaxRandomness(-42).minibatch_seed() == 0);

  // Probe seed -5 - 1234567: r.normal_f64(r.prng_key(-5 - 1234567), 4).
  CHECK(rng.probe_seed() == -1234572);
  CHECK(jax::prng_key(rng.probe_seed()) == Key{4294967295u, 4293732724u});
  check_model(JaxRandomness(-5, ErfInvVariant::LibmPlain).probe_input(4).values, 0,
              {-1.601615447625453, -0.10779523534927923, -1.8938910578631714, 0.62017510649394});
  CHECK(JaxRandomness(std::numeric_limits<std::int64_t>::min()).probe_seed() ==
        std::numeric_limits<std::int64_t>::max() - 1234566);
}

TEST_CASE("further integer vectors from the reference model", "[jax][seed]") {
  // r.split(r.prng_key(-7), 3)
  CHECK(jax::split(jax::prng_key(-7), 3) ==
        std::vector<Key>{{552008173u, 566261600u}, {764268232u, 1871165482u}, {3457479240u, 180146015u}});
  // r.random_bits(r.prng_key(2**40 + 5), 32, 7): an odd count uses the padding counter.
  CHECK(jax::random_bits32(jax::prng_key((std::int64_t{1} << 40) + 5), 7) ==
        std::vector<std::uint32_t>{2070593391u, 2262416110u, 2764336869u, 273147591u, 886439075u, 3907789154u,
                                   849702694u});
  // r.random_bits(r.prng_key(-2**63), 64, 3) and r.random_bits(r.prng_key(2**63 - 1), 64, 2)
  CHECK(jax::random_bits64(jax::prng_key(std::numeric_limits<std::int64_t>::min()), 3) ==
        std::vector<std::uint64_t>{9403149718792612668ull, 11904869991562128674ull, 15479323301470800419ull});
  CHECK(jax::random_bits64(jax::prng_key(std::numeric_limits<std::int64_t>::max()), 2) ==
        std::vector<std::uint64_t>{5600914576147706984ull, 6841485112459374484ull});
  // r.random_bits(r.prng_key(-1), 8, 5), r.random_bits(r.prng_key(-1), 16, 3)
  CHECK(jax::random_bits8(jax::prng_key(-1), 5) == std::vector<std::uint8_t>{86, 130, 203, 80, 142});
  CHECK(jax::random_bits16(jax::prng_key(-1), 3) == std::vector<std::uint16_t>{33366, 20683, 30094});
  // r.fold_in(r.prng_key(-1), 0xDEADBEEF)
  CHECK(jax::fold_in(jax::prng_key(-1), 0xDEADBEEFu) == Key{2644658585u, 3565557934u});

  const Key k7 = jax::prng_key(7);
  // r.randint(r.prng_key(7), 8, -50, 50): a negative minval.
  CHECK(jax::randint_i64(k7, 8, -50, 50) == std::vector<std::int64_t>{6, -12, -43, 39, -38, 20, -19, -25});
  // r.randint(r.prng_key(7), 6, 0, 10**12): a span that is not a power of two and needs the high words.
  CHECK(jax::randint_i64(k7, 6, 0, 1000000000000) ==
        std::vector<std::int64_t>{321232784425, 580054169189, 892504307418, 361562193739, 968135498249, 162036133409});
  // r.randint(r.prng_key(7), 4, 5, 5): maxval <= minval gives minval.
  CHECK(jax::randint_i64(k7, 4, 5, 5) == std::vector<std::int64_t>{5, 5, 5, 5});
  CHECK(jax::randint_i64(k7, 2, 9, -9) == std::vector<std::int64_t>{9, 9});
  // r.randint(r.prng_key(7), 3, -2**63, 2**63 - 1): the widest int64 span.
  CHECK(jax::randint_i64(k7, 3, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()) ==
        std::vector<std::int64_t>{2236724980177038920, -4242211197338337771, 6006285075912241125});
  const Key k3 = jax::prng_key(3);
  // r.randint(r.prng_key(3), 6, -2**31, 2**31, 32): maxval out of range, the span wraps to 0.
  CHECK(as_i64(jax::randint_i32(k3, 6, -(std::int64_t{1} << 31), std::int64_t{1} << 31)) ==
        std::vector<std::int64_t>{1690855939, -929521642, -1851373255, 234646543, -1787310223, 537027932});
  // r.randint(r.prng_key(3), 6, 0, 2**40, 32): maxval clipped to INT32_MAX, span widened by one.
  CHECK(as_i64(jax::randint_i32(k3, 6, 0, std::int64_t{1} << 40)) ==
        std::vector<std::int64_t>{1690855939, 1217962006, 296110393, 234646543, 360173425, 537027932});
  // r.randint(r.prng_key(-3), 7, -1000, -990, 32)
  CHECK(as_i64(jax::randint_i32(jax::prng_key(-3), 7, -1000, -990)) ==
        std::vector<std::int64_t>{-999, -994, -998, -997, -994, -999, -999});
  CHECK(jax::randint_i64(k7, 0, 0, 10).empty());
}

TEST_CASE("further float64 vectors from the reference model", "[jax][seed]") {
  // r.uniform_f64(r.prng_key(5), 3), (..., 4, -3.0, 5.0) and (..., 3, 0.1, 0.7): exact, libm-free.
  const Key k5 = jax::prng_key(5);
  CHECK(jax::uniform_f64(k5, 3) == std::vector<double>{0.6844151475737681, 0.699937987622117, 0.7074084227406479});
  CHECK(jax::uniform_f64(k5, 4, -3.0, 5.0) ==
        std::vector<double>{-1.3271051629011588, -2.950300389146012, 0.6948512961627351, -2.269451216930726});
  CHECK(jax::uniform_f64(k5, 3, 0.1, 0.7) ==
        std::vector<double>{0.5106490885442608, 0.5199627925732702, 0.5244450536443888});
  // r.normal_f64(r.prng_key(123456789012), 5) (a seed above 32 bits; FMA gives the same here).
  const Key kbig = jax::prng_key(123456789012);
  for (const ErfInvVariant v : {ErfInvVariant::LibmPlain, ErfInvVariant::LibmFma}) {
    check_model(
        jax::normal_f64(kbig, 5, v), 0,
        {-1.6499210609133845, 1.3534844691977785, 1.9759265611157109, -0.7070121901265195, -0.4354596953531322});
  }
  CHECK(jax::normal_f64(kbig, 0).empty());
}

// ---- erf_inv and its variants ------------------------------------------------------------------------

TEST_CASE("erf_inv_f64 matches the reference model's spot values", "[jax][erfinv]") {
  // Spot values of erf_inv (docs/jax-rng.md#erf_inv) from the reference model (glibc log1p, plain
  // Horner); r.erfinv_f64(x, use_fma) for the FMA column.
  struct Spot {
    double x, plain, fma;
  };
  const Spot spots[] = {
      {0.25, 0.22531205501217808, 0.22531205501217808},
      {0.5, 0.47693627620446977, 0.47693627620446977},
      {0.9, 1.1630871536766743, 1.163087153676674},
      {0.99, 1.8213863677184494, 1.8213863677184494},
      {0.999, 2.3267537655135273, 2.3267537655135273},              // w just below 6.25: A
      {0.9999, 2.7510639057121233, 2.7510639057121233},             // B
      {0.99999999, 4.052237243334861, 4.052237243334861},           // C
      {1.0 - 3.0 * 0x1p-53, 5.770491853553333, 5.770491853553333},  // largest u of normal()
      {-1.0 + 0x1p-53, -5.863584748755167, -5.863584748755167},     // smallest u of normal()
  };
  for (const Spot& s : spots) {
    INFO("x = " << s.x);
    check_model(jax::erf_inv_f64(s.x, ErfInvVariant::LibmPlain), s.plain);
    check_model(jax::erf_inv_f64(s.x, ErfInvVariant::LibmFma), s.fma);
    // An odd function: the algorithm only sees x * x, then multiplies by x.
    CHECK(jax::erf_inv_f64(-s.x, ErfInvVariant::LibmPlain) == -jax::erf_inv_f64(s.x, ErfInvVariant::LibmPlain));
  }
  for (const ErfInvVariant v : kAllVariants) {
    CHECK(jax::erf_inv_f64(1.0, v) == std::numeric_limits<double>::infinity());
    CHECK(jax::erf_inv_f64(-1.0, v) == -std::numeric_limits<double>::infinity());
    CHECK(jax::erf_inv_f64(0.0, v) == 0.0);
    CHECK(std::isnan(jax::erf_inv_f64(1.5, v)));
    CHECK(std::isnan(jax::erf_inv_f64(std::numeric_limits<double>::quiet_NaN(), v)));
    // Giles' approximation (docs/jax-rng.md#erf_inv) is accurate to ~1e-16 relative away from
    // |x| -> 1: erf(erf_inv(x)) = x.
    for (const double x : {-0.7, -0.3, 0.1, 0.6, 0.95})
      CHECK(std::erf(jax::erf_inv_f64(x, v)) == Approx(x).epsilon(1e-15));
  }
}

TEST_CASE("FMA Horner moves a normal by at most 3 ulp", "[jax][erfinv]") {
  // At most 3 ulp (docs/jax-rng.md#erf_inv-variants); the reference model changes 341 of the 4352
  // X entries of the notebook (r.normal_f64(key, 4352) vs r.normal_f64(key, 4352, True)).
  const ProblemDraw plain = notebook_draw(272, ErfInvVariant::LibmPlain);
  const ProblemDraw fma = notebook_draw(272, ErfInvVariant::LibmFma);
  int changed = 0;
  std::int64_t worst = 0;
  for (std::size_t i = 0; i < plain.inputs.values.size(); ++i) {
    const std::int64_t d = ulps(plain.inputs.values[i], fma.inputs.values[i]);
    changed += d != 0;
    worst = std::max(worst, d);
  }
  CHECK(worst <= 3);
  if (kModelUlps == 0) CHECK(changed == 341);
}

TEST_CASE("the XLA:CPU log1p variant gives the measured last-bit differences", "[jax][erfinv]") {
  // With the Cephes log1p (docs/jax-rng.md#erf_inv-variants), 12 of the 256 W0 entries and 210 of
  // the 4352 X entries differ from the glibc result, by at most 30 ulp (reference model, plain
  // Horner).
  const ProblemDraw libm = notebook_draw(272, ErfInvVariant::LibmPlain);
  const ProblemDraw cephes = notebook_draw(272, ErfInvVariant::CephesPlain);
  auto compare = [](const std::vector<double>& a, const std::vector<double>& b, int& changed, std::int64_t& worst) {
    changed = 0;
    worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::int64_t d = ulps(a[i], b[i]);
      changed += d != 0;
      worst = std::max(worst, d);
    }
  };
  int changed = 0;
  std::int64_t worst = 0;
  compare(libm.weights[0].values, cephes.weights[0].values, changed, worst);
  CHECK(worst <= 30);
  if (kModelUlps == 0) CHECK(changed == 12);
  compare(libm.inputs.values, cephes.inputs.values, changed, worst);
  CHECK(worst <= 30);
  if (kModelUlps == 0) CHECK(worst == 30);
  if (kModelUlps == 0) CHECK(changed == 210);
  const ProblemDraw cephes_fma = notebook_draw(272, ErfInvVariant::CephesFma);
  compare(libm.inputs.values, cephes_fma.inputs.values, changed, worst);
  CHECK(worst <= 33);

  // W0[0,5] is one of the affected entries (u = 0.59...: v = -u^2 in (-0.414, -0.293)). Value from
  // an independent Python transcription of docs/jax-rng.md#erf_inv-variants (the reference model
  // has no Cephes path).
  check_model(cephes.weights[0].values[5], 0.8983741360433791);
  check_model(cephes_fma.weights[0].values[0], 1.8020351263179202);

  // The expansion itself: close to log1p inside Cephes' design interval, ~100 ulp off just outside,
  // and plain log(1 + v) from |v| >= sqrt(2) - 1 on.
  for (const bool fused : {false, true}) {
    for (const double v : {-0.25, -0.1, -1e-3, -1e-9, 1e-9, 0.1, 0.2, 0.4}) {
      INFO("v = " << v);
      CHECK(ulps(jax::xla_cpu_log1p(v, fused), std::log1p(v)) <= 2);
    }
    for (const double v : {-0.42, -0.5, -0.9, 0.42, 3.0}) CHECK(jax::xla_cpu_log1p(v, fused) == std::log(v + 1.0));
    std::int64_t worst_outside = 0;
    for (double v = -0.414; v < -0.293; v += 1e-4)
      worst_outside = std::max(worst_outside, ulps(jax::xla_cpu_log1p(v, fused), std::log1p(v)));
    CHECK(worst_outside > 30);
    CHECK(worst_outside <= 130);
  }
  check_model(jax::xla_cpu_log1p(-0.41, false), -0.5276327420823611);
  check_model(jax::xla_cpu_log1p(-0.41, true), -0.527632742082361);
}

TEST_CASE("src/jax_random.cpp is compiled without FP contraction", "[jax][build]") {
  // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60: rounded once (FMA) the 2^-60 survives, rounded twice it is
  // lost. If this fails, the file was built without -ffp-contract=off and the "Plain" variants
  // silently compute FMA results.
  const double a = 1.0 + 0x1p-30;
  const double c = -(1.0 + 0x1p-29);
  CHECK(std::fma(a, a, c) == 0x1p-60);
  CHECK(jax::detail::multiply_add_as_compiled(a, a, c) == 0.0);
}

TEST_CASE("argument and size errors", "[jax]") {
  const Key k = jax::prng_key(0);
  // JAX's multi-block scheme (2^32 - 1 or more 32-bit words) is refused before anything is allocated.
  CHECK_THROWS_AS(jax::split(k, std::size_t{1} << 31), std::length_error);
  CHECK_THROWS_AS(jax::random_bits64(k, std::size_t{1} << 31), std::length_error);
  CHECK_THROWS_AS(jax::random_bits32(k, std::size_t{0xFFFFFFFFu}), std::length_error);
  CHECK_THROWS_AS(jax::normal_f64(k, std::size_t{1} << 31), std::length_error);
  const JaxRandomness rng(0);
  CHECK_THROWS_AS(rng.minibatch_indices(10, 16, 0), std::invalid_argument);
  CHECK_THROWS_AS(rng.minibatch_indices(-1, 16, 272), std::invalid_argument);
  CHECK_THROWS_AS(rng.minibatch_indices(10, -1, 272), std::invalid_argument);
  CHECK_THROWS_AS(rng.draw_problem({{16, -1}}, 272, 16, 1), std::invalid_argument);
  CHECK_THROWS_AS(rng.draw_problem({{16, 16}}, -1, 16, 1), std::invalid_argument);
  CHECK_THROWS_AS(rng.probe_input(-1), std::invalid_argument);
  // Pure: the same seed gives the same problem.
  const ProblemDraw a = rng.draw_problem({{4, 4}, {4, 1}}, 7, 4, 1);
  const ProblemDraw b = rng.draw_problem({{4, 4}, {4, 1}}, 7, 4, 1);
  CHECK(a.weights[0].values == b.weights[0].values);
  CHECK(a.inputs.values == b.inputs.values);
  CHECK(a.targets.values == b.targets.values);
}
