// A test-only env whose step throws on action 1: proves that an exception
// raised inside a worker thread reaches the caller and leaves the pool usable.
#pragma once

#include <stdexcept>
#include <string>

#include "fastpool/core/env.h"

namespace fastpool {

class Faulty final : public Env {
 public:
  static EnvSpec spec() {
    EnvSpec s;
    s.obs_shape = {1};
    s.obs_dtype = Dtype::kFloat32;
    s.num_actions = 2;
    return s;
  }

  void reset() override { begin_episode(); }
  void step(int32_t action) override {
    if (action == 1) throw std::runtime_error("Faulty env: step failed on purpose (action 1)");
    ++elapsed_step_;
    reward_ = 1.0;
  }
  void write(void* obs, int32_t* /*info*/) const override {
    *static_cast<float*>(obs) = static_cast<float>(elapsed_step_);
  }
};

}  // namespace fastpool
