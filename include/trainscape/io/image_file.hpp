#pragma once
/// Reading image files (any format stb_image decodes: PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PIC,
/// PNM) as a luminance image, for `trainscape dimension IMAGE`.
#include <string>

#include "trainscape/image.hpp"

namespace trainscape::io {

/// A decoded image reduced to one luminance value per pixel.
struct LuminanceImage {
  Image<double> luminance;  ///< rows x cols, in [0, 255]; row 0 = the file's top row
  int channels = 0;         ///< channels in the file: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
};

/// What an image file declares, read from its header without decoding the pixels.
struct ImageInfo {
  int cols = 0;
  int rows = 0;
  int channels = 0;
};

/// The size `path` declares (cheap: a few header bytes), so that callers can refuse an image too
/// large for memory before decoding it (a small PNG can declare 30000 x 30000 pixels of one
/// colour). Throws IoError as read_luminance does.
ImageInfo read_image_info(const std::string& path);

/// Decodes `path` to 8 bits per channel and computes, per pixel,
///   L = 0.2126 R + 0.7152 G + 0.0722 B   (grey: L = value; Rec. 709 weights on the stored,
///                                         gamma-encoded values)
///   L = L * a / 255 + 255 * (1 - a / 255) when there is an alpha channel a (composited over
///                                         white, so transparent pixels are background).
/// Rows are kept in file order (top first), as numpy / imageio read an image.
/// Throws IoError naming the path and the reason: missing file, a directory, unreadable, or not
/// a decodable image (stb_image's reason, e.g. "unknown image type", "bad png sig").
LuminanceImage read_luminance(const std::string& path);

}  // namespace trainscape::io
