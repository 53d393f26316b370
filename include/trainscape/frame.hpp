#pragma once
/// What a zoom produces: one analysed frame, the summary of a run, and the progress of a frame
/// while its tiles are computed. Plain data; the driver (zoom.hpp) fills them, observers
/// (observer.hpp) receive them.
#include <cstdint>
#include <vector>

#include "trainscape/analysis.hpp"
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/image.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// How a perturbation frame's sample of pixels, retrained directly in quad-double, agreed with
/// the frame (docs/deep-zoom.md#certification). Empty (pixels = 0) for direct frames.
struct Certification {
  int pixels = 0;                              ///< pixels retrained directly
  double agreement = 0.0;                      ///< fraction of them with the frame's class
  double median_relative_measure_error = 0.0;  ///< over the pixels whose class agrees
  double max_relative_measure_error = 0.0;
  std::int64_t glitched_pixels = 0;  ///< pixels the perturbation engine recomputed (glitches)
  /// Pixels finished in plain float64 after leaving their reference: only as accurate as direct
  /// float64 training from there on (docs/deep-zoom.md#glitches).
  std::int64_t continued_pixels = 0;
  /// Pixels whose class the exact tail excess decided against the double rule on rounded losses
  /// (docs/deep-zoom.md#the-class-at-depth).
  std::int64_t reclassified_pixels = 0;
  /// The pixels the three counts above cover: those this process trained for the frame in the
  /// run that wrote it. Fewer than the frame's pixels when tiles were restored from a journal
  /// (resume), came from other MPI ranks or from shards; the counts then say nothing about the
  /// rest.
  std::int64_t counted_pixels = 0;
};

/// The class agreement below which a certified frame is reported as not trustworthy (summary,
/// run.h5 keeps the numbers either way).
inline constexpr double kCertificationThreshold = 0.99;

/// One computed and analysed frame. Row 0 = y_min, column 0 = x_min.
struct FrameResult {
  int index = 0;                  ///< 0-based position in the zoom sequence
  Window window;                  ///< log10 window
  int steps = 0;                  ///< training steps per pixel
  Image<double> measure;          ///< rows x cols signed convergence measure
  Image<std::uint8_t> converged;  ///< rows x cols, 1 = trained
  ChannelImages channels;         ///< the extra channels the run stores (docs/channels.md)
  Image<std::uint8_t> edges;      ///< (rows-1) x (cols-1) boundary mask
  BoxCount boxcount;              ///< porespy box counts of the edge mask
  double dimension = 0.0;         ///< numpy median of boxcount.slopes (NaN without boundary)
  std::int64_t edge_pixels = 0;   ///< number of set pixels in `edges`
  DimensionReport robust;         ///< porespy median, box-count fit and pair estimator with
                                  ///< error bars (dimension.hpp)
  Certification certification;    ///< perturbation frames only
};

/// Result of a whole zoom run.
struct ZoomSummary {
  std::vector<Window> windows;  ///< one per frame
  std::vector<double> frame_dimensions;
  std::vector<std::int64_t> frame_edge_pixels;
  double dimension = 0.0;  ///< median of all frames' slopes pooled (the paper's number)
  DimensionReport robust;  ///< the robust estimators over all frames, with error bars
};

/// Where a frame's computation stands after one more tile finished.
struct TileProgress {
  int frame = 0;
  int tiles_done = 0;                  ///< finished tiles of this frame on this process, restored ones included
  int tiles_total = 0;                 ///< tiles of the frame (all processes together)
  int tiles_restored = 0;              ///< of tiles_done, the ones restored from an archive, not computed
  std::int64_t pixel_steps_done = 0;   ///< pixel-steps computed in this frame by this process
  const TileResult* result = nullptr;  ///< the tile that just finished
};

/// Fills edges, boxcount, dimension and edge_pixels of a frame from its measure (not `robust`,
/// which needs the sequence: see DimensionAccumulator).
void analyse_frame(FrameResult& frame);

}  // namespace trainscape
