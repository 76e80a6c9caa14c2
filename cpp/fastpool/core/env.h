// The interface every env type implements. The pool owns envs and steps each
// from one thread at a time, so an env needs no locks.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fastpool/core/random.h"

namespace fastpool {

enum class Dtype { kUInt8, kFloat32 };

// What an env counts of its own work, by name (for tests and diagnostics).
using Counters = std::vector<std::pair<std::string, int64_t>>;

inline size_t dtype_size(Dtype d) { return d == Dtype::kUInt8 ? 1 : 4; }

// What one env produces per step, beyond the fields every env has
// (reward, terminated, truncated, elapsed_step).
struct EnvSpec {
  std::vector<int64_t> obs_shape;
  Dtype obs_dtype = Dtype::kFloat32;
  std::vector<std::string> info_names;  // extra int32 info fields, in write order
  // A block of info_bytes bytes after them, named info_bytes_name (Atari: the console's RAM),
  // in the same row of int32 words (padded to a whole word).
  std::string info_bytes_name;
  int64_t info_bytes = 0;
  int num_actions = 0;                  // discrete actions 0..num_actions-1 (action_dim == 0)
  int action_dim = 0;                   // > 0: actions are float32 vectors of this length
  std::vector<float> action_low, action_high;  // their bounds (the env clips or rejects)
  std::vector<int64_t> render_shape;    // uint8 image from Env::render; empty if none
  std::vector<std::string> action_names;  // what each action means, e.g. "FIRE"

  size_t obs_bytes() const {
    size_t n = dtype_size(obs_dtype);
    for (int64_t d : obs_shape) n *= static_cast<size_t>(d);
    return n;
  }
  // int32 words per info row: the named fields, then the byte block.
  size_t info_words() const { return info_names.size() + static_cast<size_t>((info_bytes + 3) / 4); }
};

class Env {
 public:
  virtual ~Env() = default;

  // Restart this env's random stream (see random.h for what a seed means).
  virtual void seed(uint64_t seed) { rng_.reseed(seed); }

  // Start a new episode; afterwards reward is 0 and the episode-end flags false.
  virtual void reset() = 0;
  // Advance one step with a discrete action, already range-checked...
  virtual void step(int32_t /*action*/) { throw std::logic_error("this env takes float actions"); }
  // ...or with a float action of EnvSpec::action_dim values, already checked finite.
  virtual void step_box(const float* /*action*/) { throw std::logic_error("this env takes discrete actions"); }
  // Write the current observation and extra infos (EnvSpec::info_names order, then the byte block).
  virtual void write(void* obs, int32_t* info) const = 0;
  // Draw the current state into an EnvSpec::render_shape image; false if unsupported.
  virtual bool render(uint8_t* /*image*/) const { return false; }
  virtual Counters counters() const { return {}; }

  double reward() const { return reward_; }
  bool terminated() const { return terminated_; }
  bool truncated() const { return truncated_; }
  int32_t elapsed_step() const { return elapsed_step_; }

 protected:
  // Shared bookkeeping for subclasses.
  void begin_episode() {
    reward_ = 0.0;
    terminated_ = truncated_ = false;
    elapsed_step_ = 0;
  }

  Pcg64 rng_;
  double reward_ = 0.0;
  bool terminated_ = false;
  bool truncated_ = false;
  int32_t elapsed_step_ = 0;
};

}  // namespace fastpool
