// `trainscape movie RUN_DIR`: the zoom as an MP4 from run.h5 (docs/watch.md#the-movie).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "../stop_request.hpp"
#include "../stored_run_input.hpp"
#include "../video_encoder.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/movie.hpp"
#include "trainscape/palette.hpp"

namespace trainscape::app {

namespace {

/// "N" or "WxH" -> width, height; each even and in [16, 8192].
void parse_size(const std::string& text, int& width, int& height) {
  const std::string rule = "must be N or WxH with even sizes in [16, 8192] (yuv420p needs even sizes)";
  const std::size_t x = text.find('x');
  try {
    std::size_t used = 0;
    const std::string w = x == std::string::npos ? text : text.substr(0, x);
    const std::string h = x == std::string::npos ? text : text.substr(x + 1);
    width = std::stoi(w, &used);
    if (used != w.size()) throw std::invalid_argument(w);
    height = std::stoi(h, &used);
    if (used != h.size()) throw std::invalid_argument(h);
  } catch (const std::exception&) {
    throw errors::option_value("--size", text, rule);
  }
  for (int v : {width, height}) {
    if (v < 16 || v > 8192 || v % 2 != 0) throw errors::option_value("--size", text, rule);
  }
}

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

int run_movie_command(const MovieOptions& opt) {
  Palette palette = Palette::Spectral;
  if (!palette_from_string(opt.palette, palette)) {
    throw errors::option_value("--palette", opt.palette, "must be one of: " + palette_choices());
  }
  if (opt.codec != "h264" && opt.codec != "hevc") {
    throw errors::option_value("--codec", opt.codec, "must be one of: h264, hevc");
  }
  if (opt.quality < 0 || opt.quality > 51) {
    throw errors::option_value("--quality", std::to_string(opt.quality), "must be a CRF in [0, 51]");
  }
  const RunInput input = open_run(opt.run_dir);
  const std::vector<FrameResult>& frames = input.run.frames;
  const MovieTiming timing =
      movie_timing(static_cast<int>(frames.size()), opt.fps, opt.seconds_per_step, opt.hold, opt.reverse);

  VideoSettings video;
  video.fps = opt.fps;
  video.codec = opt.codec;
  video.quality = opt.quality;
  if (opt.size.empty()) {
    video.width = frames.front().measure.cols + frames.front().measure.cols % 2;
    video.height = frames.front().measure.rows + frames.front().measure.rows % 2;
  } else {
    parse_size(opt.size, video.width, video.height);
  }
  const std::string out = opt.out.empty() ? opt.run_dir + "/zoom.mp4" : opt.out;

  std::vector<const Image<double>*> measures;
  std::vector<Window> windows;
  for (const FrameResult& f : frames) {
    measures.push_back(&f.measure);
    windows.push_back(f.window);
  }
  MovieRenderer renderer(measures, windows, palette);

  install_stop_handlers();
  const bool progress = !opt.quiet && ::isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  VideoEncoder encoder(out, video);
  const int total = timing.total_frames();
  for (int n = 0; n < total; ++n) {
    if (stop_signal().load() != 0) {
      encoder.abort();
      if (progress) std::fprintf(stderr, "\r\033[K");
      throw stopped_error("movie stopped", "no movie was written (" + out + " is untouched)",
                          "the same command (a movie starts from its first frame)");
    }
    encoder.write_frame(renderer.render(timing.position(n), video.width, video.height));
    if (progress) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double eta = elapsed / (n + 1) * (total - n - 1);
      std::fprintf(stderr, "\r\033[Kmovie frame %d/%d  elapsed %s  ETA %s", n + 1, total, clock_text(elapsed).c_str(),
                   clock_text(eta).c_str());
      std::fflush(stderr);
    }
  }
  if (progress) std::fprintf(stderr, "\r\033[Kencoding ...");
  encoder.finish();
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (!opt.quiet) {
    std::printf("wrote %s: %d x %d, %d frames at %g fps (%.3f s), %s\n", out.c_str(), video.width, video.height, total,
                opt.fps, total / opt.fps, opt.codec.c_str());
  }
  return 0;
}

}  // namespace trainscape::app
