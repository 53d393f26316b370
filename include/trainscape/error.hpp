#pragma once
/// trainscape's error types. Every error a user can cause is a trainscape::Error carrying the
/// process exit code the command-line tool returns for it; the message is one line, names the
/// file / line / key / value involved and the rule that was broken.
#include <stdexcept>
#include <string>

namespace trainscape {

/// Exit codes of the trainscape command (documented in the README).
enum class ExitCode : int {
  Success = 0,
  Internal = 1,     ///< a bug: an unexpected exception escaped
  Usage = 2,        ///< bad command line (unknown option, missing argument)
  Config = 3,       ///< invalid configuration: YAML syntax, unknown/duplicate key, type, range
  Io = 4,           ///< a file could not be read or written, or an output would be clobbered
  Numerical = 5,    ///< the computation cannot honestly continue (e.g. no boundary to zoom into)
  Interrupted = 130 ///< stopped by SIGINT (143 for SIGTERM); finished tiles are kept
};

/// Root of all errors trainscape reports to users.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }
  int exit_code() const { return static_cast<int>(code_); }

 private:
  ExitCode code_;
};

/// The command line is invalid in a way its parser cannot see (e.g. a malformed --shard I/N).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ExitCode::Usage, message) {}
};

/// A configuration value, key or document is invalid.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(ExitCode::Config, message) {}
};

/// Reading or writing a file failed, or would destroy existing results.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(ExitCode::Io, message) {}
};

/// The computation cannot produce an honest result.
class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& message) : Error(ExitCode::Numerical, message) {}
};

/// The run was asked to stop (signal) and stopped cleanly, keeping every finished tile.
class Interrupted : public Error {
 public:
  explicit Interrupted(const std::string& message, int exit_code = 130)
      : Error(static_cast<ExitCode>(exit_code), message) {}
};

}  // namespace trainscape
