// Wide (include/trainscape/wide.hpp): decimal parsing and printing that round-trip, arithmetic
// beyond float64, pixel coordinates of windows far narrower than a double's spacing, and the
// refusal of anything that is not a plain decimal number.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "trainscape/wide.hpp"

using namespace trainscape;

TEST_CASE("Wide parses decimals of any length and keeps digits a double cannot", "[wide]") {
  const auto a = Wide::parse("1.12384387943491861234567890123");
  REQUIRE(a);
  CHECK(a->head() == 1.1238438794349186);
  // What the head leaves out is below half a unit in its last place, and not zero.
  const Wide rest = *a - Wide(a->head());
  CHECK(std::fabs(rest.head()) <= 1.2e-16);
  CHECK(rest.head() != 0.0);
  CHECK(a->decimal(31) == "1.12384387943491861234567890123e+00");
  CHECK(Wide(1.5).decimal() == "1.5e+00");
  CHECK(Wide(-2.0).decimal() == "-2e+00");
  CHECK(Wide::parse("-3.5e2")->head() == -350.0);
  CHECK(Wide::parse("+.5")->head() == 0.5);
  CHECK(Wide::parse("7.")->head() == 7.0);
  CHECK(Wide::parse("0")->decimal() == "0");
}

TEST_CASE("Wide refuses anything but a plain decimal number", "[wide]") {
  for (const char* bad : {"", "abc", "1e-5x", " 1", "1 ", "1..2", "1e", "1e+", "--1", "1e12345", ".", "nan", "inf",
                          "1e400", "1e-320", "0x10", "1,5"}) {
    INFO(bad);
    CHECK_FALSE(Wide::parse(bad));
  }
}

TEST_CASE("Wide's 64-digit decimal round-trips every limb", "[wide]") {
  // A deterministic spread of values with all four limbs in use.
  std::uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
  };
  for (int i = 0; i < 200; ++i) {
    const Wide third = Wide(next() * 20.0 - 10.0) / Wide(3.0);
    const Wide x = third + Wide(next()) * Wide(1e-40);
    const auto back = Wide::parse(x.decimal());
    REQUIRE(back);
    INFO(x.decimal());
    // Equal to within the last limb's rounding: the difference is far below 1e-60 relative.
    const Wide diff = *back - x;
    CHECK(std::fabs(diff.head()) <= 1e-60 * std::fabs(x.head()));
    // 50 digits, as config files write them, read back to the same text.
    CHECK(Wide::parse(x.decimal(50))->decimal(50) == x.decimal(50));
  }
}

TEST_CASE("pixel coordinates of a window 1e-35 wide are distinct and evenly spaced", "[wide]") {
  const Wide centre = *Wide::parse("-1.234567890123456789012345678901234567890123");
  const double half = 5e-36;
  const int count = 11;
  const Wide first = pixel_coordinate(centre, half, 0, count);
  const Wide last = pixel_coordinate(centre, half, count - 1, count);
  CHECK((centre - first).head() == Approx(half).epsilon(1e-15));
  CHECK((last - centre).head() == Approx(half).epsilon(1e-15));
  CHECK(pixel_coordinate(centre, half, 5, count) == centre);
  for (int j = 1; j < count; ++j) {
    const double step =
        (pixel_coordinate(centre, half, j, count) - pixel_coordinate(centre, half, j - 1, count)).head();
    CHECK(step == Approx(1e-36).epsilon(1e-12));
  }
  // All of this is invisible to a double: every pixel rounds to the centre's double.
  CHECK(first.head() == centre.head());
}
