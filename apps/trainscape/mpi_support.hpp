#pragma once
/// MPI for the trainscape command: a session that initialises MPI only when the process was
/// started by an MPI launcher, and a TileDistributor that hands a frame's tiles to the ranks
/// dynamically and assembles the frame on rank 0 bit for bit.
///
/// This header never includes <mpi.h> and compiles in builds without MPI (TRAINSCAPE_HAVE_MPI
/// undefined): there MpiSession is never active and make_mpi_distributor throws.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "trainscape/tiles.hpp"

namespace trainscape::app {

/// True if the environment says an MPI launcher started this process (mpirun / mpiexec of
/// Open MPI: OMPI_COMM_WORLD_SIZE; PMIx launchers such as srun --mpi=pmix or prterun:
/// PMIX_RANK; PMI-1/2 launchers such as MPICH's hydra or srun --mpi=pmi2: PMI_RANK / PMI_SIZE).
/// A plain `trainscape ...` has none of these and never touches MPI.
bool launched_by_mpi();

/// MPI for the lifetime of the object (one per process, constructed first thing in main).
///
/// Initialises MPI with MPI_Init_thread(MPI_THREAD_SERIALIZED) only when launched_by_mpi();
/// otherwise it does nothing and the process runs alone. If the MPI library cannot give at least
/// MPI_THREAD_SERIALIZED (worker threads draw tiles, one MPI call at a time), it finalises MPI
/// and throws trainscape::Error (ExitCode::Usage) saying so.
///
/// Failure protocol: once MPI is active, a rank that fails on its own must not simply return
/// from main (the others would wait for it forever in the next collective operation); call
/// abort(exit_code), which ends every rank. Failures that happen identically on every rank
/// (an invalid config, say) may instead be agreed with all_agree / max_over_ranks and then left
/// by returning normally, which keeps stderr to the one documented line per rank.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// MPI is initialised and there is more than one rank: tiles should be shared between ranks.
  bool active() const { return initialised_ && size_ > 1; }
  /// MPI_Init_thread was called (also for `mpirun -n 1`, where active() is false).
  bool initialised() const { return initialised_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// The thread level MPI provided (MPI_THREAD_* value); -1 when not initialised.
  int thread_level() const { return thread_level_; }

  /// MPI_Barrier over all ranks (no-op unless active()).
  void barrier();
  /// Ends every rank of the job with `exit_code` (MPI_Abort); plain std::exit when MPI is not
  /// initialised. Call it when this rank fails on its own.
  [[noreturn]] void abort(int exit_code);
  /// Logical AND of `ok` over all ranks (ok itself unless active()).
  bool all_agree(bool ok);
  /// Largest `value` over all ranks (value itself unless active()); e.g. to agree on one exit
  /// code after a setup step that may fail on some ranks only.
  int max_over_ranks(int value);
  /// Rank 0's `value`, returned on every rank (the other ranks' values are ignored; value itself
  /// unless active()). E.g. a decision only rank 0 can take, such as "nothing to do".
  int broadcast_int(int value);
  /// Makes rank 0's `text` the text of every rank (no-op unless active()).
  void broadcast_string(std::string& text);

 private:
  bool initialised_ = false;
  bool finalised_ = false;
  int rank_ = 0;
  int size_ = 1;
  int thread_level_ = -1;
};

/// The TileDistributor of an active MPI session, with more:
class MpiTileDistributor : public TileDistributor {
 public:
  /// Tiles each rank computed in the last finished frame (index = rank), known on every rank
  /// after end_frame; empty before the first end_frame.
  virtual std::vector<int> tiles_per_rank() const = 0;
};

/// A distributor over the ranks of `session` (which must be active() and outlive it):
///  - is_root() on rank 0, which assembles, analyses and delivers frames;
///  - begin_frame (collective) lists the tiles not already done, the same on every rank, and
///    resets a tile counter held in an MPI window on rank 0; a barrier makes sure no rank draws
///    before the reset;
///  - next_tile (any thread, any time) draws the next index with MPI_Fetch_and_op(+1) on that
///    counter (passive target; MPI calls are serialised by a mutex): ranks that finish their
///    tiles early simply draw more, which balances uneven tiles;
///  - end_frame (collective) ORs every rank's frame bits into rank 0's images (MPI_Reduce with
///    MPI_BOR over the measure's 64-bit patterns and the class bytes). This is exact because
///    every pixel is computed by exactly one rank and all other ranks hold zero bits there: the
///    caller must zero-initialise every rank's images for each frame and load restored tiles
///    on the root only. -0.0 and NaN payloads survive (nothing is added);
///  - share_window broadcasts rank 0's window.
/// `reduce_chunk` is the largest number of elements per MPI_Reduce call (0 = 2^26; counts above
/// INT_MAX are always split); small values exist for tests.
/// In a build without MPI this throws trainscape::Error.
std::unique_ptr<MpiTileDistributor> make_mpi_distributor(MpiSession& session, std::size_t reduce_chunk = 0);

}  // namespace trainscape::app
