// A test-only env. Action 0 steps normally, action 1 throws (an exception
// raised inside a worker must reach the caller and leave the pool usable),
// action 2 takes 200 ms (to test calls made while a step is in progress).
#pragma once

#include <chrono>
#include <stdexcept>
#include <thread>

#include "fastpool/core/env.h"

namespace fastpool {

class Faulty final : public Env {
 public:
  static EnvSpec spec() {
    EnvSpec s;
    s.obs_shape = {1};
    s.obs_dtype = Dtype::kFloat32;
    s.num_actions = 3;
    s.action_names = {"STEP", "THROW", "SLEEP"};
    return s;
  }

  void reset() override { begin_episode(); }
  void step(int32_t action) override {
    if (action == 1) throw std::runtime_error("Faulty env: step failed on purpose (action 1)");
    if (action == 2) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ++elapsed_step_;
    reward_ = 1.0;
  }
  void write(void* obs, int32_t* /*info*/) const override {
    *static_cast<float*>(obs) = static_cast<float>(elapsed_step_);
  }
};

}  // namespace fastpool
