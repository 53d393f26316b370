#pragma once
/// An MP4 written by Debian's ffmpeg binary, fed raw RGB frames through a pipe. The file appears
/// under its name only when complete: ffmpeg writes "<path>.partial" in the same directory, which
/// finish() syncs and renames; abort() (and the destructor of an unfinished encoder) stops ffmpeg
/// and removes the partial file.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>

#include "trainscape/image.hpp"

namespace trainscape::app {

struct VideoSettings {
  int width = 0;  ///< even, >= 2 (yuv420p halves the colour resolution)
  int height = 0;
  double fps = 30.0;
  std::string codec = "h264";  ///< h264 (libx264) or hevc (libx265); both yuv420p
  int quality = 18;            ///< the encoder's CRF, 0 (lossless-ish) .. 51
};

class VideoEncoder {
 public:
  /// Starts ffmpeg writing `path` (a temporary name first). Throws IoError (exit 4) when no
  /// ffmpeg is on PATH ("ffmpeg: not found on PATH ..."), or when it cannot be started.
  VideoEncoder(const std::string& path, const VideoSettings& settings);
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  /// Sends one frame (width x height, row 0 = top). Throws IoError with ffmpeg's message if it
  /// stopped accepting frames.
  void write_frame(const Image<std::array<std::uint8_t, 3>>& frame);
  /// Ends the stream, waits for ffmpeg, checks it succeeded, syncs and renames the file into
  /// place. Throws IoError naming the path and ffmpeg's last message otherwise.
  void finish();
  /// Stops ffmpeg and removes the partial file (no throw).
  void abort() noexcept;

  /// The ffmpeg executable found on PATH, or "" if none.
  static std::string find_ffmpeg();

 private:
  std::string fail_text();
  std::string path_;
  std::string partial_;
  std::string log_path_;
  VideoSettings settings_;
  pid_t pid_ = -1;
  int pipe_fd_ = -1;
};

}  // namespace trainscape::app
