#include "trainscape/io/hdf5_store.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <numeric>
#include <iostream>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "dimension_store_h5.hpp"
#include "fault.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/machine.hpp"
#include "trainscape/version.hpp"

#ifndef TRAINSCAPE_GIT_DESCRIBE
#define TRAINSCAPE_GIT_DESCRIBE "unknown"
#endif

namespace trainscape::io {

namespace {

constexpr const char* kFormat = "trainscape-run";
constexpr long long kFormatVersion = 1;
// Datasets above this size are chunked and deflated; small ones stay contiguous, where chunk
// overhead would outweigh any saving.
constexpr hsize_t kCompressAbove = 64 * 1024;
// Aim for chunks of about this many bytes: large enough for deflate to work well, small enough
// that reading one row of a big frame does not decompress the whole frame.
constexpr hsize_t kChunkTarget = 512 * 1024;
constexpr unsigned kDeflateLevel = 4;

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---- error reporting ---------------------------------------------------------------------------
//
// The C++ API's exceptions only say which C call failed ("H5Fcreate failed"); the useful reason
// ("errno = 2, No such file or directory", "truncated file: eof = ...") lives on HDF5's error
// stack, which is cleared again by the next library call (e.g. the destructors run while the
// exception unwinds). So an automatic-error callback copies the stack's text at the moment the
// C call fails. The error stack and its callback are per thread in this (thread-safe) build; all
// store calls happen on one thread, but thread_local keeps this correct regardless.

thread_local std::string t_last_reason;

struct StackText {
  std::string outer;  // what the API function said (first entry)
  std::string inner;  // the most specific cause (last entry)
};

herr_t collect_entry(unsigned n, const H5E_error2_t* err, void* data) {
  auto* text = static_cast<StackText*>(data);
  const std::string desc = err->desc != nullptr ? err->desc : "";
  if (n == 0) text->outer = desc;
  text->inner = desc;
  return 0;
}

herr_t capture_error_stack(hid_t stack, void* /*client_data*/) {
  StackText text;
  H5Ewalk2(stack, H5E_WALK_DOWNWARD, collect_entry, &text);
  std::string reason = text.outer;
  if (!text.inner.empty() && text.inner != text.outer) {
    reason += reason.empty() ? text.inner : " (" + text.inner + ")";
  }
  t_last_reason = reason;
  return 0;
}

/// For the duration of a store or reader call: HDF5 prints nothing and the reason of the last
/// failure is captured for the IoError message.
///
/// It also silences std::cerr for its duration: when a write fails (a full disk, a file-size
/// limit), the C++ API's destructors of the objects being unwound report their own close
/// failures there ("DataSet::~DataSet - H5Dclose failed"), which would break the one-line error;
/// the failure itself is already on its way as an IoError.
class ErrorScope {
 public:
  ErrorScope() : saved_cerr_(std::cerr.rdbuf(nullptr)) {
    // Before the library's first use: HDF5 must not close files from an atexit handler, since a
    // file whose write failed crashes H5Fclose (HDF5 1.10); see Hdf5RunStore's destructor.
    static const bool no_atexit = (H5dont_atexit(), true);
    (void)no_atexit;
    H5::Exception::dontPrint();
    H5Eset_auto2(H5E_DEFAULT, capture_error_stack, nullptr);
    t_last_reason.clear();
  }
  ~ErrorScope() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // stay silent afterwards
    std::cerr.rdbuf(saved_cerr_);
  }
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;

 private:
  std::streambuf* saved_cerr_;
};

/// Messages must stay on one line, and HDF5 descriptions occasionally carry newlines.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

std::string hdf5_reason(const H5::Exception& e) {
  std::string detail = e.getDetailMsg();
  if (detail.empty()) detail = e.getFuncName();
  if (!t_last_reason.empty()) {
    detail += detail.empty() ? t_last_reason : ": " + t_last_reason;
    t_last_reason.clear();
  }
  return detail.empty() ? "unknown HDF5 error" : detail;
}

[[noreturn]] void throw_io(const std::string& file, const std::string& what) {
  throw IoError(one_line(file + ": " + what));
}

[[noreturn]] void throw_hdf5(const std::string& file, const std::string& doing,
                             const H5::Exception& e) {
  throw_io(file, doing + ": " + hdf5_reason(e));
}

/// Runs f, turning any HDF5 exception into an IoError that says what was being done.
template <class F>
auto guarded(const std::string& file, const std::string& doing, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    throw_hdf5(file, doing, e);
  }
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

bool link_exists(const H5::Group& group, const std::string& name) {
  return H5Lexists(group.getId(), name.c_str(), H5P_DEFAULT) > 0;
}

std::string frame_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d", index);
  return buf;
}

// ---- writing -----------------------------------------------------------------------------------

H5::StrType utf8_string_type() {
  // Variable-length UTF-8: h5py reads it as str (fixed-length or ASCII would come back as bytes).
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

/// Opens attribute `name` of `obj`, creating it (scalar) if absent, so that attributes such as
/// frames_completed can be rewritten in place.
H5::Attribute scalar_attribute(H5::H5Object& obj, const std::string& name,
                               const H5::DataType& file_type) {
  if (obj.attrExists(name)) return obj.openAttribute(name);
  return obj.createAttribute(name, file_type, H5::DataSpace(H5S_SCALAR));
}

class Writer {
 public:
  explicit Writer(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  void attr_string(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                   const std::string& value) const {
    guarded(file_, "writing attribute " + name + " of " + obj_path, [&] {
      const H5::StrType type = utf8_string_type();
      H5::Attribute attr = scalar_attribute(obj, name, type);
      const char* p = value.c_str();
      attr.write(type, &p);
    });
  }

  void attr_int64(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                  std::int64_t value) const {
    guarded(file_, "writing attribute " + name + " of " + obj_path, [&] {
      H5::Attribute attr = scalar_attribute(obj, name, H5::PredType::STD_I64LE);
      attr.write(H5::PredType::NATIVE_INT64, &value);
    });
  }

  void attr_double(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                   double value) const {
    guarded(file_, "writing attribute " + name + " of " + obj_path, [&] {
      H5::Attribute attr = scalar_attribute(obj, name, H5::PredType::IEEE_F64LE);
      attr.write(H5::PredType::NATIVE_DOUBLE, &value);
    });
  }

  H5::Group group(H5::Group& parent, const std::string& parent_path,
                  const std::string& name) const {
    return guarded(file_, "creating group " + child_path(parent_path, name),
                   [&] { return parent.createGroup(name); });
  }

  /// A row-major dataset of `dims` written from `data`; chunked and deflated when large.
  void dataset(H5::Group& parent, const std::string& parent_path, const std::string& name,
               const H5::PredType& file_type, const H5::PredType& mem_type,
               const std::vector<hsize_t>& dims, const void* data) const {
    guarded(file_, "writing dataset " + child_path(parent_path, name), [&] {
      const std::size_t elem = file_type.getSize();
      hsize_t count = 1;
      for (hsize_t d : dims) count *= d;
      H5::DSetCreatPropList props;
      if (count * elem > kCompressAbove) {
        std::vector<hsize_t> chunk(dims.size(), 1);
        // Fill the last (contiguous) dimension up to 256 elements (all of it for 1-D), then
        // add rows until the chunk reaches the target size.
        hsize_t bytes = elem;
        for (std::size_t i = dims.size(); i-- > 0;) {
          const hsize_t want = i + 1 == dims.size() && dims.size() > 1
                                   ? std::min<hsize_t>(dims[i], 256)
                                   : std::max<hsize_t>(1, kChunkTarget / bytes);
          chunk[i] = std::min(dims[i], want);
          bytes *= chunk[i];
        }
        props.setChunk(static_cast<int>(dims.size()), chunk.data());
        if (elem > 1) props.setShuffle();  // byte-shuffling helps doubles; a no-op for uint8
        props.setDeflate(kDeflateLevel);
      }
      H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
      H5::DataSet ds = parent.createDataSet(name, file_type, space, props);
      if (count > 0) ds.write(data, mem_type);  // an empty buffer may be null: nothing to write
    });
  }

  void matrix(H5::Group& parent, const std::string& parent_path, const std::string& name,
              const Eigen::MatrixXd& m) const {
    // Eigen stores column-major; the file (and numpy) wants row-major [rows, cols].
    const RowMajorMatrix rm = m;
    dataset(parent, parent_path, name, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
            {static_cast<hsize_t>(rm.rows()), static_cast<hsize_t>(rm.cols())}, rm.data());
  }

  template <class T>
  void image(H5::Group& parent, const std::string& parent_path, const std::string& name,
             const Image<T>& img, const H5::PredType& file_type,
             const H5::PredType& mem_type) const {
    if (img.data.size() != static_cast<std::size_t>(img.rows) * static_cast<std::size_t>(img.cols)) {
      throw_io(file_, "cannot write " + child_path(parent_path, name) + ": image is " +
                          std::to_string(img.rows) + " x " + std::to_string(img.cols) + " but holds " +
                          std::to_string(img.data.size()) + " values");
    }
    dataset(parent, parent_path, name, file_type, mem_type,
            {static_cast<hsize_t>(img.rows), static_cast<hsize_t>(img.cols)}, img.data.data());
  }

 private:
  std::string file_;
};

// ---- reading -----------------------------------------------------------------------------------

/// 80% of physical memory (or no limit if unknown): larger datasets are refused, not read.
double memory_budget_bytes() {
  const double memory = physical_memory_bytes();
  return memory > 0 ? 0.8 * memory : std::numeric_limits<double>::infinity();
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  bool has_attr(const H5::H5Object& obj, const std::string& name) const {
    return guarded(file_, "looking up attribute " + name, [&] { return obj.attrExists(name); });
  }

  H5T_class_t attr_class(const H5::H5Object& obj, const std::string& name) const {
    return guarded(file_, "reading attribute " + name,
                   [&] { return obj.openAttribute(name).getTypeClass(); });
  }

  H5::Attribute open_scalar_attr(const H5::H5Object& obj, const std::string& obj_path,
                                 const std::string& name) const {
    if (!has_attr(obj, name)) throw_io(file_, obj_path + ": missing attribute " + name);
    return guarded(file_, "reading attribute " + name + " of " + obj_path, [&] {
      H5::Attribute attr = obj.openAttribute(name);
      if (attr.getSpace().getSimpleExtentNpoints() != 1) {
        throw_io(file_, "attribute " + name + " of " + obj_path + " is not a scalar");
      }
      return attr;
    });
  }

  std::string attr_string(const H5::H5Object& obj, const std::string& obj_path,
                          const std::string& name) const {
    H5::Attribute attr = open_scalar_attr(obj, obj_path, name);
    return guarded(file_, "reading attribute " + name + " of " + obj_path, [&] {
      if (attr.getTypeClass() != H5T_STRING) {
        throw_io(file_, "attribute " + name + " of " + obj_path + " is not a string");
      }
      // Read with the file's own string type so no character-set conversion is attempted;
      // accept fixed-length strings too (other writers may use them).
      const H5::StrType type = attr.getStrType();
      if (type.isVariableStr()) {
        char* p = nullptr;
        attr.read(type, &p);
        std::string value = p != nullptr ? p : "";
        H5free_memory(p);
        return value;
      }
      std::vector<char> buf(type.getSize() + 1, '\0');
      attr.read(type, buf.data());
      return std::string(buf.data());  // stops at the first NUL (null-terminated or padded)
    });
  }

  std::int64_t attr_int64(const H5::H5Object& obj, const std::string& obj_path,
                          const std::string& name) const {
    H5::Attribute attr = open_scalar_attr(obj, obj_path, name);
    return guarded(file_, "reading attribute " + name + " of " + obj_path, [&] {
      if (attr.getTypeClass() != H5T_INTEGER) {
        throw_io(file_, "attribute " + name + " of " + obj_path + " is not an integer");
      }
      std::int64_t v = 0;
      attr.read(H5::PredType::NATIVE_INT64, &v);
      return v;
    });
  }

  int attr_int(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const {
    const std::int64_t v = attr_int64(obj, obj_path, name);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      throw_io(file_, "attribute " + name + " of " + obj_path + " = " + std::to_string(v) +
                          " is out of range");
    }
    return static_cast<int>(v);
  }

  double attr_double(const H5::H5Object& obj, const std::string& obj_path,
                     const std::string& name) const {
    H5::Attribute attr = open_scalar_attr(obj, obj_path, name);
    return guarded(file_, "reading attribute " + name + " of " + obj_path, [&] {
      if (attr.getTypeClass() != H5T_FLOAT) {
        throw_io(file_, "attribute " + name + " of " + obj_path + " is not a float");
      }
      double v = 0.0;
      attr.read(H5::PredType::NATIVE_DOUBLE, &v);
      return v;
    });
  }

  H5::Group group(const H5::Group& parent, const std::string& parent_path,
                  const std::string& name) const {
    const std::string path = child_path(parent_path, name);
    return guarded(file_, "opening group " + path, [&] {
      if (!link_exists(parent, name)) throw_io(file_, "missing group " + path);
      return parent.openGroup(name);
    });
  }

  /// Reads dataset `name` of the expected rank into `out`, converting to `mem_type`.
  template <class T>
  std::vector<hsize_t> dataset(const H5::Group& parent, const std::string& parent_path,
                               const std::string& name, int rank, const H5::PredType& mem_type,
                               std::vector<T>& out) const {
    const std::string path = child_path(parent_path, name);
    return guarded(file_, "reading dataset " + path, [&] {
      if (!link_exists(parent, name)) throw_io(file_, "missing dataset " + path);
      H5::DataSet ds = parent.openDataSet(name);
      H5::DataSpace space = ds.getSpace();
      if (space.getSimpleExtentNdims() != rank) {
        throw_io(file_, "dataset " + path + " has rank " +
                            std::to_string(space.getSimpleExtentNdims()) + ", expected " +
                            std::to_string(rank));
      }
      std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
      space.getSimpleExtentDims(dims.data());
      // The shape comes from the file: refuse one that would not fit in memory before
      // allocating (a small, tampered file can declare terabytes).
      const double bytes = std::accumulate(dims.begin(), dims.end(), static_cast<double>(sizeof(T)),
                                           [](double a, hsize_t d) { return a * static_cast<double>(d); });
      if (bytes > memory_budget_bytes()) {
        std::string shape;
        for (hsize_t d : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
        throw_io(file_, "dataset " + path + " declares " + shape + " values (" +
                            std::to_string(static_cast<long long>(bytes / 1073741824.0)) +
                            " GiB), more than this machine's memory can hold");
      }
      hsize_t count = 1;
      for (hsize_t d : dims) count *= d;
      out.assign(static_cast<std::size_t>(count), T{});
      if (count > 0) ds.read(out.data(), mem_type);
      return dims;
    });
  }

  Eigen::MatrixXd matrix(const H5::Group& parent, const std::string& parent_path,
                         const std::string& name) const {
    std::vector<double> values;
    const auto dims = dataset(parent, parent_path, name, 2, H5::PredType::NATIVE_DOUBLE, values);
    const auto rows = static_cast<Eigen::Index>(dims[0]);
    const auto cols = static_cast<Eigen::Index>(dims[1]);
    return Eigen::Map<const RowMajorMatrix>(values.data(), rows, cols);
  }

  template <class T>
  Image<T> image(const H5::Group& parent, const std::string& parent_path, const std::string& name,
                 const H5::PredType& mem_type) const {
    Image<T> img;
    const auto dims = dataset(parent, parent_path, name, 2, mem_type, img.data);
    img.rows = to_int(dims[0], child_path(parent_path, name));
    img.cols = to_int(dims[1], child_path(parent_path, name));
    return img;
  }

  int to_int(hsize_t v, const std::string& what) const {
    if (v > static_cast<hsize_t>(std::numeric_limits<int>::max())) {
      throw_io(file_, what + ": dimension " + std::to_string(v) + " is too large");
    }
    return static_cast<int>(v);
  }

  void check(bool ok, const std::string& what) const {
    if (!ok) throw_io(file_, what);
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

Problem read_problem(const Reader& r, const H5::Group& root) {
  const H5::Group g = r.group(root, "/", "problem");
  const std::string gp = "/problem";
  Problem p;
  const std::string nonlinearity = r.attr_string(g, gp, "nonlinearity");
  r.check(from_string(nonlinearity, p.nonlinearity),
          "/problem: unknown nonlinearity '" + nonlinearity + "'");
  const std::string precision = r.attr_string(g, gp, "precision");
  r.check(from_string(precision, p.precision), "/problem: unknown precision '" + precision + "'");
  const std::string phase_space = r.attr_string(g, gp, "phase_space");
  r.check(from_string(phase_space, p.phase_space), "/problem: unknown phase_space '" + phase_space + "'");
  const std::string readout = r.attr_string(g, gp, "readout");
  r.check(from_string(readout, p.readout), "/problem: unknown readout '" + readout + "'");
  p.width = r.attr_int(g, gp, "width");
  p.depth = r.attr_int(g, gp, "depth");
  p.target_dim = r.attr_int(g, gp, "target_dim");
  p.steps = r.attr_int(g, gp, "steps");
  const int n_data = r.attr_int(g, gp, "n_data");

  p.X = r.matrix(g, gp, "X");
  p.Y = r.matrix(g, gp, "Y");
  r.check(p.X.rows() == n_data && p.X.cols() == p.width,
          "/problem/X is " + std::to_string(p.X.rows()) + " x " + std::to_string(p.X.cols()) +
              ", expected n_data x width = " + std::to_string(n_data) + " x " +
              std::to_string(p.width));
  r.check(p.Y.rows() == n_data && p.Y.cols() == p.target_dim,
          "/problem/Y is " + std::to_string(p.Y.rows()) + " x " + std::to_string(p.Y.cols()) +
              ", expected n_data x target_dim = " + std::to_string(n_data) + " x " +
              std::to_string(p.target_dim));

  p.probe = r.matrix(g, gp, "probe");
  r.check(p.probe.rows() == 1 && p.probe.cols() == p.width,
          "/problem/probe is " + std::to_string(p.probe.rows()) + " x " + std::to_string(p.probe.cols()) +
              ", expected 1 x width = 1 x " + std::to_string(p.width));

  const H5::Group wg = r.group(g, gp, "weights");
  for (int l = 0; l < p.depth; ++l) {
    p.weights.push_back(r.matrix(wg, "/problem/weights", std::to_string(l)));
  }

  if (guarded(r.file(), "looking up /problem/minibatch_indices",
              [&] { return link_exists(g, "minibatch_indices"); })) {
    std::vector<std::int64_t> values;
    const auto dims =
        r.dataset(g, gp, "minibatch_indices", 2, H5::PredType::NATIVE_INT64, values);
    const std::size_t steps = static_cast<std::size_t>(dims[0]);
    const std::size_t batch = static_cast<std::size_t>(dims[1]);
    p.minibatches.assign(steps, std::vector<int>(batch));
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t b = 0; b < batch; ++b) {
        const std::int64_t v = values[t * batch + b];
        r.check(v >= 0 && v < n_data, "/problem/minibatch_indices holds row " + std::to_string(v) +
                                          " outside [0, " + std::to_string(n_data) + ")");
        p.minibatches[t][b] = static_cast<int>(v);
      }
    }
  }
  return p;
}

FrameResult read_frame(const Reader& r, const H5::Group& frames, const std::string& name) {
  const std::string fp = "/frames/" + name;
  const bool numeric = !name.empty() && name.size() <= 9 &&
                       std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  r.check(numeric, "unexpected object " + fp + " (frame groups are named by their index)");
  const H5::Group g = r.group(frames, "/frames", name);

  FrameResult f;
  f.index = std::stoi(name);
  f.window.centre_x = r.attr_double(g, fp, "centre_x");
  f.window.centre_y = r.attr_double(g, fp, "centre_y");
  f.window.half_x = r.attr_double(g, fp, "half_x");
  f.window.half_y = r.attr_double(g, fp, "half_y");
  f.steps = r.attr_int(g, fp, "steps");
  f.dimension = r.attr_double(g, fp, "dimension");
  f.edge_pixels = r.attr_int64(g, fp, "edge_pixels");

  f.measure = r.image<double>(g, fp, "measure", H5::PredType::NATIVE_DOUBLE);
  f.converged = r.image<std::uint8_t>(g, fp, "converged", H5::PredType::NATIVE_UINT8);
  f.edges = r.image<std::uint8_t>(g, fp, "edges", H5::PredType::NATIVE_UINT8);
  r.check(f.converged.rows == f.measure.rows && f.converged.cols == f.measure.cols,
          fp + "/converged does not have the shape of measure");

  const H5::Group bc = r.group(g, fp, "boxcount");
  const std::string bp = fp + "/boxcount";
  r.dataset(bc, bp, "sizes", 1, H5::PredType::NATIVE_INT64, f.boxcount.sizes);
  r.dataset(bc, bp, "counts", 1, H5::PredType::NATIVE_INT64, f.boxcount.counts);
  r.dataset(bc, bp, "slopes", 1, H5::PredType::NATIVE_DOUBLE, f.boxcount.slopes);
  r.check(f.boxcount.counts.size() == f.boxcount.sizes.size() &&
              f.boxcount.slopes.size() == f.boxcount.sizes.size(),
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

  explicit Impl(const std::string& path)
      : w(path),
        file(guarded(path, "cannot create HDF5 file",
                     [&] { return H5::H5File(path, H5F_ACC_TRUNC); })),
        root(guarded(path, "opening /", [&] { return file.openGroup("/"); })) {}

  void flush() {
    guarded(w.file(), "flushing", [&] { file.flush(H5F_SCOPE_GLOBAL); });
  }
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
    s.w.attr_string(s.root, "/", "format", kFormat);
    s.w.attr_int64(s.root, "/", "format_version", kFormatVersion);
    s.w.attr_string(s.root, "/", "trainscape_version", kVersion);
    s.w.attr_string(s.root, "/", "git_describe", TRAINSCAPE_GIT_DESCRIBE);
    s.w.attr_double(s.root, "/", "dimension", std::numeric_limits<double>::quiet_NaN());
    s.w.attr_int64(s.root, "/", "frames_completed", 0);
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
}

void Hdf5RunStore::on_run_start(const RunConfig& config, const Problem& problem) {
  const ErrorScope scope;
  if (impl_->broken) throw_io(impl_->w.file(), "cannot write after an earlier write failed");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    const Writer& w = s.w;
    w.attr_string(s.root, "/", "config", to_yaml(config));
    w.attr_double(s.root, "/", "dimension", std::numeric_limits<double>::quiet_NaN());

    H5::Group g = w.group(s.root, "/", "problem");
    const std::string gp = "/problem";
    w.attr_string(g, gp, "nonlinearity", to_string(problem.nonlinearity));
    w.attr_int64(g, gp, "width", problem.width);
    w.attr_int64(g, gp, "depth", problem.depth);
    w.attr_int64(g, gp, "target_dim", problem.target_dim);
    w.attr_int64(g, gp, "n_data", problem.n_data());
    w.attr_int64(g, gp, "steps", problem.steps);
    w.attr_string(g, gp, "precision", to_string(problem.precision));
    w.attr_string(g, gp, "phase_space", to_string(problem.phase_space));
    w.attr_string(g, gp, "readout", to_string(problem.readout));
    w.matrix(g, gp, "X", problem.X);
    w.matrix(g, gp, "Y", problem.Y);
    w.matrix(g, gp, "probe", problem.probe);

    H5::Group wg = w.group(g, gp, "weights");
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
          throw_io(w.file(), "cannot write /problem/minibatch_indices: rows differ in length");
        }
        values.insert(values.end(), row.begin(), row.end());
      }
      w.dataset(g, gp, "minibatch_indices", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64,
                {static_cast<hsize_t>(steps), static_cast<hsize_t>(batch)}, values.data());
    }

    w.group(s.root, "/", "frames");
    s.started = true;
    s.flush();
  });
}

void Hdf5RunStore::on_frame_done(const FrameResult& frame) {
  const ErrorScope scope;
  if (impl_->broken) throw_io(impl_->w.file(), "cannot write after an earlier write failed");
  // A caller's mistake, not a failed write: the file stays usable.
  if (!impl_->started) throw_io(impl_->w.file(), "cannot write a frame before the run has started");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    const Writer& w = s.w;
    // Frame groups are named by the zero-padded index, which readers parse back.
    if (frame.index < 0) throw_io(w.file(), "cannot write frame " + std::to_string(frame.index));
    const std::string name = frame_name(frame.index);
    const std::string fp = "/frames/" + name;
    H5::Group frames = guarded(w.file(), "opening /frames", [&] { return s.root.openGroup("frames"); });
    H5::Group g = w.group(frames, "/frames", name);
    w.attr_double(g, fp, "x_min", frame.window.x_min());
    w.attr_double(g, fp, "x_max", frame.window.x_max());
    w.attr_double(g, fp, "y_min", frame.window.y_min());
    w.attr_double(g, fp, "y_max", frame.window.y_max());
    w.attr_double(g, fp, "centre_x", frame.window.centre_x);
    w.attr_double(g, fp, "centre_y", frame.window.centre_y);
    w.attr_double(g, fp, "half_x", frame.window.half_x);
    w.attr_double(g, fp, "half_y", frame.window.half_y);
    w.attr_int64(g, fp, "steps", frame.steps);
    w.attr_double(g, fp, "dimension", frame.dimension);
    w.attr_int64(g, fp, "edge_pixels", frame.edge_pixels);

    w.image(g, fp, "measure", frame.measure, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE);
    // For the interruption tests: a kill here leaves a frame half written into the file.
    s.flush();
    fault_point("hdf5");
    w.image(g, fp, "converged", frame.converged, H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8);
    w.image(g, fp, "edges", frame.edges, H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8);

    const BoxCount& b = frame.boxcount;
    H5::Group bc = w.group(g, fp, "boxcount");
    const std::string bp = fp + "/boxcount";
    w.dataset(bc, bp, "sizes", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64,
              {static_cast<hsize_t>(b.sizes.size())}, b.sizes.data());
    w.dataset(bc, bp, "counts", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64,
              {static_cast<hsize_t>(b.counts.size())}, b.counts.data());
    w.dataset(bc, bp, "slopes", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
              {static_cast<hsize_t>(b.slopes.size())}, b.slopes.data());

    write_frame_dimensions(s.root, frame.index, frame.robust, w.file());

    // Counted only once the frame is complete, then made durable: a killed run leaves a file whose
    // frames_completed matches the frames it holds.
    ++s.frames_completed;
    w.attr_int64(s.root, "/", "frames_completed", s.frames_completed);
    s.flush();
  });
}

void Hdf5RunStore::on_run_done(const ZoomSummary& summary) {
  const ErrorScope scope;
  if (impl_->broken) throw_io(impl_->w.file(), "cannot write after an earlier write failed");
  poison_on_failure(impl_->broken, [&] {
    Impl& s = *impl_;
    s.w.attr_double(s.root, "/", "dimension", summary.dimension);
    write_sequence_dimensions(s.root, summary.robust, s.w.file());
    s.flush();
  });
}

// ---- reading back ------------------------------------------------------------------------------

StoredRun read_run(const std::string& path) {
  const ErrorScope scope;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw_io(path, "no such file");
  if (std::filesystem::is_directory(status)) throw_io(path, "is a directory, not an HDF5 file");

  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) {
    throw_io(path, "cannot read: " + (t_last_reason.empty() ? "H5Fis_hdf5 failed" : t_last_reason));
  }
  if (is_hdf5 == 0) throw_io(path, "not an HDF5 file");

  const Reader r(path);
  const H5::H5File file =
      guarded(path, "cannot open HDF5 file", [&] { return H5::H5File(path, H5F_ACC_RDONLY); });
  const H5::Group root = guarded(path, "opening /", [&] { return file.openGroup("/"); });

  StoredRun run;
  if (!r.has_attr(root, "format")) {
    throw_io(path, std::string("not a trainscape run (format attribute missing, expected '") +
                       kFormat + "')");
  }
  if (r.attr_class(root, "format") != H5T_STRING) {
    throw_io(path, "not a trainscape run (format attribute is not a string)");
  }
  run.format = r.attr_string(root, "/", "format");
  if (run.format != kFormat) {
    throw_io(path, "not a trainscape run (format attribute is '" + run.format + "', expected '" +
                       kFormat + "')");
  }
  run.format_version = r.attr_int64(root, "/", "format_version");
  if (run.format_version != kFormatVersion) {
    throw_io(path, "unsupported trainscape-run format_version " +
                       std::to_string(run.format_version) + " (this build reads version " +
                       std::to_string(kFormatVersion) + ")");
  }
  run.trainscape_version = r.attr_string(root, "/", "trainscape_version");
  run.config_yaml = r.attr_string(root, "/", "config");
  run.dimension = r.attr_double(root, "/", "dimension");
  run.frames_completed = r.attr_int64(root, "/", "frames_completed");
  if (run.frames_completed < 0) {
    throw_io(path, "attribute frames_completed of / = " + std::to_string(run.frames_completed) + " is negative");
  }
  run.problem = read_problem(r, root);

  const H5::Group frames = r.group(root, "/", "frames");
  const std::vector<std::string> names = guarded(path, "listing /frames", [&] {
    std::vector<std::string> out;
    const hsize_t n = frames.getNumObjs();
    for (hsize_t i = 0; i < n; ++i) out.push_back(frames.getObjnameByIdx(i));
    return out;
  });
  for (const std::string& name : names) run.frames.push_back(read_frame(r, frames, name));
  // Names are zero-padded, so name order is index order up to 999999; sort to be sure beyond.
  std::stable_sort(run.frames.begin(), run.frames.end(),
                   [](const FrameResult& a, const FrameResult& b) { return a.index < b.index; });
  return run;
}

}  // namespace trainscape::io
