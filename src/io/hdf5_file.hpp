#pragma once
/// The one HDF5 layer under the run store (hdf5_store.cpp) and the dimension store
/// (dimension_store.cpp): opening files, error reporting, scalar attributes and datasets. Internal:
/// it exposes H5Cpp types, which the installed headers never do.
///
/// Errors. Every failure is an IoError on one line, "<file>: <what was being done>: <HDF5's
/// reason>", e.g. "run.h5: cannot open HDF5 file: H5Fopen failed: unable to open file (truncated
/// file: eof = 96, ...)". The C++ API's exceptions only name the C call that failed; the useful
/// reason lives on HDF5's error stack, which the next library call clears, so an ErrorScope
/// copies it at the moment of failure.
#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace trainscape::io::hdf5 {

/// Hold one for the duration of every public store or reader call (they nest). While it lives,
/// HDF5 prints nothing: a failure's reason is kept for guarded()'s message instead. std::cerr is
/// silenced too, because the C++ API's destructors of objects unwound after a failed write (a
/// full disk, a file-size limit) print their own close failures there ("DataSet::~DataSet -
/// H5Dclose failed"), which would break the one-line error already on its way. Both are restored
/// when the scope ends: HDF5 elsewhere in the process (a caller's own code, tests) prints as it
/// would without trainscape.
class ErrorScope {
 public:
  ErrorScope();
  ~ErrorScope();
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;

 private:
  H5E_auto2_t previous_handler_ = nullptr;
  void* previous_data_ = nullptr;
  std::streambuf* previous_cerr_ = nullptr;
};

/// Throws IoError "<file>: <what>" (made one line).
[[noreturn]] void fail(const std::string& file, const std::string& what);

/// HDF5's reason for `e`: the exception's text plus the error stack captured by the ErrorScope.
std::string reason(const H5::Exception& e);

/// Runs `f`, turning an H5::Exception into IoError "<file>: <doing>: <reason>".
template <class F>
auto guarded(const std::string& file, const std::string& doing, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    fail(file, doing + ": " + reason(e));
  }
}

/// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b": object paths for messages.
std::string child_path(const std::string& parent, const std::string& name);
/// "000042": frame groups (/frames/NNNNNN, /dimension/frames/NNNNNN) are named by the index.
std::string frame_name(int index);
/// True if `name` is a frame group's name (digits only, at most 9 of them, so it fits an int).
bool is_frame_name(const std::string& name);

/// The HDF5 types of the element types stored in run files: the file's (little-endian, fixed
/// size, as h5py and numpy read them) and the memory's.
template <class T>
struct Types;
template <>
struct Types<double> {
  static const H5::PredType& file() { return H5::PredType::IEEE_F64LE; }
  static const H5::PredType& memory() { return H5::PredType::NATIVE_DOUBLE; }
};
template <>
struct Types<std::int64_t> {
  static const H5::PredType& file() { return H5::PredType::STD_I64LE; }
  static const H5::PredType& memory() { return H5::PredType::NATIVE_INT64; }
};
template <>
struct Types<std::uint8_t> {
  static const H5::PredType& file() { return H5::PredType::STD_U8LE; }
  static const H5::PredType& memory() { return H5::PredType::NATIVE_UINT8; }
};

/// One HDF5 file's objects, read and written with `file` (its path) named in every error. Object
/// paths (`obj_path`, `parent_path`) are only for messages. All calls need an ErrorScope.
class Objects {
 public:
  explicit Objects(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // ---- files and groups ----

  /// Creates (truncates) the file.
  H5::H5File create_file() const;
  /// Opens an existing HDF5 file, read-only or for writing, after checking that it is one:
  /// "no such file", "is a directory, not an HDF5 file", "not an HDF5 file", "cannot open HDF5
  /// file: <reason>".
  H5::H5File open_file(bool writable) const;
  H5::Group root(const H5::H5File& f) const;

  bool exists(const H5::Group& parent, const std::string& name) const;
  /// A new group; fails if `name` exists.
  H5::Group create_group(H5::Group& parent, const std::string& parent_path, const std::string& name) const;
  /// The group `name`, created if absent.
  H5::Group open_or_create_group(H5::Group& parent, const std::string& parent_path, const std::string& name) const;
  /// A new, empty group `name`, replacing (unlinking) any object of that name.
  H5::Group replace_group(H5::Group& parent, const std::string& parent_path, const std::string& name) const;
  /// The existing group `name`; "missing group <path>" if absent.
  H5::Group open_group(const H5::Group& parent, const std::string& parent_path, const std::string& name) const;
  /// Names of `group`'s members, in HDF5's (name) order.
  std::vector<std::string> member_names(const H5::Group& group, const std::string& path) const;
  /// Unlinks `name` from `parent` if it exists.
  void remove(H5::Group& parent, const std::string& parent_path, const std::string& name) const;
  void flush(H5::H5File& f) const;

  // ---- scalar attributes: created if absent, rewritten in place if present ----

  /// Variable-length UTF-8 (h5py reads it as str; fixed-length or ASCII come back as bytes).
  void write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                       const std::string& value) const;
  void write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                       std::int64_t value) const;
  void write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name, double value) const;

  bool has_attribute(const H5::H5Object& obj, const std::string& name) const;
  /// The type class of an existing attribute (to tell "not a string" from "missing").
  H5T_class_t attribute_class(const H5::H5Object& obj, const std::string& name) const;
  /// Reads a scalar attribute of the matching type class. Fails with "<obj_path>: missing
  /// attribute <name>", "attribute <name> of <obj_path> is not a scalar" / "... is not a string"
  /// / "is not an integer" / "is not a float". Strings may be variable or fixed length.
  std::string read_string(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const;
  std::int64_t read_int64(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const;
  /// read_int64, failing with "... = <v> is out of range" unless it fits an int.
  int read_int(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const;
  double read_double(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const;

  // ---- datasets (row-major, the last dimension contiguous, as numpy) ----

  /// Writes `data` (product of `dims` elements) as dataset `name`. Datasets above 64 KiB are
  /// chunked (~512 KiB chunks) and deflated, byte-shuffled first unless 1-byte; small ones stay
  /// contiguous, where chunk overhead would outweigh any saving.
  template <class T>
  void write_dataset(H5::Group& parent, const std::string& parent_path, const std::string& name,
                     const std::vector<hsize_t>& dims, const T* data) const {
    write_dataset(parent, parent_path, name, Types<T>::file(), Types<T>::memory(), dims, data);
  }
  /// Reads dataset `name` of rank `rank` into `out` (converted to T) and returns its dimensions.
  /// Fails with "missing dataset <path>", "dataset <path> has rank r, expected n", and refuses,
  /// before allocating, a shape too large for this machine's memory (memory_limit_bytes: a
  /// small tampered file can declare terabytes).
  template <class T>
  std::vector<hsize_t> read_dataset(const H5::Group& parent, const std::string& parent_path, const std::string& name,
                                    int rank, std::vector<T>& out) const {
    std::vector<hsize_t> dims = open_dataset_shape(parent, parent_path, name, rank, sizeof(T));
    hsize_t count = 1;
    for (hsize_t d : dims) count *= d;
    out.assign(static_cast<std::size_t>(count), T{});
    if (count > 0) read_all(parent, parent_path, name, Types<T>::memory(), out.data());
    return dims;
  }

 private:
  void write_dataset(H5::Group& parent, const std::string& parent_path, const std::string& name,
                     const H5::PredType& file_type, const H5::PredType& memory_type, const std::vector<hsize_t>& dims,
                     const void* data) const;
  std::vector<hsize_t> open_dataset_shape(const H5::Group& parent, const std::string& parent_path,
                                          const std::string& name, int rank, std::size_t element_size) const;
  void read_all(const H5::Group& parent, const std::string& parent_path, const std::string& name,
                const H5::PredType& memory_type, void* out) const;
  H5::Attribute open_scalar_attribute(const H5::H5Object& obj, const std::string& obj_path,
                                      const std::string& name) const;

  std::string file_;
};

}  // namespace trainscape::io::hdf5
