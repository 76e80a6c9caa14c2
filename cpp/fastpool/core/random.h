// Per-env random streams, bit-identical to numpy's
// np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed))).
// Env i of a pool made with seed s draws from the stream of seed s + i, which is
// exactly where gymnasium's env.reset(seed=s + i) puts that env's np_random.
#pragma once

#include <cstdint>

namespace fastpool {

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

  // An integer in [0, n) (n > 0); Lemire's unbiased method.
  uint64_t below(uint64_t n);

 private:
  // 128-bit state and increment as (high, low) halves: portable, no __int128.
  uint64_t state_hi_ = 0, state_lo_ = 0, inc_hi_ = 0, inc_lo_ = 0;
  void advance();
};

}  // namespace fastpool
