#pragma once
// Internal: SplitMix64's finaliser and the counter-based stream built on it. Value i of stream s
// is a pure function of (seed, s, i), so the order in which threads draw cannot change anything.
// Used by the native generator (random.hpp documents its formula) and by the bootstraps of the
// dimension estimators. Not installed.
#include <cstdint>

namespace trainscape::detail {

/// SplitMix64's output function (Steele, Lea and Flood 2014).
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// key = mix64(seed + stream * golden ratio), bits(i) = mix64(key + i).
class CounterStream {
 public:
  CounterStream(std::uint64_t seed, std::uint64_t stream) : key_(mix64(seed + stream * 0x9E3779B97F4A7C15ULL)) {}
  std::uint64_t bits(std::uint64_t i) const { return mix64(key_ + i); }
  /// Uniform in (0, 1): the top 53 bits, centred in their interval.
  double uniform(std::uint64_t i) const { return (static_cast<double>(bits(i) >> 11) + 0.5) * 0x1p-53; }

 private:
  std::uint64_t key_;
};

}  // namespace trainscape::detail
