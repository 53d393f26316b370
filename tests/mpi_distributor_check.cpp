// Drives the MPI tile distributor directly, without the zoom driver: run it under
// `mpiexec -n R trainscape_mpi_check [threads] [frames]`. Every rank's threads draw tiles of
// several frames (some tiles restored beforehand, some frames with nothing or everything to do,
// uneven tile costs), fill them with values whose bit patterns are awkward to add (-0.0, NaN
// payloads, infinities, subnormals), and end_frame must give rank 0 exactly these bits. Also
// checks that every tile to do is computed exactly once over all ranks, that tiles_per_rank adds
// up, that share_window gives every rank rank 0's window, and describe().
// Prints "mpi_distributor_check: ok ..." on rank 0 and exits 0 when everything holds, else
// prints what failed and exits 1 (every rank agrees on the exit code).
#include <mpi.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mpi_support.hpp"
#include "trainscape/error.hpp"
#include "trainscape/tiles.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;

namespace {

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

/// The value of pixel (r, c) of frame f: mostly ordinary numbers, with every awkward bit pattern
/// mixed in.
double value(int f, int r, int c) {
  const std::uint64_t h = mix(static_cast<std::uint64_t>(f) * 1000003u + static_cast<std::uint64_t>(r) * 7919u +
                              static_cast<std::uint64_t>(c));
  switch (h % 9) {
    case 0: return -0.0;
    case 1: {  // a NaN with a payload and the sign bit set
      const std::uint64_t bits = 0xfff0000000000000ull | (h >> 20) | 1u;
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    case 2: return -std::numeric_limits<double>::infinity();
    case 3: return std::numeric_limits<double>::denorm_min() * static_cast<double>(h % 1000 + 1);
    default: return (static_cast<double>(h % 2000001) - 1e6) / 3.0;
  }
}

std::uint8_t cls(int f, int r, int c) {
  return static_cast<std::uint8_t>(mix(static_cast<std::uint64_t>(f + r * 131 + c * 17)) % 3);
}

std::uint64_t bits_of(double d) {
  std::uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

void fill(const Tile& t, int f, Image<double>& m, Image<std::uint8_t>& k) {
  for (int r = t.row0; r < t.row0 + t.rows; ++r)
    for (int c = t.col0; c < t.col0 + t.cols; ++c) {
      m(r, c) = value(f, r, c);
      k(r, c) = cls(f, r, c);
    }
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  std::string report;
  try {
    app::MpiSession session(argc, argv);
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int frames = argc > 2 ? std::atoi(argv[2]) : 6;
    if (!session.active()) {
      std::fprintf(stderr, "mpi_distributor_check: needs at least 2 MPI ranks (mpiexec -n 2 ...)\n");
      return 2;
    }
    const int rank = session.rank(), size = session.size();
    auto fail = [&](const std::string& what) {
      ++failures;
      std::fprintf(stderr, "mpi_distributor_check: rank %d: %s\n", rank, what.c_str());
    };

    // A small reduction chunk, so that frames go through MPI_Reduce in several pieces.
    auto dist = app::make_mpi_distributor(session, 97);
    if (dist->is_root() != (rank == 0)) fail("is_root() is wrong");
    const std::string want_desc = "rank " + std::to_string(rank) + " of " + std::to_string(size);
    if (dist->describe() != want_desc) fail("describe() = '" + dist->describe() + "'");
    if (!session.all_agree(true)) fail("all_agree(true) on every rank gave false");
    if (session.all_agree(rank != size - 1)) fail("all_agree with one false rank gave true");
    if (session.max_over_ranks(rank * 10) != (size - 1) * 10) fail("max_over_ranks is wrong");
    if (session.broadcast_int(rank == 0 ? -1 : rank + 5) != -1) fail("broadcast_int did not give rank 0's value");
    std::string text = rank == 0 ? std::string("from rank 0: \xce\xbb\n") : std::string("junk");
    session.broadcast_string(text);
    if (text != "from rank 0: \xce\xbb\n") fail("broadcast_string did not give rank 0's text");

    const int rows = 37, cols = 53;
    const std::vector<Tile> tiles = make_tiles(cols, rows, 8);
    const int n = static_cast<int>(tiles.size());
    std::vector<long long> total_drawn(static_cast<std::size_t>(size), 0);
    for (int f = 0; f < frames; ++f) {
      // Restored tiles: none in frame 0, all in frame 1, about a quarter otherwise (the same on
      // every rank, as the driver guarantees).
      std::vector<bool> done(static_cast<std::size_t>(n), false);
      for (int t = 0; t < n; ++t) {
        done[static_cast<std::size_t>(t)] = f == 1 ||
                                            (f >= 2 && mix(static_cast<std::uint64_t>(f * 1000 + t)) % 4 == 0);
      }
      Image<double> m(rows, cols, 0.0);
      Image<std::uint8_t> k(rows, cols, 0);
      if (rank == 0) {
        for (int t = 0; t < n; ++t)
          if (done[static_cast<std::size_t>(t)]) fill(tiles[static_cast<std::size_t>(t)], f, m, k);
      }
      dist->begin_frame(f, done);
      std::vector<int> mine;
      std::mutex mine_mutex;
#pragma omp parallel num_threads(threads)
      {
        for (int t = dist->next_tile(); t >= 0; t = dist->next_tile()) {
          fill(tiles[static_cast<std::size_t>(t)], f, m, k);
          // Uneven costs: the first tiles of a row are slow, as converging regions are.
          if (tiles[static_cast<std::size_t>(t)].col0 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(15));
          std::lock_guard<std::mutex> lk(mine_mutex);
          mine.push_back(t);
        }
        if (dist->next_tile() != -1) {
#pragma omp critical
          fail("next_tile gave a tile after -1");
        }
      }
      ChannelImages no_channels;
      dist->end_frame(m, k, no_channels);

      // Which rank drew which tile: gather to rank 0.
      int count = static_cast<int>(mine.size());
      std::vector<int> counts(static_cast<std::size_t>(size));
      MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
      std::vector<int> displs(static_cast<std::size_t>(size), 0);
      int sum = 0;
      for (int r = 0; r < size; ++r) {
        displs[static_cast<std::size_t>(r)] = sum;
        sum += counts[static_cast<std::size_t>(r)];
      }
      std::vector<int> drawn(static_cast<std::size_t>(rank == 0 ? sum : 0));
      MPI_Gatherv(mine.data(), count, MPI_INT, drawn.data(), counts.data(), displs.data(), MPI_INT, 0, MPI_COMM_WORLD);

      const std::vector<int> per_rank = dist->tiles_per_rank();
      if (per_rank.size() != static_cast<std::size_t>(size)) {
        fail("tiles_per_rank has " + std::to_string(per_rank.size()) + " entries");
      } else if (per_rank[static_cast<std::size_t>(rank)] != count) {
        fail("tiles_per_rank[own rank] = " + std::to_string(per_rank[static_cast<std::size_t>(rank)]) + ", drew " +
             std::to_string(count));
      }
      if (rank == 0) {
        std::vector<int> times(static_cast<std::size_t>(n), 0);
        for (int t : drawn) times[static_cast<std::size_t>(t)]++;
        for (int t = 0; t < n; ++t) {
          const int want = done[static_cast<std::size_t>(t)] ? 0 : 1;
          if (times[static_cast<std::size_t>(t)] != want) {
            fail("frame " + std::to_string(f) + ": tile " + std::to_string(t) + " computed " +
                 std::to_string(times[static_cast<std::size_t>(t)]) + " times, expected " + std::to_string(want));
          }
        }
        for (int r = 0; r < size && per_rank.size() == static_cast<std::size_t>(size); ++r) {
          total_drawn[static_cast<std::size_t>(r)] += per_rank[static_cast<std::size_t>(r)];
        }
        std::size_t bad = 0;
        for (int r = 0; r < rows; ++r)
          for (int c = 0; c < cols; ++c)
            if (bits_of(m(r, c)) != bits_of(value(f, r, c)) || k(r, c) != cls(f, r, c)) ++bad;
        if (bad) fail("frame " + std::to_string(f) + ": " + std::to_string(bad) + " pixels differ from the exact bits");
      }

      Window w;
      if (rank == 0) w = Window{0.5 + f, -1.25 - f, std::ldexp(1.0, -f), 3.0 / (f + 1)};
      else w = Window{-7.0, -7.0, -7.0, -7.0};
      dist->share_window(w);
      const Window want{0.5 + f, -1.25 - f, std::ldexp(1.0, -f), 3.0 / (f + 1)};
      if (bits_of(w.centre_x) != bits_of(want.centre_x) || bits_of(w.centre_y) != bits_of(want.centre_y) ||
          bits_of(w.half_x) != bits_of(want.half_x) || bits_of(w.half_y) != bits_of(want.half_y)) {
        fail("share_window did not give rank 0's window");
      }
    }
    if (rank == 0) {
      report = "tiles per rank over all frames:";
      for (long long d : total_drawn) report += " " + std::to_string(d);
    }
    failures = session.max_over_ranks(failures);
    dist.reset();
    if (rank == 0 && failures == 0) {
      std::printf("mpi_distributor_check: ok ranks=%d threads=%d frames=%d; %s\n", size, threads, frames,
                  report.c_str());
    }
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mpi_distributor_check: %s\n", e.what());
    return 1;
  }
}
