// validate_dimension: every dimension estimator on every validation shape of
// docs/dimension.md#validation-shapes, at a chosen resolution, as a Markdown table (true value,
// estimate, error bar). Run by scripts/validate_dimension.sh; not part of the test suite (the
// tests use the same shapes at smaller sizes).
//
//   validate_dimension [--n 1024] [--carpet-levels 7] [--points 200000] [--no-mc] [--threads N]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shapes.hpp"
#include "trainscape/dimension/estimators.hpp"
#include "trainscape/dimension/uncertainty_exponent.hpp"
#include "trainscape/uncertainty.hpp"

using namespace trainscape;
namespace sh = trainscape::shapes;

namespace {

/// Point-in-polygon (even-odd) with edges bucketed by y, for the many-vertex Koch snowflake.
class PolygonTest {
 public:
  PolygonTest(std::vector<sh::Point> p, int buckets) : p_(std::move(p)), buckets_(buckets) {
    lo_ = hi_ = p_[0].y;
    for (const auto& q : p_) {
      lo_ = std::min(lo_, q.y);
      hi_ = std::max(hi_, q.y);
    }
    edges_.resize(static_cast<std::size_t>(buckets));
    for (std::size_t i = 0; i < p_.size(); ++i) {
      const auto& a = p_[i];
      const auto& b = p_[(i + 1) % p_.size()];
      const int b0 = bucket(std::min(a.y, b.y)), b1 = bucket(std::max(a.y, b.y));
      for (int k = b0; k <= b1; ++k) edges_[static_cast<std::size_t>(k)].push_back(i);
    }
  }
  bool inside(double x, double y) const {
    if (y < lo_ || y > hi_) return false;
    bool in = false;
    for (std::size_t i : edges_[static_cast<std::size_t>(bucket(y))]) {
      const auto& a = p_[i];
      const auto& b = p_[(i + 1) % p_.size()];
      if ((a.y <= y) != (b.y <= y) && x < a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)) in = !in;
    }
    return in;
  }

 private:
  int bucket(double y) const {
    const int k = static_cast<int>((y - lo_) / (hi_ - lo_) * buckets_);
    return std::clamp(k, 0, buckets_ - 1);
  }
  std::vector<sh::Point> p_;
  int buckets_;
  double lo_, hi_;
  std::vector<std::vector<std::size_t>> edges_;
};

bool julia_bounded(double x, double y, std::complex<double> c, int max_iter) {
  for (int i = 0; i < max_iter; ++i) {
    const double x2 = x * x, y2 = y * y;
    if (x2 + y2 > 4.0) return false;
    y = 2.0 * x * y + c.imag();
    x = x2 - y2 + c.real();
  }
  return true;
}

struct Shape {
  std::string name;
  double truth;
  std::function<sh::Mask()> image;
  PhaseFunction mc;  ///< outcome on the unit square for the Monte-Carlo estimator (empty: n/a)
  std::string mc_reason;
};

std::string cell(const DimensionEstimate& e) {
  if (!std::isfinite(e.dimension)) return "n/a";
  return format_estimate(e, 3);
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1024, carpet_levels = 7, threads = 0, julia_iter = 2000;
  long long points = 200000;
  bool mc = true;
  for (int i = 1; i < argc; ++i) {
    auto next = [&](const char* name) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "validate_dimension: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--n")) n = std::atoi(next("--n"));
    else if (!std::strcmp(argv[i], "--carpet-levels")) carpet_levels = std::atoi(next("--carpet-levels"));
    else if (!std::strcmp(argv[i], "--points")) points = std::atoll(next("--points"));
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(next("--threads"));
    else if (!std::strcmp(argv[i], "--julia-iter")) julia_iter = std::atoi(next("--julia-iter"));
    else if (!std::strcmp(argv[i], "--no-mc")) mc = false;
    else {
      std::fprintf(
          stderr,
          "usage: validate_dimension [--n N] [--carpet-levels L] [--points M] [--no-mc] [--threads T] [--julia-iter I]\n");
      return 2;
    }
  }
  int gasket_n = 1;
  while (gasket_n * 2 <= n) gasket_n *= 2;
  int koch_levels = 0;
  while (0.56 * n / std::pow(3.0, koch_levels + 1) >= 0.5) ++koch_levels;  // smallest segment ~ 0.5-1.5 px

  const std::complex<double> basilica(-1.0, 0.0), rabbit(-0.123, 0.745), cauliflower(0.25, 0.0);
  // Julia windows [cx - h, cx + h]^2 in the complex plane; the MC estimator samples the same square.
  struct JuliaView {
    std::complex<double> c;
    double h, cx, cy;
  };
  const JuliaView jb{basilica, 1.65, 0.0, 0.0}, jr{rabbit, 1.45, 0.0, 0.0}, jc{cauliflower, 0.85, -0.1, 0.0};
  auto julia_mc = [&](JuliaView v) -> PhaseFunction {
    return [v, julia_iter](double u, double w) {
      return julia_bounded(v.cx + v.h * (2 * u - 1), v.cy + v.h * (2 * w - 1), v.c, julia_iter);
    };
  };
  const auto koch_poly = std::make_shared<PolygonTest>(sh::koch_snowflake_polygon(1, 9), 4096);

  std::vector<Shape> shapes = {
      {"straight line (1 px)", 1.0, [&] { return sh::line(n); }, {}, "thin set"},
      {"half-plane (straight boundary)", 1.0, [&] { return sh::half_plane(n); },
       [](double u, double v) { return ((v - 0.5) * std::cos(0.35) - (u - 0.5) * std::sin(0.35)) < 0; }, ""},
      {"circle outline (1 px)", 1.0, [&] { return sh::circle(n); }, {}, "thin set"},
      {"disk r = 0.37", 1.0, [&] { return sh::disk(n); },
       [](double u, double v) { return std::hypot(u - 0.5, v - 0.5) < 0.37; }, ""},
      {"square outline (1 px, 17 deg)", 1.0, [&] { return sh::square_outline(n); }, {}, "thin set"},
      {"square filled (17 deg)", 1.0, [&] { return sh::square_filled(n); },
       [](double u, double v) {
         const double x = u - 0.5, y = v - 0.5, c = std::cos(0.3), s = std::sin(0.3);
         return std::abs(x * c + y * s) < 0.3 && std::abs(-x * s + y * c) < 0.3;
       },
       ""},
      {"Koch curve (1 px, L" + std::to_string(koch_levels) + ")",
       sh::kKoch,
       [&] { return sh::koch_curve(n, koch_levels); },
       {},
       "thin set"},
      {"Koch snowflake filled (L" + std::to_string(koch_levels) + ")", sh::kKoch,
       [&] { return sh::koch_snowflake(n, koch_levels); },
       [koch_poly](double u, double v) { return koch_poly->inside(u, v); }, ""},
      {"Sierpinski triangle (" + std::to_string(gasket_n) + " px)",
       sh::kSierpinski,
       [&] { return sh::sierpinski_triangle(gasket_n); },
       {},
       "zero-area set"},
      {"Sierpinski carpet (L" + std::to_string(carpet_levels) + ")",
       sh::kCarpet,
       [&] { return sh::sierpinski_carpet(carpet_levels); },
       {},
       "zero-area set"},
      {"Julia basilica c = -1", sh::kBasilica,
       [&] { return sh::filled_julia(n, jb.c, jb.h, julia_iter, jb.cx, jb.cy); }, julia_mc(jb), ""},
      {"Julia rabbit c = -0.123+0.745i", sh::kRabbit,
       [&] { return sh::filled_julia(n, jr.c, jr.h, julia_iter, jr.cx, jr.cy); }, julia_mc(jr), ""},
      {"Julia cauliflower c = 1/4", sh::kCauliflower,
       [&] { return sh::filled_julia(n, jc.c, jc.h, julia_iter, jc.cx, jc.cy); }, julia_mc(jc), ""},
  };

  std::printf("n = %d (gasket %d, carpet %d), Monte Carlo: %s\n\n", n, gasket_n,
              static_cast<int>(std::pow(3, carpet_levels)),
              mc ? (std::to_string(points) + " base points").c_str() : "off");
  std::printf(
      "| shape | true D | porespy_median | boxcount_fit [CI] | pair [CI] (mode) | uncertainty [CI] | notes |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  std::fflush(stdout);
  for (const Shape& s : shapes) {
    const auto t0 = std::chrono::steady_clock::now();
    const sh::Mask img = s.image();
    const DimensionReport r = estimate_dimensions({frame_statistics(phase_measure(img))});
    std::string mc_cell = "n/a (" + (s.mc_reason.empty() ? std::string("off") : s.mc_reason) + ")";
    std::string notes = r.boxcount_fit.note;
    if (mc && s.mc) {
      UncertaintyOptions uo;
      uo.points = points;
      uo.threads = threads;
      const DimensionEstimate u = uncertainty_exponent(s.mc, uo);
      mc_cell = cell(u);
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%d eps, %.1e..%.1e)", u.fit_points, u.fit_min, u.fit_max);
      mc_cell += std::isfinite(u.dimension) ? buf : "";
      if (!u.note.empty()) notes += (notes.empty() ? "" : "; ") + std::string("MC: ") + u.note;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("| %s | %.4f | %.3f | %s | %s (%s) | %s | %s%s%.0f s |\n", s.name.c_str(), s.truth,
                r.porespy_median.dimension, cell(r.boxcount_fit).c_str(), cell(r.pair).c_str(), r.pair.mode.c_str(),
                mc_cell.c_str(), notes.c_str(), notes.empty() ? "" : "; ", secs);
    std::fflush(stdout);
  }
  return 0;
}
