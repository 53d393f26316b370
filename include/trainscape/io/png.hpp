#pragma once
/// PNG images of frames, with their provenance in tEXt chunks.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "trainscape/image.hpp"

namespace trainscape::io {

/// Encodes an RGB image as PNG bytes. The image is stored origin-lower-left (row 0 = y_min), so
/// rows are written last-first: the displayed picture has y increasing upwards, like the paper's.
/// Each (keyword, text) pair becomes a tEXt chunk placed before the image data (keyword: 1-79
/// Latin-1 characters; text must not contain NUL). Throws IoError if encoding fails.
std::vector<std::uint8_t> encode_png(const Image<std::array<std::uint8_t, 3>>& rgb,
                                     const std::vector<std::pair<std::string, std::string>>& text);

/// Writes encoded PNG bytes to `path` with write_file_durably (file.hpp: atomic, durable, IoError
/// naming the path and the reason), with the interruption tests' "png" fault point between the
/// two halves of the file.
void write_png_file(const std::string& path, const std::vector<std::uint8_t>& bytes);

/// CRC-32 (ISO-HDLC, as PNG uses) of a byte range.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace trainscape::io
