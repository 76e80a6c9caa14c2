// One batch of outputs: a set of preallocated arrays, one row per env result.
// Workers write rows in place; the binding hands the arrays to numpy without a
// copy, and the pool reuses a batch only once nobody else holds it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fastpool/core/env.h"

namespace fastpool {

struct Batch {
  Batch(const EnvSpec& spec, int rows, bool with_final)
      : rows(rows),
        obs_bytes(spec.obs_bytes()),
        num_info(spec.info_words()),
        count(rows),
        obs(rows * obs_bytes),
        reward(rows),
        terminated(rows),
        truncated(rows),
        env_id(rows),
        elapsed_step(rows),
        info(rows * num_info) {
    if (with_final) {
      final_obs.resize(rows * obs_bytes);
      final_elapsed_step.resize(rows);
      final_info.resize(rows * num_info);
    }
  }

  void* obs_row(int r) { return obs.data() + r * obs_bytes; }
  int32_t* info_row(int r) { return info.data() + r * num_info; }
  void* final_obs_row(int r) { return final_obs.data() + r * obs_bytes; }
  int32_t* final_info_row(int r) { return final_info.data() + r * num_info; }

  // Row `from`'s results into row `to` (a sync batch of some envs packs its rows).
  void move_row(int from, int to) {
    if (from == to) return;
    std::memcpy(obs_row(to), obs_row(from), obs_bytes);
    reward[to] = reward[from];
    terminated[to] = terminated[from];
    truncated[to] = truncated[from];
    env_id[to] = env_id[from];
    elapsed_step[to] = elapsed_step[from];
    std::copy_n(info_row(from), num_info, info_row(to));
    if (!final_obs.empty()) {
      std::memcpy(final_obs_row(to), final_obs_row(from), obs_bytes);
      final_elapsed_step[to] = final_elapsed_step[from];
      std::copy_n(final_info_row(from), num_info, final_info_row(to));
    }
  }

  const int rows;
  const size_t obs_bytes;
  const size_t num_info;
  int count;  // rows that hold results: rows, or fewer in a sync batch of some envs
  std::vector<uint8_t> obs;
  std::vector<double> reward;
  std::vector<uint8_t> terminated;  // bool, one byte each
  std::vector<uint8_t> truncated;
  std::vector<int32_t> env_id;
  std::vector<int32_t> elapsed_step;
  std::vector<int32_t> info;  // rows x num_info
  // Same-step autoreset: the last step of episodes that ended in this batch.
  std::vector<uint8_t> final_obs;
  std::vector<int32_t> final_elapsed_step;
  std::vector<int32_t> final_info;
};

}  // namespace fastpool
