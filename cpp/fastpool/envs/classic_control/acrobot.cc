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

AcrobotBatch::AcrobotBatch(int num_envs, int max_episode_steps)
    : ClassicControl(num_envs, max_episode_steps),
      theta1_(num_envs),
      theta2_(num_envs),
      dtheta1_(num_envs),
      dtheta2_(num_envs) {}

EnvSpec AcrobotBatch::spec() {
  EnvSpec s;
  s.obs_shape = {6};
  s.num_actions = 3;
  s.action_names = {"TORQUE_-1", "TORQUE_0", "TORQUE_+1"};
  return s;
}

void AcrobotBatch::reset(int32_t id) {
  begin_episode(id);
  // np_random.uniform(low=-0.1, high=0.1, size=(4,)).astype(np.float32)
  Pcg64& rng = rng_[id];
  theta1_[id] = static_cast<float>(rng.uniform(-0.1, 0.1));
  theta2_[id] = static_cast<float>(rng.uniform(-0.1, 0.1));
  dtheta1_[id] = static_cast<float>(rng.uniform(-0.1, 0.1));
  dtheta2_[id] = static_cast<float>(rng.uniform(-0.1, 0.1));
}

void AcrobotBatch::step(const int32_t* ids, int count, const int32_t* actions, StepFailures& /*failures*/) {
  FASTPOOL_SCALAR_LOOP
  for (int k = 0; k < count; ++k) {
    const int32_t i = ids[k];
    // gymnasium's rk4 over t = [0, dt]: one step of classic RK4 on the state and the torque.
    const double dt = kDt - 0, dt2 = dt / 2.0;
    const double y0[5] = {theta1_[i], theta2_[i], dtheta1_[i], dtheta2_[i], static_cast<double>(actions[i] - 1)};
    double k1[5], k2[5], k3[5], k4[5], y[5], s[4];
    dsdt(y0, k1);
    for (int j = 0; j < 5; ++j) y[j] = y0[j] + dt2 * k1[j];
    dsdt(y, k2);
    for (int j = 0; j < 5; ++j) y[j] = y0[j] + dt2 * k2[j];
    dsdt(y, k3);
    for (int j = 0; j < 5; ++j) y[j] = y0[j] + dt * k3[j];
    dsdt(y, k4);
    for (int j = 0; j < 4; ++j) s[j] = y0[j] + dt / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    s[0] = wrap(s[0], -kPi, kPi);
    s[1] = wrap(s[1], -kPi, kPi);
    s[2] = std::fmin(std::fmax(s[2], -kMaxVel1), kMaxVel1);
    s[3] = std::fmin(std::fmax(s[3], -kMaxVel2), kMaxVel2);
    theta1_[i] = s[0];
    theta2_[i] = s[1];
    dtheta1_[i] = s[2];
    dtheta2_[i] = s[3];
    const bool terminated = -std::cos(s[0]) - std::cos(s[1] + s[0]) > 1.0;
    terminated_[i] = terminated;
    reward_[i] = terminated ? 0.0 : -1.0;
    count_step(i);
  }
}

}  // namespace fastpool
