#include "trainscape/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace trainscape {

namespace {

constexpr double kWidth = 640, kHeight = 420;
constexpr double kLeft = 72, kRight = 170, kTop = 36, kBottom = 56;  // margins; the legend sits right

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string tick_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// One axis: data range, scale and ticks.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;  ///< in axis units (log10 of the value on a log axis)

  double unit(double v) const { return log ? std::log10(v) : v; }
  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  /// Ticks in axis units: decades on a log axis, 1/2/5 steps on a linear one.
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      for (double d = std::ceil(lo - 1e-9); d <= hi + 1e-9; d += 1) t.push_back(d);
      return t;
    }
    const double raw = (hi - lo) / 6;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
      t.push_back(std::fabs(v) < 1e-12 * step ? 0 : v);
    return t;
  }
  std::string label(double tick) const { return log ? tick_text(std::pow(10.0, tick)) : tick_text(tick); }
};

Axis make_axis(bool log, const std::vector<double>& values) {
  Axis a;
  a.log = log;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values) {
    if (!a.usable(v)) continue;
    lo = std::min(lo, a.unit(v));
    hi = std::max(hi, a.unit(v));
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  const double pad = 0.05 * (hi - lo);
  a.lo = lo - pad;
  a.hi = hi + pad;
  if (log) {  // whole decades at the ends, so the ticks frame the data
    a.lo = std::min(a.lo, std::floor(lo));
    a.hi = std::max(a.hi, std::ceil(hi));
  }
  return a;
}

}  // namespace

std::string render_svg(const PlotSpec& spec) {
  std::vector<double> xs, ys;
  for (const PlotSeries& s : spec.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
    ys.insert(ys.end(), s.y_low.begin(), s.y_low.end());
    ys.insert(ys.end(), s.y_high.begin(), s.y_high.end());
  }
  const Axis ax = make_axis(spec.log_x, xs), ay = make_axis(spec.log_y, ys);
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double v) { return kLeft + (ax.unit(v) - ax.lo) / (ax.hi - ax.lo) * pw; };
  auto py = [&](double v) { return kTop + ph - (ay.unit(v) - ay.lo) / (ay.hi - ay.lo) * ph; };

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
    << "\" viewBox=\"0 0 " << kWidth << " " << kHeight << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<title>" << xml_escape(spec.title) << "</title>\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << num(kLeft + pw / 2) << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
    << xml_escape(spec.title) << "</text>\n";
  // Grid and ticks.
  o << "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
  for (double t : ax.ticks())
    o << "<line x1=\"" << num(kLeft + (t - ax.lo) / (ax.hi - ax.lo) * pw) << "\" y1=\"" << num(kTop) << "\" x2=\""
      << num(kLeft + (t - ax.lo) / (ax.hi - ax.lo) * pw) << "\" y2=\"" << num(kTop + ph) << "\"/>\n";
  for (double t : ay.ticks())
    o << "<line x1=\"" << num(kLeft) << "\" y1=\"" << num(kTop + ph - (t - ay.lo) / (ay.hi - ay.lo) * ph) << "\" x2=\""
      << num(kLeft + pw) << "\" y2=\"" << num(kTop + ph - (t - ay.lo) / (ay.hi - ay.lo) * ph) << "\"/>\n";
  o << "</g>\n<g fill=\"#333333\">\n";
  for (double t : ax.ticks())
    o << "<text x=\"" << num(kLeft + (t - ax.lo) / (ax.hi - ax.lo) * pw) << "\" y=\"" << num(kTop + ph + 16)
      << "\" text-anchor=\"middle\">" << ax.label(t) << "</text>\n";
  for (double t : ay.ticks())
    o << "<text x=\"" << num(kLeft - 6) << "\" y=\"" << num(kTop + ph - (t - ay.lo) / (ay.hi - ay.lo) * ph + 4)
      << "\" text-anchor=\"end\">" << ay.label(t) << "</text>\n";
  o << "</g>\n";
  o << "<rect x=\"" << num(kLeft) << "\" y=\"" << num(kTop) << "\" width=\"" << num(pw) << "\" height=\"" << num(ph)
    << "\" fill=\"none\" stroke=\"#333333\"/>\n";
  o << "<text x=\"" << num(kLeft + pw / 2) << "\" y=\"" << num(kHeight - 14) << "\" text-anchor=\"middle\">"
    << xml_escape(spec.x_label) << "</text>\n";
  o << "<text transform=\"translate(16 " << num(kTop + ph / 2) << ") rotate(-90)\" text-anchor=\"middle\">"
    << xml_escape(spec.y_label) << "</text>\n";

  // Data, clipped to the plot area.
  o << "<defs><clipPath id=\"plot-area\"><rect x=\"" << num(kLeft) << "\" y=\"" << num(kTop) << "\" width=\"" << num(pw)
    << "\" height=\"" << num(ph) << "\"/></clipPath></defs>\n<g clip-path=\"url(#plot-area)\">\n";
  for (const PlotSeries& s : spec.series) {
    const std::size_t n = std::min(s.x.size(), s.y.size());
    o << "<g class=\"series\" stroke=\"" << s.colour << "\" fill=\"" << s.colour << "\">\n";
    if (s.line) {
      std::string path;
      bool pen_down = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (!ax.usable(s.x[i]) || !ay.usable(s.y[i])) {
          pen_down = false;
          continue;
        }
        path += (pen_down ? " L" : " M") + num(px(s.x[i])) + " " + num(py(s.y[i]));
        pen_down = true;
      }
      if (!path.empty()) {
        o << "<path d=\"" << path.substr(1) << "\" fill=\"none\" stroke-width=\"1.5\""
          << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!ax.usable(s.x[i]) || !ay.usable(s.y[i])) continue;
      if (i < s.y_low.size() && i < s.y_high.size() && ay.usable(s.y_low[i]) && ay.usable(s.y_high[i])) {
        o << "<line x1=\"" << num(px(s.x[i])) << "\" y1=\"" << num(py(s.y_low[i])) << "\" x2=\"" << num(px(s.x[i]))
          << "\" y2=\"" << num(py(s.y_high[i])) << "\" stroke-width=\"1.2\"/>\n";
      }
      if (s.markers) o << "<circle cx=\"" << num(px(s.x[i])) << "\" cy=\"" << num(py(s.y[i])) << "\" r=\"3\"/>\n";
    }
    o << "</g>\n";
  }
  o << "</g>\n";

  // Legend.
  double ly = kTop + 8;
  o << "<g class=\"legend\">\n";
  for (const PlotSeries& s : spec.series) {
    if (s.label.empty()) continue;
    const double lx = kLeft + pw + 12;
    if (s.line) {
      o << "<line x1=\"" << num(lx) << "\" y1=\"" << num(ly) << "\" x2=\"" << num(lx + 22) << "\" y2=\"" << num(ly)
        << "\" stroke=\"" << s.colour << "\" stroke-width=\"1.5\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
        << "/>\n";
    }
    if (s.markers)
      o << "<circle cx=\"" << num(lx + 11) << "\" cy=\"" << num(ly) << "\" r=\"3\" fill=\"" << s.colour << "\"/>\n";
    o << "<text x=\"" << num(lx + 28) << "\" y=\"" << num(ly + 4) << "\">" << xml_escape(s.label) << "</text>\n";
    ly += 17;
  }
  o << "</g>\n</svg>\n";
  return o.str();
}

namespace {

/// A colour per frame, evenly spread around the hue circle at fixed lightness (HSL 45%).
std::string frame_colour(std::size_t i, std::size_t n) {
  const double h = 360.0 * static_cast<double>(i) / static_cast<double>(std::max<std::size_t>(n, 1));
  char buf[48];
  std::snprintf(buf, sizeof buf, "hsl(%.0f, 65%%, 42%%)", h);
  return buf;
}

/// Depth of a frame in decades of magnification relative to frame 0 (log10 of the width ratio).
double depth(const FrameResult& first, const FrameResult& f) {
  return std::log10(first.window.half_x / f.window.half_x);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

std::vector<Figure> run_figures(const std::vector<FrameResult>& frames, const std::vector<DimensionReport>& reports,
                                const DimensionReport& sequence) {
  std::vector<Figure> figures;
  const std::size_t n = frames.size();

  PlotSpec counts{"Box counts of each frame's boundary, with the box-count fit",
                  "box size d (pixels)",
                  "boxes N(d) holding boundary (mean over grid offsets)",
                  true,
                  true,
                  {}};
  PlotSpec slopes{
      "Local box-count slopes (porespy)", "box size d (pixels)", "slope -dlnN/dlnd (dimension)", true, false, {}};
  for (std::size_t i = 0; i < n; ++i) {
    const FrameResult& f = frames[i];
    PlotSeries c{"frame " + std::to_string(f.index), frame_colour(i, n), true, true, false, {}, {}, {}, {}};
    PlotSeries s = c;
    for (std::size_t j = 0; j < f.boxcount.sizes.size(); ++j) {
      s.x.push_back(static_cast<double>(f.boxcount.sizes[j]));
      s.y.push_back(j < f.boxcount.slopes.size() ? f.boxcount.slopes[j] : kNaN);
    }
    // The counts the fit was made from (box-count fit: every scale, averaged over grid offsets).
    if (i < reports.size()) {
      c.x = reports[i].boxcount_fit.scales;
      c.y = reports[i].boxcount_fit.values;
      c.y.resize(c.x.size(), kNaN);
    }
    counts.series.push_back(c);
    slopes.series.push_back(s);
    // The box-count fit over its fitted range: slope -D through the mean of the fitted points.
    if (i < reports.size()) {
      const DimensionEstimate& fit = reports[i].boxcount_fit;
      double sum = 0;
      int used = 0;
      for (std::size_t j = 0; j < fit.scales.size() && j < fit.values.size(); ++j) {
        if (fit.scales[j] >= fit.fit_min && fit.scales[j] <= fit.fit_max && fit.values[j] > 0) {
          sum += std::log10(fit.values[j]) + fit.dimension * std::log10(fit.scales[j]);
          ++used;
        }
      }
      if (used > 0 && std::isfinite(fit.dimension)) {
        const double intercept = sum / used;
        PlotSeries line{i == 0 ? "fit over fitted range" : "", frame_colour(i, n), true, false, true, {}, {}, {}, {}};
        for (double d : {fit.fit_min, fit.fit_max}) {
          line.x.push_back(d);
          line.y.push_back(std::pow(10.0, intercept - fit.dimension * std::log10(d)));
        }
        counts.series.push_back(line);
      }
    }
  }
  if (std::isfinite(sequence.porespy_median.dimension) && n > 0) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const FrameResult& f : frames) {
      for (std::int64_t d : f.boxcount.sizes)
        lo = std::min(lo, static_cast<double>(d)), hi = std::max(hi, static_cast<double>(d));
    }
    if (std::isfinite(lo)) {
      slopes.series.push_back({"sequence median",
                               "#000000",
                               true,
                               false,
                               true,
                               {lo, hi},
                               {sequence.porespy_median.dimension, sequence.porespy_median.dimension},
                               {},
                               {}});
    }
  }
  figures.push_back({"boxcounts.svg", render_svg(counts)});
  figures.push_back({"slopes.svg", render_svg(slopes)});

  PlotSpec dim{"Dimension estimates per frame (95% intervals)",
               "zoom depth (decades of magnification)",
               "boundary dimension",
               false,
               false,
               {}};
  struct Method {
    const char* label;
    const char* colour;
    DimensionEstimate DimensionReport::*field;
    double shift;  ///< horizontal offset (decades) so error bars do not hide each other
  };
  const Method methods[] = {{"porespy median", "#b2182b", &DimensionReport::porespy_median, -0.02},
                            {"box-count fit", "#2166ac", &DimensionReport::boxcount_fit, 0.0},
                            {"pair estimator", "#1b7837", &DimensionReport::pair, 0.02}};
  for (const Method& m : methods) {
    PlotSeries s{m.label, m.colour, true, true, false, {}, {}, {}, {}};
    for (std::size_t i = 0; i < n && i < reports.size(); ++i) {
      const DimensionEstimate& e = reports[i].*m.field;
      s.x.push_back(depth(frames.front(), frames[i]) + m.shift);
      s.y.push_back(e.dimension);
      s.y_low.push_back(e.has_ci() ? e.ci_low : kNaN);
      s.y_high.push_back(e.has_ci() ? e.ci_high : kNaN);
    }
    dim.series.push_back(s);
  }
  figures.push_back({"dimension.svg", render_svg(dim)});
  return figures;
}

}  // namespace trainscape
