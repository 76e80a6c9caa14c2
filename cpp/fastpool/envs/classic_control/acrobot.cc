#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/classic_control/numpy_scalar.h"

namespace fastpool {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDt = 0.2;
constexpr double kM1 = 1.0, kM2 = 1.0, kL1 = 1.0, kLc1 = 0.5, kLc2 = 0.5, kI1 = 1.0, kI2 = 1.0, kG = 9.8;
constexpr double kMaxVel1 = 4 * kPi, kMaxVel2 = 9 * kPi;

// gymnasium's AcrobotEnv._dsdt ("book" dynamics) on (s, torque); the torque's derivative is 0.
void dsdt(const double* y, double* dy) {
  const double theta1 = y[0], theta2 = y[1], dtheta1 = y[2], dtheta2 = y[3], a = y[4];
  const double d1 = kM1 * (kLc1 * kLc1) + kM2 * (kL1 * kL1 + kLc2 * kLc2 + 2 * kL1 * kLc2 * std::cos(theta2)) + kI1 + kI2;
  const double d2 = kM2 * (kLc2 * kLc2 + kL1 * kLc2 * std::cos(theta2)) + kI2;
  const double phi2 = kM2 * kLc2 * kG * std::cos(theta1 + theta2 - kPi / 2.0);
  const double phi1 = -kM2 * kL1 * kLc2 * np::pow(dtheta2, 2.0) * std::sin(theta2) -
                      2 * kM2 * kL1 * kLc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (kM1 * kLc1 + kM2 * kL1) * kG * std::cos(theta1 - kPi / 2) + phi2;
  const double ddtheta2 = (a + d2 / d1 * phi1 - kM2 * kL1 * kLc2 * np::pow(dtheta1, 2.0) * std::sin(theta2) - phi2) /
                          (kM2 * (kLc2 * kLc2) + kI2 - np::pow(d2, 2.0) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  dy[0] = dtheta1;
  dy[1] = dtheta2;
  dy[2] = ddtheta1;
  dy[3] = ddtheta2;
  dy[4] = 0.0;
}

double wrap(double x, double m, double M) {
  const double diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

}  // namespace

EnvSpec Acrobot::spec() {
  EnvSpec s;
  s.obs_shape = {6};
  s.num_actions = 3;
  s.action_names = {"TORQUE_-1", "TORQUE_0", "TORQUE_+1"};
  return s;
}

void Acrobot::reset() {
  begin_episode();
  // np_random.uniform(low=-0.1, high=0.1, size=(4,)).astype(np.float32)
  for (double& v : s_) v = static_cast<float>(rng_.uniform(-0.1, 0.1));
}

void Acrobot::step(int32_t action) {
  // gymnasium's rk4 over t = [0, dt]: one step of classic RK4 on the state and the torque.
  const double dt = kDt - 0, dt2 = dt / 2.0;
  double y0[5] = {s_[0], s_[1], s_[2], s_[3], static_cast<double>(action - 1)};
  double k1[5], k2[5], k3[5], k4[5], y[5];
  dsdt(y0, k1);
  for (int i = 0; i < 5; ++i) y[i] = y0[i] + dt2 * k1[i];
  dsdt(y, k2);
  for (int i = 0; i < 5; ++i) y[i] = y0[i] + dt2 * k2[i];
  dsdt(y, k3);
  for (int i = 0; i < 5; ++i) y[i] = y0[i] + dt * k3[i];
  dsdt(y, k4);
  for (int i = 0; i < 4; ++i) s_[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  s_[0] = wrap(s_[0], -kPi, kPi);
  s_[1] = wrap(s_[1], -kPi, kPi);
  s_[2] = std::fmin(std::fmax(s_[2], -kMaxVel1), kMaxVel1);
  s_[3] = std::fmin(std::fmax(s_[3], -kMaxVel2), kMaxVel2);
  terminated_ = -std::cos(s_[0]) - std::cos(s_[1] + s_[0]) > 1.0;
  reward_ = terminated_ ? 0.0 : -1.0;
  count_step();
}

void Acrobot::write(void* obs, int32_t* /*info*/) const {
  float* o = static_cast<float*>(obs);
  o[0] = static_cast<float>(std::cos(s_[0]));
  o[1] = static_cast<float>(std::sin(s_[0]));
  o[2] = static_cast<float>(std::cos(s_[1]));
  o[3] = static_cast<float>(std::sin(s_[1]));
  o[4] = static_cast<float>(s_[2]);
  o[5] = static_cast<float>(s_[3]);
}

}  // namespace fastpool
