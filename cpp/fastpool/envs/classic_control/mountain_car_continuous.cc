#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/classic_control/numpy_scalar.h"

namespace fastpool {

EnvSpec MountainCarContinuous::spec() {
  EnvSpec s;
  s.obs_shape = {2};
  s.action_dim = 1;
  s.action_low = {-1.0f};
  s.action_high = {1.0f};
  return s;
}

void MountainCarContinuous::reset() {
  begin_episode();
  position_ = rng_.uniform(-0.6, -0.4);
  velocity_ = 0.0;
  float32_state_ = false;  // np.array([uniform(), 0]): float64
}

void MountainCarContinuous::step_box(const float* action) {
  using np::py;
  // gymnasium's Continuous_MountainCarEnv.step with its dtypes: the state is float64 after
  // reset and float32 after a step; Python's min/max keep the action (float32) or the bound.
  const np::Num a = np::f32(action[0]);
  const auto kind = float32_state_ ? np::Kind::kFloat32 : np::Kind::kFloat64;
  np::Num position{position_, kind}, velocity{velocity_, kind};
  np::Num force = py(-1.0) > a ? py(-1.0) : a;
  force = py(1.0) < force ? py(1.0) : force;
  velocity = velocity + (force * py(0.0015) - py(0.0025) * py(std::cos((py(3) * position).v)));
  if (velocity > py(0.07)) velocity = py(0.07);
  if (velocity < py(-0.07)) velocity = py(-0.07);
  position = position + velocity;
  if (position > py(0.6)) position = py(0.6);
  if (position < py(-1.2)) position = py(-1.2);
  if (position == py(-1.2) && velocity < py(0)) velocity = py(0);
  terminated_ = position >= py(0.45) && velocity >= py(0.0);  // goal_velocity 0
  reward_ = (terminated_ ? 100.0 : 0.0) - np::pow(static_cast<double>(action[0]), 2.0) * 0.1;  // the unclipped action
  position_ = static_cast<float>(position.v);
  velocity_ = static_cast<float>(velocity.v);
  float32_state_ = true;
  count_step();
}

void MountainCarContinuous::write(void* obs, int32_t* /*info*/) const {
  float* o = static_cast<float*>(obs);
  o[0] = static_cast<float>(position_);
  o[1] = static_cast<float>(velocity_);
}

}  // namespace fastpool
