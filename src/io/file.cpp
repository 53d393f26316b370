#include "trainscape/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "trainscape/error.hpp"

namespace trainscape::io {

using errors::os_reason;

// ---- reading -------------------------------------------------------------------------------------

std::string read_text_file(const std::string& path, std::size_t max_bytes, const std::string& too_large) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw errors::cannot_read(path, os_reason(errno));
  if (S_ISDIR(st.st_mode)) throw errors::cannot_read(path, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw errors::cannot_read(path, os_reason(errno));
  std::string text;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) throw errors::in_file(path, too_large);
  }
  if (in.bad()) throw errors::in_file(path, "read error: " + os_reason(errno));
  return text;
}

// ---- durable writes --------------------------------------------------------------------------------

void FileSink::append(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, bytes, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errors::cannot_write(path_, os_reason(errno));
    }
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

namespace {

/// fsync of the directory holding `path`, so that a rename into it survives a power cut.
void sync_directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // A directory we may write into but not open for reading (mode -wx) cannot be synced by us; the
  // file itself is complete and in place, so this is no reason to fail the write.
  if (fd < 0) return;
  // EINVAL: the file system does not support syncing directories (nothing more can be done).
  const int error = ::fsync(fd) != 0 && errno != EINVAL ? errno : 0;
  ::close(fd);
  if (error != 0) throw errors::cannot_sync(dir, os_reason(error));
}

}  // namespace

void write_file_durably(const std::string& path, const std::function<void(FileSink&)>& fill) {
  // Unique per process: two processes (MPI ranks, shards run twice by mistake) writing the same
  // name each rename their own complete file; a shared temporary would interleave their bytes.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  // Not O_EXCL: a leftover temporary of this pid (a recycled pid after a kill) is overwritten.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw errors::cannot_create(path, os_reason(errno));
  try {
    FileSink sink(fd, path);
    fill(sink);
    // On disk before the rename, so that a power cut cannot leave the finished name on blocks
    // that were never written.
    if (::fsync(fd) != 0) throw errors::cannot_write(path, os_reason(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // close() reports delayed write errors on some file systems (NFS): the file is not complete.
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw errors::cannot_write(path, os_reason(error));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw errors::in_file(path, "cannot rename the finished file into place: " + os_reason(error));
  }
  sync_directory_of(path);
}

void write_file_durably(const std::string& path, const std::string& bytes) {
  write_file_durably(path, [&bytes](FileSink& out) { out.append(bytes.data(), bytes.size()); });
}

void write_file_durably(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_file_durably(path, [&bytes](FileSink& out) { out.append(bytes.data(), bytes.size()); });
}

void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw errors::cannot_sync(path, os_reason(error));
  }
  ::close(fd);
}

}  // namespace trainscape::io
