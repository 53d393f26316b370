#pragma once
/// Files on disk: reading a whole file, and writing one so that no reader, kill or power cut
/// ever sees it half written. Every function throws IoError naming the path and the operating
/// system's reason (errors::cannot_read / cannot_create / cannot_write / cannot_sync).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace trainscape::io {

/// The whole file `path`, as bytes. Refuses more than `max_bytes`, counted while reading because
/// pipes and devices (/dev/zero) have no size to check first; the refusal is "<path>:
/// <too_large>". Throws IoError:
///   "<path>: cannot read: <reason>"   missing, unreadable, or "is a directory"
///   "<path>: read error: <reason>"    the read itself failed part way
std::string read_text_file(const std::string& path, std::size_t max_bytes = std::numeric_limits<std::size_t>::max(),
                           const std::string& too_large = "too large");

/// Where a write_file_durably callback puts the file's bytes.
class FileSink {
 public:
  /// Appends all `size` bytes (retrying interrupted and short writes). Throws IoError
  /// "<path>: cannot write: <reason>".
  void append(const void* data, std::size_t size);

 private:
  friend void write_file_durably(const std::string&, const std::function<void(FileSink&)>&);
  FileSink(int fd, const std::string& path) : fd_(fd), path_(path) {}
  int fd_;
  const std::string& path_;
};

/// Writes a file atomically and durably: `fill` writes the content to a temporary file in the
/// same directory ("<path>.tmp.<pid>", unique per process, so that two processes writing the
/// same name never mix their bytes), which is flushed to disk (fsync), renamed over `path`, and
/// the rename made durable by an fsync of the directory. So `path` holds either its old content
/// or the complete new one, also after a kill or a power cut, and a reader never sees a partial
/// file. On any failure (including an exception from `fill`) the temporary is removed, an
/// existing file at `path` is left untouched, and IoError says what failed:
///   "<path>: cannot create: <reason>"  the temporary cannot be created (no such directory,
///                                      permission denied)
///   "<path>: cannot write: <reason>"   writing, fsync or close failed (a full disk, a file-size
///                                      limit)
///   "<path>: cannot rename the finished file into place: <reason>"
///   "<directory>: cannot sync to disk: <reason>"  the directory's fsync failed (then the new
///                                      content is in place but may not survive a power cut)
/// Leftover temporaries of a killed process contain ".tmp." in their names; the run directory's
/// and the tile journal's readers remove them.
void write_file_durably(const std::string& path, const std::function<void(FileSink&)>& fill);
/// The same for content already in memory.
void write_file_durably(const std::string& path, const std::string& bytes);
void write_file_durably(const std::string& path, const std::vector<std::uint8_t>& bytes);

/// Flushes an existing file's content to disk (fsync), e.g. run.h5 before the journal that could
/// rebuild it is removed. Throws IoError "<path>: cannot sync to disk: <reason>" (also when the
/// file cannot be opened).
void sync_file(const std::string& path);

}  // namespace trainscape::io
