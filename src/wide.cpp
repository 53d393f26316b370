#include "trainscape/wide.hpp"

#include <qd/qd_real.h>

#include <cctype>
#include <cmath>
#include <cstdio>

// libqd's error-free transformations rely on every product being rounded on its own: this file
// is compiled with -ffp-contract=off (CMakeLists.txt), or the compiler's FMA contraction would
// silently break them.

namespace trainscape {

namespace {

qd_real to_qd(const Wide& w) {
  const auto& l = w.limbs();
  return qd_real(l[0], l[1], l[2], l[3]);
}

Wide from_qd(const qd_real& q) { return Wide(q[0], WideTail{q[1], q[2], q[3]}); }

/// The grammar of Wide::parse, checked before libqd reads the text (its reader accepts
/// trailing junk).
bool is_decimal_syntax(const std::string& s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  int digits = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isdigit(c)) {
      ++digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  int exponent_digits = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    ++exponent_digits;
  }
  return exponent_digits >= 1 && exponent_digits <= 4;
}

}  // namespace

Wide::Wide(double head, const WideTail& tail) {
  // qd_real's constructor takes the limbs as given; adding them renormalises.
  const qd_real q = qd_real(head) + qd_real(tail[0]) + qd_real(tail[1]) + qd_real(tail[2]);
  limbs_ = {q[0], q[1], q[2], q[3]};
}

std::optional<Wide> Wide::parse(const std::string& text) {
  if (!is_decimal_syntax(text)) return std::nullopt;
  qd_real q;
  if (qd_real::read(text.c_str(), q) != 0) return std::nullopt;
  if (!std::isfinite(q[0]) || (q[0] != 0.0 && std::fabs(q[0]) < 1e-300)) return std::nullopt;
  return from_qd(q);
}

std::string Wide::decimal(int digits) const {
  if (digits < 1) digits = 1;
  if (digits > 64) digits = 64;
  if (limbs_[0] == 0.0) return "0";
  // libqd prints `precision` digits after the leading one, in scientific notation; trailing
  // zeros of the mantissa say nothing and are dropped ("1.5e+00", not "1.5000...e+00").
  std::string text = to_qd(*this).to_string(digits - 1, 0, std::ios_base::scientific);
  const std::size_t e = text.find('e');
  const std::size_t point = text.find('.');
  if (e != std::string::npos && point != std::string::npos && point < e) {
    std::size_t last = e;
    while (last > point + 1 && text[last - 1] == '0') --last;
    if (last == point + 1) --last;  // "1.e+00" -> "1e+00"
    text.erase(last, e - last);
  }
  return text;
}

Wide Wide::operator+(const Wide& other) const { return from_qd(to_qd(*this) + to_qd(other)); }
Wide Wide::operator-(const Wide& other) const { return from_qd(to_qd(*this) - to_qd(other)); }
Wide Wide::operator*(const Wide& other) const { return from_qd(to_qd(*this) * to_qd(other)); }
Wide Wide::operator/(const Wide& other) const { return from_qd(to_qd(*this) / to_qd(other)); }
Wide Wide::operator-() const { return from_qd(-to_qd(*this)); }
bool Wide::operator<(const Wide& other) const { return to_qd(*this) < to_qd(other); }

Wide pixel_coordinate(const Wide& centre, double half, int index, int count) {
  const qd_real step = (qd_real(2.0 * index) - qd_real(static_cast<double>(count - 1))) / qd_real(count - 1.0);
  return from_qd(to_qd(centre) + qd_real(half) * step);
}

}  // namespace trainscape
