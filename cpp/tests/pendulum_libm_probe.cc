// Pendulum's C-library calls, bit for bit, on the inputs its trajectories produce: the eight
// envs of cpp/tests/engine_test.cc (seeds 5..12, its deterministic float actions, 400
// transitions each with next-step autoreset at 200 steps). Prints one line per call:
//   <call> <input bits> <result bits>      (and "env <id> -" where a trajectory starts)
// With --eval it reads such lines and recomputes each call with this build's C library.
// scripts/windows.sh builds it for Linux and for Windows (mingw-w64, run under wine) and
// compares the two on the same inputs: which calls differ, and by how many ULP.
// Build: g++ -std=c++17 -O2 -ffp-contract=off -Icpp cpp/tests/pendulum_libm_probe.cc \
//          cpp/fastpool/core/random.cc cpp/fastpool/envs/classic_control/pendulum.cc
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

// The probe reads Pendulum's state; the class keeps it private.
#define private public
#include "fastpool/envs/classic_control/classic_control.h"
#undef private
#include "fastpool/envs/classic_control/numpy_scalar.h"

namespace {

uint64_t bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
uint32_t bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
void show(const char* call, double in, double out) {
  std::printf("%s %016" PRIx64 " %016" PRIx64 "\n", call, bits(in), bits(out));
}
void show(const char* call, float in, float out) {
  std::printf("%s %08" PRIx32 " %08" PRIx32 "\n", call, bits(in), bits(out));
}

constexpr double kPi = 3.14159265358979323846;

// The calls Pendulum's step and observation make, on the env's current state.
void probe_step(const fastpool::Pendulum& env, float action) {
  const float u = std::fmin(std::fmax(action, -2.0f), 2.0f);
  const double th = env.batch().th_[0], thdot = env.batch().thdot_[0];
  const double mod = std::fmod(th + kPi, 2 * kPi);
  show("fmod(th+pi,2pi)", th + kPi, mod);
  const double an = fastpool::np::py_mod(th + kPi, 2 * kPi) - kPi;
  show("pow(an,2)", an, fastpool::np::pow(an, 2.0));
  show("pow(thdot,2)", thdot, fastpool::np::pow(thdot, 2.0));
  show("powf(u,2)", u, fastpool::np::pow(u, 2.0f));
  show("sin(th)", th, std::sin(th));
}
void probe_write(const fastpool::Pendulum& env) {
  const double th = env.batch().th_[0];
  show("cos(th)", th, std::cos(th));
  show("sin(th)", th, std::sin(th));
}


// --eval: recompute each "<call> <input bits> ..." line read from stdin with this build's
// C library, so that two builds are compared on the same inputs.
int eval() {
  char call[64], in[32], out[32];
  while (std::scanf("%63s %31s %31s", call, in, out) == 3) {
    const std::string c = call;
    if (c == "env") {  // a trajectory's start
      std::printf("%s %s %s\n", call, in, out);
      continue;
    }
    const uint64_t b = std::strtoull(in, nullptr, 16);
    if (c == "powf(u,2)") {
      float u;
      const uint32_t b32 = static_cast<uint32_t>(b);
      std::memcpy(&u, &b32, sizeof u);
      show(call, u, fastpool::np::pow(u, 2.0f));
      continue;
    }
    double x;
    std::memcpy(&x, &b, sizeof x);
    if (c == "fmod(th+pi,2pi)") show(call, x, std::fmod(x, 2 * kPi));
    else if (c == "pow(an,2)" || c == "pow(thdot,2)") show(call, x, fastpool::np::pow(x, 2.0));
    else if (c == "sin(th)") show(call, x, std::sin(x));
    else if (c == "cos(th)") show(call, x, std::cos(x));
    else return std::fprintf(stderr, "unknown call %s\n", call), 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--eval") == 0) return eval();
  const int envs = 8, transitions = 400, max_steps = 200;
  for (int id = 0; id < envs; ++id) {
    std::printf("env %d -\n", id);
    fastpool::Pendulum env(max_steps);
    env.seed(5 + id);
    env.reset();
    probe_write(env);
    bool needs_reset = false;
    for (int count = 1; count <= transitions; ++count) {
      if (needs_reset) {  // next-step autoreset: the action is ignored
        env.reset();
        needs_reset = false;
      } else {
        const float action = static_cast<float>((id * 7 + count * 3) % 11) * 0.5f - 2.5f;
        probe_step(env, action);
        env.step_box(&action);
        needs_reset = env.terminated() || env.truncated();
      }
      probe_write(env);
    }
  }
  return 0;
}
