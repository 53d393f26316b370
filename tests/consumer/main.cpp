// A program that uses trainscape as an installed library. tests/consumer/CMakeLists.txt builds it
// against an install (find_package(trainscape)); CMakeLists.txt builds the same source against the
// in-tree targets (trainscape_consumer_reference). tests/consumer_test.cmake runs both and requires
// the same output line.
//
// It builds a RunConfig in code, trains one 16 x 16 frame of a width-4 network (50 steps) through
// run_zoom with a plain observer and the HDF5 store, reads run.h5 back, encodes the frame as a
// PNG, and prints one line: the pixel count, the converged pixels, an FNV-1a checksum of the
// measures' bits, the measures' sum, and a checksum of the PNG bytes.
//
// Usage: trainscape_consumer RUN_H5   (RUN_H5: a file to create)
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainscape/colour.hpp"
#include "trainscape/config.hpp"
#include "trainscape/engine.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/io/png.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/version.hpp"
#include "trainscape/zoom.hpp"

namespace {

/// 64-bit FNV-1a.
std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash = 14695981039346656037ULL) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ULL;
  }
  return hash;
}

/// Keeps every finished frame.
class FrameRecorder final : public trainscape::ZoomObserver {
 public:
  void on_frame_done(const trainscape::FrameResult& frame) override { frames.push_back(frame); }
  std::vector<trainscape::FrameResult> frames;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s RUN_H5\n", argc > 0 ? argv[0] : "trainscape_consumer");
    return 2;
  }
  try {
    trainscape::RunConfig config;
    config.model.width = 4;
    config.training.steps = 50;
    config.phase_space.x = {-2.0, 4.0};
    config.phase_space.y = {-2.0, 4.0};
    config.render.resolution = {16, 16};
    config.zoom.frames = 1;
    config.runtime.threads = 2;
    trainscape::validate_config(config);

    const trainscape::Problem problem = trainscape::make_problem(config);
    const std::unique_ptr<trainscape::Engine> engine = trainscape::make_engine("batched");
    FrameRecorder recorder;
    trainscape::io::Hdf5RunStore store(argv[1]);
    trainscape::ObserverList observers;
    observers.add(recorder);
    observers.add(store);
    trainscape::run_zoom(config, problem, *engine, observers);
    store.close();
    if (recorder.frames.size() != 1) throw std::runtime_error("expected one frame");
    const trainscape::FrameResult& frame = recorder.frames[0];

    long long converged = 0;
    for (const std::uint8_t c : frame.converged.data) converged += c;
    double sum = 0.0;
    for (const double m : frame.measure.data) sum += m;
    const std::uint64_t measure_hash = fnv1a(frame.measure.data.data(), frame.measure.data.size() * sizeof(double));

    const trainscape::io::StoredRun stored = trainscape::io::read_run(argv[1]);
    if (stored.frames.size() != 1 || !(stored.frames[0].measure == frame.measure) ||
        !(stored.frames[0].converged == frame.converged)) {
      throw std::runtime_error(std::string(argv[1]) + " does not hold the frame that was computed");
    }
    const std::vector<std::uint8_t> png =
        trainscape::io::encode_png(trainscape::colourise(frame.measure), {{"Software", "trainscape consumer"}});

    std::printf("trainscape %s: pixels=%zu converged=%lld measure_fnv1a=%016llx measure_sum=%.17g png_fnv1a=%016llx\n",
                trainscape::kVersion, frame.measure.data.size(), converged,
                static_cast<unsigned long long>(measure_hash), sum,
                static_cast<unsigned long long>(fnv1a(png.data(), png.size())));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainscape_consumer: error: %s\n", e.what());
    return 1;
  }
}
