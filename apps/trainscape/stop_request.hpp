#pragma once
/// The process's stop request. SIGINT and SIGTERM set it; the zoom polls it at tile boundaries
/// (through ProgressDisplay) and the engines within each training step (through the cancel
/// flag), so that a stop takes effect within a moment and every finished tile is kept.
#include <atomic>
#include <string>

#include "trainscape/error.hpp"

namespace trainscape::app {

/// Installs the handlers for SIGINT and SIGTERM (idempotent).
void install_stop_handlers();

/// The signal that asked us to stop, 0 while none has.
const std::atomic<int>& stop_signal();

/// True once a stop was asked for: the flag the engines poll (Engine::train_cancellable).
const std::atomic<bool>& cancel_flag();

/// The error a stopped command ends with: "<what> (SIGINT); <kept>; continue with: <resume>",
/// exit code 130 for SIGINT, 143 for SIGTERM.
Interrupted stopped_error(const std::string& what, const std::string& kept, const std::string& resume);

}  // namespace trainscape::app
