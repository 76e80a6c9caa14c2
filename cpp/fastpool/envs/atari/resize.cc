#include "fastpool/envs/atari/resize.h"

#include <algorithm>
#include <cmath>

namespace fastpool {

// Each output cell covers `scale` source cells; a source cell contributes in
// proportion to its overlap, so the weights of one output sum to 1.
AreaResize::Taps AreaResize::area_taps(int src_size, int dst_size) {
  Taps t;
  const double scale = static_cast<double>(src_size) / dst_size;
  for (int d = 0; d < dst_size; ++d) {
    t.first.push_back(static_cast<int>(t.index.size()));
    const double f1 = d * scale, f2 = f1 + scale;
    const double cell = std::min(scale, src_size - f1);
    int s2 = std::min(static_cast<int>(std::floor(f2)), src_size - 1);
    int s1 = std::min(static_cast<int>(std::ceil(f1)), s2);
    auto add = [&t, cell](int s, double overlap) {
      t.index.push_back(s);
      t.weight.push_back(static_cast<float>(overlap / cell));
    };
    if (s1 - f1 > 1e-3) add(s1 - 1, s1 - f1);
    for (int s = s1; s < s2; ++s) add(s, 1.0);
    if (f2 - s2 > 1e-3) add(s2, std::min(std::min(f2 - s2, 1.0), cell));
  }
  t.first.push_back(static_cast<int>(t.index.size()));
  return t;
}

AreaResize::AreaResize(int src_h, int src_w, int dst_h, int dst_w, int channels)
    : src_w_(src_w),
      dst_h_(dst_h),
      dst_w_(dst_w),
      channels_(channels),
      x_(area_taps(src_w, dst_w)),
      y_(area_taps(src_h, dst_h)),
      acc_(static_cast<size_t>(dst_w) * channels) {}

void AreaResize::operator()(const uint8_t* src, uint8_t* dst) {
  const size_t plane = static_cast<size_t>(dst_h_) * dst_w_;
  for (int dy = 0; dy < dst_h_; ++dy) {
    std::fill(acc_.begin(), acc_.end(), 0.0f);
    for (int ky = y_.first[dy]; ky < y_.first[dy + 1]; ++ky) {
      const uint8_t* row = src + static_cast<size_t>(y_.index[ky]) * src_w_ * channels_;
      const float wy = y_.weight[ky];
      for (int dx = 0; dx < dst_w_; ++dx) {
        for (int c = 0; c < channels_; ++c) {
          float sum = 0.0f;
          for (int kx = x_.first[dx]; kx < x_.first[dx + 1]; ++kx)
            sum += x_.weight[kx] * row[x_.index[kx] * channels_ + c];
          acc_[dx * channels_ + c] += wy * sum;
        }
      }
    }
    for (int c = 0; c < channels_; ++c) {
      uint8_t* out = dst + c * plane + static_cast<size_t>(dy) * dst_w_;
      for (int dx = 0; dx < dst_w_; ++dx) {
        const float v = std::nearbyint(acc_[dx * channels_ + c]);
        out[dx] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
      }
    }
  }
}

}  // namespace fastpool
