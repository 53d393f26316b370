#pragma once
/// Wide: a real number held to about 62 significant decimal digits, for window centres and zoom
/// targets deeper than float64 can place (docs/deep-zoom.md). The value is the unevaluated sum
/// of four doubles, largest first and non-overlapping (a quad-double, as libqd holds it), so the
/// first limb is the value rounded to double. The arithmetic lives in src/wide.cpp; this header
/// needs only the standard library, so code that merely carries a Wide does not see libqd.
#include <array>
#include <optional>
#include <string>

namespace trainscape {

/// The three limbs after the first: what a double coordinate needs added to become exact.
/// Structs that hold a double coordinate carry one of these beside it, zero by default, so that
/// every coordinate set as a plain double is automatically its own exact value.
using WideTail = std::array<double, 3>;

class Wide {
 public:
  Wide() = default;
  /// Exactly v.
  explicit Wide(double v) : limbs_{v, 0.0, 0.0, 0.0} {}
  /// head + tail, renormalised (head need not be the rounded value).
  Wide(double head, const WideTail& tail);

  /// Parses a decimal number: optional sign, digits with at most one point (at least one digit),
  /// optional exponent e/E with optional sign and 1-4 digits; nothing else, no spaces. Accurate
  /// to about 1e-61 relative. nullopt if the text is not such a number or its value is not
  /// finite / below 1e-300 in magnitude but not zero.
  static std::optional<Wide> parse(const std::string& text);

  /// The value in scientific notation with at most `digits` significant digits (1..64; trailing
  /// zeros dropped): 64 (the default) reads back through parse() to within 1e-60 relative, and
  /// 50 digits read back to the same 50-digit text (tested; config files use that).
  std::string decimal(int digits = 64) const;

  /// The value rounded to double (the first limb).
  double head() const { return limbs_[0]; }
  /// The remaining limbs (Wide(head(), tail()) is this value).
  WideTail tail() const { return {limbs_[1], limbs_[2], limbs_[3]}; }
  const std::array<double, 4>& limbs() const { return limbs_; }

  Wide operator+(const Wide& other) const;
  Wide operator-(const Wide& other) const;
  Wide operator*(const Wide& other) const;
  Wide operator/(const Wide& other) const;
  Wide operator-() const;
  bool operator==(const Wide& other) const { return limbs_ == other.limbs_; }
  bool operator!=(const Wide& other) const { return !(*this == other); }
  bool operator<(const Wide& other) const;

 private:
  std::array<double, 4> limbs_{0.0, 0.0, 0.0, 0.0};
};

/// The coordinate of pixel `index` of `count` (>= 2) along an axis whose window has this centre
/// and half-width: centre + half * (-1 + 2 index / (count - 1)), evaluated in Wide arithmetic,
/// so the pixels of a window far narrower than float64's spacing still get distinct,
/// evenly spaced coordinates.
Wide pixel_coordinate(const Wide& centre, double half, int index, int count);

}  // namespace trainscape
