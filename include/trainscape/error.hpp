#pragma once
/// trainscape's error types. Every error a user can cause is a trainscape::Error carrying the
/// process exit code the command-line tool returns for it; the message is one line, names the
/// file / line / key / value involved and the rule that was broken.
///
/// The recurring shapes of those messages have named factories (namespace errors, below), so
/// that the same failure reads the same wherever it happens: `throw errors::cannot_read(path,
/// reason)` rather than another hand-assembled `path + ": cannot read: " + ...`.
#include <cstring>
#include <stdexcept>
#include <string>

namespace trainscape {

/// Exit codes of the trainscape command (documented in the README).
enum class ExitCode : int {
  Success = 0,
  Internal = 1,      ///< a bug: an unexpected exception escaped
  Usage = 2,         ///< bad command line (unknown option, missing argument)
  Config = 3,        ///< invalid configuration: YAML syntax, unknown/duplicate key, type, range
  Io = 4,            ///< a file could not be read or written, or an output would be clobbered
  Numerical = 5,     ///< the computation cannot honestly continue (e.g. no boundary to zoom into)
  Interrupted = 130  ///< stopped by SIGINT (143 for SIGTERM); finished tiles are kept
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

/// Factories for the messages that recur across the library and the tool. Each returns the
/// error (to be thrown: `throw errors::no_such_file(path);`), its message made one line.
/// `path` is a file or directory as the user named it; `reason` is the operating system's or a
/// library's explanation (os_reason(errno), std::error_code::message(), HDF5's text).
namespace errors {

/// `text` on one line: each line feed becomes a backslash and 'n', each carriage return a
/// backslash and 'r' (as C writes them), so that a path or a library's reason holding a line
/// break cannot split an error message (or forge a second "trainscape: error:" line).
/// Everything else is kept as it is.
inline std::string one_line(std::string text) {
  for (std::size_t i = 0; (i = text.find_first_of("\n\r", i)) != std::string::npos; i += 2) {
    text.replace(i, 1, text[i] == '\n' ? "\\n" : "\\r");
  }
  return text;
}

/// The operating system's text for an errno value, e.g. "No such file or directory".
inline std::string os_reason(int errno_value) { return std::strerror(errno_value); }

/// "<path>: <problem>": the general shape, for a file whose content or state is wrong in a way
/// no more specific factory names ("<path>: checksum mismatch (the tile file is corrupt)").
inline IoError in_file(const std::string& path, const std::string& problem) {
  return IoError(one_line(path + ": " + problem));
}
/// "<path>: no such file".
inline IoError no_such_file(const std::string& path) { return in_file(path, "no such file"); }
/// "<path>: is a directory, not <expected>", e.g. expected = "an image".
inline IoError is_a_directory(const std::string& path, const std::string& expected) {
  return in_file(path, "is a directory, not " + expected);
}
/// "<path>: cannot read: <reason>".
inline IoError cannot_read(const std::string& path, const std::string& reason) {
  return in_file(path, "cannot read: " + reason);
}
/// "<path>: cannot create: <reason>".
inline IoError cannot_create(const std::string& path, const std::string& reason) {
  return in_file(path, "cannot create: " + reason);
}
/// "<path>: cannot write: <reason>".
inline IoError cannot_write(const std::string& path, const std::string& reason) {
  return in_file(path, "cannot write: " + reason);
}
/// "<path>: cannot remove: <reason>".
inline IoError cannot_remove(const std::string& path, const std::string& reason) {
  return in_file(path, "cannot remove: " + reason);
}
/// "<path>: cannot sync to disk: <reason>" (fsync failed: the data may not survive a power cut).
inline IoError cannot_sync(const std::string& path, const std::string& reason) {
  return in_file(path, "cannot sync to disk: " + reason);
}
/// "<path>: not a trainscape run (<why>)", for a file that is not (or no longer) a run.h5.
inline IoError not_a_run(const std::string& path, const std::string& why) {
  return in_file(path, "not a trainscape run (" + why + ")");
}

/// "[<where>: ]<key> = <value>: <rule>", e.g. "quick.yaml:4:10: model.width = 0: must be an
/// integer in [1, 4096]" or "training.batch = 500: must not exceed the dataset size 100". `key`
/// is the config key ("section.key") or the name of a setting; `value` is shown as the user wrote
/// it; `where` (optional) is "file:line:column", a file, "--set ..." or the command.
inline ConfigError config_value(const std::string& key, const std::string& value, const std::string& rule,
                                const std::string& where = "") {
  return ConfigError(one_line((where.empty() ? "" : where + ": ") + key + " = " + value + ": " + rule));
}
/// "<where>: <problem>" for a config document, where `where` is "file:line:column", a file name
/// or "--set section.key=value".
inline ConfigError in_config(const std::string& where, const std::string& problem) {
  return ConfigError(one_line(where + ": " + problem));
}

/// "<option> <value>: <rule>", for a command-line value its parser cannot check, e.g.
/// "--threshold 300: must be in [0, 256]".
inline UsageError option_value(const std::string& option, const std::string& value, const std::string& rule) {
  return UsageError(one_line(option + " " + value + ": " + rule));
}

}  // namespace errors

}  // namespace trainscape
