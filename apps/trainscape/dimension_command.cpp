#include "dimension_command.hpp"

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

// ---- a small JSON emitter (NaN and infinities become null) ---------------------------------------

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 bytes pass through
        }
    }
  }
  return out + "\"";
}

std::string json_array(const std::vector<double>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_number(v[i]);
  return out + "]";
}

/// An object written key by key, at a given indentation.
class JsonObject {
 public:
  explicit JsonObject(int indent) : indent_(indent) {}
  JsonObject& raw(const std::string& key, const std::string& json) {
    text_ += (first_ ? "" : ",") + std::string("\n") + std::string(static_cast<std::size_t>(indent_ + 2), ' ') +
             json_string(key) + ": " + json;
    first_ = false;
    return *this;
  }
  JsonObject& num(const std::string& key, double v) { return raw(key, json_number(v)); }
  JsonObject& integer(const std::string& key, long long v) { return raw(key, std::to_string(v)); }
  JsonObject& str(const std::string& key, const std::string& v) { return raw(key, json_string(v)); }
  JsonObject& boolean(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  std::string done() const {
    return "{" + text_ + (first_ ? "" : "\n" + std::string(static_cast<std::size_t>(indent_), ' ')) + "}";
  }

 private:
  int indent_;
  std::string text_;
  bool first_ = true;
};

/// Whether `field` of `e` appears in the JSON: fields an estimator does not produce are left out
/// (porespy_median has no error bar; only box counting has an occupancy; only the sampling
/// estimators count samples), and so is an empty mode.
bool shown_in_json(const DimensionEstimate& e, const std::string& field) {
  const DimensionMethod m = e.method;
  if (field == "ci_low" || field == "ci_high" || field == "systematic" || field == "boot_low" ||
      field == "boot_high" || field == "fit_se") {
    return m != DimensionMethod::PorespyMedian;
  }
  if (field == "mode") return !e.mode.empty();
  if (field == "occupancy" || field == "saturated") return m == DimensionMethod::BoxcountFit;
  if (field == "samples") return m == DimensionMethod::Pair || m == DimensionMethod::Uncertainty;
  return true;
}

/// Bounds that the JSON shows as one [low, high] array under the key given here.
const char* interval_key(const std::string& high_field) {
  if (high_field == "ci_high") return "ci";
  if (high_field == "boot_high") return "bootstrap";
  if (high_field == "fit_max") return "fit_range";
  return nullptr;
}
bool is_interval_low(const std::string& field) {
  return field == "ci_low" || field == "boot_low" || field == "fit_min";
}

/// Every field of the estimate (visit_fields, in its order) that shown_in_json keeps.
std::string estimate_json(const DimensionEstimate& e, int indent) {
  JsonObject o(indent);
  double low = 0.0;  // the lower bound of the interval being written
  visit_fields(e, [&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if (!shown_in_json(e, name)) return;
    if constexpr (std::is_same_v<T, double>) {
      if (is_interval_low(name)) {
        low = value;
      } else if (const char* key = interval_key(name)) {
        o.raw(key, json_array({low, value}));
      } else {
        o.num(name, value);
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      o.boolean(name, value);
    } else if constexpr (std::is_integral_v<T>) {
      o.integer(name, value);
    } else if constexpr (std::is_same_v<T, DimensionMethod>) {
      o.str(name, to_string(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      o.str(name, value);
    } else {
      static_assert(std::is_same_v<T, std::vector<double>>, "a new kind of field needs a JSON form");
      o.raw(name, json_array(value));
    }
  });
  return o.done();
}

void add_report(JsonObject& o, const DimensionReport& r, int indent) {
  o.raw("porespy_median", estimate_json(r.porespy_median, indent));
  o.raw("boxcount_fit", estimate_json(r.boxcount_fit, indent));
  o.raw("pair", estimate_json(r.pair, indent));
}

// ---- text ----------------------------------------------------------------------------------------

std::string interval_text(const DimensionEstimate& e) {
  if (!std::isfinite(e.dimension)) return "n/a";
  return format_estimate(e, 4);
}

std::string range_text(const DimensionEstimate& e) {
  if (!std::isfinite(e.fit_min) || !std::isfinite(e.fit_max)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g..%g px", e.fit_min, e.fit_max);
  return buf;
}

void print_report_table(std::FILE* out, const DimensionReport& r) {
  std::fprintf(out, "%-16s %-27s %-14s %s\n", "estimator", "D [95% interval]", "fit range", "notes");
  for (const DimensionEstimate* e : {&r.porespy_median, &r.boxcount_fit, &r.pair}) {
    std::string notes = e->mode.empty() ? "" : e->mode;
    if (e->method == DimensionMethod::PorespyMedian) notes = "the paper's estimator (median of local slopes; no error bar)";
    if (!e->note.empty()) notes += (notes.empty() ? "" : "; ") + e->note;
    std::fprintf(out, "%-16s %-27s %-14s %s\n", to_string(e->method), interval_text(*e).c_str(), range_text(*e).c_str(),
                 notes.c_str());
  }
}

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
  const double available = io::physical_memory_bytes();
  if (available <= 0) return;  // unknown: let the allocation decide
  const double needed = kBytesPerPixel * static_cast<double>(info.cols) * static_cast<double>(info.rows);
  if (needed > 0.8 * available) {
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  ": an image of %d x %d pixels needs about %.1f GiB of memory to measure, more than 80%% of "
                  "this machine's %.1f GiB",
                  info.cols, info.rows, needed / 1073741824.0, available / 1073741824.0);
    throw IoError(path + msg);
  }
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

int run_uncertainty_command(const UncertaintyCommandOptions& opt, std::FILE* out) {
  const RunConfig config = io::load_config_file(opt.config_path, opt.overrides);
  const auto engine = make_engine(opt.engine);
  const Problem problem = make_problem(config);
  const Window window = Window::from_intervals(config.phase_space.x, config.phase_space.y);

  UncertaintyOptions uo;
  uo.points = opt.points;
  uo.threads = opt.threads >= 0 ? opt.threads : config.runtime.threads;
  uo.seed = opt.seed;
  const auto start = std::chrono::steady_clock::now();
  uo.progress = [&](std::int64_t done, std::int64_t budget) {
    if (opt.progress) {
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\runcertainty: %lld / %lld base points, %.0f s   ", static_cast<long long>(done),
                   static_cast<long long>(budget), t);
      std::fflush(stderr);
    }
    return opt.stop == nullptr || opt.stop->load() == 0;
  };
  const DimensionEstimate e = uncertainty_exponent(*engine, problem, window, uo);
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // A stop request ends sampling at a round boundary; what was sampled is still reported.
  const int stop_signal = opt.stop != nullptr ? opt.stop->load() : 0;
  const auto finish = [&]() {
    std::fflush(out);
    if (stop_signal != 0) {
      throw Interrupted("uncertainty stopped after " + std::to_string(e.samples) + " base points (" +
                            (stop_signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                            "); the estimate printed uses only those",
                        stop_signal == SIGTERM ? 143 : 130);
    }
    return 0;
  };
  if (opt.json) {
    JsonObject j(0);
    j.str("config", opt.config_path).str("engine", opt.engine);
    j.raw("window", json_array({window.x_min(), window.x_max(), window.y_min(), window.y_max()}));
    j.integer("steps", problem.steps).num("seconds", seconds);
    j.raw("uncertainty", estimate_json(e, 2));
    std::fprintf(out, "%s\n", j.done().c_str());
    return finish();
  }
  std::fprintf(out, "%s: window x [%.12g, %.12g] y [%.12g, %.12g] (log10), engine %s, %d steps\n",
               opt.config_path.c_str(), window.x_min(), window.x_max(), window.y_min(), window.y_max(), opt.engine.c_str(),
               problem.steps);
  std::fprintf(out, "%-12s %-10s %-12s %s\n", "epsilon", "n_u", "f(eps)", "local D (to the next epsilon)");
  for (std::size_t k = 0; k < e.scales.size(); ++k) {
    char local[32] = "-";
    if (k < e.local.size() && std::isfinite(e.local[k])) std::snprintf(local, sizeof local, "%.4f", e.local[k]);
    std::fprintf(out, "%-12.3g %-10.0f %-12.4g %s\n", e.scales[k], e.counts[k], e.values[k], local);
  }
  std::fprintf(out, "uncertainty exponent: D = %s (95%% bootstrap interval), alpha = 2 - D; %lld base points, %d epsilons "
                    "fitted over %.3g..%.3g, %.1f s\n",
               interval_text(e).c_str(), static_cast<long long>(e.samples), e.fit_points, e.fit_min, e.fit_max, seconds);
  if (!e.note.empty()) std::fprintf(out, "note: %s\n", e.note.c_str());
  return finish();
}

}  // namespace trainscape::app
