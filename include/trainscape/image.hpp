#pragma once
/// A dense 2-D array in row-major order, the common currency of frames, masks and colour buffers.
///
/// Orientation convention used everywhere in trainscape (docs/model.md#pixel-grid): row 0 is
/// y_min and column 0 is x_min, i.e. the array is stored "origin lower left". Only the PNG
/// writer flips rows for display.
#include <cassert>
#include <cstddef>
#include <vector>

namespace trainscape {

template <class T>
struct Image {
  using value_type = T;
  int rows = 0;
  int cols = 0;
  std::vector<T> data;  ///< rows * cols values, element (r, c) at r * cols + c

  Image() = default;
  Image(int rows_, int cols_, T fill = T{})
      : rows(rows_), cols(cols_), data(static_cast<std::size_t>(rows_) * static_cast<std::size_t>(cols_), fill) {}

  T& operator()(int r, int c) {
    assert(r >= 0 && r < rows && c >= 0 && c < cols);
    return data[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
  }
  const T& operator()(int r, int c) const {
    assert(r >= 0 && r < rows && c >= 0 && c < cols);
    return data[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
  }
  std::size_t size() const { return data.size(); }
  bool operator==(const Image& other) const { return rows == other.rows && cols == other.cols && data == other.data; }
};

}  // namespace trainscape
