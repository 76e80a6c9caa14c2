// CartPole-v1, step for step the same as gymnasium's CartPoleEnv under its
// TimeLimit wrapper: float64 state, float32 observation, reward 1 per step,
// truncation after max_episode_steps (500).
#pragma once

#include "fastpool/core/env.h"

namespace fastpool {

class CartPole final : public Env {
 public:
  static constexpr int kDefaultMaxEpisodeSteps = 500;

  explicit CartPole(int max_episode_steps = kDefaultMaxEpisodeSteps) : max_episode_steps_(max_episode_steps) {}

  static EnvSpec spec();

  void reset() override;
  void step(int32_t action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  int max_episode_steps_;
  double state_[4] = {0, 0, 0, 0};  // x, x_dot, theta, theta_dot
  bool fell_ = false;  // terminated was returned this episode
};

}  // namespace fastpool
