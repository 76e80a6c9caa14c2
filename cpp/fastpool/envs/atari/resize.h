// Area-averaging image resize (what OpenCV calls INTER_AREA), separable, with
// the per-axis weights computed once. Input interleaved HWC, output planar CHW.
#pragma once

#include <cstdint>
#include <vector>

namespace fastpool {

class AreaResize {
 public:
  AreaResize(int src_h, int src_w, int dst_h, int dst_w, int channels);

  // dst holds `channels` planes of dst_h x dst_w.
  void operator()(const uint8_t* src, uint8_t* dst);

 private:
  // Output d reads src[first[d] + k] * weight[d * width + k] for k < width;
  // every output has `width` taps (zero weights pad the short ones).
  struct Taps {
    int width = 0;
    std::vector<int> first;
    std::vector<float> weight;
  };
  static Taps area_taps(int src_size, int dst_size);

  int src_w_, dst_h_, dst_w_, channels_;
  Taps x_, y_;
  std::vector<float> acc_;  // one vertically resized row, interleaved
};

}  // namespace fastpool
