#include "trainscape/io/dimension_store.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "dimension_store_h5.hpp"
#include "trainscape/error.hpp"
#include "trainscape/version.hpp"

namespace trainscape::io {

namespace {

constexpr long long kFormatVersion = 1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// HDF5's useful reason ("truncated file", "unable to lock file") lives on its error stack, which
// the next library call clears; copy it when a C call fails (as hdf5_store.cpp does).
thread_local std::string t_reason;

class ErrorScope {
 public:
  // Nested scopes (and a caller's own handler, e.g. the zoom store's) get theirs back on exit.
  ErrorScope() {
    H5Eget_auto2(H5E_DEFAULT, &previous_, &previous_data_);
    // HDF5's default printer would write to stderr after we are done: keep the library silent.
    using AnyFn = void (*)();
    if (reinterpret_cast<AnyFn>(previous_) == reinterpret_cast<AnyFn>(&H5Eprint2)) previous_ = nullptr;
    H5::Exception::dontPrint();
    H5Eset_auto2(H5E_DEFAULT, &ErrorScope::on_error, nullptr);
    t_reason.clear();
  }
  ~ErrorScope() { H5Eset_auto2(H5E_DEFAULT, previous_, previous_data_); }
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;

 private:
  H5E_auto2_t previous_ = nullptr;
  void* previous_data_ = nullptr;

  static herr_t on_error(hid_t stack, void* /*client*/) {
    std::pair<std::string, std::string> text;
    H5Ewalk2(stack, H5E_WALK_DOWNWARD,
             [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
               auto* t = static_cast<std::pair<std::string, std::string>*>(data);
               const std::string desc = err->desc != nullptr ? err->desc : "";
               if (n == 0) t->first = desc;
               t->second = desc;
               return 0;
             },
             &text);
    t_reason = text.first;
    if (!text.second.empty() && text.second != text.first) {
      t_reason += t_reason.empty() ? text.second : " (" + text.second + ")";
    }
    return 0;
  }
};

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

[[noreturn]] void fail(const std::string& file, const std::string& what) { throw IoError(one_line(file + ": " + what)); }

template <class F>
auto guarded(const std::string& file, const std::string& doing, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    std::string detail = e.getDetailMsg();
    if (detail.empty()) detail = e.getFuncName();
    if (!t_reason.empty()) detail += (detail.empty() ? "" : ": ") + t_reason;
    t_reason.clear();
    fail(file, doing + ": " + (detail.empty() ? std::string("unknown HDF5 error") : detail));
  }
}

bool exists(const H5::Group& g, const std::string& name) { return H5Lexists(g.getId(), name.c_str(), H5P_DEFAULT) > 0; }

std::string frame_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d", index);
  return buf;
}

// ---- writing -------------------------------------------------------------------------------------

struct W {
  const std::string& file;

  H5::Group open_or_create(H5::Group& parent, const std::string& path, const std::string& name) const {
    return guarded(file, "creating group " + path + "/" + name, [&] {
      return exists(parent, name) ? parent.openGroup(name) : parent.createGroup(name);
    });
  }
  H5::Group fresh(H5::Group& parent, const std::string& path, const std::string& name) const {
    return guarded(file, "creating group " + path + "/" + name, [&] {
      if (exists(parent, name)) parent.unlink(name);
      return parent.createGroup(name);
    });
  }
  void attr(H5::Group& g, const std::string& path, const std::string& name, double v) const {
    guarded(file, "writing attribute " + name + " of " + path, [&] {
      H5::Attribute a = g.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
      a.write(H5::PredType::NATIVE_DOUBLE, &v);
    });
  }
  void attr(H5::Group& g, const std::string& path, const std::string& name, std::int64_t v) const {
    guarded(file, "writing attribute " + name + " of " + path, [&] {
      H5::Attribute a = g.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
      a.write(H5::PredType::NATIVE_INT64, &v);
    });
  }
  void attr(H5::Group& g, const std::string& path, const std::string& name, const std::string& v) const {
    guarded(file, "writing attribute " + name + " of " + path, [&] {
      H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
      type.setCset(H5T_CSET_UTF8);
      H5::Attribute a = g.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
      const char* p = v.c_str();
      a.write(type, &p);
    });
  }
  void vec(H5::Group& g, const std::string& path, const std::string& name, const std::vector<double>& v) const {
    guarded(file, "writing dataset " + path + "/" + name, [&] {
      const hsize_t dims[1] = {static_cast<hsize_t>(v.size())};
      H5::DataSet ds = g.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, dims));
      if (!v.empty()) ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
    });
  }

  void estimate(H5::Group& parent, const std::string& parent_path, const DimensionEstimate& e) const {
    const std::string name = to_string(e.method);
    const std::string path = parent_path + "/" + name;
    H5::Group g = fresh(parent, parent_path, name);
    attr(g, path, "method", std::string(name));
    attr(g, path, "dimension", e.dimension);
    attr(g, path, "ci_low", e.ci_low);
    attr(g, path, "ci_high", e.ci_high);
    attr(g, path, "systematic", e.systematic);
    attr(g, path, "boot_low", e.boot_low);
    attr(g, path, "boot_high", e.boot_high);
    attr(g, path, "fit_se", e.fit_se);
    attr(g, path, "fit_min", e.fit_min);
    attr(g, path, "fit_max", e.fit_max);
    attr(g, path, "occupancy", e.occupancy);
    attr(g, path, "fit_points", static_cast<std::int64_t>(e.fit_points));
    attr(g, path, "frames", static_cast<std::int64_t>(e.frames));
    attr(g, path, "samples", static_cast<std::int64_t>(e.samples));
    attr(g, path, "saturated", static_cast<std::int64_t>(e.saturated ? 1 : 0));
    attr(g, path, "mode", e.mode);
    attr(g, path, "note", e.note);
    vec(g, path, "scales", e.scales);
    vec(g, path, "values", e.values);
    vec(g, path, "counts", e.counts);
    vec(g, path, "local", e.local);
  }

  void report(H5::Group& parent, const std::string& parent_path, const std::string& name,
              const DimensionReport& r) const {
    const std::string path = parent_path + "/" + name;
    H5::Group g = fresh(parent, parent_path, name);
    estimate(g, path, r.porespy_median);
    estimate(g, path, r.boxcount_fit);
    estimate(g, path, r.pair);
  }

  H5::Group dimension_group(H5::Group& root) const {
    const bool existed = guarded(file, "looking up /dimension", [&] { return exists(root, "dimension"); });
    H5::Group g = open_or_create(root, "", "dimension");
    if (!existed) {
      attr(g, "/dimension", "format_version", static_cast<std::int64_t>(kFormatVersion));
      attr(g, "/dimension", "trainscape_version", std::string(kVersion));
    }
    return g;
  }
};

// ---- reading -------------------------------------------------------------------------------------

struct R {
  const std::string& file;

  double num(const H5::Group& g, const std::string& path, const std::string& name) const {
    return guarded(file, "reading attribute " + name + " of " + path, [&] {
      if (!g.attrExists(name)) fail(file, path + ": missing attribute " + name);
      H5::Attribute a = g.openAttribute(name);
      double v = kNaN;
      a.read(H5::PredType::NATIVE_DOUBLE, &v);
      return v;
    });
  }
  std::int64_t integer(const H5::Group& g, const std::string& path, const std::string& name) const {
    return guarded(file, "reading attribute " + name + " of " + path, [&] {
      if (!g.attrExists(name)) fail(file, path + ": missing attribute " + name);
      H5::Attribute a = g.openAttribute(name);
      if (a.getTypeClass() != H5T_INTEGER) fail(file, path + ": attribute " + name + " is not an integer");
      std::int64_t v = 0;
      a.read(H5::PredType::NATIVE_INT64, &v);
      return v;
    });
  }
  std::string text(const H5::Group& g, const std::string& path, const std::string& name) const {
    return guarded(file, "reading attribute " + name + " of " + path, [&] {
      if (!g.attrExists(name)) fail(file, path + ": missing attribute " + name);
      H5::Attribute a = g.openAttribute(name);
      if (a.getTypeClass() != H5T_STRING) fail(file, path + ": attribute " + name + " is not a string");
      std::string v;
      a.read(a.getStrType(), v);
      return v;
    });
  }
  std::vector<double> vec(const H5::Group& g, const std::string& path, const std::string& name) const {
    return guarded(file, "reading dataset " + path + "/" + name, [&] {
      if (!exists(g, name)) fail(file, "missing dataset " + path + "/" + name);
      H5::DataSet ds = g.openDataSet(name);
      H5::DataSpace space = ds.getSpace();
      if (space.getSimpleExtentNdims() != 1) fail(file, path + "/" + name + " is not 1-D");
      hsize_t n = 0;
      space.getSimpleExtentDims(&n);
      std::vector<double> v(static_cast<std::size_t>(n));
      if (n > 0) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
      return v;
    });
  }

  DimensionEstimate estimate(const H5::Group& parent, const std::string& parent_path, DimensionMethod m) const {
    const std::string name = to_string(m), path = parent_path + "/" + name;
    const H5::Group g = guarded(file, "opening " + path, [&] {
      if (!exists(parent, name)) fail(file, "missing group " + path);
      return parent.openGroup(name);
    });
    DimensionEstimate e(m);
    e.dimension = num(g, path, "dimension");
    e.ci_low = num(g, path, "ci_low");
    e.ci_high = num(g, path, "ci_high");
    e.systematic = num(g, path, "systematic");
    e.boot_low = num(g, path, "boot_low");
    e.boot_high = num(g, path, "boot_high");
    e.fit_se = num(g, path, "fit_se");
    e.fit_min = num(g, path, "fit_min");
    e.fit_max = num(g, path, "fit_max");
    e.occupancy = num(g, path, "occupancy");
    e.fit_points = static_cast<int>(integer(g, path, "fit_points"));
    e.frames = static_cast<int>(integer(g, path, "frames"));
    e.samples = integer(g, path, "samples");
    e.saturated = integer(g, path, "saturated") != 0;
    e.mode = text(g, path, "mode");
    e.note = text(g, path, "note");
    e.scales = vec(g, path, "scales");
    e.values = vec(g, path, "values");
    e.counts = vec(g, path, "counts");
    e.local = vec(g, path, "local");
    return e;
  }

  DimensionReport report(const H5::Group& parent, const std::string& parent_path, const std::string& name) const {
    const std::string path = parent_path + "/" + name;
    const H5::Group g = guarded(file, "opening " + path, [&] {
      if (!exists(parent, name)) fail(file, "missing group " + path);
      return parent.openGroup(name);
    });
    DimensionReport r;
    r.porespy_median = estimate(g, path, DimensionMethod::PorespyMedian);
    r.boxcount_fit = estimate(g, path, DimensionMethod::BoxcountFit);
    r.pair = estimate(g, path, DimensionMethod::Pair);
    return r;
  }
};

}  // namespace

void write_frame_dimensions(H5::Group& root, int index, const DimensionReport& report, const std::string& file) {
  const ErrorScope scope;
  const W w{file};
  if (index < 0) fail(file, "cannot write dimensions of frame " + std::to_string(index));
  H5::Group dim = w.dimension_group(root);
  H5::Group frames = w.open_or_create(dim, "/dimension", "frames");
  w.report(frames, "/dimension/frames", frame_name(index), report);
}

void write_sequence_dimensions(H5::Group& root, const DimensionReport& report, const std::string& file) {
  const ErrorScope scope;
  const W w{file};
  H5::Group dim = w.dimension_group(root);
  w.report(dim, "/dimension", "sequence", report);
}

void write_run_dimensions(const std::string& path, const std::vector<int>& frame_indices,
                          const std::vector<DimensionReport>& frames, const DimensionReport& sequence) {
  if (frame_indices.size() != frames.size()) fail(path, "frame indices and reports differ in number");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
  const ErrorScope scope;
  H5::H5File file = guarded(path, "cannot open for writing", [&] { return H5::H5File(path, H5F_ACC_RDWR); });
  H5::Group root = guarded(path, "opening /", [&] { return file.openGroup("/"); });
  // Replace, never merge: stale frames of an earlier --write must not survive.
  guarded(path, "removing the old /dimension", [&] {
    if (exists(root, "dimension")) root.unlink("dimension");
  });
  for (std::size_t i = 0; i < frames.size(); ++i) write_frame_dimensions(root, frame_indices[i], frames[i], path);
  write_sequence_dimensions(root, sequence, path);
  guarded(path, "flushing", [&] { file.flush(H5F_SCOPE_GLOBAL); });
  guarded(path, "closing", [&] {
    root.close();
    file.close();
  });
}

StoredDimensions read_run_dimensions(const std::string& path) {
  const ErrorScope scope;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not an HDF5 file");
  const R r{path};
  const H5::H5File file = guarded(path, "cannot open HDF5 file", [&] { return H5::H5File(path, H5F_ACC_RDONLY); });
  const H5::Group root = guarded(path, "opening /", [&] { return file.openGroup("/"); });
  StoredDimensions out;
  if (!guarded(path, "looking up /dimension", [&] { return exists(root, "dimension"); })) return out;
  out.present = true;
  const H5::Group dim = guarded(path, "opening /dimension", [&] { return root.openGroup("dimension"); });
  out.sequence = r.report(dim, "/dimension", "sequence");
  if (guarded(path, "looking up /dimension/frames", [&] { return exists(dim, "frames"); })) {
    const H5::Group frames = guarded(path, "opening /dimension/frames", [&] { return dim.openGroup("frames"); });
    const std::vector<std::string> names = guarded(path, "listing /dimension/frames", [&] {
      std::vector<std::string> v;
      for (hsize_t i = 0; i < frames.getNumObjs(); ++i) v.push_back(frames.getObjnameByIdx(i));
      return v;
    });
    for (const std::string& name : names) {
      const bool numeric = !name.empty() && name.size() <= 9 &&
                           std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!numeric) fail(path, "unexpected object /dimension/frames/" + name);
      out.frame_indices.push_back(std::stoi(name));
      out.frames.push_back(r.report(frames, "/dimension/frames", name));
    }
  }
  return out;
}

}  // namespace trainscape::io
