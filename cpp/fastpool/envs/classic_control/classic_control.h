// gymnasium's classic-control envs, each step for step the same as gymnasium's under its
// TimeLimit wrapper and numpy >= 2 (NEP 50 promotion: a Python float meeting a float32 stays
// float32). Each step() repeats gymnasium's expressions in its order and its dtypes, so
// results round the same; the build disables FMA contraction.
#pragma once

#include <memory>
#include <string>

#include "fastpool/core/env.h"

namespace fastpool {

// What the family shares: gymnasium's TimeLimit wrapper. An env's step() sets reward_ and
// terminated_ from its dynamics, then calls count_step().
class ClassicControlEnv : public Env {
 public:
  explicit ClassicControlEnv(int max_episode_steps) : max_episode_steps_(max_episode_steps) {}

 protected:
  void count_step() {
    ++elapsed_step_;
    truncated_ = elapsed_step_ >= max_episode_steps_;
  }

 private:
  int max_episode_steps_;
};

// CartPole-v1: float64 state, reward 1 per step; discrete push left / right.
class CartPole final : public ClassicControlEnv {
 public:
  using ClassicControlEnv::ClassicControlEnv;
  static EnvSpec spec();
  void reset() override;
  void step(int32_t action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  double state_[4] = {0, 0, 0, 0};  // x, x_dot, theta, theta_dot
  bool fell_ = false;  // terminated was returned this episode
};

// Acrobot-v1: two links, RK4 over [0, 0.2] in float64; discrete torque -1, 0, +1.
class Acrobot final : public ClassicControlEnv {
 public:
  using ClassicControlEnv::ClassicControlEnv;
  static EnvSpec spec();
  void reset() override;
  void step(int32_t action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  double s_[4] = {0, 0, 0, 0};  // theta1, theta2, dtheta1, dtheta2
};

// MountainCar-v0: float64 state, discrete push left / none / right.
class MountainCar final : public ClassicControlEnv {
 public:
  using ClassicControlEnv::ClassicControlEnv;
  static EnvSpec spec();
  void reset() override;
  void step(int32_t action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  double position_ = 0, velocity_ = 0;
};

// MountainCarContinuous-v0: a float32 force in [-1, 1] (clipped, as gymnasium does).
class MountainCarContinuous final : public ClassicControlEnv {
 public:
  using ClassicControlEnv::ClassicControlEnv;
  static EnvSpec spec();
  void reset() override;
  void step_box(const float* action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  double position_ = 0, velocity_ = 0;
  bool float32_state_ = false;  // gymnasium's state is float64 after reset, float32 after a step
};

// Pendulum-v1: float64 state, a float32 torque in [-2, 2] (clipped, as gymnasium does).
class Pendulum final : public ClassicControlEnv {
 public:
  using ClassicControlEnv::ClassicControlEnv;
  static EnvSpec spec();
  void reset() override;
  void step_box(const float* action) override;
  void write(void* obs, int32_t* info) const override;

 private:
  double th_ = 0, thdot_ = 0;
};

// The family's table: an env by its name ("CartPole", "Acrobot", ...), and its spec.
// Throws std::invalid_argument for an unknown name.
std::unique_ptr<Env> make_classic_control(const std::string& name, int max_episode_steps);
EnvSpec classic_control_spec(const std::string& name);

}  // namespace fastpool
