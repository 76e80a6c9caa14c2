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

  uint64_t next_u64() {
    advance();
    const uint64_t x = state_hi_ ^ state_lo_;
    const unsigned rot = static_cast<unsigned>(state_hi_ >> 58);
    return (x >> rot) | (x << ((64 - rot) & 63));
  }

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
  // state = state * MULT + inc (mod 2^128), inline: a reset's draws are a tenth of CartPole's work.
  void advance() {
    constexpr uint64_t kMultHi = 0x2360ed051fc65da4ULL, kMultLo = 0x4385df649fccf645ULL;
    uint64_t hi, lo;
    mul_64(state_lo_, kMultLo, hi, lo);
    hi += state_hi_ * kMultLo + state_lo_ * kMultHi;
    const uint64_t new_lo = lo + inc_lo_;
    state_hi_ = hi + inc_hi_ + (new_lo < lo ? 1 : 0);
    state_lo_ = new_lo;
  }
  // 64 x 64 -> 128-bit product: the compiler's 128-bit type where it has one, else in halves.
  static void mul_64(uint64_t a, uint64_t b, uint64_t& hi, uint64_t& lo) {
#ifdef __SIZEOF_INT128__
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    hi = static_cast<uint64_t>(p >> 64);
    lo = static_cast<uint64_t>(p);
#else
    const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    const uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    const uint64_t mid = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);
    lo = (mid << 32) | (p0 & 0xffffffffu);
    hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
#endif
  }
};

}  // namespace fastpool
