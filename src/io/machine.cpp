#include "trainscape/io/machine.hpp"

#include <unistd.h>

#include <cstdio>
#include <limits>

namespace trainscape::io {

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

double memory_limit_bytes() {
  const double memory = physical_memory_bytes();
  return memory > 0 ? 0.8 * memory : std::numeric_limits<double>::infinity();
}

std::string memory_refusal(double needed_bytes, const std::string& subject, const std::string& purpose,
                           const std::string& fix) {
  if (!(needed_bytes > memory_limit_bytes())) return "";
  constexpr double kGiB = 1073741824.0;
  char needed[64], available[64];
  std::snprintf(needed, sizeof needed, "%.1f", needed_bytes / kGiB);
  std::snprintf(available, sizeof available, "%.1f", physical_memory_bytes() / kGiB);
  return subject + " needs about " + needed + " GiB of memory" + (purpose.empty() ? "" : " " + purpose) +
         ", more than 80% of this machine's " + available + " GiB" + (fix.empty() ? "" : "; " + fix);
}

}  // namespace trainscape::io
