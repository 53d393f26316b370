#include "trainscape/execution.hpp"

#include <atomic>
#include <exception>
#include <mutex>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace trainscape {

int resolve_thread_count(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

void run_workers(int threads, const std::function<bool()>& next_unit) {
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
#pragma omp parallel num_threads(threads)
  {
    // Any exception is caught here: one escaping an OpenMP region terminates the process.
    try {
      while (!failed.load(std::memory_order_relaxed) && next_unit()) {
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      failed = true;
    }
  }
  if (failure) std::rethrow_exception(failure);
}

void parallel_for_each(std::int64_t count, int threads, const std::function<void(std::int64_t)>& task) {
  std::atomic<std::int64_t> next{0};
  run_workers(threads, [&] {
    const std::int64_t i = next.fetch_add(1);
    if (i >= count) return false;
    task(i);
    return true;
  });
}

}  // namespace trainscape
