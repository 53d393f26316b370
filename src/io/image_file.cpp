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

namespace {

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

/// Opens `path` for reading, or throws IoError naming the path and the OS's reason.
File open_image(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw errors::cannot_read(path, ec.message());  // e.g. a symbolic link loop
  }
  if (!std::filesystem::exists(status)) throw errors::no_such_file(path);
  if (std::filesystem::is_directory(status)) throw errors::is_a_directory(path, "an image");
  // Open it ourselves first: stb_image's reason for an unreadable file ("can't fopen") hides
  // the OS's.
  File file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw errors::cannot_read(path, errors::os_reason(errno));
  return file;
}

[[noreturn]] void not_an_image(const std::string& path) {
  // stb_image names unknown chunks by their type, which for a file cut short is four NUL bytes:
  // an empty C string.
  const char* why = stbi_failure_reason();
  const std::string reason = why && *why ? why : "the data ends early or is corrupt";
  throw errors::in_file(path, "not a readable image (" + reason +
                                  "); expected a run.h5 or an image file (PNG, JPEG, BMP, GIF, TGA, PNM)");
}

}  // namespace

ImageInfo read_image_info(const std::string& path) {
  const File file = open_image(path);
  ImageInfo info;
  if (!stbi_info_from_file(file.get(), &info.cols, &info.rows, &info.channels)) not_an_image(path);
  return info;
}

LuminanceImage read_luminance(const std::string& path) {
  const File file = open_image(path);
  int cols = 0, rows = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_file(file.get(), &cols, &rows, &channels, 0),
                                                   &stbi_image_free);
  if (!pixels) not_an_image(path);
  if (rows < 1 || cols < 1 || channels < 1 || channels > 4) {
    throw errors::in_file(path, "decoded to an unusable shape (" + std::to_string(cols) + " x " + std::to_string(rows) +
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
      case 2:
        lum = p[0];
        alpha = p[1];
        break;
      case 3: lum = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]; break;
      default:
        lum = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
        alpha = p[3];
        break;
    }
    if (alpha < 255.0) lum = lum * (alpha / 255.0) + 255.0 * (1.0 - alpha / 255.0);
    out.luminance.data[i] = lum;
  }
  return out;
}

}  // namespace trainscape::io
