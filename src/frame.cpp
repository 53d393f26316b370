#include "trainscape/frame.hpp"

#include <cmath>

namespace trainscape {

void analyse_frame(FrameResult& frame) {
  frame.edges = edge_mask(frame.measure);
  frame.edge_pixels = 0;
  for (std::uint8_t e : frame.edges.data) frame.edge_pixels += e ? 1 : 0;
  frame.boxcount = porespy_boxcount(frame.edges);
  frame.dimension = numpy_median(frame.boxcount.slopes);
}

// ---- choosing windows ----------------------------------------------------------------------------

}  // namespace trainscape
