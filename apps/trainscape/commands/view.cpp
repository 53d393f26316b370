// `trainscape view RUN_DIR`: one self-contained HTML page to explore the run (docs/watch.md#the-viewer).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "../report_format.hpp"
#include "../stored_run_input.hpp"
#include "../viewer_page.hpp"
#include "commands.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/movie.hpp"
#include "trainscape/palette.hpp"
#include "trainscape/plot.hpp"

namespace trainscape::app {

namespace {

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string interval_json(const DimensionEstimate& e) {
  return json_array({e.dimension, e.has_ci() ? e.ci_low : NAN, e.has_ci() ? e.ci_high : NAN});
}

/// The 256 entries of a palette as RGB bytes, base64: entry k is the colour of positions in
/// [k/256, (k+1)/256), exactly as palette_rgb8 looks them up.
std::string palette_table(Palette palette) {
  std::vector<std::uint8_t> bytes;
  for (int k = 0; k < 256; ++k) {
    const auto rgb = palette_rgb8(palette, (k + 0.5) / 256.0);
    bytes.insert(bytes.end(), rgb.begin(), rgb.end());
  }
  return base64(bytes.data(), bytes.size());
}

/// What the phase-space axes are, for the labels (config.hpp: PhaseSpaceKind).
void axis_names(const RunConfig& config, std::string& x, std::string& y) {
  if (config.phase_space.kind == PhaseSpaceKind::LrVsLr) {
    x = "learning rate, even layers";
    y = "learning rate, odd layers";
  } else {
    x = "weight offset";
    y = "learning rate";
  }
}

}  // namespace

int run_view_command(const ViewOptions& opt) {
  const RunInput input = open_run(opt.run_dir);
  DimensionReport sequence;
  const std::vector<DimensionReport> reports = frame_reports(input, sequence);
  const std::vector<Figure> figures = run_figures(input.run.frames, reports, sequence);
  // The movie's default pace (30 fps, 1.5 s per step); the hold does not matter here, and 1 s
  // keeps a one-frame run valid.
  const MovieTiming timing = movie_timing(static_cast<int>(input.run.frames.size()), 30.0, 1.5, 1.0, false);

  std::string x_name, y_name;
  axis_names(input.config, x_name, y_name);
  std::string frames = "[";
  for (std::size_t i = 0; i < input.run.frames.size(); ++i) {
    const FrameResult& f = input.run.frames[i];
    // Measures as float32 (half the bytes; the page only colours and displays them), classes exact.
    std::vector<float> measure(f.measure.data.begin(), f.measure.data.end());
    std::vector<std::uint8_t> bytes(measure.size() * sizeof(float));
    std::memcpy(bytes.data(), measure.data(), bytes.size());
    JsonObject o(2);
    o.integer("index", f.index).integer("cols", f.measure.cols).integer("rows", f.measure.rows);
    o.num("cx", f.window.centre_x).num("cy", f.window.centre_y).num("hx", f.window.half_x).num("hy", f.window.half_y);
    o.integer("edge_pixels", f.edge_pixels).num("porespy", reports[i].porespy_median.dimension);
    o.raw("fit", interval_json(reports[i].boxcount_fit)).raw("pair", interval_json(reports[i].pair));
    o.str("measure", base64(bytes.data(), bytes.size()));
    o.str("converged", base64(f.converged.data.data(), f.converged.data.size()));
    // The stored channels (docs/channels.md) as float32 too, for colouring and the hover table;
    // divergence_step (a step index below 2^24) is exact in float32.
    JsonObject channels(3);
    auto add_channel = [&channels](const char* name, const auto& image) {
      if (image.data.empty()) return;
      std::vector<float> values(image.data.begin(), image.data.end());
      channels.str(name, base64(reinterpret_cast<const std::uint8_t*>(values.data()), values.size() * sizeof(float)));
    };
    add_channel("divergence_step", f.channels.divergence_step);
    add_channel("lyapunov", f.channels.lyapunov);
    add_channel("sharpness", f.channels.sharpness);
    add_channel("edge_of_stability", f.channels.edge_of_stability);
    o.raw("channels", channels.done());
    frames += (i ? ",\n" : "\n") + o.done();
  }
  frames += "]";
  std::string plots = "[";
  for (std::size_t i = 0; i < figures.size(); ++i) {
    JsonObject p(2);
    p.str("name", figures[i].name)
        .str("svg", base64(reinterpret_cast<const std::uint8_t*>(figures[i].svg.data()), figures[i].svg.size()));
    plots += (i ? "," : "") + p.done();
  }
  plots += "]";
  JsonObject seq(2);
  seq.num("porespy", sequence.porespy_median.dimension)
      .raw("fit", interval_json(sequence.boxcount_fit))
      .raw("pair", interval_json(sequence.pair));
  JsonObject palettes(2);
  for (Palette p : {Palette::Spectral, Palette::Uniform, Palette::Classes})
    palettes.str(to_string(p), palette_table(p));

  const std::string title = "trainscape run " + input.dir;
  JsonObject data(0);
  data.str("title", title).str("x_name", x_name).str("y_name", y_name).str("config", input.run.config_yaml);
  data.integer("frames_per_step", timing.frames_per_step).num("fps", 30.0);
  data.raw("palettes", palettes.done()).raw("frames", frames).raw("sequence", seq.done()).raw("plots", plots);
  std::string json = data.done();
  // No '<' may reach the page inside the data element (it could close it).
  for (std::size_t at = 0; (at = json.find('<', at)) != std::string::npos;) json.replace(at, 1, "\\u003c");

  const std::string out = opt.out.empty() ? opt.run_dir + "/index.html" : opt.out;
  const std::string page = viewer_page(html_escape(title), json);
  io::write_file_durably(out, page);
  std::printf("wrote %s (%.1f kB)\n", out.c_str(), static_cast<double>(page.size()) / 1000.0);
  return 0;
}

}  // namespace trainscape::app
