// gymnasium's classic-control envs, each step for step the same as gymnasium's under its
// TimeLimit wrapper and numpy >= 2 (NEP 50 promotion: a Python float meeting a float32 stays
// float32). Each step repeats gymnasium's expressions in its order and its dtypes, so
// results round the same; the build disables FMA contraction.
//
// Each kind is a BatchEnv: every env's state in arrays, one per variable, and a step() that
// advances a whole chunk of envs in one loop. The C library's sin, cos and pow stay scalar
// calls, as numpy makes them.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "fastpool/core/batch_env.h"
#include "fastpool/core/random.h"

// -ffast-math's vector math routines round differently from the C library's sin and cos,
// which gymnasium's numpy calls.
#ifdef __FAST_MATH__
#error "classic control must round as numpy does: build it without -ffast-math"
#endif
// Put before a loop that calls the C library's sin, cos or pow, to keep the calls scalar:
// MSVC may vectorize them even under /fp:precise, into its own vector routines (GCC and Clang
// do so only under -ffast-math, refused above).
#if defined(_MSC_VER) && !defined(__clang__)
#define FASTPOOL_SCALAR_LOOP __pragma(loop(no_vector))
#else
#define FASTPOOL_SCALAR_LOOP
#endif

namespace fastpool {

// What the family shares: each env's random stream (seeded as Env's is), gymnasium's
// TimeLimit wrapper, and writing float32 observations. A Kind (CRTP) has
//   void observe(int32_t id, float* obs) const;   // env id's observation
// and its step sets reward_ and terminated_ from its dynamics, then calls count_step().
template <typename Kind>
class ClassicControl : public BatchEnv {
 public:
  ClassicControl(int num_envs, int max_episode_steps)
      : BatchEnv(num_envs), rng_(num_envs), max_episode_steps_(max_episode_steps) {}

  void seed(int32_t id, uint64_t seed) override { rng_[id].reseed(seed); }
  void write(int32_t id, void* obs, int32_t* /*info*/) const override { kind().observe(id, static_cast<float*>(obs)); }
  void write(const int32_t* ids, int count, Batch& batch, const int32_t* rows) const override {
    FASTPOOL_SCALAR_LOOP
    for (int k = 0; k < count; ++k) kind().observe(ids[k], static_cast<float*>(batch.obs_row(rows[k])));
  }

 protected:
  void begin_episode(int32_t id) {
    reward_[id] = 0.0;
    terminated_[id] = truncated_[id] = 0;
    elapsed_step_[id] = 0;
  }
  void count_step(int32_t id) {
    ++elapsed_step_[id];
    truncated_[id] = elapsed_step_[id] >= max_episode_steps_;
  }

  std::vector<Pcg64> rng_;

 private:
  const Kind& kind() const { return static_cast<const Kind&>(*this); }
  int max_episode_steps_;
};

// CartPole-v1: float64 state, reward 1 per step; discrete push left / right.
class CartPoleBatch final : public ClassicControl<CartPoleBatch> {
 public:
  CartPoleBatch(int num_envs, int max_episode_steps);
  static EnvSpec spec();
  void reset(int32_t id) override;
  void step(const int32_t* ids, int count, const int32_t* actions, StepFailures& failures) override;
  void observe(int32_t id, float* obs) const {
    obs[0] = static_cast<float>(x_[id]);
    obs[1] = static_cast<float>(x_dot_[id]);
    obs[2] = static_cast<float>(theta_[id]);
    obs[3] = static_cast<float>(theta_dot_[id]);
  }

 private:
  std::vector<double> x_, x_dot_, theta_, theta_dot_;
  std::vector<uint8_t> fell_;  // terminated was returned this episode
};

// Acrobot-v1: two links, RK4 over [0, 0.2] in float64; discrete torque -1, 0, +1.
class AcrobotBatch final : public ClassicControl<AcrobotBatch> {
 public:
  AcrobotBatch(int num_envs, int max_episode_steps);
  static EnvSpec spec();
  void reset(int32_t id) override;
  void step(const int32_t* ids, int count, const int32_t* actions, StepFailures& failures) override;
  void observe(int32_t id, float* obs) const {
    obs[0] = static_cast<float>(std::cos(theta1_[id]));
    obs[1] = static_cast<float>(std::sin(theta1_[id]));
    obs[2] = static_cast<float>(std::cos(theta2_[id]));
    obs[3] = static_cast<float>(std::sin(theta2_[id]));
    obs[4] = static_cast<float>(dtheta1_[id]);
    obs[5] = static_cast<float>(dtheta2_[id]);
  }

 private:
  std::vector<double> theta1_, theta2_, dtheta1_, dtheta2_;
};

// MountainCar-v0: float64 state, discrete push left / none / right.
class MountainCarBatch final : public ClassicControl<MountainCarBatch> {
 public:
  MountainCarBatch(int num_envs, int max_episode_steps);
  static EnvSpec spec();
  void reset(int32_t id) override;
  void step(const int32_t* ids, int count, const int32_t* actions, StepFailures& failures) override;
  void observe(int32_t id, float* obs) const {
    obs[0] = static_cast<float>(position_[id]);
    obs[1] = static_cast<float>(velocity_[id]);
  }

 private:
  std::vector<double> position_, velocity_;
};

// MountainCarContinuous-v0: a float32 force in [-1, 1] (clipped, as gymnasium does).
class MountainCarContinuousBatch final : public ClassicControl<MountainCarContinuousBatch> {
 public:
  MountainCarContinuousBatch(int num_envs, int max_episode_steps);
  static EnvSpec spec();
  void reset(int32_t id) override;
  void step_box(const int32_t* ids, int count, const float* actions, StepFailures& failures) override;
  void observe(int32_t id, float* obs) const {
    obs[0] = static_cast<float>(position_[id]);
    obs[1] = static_cast<float>(velocity_[id]);
  }

 private:
  std::vector<double> position_, velocity_;
  std::vector<uint8_t> float32_state_;  // gymnasium's state is float64 after reset, float32 after a step
};

// Pendulum-v1: float64 state, a float32 torque in [-2, 2] (clipped, as gymnasium does).
class PendulumBatch final : public ClassicControl<PendulumBatch> {
 public:
  PendulumBatch(int num_envs, int max_episode_steps);
  static EnvSpec spec();
  void reset(int32_t id) override;
  void step_box(const int32_t* ids, int count, const float* actions, StepFailures& failures) override;
  void observe(int32_t id, float* obs) const {
    obs[0] = static_cast<float>(std::cos(th_[id]));
    obs[1] = static_cast<float>(std::sin(th_[id]));
    obs[2] = static_cast<float>(thdot_[id]);
  }

 private:
  std::vector<double> th_, thdot_;
};

// One env of each kind as an Env: the per-env path, which tests hold the batched one to.
using CartPole = SingleEnv<CartPoleBatch>;
using Acrobot = SingleEnv<AcrobotBatch>;
using MountainCar = SingleEnv<MountainCarBatch>;
using MountainCarContinuous = SingleEnv<MountainCarContinuousBatch>;
using Pendulum = SingleEnv<PendulumBatch>;

// The family's table, by name ("CartPole", "Acrobot", ...): num_envs envs of one kind as a
// BatchEnv, one env as an Env, and the spec. Throws std::invalid_argument for an unknown name.
std::unique_ptr<BatchEnv> make_classic_control_batch(const std::string& name, int num_envs, int max_episode_steps);
std::unique_ptr<Env> make_classic_control(const std::string& name, int max_episode_steps);
EnvSpec classic_control_spec(const std::string& name);

}  // namespace fastpool
