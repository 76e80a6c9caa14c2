// Per-env random streams, bit-identical to numpy's
// np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed))).
// Env i of a pool made with seed s draws from the stream of seed s + i, which is
// exactly where gymnasium's env.reset(seed=s + i) puts that env's np_random.
#pragma once

#include <cstdint>

namespace fastpool {

// numpy's SeedSequence(entropy).generate_state(n, np.uint32).
void seed_sequence_words(uint64_t entropy, uint32_t* out, int n);

class Pcg64 {
 public:
  explicit Pcg64(uint64_t seed = 0) { reseed(seed); }

  // Restart the stream as numpy's SeedSequence(seed) + PCG64 would.
  void reseed(uint64_t seed);

  uint64_t next_u64();

  // numpy's Generator.random(): 53 random bits in [0, 1).
  double next_double() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

  // numpy's Generator.uniform(low, high).
  double uniform(double low, double high) { return low + (high - low) * next_double(); }

  // numpy's Generator.integers(low, high) for 0 < high - low <= 2^32.
  int64_t integers(int64_t low, int64_t high);

 private:
  uint32_t next_u32();  // numpy's buffered 32-bit draw: two per 64-bit output
  bool has_u32_ = false;
  uint32_t u32_ = 0;
  // 128-bit state and increment as (high, low) halves: portable, no __int128.
  uint64_t state_hi_ = 0, state_lo_ = 0, inc_hi_ = 0, inc_lo_ = 0;
  void advance();
};

}  // namespace fastpool
