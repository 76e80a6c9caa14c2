// The classic-control family's table: adding an env is one line here.
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fastpool/envs/classic_control/classic_control.h"

namespace fastpool {
namespace {

struct Entry {
  const char* name;
  std::function<std::unique_ptr<Env>(int)> make;
  EnvSpec (*spec)();
};

template <typename E>
Entry entry(const char* name) {
  return {name, [](int max_steps) { return std::make_unique<E>(max_steps); }, &E::spec};
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      entry<CartPole>("CartPole"),
      entry<Acrobot>("Acrobot"),
      entry<MountainCar>("MountainCar"),
      entry<MountainCarContinuous>("MountainCarContinuous"),
      entry<Pendulum>("Pendulum"),
  };
  return entries;
}

const Entry& find(const std::string& name) {
  for (const Entry& e : table())
    if (name == e.name) return e;
  throw std::invalid_argument("no classic-control env named '" + name + "'");
}

}  // namespace

std::unique_ptr<Env> make_classic_control(const std::string& name, int max_episode_steps) {
  return find(name).make(max_episode_steps);
}

EnvSpec classic_control_spec(const std::string& name) { return find(name).spec(); }

}  // namespace fastpool
