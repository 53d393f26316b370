#include "stop_request.hpp"

#include <csignal>

namespace trainscape::app {

namespace {

// The only process-wide state of the tool: a signal handler can reach nothing else.
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_cancel{false};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need a lock-free atomic");
static_assert(std::atomic<bool>::is_always_lock_free, "signal handlers need a lock-free atomic");

extern "C" void request_stop(int signal_number) {
  g_stop_signal.store(signal_number);
  g_cancel.store(true);
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
}

const std::atomic<int>& stop_signal() { return g_stop_signal; }

const std::atomic<bool>& cancel_flag() { return g_cancel; }

Interrupted stopped_error(const std::string& what, const std::string& kept, const std::string& resume) {
  const bool term = g_stop_signal.load() == SIGTERM;
  return Interrupted(what + " (" + (term ? "SIGTERM" : "SIGINT") + "); " + kept + "; continue with: " + resume,
                     term ? 143 : 130);
}

}  // namespace trainscape::app
