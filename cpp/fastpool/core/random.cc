#include "fastpool/core/random.h"



namespace fastpool {
namespace {

}  // namespace

void seed_sequence_words(uint64_t entropy, uint32_t* out, int n) {
  constexpr uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875;
  constexpr uint32_t kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
  constexpr uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
  constexpr int kPoolSize = 4;

  // The integer as little-endian 32-bit words, as numpy coerces it.
  const uint32_t words[2] = {static_cast<uint32_t>(entropy), static_cast<uint32_t>(entropy >> 32)};
  const int num_words = (entropy >> 32) != 0 ? 2 : 1;

  uint32_t hash_const = kInitA;
  auto hashmix = [&hash_const](uint32_t value) {
    value ^= hash_const;
    hash_const *= kMultA;
    value *= hash_const;
    return value ^ (value >> 16);
  };
  auto mix = [](uint32_t x, uint32_t y) {
    uint32_t result = kMixMultL * x - kMixMultR * y;
    return result ^ (result >> 16);
  };

  uint32_t pool[kPoolSize];
  for (int i = 0; i < kPoolSize; ++i) pool[i] = hashmix(i < num_words ? words[i] : 0u);
  for (int src = 0; src < kPoolSize; ++src)
    for (int dst = 0; dst < kPoolSize; ++dst)
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));

  uint32_t out_const = kInitB;
  for (int i = 0; i < n; ++i) {
    uint32_t v = pool[i % kPoolSize];
    v ^= out_const;
    out_const *= kMultB;
    v *= out_const;
    out[i] = v ^ (v >> 16);
  }
}

void Pcg64::reseed(uint64_t seed) {
  // generate_state(4, np.uint64): pairs of 32-bit words, low word first.
  uint32_t w[8];
  seed_sequence_words(seed, w, 8);
  uint64_t s[4];
  for (int i = 0; i < 4; ++i) s[i] = uint64_t{w[2 * i]} | (uint64_t{w[2 * i + 1]} << 32);
  has_u32_ = false;
  // pcg64_set_seed: initstate = s[0]:s[1], initseq = s[2]:s[3]; inc = initseq << 1 | 1.
  inc_hi_ = (s[2] << 1) | (s[3] >> 63);
  inc_lo_ = (s[3] << 1) | 1u;
  state_hi_ = state_lo_ = 0;
  advance();
  const uint64_t lo = state_lo_ + s[1];
  state_hi_ += s[0] + (lo < state_lo_ ? 1 : 0);
  state_lo_ = lo;
  advance();
}

uint32_t Pcg64::next_u32() {
  if (has_u32_) {
    has_u32_ = false;
    return u32_;
  }
  const uint64_t v = next_u64();
  has_u32_ = true;
  u32_ = static_cast<uint32_t>(v >> 32);
  return static_cast<uint32_t>(v);
}

int64_t Pcg64::integers(int64_t low, int64_t high) {
  // numpy: random_bounded_uint64_fill -> buffered_bounded_lemire_uint32.
  const uint32_t rng = static_cast<uint32_t>(high - 1 - low);
  if (rng == 0) return low;
  if (rng == 0xffffffffu) return low + next_u32();
  const uint32_t rng_excl = rng + 1;
  uint64_t m = uint64_t{next_u32()} * rng_excl;
  uint32_t leftover = static_cast<uint32_t>(m);
  if (leftover < rng_excl) {
    const uint32_t threshold = (0xffffffffu - rng) % rng_excl;
    while (leftover < threshold) {
      m = uint64_t{next_u32()} * rng_excl;
      leftover = static_cast<uint32_t>(m);
    }
  }
  return low + static_cast<int64_t>(m >> 32);
}

}  // namespace fastpool
