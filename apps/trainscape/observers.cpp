#include "observers.hpp"

#include <cinttypes>
#include <cmath>
#include <sstream>

#include "trainscape/colour.hpp"
#include "trainscape/io/png.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/version.hpp"

namespace trainscape::app {

namespace {
std::string format(const char* fmt, double a, double b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

std::string window_text(const Window& w) {
  std::string text = format("x_min=%.17g x_max=%.17g", w.x_min(), w.x_max()) + " " +
                     format("y_min=%.17g y_max=%.17g", w.y_min(), w.y_max()) + " " +
                     format("centre_x=%.17g centre_y=%.17g", w.centre_x, w.centre_y) + " " +
                     format("half_x=%.17g half_y=%.17g", w.half_x, w.half_y);
  if (w.tail_x != WideTail{} || w.tail_y != WideTail{}) {
    // A deep window: the exact centre, which the doubles above no longer hold.
    text += " centre_x_decimal=" + w.exact_centre_x().decimal() + " centre_y_decimal=" + w.exact_centre_y().decimal();
  }
  return text;
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

// ---- PNG ------------------------------------------------------------------------------------------

std::string png_config_text(const RunConfig& config) {
  // Only what the image shows depends on: a frame is the same file whether it was computed with
  // 1 or 64 threads, in one process or in shards, into one directory or another.
  std::istringstream all(to_yaml(config));
  std::string text;
  for (std::string line; std::getline(all, line);) {
    const std::string section = line.substr(0, line.find(':'));
    if (!is_runtime_key(section, "")) text += line + "\n";
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> frame_png_text(const FrameResult& frame,
                                                                const std::string& config_text) {
  return {
      {"Software", std::string("trainscape ") + kVersion},
      {"trainscape.version", kVersion},
      {"trainscape.frame", std::to_string(frame.index)},
      {"trainscape.window", window_text(frame.window)},
      {"trainscape.config", config_text},
  };
}

void PngFrameWriter::on_run_start(const RunConfig& config, const Problem& /*problem*/) {
  config_yaml_ = png_config_text(config);
}

void PngFrameWriter::on_frame_done(const FrameResult& frame) {
  io::write_png_file(io::RunDirectory(dir_).frame_png(frame.index),
                     io::encode_png(colourise(frame.measure), frame_png_text(frame, config_yaml_)));
}

// ---- progress --------------------------------------------------------------------------------------

void ProgressDisplay::on_run_start(const RunConfig& config, const Problem& problem) {
  frames_ = config.zoom.frames;
  pixel_steps_per_frame_ = static_cast<std::int64_t>(config.render.resolution.cols) * config.render.resolution.rows *
                           problem.steps;
  run_start_ = Clock::now();
}

void ProgressDisplay::on_frame_start(int frame, const Window& /*window*/, int tiles, int tiles_restored) {
  // Work restored from a journal (earlier frames, and tiles of this one) counts as done but not
  // towards the rate. Tiles are near-equal in size, so their share of the frame is a fair estimate.
  restored_ = static_cast<std::int64_t>(frame) * pixel_steps_per_frame_ - computed_before_frame_;
  if (tiles > 0) restored_ += pixel_steps_per_frame_ * tiles_restored / tiles;
}

bool ProgressDisplay::on_tile_done(const TileProgress& p) {
  if (enabled_) {
    const auto now = Clock::now();
    // Redraw at most ~10 times a second, and always on a frame's last tile.
    if (p.tiles_done == p.tiles_total || now - last_draw_ > std::chrono::milliseconds(100)) {
      last_draw_ = now;
      const double elapsed = std::chrono::duration<double>(now - run_start_).count();
      const double computed = static_cast<double>(computed_before_frame_ + p.pixel_steps_done);
      const double done = computed + static_cast<double>(restored_);
      const double total = static_cast<double>(pixel_steps_per_frame_) * frames_;
      const double rate = elapsed > 0 ? computed / elapsed : 0.0;
      const double eta = rate > 0 ? (total - done) / rate : NAN;
      std::fprintf(stderr, "\r\033[Kframe %d/%d  tiles %d/%d%s  %.3g pixel-steps/s  elapsed %s  ETA %s", p.frame + 1,
                   frames_, p.tiles_done, p.tiles_total, p.tiles_restored > 0 ? " (some restored)" : "", rate,
                   duration_text(elapsed).c_str(), duration_text(eta).c_str());
      std::fflush(stderr);
    }
  }
  last_frame_pixel_steps_ = p.pixel_steps_done;
  return stop_.load() == 0;
}

void ProgressDisplay::on_frame_done(const FrameResult& /*frame*/) {
  computed_before_frame_ += last_frame_pixel_steps_;
  last_frame_pixel_steps_ = 0;
  if (enabled_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

// ---- summary ---------------------------------------------------------------------------------------

void SummaryPrinter::on_run_start(const RunConfig& config, const Problem& problem) {
  start_ = std::chrono::steady_clock::now();
  if (problem.kind == ModelKind::RippleQuadratic) {
    std::fprintf(
        out_, "trainscape %s: ripple_quadratic, p = %d, delta %g, wavelength %g, %d steps, %d x %d pixels, %d frames\n",
        kVersion, problem.dim, problem.delta, problem.wavelength, problem.steps, config.render.resolution.cols,
        config.render.resolution.rows, config.zoom.frames);
    std::fflush(out_);
    return;
  }
  std::fprintf(out_, "trainscape %s: %s network, width %d, depth %d, N = %d, %d steps, %d x %d pixels, %d frames\n",
               kVersion, to_string(problem.nonlinearity), problem.width, problem.depth, problem.n_data(), problem.steps,
               config.render.resolution.cols, config.render.resolution.rows, config.zoom.frames);
  std::fflush(out_);
}

void SummaryPrinter::on_frame_done(const FrameResult& f) {
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(out_,
               "frame %3d  x [%.12g, %.12g]  y [%.12g, %.12g]  edge pixels %8" PRId64
               "  dimension %.4f  box fit %s  pair %s  (%.1f s)\n",
               f.index, f.window.x_min(), f.window.x_max(), f.window.y_min(), f.window.y_max(), f.edge_pixels,
               f.dimension, format_estimate(f.robust.boxcount_fit).c_str(), format_estimate(f.robust.pair).c_str(), t);
  const Window& w = f.window;
  if (w.tail_x != WideTail{} || w.tail_y != WideTail{} || f.certification.pixels > 0) {
    // A deep frame: the bounds above have lost the digits that place it.
    std::fprintf(out_, "           centre x %s  y %s  half-widths %.6g x %.6g\n",
                 w.exact_centre_x().decimal(40).c_str(), w.exact_centre_y().decimal(40).c_str(), w.half_x, w.half_y);
  }
  const Certification& c = f.certification;
  if (c.pixels > 0) {
    std::fprintf(out_,
                 "           certified: %d pixels retrained in quad-double, class agreement %.4f, measure error "
                 "median %.3g max %.3g (relative); of %" PRId64 " pixels trained here: %" PRId64
                 " glitched and recomputed, %" PRId64 " finished in float64, %" PRId64 " classed by the exact tail%s\n",
                 c.pixels, c.agreement, c.median_relative_measure_error, c.max_relative_measure_error, c.counted_pixels,
                 c.glitched_pixels, c.continued_pixels, c.reclassified_pixels,
                 c.agreement < kCertificationThreshold ? "  BELOW THRESHOLD" : "");
  }
  std::fflush(out_);
}

void SummaryPrinter::on_run_done(const ZoomSummary& s) {
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(out_, "sequence dimension (median of all frames' box-count slopes): %.4f  (%zu frames, %.1f s)\n",
               s.dimension, s.windows.size(), t);
  std::fprintf(out_, "sequence box-count fit: %s  pair estimator: %s  (95%% intervals)\n",
               format_estimate(s.robust.boxcount_fit).c_str(), format_estimate(s.robust.pair).c_str());
  std::fflush(out_);
}

}  // namespace trainscape::app
