#include "trainscape/io/hdf5_store.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dimension_store_h5.hpp"
#include "fault.hpp"
#include "hdf5_file.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/version.hpp"

#ifndef TRAINSCAPE_GIT_DESCRIBE
#define TRAINSCAPE_GIT_DESCRIBE "unknown"
#endif

namespace trainscape::io {

namespace {

using hdf5::child_path;
using hdf5::ErrorScope;
using hdf5::fail;
using hdf5::guarded;

constexpr const char* kFormat = "trainscape-run";
constexpr long long kFormatVersion = 1;

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---- writing -----------------------------------------------------------------------------------

/// The run store's objects: HDF5 objects plus the run's matrices and images.
class Writer : public hdf5::Objects {
 public:
  using Objects::Objects;

  void matrix(H5::Group& parent, const std::string& parent_path, const std::string& name,
              const Eigen::MatrixXd& m) const {
    // Eigen stores column-major; the file (and numpy) wants row-major [rows, cols].
    const RowMajorMatrix rm = m;
    write_dataset(parent, parent_path, name, {static_cast<hsize_t>(rm.rows()), static_cast<hsize_t>(rm.cols())},
                  rm.data());
  }

  template <class T>
  void image(H5::Group& parent, const std::string& parent_path, const std::string& name, const Image<T>& img) const {
    if (img.data.size() != static_cast<std::size_t>(img.rows) * static_cast<std::size_t>(img.cols)) {
      fail(file(), "cannot write " + child_path(parent_path, name) + ": image is " + std::to_string(img.rows) + " x " +
                       std::to_string(img.cols) + " but holds " + std::to_string(img.data.size()) + " values");
    }
    write_dataset(parent, parent_path, name, {static_cast<hsize_t>(img.rows), static_cast<hsize_t>(img.cols)},
                  img.data.data());
  }

  template <class T>
  void vector(H5::Group& parent, const std::string& parent_path, const std::string& name,
              const std::vector<T>& v) const {
    write_dataset(parent, parent_path, name, {static_cast<hsize_t>(v.size())}, v.data());
  }
};

// ---- reading -----------------------------------------------------------------------------------

class Reader : public hdf5::Objects {
 public:
  using Objects::Objects;

  Eigen::MatrixXd matrix(const H5::Group& parent, const std::string& parent_path, const std::string& name) const {
    std::vector<double> values;
    const auto dims = read_dataset(parent, parent_path, name, 2, values);
    const auto rows = static_cast<Eigen::Index>(dims[0]);
    const auto cols = static_cast<Eigen::Index>(dims[1]);
    return Eigen::Map<const RowMajorMatrix>(values.data(), rows, cols);
  }

  template <class T>
  Image<T> image(const H5::Group& parent, const std::string& parent_path, const std::string& name) const {
    Image<T> img;
    const auto dims = read_dataset(parent, parent_path, name, 2, img.data);
    img.rows = to_int(dims[0], child_path(parent_path, name));
    img.cols = to_int(dims[1], child_path(parent_path, name));
    return img;
  }

  int to_int(hsize_t v, const std::string& what) const {
    if (v > static_cast<hsize_t>(std::numeric_limits<int>::max())) {
      fail(file(), what + ": dimension " + std::to_string(v) + " is too large");
    }
    return static_cast<int>(v);
  }

  void check(bool ok, const std::string& what) const {
    if (!ok) fail(file(), what);
  }
};

/// A Problem setting (visit_settings) as a /problem attribute: enums by name, integers as int64,
/// doubles as float64, lists of doubles as text (each with the digits that read back exactly,
/// comma-separated).
template <class T>
void write_setting(const Writer& w, H5::Group& g, const std::string& gp, const char* name, const T& value) {
  if constexpr (std::is_enum_v<T>) {
    w.write_attribute(g, gp, name, std::string(to_string(value)));
  } else if constexpr (std::is_same_v<T, double>) {
    w.write_attribute(g, gp, name, value);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    std::string text;
    for (double v : value) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      text += (text.empty() ? "" : ",") + std::string(buf);
    }
    w.write_attribute(g, gp, name, text);
  } else {
    static_assert(std::is_same_v<T, int>, "a new kind of setting needs a stored type");
    w.write_attribute(g, gp, name, static_cast<std::int64_t>(value));
  }
}

/// Reads a setting back; a run written before the setting existed lacks its attribute and keeps
/// the Problem's default (which is what such a run computed).
template <class T>
void read_setting(const Reader& r, const H5::Group& g, const std::string& gp, const char* name, T& out) {
  // The settings added with the optimizers (docs/optimizers.md); `out` holds Problem's default.
  static const char* const kLater[] = {"optimizer", "momentum", "adam_beta1", "adam_beta2", "adam_eps", "weight_decay",
                                       "schedule", "warmup_steps", "lr", "x_param", "x_layer", "x_scale", "y_param",
                                       "y_layer", "y_scale",
                                       // and with model.kind (docs/ripple.md): earlier runs are mlp
                                       "model_kind", "dim", "delta", "wavelength", "x0"};
  if (!g.attrExists(name)) {
    for (const char* later : kLater) {
      if (std::string(name) == later) return;
    }
  }
  if constexpr (std::is_enum_v<T>) {
    const std::string value = r.read_string(g, gp, name);
    r.check(from_string(value, out), gp + ": unknown " + name + " '" + value + "'");
  } else if constexpr (std::is_same_v<T, double>) {
    out = r.read_double(g, gp, name);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    const std::string text = r.read_string(g, gp, name);
    out.clear();
    std::size_t at = 0;
    while (at <= text.size()) {
      const std::size_t comma = std::min(text.find(',', at), text.size());
      const std::string item = text.substr(at, comma - at);
      char* end = nullptr;
      const double v = std::strtod(item.c_str(), &end);
      r.check(!item.empty() && end == item.c_str() + item.size(),
              gp + ": " + name + " = '" + text + "' is not a list of numbers");
      out.push_back(v);
      at = comma + 1;
    }
  } else {
    static_assert(std::is_same_v<T, int>, "a new kind of setting needs a stored type");
    out = r.read_int(g, gp, name);
  }
}

Problem read_problem(const Reader& r, const H5::Group& root) {
  const H5::Group g = r.open_group(root, "/", "problem");
  const std::string gp = "/problem";
  Problem p;
  visit_settings(p, [&](const char* name, auto& setting) { read_setting(r, g, gp, name, setting); });
  const int n_data = r.read_int(g, gp, "n_data");

  p.X = r.matrix(g, gp, "X");
  p.Y = r.matrix(g, gp, "Y");
  r.check(p.X.rows() == n_data && p.X.cols() == p.width,
          "/problem/X is " + std::to_string(p.X.rows()) + " x " + std::to_string(p.X.cols()) +
              ", expected n_data x width = " + std::to_string(n_data) + " x " + std::to_string(p.width));
  r.check(p.Y.rows() == n_data && p.Y.cols() == p.target_dim,
          "/problem/Y is " + std::to_string(p.Y.rows()) + " x " + std::to_string(p.Y.cols()) +
              ", expected n_data x target_dim = " + std::to_string(n_data) + " x " + std::to_string(p.target_dim));

  p.probe = r.matrix(g, gp, "probe");
  r.check(p.probe.rows() == 1 && p.probe.cols() == p.width,
          "/problem/probe is " + std::to_string(p.probe.rows()) + " x " + std::to_string(p.probe.cols()) +
              ", expected 1 x width = 1 x " + std::to_string(p.width));

  const H5::Group wg = r.open_group(g, gp, "weights");
  for (int l = 0; l < p.depth; ++l) {
    p.weights.push_back(r.matrix(wg, "/problem/weights", std::to_string(l)));
  }

  if (r.exists(g, "minibatch_indices")) {
    std::vector<std::int64_t> values;
    const auto dims = r.read_dataset(g, gp, "minibatch_indices", 2, values);
    const std::size_t steps = static_cast<std::size_t>(dims[0]);
    const std::size_t batch = static_cast<std::size_t>(dims[1]);
    p.minibatches.assign(steps, std::vector<int>(batch));
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t b = 0; b < batch; ++b) {
        const std::int64_t v = values[t * batch + b];
        r.check(v >= 0 && v < n_data, "/problem/minibatch_indices holds row " + std::to_string(v) + " outside [0, " +
                                          std::to_string(n_data) + ")");
        p.minibatches[t][b] = static_cast<int>(v);
      }
    }
  }
  return p;
}

FrameResult read_frame(const Reader& r, const H5::Group& frames, const std::string& name) {
  const std::string fp = "/frames/" + name;
  r.check(hdf5::is_frame_name(name), "unexpected object " + fp + " (frame groups are named by their index)");
  const H5::Group g = r.open_group(frames, "/frames", name);

  FrameResult f;
  f.index = std::stoi(name);
  f.window.centre_x = r.read_double(g, fp, "centre_x");
  f.window.centre_y = r.read_double(g, fp, "centre_y");
  f.window.half_x = r.read_double(g, fp, "half_x");
  f.window.half_y = r.read_double(g, fp, "half_y");
  // Files written before deep zooms have no decimal centres: the doubles are then exact.
  const auto read_tail = [&](const char* attribute, double head, WideTail& tail) {
    if (!r.has_attribute(g, attribute)) return;
    const std::optional<Wide> exact = Wide::parse(r.read_string(g, fp, attribute));
    r.check(exact.has_value(), fp + ": attribute " + std::string(attribute) + " is not a decimal number");
    const Wide rest = *exact - Wide(head);
    // Below 1e-60 relative the decimal's digits are conversion noise (wide.hpp): a centre that
    // was a plain double reads back as exactly that double.
    if (std::fabs(rest.head()) <= 1e-60 * std::fabs(head)) return;
    tail = {rest.limbs()[0], rest.limbs()[1], rest.limbs()[2]};
  };
  read_tail("centre_x_decimal", f.window.centre_x, f.window.tail_x);
  read_tail("centre_y_decimal", f.window.centre_y, f.window.tail_y);
  if (r.has_attribute(g, "certified_pixels")) {
    Certification& cert = f.certification;
    cert.pixels = r.read_int(g, fp, "certified_pixels");
    cert.agreement = r.read_double(g, fp, "certified_agreement");
    cert.median_relative_measure_error = r.read_double(g, fp, "certified_median_relative_error");
    cert.max_relative_measure_error = r.read_double(g, fp, "certified_max_relative_error");
    cert.glitched_pixels = r.read_int64(g, fp, "glitched_pixels");
    // Written since the exact tail-excess class (files from before have neither).
    if (r.has_attribute(g, "continued_pixels")) cert.continued_pixels = r.read_int64(g, fp, "continued_pixels");
    if (r.has_attribute(g, "reclassified_pixels")) {
      cert.reclassified_pixels = r.read_int64(g, fp, "reclassified_pixels");
    }
    if (r.has_attribute(g, "counted_pixels")) cert.counted_pixels = r.read_int64(g, fp, "counted_pixels");
  }
  f.steps = r.read_int(g, fp, "steps");
  f.dimension = r.read_double(g, fp, "dimension");
  f.edge_pixels = r.read_int64(g, fp, "edge_pixels");

  f.measure = r.image<double>(g, fp, "measure");
  f.converged = r.image<std::uint8_t>(g, fp, "converged");
  f.edges = r.image<std::uint8_t>(g, fp, "edges");
  r.check(f.converged.rows == f.measure.rows && f.converged.cols == f.measure.cols,
          fp + "/converged does not have the shape of measure");
  // The extra channels, those the run stored (docs/channels.md).
  const auto channel = [&](const char* dataset, auto& image) {
    if (!r.exists(g, dataset)) return;
    image = r.image<typename std::decay_t<decltype(image)>::value_type>(g, fp, dataset);
    r.check(image.rows == f.measure.rows && image.cols == f.measure.cols,
            fp + "/" + dataset + " does not have the shape of measure");
  };
  channel("divergence_step", f.channels.divergence_step);
  channel("lyapunov", f.channels.lyapunov);
  channel("sharpness", f.channels.sharpness);
  channel("edge_of_stability", f.channels.edge_of_stability);
  r.check(f.channels.sharpness.data.empty() == f.channels.edge_of_stability.data.empty(),
          fp + ": sharpness and edge_of_stability are stored together");

  const H5::Group bc = r.open_group(g, fp, "boxcount");
  const std::string bp = fp + "/boxcount";
  r.read_dataset(bc, bp, "sizes", 1, f.boxcount.sizes);
  r.read_dataset(bc, bp, "counts", 1, f.boxcount.counts);
  r.read_dataset(bc, bp, "slopes", 1, f.boxcount.slopes);
  r.check(f.boxcount.counts.size() == f.boxcount.sizes.size() && f.boxcount.slopes.size() == f.boxcount.sizes.size(),
          bp + ": sizes, counts and slopes differ in length");
  return f;
}

}  // namespace

// ---- the store ---------------------------------------------------------------------------------

struct Hdf5RunStore::Impl {
  Writer w;
  // Built in the initializer list: the H5 classes' copy assignment is deprecated.
  H5::H5File file;
  H5::Group root;
  bool started = false;  // on_run_start has created /problem and /frames
  bool broken = false;   // a write failed: make no further HDF5 call (see ~Hdf5RunStore)
  std::int64_t frames_completed = 0;

  explicit Impl(const std::string& path) : w(path), file(w.create_file()), root(w.root(file)) {}

  void flush() { w.flush(file); }
};

namespace {
/// Runs a store operation; if it fails, the store is `broken` and must make no further HDF5 call.
template <class F>
void poison_on_failure(bool& broken, F&& f) {
  try {
    f();
  } catch (...) {
    broken = true;
    throw;
  }
}
}  // namespace

// Held, not leaked (so leak checkers stay quiet), and never destroyed: see ~Hdf5RunStore.
void Hdf5RunStore::abandon(std::unique_ptr<Impl> impl) {
  static auto* const abandoned = new std::vector<std::unique_ptr<Impl>>;
  abandoned->push_back(std::move(impl));
}

Hdf5RunStore::Hdf5RunStore(const std::string& path) {
  const ErrorScope scope;
  impl_ = std::make_unique<Impl>(path);
  Impl& s = *impl_;
  try {
    // Identify the file from the start, so even a run that dies before its first frame leaves a
    // recognisable file; dimension and frames_completed exist from the start too.
    s.w.write_attribute(s.root, "/", "format", std::string(kFormat));
    s.w.write_attribute(s.root, "/", "format_version", std::int64_t{kFormatVersion});
    s.w.write_attribute(s.root, "/", "trainscape_version", std::string(kVersion));
    s.w.write_attribute(s.root, "/", "git_describe", std::string(TRAINSCAPE_GIT_DESCRIBE));
    s.w.write_attribute(s.root, "/", "dimension", std::numeric_limits<double>::quiet_NaN());
    s.w.write_attribute(s.root, "/", "frames_completed", std::int64_t{0});
    s.flush();
  } catch (...) {
    abandon(std::move(impl_));  // see the destructor
    throw;
  }
}

void Hdf5RunStore::close() {
  if (!impl_) return;
  const ErrorScope scope;
  const std::string file = impl_->w.file();
  poison_on_failure(impl_->broken, [&] {
    guarded(file, "closing", [&] {
      impl_->root.close();
      impl_->file.close();
    });
  });
  impl_.reset();
}

Hdf5RunStore::~Hdf5RunStore() {
  if (!impl_) return;
  if (impl_->broken) {
    // After a failed write (full disk, file-size limit) HDF5 1.10 can crash in H5Fclose. The
    // error is already reported and the run's durable record is the tile journal, so the handles
    // are deliberately left open for the process's exit to release.
    abandon(std::move(impl_));
    return;
  }
  const ErrorScope scope;
  try {
    impl_->root.close();
    impl_->file.close();
  } catch (const H5::Exception&) {
    // A destructor must not throw; every finished frame has already been flushed.
  }
  impl_.reset();  // while the scope still silences HDF5: a handle that failed to close retries here
}

void Hdf5RunStore::on_run_start(const RunConfig& config, const Problem& problem) {
  const ErrorScope scope;
  if (impl_->broken) fail(impl_->w.file(), "cannot write after an earlier write failed");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    const Writer& w = s.w;
    w.write_attribute(s.root, "/", "config", to_yaml(config));
    w.write_attribute(s.root, "/", "dimension", std::numeric_limits<double>::quiet_NaN());

    H5::Group g = w.create_group(s.root, "/", "problem");
    const std::string gp = "/problem";
    visit_settings(problem, [&](const char* name, const auto& setting) { write_setting(w, g, gp, name, setting); });
    w.write_attribute(g, gp, "n_data", static_cast<std::int64_t>(problem.n_data()));
    w.matrix(g, gp, "X", problem.X);
    w.matrix(g, gp, "Y", problem.Y);
    w.matrix(g, gp, "probe", problem.probe);

    H5::Group wg = w.create_group(g, gp, "weights");
    for (std::size_t l = 0; l < problem.weights.size(); ++l) {
      w.matrix(wg, "/problem/weights", std::to_string(l), problem.weights[l]);
    }

    if (!problem.minibatches.empty()) {
      const std::size_t steps = problem.minibatches.size();
      const std::size_t batch = problem.minibatches.front().size();
      std::vector<std::int64_t> values;
      values.reserve(steps * batch);
      for (const auto& row : problem.minibatches) {
        if (row.size() != batch) {
          fail(w.file(), "cannot write /problem/minibatch_indices: rows differ in length");
        }
        values.insert(values.end(), row.begin(), row.end());
      }
      w.write_dataset(g, gp, "minibatch_indices", {static_cast<hsize_t>(steps), static_cast<hsize_t>(batch)},
                      values.data());
    }

    w.create_group(s.root, "/", "frames");
    s.started = true;
    s.flush();
  });
}

void Hdf5RunStore::on_frame_done(const FrameResult& frame) {
  const ErrorScope scope;
  if (impl_->broken) fail(impl_->w.file(), "cannot write after an earlier write failed");
  // A caller's mistake, not a failed write: the file stays usable.
  if (!impl_->started) fail(impl_->w.file(), "cannot write a frame before the run has started");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    const Writer& w = s.w;
    // Frame groups are named by the zero-padded index, which readers parse back.
    if (frame.index < 0) fail(w.file(), "cannot write frame " + std::to_string(frame.index));
    const std::string name = hdf5::frame_name(frame.index);
    const std::string fp = "/frames/" + name;
    H5::Group frames = w.open_group(s.root, "/", "frames");
    H5::Group g = w.create_group(frames, "/frames", name);
    w.write_attribute(g, fp, "x_min", frame.window.x_min());
    w.write_attribute(g, fp, "x_max", frame.window.x_max());
    w.write_attribute(g, fp, "y_min", frame.window.y_min());
    w.write_attribute(g, fp, "y_max", frame.window.y_max());
    w.write_attribute(g, fp, "centre_x", frame.window.centre_x);
    w.write_attribute(g, fp, "centre_y", frame.window.centre_y);
    w.write_attribute(g, fp, "half_x", frame.window.half_x);
    w.write_attribute(g, fp, "half_y", frame.window.half_y);
    // The exact centre (centre_x + its quad-double tail), with enough digits to read back.
    w.write_attribute(g, fp, "centre_x_decimal", frame.window.exact_centre_x().decimal());
    w.write_attribute(g, fp, "centre_y_decimal", frame.window.exact_centre_y().decimal());
    const Certification& cert = frame.certification;
    if (cert.pixels > 0) {
      w.write_attribute(g, fp, "certified_pixels", static_cast<std::int64_t>(cert.pixels));
      w.write_attribute(g, fp, "certified_agreement", cert.agreement);
      w.write_attribute(g, fp, "certified_median_relative_error", cert.median_relative_measure_error);
      w.write_attribute(g, fp, "certified_max_relative_error", cert.max_relative_measure_error);
      w.write_attribute(g, fp, "glitched_pixels", cert.glitched_pixels);
      w.write_attribute(g, fp, "continued_pixels", cert.continued_pixels);
      w.write_attribute(g, fp, "reclassified_pixels", cert.reclassified_pixels);
      w.write_attribute(g, fp, "counted_pixels", cert.counted_pixels);
    }
    w.write_attribute(g, fp, "steps", static_cast<std::int64_t>(frame.steps));
    w.write_attribute(g, fp, "dimension", frame.dimension);
    w.write_attribute(g, fp, "edge_pixels", static_cast<std::int64_t>(frame.edge_pixels));

    w.image(g, fp, "measure", frame.measure);
    // For the interruption tests: a kill here leaves a frame half written into the file.
    s.flush();
    fault_point("hdf5");
    w.image(g, fp, "converged", frame.converged);
    w.image(g, fp, "edges", frame.edges);
    const ChannelImages& ch = frame.channels;
    if (!ch.divergence_step.data.empty()) w.image(g, fp, "divergence_step", ch.divergence_step);
    if (!ch.lyapunov.data.empty()) w.image(g, fp, "lyapunov", ch.lyapunov);
    if (!ch.sharpness.data.empty()) {
      w.image(g, fp, "sharpness", ch.sharpness);
      w.image(g, fp, "edge_of_stability", ch.edge_of_stability);
    }

    const BoxCount& b = frame.boxcount;
    H5::Group bc = w.create_group(g, fp, "boxcount");
    const std::string bp = fp + "/boxcount";
    w.vector(bc, bp, "sizes", b.sizes);
    w.vector(bc, bp, "counts", b.counts);
    w.vector(bc, bp, "slopes", b.slopes);

    write_frame_dimensions(s.root, frame.index, frame.robust, w.file());

    // Counted only once the frame is complete, then made durable: a killed run leaves a file whose
    // frames_completed matches the frames it holds.
    ++s.frames_completed;
    w.write_attribute(s.root, "/", "frames_completed", s.frames_completed);
    s.flush();
  });
}

void Hdf5RunStore::on_run_done(const ZoomSummary& summary) {
  const ErrorScope scope;
  if (impl_->broken) fail(impl_->w.file(), "cannot write after an earlier write failed");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    s.w.write_attribute(s.root, "/", "dimension", summary.dimension);
    write_sequence_dimensions(s.root, summary.robust, s.w.file());
    s.flush();
  });
}

// ---- reading back ------------------------------------------------------------------------------

StoredRun read_run(const std::string& path) {
  const ErrorScope scope;
  const Reader r(path);
  const H5::H5File file = r.open_file(/*writable=*/false);
  const H5::Group root = r.root(file);

  StoredRun run;
  if (!r.has_attribute(root, "format")) {
    throw errors::not_a_run(path, std::string("format attribute missing, expected '") + kFormat + "'");
  }
  if (r.attribute_class(root, "format") != H5T_STRING) {
    throw errors::not_a_run(path, "format attribute is not a string");
  }
  run.format = r.read_string(root, "/", "format");
  if (run.format != kFormat) {
    throw errors::not_a_run(path, "format attribute is '" + run.format + "', expected '" + kFormat + "'");
  }
  run.format_version = r.read_int64(root, "/", "format_version");
  if (run.format_version != kFormatVersion) {
    fail(path, "unsupported trainscape-run format_version " + std::to_string(run.format_version) +
                   " (this build reads version " + std::to_string(kFormatVersion) + ")");
  }
  run.trainscape_version = r.read_string(root, "/", "trainscape_version");
  run.config_yaml = r.read_string(root, "/", "config");
  run.dimension = r.read_double(root, "/", "dimension");
  run.frames_completed = r.read_int64(root, "/", "frames_completed");
  if (run.frames_completed < 0) {
    fail(path, "attribute frames_completed of / = " + std::to_string(run.frames_completed) + " is negative");
  }
  run.problem = read_problem(r, root);

  const H5::Group frames = r.open_group(root, "/", "frames");
  const std::vector<std::string> names = r.member_names(frames, "/frames");
  for (const std::string& name : names) run.frames.push_back(read_frame(r, frames, name));
  // Names are zero-padded, so name order is index order up to 999999; sort to be sure beyond.
  std::stable_sort(run.frames.begin(), run.frames.end(),
                   [](const FrameResult& a, const FrameResult& b) { return a.index < b.index; });
  return run;
}

}  // namespace trainscape::io
