// PNG encoding: decodes to the right size and orientation, carries valid tEXt chunks.
#include <catch2/catch.hpp>

#include <stb_image.h>

#include <cstring>
#include <string>

#include "trainscape/io/png.hpp"

using namespace trainscape;

namespace {
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
}  // namespace

TEST_CASE("crc32 matches the standard check value", "[png]") {
  const char* s = "123456789";
  CHECK(io::crc32(reinterpret_cast<const std::uint8_t*>(s), 9) == 0xCBF43926u);
}

TEST_CASE("a PNG decodes to the image, origin lower left, with its text chunks", "[png]") {
  Image<std::array<std::uint8_t, 3>> rgb(3, 5);  // 3 rows, 5 columns
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 5; ++c) rgb(r, c) = {std::uint8_t(10 * r), std::uint8_t(20 * c), std::uint8_t(7)};
  const auto png = io::encode_png(rgb, {{"Software", "trainscape test"}, {"trainscape.config", "model: {width: 3}\n"}});

  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &w, &h, &channels, 3);
  REQUIRE(pixels != nullptr);
  CHECK(w == 5);
  CHECK(h == 3);
  // Displayed top row = stored last row (y_max).
  for (int display_row = 0; display_row < 3; ++display_row) {
    for (int c = 0; c < 5; ++c) {
      const unsigned char* px = pixels + (display_row * 5 + c) * 3;
      CHECK(px[0] == 10 * (2 - display_row));
      CHECK(px[1] == 20 * c);
      CHECK(px[2] == 7);
    }
  }
  stbi_image_free(pixels);

  // Walk the chunks: every CRC valid, the two tEXt chunks present after IHDR and before IDAT.
  REQUIRE(png.size() > 8);
  std::size_t pos = 8;
  std::vector<std::string> order, texts;
  while (pos + 12 <= png.size()) {
    const std::uint32_t len = be32(&png[pos]);
    const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    REQUIRE(pos + 12 + len <= png.size());
    CHECK(io::crc32(&png[pos + 4], len + 4) == be32(&png[pos + 8 + len]));
    order.push_back(type);
    if (type == "tEXt") texts.emplace_back(reinterpret_cast<const char*>(&png[pos + 8]), len);
    pos += 12 + len;
  }
  CHECK(pos == png.size());
  REQUIRE(order.size() >= 5);
  CHECK(order[0] == "IHDR");
  CHECK(order[1] == "tEXt");
  CHECK(order[2] == "tEXt");
  CHECK(order.back() == "IEND");
  REQUIRE(texts.size() == 2);
  CHECK(texts[0] == std::string("Software\0trainscape test", 24));
  CHECK(texts[1] == std::string("trainscape.config\0model: {width: 3}\n", 36));
}

TEST_CASE("text chunk keywords are validated", "[png]") {
  Image<std::array<std::uint8_t, 3>> rgb(2, 2);
  CHECK_THROWS(io::encode_png(rgb, {{"", "x"}}));
  CHECK_THROWS(io::encode_png(rgb, {{std::string(80, 'k'), "x"}}));
}
