// Tests of the run.h5 store: exact round trip through read_run, the on-disk layout as other
// readers (h5py) see it, partial files from unfinished runs, and the errors of read_run.
#include <H5Cpp.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "trainscape/config.hpp"
#include "trainscape/error.hpp"
#include "trainscape/dimension/estimate.hpp"
#include "trainscape/io/dimension_store.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/version.hpp"
#include "trainscape/zoom.hpp"

namespace {

namespace fs = std::filesystem;
using trainscape::BoxCount;
using trainscape::FrameResult;
using trainscape::Image;
using trainscape::IoError;
using trainscape::Problem;
using trainscape::RunConfig;
using trainscape::Window;
using trainscape::ZoomSummary;
using trainscape::io::Hdf5RunStore;
using trainscape::io::read_run;
using trainscape::io::StoredRun;

/// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/trainscape_hdf5_XXXXXX";
    const char* made = mkdtemp(templ);
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::uint64_t bits(double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Doubles are compared bit for bit: NaN payloads, -0.0 and infinities must survive storage.
bool same_bits(double a, double b) { return bits(a) == bits(b); }

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index r = 0; r < a.rows(); ++r) {
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      if (!same_bits(a(r, c), b(r, c))) return false;
    }
  }
  return true;
}

const char* const kYaml = R"(model: {width: 4, depth: 3, nonlinearity: relu, target_dim: 2}
data: {seed: 7}
training: {steps: 5, batch: 3}
render: {resolution: 16}
zoom: {frames: 2}
)";

RunConfig small_config() { return trainscape::load_config(kYaml, "test.yaml"); }

/// A hand-made frame with distinctive values; `variant` changes every number.
FrameResult synthetic_frame(int index, int rows, int cols, int variant) {
  FrameResult f;
  f.index = index;
  f.steps = 5 + variant;
  if (variant == 0) {
    f.window = Window{1.5, -0.25, 4.5, 4.25};
  } else {
    f.window = Window{0.1234567890123456789, -2.718281828459045, 1.0 / 3.0e7, 7.0e-9};
  }
  f.measure = Image<double>(rows, cols);
  f.converged = Image<std::uint8_t>(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double v = (r - rows / 2.0 + 0.5) * 0.1 + c * 1.0e-3 + variant * 1.0e-5;
      f.measure(r, c) = v;
      f.converged(r, c) = v > 0 ? 1 : 0;
    }
  }
  // Special values, which must come back bit for bit.
  f.measure(0, 0) = -0.0;
  f.measure(0, 1) = std::numeric_limits<double>::denorm_min();
  f.measure(1, 0) = std::numeric_limits<double>::quiet_NaN();
  f.measure(rows - 1, cols - 1) = -std::numeric_limits<double>::infinity();
  f.measure(rows - 1, 0) = 1.0e300;
  f.edges = Image<std::uint8_t>(rows - 1, cols - 1);
  for (int r = 0; r + 1 < rows; ++r) {
    for (int c = 0; c + 1 < cols; ++c) {
      if ((r + 2 * c + variant) % 3 == 0) {
        f.edges(r, c) = 1;
        ++f.edge_pixels;
      }
    }
  }
  f.boxcount.sizes = {1, 2, 4, 8};
  f.boxcount.counts = {120 + variant, 40, 12, 4};
  f.boxcount.slopes = {1.5849625007211563, 1.2 + variant, -std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::quiet_NaN()};
  f.dimension = variant == 0 ? 1.375 : std::numeric_limits<double>::quiet_NaN();
  return f;
}

ZoomSummary summary_of(const std::vector<FrameResult>& frames, double dimension) {
  ZoomSummary s;
  for (const auto& f : frames) {
    s.windows.push_back(f.window);
    s.frame_dimensions.push_back(f.dimension);
    s.frame_edge_pixels.push_back(f.edge_pixels);
  }
  s.dimension = dimension;
  return s;
}

/// A value as text, for comparing whole field tables: enums by name, doubles by their bits.
template <class T>
std::string field_text(const T& v) {
  if constexpr (std::is_enum_v<T>) {
    return to_string(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return std::to_string(bits(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "'" + v + "'";
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    std::string out = "[";
    for (double x : v) out += std::to_string(bits(x)) + " ";
    return out + "]";
  } else {
    return std::to_string(v);
  }
}

/// (name, value) of every Problem setting (visit_settings).
std::vector<std::pair<std::string, std::string>> settings_of(const Problem& p) {
  std::vector<std::pair<std::string, std::string>> out;
  trainscape::visit_settings(p, [&](const char* name, const auto& v) { out.emplace_back(name, field_text(v)); });
  return out;
}

/// (name, value) of every field of an estimate (visit_fields).
std::vector<std::pair<std::string, std::string>> fields_of(const trainscape::DimensionEstimate& e) {
  std::vector<std::pair<std::string, std::string>> out;
  trainscape::visit_fields(e, [&](const char* name, const auto& v) { out.emplace_back(name, field_text(v)); });
  return out;
}

void check_problem(const Problem& got, const Problem& want) {
  CHECK(settings_of(got) == settings_of(want));
  CHECK(got.n_data() == want.n_data());
  CHECK(same_bits(got.X, want.X));
  CHECK(same_bits(got.Y, want.Y));
  REQUIRE(got.weights.size() == want.weights.size());
  for (std::size_t l = 0; l < want.weights.size(); ++l) {
    INFO("weights " << l);
    CHECK(same_bits(got.weights[l], want.weights[l]));
  }
  CHECK(got.minibatches == want.minibatches);
}

void check_frame(const FrameResult& got, const FrameResult& want) {
  INFO("frame " << want.index);
  CHECK(got.index == want.index);
  CHECK(same_bits(got.window.centre_x, want.window.centre_x));
  CHECK(same_bits(got.window.centre_y, want.window.centre_y));
  CHECK(same_bits(got.window.half_x, want.window.half_x));
  CHECK(same_bits(got.window.half_y, want.window.half_y));
  CHECK(got.steps == want.steps);
  CHECK(got.measure.rows == want.measure.rows);
  CHECK(got.measure.cols == want.measure.cols);
  CHECK(same_bits(got.measure.data, want.measure.data));
  CHECK(got.converged == want.converged);
  CHECK(got.edges == want.edges);
  CHECK(got.boxcount.sizes == want.boxcount.sizes);
  CHECK(got.boxcount.counts == want.boxcount.counts);
  CHECK(same_bits(got.boxcount.slopes, want.boxcount.slopes));
  CHECK(same_bits(got.dimension, want.dimension));
  CHECK(got.edge_pixels == want.edge_pixels);
}

/// Writes the whole two-frame run to `path`.
void write_full_run(const std::string& path, const RunConfig& config, const Problem& problem,
                    const std::vector<FrameResult>& frames, double dimension) {
  Hdf5RunStore store(path);
  store.on_run_start(config, problem);
  for (const auto& f : frames) store.on_frame_done(f);
  store.on_run_done(summary_of(frames, dimension));
}

// ---- direct HDF5 access, as an outside reader would have ----

std::vector<hsize_t> dims_of(const H5::H5File& file, const std::string& path) {
  const H5::DataSpace space = file.openDataSet(path).getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  return dims;
}

std::vector<double> raw_doubles(const H5::H5File& file, const std::string& path) {
  const H5::DataSet ds = file.openDataSet(path);
  std::vector<double> v(static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints()));
  ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

/// A string attribute must be a scalar, variable-length, UTF-8 string (h5py then gives str).
std::string vlen_utf8_attr(const H5::H5Object& obj, const std::string& name) {
  const H5::Attribute attr = obj.openAttribute(name);
  CHECK(attr.getSpace().getSimpleExtentType() == H5S_SCALAR);
  REQUIRE(attr.getTypeClass() == H5T_STRING);
  const H5::StrType type = attr.getStrType();
  CHECK(type.isVariableStr());
  CHECK(type.getCset() == H5T_CSET_UTF8);
  std::string value;
  attr.read(type, value);
  return value;
}

template <class T>
T scalar_attr(const H5::H5Object& obj, const std::string& name, const H5::PredType& mem, H5T_class_t expected_class) {
  const H5::Attribute attr = obj.openAttribute(name);
  CHECK(attr.getSpace().getSimpleExtentType() == H5S_SCALAR);
  CHECK(attr.getTypeClass() == expected_class);
  CHECK(attr.getDataType().getSize() == 8);
  T v{};
  attr.read(mem, &v);
  return v;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

TEST_CASE("hdf5 store: a run reads back exactly", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = small_config();
  const Problem problem = trainscape::make_problem(config);
  REQUIRE(problem.minibatches.size() == 5);  // batch 3 < N, so indices exist and are stored
  REQUIRE(problem.minibatches.front().size() == 3);
  const std::vector<FrameResult> frames = {synthetic_frame(0, 16, 16, 0), synthetic_frame(1, 16, 16, 1)};
  write_full_run(path, config, problem, frames, 1.25);

  const StoredRun run = read_run(path);
  CHECK(run.format == "trainscape-run");
  CHECK(run.format_version == 1);
  CHECK(run.trainscape_version == trainscape::kVersion);
  CHECK(run.config_yaml == trainscape::to_yaml(config));
  CHECK(same_bits(run.dimension, 1.25));
  CHECK(run.frames_completed == 2);
  check_problem(run.problem, problem);
  REQUIRE(run.frames.size() == 2);
  check_frame(run.frames[0], frames[0]);
  check_frame(run.frames[1], frames[1]);

  // The stored config is the resolved one: it loads back to the same configuration.
  CHECK(trainscape::to_yaml(trainscape::load_config(run.config_yaml, "run.h5")) == run.config_yaml);
}

TEST_CASE("hdf5 store: layout matches the documented contract", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = small_config();
  const Problem problem = trainscape::make_problem(config);
  const std::vector<FrameResult> frames = {synthetic_frame(0, 16, 16, 0), synthetic_frame(1, 16, 16, 1)};
  write_full_run(path, config, problem, frames, 1.25);

  H5::Exception::dontPrint();
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group root = file.openGroup("/");
  CHECK(vlen_utf8_attr(root, "format") == "trainscape-run");
  CHECK(scalar_attr<std::int64_t>(root, "format_version", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 1);
  CHECK(vlen_utf8_attr(root, "trainscape_version") == trainscape::kVersion);
  CHECK_FALSE(vlen_utf8_attr(root, "git_describe").empty());
  CHECK(vlen_utf8_attr(root, "config") == trainscape::to_yaml(config));
  CHECK(scalar_attr<double>(root, "dimension", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == 1.25);
  CHECK(scalar_attr<std::int64_t>(root, "frames_completed", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 2);

  const H5::Group pg = file.openGroup("/problem");
  CHECK(vlen_utf8_attr(pg, "nonlinearity") == "relu");
  CHECK(vlen_utf8_attr(pg, "precision") == "float64");
  CHECK(scalar_attr<std::int64_t>(pg, "width", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 4);
  CHECK(scalar_attr<std::int64_t>(pg, "depth", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 3);
  CHECK(scalar_attr<std::int64_t>(pg, "target_dim", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 2);
  CHECK(scalar_attr<std::int64_t>(pg, "n_data", H5::PredType::NATIVE_INT64, H5T_INTEGER) == problem.n_data());
  CHECK(scalar_attr<std::int64_t>(pg, "steps", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 5);

  const auto n = static_cast<hsize_t>(problem.n_data());
  CHECK(dims_of(file, "/problem/X") == std::vector<hsize_t>{n, 4});
  CHECK(dims_of(file, "/problem/Y") == std::vector<hsize_t>{n, 2});
  CHECK(dims_of(file, "/problem/weights/0") == std::vector<hsize_t>{4, 4});
  CHECK(dims_of(file, "/problem/weights/1") == std::vector<hsize_t>{4, 4});
  CHECK(dims_of(file, "/problem/weights/2") == std::vector<hsize_t>{4, 2});
  CHECK_FALSE(file.nameExists("/problem/weights/3"));
  CHECK(dims_of(file, "/problem/minibatch_indices") == std::vector<hsize_t>{5, 3});
  CHECK(file.openDataSet("/problem/minibatch_indices").getDataType().getSize() == 8);

  // Row-major on disk: element (r, c) at r * cols + c. A transposed writer and a transposed
  // reader would round-trip fine, so check the raw file order against the Eigen matrices.
  const std::vector<double> x = raw_doubles(file, "/problem/X");
  const std::vector<double> w2 = raw_doubles(file, "/problem/weights/2");
  bool x_row_major = true;
  for (Eigen::Index r = 0; r < problem.X.rows(); ++r) {
    for (Eigen::Index c = 0; c < problem.X.cols(); ++c) {
      x_row_major = x_row_major && same_bits(x[static_cast<std::size_t>(r * 4 + c)], problem.X(r, c));
    }
  }
  CHECK(x_row_major);
  bool w_row_major = true;
  for (Eigen::Index r = 0; r < 4; ++r) {
    for (Eigen::Index c = 0; c < 2; ++c) {
      w_row_major = w_row_major && same_bits(w2[static_cast<std::size_t>(r * 2 + c)], problem.weights[2](r, c));
    }
  }
  CHECK(w_row_major);
  {
    std::vector<std::int64_t> mb(15);
    file.openDataSet("/problem/minibatch_indices").read(mb.data(), H5::PredType::NATIVE_INT64);
    CHECK(mb[1 * 3 + 2] == problem.minibatches[1][2]);
    CHECK(mb[4 * 3 + 0] == problem.minibatches[4][0]);
  }

  const H5::Group f1 = file.openGroup("/frames/000001");
  CHECK(file.nameExists("/frames/000000"));
  const Window& w = frames[1].window;
  CHECK(scalar_attr<double>(f1, "x_min", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == w.x_min());
  CHECK(scalar_attr<double>(f1, "x_max", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == w.x_max());
  CHECK(scalar_attr<double>(f1, "y_min", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == w.y_min());
  CHECK(scalar_attr<double>(f1, "y_max", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == w.y_max());
  CHECK(scalar_attr<double>(f1, "centre_x", H5::PredType::NATIVE_DOUBLE, H5T_FLOAT) == w.centre_x);
  CHECK(scalar_attr<std::int64_t>(f1, "steps", H5::PredType::NATIVE_INT64, H5T_INTEGER) == 6);
  CHECK(scalar_attr<std::int64_t>(f1, "edge_pixels", H5::PredType::NATIVE_INT64, H5T_INTEGER) == frames[1].edge_pixels);
  CHECK(dims_of(file, "/frames/000001/measure") == std::vector<hsize_t>{16, 16});
  CHECK(dims_of(file, "/frames/000001/converged") == std::vector<hsize_t>{16, 16});
  CHECK(dims_of(file, "/frames/000001/edges") == std::vector<hsize_t>{15, 15});
  CHECK(dims_of(file, "/frames/000001/boxcount/sizes") == std::vector<hsize_t>{4});
  CHECK(dims_of(file, "/frames/000001/boxcount/counts") == std::vector<hsize_t>{4});
  CHECK(dims_of(file, "/frames/000001/boxcount/slopes") == std::vector<hsize_t>{4});
  CHECK(file.openDataSet("/frames/000001/converged").getDataType().getSize() == 1);
  CHECK(file.openDataSet("/frames/000001/boxcount/sizes").getTypeClass() == H5T_INTEGER);
  CHECK(file.openDataSet("/frames/000001/measure").getTypeClass() == H5T_FLOAT);
  // Row 0 is y_min: the first stored row is the frame's row 0.
  const std::vector<double> m = raw_doubles(file, "/frames/000001/measure");
  CHECK(same_bits(m[16 * 15 + 3], frames[1].measure(15, 3)));
  CHECK(same_bits(m[2 * 16 + 9], frames[1].measure(2, 9)));
  // Small frames stay contiguous (no chunking overhead).
  CHECK(file.openDataSet("/frames/000001/measure").getCreatePlist().getLayout() == H5D_CONTIGUOUS);
}

TEST_CASE("hdf5 store: large frames are chunked, compressed and exact", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = small_config();
  const Problem problem = trainscape::make_problem(config);
  // 300 x 200 doubles = 480 KB, above the compression threshold; not a multiple of the chunk.
  const std::vector<FrameResult> frames = {synthetic_frame(0, 300, 200, 0), synthetic_frame(3, 300, 200, 1)};
  write_full_run(path, config, problem, frames, -0.5);

  const StoredRun run = read_run(path);
  REQUIRE(run.frames.size() == 2);
  check_frame(run.frames[0], frames[0]);
  check_frame(run.frames[1], frames[1]);
  CHECK(run.frames[1].index == 3);
  CHECK(same_bits(run.dimension, -0.5));

  H5::Exception::dontPrint();
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::DSetCreatPropList props = file.openDataSet("/frames/000003/measure").getCreatePlist();
  CHECK(props.getLayout() == H5D_CHUNKED);
  bool has_deflate = false;
  for (int i = 0; i < props.getNfilters(); ++i) {
    unsigned flags = 0;
    std::size_t n_values = 0;
    char name[64];
    unsigned config_flags = 0;
    if (props.getFilter(i, flags, n_values, nullptr, sizeof name, name, config_flags) == H5Z_FILTER_DEFLATE) {
      has_deflate = true;
    }
  }
  CHECK(has_deflate);
  // The compressed file is smaller than the raw measures alone would be.
  CHECK(fs::file_size(path) < 2 * 300 * 200 * sizeof(double));
}

TEST_CASE("hdf5 store: a run in progress is readable after every frame", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = small_config();
  const Problem problem = trainscape::make_problem(config);
  const FrameResult frame = synthetic_frame(0, 16, 16, 0);

  SECTION("while the store is still open") {
    Hdf5RunStore store(path);
    store.on_run_start(config, problem);
    store.on_frame_done(frame);
    const StoredRun run = read_run(path);
    CHECK(std::isnan(run.dimension));
    CHECK(run.frames_completed == 1);
    REQUIRE(run.frames.size() == 1);
    check_frame(run.frames[0], frame);
    check_problem(run.problem, problem);
  }

  SECTION("after the store is destroyed without on_run_done") {
    {
      Hdf5RunStore store(path);
      store.on_run_start(config, problem);
      store.on_frame_done(frame);
    }
    const StoredRun run = read_run(path);
    CHECK(std::isnan(run.dimension));
    CHECK(run.frames_completed == 1);
    REQUIRE(run.frames.size() == 1);
    check_frame(run.frames[0], frame);
  }

  SECTION("after the process is killed without closing the file") {
    // The child exits with _Exit: no destructor, no HDF5 close, no atexit handler, like a
    // killed run. Only the flush after the frame makes the file readable.
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int rc = 0;
      try {
        auto* store = new Hdf5RunStore(path);  // deliberately never deleted
        store->on_run_start(config, problem);
        store->on_frame_done(frame);
      } catch (...) {
        rc = 1;
      }
      std::_Exit(rc);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const StoredRun run = read_run(path);
    CHECK(std::isnan(run.dimension));
    CHECK(run.frames_completed == 1);
    REQUIRE(run.frames.size() == 1);
    check_frame(run.frames[0], frame);
    check_problem(run.problem, problem);
  }
}

TEST_CASE("hdf5 store: read_run refuses what is not a trainscape run", "[hdf5]") {
  const TempDir dir;

  SECTION("missing file") {
    const std::string path = dir.file("nothing.h5");
    REQUIRE_THROWS_AS(read_run(path), IoError);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path + ": no such file"));
  }

  SECTION("a text file") {
    const std::string path = dir.file("notes.h5");
    write_text(path, "this is not HDF5\n");
    REQUIRE_THROWS_AS(read_run(path), IoError);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path + ": not an HDF5 file"));
  }

  SECTION("an empty file") {
    const std::string path = dir.file("empty.h5");
    write_text(path, "");
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path + ": not an HDF5 file"));
  }

  SECTION("a directory") { REQUIRE_THROWS_AS(read_run(dir.file("")), IoError); }

  SECTION("HDF5 without the format attribute") {
    const std::string path = dir.file("other.h5");
    {
      H5::Exception::dontPrint();
      H5::H5File file(path, H5F_ACC_TRUNC);
      file.createGroup("/problem");
    }
    REQUIRE_THROWS_AS(read_run(path), IoError);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path + ": not a trainscape run (format attribute"));
  }

  const auto make_root_attrs = [](const std::string& path, const std::string& format, std::int64_t version) {
    H5::Exception::dontPrint();
    H5::H5File file(path, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    root.createAttribute("format", type, H5::DataSpace(H5S_SCALAR)).write(type, format);
    root.createAttribute("format_version", H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &version);
  };

  SECTION("HDF5 with another format") {
    const std::string path = dir.file("other.h5");
    make_root_attrs(path, "something-else", 1);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path + ": not a trainscape run (format attribute is "
                                                               "'something-else'"));
  }

  SECTION("a later format version") {
    const std::string path = dir.file("future.h5");
    make_root_attrs(path, "trainscape-run", 2);
    REQUIRE_THROWS_AS(read_run(path), IoError);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path) && Catch::Contains("format_version 2"));
  }

  SECTION("a truncated run file") {
    const std::string path = dir.file("run.h5");
    const RunConfig config = small_config();
    const Problem problem = trainscape::make_problem(config);
    write_full_run(path, config, problem, {synthetic_frame(0, 16, 16, 0)}, 1.0);
    REQUIRE_NOTHROW(read_run(path));
    fs::resize_file(path, fs::file_size(path) / 2);
    REQUIRE_THROWS_AS(read_run(path), IoError);
    REQUIRE_THROWS_WITH(read_run(path), Catch::Contains(path) && Catch::Contains("truncated"));
  }
}

TEST_CASE("hdf5 store: write failures are IoErrors naming the path", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("missing_dir/run.h5");
  REQUIRE_THROWS_AS(Hdf5RunStore(path), IoError);
  REQUIRE_THROWS_WITH(Hdf5RunStore(path), Catch::Contains(path + ": cannot create HDF5 file"));
  try {
    Hdf5RunStore store(path);
  } catch (const IoError& e) {
    CHECK(e.exit_code() == 4);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }

  const RunConfig config = small_config();
  const Problem problem = trainscape::make_problem(config);
  const std::string ok = dir.file("run.h5");
  Hdf5RunStore store(ok);
  // A frame before the run started has nowhere to go.
  REQUIRE_THROWS_AS(store.on_frame_done(synthetic_frame(0, 16, 16, 0)), IoError);
  store.on_run_start(config, problem);
  store.on_frame_done(synthetic_frame(0, 16, 16, 0));
  // The same frame index twice would overwrite a finished frame: HDF5 refuses, we report it.
  REQUIRE_THROWS_WITH(store.on_frame_done(synthetic_frame(0, 16, 16, 1)),
                      Catch::Contains(ok + ": creating group /frames/000000"));
}

// ---- the field tables: one list per record, and every field in it ---------------------------------

// Problem's settings are listed once (visit_settings): make_problem copies them from the config
// and run.h5 stores them through that list. Every setting here differs from Problem's default, so
// a setting dropped by the store or by make_problem shows.
TEST_CASE("hdf5 store: every Problem setting goes from the config into run.h5 and back", "[hdf5]") {
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = trainscape::load_config(
      "model: {width: 3, depth: 3, nonlinearity: identity, target_dim: 2}\n"
      "training: {steps: 7, precision: float32, readout: probe, optimizer: adamw, momentum: 0.5, adam_beta1: 0.8,"
      " adam_beta2: 0.99, adam_eps: 1e-6, weight_decay: 0.01, schedule: warmup_cosine, warmup_steps: 2,"
      " lr: [0.2, 0.3, 0.4]}\n"
      "phase_space: {kind: axes, x_param: lr.1, y_param: lr.2, x_scale: linear, y_scale: linear,"
      " x: [0.1, 0.5], y: [0.1, 0.5]}\n"
      "render: {resolution: 16}\nzoom: {frames: 1}\n",
      "settings.yaml");
  const Problem problem = trainscape::make_problem(config);
  int settings = 0;
  trainscape::visit_settings(problem, config, [&](const char* name, const auto& got, const auto& from_config) {
    INFO(name);
    CHECK(got == from_config);
    ++settings;
  });
  CHECK(settings == 28);
  // The settings of model.kind ripple_quadratic (docs/ripple.md) cannot differ from their
  // defaults in an mlp config (it refuses them), nor the network's in a ripple one: a second
  // config covers them.
  const std::vector<std::string> ripple_settings = {"model_kind", "dim", "delta", "wavelength", "x0"};
  const auto is_ripple = [&](const std::string& name) {
    return std::find(ripple_settings.begin(), ripple_settings.end(), name) != ripple_settings.end();
  };
  const auto defaults = settings_of(Problem{});
  const auto made = settings_of(problem);
  REQUIRE(made.size() == defaults.size());
  for (std::size_t i = 0; i < made.size(); ++i) {
    INFO(made[i].first);
    CHECK((made[i].second != defaults[i].second) == !is_ripple(made[i].first));
  }
  write_full_run(path, config, problem, {synthetic_frame(0, 16, 16, 0)}, 1.5);
  CHECK(settings_of(read_run(path).problem) == made);

  const RunConfig ripple = trainscape::load_config(
      "model: {kind: ripple_quadratic, dim: 2, delta: 0.35, wavelength: 0.25, x0: [0.5, -2]}\n"
      "phase_space: {kind: axes, x_param: lr, y_param: delta, y_scale: linear, x: [-2, 0], y: [0, 0.5]}\n"
      "render: {resolution: 16}\nzoom: {frames: 1}\n",
      "ripple.yaml");
  const Problem ripple_problem = trainscape::make_problem(ripple);
  const auto ripple_made = settings_of(ripple_problem);
  for (std::size_t i = 0; i < ripple_made.size(); ++i) {
    if (!is_ripple(ripple_made[i].first)) continue;
    INFO(ripple_made[i].first);
    CHECK(ripple_made[i].second != defaults[i].second);
  }
  const std::string ripple_path = dir.file("ripple.h5");
  write_full_run(ripple_path, ripple, ripple_problem, {synthetic_frame(0, 16, 16, 0)}, 1.5);
  CHECK(settings_of(read_run(ripple_path).problem) == ripple_made);
#if defined(__x86_64__) && defined(__GLIBCXX__)
  // A new member of Problem: if it comes from the config, list it in visit_settings (problem.hpp),
  // then update this size. (Problem::channels comes from output.channels but is no training
  // setting: it changes no trajectory, and run.h5 stores its result as datasets, not attributes.)
  static_assert(sizeof(Problem) == 312, "Problem changed: check visit_settings");
#endif
}

/// An estimate whose every field (visited in order) holds a value of its own, unlike any default.
trainscape::DimensionEstimate distinct_estimate(trainscape::DimensionMethod method, int seed) {
  trainscape::DimensionEstimate e(method);
  int n = seed * 100;
  trainscape::visit_fields(e, [&](const char* /*name*/, auto& v) {
    using T = std::decay_t<decltype(v)>;
    ++n;
    if constexpr (std::is_same_v<T, double>) {
      v = n + 0.25;
    } else if constexpr (std::is_same_v<T, bool>) {
      v = true;
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(n);
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = "text " + std::to_string(n);
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      v = {n + 0.5, -0.0, std::numeric_limits<double>::quiet_NaN()};
    }  // the method: kept, it names the estimate's group
  });
  return e;
}

TEST_CASE("dimension store: every DimensionEstimate field is in the table and survives run.h5", "[hdf5]") {
  using trainscape::DimensionEstimate;
  using trainscape::DimensionMethod;
  // The table covers the struct: every member set through visit_fields equals a struct filled
  // in by hand, member by member.
  const DimensionEstimate e = distinct_estimate(DimensionMethod::Pair, 0);
  DimensionEstimate hand(DimensionMethod::Pair);
  hand.dimension = 1.25;
  hand.ci_low = 2.25;
  hand.ci_high = 3.25;
  hand.mode = "text 5";
  hand.systematic = 6.25;
  hand.boot_low = 7.25;
  hand.boot_high = 8.25;
  hand.fit_se = 9.25;
  hand.fit_min = 10.25;
  hand.fit_max = 11.25;
  hand.fit_points = 12;
  hand.occupancy = 13.25;
  hand.saturated = true;
  hand.frames = 15;
  hand.samples = 16;
  hand.scales = {17.5, -0.0, std::numeric_limits<double>::quiet_NaN()};
  hand.values = {18.5, -0.0, std::numeric_limits<double>::quiet_NaN()};
  hand.counts = {19.5, -0.0, std::numeric_limits<double>::quiet_NaN()};
  hand.local = {20.5, -0.0, std::numeric_limits<double>::quiet_NaN()};
  hand.note = "text 21";
  CHECK(fields_of(e) == fields_of(hand));
  CHECK(fields_of(e).size() == 21);
#if defined(__x86_64__) && defined(__GLIBCXX__)
  // A new member of DimensionEstimate: list it in visit_fields (estimate.hpp), set it above, then
  // update this size.
  static_assert(sizeof(DimensionEstimate) == 272, "DimensionEstimate changed: check visit_fields");
#endif

  // Round trip: every field written to run.h5 reads back bit for bit.
  const TempDir dir;
  const std::string path = dir.file("run.h5");
  const RunConfig config = small_config();
  write_full_run(path, config, trainscape::make_problem(config), {synthetic_frame(0, 16, 16, 0)}, 1.5);
  trainscape::DimensionReport frame, sequence;
  frame.porespy_median = distinct_estimate(DimensionMethod::PorespyMedian, 1);
  frame.boxcount_fit = distinct_estimate(DimensionMethod::BoxcountFit, 2);
  frame.pair = distinct_estimate(DimensionMethod::Pair, 3);
  sequence.porespy_median = distinct_estimate(DimensionMethod::PorespyMedian, 4);
  sequence.boxcount_fit = distinct_estimate(DimensionMethod::BoxcountFit, 5);
  sequence.pair = distinct_estimate(DimensionMethod::Pair, 6);
  trainscape::io::write_run_dimensions(path, {0}, {frame}, sequence);
  const trainscape::io::StoredDimensions stored = trainscape::io::read_run_dimensions(path);
  REQUIRE(stored.present);
  REQUIRE(stored.frame_indices == std::vector<int>{0});
  CHECK(fields_of(stored.frames[0].porespy_median) == fields_of(frame.porespy_median));
  CHECK(fields_of(stored.frames[0].boxcount_fit) == fields_of(frame.boxcount_fit));
  CHECK(fields_of(stored.frames[0].pair) == fields_of(frame.pair));
  CHECK(fields_of(stored.sequence.porespy_median) == fields_of(sequence.porespy_median));
  CHECK(fields_of(stored.sequence.boxcount_fit) == fields_of(sequence.boxcount_fit));
  CHECK(fields_of(stored.sequence.pair) == fields_of(sequence.pair));

  // The stored names and types are run.h5's documented layout (dimension_store.hpp).
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group g = file.openGroup("/dimension/sequence/boxcount_fit");
  for (const char* name : {"dimension", "ci_low", "ci_high", "systematic", "boot_low", "boot_high", "fit_se", "fit_min",
                           "fit_max", "occupancy"}) {
    INFO(name);
    CHECK(g.openAttribute(name).getTypeClass() == H5T_FLOAT);
  }
  for (const char* name : {"fit_points", "frames", "samples", "saturated"}) {
    INFO(name);
    CHECK(g.openAttribute(name).getTypeClass() == H5T_INTEGER);
    CHECK(g.openAttribute(name).getDataType().getSize() == 8);
  }
  for (const char* name : {"method", "mode", "note"}) CHECK(g.openAttribute(name).getTypeClass() == H5T_STRING);
  CHECK(vlen_utf8_attr(g, "method") == "boxcount_fit");
  for (const char* name : {"scales", "values", "counts", "local"})
    CHECK(dims_of(file, std::string("/dimension/sequence/boxcount_fit/") + name).size() == 1);
  CHECK(g.getNumAttrs() == 17);
  CHECK(g.getNumObjs() == 4);
}
