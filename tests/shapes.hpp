#pragma once
// Rasterised shapes of known dimension (docs/dimension.md#validation-shapes), shared by
// tests/test_dimension.cpp and tests/validate_dimension.cpp. Header-only; every shape is a pure
// function of its arguments. Images are n x n, 1 = set; row 0 is the bottom row (any orientation
// gives the same dimension).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "trainscape/image.hpp"

namespace trainscape::shapes {

using Mask = Image<std::uint8_t>;
struct Point {
  double x;
  double y;
};

inline constexpr double kPi = 3.14159265358979323846;

/// Marks every pixel a straight segment passes through (pixel (r, c) covers [c, c+1) x [r, r+1)),
/// sampling at 1/8 px: a line about one pixel thick, without gaps.
inline void draw_segment(Mask& m, Point a, Point b) {
  const double len = std::hypot(b.x - a.x, b.y - a.y);
  const int steps = std::max(1, static_cast<int>(std::ceil(len * 8.0)));
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    const int c = static_cast<int>(std::floor(a.x + t * (b.x - a.x)));
    const int r = static_cast<int>(std::floor(a.y + t * (b.y - a.y)));
    if (r >= 0 && r < m.rows && c >= 0 && c < m.cols) m(r, c) = 1;
  }
}

inline void draw_polyline(Mask& m, const std::vector<Point>& p, bool closed) {
  for (std::size_t i = 0; i + 1 < p.size(); ++i) draw_segment(m, p[i], p[i + 1]);
  if (closed && p.size() > 2) draw_segment(m, p.back(), p.front());
}

/// Fills a closed polygon (even-odd rule, pixel centres sampled), one scanline at a time.
inline void fill_polygon(Mask& m, const std::vector<Point>& p) {
  std::vector<double> xs;
  for (int r = 0; r < m.rows; ++r) {
    const double y = r + 0.5;
    xs.clear();
    for (std::size_t i = 0; i < p.size(); ++i) {
      const Point a = p[i], b = p[(i + 1) % p.size()];
      if ((a.y <= y) != (b.y <= y)) xs.push_back(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x));
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
      const int c0 = std::max(0, static_cast<int>(std::ceil(xs[i] - 0.5)));
      const int c1 = std::min(m.cols - 1, static_cast<int>(std::floor(xs[i + 1] - 0.5)));
      for (int c = c0; c <= c1; ++c) m(r, c) = 1;
    }
  }
}

/// A straight line across the whole image, 1 px thick, through the centre at `angle` radians.
inline Mask line(int n, double angle = 0.35) {
  Mask m(n, n, 0);
  const double cx = 0.5 * n, cy = 0.5 * n, L = 2.0 * n;
  draw_segment(m, {cx - L * std::cos(angle), cy - L * std::sin(angle)},
               {cx + L * std::cos(angle), cy + L * std::sin(angle)});
  return m;
}

/// Half-plane below a straight line through the centre at `angle` (a two-phase straight boundary).
inline Mask half_plane(int n, double angle = 0.35) {
  Mask m(n, n, 0);
  const double s = std::sin(angle), c = std::cos(angle);
  for (int r = 0; r < n; ++r) {
    for (int col = 0; col < n; ++col) {
      const double x = col + 0.5 - 0.5 * n, y = r + 0.5 - 0.5 * n;
      m(r, col) = (y * c - x * s) < 0 ? 1 : 0;
    }
  }
  return m;
}

/// Filled disk of radius `radius` * n at the centre.
inline Mask disk(int n, double radius = 0.37) {
  Mask m(n, n, 0);
  const double R = radius * n, c = 0.5 * n;
  for (int r = 0; r < n; ++r) {
    for (int col = 0; col < n; ++col) m(r, col) = std::hypot(col + 0.5 - c, r + 0.5 - c) < R ? 1 : 0;
  }
  return m;
}

/// Circle outline, 1 px thick.
inline Mask circle(int n, double radius = 0.37) {
  Mask m(n, n, 0);
  const double R = radius * n, c = 0.5 * n;
  const int k = static_cast<int>(std::ceil(2.0 * kPi * R * 2.0));
  std::vector<Point> p;
  for (int i = 0; i < k; ++i) p.push_back({c + R * std::cos(2.0 * kPi * i / k), c + R * std::sin(2.0 * kPi * i / k)});
  draw_polyline(m, p, true);
  return m;
}

inline std::vector<Point> square_corners(int n, double half, double angle) {
  std::vector<Point> p;
  for (int i = 0; i < 4; ++i) {
    const double a = angle + kPi / 4 + i * kPi / 2;
    p.push_back({0.5 * n + half * std::sqrt(2.0) * std::cos(a), 0.5 * n + half * std::sqrt(2.0) * std::sin(a)});
  }
  return p;
}

/// Outline of a square of side 2 * half * n rotated by `angle`, 1 px thick.
inline Mask square_outline(int n, double half = 0.3, double angle = 0.3) {
  Mask m(n, n, 0);
  draw_polyline(m, square_corners(n, half * n, angle), true);
  return m;
}

/// The same square, filled (two-phase).
inline Mask square_filled(int n, double half = 0.3, double angle = 0.3) {
  Mask m(n, n, 0);
  fill_polygon(m, square_corners(n, half * n, angle));
  return m;
}

/// Sierpinski triangle as Pascal's triangle mod 2 in an n x n image (n = 2^levels): pixel (r, c)
/// is set iff (c & r) == c for c <= r -- a right-angled gasket, dimension log 3 / log 2.
inline Mask sierpinski_triangle(int n) {
  Mask m(n, n, 0);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c <= r; ++c) m(r, c) = (c & r) == c ? 1 : 0;
  }
  return m;
}

/// Sierpinski carpet of `levels` levels, 3^levels pixels wide: set = the carpet, holes clear.
inline Mask sierpinski_carpet(int levels) {
  int n = 1;
  for (int i = 0; i < levels; ++i) n *= 3;
  Mask m(n, n, 1);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      for (int rr = r, cc = c; rr > 0 || cc > 0; rr /= 3, cc /= 3) {
        if (rr % 3 == 1 && cc % 3 == 1) {
          m(r, c) = 0;
          break;
        }
      }
    }
  }
  return m;
}

/// Koch curve of `levels` levels from a to b (the points, a included, b excluded).
inline void koch_points(Point a, Point b, int levels, std::vector<Point>& out) {
  if (levels == 0) {
    out.push_back(a);
    return;
  }
  const Point d{(b.x - a.x) / 3, (b.y - a.y) / 3};
  const Point p1{a.x + d.x, a.y + d.y}, p3{a.x + 2 * d.x, a.y + 2 * d.y};
  // The peak: p1 + d rotated by +60 degrees (outwards for a clockwise triangle).
  const double c = 0.5, s = std::sqrt(3.0) / 2;
  const Point p2{p1.x + c * d.x - s * d.y, p1.y + s * d.x + c * d.y};
  koch_points(a, p1, levels - 1, out);
  koch_points(p1, p2, levels - 1, out);
  koch_points(p2, p3, levels - 1, out);
  koch_points(p3, b, levels - 1, out);
}

/// Koch snowflake polygon inside an n x n image (side 0.56 n, centred).
inline std::vector<Point> koch_snowflake_polygon(int n, int levels) {
  const double side = 0.56 * n, h = side * std::sqrt(3.0) / 2;
  const double cx = 0.5 * n, cy = 0.5 * n;
  // Clockwise triangle, so the bumps point outwards; centroid at the image centre.
  const Point a{cx - side / 2, cy - h / 3}, b{cx, cy + 2 * h / 3}, c{cx + side / 2, cy - h / 3};
  std::vector<Point> p;
  koch_points(a, b, levels, p);
  koch_points(b, c, levels, p);
  koch_points(c, a, levels, p);
  return p;
}

/// Filled Koch snowflake (two-phase). Dimension of the boundary log 4 / log 3.
inline Mask koch_snowflake(int n, int levels) {
  Mask m(n, n, 0);
  fill_polygon(m, koch_snowflake_polygon(n, levels));
  return m;
}

/// Koch curve drawn as a 1-px line across the image (thin set).
inline Mask koch_curve(int n, int levels) {
  Mask m(n, n, 0);
  std::vector<Point> p;
  // Base from (0.05 n, 0.3 n) to (0.95 n, 0.3 n); the bumps rise to 0.3 n + 0.26 n.
  const Point a{0.05 * n, 0.3 * n}, b{0.95 * n, 0.3 * n};
  koch_points(b, a, levels, p);  // right to left, so the peaks point up (+y)
  p.push_back(a);
  draw_polyline(m, p, false);
  return m;
}

/// Filled Julia set of z^2 + c, sampled at pixel centres of [cx - h, cx + h] x [cy - h, cy + h]:
/// set = bounded after `max_iter` iterations (|z| <= 2).
inline Mask filled_julia(int n, std::complex<double> c, double h, int max_iter, double cx = 0.0, double cy = 0.0) {
  Mask m(n, n, 0);
  for (int r = 0; r < n; ++r) {
    for (int col = 0; col < n; ++col) {
      double x = cx + h * (2.0 * (col + 0.5) / n - 1.0), y = cy + h * (2.0 * (r + 0.5) / n - 1.0);
      int i = 0;
      for (; i < max_iter; ++i) {
        const double x2 = x * x, y2 = y * y;
        if (x2 + y2 > 4.0) break;
        y = 2.0 * x * y + c.imag();
        x = x2 - y2 + c.real();
      }
      m(r, col) = i == max_iter ? 1 : 0;
    }
  }
  return m;
}

/// Reference dimensions (docs/dimension.md#validation-shapes).
inline constexpr double kKoch = 1.2618595071429148;        // log 4 / log 3
inline constexpr double kSierpinski = 1.5849625007211562;  // log 3 / log 2
inline constexpr double kCarpet = 1.8927892607143721;      // log 8 / log 3
inline constexpr double kBasilica = 1.2683;                // c = -1
inline constexpr double kRabbit = 1.3934;                  // c = -0.123 + 0.745i (McMullen)
inline constexpr double kCauliflower = 1.0812;             // c = 1/4

}  // namespace trainscape::shapes
