// A native test of the engine, without Python: sync and async stepping, seeding,
// resets, classic control stepped per env and in chunks, Atari preprocessing and error paths. It prints one hash per workload, so
// builds for different platforms (Linux, Windows under wine) can be compared.
//
//   engine_test [path/to/breakout.bin]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ale/ale_interface.hpp"
#include "ale/common/Log.hpp"
#include "fastpool/core/pool.h"
#include "fastpool/envs/atari/atari.h"
#include "fastpool/envs/atari/reset_snapshots.h"
#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/testing/faulty.h"

using namespace fastpool;

namespace {

int failures = 0, checks = 0;

void check(bool ok, const std::string& what) {
  ++checks;
  if (!ok) {
    ++failures;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

template <typename Fn>
void expect_throw(Fn fn, const std::string& what) {
  bool thrown = false;
  try {
    fn();
  } catch (const std::exception&) {
    thrown = true;
  }
  check(thrown, what + " throws");
}

// FNV-1a, over bytes.
struct Hash {
  uint64_t h = 1469598103934665603ULL;
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  }
};

using MakeEnv = std::unique_ptr<Env> (*)(int);

std::unique_ptr<Pool> make_pool(int n, int threads, int batch, EnvSpec spec, MakeEnv make, uint64_t seed) {
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) {
    envs.push_back(make(i));
    envs.back()->seed(seed + i);
  }
  PoolOptions o;
  o.num_threads = threads;
  o.batch_size = batch;
  return std::make_unique<Pool>(std::move(spec), std::move(envs), o);
}

// A pool over one classic-control BatchEnv (stepped a chunk per call), env i seeded seed + i.
std::unique_ptr<Pool> make_batch_pool(int n, int threads, int batch, const std::string& name, int max_steps,
                                      uint64_t seed) {
  std::unique_ptr<BatchEnv> envs = make_classic_control_batch(name, n, max_steps);
  for (int i = 0; i < n; ++i) envs->seed(i, seed + i);
  PoolOptions o;
  o.num_threads = threads;
  o.batch_size = batch;
  return std::make_unique<Pool>(classic_control_spec(name), std::move(envs), o);
}

// Each env's own trajectory hash, whatever order results arrive in.
std::vector<uint64_t> run(Pool& pool, int steps) {
  const int n = pool.num_envs();
  const size_t obs_bytes = pool.spec().obs_bytes();
  std::vector<Hash> hashes(n);
  std::vector<int> count(n, 0);
  pool.send_reset(nullptr, n, {}, false);
  int done = 0;
  while (done < n) {
    auto b = pool.recv(false);
    std::vector<int64_t> ids, actions;
    std::vector<float> box;  // float actions (action_dim > 0): deterministic, some out of bounds
    for (int r = 0; r < b->count; ++r) {
      const int id = b->env_id[r];
      if (count[id] <= steps) {
        hashes[id].add(b->obs_row(r), obs_bytes);
        hashes[id].add(&b->reward[r], sizeof(double));
        hashes[id].add(&b->terminated[r], 1);
        hashes[id].add(&b->truncated[r], 1);
      }
      if (++count[id] == steps + 1) ++done;
      ids.push_back(id);
      if (pool.spec().action_dim > 0) {
        for (int k = 0; k < pool.spec().action_dim; ++k)
          box.push_back(static_cast<float>((id * 7 + count[id] * 3 + k) % 11) * 0.5f - 2.5f);
      } else {
        actions.push_back((id * 7 + count[id] * 3) % pool.spec().num_actions);
      }
    }
    if (done < n && !box.empty()) pool.send_step_box(box.data(), ids.data(), static_cast<int>(ids.size()), false);
    if (done < n && box.empty()) pool.send_step(actions.data(), ids.data(), static_cast<int>(ids.size()), false);
  }
  std::vector<uint64_t> out;
  for (auto& h : hashes) out.push_back(h.h);
  return out;
}

uint64_t combine(const std::vector<uint64_t>& hs) {
  Hash h;
  h.add(hs.data(), hs.size() * sizeof(uint64_t));
  return h.h;
}

std::string rom_path;
AtariConfig atari_config() {
  AtariConfig c;
  c.rom_path = rom_path;
  c.repeat_action_probability = 0.25f;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  ale::Logger::setMode(ale::Logger::Error);

  // CartPole: one trajectory per env, the same for any thread count and batch size.
  auto cartpole = [](int) -> std::unique_ptr<Env> { return std::make_unique<CartPole>(500); };
  std::vector<uint64_t> ref;
  for (int threads : {1, 2, 4}) {
    for (int batch : {16, 4, 5}) {
      auto pool = make_pool(16, threads, batch, CartPole::spec(), cartpole, 42);
      auto hs = run(*pool, 300);
      if (ref.empty()) ref = hs;
      check(hs == ref, "CartPole trajectories, threads " + std::to_string(threads) + " batch " + std::to_string(batch));
    }
  }
  check(ref[0] != ref[1], "CartPole envs have distinct streams");
  for (int threads : {1, 2, 4})
    for (int batch : {16, 4, 5})
      check(run(*make_batch_pool(16, threads, batch, "CartPole", 500, 42), 300) == ref,
            "CartPole batched = per env, threads " + std::to_string(threads) + " batch " + std::to_string(batch));
  std::printf("hash cartpole %016llx\n", static_cast<unsigned long long>(combine(ref)));

  // The seed streams are numpy's: PCG64(SeedSequence(0)).random() starts 0.6369616873214543.
  Pcg64 rng(0);
  check(rng.next_double() == 0.6369616873214543, "Pcg64 matches numpy");

  // Error paths.
  {
    auto pool = make_pool(4, 2, 4, CartPole::spec(), cartpole, 0);
    std::vector<int64_t> a(4, 0), bad(4, 2), dup{0, 0};
    expect_throw([&] { pool->send_step(a.data(), nullptr, 4, true); }, "step before reset");
    expect_throw([&] { pool->recv(true); }, "recv without send");
    pool->send_reset(nullptr, 4, {}, true);
    pool->recv(true);
    expect_throw([&] { pool->send_step(bad.data(), nullptr, 4, true); }, "out-of-range action");
    expect_throw([&] { pool->send_step(a.data(), dup.data(), 2, true); }, "duplicate env ids");
    pool->send_step(a.data(), nullptr, 4, true);
    check(pool->recv(true)->rows == 4, "pool usable after errors");
    // A sync pool may step some envs: recv() returns just those, in env id order.
    std::vector<int64_t> some{3, 1};
    pool->send_step(a.data(), some.data(), 2, false);
    auto part = pool->recv(true);
    check(part->count == 2 && part->env_id[0] == 1 && part->env_id[1] == 3 && part->elapsed_step[1] == 2,
          "a sync batch of some envs");
    pool->send_step(a.data(), nullptr, 4, true);
    auto whole = pool->recv(true);
    check(whole->count == 4 && whole->elapsed_step[0] == 2 && whole->elapsed_step[3] == 3, "a whole step after some");
    pool->close();
    expect_throw([&] { pool->send_step(a.data(), nullptr, 4, true); }, "step after close");
  }
  {
    auto pool = make_pool(4, 2, 4, Faulty::spec(), [](int) -> std::unique_ptr<Env> { return std::make_unique<Faulty>(); }, 0);
    pool->send_reset(nullptr, 4, {}, true);
    pool->recv(true);
    std::vector<int64_t> a{0, 1, 0, 0};
    pool->send_step(a.data(), nullptr, 4, true);
    expect_throw([&] { pool->recv(true); }, "an exception in a worker");
    a[1] = 0;
    pool->send_step(a.data(), nullptr, 4, true);
    check(pool->recv(true)->rows == 4, "pool usable after a worker exception");
  }

  // Classic control, discrete and float actions: one trajectory per env, for any thread count and batch.
  for (const char* name : {"Acrobot", "MountainCar", "MountainCarContinuous", "Pendulum"}) {
    static std::string current;
    current = name;
    auto make = [](int) { return make_classic_control(current, 200); };
    std::vector<uint64_t> ref;
    for (int threads : {1, 2})
      for (int batch : {8, 3}) {
        auto pool = make_pool(8, threads, batch, classic_control_spec(name), make, 5);
        auto hs = run(*pool, 400);
        if (ref.empty()) ref = hs;
        check(hs == ref, current + " trajectories, threads " + std::to_string(threads) + " batch " + std::to_string(batch));
      }
    for (int threads : {1, 2, 3})
      for (int batch : {8, 3})
        check(run(*make_batch_pool(8, threads, batch, name, 200, 5), 400) == ref,
              current + " batched = per env, threads " + std::to_string(threads) + " batch " + std::to_string(batch));
    std::printf("hash %s %016llx\n", name, static_cast<unsigned long long>(combine(ref)));
  }
  {
    auto make = [](int) { return make_classic_control("Pendulum", 200); };
    auto pool = make_pool(2, 2, 2, classic_control_spec("Pendulum"), make, 0);
    pool->send_reset(nullptr, 2, {}, true);
    pool->recv(true);
    std::vector<float> nan_action{0.0f, std::nanf("")};
    std::vector<int64_t> ints{0, 1};
    expect_throw([&] { pool->send_step_box(nan_action.data(), nullptr, 2, true); }, "a NaN action");
    expect_throw([&] { pool->send_step(ints.data(), nullptr, 2, true); }, "integer actions for a float env");
    std::vector<float> ok{1.0f, -1.0f};
    pool->send_step_box(ok.data(), nullptr, 2, true);
    check(pool->recv(true)->elapsed_step[0] == 1, "float env usable after refused actions");
    expect_throw([] { make_classic_control("NoSuchEnv", 10); }, "an unknown classic-control env");
  }

  // Atari, with sticky actions: preprocessing output and trajectories.
  if (argc > 1) {
    rom_path = argv[1];
    Atari::check_rom(rom_path);
    auto atari = [](int i) -> std::unique_ptr<Env> { return std::make_unique<Atari>(atari_config(), 7 + i); };
    Atari probe(atari_config(), 7);
    const EnvSpec spec = probe.spec();
    check(spec.obs_shape == std::vector<int64_t>({4, 84, 84}) && spec.num_actions == 4, "Breakout spec");
    std::vector<uint64_t> aref;
    for (int threads : {1, 2}) {
      for (int batch : {4, 2}) {
        auto pool = make_pool(4, threads, batch, spec, atari, 7);
        auto hs = run(*pool, 60);
        if (aref.empty()) aref = hs;
        check(hs == aref, "Atari trajectories, threads " + std::to_string(threads) + " batch " + std::to_string(batch));
      }
    }
    std::printf("hash atari %016llx\n", static_cast<unsigned long long>(combine(aref)));

    // Resets from snapshots against ALE's own, sticky actions on: screen, RAM, lives and
    // ends equal after every reset and step, and snapshots used.
    {
      ale::ALEInterface plain, snapped;
      for (ale::ALEInterface* a : {&plain, &snapped}) {
        a->setInt("random_seed", 3);
        a->setFloat("repeat_action_probability", 0.25f);
        a->loadROM(rom_path);
      }
      ResetSnapshots snapshots;
      ResetSnapshots::Counts counts;
      Pcg64 rng(11);
      const ale::ActionVect legal = plain.getMinimalActionSet();
      bool same = true;
      for (int t = 0; t < 3000 && same; ++t) {
        if (t % 23 == 0 || plain.game_over()) {
          plain.reset_game();
          snapshots.reset_game(snapped, counts);
        } else {
          const ale::Action a = legal[static_cast<size_t>(rng.integers(0, static_cast<int64_t>(legal.size())))];
          same = plain.act(a) == snapped.act(a);
        }
        const auto& p = plain.getScreen();
        const auto& q = snapped.getScreen();
        same = same && std::equal(p.getArray(), p.getArray() + p.arraySize(), q.getArray()) &&
               std::equal(plain.getRAM().array(), plain.getRAM().array() + plain.getRAM().size(),
                          snapped.getRAM().array()) &&
               plain.lives() == snapped.lives() && plain.game_over() == snapped.game_over();
      }
      check(same, "resets from snapshots equal ALE's resets");
      check(counts.hits > 100, "resets from snapshots are used (" + std::to_string(counts.hits) + " hits)");
    }

    // Area resize of a constant image is that constant.
    AreaResize resize(210, 160, 84, 84, 1);
    std::vector<uint8_t> src(210 * 160, 77), dst(84 * 84);
    resize(src.data(), dst.data());
    check(std::all_of(dst.begin(), dst.end(), [](uint8_t v) { return v == 77; }), "area resize keeps a constant");
  }

  std::printf("%d of %d checks passed\n", checks - failures, checks);
  return failures == 0 ? 0 : 1;
}
