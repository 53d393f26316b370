#include "trainscape/io/dimension_store.hpp"

#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "dimension_store_h5.hpp"
#include "hdf5_file.hpp"
#include "trainscape/error.hpp"
#include "trainscape/version.hpp"

namespace trainscape::io {

namespace {

using hdf5::child_path;
using hdf5::ErrorScope;
using hdf5::fail;

constexpr long long kFormatVersion = 1;

// ---- writing -------------------------------------------------------------------------------------

/// One field of an estimate (visit_fields) as stored: numbers, strings and the method as scalar
/// attributes (int and bool as int64, the method by name), vectors as 1-D float64 datasets.
template <class T>
void write_field(const hdf5::Objects& w, H5::Group& g, const std::string& path, const char* name, const T& value) {
  if constexpr (std::is_same_v<T, std::vector<double>>) {
    w.write_dataset(g, path, name, {static_cast<hsize_t>(value.size())}, value.data());
  } else if constexpr (std::is_same_v<T, DimensionMethod>) {
    w.write_attribute(g, path, name, std::string(to_string(value)));
  } else if constexpr (std::is_same_v<T, bool>) {
    w.write_attribute(g, path, name, std::int64_t{value ? 1 : 0});
  } else if constexpr (std::is_integral_v<T>) {
    w.write_attribute(g, path, name, static_cast<std::int64_t>(value));
  } else {
    static_assert(std::is_same_v<T, double> || std::is_same_v<T, std::string>,
                  "a new kind of field needs a stored type");
    w.write_attribute(g, path, name, value);
  }
}

void write_estimate(const hdf5::Objects& w, H5::Group& parent, const std::string& parent_path,
                    const DimensionEstimate& e) {
  const std::string name = to_string(e.method);
  const std::string path = child_path(parent_path, name);
  H5::Group g = w.replace_group(parent, parent_path, name);
  // Attributes first, then datasets: the group's header is laid out before its datasets.
  for (const bool datasets : {false, true}) {
    visit_fields(e, [&](const char* field, const auto& value) {
      if (std::is_same_v<std::decay_t<decltype(value)>, std::vector<double>> == datasets) {
        write_field(w, g, path, field, value);
      }
    });
  }
}

void write_report(const hdf5::Objects& w, H5::Group& parent, const std::string& parent_path, const std::string& name,
                  const DimensionReport& r) {
  const std::string path = child_path(parent_path, name);
  H5::Group g = w.replace_group(parent, parent_path, name);
  write_estimate(w, g, path, r.porespy_median);
  write_estimate(w, g, path, r.boxcount_fit);
  write_estimate(w, g, path, r.pair);
}

/// /dimension, created with its format attributes when absent.
H5::Group dimension_group(const hdf5::Objects& w, H5::Group& root) {
  if (w.exists(root, "dimension")) return w.open_group(root, "/", "dimension");
  H5::Group g = w.create_group(root, "/", "dimension");
  w.write_attribute(g, "/dimension", "format_version", std::int64_t{kFormatVersion});
  w.write_attribute(g, "/dimension", "trainscape_version", std::string(kVersion));
  return g;
}

// ---- reading -------------------------------------------------------------------------------------

template <class T>
void read_field(const hdf5::Objects& r, const H5::Group& g, const std::string& path, const char* name, T& out) {
  if constexpr (std::is_same_v<T, std::vector<double>>) {
    r.read_dataset(g, path, name, 1, out);
  } else if constexpr (std::is_same_v<T, DimensionMethod>) {
    // The group is named by the method, which the caller has already set: the two must agree.
    const std::string stored = r.read_string(g, path, name);
    DimensionMethod m{};
    if (!from_string(stored, m) || m != out) {
      fail(r.file(), "attribute " + std::string(name) + " of " + path + " is '" + stored + "', expected '" +
                         to_string(out) + "'");
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    out = r.read_int64(g, path, name) != 0;
  } else if constexpr (std::is_same_v<T, int>) {
    out = r.read_int(g, path, name);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out = r.read_int64(g, path, name);
  } else if constexpr (std::is_same_v<T, double>) {
    out = r.read_double(g, path, name);
  } else {
    static_assert(std::is_same_v<T, std::string>, "a new kind of field needs a stored type");
    out = r.read_string(g, path, name);
  }
}

DimensionEstimate read_estimate(const hdf5::Objects& r, const H5::Group& parent, const std::string& parent_path,
                                DimensionMethod m) {
  const std::string name = to_string(m);
  const std::string path = child_path(parent_path, name);
  const H5::Group g = r.open_group(parent, parent_path, name);
  DimensionEstimate e(m);
  visit_fields(e, [&](const char* field, auto& value) { read_field(r, g, path, field, value); });
  return e;
}

DimensionReport read_report(const hdf5::Objects& r, const H5::Group& parent, const std::string& parent_path,
                            const std::string& name) {
  const std::string path = child_path(parent_path, name);
  const H5::Group g = r.open_group(parent, parent_path, name);
  DimensionReport report;
  report.porespy_median = read_estimate(r, g, path, DimensionMethod::PorespyMedian);
  report.boxcount_fit = read_estimate(r, g, path, DimensionMethod::BoxcountFit);
  report.pair = read_estimate(r, g, path, DimensionMethod::Pair);
  return report;
}

}  // namespace

void write_frame_dimensions(H5::Group& root, int index, const DimensionReport& report, const std::string& file) {
  const ErrorScope scope;
  const hdf5::Objects w(file);
  if (index < 0) fail(file, "cannot write dimensions of frame " + std::to_string(index));
  H5::Group dim = dimension_group(w, root);
  H5::Group frames = w.open_or_create_group(dim, "/dimension", "frames");
  write_report(w, frames, "/dimension/frames", hdf5::frame_name(index), report);
}

void write_sequence_dimensions(H5::Group& root, const DimensionReport& report, const std::string& file) {
  const ErrorScope scope;
  const hdf5::Objects w(file);
  H5::Group dim = dimension_group(w, root);
  write_report(w, dim, "/dimension", "sequence", report);
}

void write_run_dimensions(const std::string& path, const std::vector<int>& frame_indices,
                          const std::vector<DimensionReport>& frames, const DimensionReport& sequence) {
  if (frame_indices.size() != frames.size()) fail(path, "frame indices and reports differ in number");
  const ErrorScope scope;
  const hdf5::Objects w(path);
  H5::H5File file = w.open_file(/*writable=*/true);
  H5::Group root = w.root(file);
  // Replace, never merge: stale frames of an earlier --write must not survive.
  w.remove(root, "/", "dimension");
  for (std::size_t i = 0; i < frames.size(); ++i) write_frame_dimensions(root, frame_indices[i], frames[i], path);
  write_sequence_dimensions(root, sequence, path);
  w.flush(file);
  hdf5::guarded(path, "closing", [&] {
    root.close();
    file.close();
  });
}

StoredDimensions read_run_dimensions(const std::string& path) {
  const ErrorScope scope;
  const hdf5::Objects r(path);
  const H5::H5File file = r.open_file(/*writable=*/false);
  const H5::Group root = r.root(file);
  StoredDimensions out;
  if (!r.exists(root, "dimension")) return out;
  out.present = true;
  const H5::Group dim = r.open_group(root, "/", "dimension");
  out.sequence = read_report(r, dim, "/dimension", "sequence");
  if (r.exists(dim, "frames")) {
    const H5::Group frames = r.open_group(dim, "/dimension", "frames");
    for (const std::string& name : r.member_names(frames, "/dimension/frames")) {
      if (!hdf5::is_frame_name(name)) fail(path, "unexpected object /dimension/frames/" + name);
      out.frame_indices.push_back(std::stoi(name));
      out.frames.push_back(read_report(r, frames, "/dimension/frames", name));
    }
  }
  return out;
}

}  // namespace trainscape::io
