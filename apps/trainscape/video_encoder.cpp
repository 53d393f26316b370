#include "video_encoder.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "trainscape/error.hpp"
#include "trainscape/io/file.hpp"

extern char** environ;

namespace trainscape::app {

std::string VideoEncoder::find_ffmpeg() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/ffmpeg";
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

VideoEncoder::VideoEncoder(const std::string& path, const VideoSettings& settings)
    : path_(path), partial_(path + ".partial"), settings_(settings) {
  const std::string ffmpeg = find_ffmpeg();
  if (ffmpeg.empty()) {
    throw IoError("ffmpeg: not found on PATH; movies are encoded by it (Debian: apt-get install ffmpeg)");
  }
  // ffmpeg's messages go to a private temporary file, read back only if it fails.
  char log_template[] = "/tmp/trainscape_ffmpeg_XXXXXX";
  const int log_fd = ::mkstemp(log_template);
  if (log_fd < 0) throw errors::cannot_create("/tmp/trainscape_ffmpeg_XXXXXX", errors::os_reason(errno));
  log_path_ = log_template;

  int fds[2];
  if (::pipe(fds) != 0) {
    ::close(log_fd);
    throw IoError("ffmpeg: cannot create a pipe: " + errors::os_reason(errno));
  }
  char size[32], rate[32], crf[16];
  std::snprintf(size, sizeof size, "%dx%d", settings.width, settings.height);
  std::snprintf(rate, sizeof rate, "%.17g", settings.fps);
  std::snprintf(crf, sizeof crf, "%d", settings.quality);
  const bool hevc = settings.codec == "hevc";
  std::vector<std::string> args = {ffmpeg,
                                   "-nostdin",
                                   "-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-y",
                                   "-f",
                                   "rawvideo",
                                   "-pix_fmt",
                                   "rgb24",
                                   "-s",
                                   size,
                                   "-framerate",
                                   rate,
                                   "-i",
                                   "pipe:0",
                                   "-an",
                                   "-c:v",
                                   hevc ? "libx265" : "libx264",
                                   "-pix_fmt",
                                   "yuv420p",
                                   "-crf",
                                   crf,
                                   "-preset",
                                   "medium",
                                   "-r",
                                   rate,
                                   "-movflags",
                                   "+faststart"};
  if (hevc) {
    args.insert(args.end(), {"-tag:v", "hvc1", "-x265-params", "log-level=error"});
  }
  args.insert(args.end(), {"-f", "mp4", partial_});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a Ctrl-C on the terminal reaches only us, and we stop ffmpeg ourselves.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const int rc = ::posix_spawn(&pid_, ffmpeg.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  ::close(log_fd);
  if (rc != 0) {
    ::close(fds[1]);
    pid_ = -1;
    ::unlink(log_path_.c_str());
    throw IoError(ffmpeg + ": cannot start: " + errors::os_reason(rc));
  }
  pipe_fd_ = fds[1];
  // A write to a pipe whose reader died must become EPIPE (an error we report), not a signal.
  std::signal(SIGPIPE, SIG_IGN);
}

VideoEncoder::~VideoEncoder() { abort(); }

std::string VideoEncoder::fail_text() {
  std::ifstream in(log_path_);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last.empty() ? "ffmpeg failed without a message" : "ffmpeg: " + last;
}

void VideoEncoder::write_frame(const Image<std::array<std::uint8_t, 3>>& frame) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(frame.data.data());
  std::size_t left = frame.data.size() * 3;
  while (left > 0) {
    const ssize_t n = ::write(pipe_fd_, bytes, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = errno == EPIPE ? "ffmpeg stopped reading frames" : errors::os_reason(errno);
      abort();
      throw errors::cannot_write(path_, reason);
    }
    bytes += n;
    left -= static_cast<std::size_t>(n);
  }
}

void VideoEncoder::finish() {
  ::close(pipe_fd_);
  pipe_fd_ = -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string reason = fail_text();
    abort();
    throw errors::cannot_write(path_, reason);
  }
  io::sync_file(partial_);
  std::error_code ec;
  std::filesystem::rename(partial_, path_, ec);
  if (ec) {
    abort();
    throw errors::cannot_write(path_, ec.message());
  }
  partial_.clear();  // renamed: nothing left to remove
  ::unlink(log_path_.c_str());
  log_path_.clear();
}

void VideoEncoder::abort() noexcept {
  if (pipe_fd_ >= 0) {
    ::close(pipe_fd_);
    pipe_fd_ = -1;
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (!partial_.empty()) ::unlink(partial_.c_str());
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
  log_path_.clear();
}

}  // namespace trainscape::app
