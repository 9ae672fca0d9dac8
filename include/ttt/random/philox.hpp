// ttt/random/philox.hpp: the Philox4x32-10 counter-based generator (Salmon, Moraes, Dror & Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC 2011), bit-identical to Random123's philox4x32_R(10).
// Host and device; no state beyond (counter, key).
#pragma once

#include <ttt/config.hpp>

#include <cstdint>

namespace ttt::random {

struct Philox4x32 {
  struct Counter { std::uint32_t v[4]; };
  struct Key { std::uint32_t v[2]; };

  static constexpr std::uint32_t M0 = 0xD2511F53u;
  static constexpr std::uint32_t M1 = 0xCD9E8D57u;
  static constexpr std::uint32_t W0 = 0x9E3779B9u;  // golden ratio
  static constexpr std::uint32_t W1 = 0xBB67AE85u;  // sqrt(3) - 1

  TTT_HOST_DEVICE static TTT_FORCEINLINE void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi,
                                                       std::uint32_t& lo) {
    const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
    hi = static_cast<std::uint32_t>(p >> 32);
    lo = static_cast<std::uint32_t>(p);
  }

  /// One round: (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2; c <- (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0).
  TTT_HOST_DEVICE static TTT_FORCEINLINE void round(std::uint32_t c[4], std::uint32_t k0, std::uint32_t k1) {
    std::uint32_t hi0, lo0, hi1, lo1;
    mulhilo(M0, c[0], hi0, lo0);
    mulhilo(M1, c[2], hi1, lo1);
    const std::uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
  }

  /// Philox4x32 with R rounds (the key is bumped by the Weyl constants between rounds).
  template <int R = 10>
  TTT_HOST_DEVICE static TTT_FORCEINLINE Counter apply(Counter c, Key k) {
    std::uint32_t k0 = k.v[0], k1 = k.v[1];
    round(c.v, k0, k1);
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int r = 1; r < R; ++r) {
      k0 += W0;
      k1 += W1;
      round(c.v, k0, k1);
    }
    return c;
  }
};

}  // namespace ttt::random
