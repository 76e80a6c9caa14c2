#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"

namespace fastpool {
namespace {

// gymnasium's constants, computed in the same order so they round the same.
constexpr double kPi = 3.14159265358979323846;
constexpr double kGravity = 9.8;
constexpr double kMassCart = 1.0;
constexpr double kMassPole = 0.1;
constexpr double kTotalMass = kMassPole + kMassCart;
constexpr double kLength = 0.5;  // half the pole's length
constexpr double kPoleMassLength = kMassPole * kLength;
constexpr double kForceMag = 10.0;
constexpr double kTau = 0.02;
constexpr double kThetaThreshold = 12 * 2 * kPi / 360;
constexpr double kXThreshold = 2.4;

}  // namespace

EnvSpec CartPole::spec() {
  EnvSpec s;
  s.obs_shape = {4};
  s.obs_dtype = Dtype::kFloat32;
  s.num_actions = 2;
  s.action_names = {"LEFT", "RIGHT"};
  return s;
}

void CartPole::reset() {
  begin_episode();
  fell_ = false;
  // np_random.uniform(low=-0.05, high=0.05, size=(4,))
  for (double& v : state_) v = rng_.uniform(-0.05, 0.05);
}

void CartPole::step(int32_t action) {
  double x = state_[0], x_dot = state_[1], theta = state_[2], theta_dot = state_[3];
  const double force = action == 1 ? kForceMag : -kForceMag;
  const double costheta = std::cos(theta);
  const double sintheta = std::sin(theta);
  // Same expression order as gymnasium (the build disables FMA contraction).
  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc =
      (kGravity * sintheta - costheta * temp) / (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
  x = x + kTau * x_dot;
  x_dot = x_dot + kTau * xacc;
  theta = theta + kTau * theta_dot;
  theta_dot = theta_dot + kTau * thetaacc;
  state_[0] = x;
  state_[1] = x_dot;
  state_[2] = theta;
  state_[3] = theta_dot;

  terminated_ = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  // Stepping on after the pole fell (possible with autoreset disabled) earns 0, as in gymnasium.
  reward_ = terminated_ && fell_ ? 0.0 : 1.0;
  fell_ = fell_ || terminated_;
  count_step();
}

void CartPole::write(void* obs, int32_t* /*info*/) const {
  float* o = static_cast<float*>(obs);
  for (int i = 0; i < 4; ++i) o[i] = static_cast<float>(state_[i]);
}

}  // namespace fastpool
