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

/// The image `render --channel` colours: a frame's values on the measure's colour scale, where
/// negative values take the blue half and the others the red half (docs/channels.md#rendering).
/// Throws OptionError naming the channels the frame holds if it does not hold `channel`.
Image<double> channel_image(const FrameResult& f, const std::string& channel) {
  const ChannelImages& ch = f.channels;
  Image<double> out(f.measure.rows, f.measure.cols);
  const auto from = [&out](const auto& image, double shift) {
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = static_cast<double>(image.data[i]) - shift;
  };
  std::string stored = "measure, class";
  if (!ch.divergence_step.data.empty()) stored += ", divergence_step";
  if (!ch.lyapunov.data.empty()) stored += ", lyapunov";
  if (!ch.sharpness.data.empty()) stored += ", sharpness, edge_of_stability";
  if (channel == "measure") return f.measure;
  if (channel == "class") {
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = f.converged.data[i] ? -1.0 : 1.0;
    return out;
  }
  if (channel == "divergence_step" && !ch.divergence_step.data.empty()) {
    from(ch.divergence_step, 0.0);  // -1 (never diverged) in the blue half
  } else if (channel == "lyapunov" && !ch.lyapunov.data.empty()) {
    from(ch.lyapunov, 0.0);  // contracting (< 0) blue, expanding red
  } else if (channel == "sharpness" && !ch.sharpness.data.empty()) {
    from(ch.sharpness, 0.0);
  } else if (channel == "edge_of_stability" && !ch.edge_of_stability.data.empty()) {
    from(ch.edge_of_stability, 1.0);  // below the edge (lr sharpness / 2 < 1) blue
  } else {
    throw errors::option_value("--channel", channel,
                               "must be a channel frame " + std::to_string(f.index) + " of this run stores: " + stored);
  }
  return out;
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
  // Every image first: a missing channel is refused before anything is written.
  std::vector<Image<double>> values;
  for (int k = first; k <= last; ++k) values.push_back(channel_image(frames[static_cast<std::size_t>(k)], opt.channel));

  const std::string out = opt.out.empty() ? opt.run_dir + "/render" : opt.out;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec || !std::filesystem::is_directory(out)) {
    throw errors::cannot_create(out, ec ? ec.message() : "exists and is not a directory");
  }

  ColourStretch shared;
  if (opt.shared_stretch) {
    std::vector<const Image<double>*> all;
    for (const Image<double>& v : values) all.push_back(&v);
    shared = ColourStretch(all);
  }
  // The zoom's own chunks first; a non-default drawing says how it was drawn.
  const std::string config_text = png_config_text(input.config);
  const bool as_zoom = palette == Palette::Spectral && opt.scale == 1 && !opt.shared_stretch &&
                       opt.channel == "measure";
  const std::string how = std::string("palette=") + to_string(palette) + " scale=" + std::to_string(opt.scale) +
                          " stretch=" + (opt.shared_stretch ? "shared" : "per-frame") +
                          (opt.channel == "measure" ? "" : " channel=" + opt.channel);
  for (int k = first; k <= last; ++k) {
    const FrameResult& f = frames[static_cast<std::size_t>(k)];
    const Image<double>& v = values[static_cast<std::size_t>(k - first)];
    auto rgb = paint(v, opt.shared_stretch ? shared : ColourStretch(v), palette);
    if (opt.scale > 1) rgb = enlarge_nearest(rgb, opt.scale);
    auto text = frame_png_text(f, config_text);
    if (!as_zoom) text.emplace_back("trainscape.render", how);
    io::write_png_file(io::RunDirectory(out).frame_png(f.index), io::encode_png(rgb, text));
  }
  std::printf("wrote %d frame%s to %s (%s)\n", last - first + 1, last == first ? "" : "s", out.c_str(), how.c_str());
  return 0;
}

}  // namespace trainscape::app
