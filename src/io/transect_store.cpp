#include "trainscape/io/transect_store.hpp"

#include <H5Cpp.h>

#include <cerrno>
#include <cstdio>
#include <limits>

#include "hdf5_file.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/version.hpp"

namespace trainscape::io {

namespace {

using hdf5::ErrorScope;
using hdf5::fail;

constexpr const char* kFormat = "trainscape-transect";
constexpr std::int64_t kFormatVersion = 1;

hsize_t length(std::size_t n) { return static_cast<hsize_t>(n); }

}  // namespace

void write_transect(const std::string& path, const RunConfig& config, const Problem& problem, const TransectLine& line,
                    const TransectResult& result) {
  // A fixed temporary name: the journal next to it already makes a second writer an error.
  const std::string temporary = path + ".tmp";
  {
    const ErrorScope scope;
    const hdf5::Objects w(temporary);
    hdf5::guarded(path, "writing", [&] {
      H5::H5File file = w.create_file();
      H5::Group root = w.root(file);
      w.write_attribute(root, "/", "format", std::string(kFormat));
      w.write_attribute(root, "/", "format_version", kFormatVersion);
      w.write_attribute(root, "/", "trainscape_version", std::string(kVersion));
      w.write_attribute(root, "/", "config", to_yaml(config));
      H5::Group g = w.create_group(root, "/", "transect");
      const std::string gp = "/transect";
      const Segment& s = line.segment();
      const TransectDimension& d = result.dimension;
      w.write_attribute(g, gp, "points", static_cast<std::int64_t>(line.points()));
      w.write_attribute(g, gp, "from_x", s.from_x);
      w.write_attribute(g, gp, "from_y", s.from_y);
      w.write_attribute(g, gp, "to_x", s.to_x);
      w.write_attribute(g, gp, "to_y", s.to_y);
      w.write_attribute(g, gp, "steps", static_cast<std::int64_t>(problem.steps));
      w.write_attribute(g, gp, "dimension", d.dimension);
      w.write_attribute(g, gp, "ci_low", d.ci_low);
      w.write_attribute(g, gp, "ci_high", d.ci_high);
      w.write_attribute(g, gp, "fit_se", d.fit_se);
      w.write_attribute(g, gp, "systematic", d.systematic);
      w.write_attribute(g, gp, "boot_low", d.boot_low);
      w.write_attribute(g, gp, "boot_high", d.boot_high);
      w.write_attribute(g, gp, "fit_min", d.fit_min);
      w.write_attribute(g, gp, "fit_max", d.fit_max);
      w.write_attribute(g, gp, "fit_points", static_cast<std::int64_t>(d.fit_points));
      w.write_attribute(g, gp, "note", d.note);
      w.write_dataset(g, gp, "x", {length(result.x.size())}, result.x.data());
      w.write_dataset(g, gp, "y", {length(result.y.size())}, result.y.data());
      w.write_dataset(g, gp, "measure", {length(result.measure.size())}, result.measure.data());
      w.write_dataset(g, gp, "converged", {length(result.converged.size())}, result.converged.data());
      const TransectCrossings& c = result.crossings;
      w.write_dataset(g, gp, "resolutions", {length(c.resolutions.size())}, c.resolutions.data());
      w.write_dataset(g, gp, "crossings", {length(c.crossings.size())}, c.crossings.data());
      w.write_dataset(g, gp, "local", {length(d.local.size())}, d.local.data());
      // The extra channels the config asked for, as run.h5's frames store them (docs/channels.md).
      if (!result.divergence_step.empty()) {
        w.write_dataset(g, gp, "divergence_step", {length(result.divergence_step.size())},
                        result.divergence_step.data());
      }
      if (!result.lyapunov.empty()) {
        w.write_dataset(g, gp, "lyapunov", {length(result.lyapunov.size())}, result.lyapunov.data());
      }
      if (!result.sharpness.empty()) {
        w.write_dataset(g, gp, "sharpness", {length(result.sharpness.size())}, result.sharpness.data());
        w.write_dataset(g, gp, "edge_of_stability", {length(result.edge_of_stability.size())},
                        result.edge_of_stability.data());
      }
      g.close();
      root.close();
      file.close();
    });
  }
  sync_file(temporary);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(temporary.c_str());
    throw errors::in_file(path, "cannot rename the finished file into place: " + errors::os_reason(err));
  }
}

StoredTransect read_transect(const std::string& path) {
  const ErrorScope scope;
  const hdf5::Objects r(path);
  const H5::H5File file = r.open_file(/*writable=*/false);
  const H5::Group root = r.root(file);
  if (!r.has_attribute(root, "format") || r.attribute_class(root, "format") != H5T_STRING ||
      r.read_string(root, "/", "format") != kFormat) {
    throw errors::in_file(path, std::string("not a transect file (format attribute is not '") + kFormat + "')");
  }
  const std::int64_t version = r.read_int64(root, "/", "format_version");
  if (version != kFormatVersion) {
    fail(path, "unsupported trainscape-transect format_version " + std::to_string(version) + " (this build reads " +
                   std::to_string(kFormatVersion) + ")");
  }
  StoredTransect t;
  t.config_yaml = r.read_string(root, "/", "config");
  const H5::Group g = r.open_group(root, "/", "transect");
  const std::string gp = "/transect";
  t.points = r.read_int64(g, gp, "points");
  t.steps = r.read_int64(g, gp, "steps");
  t.segment.from_x = r.read_double(g, gp, "from_x");
  t.segment.from_y = r.read_double(g, gp, "from_y");
  t.segment.to_x = r.read_double(g, gp, "to_x");
  t.segment.to_y = r.read_double(g, gp, "to_y");
  TransectDimension& d = t.result.dimension;
  d.dimension = r.read_double(g, gp, "dimension");
  d.ci_low = r.read_double(g, gp, "ci_low");
  d.ci_high = r.read_double(g, gp, "ci_high");
  d.fit_se = r.read_double(g, gp, "fit_se");
  d.systematic = r.read_double(g, gp, "systematic");
  d.boot_low = r.read_double(g, gp, "boot_low");
  d.boot_high = r.read_double(g, gp, "boot_high");
  d.fit_min = r.read_int64(g, gp, "fit_min");
  d.fit_max = r.read_int64(g, gp, "fit_max");
  d.fit_points = r.read_int(g, gp, "fit_points");
  d.note = r.read_string(g, gp, "note");
  r.read_dataset(g, gp, "x", 1, t.result.x);
  r.read_dataset(g, gp, "y", 1, t.result.y);
  r.read_dataset(g, gp, "measure", 1, t.result.measure);
  r.read_dataset(g, gp, "converged", 1, t.result.converged);
  r.read_dataset(g, gp, "resolutions", 1, t.result.crossings.resolutions);
  r.read_dataset(g, gp, "crossings", 1, t.result.crossings.crossings);
  r.read_dataset(g, gp, "local", 1, d.local);
  // Channels are optional: a transect stores those its config asked for.
  auto channel = [&](const char* name, auto& out) {
    if (r.exists(g, name)) r.read_dataset(g, gp, name, 1, out);
  };
  channel("divergence_step", t.result.divergence_step);
  channel("lyapunov", t.result.lyapunov);
  channel("sharpness", t.result.sharpness);
  channel("edge_of_stability", t.result.edge_of_stability);
  const auto n = static_cast<std::size_t>(t.points);
  auto absent_or_n = [n](std::size_t size) { return size == 0 || size == n; };
  if (t.points < 2 || t.result.x.size() != n || t.result.y.size() != n || t.result.measure.size() != n ||
      t.result.converged.size() != n || t.result.crossings.resolutions.size() != t.result.crossings.crossings.size() ||
      !absent_or_n(t.result.divergence_step.size()) || !absent_or_n(t.result.lyapunov.size()) ||
      !absent_or_n(t.result.sharpness.size()) || t.result.sharpness.size() != t.result.edge_of_stability.size()) {
    fail(path, "/transect: datasets x, y, measure, converged and the stored channels do not all hold points = " +
                   std::to_string(t.points) +
                   " values, or resolutions and crossings differ in length, or sharpness comes without "
                   "edge_of_stability");
  }
  return t;
}

}  // namespace trainscape::io
