#pragma once
/// Certifying a perturbation frame (docs/deep-zoom.md#certification): a sample of its pixels is
/// trained again, directly in quad-double, and compared with what the perturbation engine gave.
#include <cstdint>
#include <utility>
#include <vector>

#include "trainscape/engine.hpp"
#include "trainscape/frame.hpp"
#include "trainscape/image.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

/// The (row, col) pixels to certify in a frame with these classes: `count` of them (all pixels
/// if the frame has fewer), spread over both classes and over the frame. Half (rounded up) are
/// converged pixels and the rest diverged ones; a class with too few pixels gives its share to
/// the other. Within a class the picks are evenly spaced in row-major order (the i-th of k picks
/// among n pixels is number floor((i + 1/2) n / k)), so they cover the rows of the frame.
/// Depends only on the classes: the same sample for every thread count and every rank.
std::vector<std::pair<int, int>> certification_sample(const Image<std::uint8_t>& converged, int count);

/// Trains the pixels of certification_sample(converged, count) with deep::train_high_precision
/// at their exact coordinates (pixel_coordinate about the window's exact centre) on `threads`
/// threads, and compares: the fraction with the frame's class, and the relative measure errors
/// |measure - direct| / |direct| over the pixels whose class agrees. glitched_pixels is left 0
/// (the engine counts those).
Certification certify_frame(const Problem& problem, const Window& window, const Image<double>& measure,
                            const Image<std::uint8_t>& converged, int count, int threads);

/// The reference engine's plain high-precision mode for perturbation runs (`--engine reference`
/// with training.arithmetic: perturbation): every pixel trained directly in quad-double by
/// deep::train_high_precision at (centre_x + x, centre_y + y), where the points handed to train()
/// are offsets from the centre as the perturbation engine gets them. The oracle for a whole
/// frame: exact but thousands of times slower than perturbation.
class HighPrecisionFrameEngine : public Engine {
 public:
  HighPrecisionFrameEngine(const Problem& problem, const Wide& centre_x, const Wide& centre_y);
  const char* name() const override { return "reference"; }
  void train(const Problem& problem, const HyperPoint* offsets, std::size_t count, PixelOutcome* out) const override;
  void train_cancellable(const Problem& problem, const HyperPoint* offsets, std::size_t count, PixelOutcome* out,
                         const std::atomic<bool>& cancel) const override;

 private:
  Wide centre_x_;
  Wide centre_y_;
};

}  // namespace trainscape
