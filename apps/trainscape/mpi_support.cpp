#include "mpi_support.hpp"

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

#include "trainscape/error.hpp"

#ifdef TRAINSCAPE_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace trainscape::app {

namespace {
bool has_env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}
}  // namespace

bool launched_by_mpi() {
  return has_env("OMPI_COMM_WORLD_SIZE") || has_env("PMIX_RANK") || has_env("PMI_RANK") || has_env("PMI_SIZE");
}

#ifdef TRAINSCAPE_HAVE_MPI

namespace {
const char* thread_level_name(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE: return "MPI_THREAD_MULTIPLE";
    default: return "an unknown thread level";
  }
}
}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (already) return;  // someone else owns MPI; stay out of the way
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    finalised_ = true;
    throw Error(ExitCode::Usage, std::string("the MPI library provides only ") + thread_level_name(provided) +
                                     "; trainscape needs MPI_THREAD_SERIALIZED or better (its worker threads draw "
                                     "tiles); use an MPI built with thread support, or run without mpirun");
  }
  initialised_ = true;
  thread_level_ = provided;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (!initialised_ || finalised_) return;
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
  finalised_ = true;
}

void MpiSession::barrier() {
  if (active()) MPI_Barrier(MPI_COMM_WORLD);
}

void MpiSession::abort(int exit_code) {
  if (initialised_) {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  std::exit(exit_code);
}

bool MpiSession::all_agree(bool ok) {
  if (!active()) return ok;
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  return all != 0;
}

int MpiSession::max_over_ranks(int value) {
  if (!active()) return value;
  int out = value;
  MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return out;
}

int MpiSession::broadcast_int(int value) {
  if (!active()) return value;
  MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

void MpiSession::broadcast_string(std::string& text) {
  if (!active()) return;
  std::uint64_t n = text.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  text.resize(static_cast<std::size_t>(n));
  std::size_t done = 0;
  while (done < text.size()) {
    const int part = static_cast<int>(std::min<std::size_t>(text.size() - done, INT_MAX));
    MPI_Bcast(&text[done], part, MPI_CHAR, 0, MPI_COMM_WORLD);
    done += static_cast<std::size_t>(part);
  }
}

namespace {

/// See make_mpi_distributor in the header.
class MpiDistributor final : public MpiTileDistributor {
 public:
  MpiDistributor(MpiSession& session, std::size_t reduce_chunk)
      : rank_(session.rank()),
        size_(session.size()),
        chunk_(std::min<std::size_t>(reduce_chunk == 0 ? (std::size_t{1} << 22) : reduce_chunk, INT_MAX)) {
    // A communicator of our own, so that nothing else's messages can match ours.
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    // The counter: one int64 on rank 0, none elsewhere. Only accumulate-style operations
    // (Accumulate with MPI_REPLACE, Fetch_and_op with MPI_SUM) ever touch it, so they are atomic
    // with respect to each other.
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "accumulate_ops", "same_op_no_op");
    MPI_Info_set(info, "accumulate_ordering", "none");
    const MPI_Aint bytes = rank_ == 0 ? static_cast<MPI_Aint>(sizeof(std::int64_t)) : 0;
    MPI_Win_allocate(bytes, static_cast<int>(sizeof(std::int64_t)), info, comm_, &counter_, &win_);
    MPI_Info_free(&info);
    if (rank_ == 0) *counter_ = 0;
    MPI_Win_lock_all(MPI_MODE_NOCHECK, win_);
    MPI_Barrier(comm_);
    // On rank 0, a helper thread enters the MPI library now and then while a frame is being
    // computed, so that other ranks' draws on the counter make progress even when rank 0's
    // threads are all inside long tiles and the transport needs the target's help (TCP between
    // nodes). Shared-memory windows do not need it; it costs one short call per millisecond.
    if (rank_ == 0) progress_ = std::thread([this] { progress_loop(); });
  }

  ~MpiDistributor() override {
    if (progress_.joinable()) {
      {
        std::lock_guard<std::mutex> lk(progress_mutex_);
        stop_ = true;
      }
      progress_cv_.notify_all();
      progress_.join();
    }
    // Freeing the window and the communicator is collective. While an exception unwinds this
    // rank the others may be elsewhere, so they are left to MPI_Abort / MPI_Finalize then.
    if (std::uncaught_exceptions() > 0) return;
    int done = 0;
    MPI_Finalized(&done);
    if (done) return;
    MPI_Win_unlock_all(win_);
    MPI_Win_free(&win_);
    MPI_Comm_free(&comm_);
  }

  bool is_root() const override { return rank_ == 0; }

  void begin_frame(int frame, const std::vector<bool>& already_done) override {
    std::unique_lock<std::mutex> lk(mpi_mutex_);
    todo_.clear();
    for (std::size_t t = 0; t < already_done.size(); ++t) {
      if (!already_done[t]) todo_.push_back(static_cast<int>(t));
    }
    drawn_.store(0);
    exhausted_.store(todo_.empty());
    if (rank_ == 0) {
      // Every draw of the previous frame has completed at the target: each rank finished its
      // draws before entering the previous end_frame's reduction, which rank 0 has left.
      const std::int64_t zero = 0;
      MPI_Accumulate(&zero, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, MPI_REPLACE, win_);
      MPI_Win_flush(0, win_);
    }
    // Doubles as the barrier after the reset (no rank leaves it before rank 0 has entered it)
    // and checks that every rank is at the same frame with the same tiles to do.
    std::uint64_t h = 1469598103934665603ull ^ static_cast<std::uint64_t>(frame);
    for (std::size_t t = 0; t < already_done.size(); ++t) {
      h = (h ^ (already_done[t] ? 0x9e3779b97f4a7c15ull : 0x51afd7ed558ccd5ull) ^ t) * 1099511628211ull;
    }
    std::uint64_t mine[2] = {h, ~h}, all[2] = {0, 0};
    MPI_Allreduce(mine, all, 2, MPI_UINT64_T, MPI_MAX, comm_);
    if (all[0] != h || all[1] != ~h) {
      throw Error(ExitCode::Internal,
                  "MPI ranks disagree on frame " + std::to_string(frame) + " or on its restored tiles (a bug)");
    }
    lk.unlock();
    if (rank_ == 0) {
      {
        std::lock_guard<std::mutex> plk(progress_mutex_);
        frame_open_ = !todo_.empty();
      }
      progress_cv_.notify_all();
    }
  }

  int next_tile() override {
    if (exhausted_.load()) return -1;
    std::int64_t got = 0;
    {
      const std::int64_t one = 1;
      std::lock_guard<std::mutex> lk(mpi_mutex_);
      if (exhausted_.load()) return -1;
      MPI_Fetch_and_op(&one, &got, MPI_INT64_T, 0, 0, MPI_SUM, win_);
      MPI_Win_flush(0, win_);
      if (got < 0 || static_cast<std::uint64_t>(got) >= todo_.size()) {
        exhausted_.store(true);
        return -1;
      }
    }
    drawn_.fetch_add(1);
    return todo_[static_cast<std::size_t>(got)];
  }

  void end_frame(Image<double>& measure, Image<std::uint8_t>& converged, ChannelImages& channels) override {
    if (rank_ == 0) {
      std::lock_guard<std::mutex> plk(progress_mutex_);
      frame_open_ = false;
    }
    std::lock_guard<std::mutex> lk(mpi_mutex_);
    // Tiles drawn and image sizes of every rank: the load-balance report, and a check that the
    // reduction below adds up images of one shape.
    const std::int64_t mine[3] = {drawn_.load(), static_cast<std::int64_t>(measure.data.size()),
                                  static_cast<std::int64_t>(converged.data.size())};
    std::vector<std::int64_t> all(3 * static_cast<std::size_t>(size_));
    MPI_Allgather(mine, 3, MPI_INT64_T, all.data(), 3, MPI_INT64_T, comm_);
    per_rank_.assign(static_cast<std::size_t>(size_), 0);
    for (int r = 0; r < size_; ++r) {
      const std::size_t i = 3 * static_cast<std::size_t>(r);
      per_rank_[static_cast<std::size_t>(r)] = static_cast<int>(all[i]);
      if (all[i + 1] != all[1] || all[i + 2] != all[2]) {
        throw Error(ExitCode::Internal, "MPI ranks hold frames of different sizes (a bug)");
      }
    }
    // Every pixel was computed by one rank and is zero everywhere else, so OR-ing the bit
    // patterns is exact: nothing is rounded, -0.0 and NaN payloads survive.
    static_assert(sizeof(double) == sizeof(std::uint64_t));
    reduce_or(measure.data.data(), measure.data.size(), MPI_UINT64_T, sizeof(double));
    reduce_or(converged.data.data(), converged.data.size(), MPI_UINT8_T, 1);
    // The channel images start as zero bits too (ChannelImages), and every rank holds the same
    // channels (output.channels is one config).
    static_assert(sizeof(std::int64_t) == sizeof(std::uint64_t));
    reduce_or(channels.divergence_step.data.data(), channels.divergence_step.data.size(), MPI_UINT64_T,
              sizeof(std::int64_t));
    reduce_or(channels.lyapunov.data.data(), channels.lyapunov.data.size(), MPI_UINT64_T, sizeof(double));
    reduce_or(channels.sharpness.data.data(), channels.sharpness.data.size(), MPI_UINT64_T, sizeof(double));
    reduce_or(channels.edge_of_stability.data.data(), channels.edge_of_stability.data.size(), MPI_UINT64_T,
              sizeof(double));
  }

  void share_window(Window& window) override {
    std::lock_guard<std::mutex> lk(mpi_mutex_);
    // The centre's quad-double tails too: a deep zoom's pixels are placed by them.
    double w[10] = {window.centre_x,  window.centre_y,  window.half_x,    window.half_y,    window.tail_x[0],
                    window.tail_x[1], window.tail_x[2], window.tail_y[0], window.tail_y[1], window.tail_y[2]};
    MPI_Bcast(w, 10, MPI_DOUBLE, 0, comm_);
    window.centre_x = w[0];
    window.centre_y = w[1];
    window.half_x = w[2];
    window.half_y = w[3];
    window.tail_x = {w[4], w[5], w[6]};
    window.tail_y = {w[7], w[8], w[9]};
  }

  std::string describe() const override { return "rank " + std::to_string(rank_) + " of " + std::to_string(size_); }

  std::vector<int> tiles_per_rank() const override { return per_rank_; }

 private:
  /// MPI_Reduce(MPI_BOR) to rank 0 of n elements of `type` (elem_bytes each) at `data`, in
  /// chunks of at most chunk_ elements.
  void reduce_or(void* data, std::size_t n, MPI_Datatype type, std::size_t elem_bytes) {
    auto* bytes = static_cast<unsigned char*>(data);
    for (std::size_t done = 0; done < n;) {
      const std::size_t part = std::min(n - done, chunk_);
      void* p = bytes + done * elem_bytes;
      if (rank_ == 0) {
        MPI_Reduce(MPI_IN_PLACE, p, static_cast<int>(part), type, MPI_BOR, 0, comm_);
      } else {
        MPI_Reduce(p, nullptr, static_cast<int>(part), type, MPI_BOR, 0, comm_);
      }
      done += part;
    }
  }

  void progress_loop() {
    std::unique_lock<std::mutex> plk(progress_mutex_);
    while (!stop_) {
      if (!frame_open_) {
        progress_cv_.wait(plk, [this] { return stop_ || frame_open_; });
        continue;
      }
      progress_cv_.wait_for(plk, std::chrono::milliseconds(1));
      if (stop_ || !frame_open_) continue;
      plk.unlock();
      {
        // Never wait behind a worker: if one holds the lock, it is in MPI already.
        std::unique_lock<std::mutex> lk(mpi_mutex_, std::try_to_lock);
        if (lk.owns_lock()) {
          int flag = 0;
          MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, MPI_STATUS_IGNORE);
        }
      }
      plk.lock();
    }
  }

  int rank_;
  int size_;
  std::size_t chunk_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  MPI_Win win_ = MPI_WIN_NULL;
  std::int64_t* counter_ = nullptr;

  std::mutex mpi_mutex_;  ///< serialises every MPI call of this rank (MPI_THREAD_SERIALIZED)
  std::vector<int> todo_;
  std::atomic<bool> exhausted_{true};
  std::atomic<std::int64_t> drawn_{0};
  std::vector<int> per_rank_;

  std::thread progress_;
  std::mutex progress_mutex_;
  std::condition_variable progress_cv_;
  bool frame_open_ = false;
  bool stop_ = false;
};

}  // namespace

std::unique_ptr<MpiTileDistributor> make_mpi_distributor(MpiSession& session, std::size_t reduce_chunk) {
  if (!session.active()) {
    throw Error(ExitCode::Internal, "make_mpi_distributor: MPI is not active (a bug)");
  }
  return std::make_unique<MpiDistributor>(session, reduce_chunk);
}

#else  // no MPI in this build

MpiSession::MpiSession(int& /*argc*/, char**& /*argv*/) {
  // Several copies started by a launcher would each render the whole run into the same
  // directory; refuse instead (one process started by a launcher may run alone).
  auto above = [](const char* name, long limit) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' && std::strtol(v, nullptr, 10) > limit;
  };
  if (above("OMPI_COMM_WORLD_SIZE", 1) || above("PMI_SIZE", 1) || above("PMIX_RANK", 0) || above("PMI_RANK", 0)) {
    throw Error(ExitCode::Usage,
                "this trainscape was built without MPI (TRAINSCAPE_WITH_MPI=OFF) but was started "
                "as several MPI ranks; rebuild with MPI, or run one process (--shard I/N splits a "
                "run without MPI)");
  }
}
MpiSession::~MpiSession() = default;
void MpiSession::barrier() {}
void MpiSession::abort(int exit_code) { std::exit(exit_code); }
bool MpiSession::all_agree(bool ok) { return ok; }
int MpiSession::max_over_ranks(int value) { return value; }
int MpiSession::broadcast_int(int value) { return value; }
void MpiSession::broadcast_string(std::string& /*text*/) {}

std::unique_ptr<MpiTileDistributor> make_mpi_distributor(MpiSession& /*session*/, std::size_t /*reduce_chunk*/) {
  throw Error(ExitCode::Internal, "this trainscape was built without MPI (TRAINSCAPE_WITH_MPI=OFF)");
}

#endif

}  // namespace trainscape::app
