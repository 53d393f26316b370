#include "hdf5_file.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <numeric>
#include <system_error>

#include "trainscape/error.hpp"
#include "trainscape/io/machine.hpp"

namespace trainscape::io::hdf5 {

// ---- errors ------------------------------------------------------------------------------------------

namespace {

// HDF5's error stack and its automatic handler are per thread in this (thread-safe) build; all
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

/// The automatic error handler while an ErrorScope lives: keeps the stack's text instead of
/// printing it.
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

}  // namespace

ErrorScope::ErrorScope() {
  // Before the library's first use: HDF5 must not close files from an atexit handler, since a
  // file whose write failed crashes H5Fclose (HDF5 1.10); see Hdf5RunStore's destructor.
  static const bool no_atexit = (H5dont_atexit(), true);
  (void)no_atexit;
  H5Eget_auto2(H5E_DEFAULT, &previous_handler_, &previous_data_);
  H5Eset_auto2(H5E_DEFAULT, capture_error_stack, nullptr);
  previous_cerr_ = std::cerr.rdbuf(nullptr);
  t_last_reason.clear();
}

ErrorScope::~ErrorScope() {
  std::cerr.rdbuf(previous_cerr_);
  H5Eset_auto2(H5E_DEFAULT, previous_handler_, previous_data_);
}

void fail(const std::string& file, const std::string& what) { throw errors::in_file(file, what); }

std::string reason(const H5::Exception& e) {
  std::string detail = e.getDetailMsg();
  if (detail.empty()) detail = e.getFuncName();
  if (!t_last_reason.empty()) {
    detail += detail.empty() ? t_last_reason : ": " + t_last_reason;
    t_last_reason.clear();
  }
  return detail.empty() ? "unknown HDF5 error" : detail;
}

// ---- names -------------------------------------------------------------------------------------------

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

std::string frame_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d", index);
  return buf;
}

bool is_frame_name(const std::string& name) {
  return !name.empty() && name.size() <= 9 &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- files and groups --------------------------------------------------------------------------------

H5::H5File Objects::create_file() const {
  return guarded(file_, "cannot create HDF5 file", [&] { return H5::H5File(file_, H5F_ACC_TRUNC); });
}

H5::H5File Objects::open_file(bool writable) const {
  std::error_code ec;
  const auto status = std::filesystem::status(file_, ec);
  if (!std::filesystem::exists(status)) throw errors::no_such_file(file_);
  if (std::filesystem::is_directory(status)) throw errors::is_a_directory(file_, "an HDF5 file");
  const htri_t is_hdf5 = H5Fis_hdf5(file_.c_str());
  if (is_hdf5 < 0) {
    throw errors::cannot_read(file_, t_last_reason.empty() ? "H5Fis_hdf5 failed" : t_last_reason);
  }
  if (is_hdf5 == 0) fail(file_, "not an HDF5 file");
  return guarded(file_, "cannot open HDF5 file",
                 [&] { return H5::H5File(file_, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY); });
}

H5::Group Objects::root(const H5::H5File& f) const {
  return guarded(file_, "opening /", [&] { return f.openGroup("/"); });
}

bool Objects::exists(const H5::Group& parent, const std::string& name) const {
  return guarded(file_, "looking up " + name, [&] { return H5Lexists(parent.getId(), name.c_str(), H5P_DEFAULT) > 0; });
}

H5::Group Objects::create_group(H5::Group& parent, const std::string& parent_path, const std::string& name) const {
  return guarded(file_, "creating group " + child_path(parent_path, name), [&] { return parent.createGroup(name); });
}

H5::Group Objects::open_or_create_group(H5::Group& parent, const std::string& parent_path,
                                        const std::string& name) const {
  return exists(parent, name) ? open_group(parent, parent_path, name) : create_group(parent, parent_path, name);
}

H5::Group Objects::replace_group(H5::Group& parent, const std::string& parent_path, const std::string& name) const {
  remove(parent, parent_path, name);
  return create_group(parent, parent_path, name);
}

H5::Group Objects::open_group(const H5::Group& parent, const std::string& parent_path, const std::string& name) const {
  const std::string path = child_path(parent_path, name);
  if (!exists(parent, name)) fail(file_, "missing group " + path);
  return guarded(file_, "opening group " + path, [&] { return parent.openGroup(name); });
}

std::vector<std::string> Objects::member_names(const H5::Group& group, const std::string& path) const {
  return guarded(file_, "listing " + path, [&] {
    std::vector<std::string> names;
    const hsize_t n = group.getNumObjs();
    for (hsize_t i = 0; i < n; ++i) names.push_back(group.getObjnameByIdx(i));
    return names;
  });
}

void Objects::remove(H5::Group& parent, const std::string& parent_path, const std::string& name) const {
  if (!exists(parent, name)) return;
  guarded(file_, "removing " + child_path(parent_path, name), [&] { parent.unlink(name); });
}

void Objects::flush(H5::H5File& f) const {
  guarded(file_, "flushing", [&] { f.flush(H5F_SCOPE_GLOBAL); });
}

// ---- attributes --------------------------------------------------------------------------------------

namespace {

H5::StrType utf8_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

/// Attribute `name` of `obj`, created (scalar) if absent, so that attributes such as
/// frames_completed can be rewritten in place.
H5::Attribute scalar_attribute(H5::H5Object& obj, const std::string& name, const H5::DataType& file_type) {
  if (obj.attrExists(name)) return obj.openAttribute(name);
  return obj.createAttribute(name, file_type, H5::DataSpace(H5S_SCALAR));
}

std::string writing(const std::string& name, const std::string& obj_path) {
  return "writing attribute " + name + " of " + obj_path;
}
std::string reading(const std::string& name, const std::string& obj_path) {
  return "reading attribute " + name + " of " + obj_path;
}

}  // namespace

void Objects::write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                              const std::string& value) const {
  guarded(file_, writing(name, obj_path), [&] {
    const H5::StrType type = utf8_string_type();
    H5::Attribute attr = scalar_attribute(obj, name, type);
    const char* p = value.c_str();
    attr.write(type, &p);
  });
}

void Objects::write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                              std::int64_t value) const {
  guarded(file_, writing(name, obj_path), [&] {
    H5::Attribute attr = scalar_attribute(obj, name, Types<std::int64_t>::file());
    attr.write(Types<std::int64_t>::memory(), &value);
  });
}

void Objects::write_attribute(H5::H5Object& obj, const std::string& obj_path, const std::string& name,
                              double value) const {
  guarded(file_, writing(name, obj_path), [&] {
    H5::Attribute attr = scalar_attribute(obj, name, Types<double>::file());
    attr.write(Types<double>::memory(), &value);
  });
}

bool Objects::has_attribute(const H5::H5Object& obj, const std::string& name) const {
  return guarded(file_, "looking up attribute " + name, [&] { return obj.attrExists(name); });
}

H5T_class_t Objects::attribute_class(const H5::H5Object& obj, const std::string& name) const {
  return guarded(file_, "reading attribute " + name, [&] { return obj.openAttribute(name).getTypeClass(); });
}

H5::Attribute Objects::open_scalar_attribute(const H5::H5Object& obj, const std::string& obj_path,
                                             const std::string& name) const {
  if (!has_attribute(obj, name)) fail(file_, obj_path + ": missing attribute " + name);
  return guarded(file_, reading(name, obj_path), [&] {
    H5::Attribute attr = obj.openAttribute(name);
    if (attr.getSpace().getSimpleExtentNpoints() != 1) {
      fail(file_, "attribute " + name + " of " + obj_path + " is not a scalar");
    }
    return attr;
  });
}

std::string Objects::read_string(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const {
  H5::Attribute attr = open_scalar_attribute(obj, obj_path, name);
  return guarded(file_, reading(name, obj_path), [&] {
    if (attr.getTypeClass() != H5T_STRING) fail(file_, "attribute " + name + " of " + obj_path + " is not a string");
    // Read with the file's own string type so no character-set conversion is attempted; accept
    // fixed-length strings too (other writers may use them).
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

std::int64_t Objects::read_int64(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const {
  H5::Attribute attr = open_scalar_attribute(obj, obj_path, name);
  return guarded(file_, reading(name, obj_path), [&] {
    if (attr.getTypeClass() != H5T_INTEGER) fail(file_, "attribute " + name + " of " + obj_path + " is not an integer");
    std::int64_t v = 0;
    attr.read(Types<std::int64_t>::memory(), &v);
    return v;
  });
}

int Objects::read_int(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const {
  const std::int64_t v = read_int64(obj, obj_path, name);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    fail(file_, "attribute " + name + " of " + obj_path + " = " + std::to_string(v) + " is out of range");
  }
  return static_cast<int>(v);
}

double Objects::read_double(const H5::H5Object& obj, const std::string& obj_path, const std::string& name) const {
  H5::Attribute attr = open_scalar_attribute(obj, obj_path, name);
  return guarded(file_, reading(name, obj_path), [&] {
    if (attr.getTypeClass() != H5T_FLOAT) fail(file_, "attribute " + name + " of " + obj_path + " is not a float");
    double v = 0.0;
    attr.read(Types<double>::memory(), &v);
    return v;
  });
}

// ---- datasets ----------------------------------------------------------------------------------------

namespace {

// Datasets above this size are chunked and deflated; small ones stay contiguous.
constexpr hsize_t kCompressAbove = 64 * 1024;
// Aim for chunks of about this many bytes: large enough for deflate to work well, small enough
// that reading one row of a big frame does not decompress the whole frame.
constexpr hsize_t kChunkTarget = 512 * 1024;
constexpr unsigned kDeflateLevel = 4;

}  // namespace

void Objects::write_dataset(H5::Group& parent, const std::string& parent_path, const std::string& name,
                            const H5::PredType& file_type, const H5::PredType& memory_type,
                            const std::vector<hsize_t>& dims, const void* data) const {
  guarded(file_, "writing dataset " + child_path(parent_path, name), [&] {
    const std::size_t elem = file_type.getSize();
    hsize_t count = 1;
    for (hsize_t d : dims) count *= d;
    H5::DSetCreatPropList props;
    if (count * elem > kCompressAbove) {
      std::vector<hsize_t> chunk(dims.size(), 1);
      // Fill the last (contiguous) dimension up to 256 elements (all of it for 1-D), then add
      // rows until the chunk reaches the target size.
      hsize_t bytes = elem;
      for (std::size_t i = dims.size(); i-- > 0;) {
        const hsize_t want = i + 1 == dims.size() && dims.size() > 1 ? std::min<hsize_t>(dims[i], 256)
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
    if (count > 0) ds.write(data, memory_type);  // an empty buffer may be null: nothing to write
  });
}

std::vector<hsize_t> Objects::open_dataset_shape(const H5::Group& parent, const std::string& parent_path,
                                                 const std::string& name, int rank, std::size_t element_size) const {
  const std::string path = child_path(parent_path, name);
  if (!exists(parent, name)) fail(file_, "missing dataset " + path);
  const std::vector<hsize_t> dims = guarded(file_, "reading dataset " + path, [&] {
    const H5::DataSpace space = parent.openDataSet(name).getSpace();
    if (space.getSimpleExtentNdims() != rank) {
      fail(file_, "dataset " + path + " has rank " + std::to_string(space.getSimpleExtentNdims()) + ", expected " +
                      std::to_string(rank));
    }
    std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
    space.getSimpleExtentDims(shape.data());
    return shape;
  });
  // The shape comes from the file: refuse one that would not fit in memory before allocating.
  const double bytes = std::accumulate(dims.begin(), dims.end(), static_cast<double>(element_size),
                                       [](double a, hsize_t d) { return a * static_cast<double>(d); });
  std::string shape;
  for (hsize_t d : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
  refuse_if_exceeds_memory<IoError>(bytes, file_ + ": dataset " + path + " of " + shape + " values", "to read");
  return dims;
}

void Objects::read_all(const H5::Group& parent, const std::string& parent_path, const std::string& name,
                       const H5::PredType& memory_type, void* out) const {
  guarded(file_, "reading dataset " + child_path(parent_path, name),
          [&] { parent.openDataSet(name).read(out, memory_type); });
}

}  // namespace trainscape::io::hdf5
