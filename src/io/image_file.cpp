#include "trainscape/io/image_file.hpp"

#include <stb_image.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "trainscape/error.hpp"

namespace trainscape::io {

LuminanceImage read_luminance(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw IoError(path + ": no such file");
  if (std::filesystem::is_directory(status)) throw IoError(path + ": is a directory, not an image");
  // Open it ourselves first: stb_image's reason for an unreadable file ("can't fopen") hides
  // the OS's.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw IoError(path + ": cannot read: " + std::strerror(errno));

  int cols = 0, rows = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_file(file.get(), &cols, &rows, &channels, 0),
                                                   &stbi_image_free);
  if (!pixels) {
    const char* why = stbi_failure_reason();
    throw IoError(path + ": not a readable image (" + (why ? why : "unknown reason") +
                  "); expected a run.h5 or an image file (PNG, JPEG, BMP, GIF, TGA, PNM)");
  }
  if (rows < 1 || cols < 1 || channels < 1 || channels > 4) {
    throw IoError(path + ": decoded to an unusable shape (" + std::to_string(cols) + " x " + std::to_string(rows) +
                  " pixels, " + std::to_string(channels) + " channels)");
  }
  LuminanceImage out;
  out.channels = channels;
  out.luminance = Image<double>(rows, cols, 0.0);
  const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  const stbi_uc* p = pixels.get();
  for (std::size_t i = 0; i < n; ++i, p += channels) {
    double lum = 0.0, alpha = 255.0;
    switch (channels) {
      case 1: lum = p[0]; break;
      case 2: lum = p[0]; alpha = p[1]; break;
      case 3: lum = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]; break;
      default: lum = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]; alpha = p[3]; break;
    }
    if (alpha < 255.0) lum = lum * (alpha / 255.0) + 255.0 * (1.0 - alpha / 255.0);
    out.luminance.data[i] = lum;
  }
  return out;
}

}  // namespace trainscape::io
