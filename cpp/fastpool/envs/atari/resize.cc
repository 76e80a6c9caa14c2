#include "fastpool/envs/atari/resize.h"

#include <algorithm>
#include <cmath>

namespace fastpool {

// Each output cell covers `scale` source cells; a source cell contributes in
// proportion to its overlap, so the weights of one output sum to 1.
AreaResize::Taps AreaResize::area_taps(int src_size, int dst_size) {
  const double scale = static_cast<double>(src_size) / dst_size;
  std::vector<std::vector<std::pair<int, float>>> taps(dst_size);
  for (int d = 0; d < dst_size; ++d) {
    const double f1 = d * scale, f2 = f1 + scale;
    const double cell = std::min(scale, src_size - f1);
    const int s2 = std::min(static_cast<int>(std::floor(f2)), src_size - 1);
    const int s1 = std::min(static_cast<int>(std::ceil(f1)), s2);
    auto add = [&taps, d, cell](int s, double overlap) { taps[d].emplace_back(s, static_cast<float>(overlap / cell)); };
    if (s1 - f1 > 1e-3) add(s1 - 1, s1 - f1);
    for (int s = s1; s < s2; ++s) add(s, 1.0);
    if (f2 - s2 > 1e-3) add(s2, std::min(std::min(f2 - s2, 1.0), cell));
  }
  Taps t;
  for (const auto& d : taps) t.width = std::max(t.width, static_cast<int>(d.size()));
  t.first.resize(dst_size);
  t.weight.assign(static_cast<size_t>(dst_size) * t.width, 0.0f);
  for (int d = 0; d < dst_size; ++d) {
    // Start early enough that `width` taps stay inside the source.
    t.first[d] = std::min(taps[d].front().first, src_size - t.width);
    for (const auto& [s, w] : taps[d]) t.weight[static_cast<size_t>(d) * t.width + (s - t.first[d])] = w;
  }
  return t;
}

AreaResize::AreaResize(int src_h, int src_w, int dst_h, int dst_w, int channels)
    : src_w_(src_w),
      dst_h_(dst_h),
      dst_w_(dst_w),
      channels_(channels),
      x_(area_taps(src_w, dst_w)),
      y_(area_taps(src_h, dst_h)),
      acc_(static_cast<size_t>(src_w) * channels) {}

namespace {

// Horizontal pass for one row. Channels and (for the common sizes) the tap count are known at
// compile time, so the tap loop unrolls; Width 0 reads the count at run time.
template <int Channels, int Width>
void horizontal(const float* row, int dst_w, int width, const int* first, const float* weight, uint8_t* dst,
                size_t plane) {
  if constexpr (Width > 0) width = Width;
  for (int dx = 0; dx < dst_w; ++dx) {
    const float* s = row + static_cast<size_t>(first[dx]) * Channels;
    const float* w = weight + static_cast<size_t>(dx) * width;
    for (int c = 0; c < Channels; ++c) {
      float sum = 0.0f;
      for (int k = 0; k < width; ++k) sum += w[k] * s[k * Channels + c];
      // Round half up (sum >= 0): inline, where nearbyint is a libm call per pixel on baseline x86-64.
      dst[c * plane + dx] = static_cast<uint8_t>(std::min(sum + 0.5f, 255.0f));
    }
  }
}

template <int Channels>
void horizontal(const float* row, int dst_w, int width, const int* first, const float* weight, uint8_t* dst,
                size_t plane) {
  switch (width) {  // 2-4 taps cover downscales by up to 3x (84 from 210 x 160: 3 and 3)
    case 2: return horizontal<Channels, 2>(row, dst_w, width, first, weight, dst, plane);
    case 3: return horizontal<Channels, 3>(row, dst_w, width, first, weight, dst, plane);
    case 4: return horizontal<Channels, 4>(row, dst_w, width, first, weight, dst, plane);
    default: return horizontal<Channels, 0>(row, dst_w, width, first, weight, dst, plane);
  }
}

}  // namespace

void AreaResize::operator()(const uint8_t* src, uint8_t* dst) {
  // Vertical pass first, whole interleaved rows at a time (vectorizes), so the
  // scalar horizontal pass runs over dst_h rows rather than src_h.
  const size_t row_len = static_cast<size_t>(src_w_) * channels_;
  const size_t plane = static_cast<size_t>(dst_h_) * dst_w_;
  for (int dy = 0; dy < dst_h_; ++dy) {
    float* acc = acc_.data();
    const float* w = &y_.weight[static_cast<size_t>(dy) * y_.width];
    const uint8_t* in = src + static_cast<size_t>(y_.first[dy]) * row_len;
    for (size_t i = 0; i < row_len; ++i) acc[i] = w[0] * static_cast<float>(in[i]);  // = 0 + w0 * in: exact
    for (int k = 1; k < y_.width; ++k) {
      in += row_len;
      for (size_t i = 0; i < row_len; ++i) acc[i] += w[k] * static_cast<float>(in[i]);
    }
    uint8_t* out = dst + static_cast<size_t>(dy) * dst_w_;
    if (channels_ == 1)
      horizontal<1>(acc, dst_w_, x_.width, x_.first.data(), x_.weight.data(), out, plane);
    else
      horizontal<3>(acc, dst_w_, x_.width, x_.first.data(), x_.weight.data(), out, plane);
  }
}

}  // namespace fastpool
