#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"

namespace fastpool {
namespace {

constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07, kGoalPosition = 0.5;
constexpr double kForce = 0.001, kGravity = 0.0025;

}  // namespace

MountainCarBatch::MountainCarBatch(int num_envs, int max_episode_steps)
    : ClassicControl(num_envs, max_episode_steps), position_(num_envs), velocity_(num_envs) {}

EnvSpec MountainCarBatch::spec() {
  EnvSpec s;
  s.obs_shape = {2};
  s.num_actions = 3;
  s.action_names = {"LEFT", "NOOP", "RIGHT"};
  return s;
}

void MountainCarBatch::reset(int32_t id) {
  begin_episode(id);
  position_[id] = rng_[id].uniform(-0.6, -0.4);
  velocity_[id] = 0.0;
}

void MountainCarBatch::step(const int32_t* ids, int count, const int32_t* actions, StepFailures& /*failures*/) {
  // The C library's cos first, then the arithmetic, which runs without a call between.
  double cos_3p[kMaxChunk];
  FASTPOOL_SCALAR_LOOP
  for (int k = 0; k < count; ++k) cos_3p[k] = std::cos(3 * position_[ids[k]]);
  for (int k = 0; k < count; ++k) {
    const int32_t i = ids[k];
    double position = position_[i], velocity = velocity_[i];
    velocity += (actions[i] - 1) * kForce + cos_3p[k] * (-kGravity);
    velocity = std::fmin(std::fmax(velocity, -kMaxSpeed), kMaxSpeed);  // np.clip
    position += velocity;
    position = std::fmin(std::fmax(position, kMinPosition), kMaxPosition);
    if (position == kMinPosition && velocity < 0) velocity = 0;
    position_[i] = position;
    velocity_[i] = velocity;
    terminated_[i] = position >= kGoalPosition && velocity >= 0;  // goal_velocity 0
    reward_[i] = -1.0;
    count_step(i);
  }
}

}  // namespace fastpool
