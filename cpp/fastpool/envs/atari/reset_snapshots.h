// Game resets replayed from snapshots. ALE's reset_game() powers the console on, runs 60
// no-op frames, presses RESET twice and plays the ROM's starting actions: ~70 frames, about as
// much emulation as 18 agent steps. After its first frame the rest is a function of the
// emulator's state, and few such states recur (ROMs clear their RAM at power-on; the RIOT
// timer starts at one of 75 values), so each is kept with the state and screens that the
// rest leads to, and restored from there: a reset then costs about one frame.
//
// Exact by construction: an outcome is kept only where the rest provably depends on nothing
// but that state. The state must recur, the rest must not draw random numbers, move a paddle
// or end mid-frame, and a replay from the state with every frame-buffer byte changed must end
// in the same state and screens. The system RNG (which power-on draws from) stays live.
//
// The envs of one game (ROM, mode, difficulty) share their snapshots, so a pool learns each
// state once; lookups take a shared lock, the rare additions an exclusive one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ale {
class ALEInterface;
class StellaEnvironment;
namespace stella {
class Random;
class TIA;
}  // namespace stella
}  // namespace ale

namespace fastpool {

class ResetSnapshots {
 public:
  // The snapshots of one game, shared by every env of this process that plays it.
  static std::shared_ptr<ResetSnapshots> of_game(const std::string& game);
  // At most `capacity` outcomes are kept (~15 kB each); a state beyond them resets the full way.
  explicit ResetSnapshots(size_t capacity = 128) : capacity_(capacity) {}

  struct Counts {
    int64_t hits = 0, misses = 0;
  };
  // ale.reset_game(), with the same outcome in every byte that can be observed.
  void reset_game(ale::ALEInterface& ale, Counts& counts);
  size_t size() const;  // outcomes kept

 private:
  using Frames = std::vector<uint8_t>;  // the TIA's current and previous frame buffers (visible area)
  struct Outcome {
    std::string state;  // system and ROM settings, serialized with the system RNG left out
    std::shared_ptr<const Frames> frames;
  };

  // ALE's insides, reached as StellaEnvironment's friend.
  static ale::stella::TIA& tia(ale::StellaEnvironment& env);
  static ale::stella::Random& system_rng(ale::StellaEnvironment& env);
  static std::pair<int, int> paddles(ale::StellaEnvironment& env);  // the paddles' resistances
  static std::string state(ale::StellaEnvironment& env);
  static void load(ale::StellaEnvironment& env, const std::string& state);
  static Frames frames(ale::StellaEnvironment& env);
  static void load_frames(ale::StellaEnvironment& env, const Frames& frames);

  std::shared_ptr<const Outcome> find(const std::string& key) const;
  bool seen_before(const std::string& key);  // remembers it otherwise
  void keep(std::string key, std::string state, Frames frames);

  const size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Outcome>> outcomes_;  // state after the first frame ->
  std::unordered_set<size_t> seen_once_;  // hashes of states seen once (most never recur)
  std::vector<std::shared_ptr<const Frames>> screens_;  // one copy of each distinct pair
};

}  // namespace fastpool
