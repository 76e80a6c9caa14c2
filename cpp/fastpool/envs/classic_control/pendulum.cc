#include <algorithm>
#include <cmath>

#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/classic_control/numpy_scalar.h"

namespace fastpool {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxSpeed = 8, kMaxTorque = 2.0, kDt = 0.05, kG = 10.0, kM = 1.0, kL = 1.0;

double angle_normalize(double x) { return np::py_mod(x + kPi, 2 * kPi) - kPi; }

}  // namespace

PendulumBatch::PendulumBatch(int num_envs, int max_episode_steps)
    : ClassicControl(num_envs, max_episode_steps), th_(num_envs), thdot_(num_envs) {}

EnvSpec PendulumBatch::spec() {
  EnvSpec s;
  s.obs_shape = {3};
  s.action_dim = 1;
  s.action_low = {-2.0f};
  s.action_high = {2.0f};
  return s;
}

void PendulumBatch::reset(int32_t id) {
  begin_episode(id);
  th_[id] = rng_[id].uniform(-kPi, kPi);  // np_random.uniform(low=-high, high=high), high = [pi, 1]
  thdot_[id] = rng_[id].uniform(-1.0, 1.0);
}

void PendulumBatch::step_box(const int32_t* ids, int count, const float* actions, StepFailures& /*failures*/) {
  using np::f32;
  using np::py;
  FASTPOOL_SCALAR_LOOP
  for (int k = 0; k < count; ++k) {
    const int32_t i = ids[k];
    // gymnasium's PendulumEnv.step with its dtypes: float64 state, the float32 torque clipped
    // in float32, and NEP 50's float32 products where a Python float meets the torque.
    // th, thdot and u are numpy scalars there, and a scalar's ** 2 is the C library's pow (numpy
    // turns ** 2 into a multiply for arrays only): on glibc pow(x, 2) != x * x for about 1 input
    // in 1,200 (float64) or 1,300 (float32), so np::pow keeps pow and sin/cos stay the C
    // library's. Other C libraries round these differently in rare near-halfway cases (1 ULP,
    // measured by cpp/tests/pendulum_libm_probe.cc; docs/behaviour.md, "Floating point").
    const float u = std::min(std::max(actions[i], static_cast<float>(-kMaxTorque)), static_cast<float>(kMaxTorque));
    const double th_v = th_[i], thdot_v = thdot_[i];
    const np::Num th = np::f64(th_v), thdot = np::f64(thdot_v);
    const double an = angle_normalize(th_v);
    const np::Num costs =
        np::f64(np::pow(an, 2.0)) + py(0.1) * np::f64(np::pow(thdot_v, 2.0)) + py(0.001) * f32(np::pow(u, 2.0f));
    const np::Num newthdot_raw =
        thdot + (py(3 * kG / (2 * kL)) * np::f64(std::sin(th_v)) + py(3.0 / (kM * (kL * kL))) * f32(u)) * py(kDt);
    const double newthdot = std::fmin(std::fmax(newthdot_raw.v, -kMaxSpeed), kMaxSpeed);
    th_[i] = (th + np::f64(newthdot) * py(kDt)).v;
    thdot_[i] = newthdot;
    reward_[i] = -costs.v;
    count_step(i);
  }
}

}  // namespace fastpool
