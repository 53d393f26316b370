#include "trainscape/dimension/statistics.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "dimension/common.hpp"
#include "trainscape/error.hpp"

namespace trainscape {

using namespace dimension_detail;

namespace {

// ---- box counting with offsets and blocks ----------------------------------------------------------

void box_statistics(const Image<std::uint8_t>& edges, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = edges.rows, W = edges.cols;
  const int n = std::min(H, W);
  const int B = fs.blocks;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  for (int d : scale_ladder(o.per_octave, n / 8)) {
    if (d >= 2) fs.box_sizes.push_back(d);
  }
  const std::size_t ns = fs.box_sizes.size();
  fs.box_counts.assign(ns, 0.0);
  fs.box_counts0.assign(ns, 0.0);
  fs.box_tiles.assign(ns, 0.0);
  fs.box_block_counts.assign(ns * nb, 0.0);
  if (ns == 0) return;

  // Summed-area table: sat(r, c) = edge pixels in rows < r, columns < c.
  const std::size_t sw = static_cast<std::size_t>(W) + 1;
  std::vector<std::uint32_t> sat((static_cast<std::size_t>(H) + 1) * sw, 0);
  for (int r = 0; r < H; ++r) {
    std::uint32_t row_sum = 0;
    for (int c = 0; c < W; ++c) {
      row_sum += edges(r, c) != 0 ? 1u : 0u;
      sat[(static_cast<std::size_t>(r) + 1) * sw + static_cast<std::size_t>(c) + 1] =
          sat[static_cast<std::size_t>(r) * sw + static_cast<std::size_t>(c) + 1] + row_sum;
    }
  }
  auto rect = [&](int r0, int r1, int c0, int c1) {
    const std::size_t a = static_cast<std::size_t>(r0) * sw, b = static_cast<std::size_t>(r1) * sw;
    return sat[b + static_cast<std::size_t>(c1)] - sat[a + static_cast<std::size_t>(c1)] -
           sat[b + static_cast<std::size_t>(c0)] + sat[a + static_cast<std::size_t>(c0)];
  };

  std::vector<double> block(nb);
  for (std::size_t si = 0; si < ns; ++si) {
    const int d = fs.box_sizes[si];
    std::vector<int> offs;
    for (int j = 0; j < std::max(1, o.offsets); ++j) {
      const int off = static_cast<int>(static_cast<long long>(j) * d / std::max(1, o.offsets));
      if (std::find(offs.begin(), offs.end(), off) == offs.end()) offs.push_back(off);
    }
    std::fill(block.begin(), block.end(), 0.0);
    double sum_count = 0, sum_tiles = 0;
    for (int oy : offs) {
      for (int ox : offs) {
        std::int64_t count = 0, tiles = 0;
        // Tile edges at offset + m d; the first tile is [offset - d, offset) clipped to the image.
        for (int r0 = oy > 0 ? oy - d : 0; r0 < H; r0 += d) {
          const int rlo = std::max(r0, 0), rhi = std::min(r0 + d, H);
          const int br = std::min(B - 1, static_cast<int>(static_cast<long long>(rlo + rhi) * B / (2LL * H)));
          for (int c0 = ox > 0 ? ox - d : 0; c0 < W; c0 += d) {
            const int clo = std::max(c0, 0), chi = std::min(c0 + d, W);
            ++tiles;
            if (rect(rlo, rhi, clo, chi) == 0) continue;
            ++count;
            const int bc = std::min(B - 1, static_cast<int>(static_cast<long long>(clo + chi) * B / (2LL * W)));
            block[static_cast<std::size_t>(br) * static_cast<std::size_t>(B) + static_cast<std::size_t>(bc)] += 1.0;
          }
        }
        if (ox == 0 && oy == 0) fs.box_counts0[si] = static_cast<double>(count);
        sum_count += static_cast<double>(count);
        sum_tiles += static_cast<double>(tiles);
      }
    }
    const double n_off = static_cast<double>(offs.size() * offs.size());
    fs.box_counts[si] = sum_count / n_off;
    fs.box_tiles[si] = sum_tiles / n_off;
    for (std::size_t b = 0; b < nb; ++b) fs.box_block_counts[si * nb + b] = block[b] / n_off;
  }
}

// ---- pair statistics -------------------------------------------------------------------------------

/// Per block of base pixel p: the count of pairs (p, p + k e), e = x and y, whose phases differ,
/// for every lag k <= K; base pixels in columns [0, W - K) (horizontal) and rows [0, H - K)
/// (vertical), the fixed base set of docs/dimension.md#pair-estimator.
void pair_two_phase(const Image<std::uint8_t>& S, int K, const std::vector<int>& lags, int B,
                    double* hits /*[lag * B^2 + block]*/, double* total /*[block]*/) {
  const int H = S.rows, W = S.cols;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  std::vector<int> col_block_end(static_cast<std::size_t>(B));
  for (int b = 0; b < B; ++b)
    col_block_end[static_cast<std::size_t>(b)] = static_cast<int>((static_cast<long long>(b) + 1) * W / B);
  auto row_block = [&](int r) { return std::min(B - 1, static_cast<int>(static_cast<long long>(r) * B / H)); };

  // Pairs in each block of the base set.
  for (int r = 0; r < H; ++r) {
    int c0 = 0;
    for (int b = 0; b < B; ++b) {
      const int c1 = col_block_end[static_cast<std::size_t>(b)];
      const std::size_t bi = static_cast<std::size_t>(row_block(r)) * static_cast<std::size_t>(B) +
                             static_cast<std::size_t>(b);
      const int h_end = std::min(c1, W - K);
      if (h_end > c0) total[bi] += h_end - c0;
      if (r < H - K && c1 > c0) total[bi] += c1 - c0;
      c0 = c1;
    }
  }
  for (std::size_t li = 0; li < lags.size(); ++li) {
    const int k = lags[li];
    if (k > K) break;
    double* h = hits + li * nb;
    for (int r = 0; r < H; ++r) {
      const std::uint8_t* row = S.data.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(W);
      const std::uint8_t* below = r < H - K ? row + static_cast<std::size_t>(k) * static_cast<std::size_t>(W) : nullptr;
      const std::size_t br = static_cast<std::size_t>(row_block(r)) * static_cast<std::size_t>(B);
      int c0 = 0;
      for (int b = 0; b < B; ++b) {
        const int c1 = col_block_end[static_cast<std::size_t>(b)];
        std::int64_t n = 0;
        const int h_end = std::min(c1, W - K);
        for (int c = c0; c < h_end; ++c) n += row[c] != row[c + k];
        if (below) {
          for (int c = c0; c < c1; ++c) n += row[c] != below[c];
        }
        h[br + static_cast<std::size_t>(b)] += static_cast<double>(n);
        c0 = c1;
      }
    }
  }
}

/// The phase image S = !(m < 0), its minority phase T, and whether T is a thin set.
struct Phases {
  Image<std::uint8_t> S;
  Image<std::uint8_t> T;
};

Phases classify_phases(const Image<double>& measure, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = measure.rows, W = measure.cols;
  Phases p;
  p.S = Image<std::uint8_t>(H, W, 0);
  std::int64_t set = 0;
  for (std::size_t i = 0; i < p.S.data.size(); ++i) {
    p.S.data[i] = !(measure.data[i] < 0.0) ? 1 : 0;
    set += p.S.data[i];
  }
  const double set_fraction = static_cast<double>(set) / static_cast<double>(p.S.data.size());
  fs.minority_fraction = std::min(set_fraction, 1.0 - set_fraction);
  p.T = p.S;
  if (set_fraction > 0.5) {
    for (auto& v : p.T.data) v = v ? 0 : 1;
  }
  // Interior pixels of T: all four neighbours (those inside the image) in T as well.
  std::int64_t members = 0, interior = 0;
  for (int r = 0; r < H; ++r) {
    for (int c = 0; c < W; ++c) {
      if (!p.T(r, c)) continue;
      ++members;
      const bool in = (r == 0 || p.T(r - 1, c)) && (r == H - 1 || p.T(r + 1, c)) && (c == 0 || p.T(r, c - 1)) &&
                      (c == W - 1 || p.T(r, c + 1));
      interior += in ? 1 : 0;
    }
  }
  fs.interior_fraction = members > 0 ? static_cast<double>(interior) / static_cast<double>(members) : 0.0;
  fs.thin = members > 0 && fs.interior_fraction < o.thin_interior && fs.minority_fraction < o.thin_area;
  return p;
}

void pair_statistics(const Phases& p, const DimensionOptions& o, FrameStatistics& fs) {
  const int H = p.S.rows, W = p.S.cols;
  const int n = std::min(H, W);
  const int B = fs.blocks;
  const std::size_t nb = static_cast<std::size_t>(B) * static_cast<std::size_t>(B);
  // Differences of a thin set do not scale with its dimension (docs/dimension.md#pair-estimator).
  if (fs.thin) return;
  fs.pair_lags = scale_ladder(o.per_octave, n / 8);
  fs.pair_bases = pair_base_widths(fs.pair_lags, n, o);
  const std::size_t nl = fs.pair_lags.size();
  fs.pair_hits.assign(fs.pair_bases.size() * nl * nb, 0.0);
  fs.pair_total.assign(fs.pair_bases.size() * nb, 0.0);
  for (std::size_t bi = 0; bi < fs.pair_bases.size(); ++bi) {
    const int K = fs.pair_bases[bi];
    if (K < 1 || K >= n) continue;
    double* hits = fs.pair_hits.data() + bi * nl * nb;
    double* total = fs.pair_total.data() + bi * nb;
    pair_two_phase(p.S, K, fs.pair_lags, B, hits, total);
  }
}

}  // namespace

// ---- public: image estimators ----------------------------------------------------------------------

Image<double> phase_measure(const Image<std::uint8_t>& set) {
  Image<double> m(set.rows, set.cols, -1.0);
  for (std::size_t i = 0; i < set.data.size(); ++i) m.data[i] = set.data[i] != 0 ? 1.0 : -1.0;
  return m;
}

FrameStatistics frame_statistics(const Image<double>& measure, const DimensionOptions& options) {
  if (measure.rows < 2 || measure.cols < 2) {
    throw NumericalError("a frame of " + std::to_string(measure.rows) + " x " + std::to_string(measure.cols) +
                         " pixels is too small for a dimension (at least 2 x 2)");
  }
  FrameStatistics fs;
  fs.rows = measure.rows;
  fs.cols = measure.cols;
  fs.blocks = std::max(1, options.blocks);
  const Image<std::uint8_t> edges = edge_mask(measure);
  for (std::uint8_t e : edges.data) fs.edge_pixels += e ? 1 : 0;
  fs.porespy = porespy_boxcount(edges);
  const Phases phases = classify_phases(measure, options, fs);
  // A thin set is its own boundary: counting its pixels avoids the 2-3 px band the edge rule
  // draws around a 1-px line.
  const Image<std::uint8_t>& box_mask = fs.thin ? phases.T : edges;
  for (std::uint8_t e : box_mask.data) fs.box_mask_pixels += e ? 1 : 0;
  box_statistics(box_mask, options, fs);
  pair_statistics(phases, options, fs);
  return fs;
}

}  // namespace trainscape
