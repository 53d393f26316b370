// `trainscape render RUN_DIR`: the frame PNGs again from run.h5 (docs/watch.md#render).
#include <cstdio>
#include <filesystem>
#include <string>

#include "../observers.hpp"
#include "../stored_run_input.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/png.hpp"
#include "trainscape/io/run_directory.hpp"
#include "trainscape/palette.hpp"

namespace trainscape::app {

namespace {

/// "A:B", "A:", ":B", "A" -> inclusive frame range within [0, last].
void parse_frames(const std::string& text, int last, int& first_frame, int& last_frame) {
  first_frame = 0;
  last_frame = last;
  if (text.empty()) return;
  const std::string rule = "must be A:B, A: or :B with frame indices in [0, " + std::to_string(last) + "], A <= B";
  auto index = [&](const std::string& s, int fallback) {
    if (s.empty()) return fallback;
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(s, &used);
    } catch (const std::exception&) {
      throw errors::option_value("--frames", text, rule);
    }
    if (used != s.size()) throw errors::option_value("--frames", text, rule);
    return v;
  };
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) {
    first_frame = last_frame = index(text, 0);
  } else {
    first_frame = index(text.substr(0, colon), 0);
    last_frame = index(text.substr(colon + 1), last);
  }
  if (first_frame < 0 || last_frame > last || first_frame > last_frame) {
    throw errors::option_value("--frames", text, rule);
  }
}

}  // namespace

int run_render_command(const RenderOptions& opt) {
  Palette palette = Palette::Spectral;
  if (!palette_from_string(opt.palette, palette)) {
    throw errors::option_value("--palette", opt.palette, "must be one of: " + palette_choices());
  }
  if (opt.scale < 1 || opt.scale > 64) {
    throw errors::option_value("--scale", std::to_string(opt.scale), "must be an integer in [1, 64]");
  }
  const RunInput input = open_run(opt.run_dir);
  const std::vector<FrameResult>& frames = input.run.frames;
  int first = 0, last = 0;
  parse_frames(opt.frames, static_cast<int>(frames.size()) - 1, first, last);

  const std::string out = opt.out.empty() ? opt.run_dir + "/render" : opt.out;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec || !std::filesystem::is_directory(out)) {
    throw errors::cannot_create(out, ec ? ec.message() : "exists and is not a directory");
  }

  ColourStretch shared;
  if (opt.shared_stretch) {
    std::vector<const Image<double>*> all;
    for (const FrameResult& f : frames) all.push_back(&f.measure);
    shared = ColourStretch(all);
  }
  // The zoom's own chunks first; a non-default drawing says how it was drawn.
  const std::string config_text = png_config_text(input.config);
  const bool as_zoom = palette == Palette::Spectral && opt.scale == 1 && !opt.shared_stretch;
  const std::string how = std::string("palette=") + to_string(palette) + " scale=" + std::to_string(opt.scale) +
                          " stretch=" + (opt.shared_stretch ? "shared" : "per-frame");
  for (int k = first; k <= last; ++k) {
    const FrameResult& f = frames[static_cast<std::size_t>(k)];
    auto rgb = paint(f.measure, opt.shared_stretch ? shared : ColourStretch(f.measure), palette);
    if (opt.scale > 1) rgb = enlarge_nearest(rgb, opt.scale);
    auto text = frame_png_text(f, config_text);
    if (!as_zoom) text.emplace_back("trainscape.render", how);
    io::write_png_file(io::RunDirectory(out).frame_png(f.index), io::encode_png(rgb, text));
  }
  std::printf("wrote %d frame%s to %s (%s)\n", last - first + 1, last == first ? "" : "s", out.c_str(), how.c_str());
  return 0;
}

}  // namespace trainscape::app
