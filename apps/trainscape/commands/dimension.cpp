// `trainscape dimension INPUT`: every estimator on a stored run (no training) or on an image.
#include "../report_format.hpp"
#include "commands.hpp"

#include <cctype>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <unistd.h>
#include <vector>

#include "trainscape/dimension/estimators.hpp"
#include "trainscape/dimension/uncertainty_exponent.hpp"
#include "trainscape/uncertainty.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/config_file.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/io/image_file.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/window.hpp"

namespace trainscape::app {

namespace {

// ---- inputs --------------------------------------------------------------------------------------

/// True if the file starts with the HDF5 signature (at 0 or a user-block offset 512, 1024, ...).
bool looks_like_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  for (std::streamoff at = 0; at <= 1 << 20; at = at == 0 ? 512 : at * 2) {
    in.seekg(at);
    char buf[8] = {};
    if (!in.read(buf, 8)) return false;
    if (std::memcmp(buf, kSignature, 8) == 0) return true;
  }
  return false;
}

bool has_hdf5_name(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".h5" || ext == ".hdf5" || ext == ".he5" || ext == ".hdf";
}

DimensionOptions dimension_options(const DimensionCommandOptions& opt) {
  DimensionOptions o;
  o.resamples = opt.resamples;
  o.seed = opt.seed;
  return o;
}

/// Refuses an image whose measurement would not fit in this machine's memory, before decoding
/// it: a 1 MB PNG can declare 30000 x 30000 pixels of one colour (about 27 GiB to measure).
/// Per pixel: the decoded file and the inflater's buffer (up to 4 + 4 bytes), the luminance and
/// the signed measure (8 each), the set and the edge mask (1 each) and the box-count work
/// arrays; 24 bytes were measured on a 4000 x 4000 PNG, 32 leaves room.
void check_image_memory(const std::string& path) {
  constexpr double kBytesPerPixel = 32.0;
  const io::ImageInfo info = io::read_image_info(path);
  io::refuse_if_exceeds_memory<IoError>(
      kBytesPerPixel * static_cast<double>(info.cols) * static_cast<double>(info.rows),
      path + ": an image of " + std::to_string(info.cols) + " x " + std::to_string(info.rows) + " pixels",
      "to measure");
}

int image_command(const DimensionCommandOptions& opt, std::FILE* out) {
  if (opt.write) {
    throw Error(ExitCode::Usage, "--write stores results in a run.h5; " + opt.input + " is an image");
  }
  check_image_memory(opt.input);
  const io::LuminanceImage img = io::read_luminance(opt.input);
  if (img.luminance.rows < 2 || img.luminance.cols < 2) {
    throw NumericalError(opt.input + ": an image of " + std::to_string(img.luminance.cols) + " x " +
                         std::to_string(img.luminance.rows) + " pixels is too small for a dimension (at least 2 x 2)");
  }
  Image<std::uint8_t> set(img.luminance.rows, img.luminance.cols, 0);
  std::int64_t set_pixels = 0;
  for (std::size_t i = 0; i < set.data.size(); ++i) {
    set.data[i] = img.luminance.data[i] < opt.threshold ? 1 : 0;
    set_pixels += set.data[i];
  }
  const DimensionOptions o = dimension_options(opt);
  const FrameStatistics stats = frame_statistics(phase_measure(set), o);
  const DimensionReport r = estimate_dimensions({stats}, o);
  const double fraction = static_cast<double>(set_pixels) / static_cast<double>(set.data.size());

  if (opt.json) {
    JsonObject j(0);
    j.str("input", opt.input).str("kind", "image");
    j.integer("rows", set.rows).integer("cols", set.cols).integer("channels", img.channels);
    j.num("threshold", opt.threshold).integer("set_pixels", set_pixels).num("set_fraction", fraction);
    j.boolean("thin_set", stats.thin);
    add_report(j, r, 2);
    std::fprintf(out, "%s\n", j.done().c_str());
    return 0;
  }
  std::fprintf(out, "%s: image, %d x %d px; set = luminance < %g: %lld px (%.2f%%)%s\n", opt.input.c_str(), set.cols,
               set.rows, opt.threshold, static_cast<long long>(set_pixels), 100.0 * fraction,
               stats.thin ? "; a thin set (measured as its own boundary)" : "");
  print_report_table(out, r);
  return 0;
}

int run_command(const DimensionCommandOptions& opt, std::FILE* out) {
  const io::StoredRun run = io::read_run(opt.input);
  if (run.frames.empty()) throw IoError(opt.input + ": the run holds no finished frame");
  DimensionAccumulator acc(dimension_options(opt));
  std::vector<DimensionReport> reports;
  std::vector<int> indices;
  for (const FrameResult& f : run.frames) {
    if (f.measure.rows < 2 || f.measure.cols < 2) {
      throw IoError(opt.input + ": frame " + std::to_string(f.index) + " has a " + std::to_string(f.measure.rows) +
                    " x " + std::to_string(f.measure.cols) + " measure");
    }
    reports.push_back(acc.add_frame(f.measure));
    indices.push_back(f.index);
  }
  const DimensionReport seq = acc.sequence();
  if (opt.write) io::write_run_dimensions(opt.input, indices, reports, seq);

  if (opt.json) {
    JsonObject j(0);
    j.str("input", opt.input).str("kind", "run");
    j.integer("frames_completed", run.frames_completed).num("stored_dimension", run.dimension);
    std::string frames = "[";
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const FrameResult& f = run.frames[i];
      JsonObject fo(4);
      fo.integer("index", f.index).integer("rows", f.measure.rows).integer("cols", f.measure.cols);
      fo.raw("window", json_array({f.window.x_min(), f.window.x_max(), f.window.y_min(), f.window.y_max()}));
      add_report(fo, reports[i], 4);
      frames += (i ? ",\n    " : "\n    ") + fo.done();
    }
    frames += "\n  ]";
    j.raw("frames", frames);
    JsonObject so(2);
    add_report(so, seq, 2);
    j.raw("sequence", so.done());
    if (opt.write) j.str("written", "/dimension");
    std::fprintf(out, "%s\n", j.done().c_str());
    return 0;
  }

  const FrameResult& f0 = run.frames.front();
  std::fprintf(out, "%s: run, %zu frame%s of %d x %d px; stored paper dimension %s\n", opt.input.c_str(),
               run.frames.size(), run.frames.size() == 1 ? "" : "s", f0.measure.cols, f0.measure.rows,
               std::isfinite(run.dimension) ? json_number(run.dimension).c_str() : "n/a (run not finished)");
  std::fprintf(out, "%-8s %-15s %-27s %-27s\n", "frame", "porespy_median", "boxcount_fit [95%]", "pair [95%]");
  std::vector<std::string> notes;
  auto row = [&](const std::string& label, const DimensionReport& r) {
    std::fprintf(out, "%-8s %-15s %-27s %-27s\n", label.c_str(), interval_text(r.porespy_median).c_str(),
                 interval_text(r.boxcount_fit).c_str(), interval_text(r.pair).c_str());
    for (const DimensionEstimate* e : {&r.porespy_median, &r.boxcount_fit, &r.pair}) {
      if (!e->note.empty()) notes.push_back(label + " " + to_string(e->method) + ": " + e->note);
    }
  };
  for (std::size_t i = 0; i < reports.size(); ++i) row(std::to_string(run.frames[i].index), reports[i]);
  row("sequence", seq);
  std::fprintf(out, "boxcount_fit: %s; pair: %s; fit ranges %s and %s\n", seq.boxcount_fit.mode.c_str(),
               seq.pair.mode.c_str(), range_text(seq.boxcount_fit).c_str(), range_text(seq.pair).c_str());
  for (const std::string& n : notes) std::fprintf(out, "  %s\n", n.c_str());
  if (opt.write) std::fprintf(out, "wrote /dimension to %s\n", opt.input.c_str());
  return 0;
}

}  // namespace

int run_dimension_command(const DimensionCommandOptions& opt, std::FILE* out) {
  if (!(opt.threshold >= 0.0 && opt.threshold <= 256.0)) {
    throw Error(ExitCode::Usage, "--threshold " + json_number(opt.threshold) + ": must be in [0, 256]");
  }
  std::error_code ec;
  const auto status = std::filesystem::status(opt.input, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw IoError(opt.input + ": cannot read: " + ec.message());  // e.g. a symbolic link loop
  }
  if (!std::filesystem::exists(status)) throw IoError(opt.input + ": no such file");
  if (std::filesystem::is_directory(status)) throw IoError(opt.input + ": is a directory, not a run.h5 or an image");
  if (looks_like_hdf5(opt.input) || has_hdf5_name(opt.input)) return run_command(opt, out);
  return image_command(opt, out);
}

// ---- uncertainty -----------------------------------------------------------------------------------

}  // namespace trainscape::app
