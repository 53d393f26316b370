#pragma once
/// Where work runs: the thread count and the one parallel loop every part of trainscape uses.
/// Results never depend on the thread count or the schedule: callers hand out units of work
/// whose outputs are disjoint and depend only on the unit.
#include <cstdint>
#include <functional>

namespace trainscape {

/// The number of worker threads for a requested count: `requested` if > 0, else all cores
/// (OpenMP's default team size); 1 in a build without OpenMP.
int resolve_thread_count(int requested);

/// Runs `threads` workers (an OpenMP team; the calling thread is one of them). Each worker calls
/// `next_unit()` until it returns false. When a call throws, the other workers stop after their
/// current unit and the first exception is rethrown on the calling thread once all have ended
/// (an exception never crosses the OpenMP region). `next_unit` is called concurrently: it must
/// synchronise whatever it shares (e.g. a tile distributor's counter).
void run_workers(int threads, const std::function<bool()>& next_unit);

/// task(i) for every i in [0, count), handed out one index at a time to `threads` workers (so
/// uneven units balance). Exceptions as for run_workers: the first is rethrown, the indices not
/// yet started are skipped.
void parallel_for_each(std::int64_t count, int threads, const std::function<void(std::int64_t)>& task);

}  // namespace trainscape
