#pragma once
/// SVG figures of a stored run (docs/watch.md#plots), written by our own small chart code: axes
/// with ticks (linear or log10), axis labels, a legend, lines, markers and error bars. Pure
/// computation: returns the SVG text; the caller writes it.
#include <string>
#include <vector>

#include "trainscape/dimension/estimate.hpp"
#include "trainscape/frame.hpp"

namespace trainscape {

/// One data series of a chart. `y_low` / `y_high` (empty, or one per point) draw error bars;
/// points with a non-finite coordinate (or <= 0 on a log axis) are skipped.
struct PlotSeries {
  std::string label;   ///< legend text; empty = not in the legend
  std::string colour;  ///< CSS colour, e.g. "#3366aa"
  bool line = true;    ///< join the points
  bool markers = false;
  bool dashed = false;
  std::vector<double> x, y, y_low, y_high;
};

struct PlotSpec {
  std::string title;
  std::string x_label;  ///< with units, e.g. "box size d (pixels)"
  std::string y_label;
  bool log_x = false;
  bool log_y = false;
  std::vector<PlotSeries> series;
};

/// The chart as a standalone SVG document (640 x 420 user units, no external references).
std::string render_svg(const PlotSpec& spec);

/// A named SVG figure.
struct Figure {
  std::string name;  ///< file name, e.g. "boxcounts.svg"
  std::string svg;
};

/// The run's figures: "boxcounts.svg" (each frame's box counts N(d), averaged over grid offsets,
/// on log-log axes, with its box-count fit drawn over exactly the fitted range), "slopes.svg" (porespy's local slopes
/// against box size, with the sequence's porespy median), "dimension.svg" (each frame's porespy median, box-count fit
/// and pair estimate with their 95% intervals against zoom depth, log10 of the magnification relative to frame 0).
/// `reports[i]` belongs to `frames[i]`.
std::vector<Figure> run_figures(const std::vector<FrameResult>& frames, const std::vector<DimensionReport>& reports,
                                const DimensionReport& sequence);

}  // namespace trainscape
