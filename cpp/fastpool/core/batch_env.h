// The envs of one pool as one object, stepped a chunk at a time. A pool hands a worker a
// chunk of env ids and the worker makes one step() call for all of them: a family whose envs
// step in tens of nanoseconds (classic control) keeps its state in arrays, one per variable,
// and steps the chunk in one loop, with no call per env. A family whose envs are objects of
// their own (Atari) is an EnvArray, stepped env by env.
//
// As with Env, one env has one owner at a time: the ids of one call are distinct, and no two
// calls in flight share an env, so a BatchEnv needs no locks.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fastpool/core/batch.h"
#include "fastpool/core/env.h"

namespace fastpool {

// The most envs one call takes: a family may keep a call's scratch arrays on the stack.
constexpr int kMaxChunk = 256;

// The envs of a step() call whose step threw, by their place k in its ids, and the first exception.
struct StepFailures {
  explicit StepFailures(int32_t* room) : index(room) {}  // room for one index per env of the call

  int32_t* index;  // index[0..count)
  int count = 0;
  std::exception_ptr first;

  void add(int k) {  // call from a catch block
    index[count++] = k;
    if (!first) first = std::current_exception();
  }
};

class BatchEnv {
 public:
  explicit BatchEnv(int num_envs)
      : reward_(num_envs, 0.0), terminated_(num_envs, 0), truncated_(num_envs, 0), elapsed_step_(num_envs, 0) {}
  virtual ~BatchEnv() = default;
  BatchEnv(const BatchEnv&) = delete;
  BatchEnv& operator=(const BatchEnv&) = delete;

  int size() const { return static_cast<int>(reward_.size()); }

  // Env::seed, Env::reset, Env::write, Env::render and Env::counters, for env id.
  virtual void seed(int32_t id, uint64_t seed) = 0;
  virtual void reset(int32_t id) = 0;
  virtual void write(int32_t id, void* obs, int32_t* info) const = 0;
  virtual bool render(int32_t /*id*/, uint8_t* /*image*/) const { return false; }
  virtual Counters counters(int32_t /*id*/) const { return {}; }

  // Advance envs ids[0..count) (count <= kMaxChunk) one step each: env id with the discrete action actions[id]...
  // An env whose step throws is added to failures (the others step on); a step() that throws
  // fails every env of the call.
  virtual void step(const int32_t* /*ids*/, int /*count*/, const int32_t* /*actions*/, StepFailures& /*failures*/) {
    throw std::logic_error("this env takes float actions");
  }
  // ...or with the EnvSpec::action_dim floats at actions + id * action_dim, already checked finite.
  virtual void step_box(const int32_t* /*ids*/, int /*count*/, const float* /*actions*/, StepFailures& /*failures*/) {
    throw std::logic_error("this env takes discrete actions");
  }
  // Write the observations and extra infos of envs ids[0..count) (count <= kMaxChunk) into batch rows rows[0..count).
  virtual void write(const int32_t* ids, int count, Batch& batch, const int32_t* rows) const {
    for (int k = 0; k < count; ++k) write(ids[k], batch.obs_row(rows[k]), batch.info_row(rows[k]));
  }

  double reward(int32_t id) const { return reward_[id]; }
  bool terminated(int32_t id) const { return terminated_[id] != 0; }
  bool truncated(int32_t id) const { return truncated_[id] != 0; }
  int32_t elapsed_step(int32_t id) const { return elapsed_step_[id]; }

 protected:
  // What every env reports beyond its observation, as Env keeps it; a step sets the first
  // three, a reset all four (reward 0, episode-end flags false, elapsed_step 0).
  std::vector<double> reward_;
  std::vector<uint8_t> terminated_;
  std::vector<uint8_t> truncated_;
  std::vector<int32_t> elapsed_step_;
};

// The per-env path: envs that are objects of their own (Env), stepped one by one; an env whose
// step throws fails alone.
class EnvArray final : public BatchEnv {
 public:
  // action_dim: EnvSpec::action_dim, where float actions lie.
  EnvArray(std::vector<std::unique_ptr<Env>> envs, int action_dim)
      : BatchEnv(static_cast<int>(envs.size())), envs_(std::move(envs)), action_dim_(action_dim) {}

  void seed(int32_t id, uint64_t seed) override { envs_[id]->seed(seed); }
  void reset(int32_t id) override {
    envs_[id]->reset();
    capture(id);
  }
  void write(int32_t id, void* obs, int32_t* info) const override { envs_[id]->write(obs, info); }
  bool render(int32_t id, uint8_t* image) const override { return envs_[id]->render(image); }
  Counters counters(int32_t id) const override { return envs_[id]->counters(); }

  void step(const int32_t* ids, int count, const int32_t* actions, StepFailures& failures) override {
    for (int k = 0; k < count; ++k) {
      try {
        envs_[ids[k]]->step(actions[ids[k]]);
      } catch (...) {
        failures.add(k);
      }
      capture(ids[k]);
    }
  }
  void step_box(const int32_t* ids, int count, const float* actions, StepFailures& failures) override {
    for (int k = 0; k < count; ++k) {
      try {
        envs_[ids[k]]->step_box(actions + static_cast<size_t>(ids[k]) * action_dim_);
      } catch (...) {
        failures.add(k);
      }
      capture(ids[k]);
    }
  }

 private:
  void capture(int32_t id) {
    const Env& env = *envs_[id];
    reward_[id] = env.reward();
    terminated_[id] = env.terminated();
    truncated_[id] = env.truncated();
    elapsed_step_[id] = env.elapsed_step();
  }

  std::vector<std::unique_ptr<Env>> envs_;
  const int action_dim_;
};

// One env of a batched family B (a BatchEnv made as B(num_envs, args...)) as an Env: B's own
// code on a batch of one. Pools step B itself; this is the per-env path for the same family,
// which tests hold the batched one to.
template <typename B>
class SingleEnv final : public Env {
 public:
  template <typename... Args>
  explicit SingleEnv(Args&&... args) : batch_(1, std::forward<Args>(args)...) {}

  static EnvSpec spec() { return B::spec(); }
  const B& batch() const { return batch_; }

  void seed(uint64_t seed) override { batch_.seed(0, seed); }
  void reset() override {
    batch_.reset(0);
    capture();
  }
  void step(int32_t action) override {
    step_with([&](StepFailures& f) { batch_.step(&kId, 1, &action, f); });
  }
  void step_box(const float* action) override {
    step_with([&](StepFailures& f) { batch_.step_box(&kId, 1, action, f); });
  }
  void write(void* obs, int32_t* info) const override { batch_.write(0, obs, info); }
  bool render(uint8_t* image) const override { return batch_.render(0, image); }

 private:
  static constexpr int32_t kId = 0;

  template <typename Step>
  void step_with(Step step) {
    int32_t failed;
    StepFailures failures{&failed};
    step(failures);
    capture();
    if (failures.first) std::rethrow_exception(failures.first);
  }
  void capture() {
    reward_ = batch_.reward(0);
    terminated_ = batch_.terminated(0);
    truncated_ = batch_.truncated(0);
    elapsed_step_ = batch_.elapsed_step(0);
  }

  B batch_;
};

}  // namespace fastpool
