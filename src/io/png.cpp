#include "trainscape/io/png.hpp"

#include <stb_image_write.h>

#include <cstring>

#include "fault.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/file.hpp"

namespace trainscape::io {

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  // Bitwise, reflected polynomial 0xEDB88320: a few hundred bytes of text per image do not need
  // a table.
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

namespace {

void append_u32_be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

std::vector<std::uint8_t> text_chunk(const std::string& keyword, const std::string& text) {
  if (keyword.empty() || keyword.size() > 79 || keyword.find('\0') != std::string::npos ||
      text.find('\0') != std::string::npos) {
    throw IoError("PNG text chunk '" + keyword + "': keyword must be 1-79 characters and neither may contain NUL");
  }
  std::vector<std::uint8_t> body;
  const char type[4] = {'t', 'E', 'X', 't'};
  body.insert(body.end(), type, type + 4);
  body.insert(body.end(), keyword.begin(), keyword.end());
  body.push_back(0);
  body.insert(body.end(), text.begin(), text.end());
  std::vector<std::uint8_t> chunk;
  append_u32_be(chunk, static_cast<std::uint32_t>(body.size() - 4));
  chunk.insert(chunk.end(), body.begin(), body.end());
  append_u32_be(chunk, crc32(body.data(), body.size()));
  return chunk;
}

void collect_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

std::vector<std::uint8_t> encode_png(const Image<std::array<std::uint8_t, 3>>& rgb,
                                     const std::vector<std::pair<std::string, std::string>>& text) {
  const int w = rgb.cols, h = rgb.rows;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * 3);
  for (int display_row = 0; display_row < h; ++display_row) {
    const int stored_row = h - 1 - display_row;  // origin lower left
    for (int c = 0; c < w; ++c) {
      const auto& px = rgb(stored_row, c);
      std::memcpy(&pixels[(static_cast<std::size_t>(display_row) * w + c) * 3], px.data(), 3);
    }
  }
  std::vector<std::uint8_t> png;
  if (w <= 0 || h <= 0 || !stbi_write_png_to_func(collect_bytes, &png, w, h, 3, pixels.data(), w * 3)) {
    throw IoError("PNG encoding of a " + std::to_string(w) + " x " + std::to_string(h) + " image failed");
  }
  // stb writes signature (8 bytes), IHDR (25 bytes), IDAT..., IEND; tEXt goes right after IHDR.
  constexpr std::size_t kAfterHeader = 8 + 25;
  std::vector<std::uint8_t> chunks;
  for (const auto& [key, value] : text) {
    const auto c = text_chunk(key, value);
    chunks.insert(chunks.end(), c.begin(), c.end());
  }
  png.insert(png.begin() + static_cast<std::ptrdiff_t>(kAfterHeader), chunks.begin(), chunks.end());
  return png;
}

void write_png_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_file_durably(path, [&bytes](FileSink& out) {
    // Two halves, so that the interruption tests can kill the process between them.
    const std::size_t half = bytes.size() / 2;
    out.append(bytes.data(), half);
    fault_point("png");
    out.append(bytes.data() + half, bytes.size() - half);
  });
}

}  // namespace trainscape::io
