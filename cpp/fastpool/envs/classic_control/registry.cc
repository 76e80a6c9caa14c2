// The classic-control family's table: adding an env is one line here.
#include <stdexcept>
#include <vector>

#include "fastpool/envs/classic_control/classic_control.h"

namespace fastpool {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<BatchEnv> (*make_batch)(int num_envs, int max_episode_steps);
  std::unique_ptr<Env> (*make)(int max_episode_steps);
  EnvSpec (*spec)();
};

template <typename B>
std::unique_ptr<BatchEnv> make_batch(int num_envs, int max_episode_steps) {
  return std::make_unique<B>(num_envs, max_episode_steps);
}

template <typename B>
std::unique_ptr<Env> make_one(int max_episode_steps) {
  return std::make_unique<SingleEnv<B>>(max_episode_steps);
}

template <typename B>
Entry entry(const char* name) {
  return {name, &make_batch<B>, &make_one<B>, &B::spec};
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      entry<CartPoleBatch>("CartPole"),
      entry<AcrobotBatch>("Acrobot"),
      entry<MountainCarBatch>("MountainCar"),
      entry<MountainCarContinuousBatch>("MountainCarContinuous"),
      entry<PendulumBatch>("Pendulum"),
  };
  return entries;
}

const Entry& find(const std::string& name) {
  for (const Entry& e : table())
    if (name == e.name) return e;
  throw std::invalid_argument("no classic-control env named '" + name + "'");
}

}  // namespace

std::unique_ptr<BatchEnv> make_classic_control_batch(const std::string& name, int num_envs, int max_episode_steps) {
  return find(name).make_batch(num_envs, max_episode_steps);
}

std::unique_ptr<Env> make_classic_control(const std::string& name, int max_episode_steps) {
  return find(name).make(max_episode_steps);
}

EnvSpec classic_control_spec(const std::string& name) { return find(name).spec(); }

}  // namespace fastpool
