#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/classic_control/numpy_scalar.h"

namespace fastpool {

MountainCarContinuousBatch::MountainCarContinuousBatch(int num_envs, int max_episode_steps)
    : ClassicControl(num_envs, max_episode_steps), position_(num_envs), velocity_(num_envs), float32_state_(num_envs) {}

EnvSpec MountainCarContinuousBatch::spec() {
  EnvSpec s;
  s.obs_shape = {2};
  s.action_dim = 1;
  s.action_low = {-1.0f};
  s.action_high = {1.0f};
  return s;
}

void MountainCarContinuousBatch::reset(int32_t id) {
  begin_episode(id);
  position_[id] = rng_[id].uniform(-0.6, -0.4);
  velocity_[id] = 0.0;
  float32_state_[id] = 0;  // np.array([uniform(), 0]): float64
}

void MountainCarContinuousBatch::step_box(const int32_t* ids, int count, const float* actions,
                                          StepFailures& /*failures*/) {
  using np::py;
  FASTPOOL_SCALAR_LOOP
  for (int k = 0; k < count; ++k) {
    const int32_t i = ids[k];
    const float action = actions[i];  // action_dim 1
    // gymnasium's Continuous_MountainCarEnv.step with its dtypes: the state is float64 after
    // reset and float32 after a step; Python's min/max keep the action (float32) or the bound.
    const np::Num a = np::f32(action);
    const auto kind = float32_state_[i] ? np::Kind::kFloat32 : np::Kind::kFloat64;
    np::Num position{position_[i], kind}, velocity{velocity_[i], kind};
    np::Num force = py(-1.0) > a ? py(-1.0) : a;
    force = py(1.0) < force ? py(1.0) : force;
    velocity = velocity + (force * py(0.0015) - py(0.0025) * py(std::cos((py(3) * position).v)));
    if (velocity > py(0.07)) velocity = py(0.07);
    if (velocity < py(-0.07)) velocity = py(-0.07);
    position = position + velocity;
    if (position > py(0.6)) position = py(0.6);
    if (position < py(-1.2)) position = py(-1.2);
    if (position == py(-1.2) && velocity < py(0)) velocity = py(0);
    const bool terminated = position >= py(0.45) && velocity >= py(0.0);  // goal_velocity 0
    terminated_[i] = terminated;
    reward_[i] = (terminated ? 100.0 : 0.0) - np::pow(static_cast<double>(action), 2.0) * 0.1;  // the unclipped action
    position_[i] = static_cast<float>(position.v);
    velocity_[i] = static_cast<float>(velocity.v);
    float32_state_[i] = 1;
    count_step(i);
  }
}

}  // namespace fastpool
