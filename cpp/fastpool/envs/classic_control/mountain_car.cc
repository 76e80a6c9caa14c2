#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"

namespace fastpool {
namespace {

constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07, kGoalPosition = 0.5;
constexpr double kForce = 0.001, kGravity = 0.0025;

}  // namespace

EnvSpec MountainCar::spec() {
  EnvSpec s;
  s.obs_shape = {2};
  s.num_actions = 3;
  s.action_names = {"LEFT", "NOOP", "RIGHT"};
  return s;
}

void MountainCar::reset() {
  begin_episode();
  position_ = rng_.uniform(-0.6, -0.4);
  velocity_ = 0.0;
}

void MountainCar::step(int32_t action) {
  velocity_ += (action - 1) * kForce + std::cos(3 * position_) * (-kGravity);
  velocity_ = std::fmin(std::fmax(velocity_, -kMaxSpeed), kMaxSpeed);  // np.clip
  position_ += velocity_;
  position_ = std::fmin(std::fmax(position_, kMinPosition), kMaxPosition);
  if (position_ == kMinPosition && velocity_ < 0) velocity_ = 0;
  terminated_ = position_ >= kGoalPosition && velocity_ >= 0;  // goal_velocity 0
  reward_ = -1.0;
  count_step();
}

void MountainCar::write(void* obs, int32_t* /*info*/) const {
  float* o = static_cast<float*>(obs);
  o[0] = static_cast<float>(position_);
  o[1] = static_cast<float>(velocity_);
}

}  // namespace fastpool
