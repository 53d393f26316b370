#include "fault.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace trainscape::io {

namespace {
struct FaultSpec {
  std::string point;
  long after = 0;
  int signal_number = SIGKILL;
  std::atomic<long> arrivals{0};
};

FaultSpec* parse_fault() {
  const char* text = std::getenv("TRAINSCAPE_FAULT");
  if (text == nullptr || *text == '\0') return nullptr;
  static FaultSpec spec;
  const std::string s = text;
  const std::size_t a = s.find(':');
  if (a == std::string::npos) return nullptr;
  const std::size_t b = s.find(':', a + 1);
  spec.point = s.substr(0, a);
  spec.after = std::atol(s.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1).c_str());
  if (b != std::string::npos && s.substr(b + 1) == "INT") spec.signal_number = SIGINT;
  return &spec;
}
}  // namespace

void fault_point(const char* point) {
  static FaultSpec* const spec = parse_fault();
  if (spec == nullptr || spec->point != point) return;
  if (spec->arrivals.fetch_add(1) + 1 == spec->after) std::raise(spec->signal_number);
}

}  // namespace trainscape::io
