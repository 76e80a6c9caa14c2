// Area-averaging image resize (what OpenCV calls INTER_AREA), with the
// per-axis weights computed once. Input interleaved HWC, output planar CHW.
#pragma once

#include <cstdint>
#include <vector>

namespace fastpool {

class AreaResize {
 public:
  AreaResize(int src_h, int src_w, int dst_h, int dst_w, int channels);

  // dst holds channels planes of dst_h x dst_w.
  void operator()(const uint8_t* src, uint8_t* dst);

 private:
  struct Taps {  // output index d reads src[index[k]] * weight[k] for k in [first[d], first[d + 1])
    std::vector<int> first, index;
    std::vector<float> weight;
  };
  static Taps area_taps(int src_size, int dst_size);

  int src_w_, dst_h_, dst_w_, channels_;
  Taps x_, y_;
  std::vector<float> acc_;  // one output row, all channels
};

}  // namespace fastpool
