// ttt/random/normal_block.hpp: the Monte Carlo trials' normals, generated a block of Philox counters at a time
// so that GCC vectorizes both Philox4x32-10 and Box-Muller.
//
// Same counter layout as <ttt/random/normal.hpp> (c0 = pair index within the row, c1 = row, c2 = low 32 bits
// of the trial, c3 = high 24 bits of the trial << 8 | stream; key = seed) and the same uniforms; Box-Muller
// uses the library's own log and cos/sin of 2 pi u (<ttt/random/vecmath.hpp>) instead of std::log, std::cos
// and std::sin, so a normal here may differ from NormalRow's in the last bits (|difference| <= a few ulp).
// Every normal is still a pure function of (seed, trial, stream, row, index): block fills, random access
// (`PolyNormalRow::at`), host and device give the same bits (host and device: when the host has FMA).
//
// philox4x32_10_lanes is the scalar Philox4x32::apply<10> over structure-of-arrays counters (bit-identical),
// written on plain uint32_t arrays: the widening 32x32 -> 64 multiplies vectorize (vpmuludq) where
// Random123's struct interface does not.
#pragma once

#include <ttt/config.hpp>
#include <ttt/random/normal.hpp>
#include <ttt/random/philox.hpp>
#include <ttt/random/vecmath.hpp>

#include <cstdint>

#if defined(__x86_64__) && !defined(__CUDACC__)
#include <immintrin.h>
#define TTT_SIMD_SQRT_X86 1
#else
#define TTT_SIMD_SQRT_X86 0
#endif

namespace ttt::random {

/// Counters per generated block: 64 Philox outputs = 128 normals = 1 KiB of doubles (L1-resident).
constexpr int normal_block_lanes = 64;

/// Philox4x32-10 on `N` counters (c0[i], c1[i], c2[i], c3[i]) in place, under key (k0, k1).
template <int N>
TTT_HOST_DEVICE TTT_FORCEINLINE void philox4x32_10_lanes(std::uint32_t* c0, std::uint32_t* c1, std::uint32_t* c2,
                                                        std::uint32_t* c3, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint64_t M0 = Philox4x32::M0, M1 = Philox4x32::M1;
  // Round keys: k + r (W0, W1) mod 2^32.
  std::uint32_t ka[10], kb[10];
  for (int r = 0; r < 10; ++r) {
    ka[r] = k0 + static_cast<std::uint32_t>(r) * Philox4x32::W0;
    kb[r] = k1 + static_cast<std::uint32_t>(r) * Philox4x32::W1;
  }
#if defined(__GNUC__) && !defined(__CUDACC__) && !defined(__clang__)
#pragma GCC ivdep
#endif
  for (int i = 0; i < N; ++i) {
    std::uint32_t x0 = c0[i], x1 = c1[i], x2 = c2[i], x3 = c3[i];
#define TTT_PHILOX_ROUND(R)                                             \
  {                                                                     \
    const std::uint64_t p0 = M0 * x0, p1 = M1 * x2;                     \
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ ka[R]; \
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ kb[R]; \
    x1 = static_cast<std::uint32_t>(p1);                                \
    x3 = static_cast<std::uint32_t>(p0);                                \
    x0 = n0;                                                            \
    x2 = n2;                                                            \
  }
    TTT_PHILOX_ROUND(0) TTT_PHILOX_ROUND(1) TTT_PHILOX_ROUND(2) TTT_PHILOX_ROUND(3) TTT_PHILOX_ROUND(4)
    TTT_PHILOX_ROUND(5) TTT_PHILOX_ROUND(6) TTT_PHILOX_ROUND(7) TTT_PHILOX_ROUND(8) TTT_PHILOX_ROUND(9)
#undef TTT_PHILOX_ROUND
    c0[i] = x0;
    c1[i] = x1;
    c2[i] = x2;
    c3[i] = x3;
  }
}

/// Box-Muller on one Philox output (b0, b1, b2, b3) with the library's log and cos/sin:
///   u0 = u01_from_bits(b0, b1), u1 = u01_from_bits(b2, b3),
///   z0 = sqrt(-2 log u0) cos(2 pi u1),  z1 = sqrt(-2 log u0) sin(2 pi u1).
/// Returns -2 log u0 in r2 and the cos, sin in c, s; the caller takes the (correctly rounded) square root, so
/// that the sqrt sits in the function whose errno handling it controls.
TTT_HOST_DEVICE TTT_FORCEINLINE void box_muller_poly_parts(std::uint32_t b0, std::uint32_t b1, std::uint32_t b2,
                                                           std::uint32_t b3, double& r2, double& c, double& s) {
  const std::uint64_t k0 = ((static_cast<std::uint64_t>(b0) << 32) | b1) >> 12;
  const std::uint64_t k1 = ((static_cast<std::uint64_t>(b2) << 32) | b3) >> 12;
  r2 = -2.0 * vm::log_positive(vm::u01_from_k52(k0));
  vm::cos_sin_2pi(k1, c, s);
}

/// The normal pair of one counter (scalar path; the block fills below give the same bits).
TTT_HOST_DEVICE TTT_FORCEINLINE void poly_normal_pair(const Philox4x32::Counter& ctr, const Philox4x32::Key& key,
                                                      double& z0, double& z1) {
  const Philox4x32::Counter b = Philox4x32::apply(ctr, key);
  double r2, c, s;
  box_muller_poly_parts(b.v[0], b.v[1], b.v[2], b.v[3], r2, c, s);
  const double rad = std::sqrt(r2);
  z0 = rad * c;
  z1 = rad * s;
}

/// rad[i] = sqrt(rad[i]) for i < N (N a multiple of 8), correctly rounded. GCC keeps std::sqrt scalar under
/// the default -fmath-errno (it branches to libm for negative arguments, and an optimize attribute cannot
/// change that for a builtin), so x86 hosts take the packed IEEE square root directly.
template <int N>
TTT_HOST_DEVICE TTT_FORCEINLINE void sqrt_lanes(double* rad) {
#if TTT_SIMD_SQRT_X86 && defined(__AVX__)  // also under AVX-512 (GCC 12's _mm512_sqrt_pd warns -Wuninitialized)
  for (int i = 0; i < N; i += 4) _mm256_store_pd(rad + i, _mm256_sqrt_pd(_mm256_load_pd(rad + i)));
#elif TTT_SIMD_SQRT_X86
  for (int i = 0; i < N; i += 2) _mm_store_pd(rad + i, _mm_sqrt_pd(_mm_load_pd(rad + i)));
#else
  for (int i = 0; i < N; ++i) rad[i] = std::sqrt(rad[i]);
#endif
}

/// Normal pairs of N counters (c0[i], c1[i], c2, c3): z[2i] = z0, z[2i + 1] = z1 of counter i.
template <int N>
TTT_HOST_DEVICE inline void poly_normals_lanes(const std::uint32_t* c0, const std::uint32_t* c1, std::uint32_t c2,
                                               std::uint32_t c3, const Philox4x32::Key& key, double* z) {
  static_assert(N % 8 == 0, "lanes come in multiples of 8");
  alignas(64) std::uint32_t x0[N], x1[N], x2[N], x3[N];
  for (int i = 0; i < N; ++i) {
    x0[i] = c0[i];
    x1[i] = c1[i];
    x2[i] = c2;
    x3[i] = c3;
  }
  philox4x32_10_lanes<N>(x0, x1, x2, x3, key.v[0], key.v[1]);
  alignas(64) double rad[N], cs[N], sn[N];
  for (int i = 0; i < N; ++i) box_muller_poly_parts(x0[i], x1[i], x2[i], x3[i], rad[i], cs[i], sn[i]);
  sqrt_lanes<N>(rad);
  for (int i = 0; i < N; ++i) {
    z[2 * i] = rad[i] * cs[i];
    z[2 * i + 1] = rad[i] * sn[i];
  }
}

/// The normals of one (seed, trial, stream) as a matrix of rows: row r, element k is normal k of row r,
/// the same number as PolyNormalRow(seed, trial, stream, r).at(k).
class PolyNormalStream {
 public:
  TTT_HOST_DEVICE PolyNormalStream(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream)
      : m_key(key_from_seed(seed)),
        m_c2(static_cast<std::uint32_t>(trial)),
        m_c3(static_cast<std::uint32_t>((trial >> 32) << 8) | (stream & 0xffu)) {}

  /// Rows [row0, row0 + rows) of length `len` into out (row-major, stride len).
  template <class Real>
  TTT_HOST_DEVICE void fill_rows(std::uint32_t row0, std::uint32_t rows, std::uint32_t len, Real* out) const {
    constexpr int N = normal_block_lanes;
    const std::uint32_t pairs = (len + 1) / 2;  // counters per row
    const std::uint64_t total = std::uint64_t(rows) * pairs;
    alignas(64) std::uint32_t c0[N], c1[N];
    alignas(64) double z[2 * N];
    if (pairs <= std::uint32_t(N / 2)) {  // short rows: whole rows per block, counters from a fixed pattern
      const std::uint32_t rpb = std::uint32_t(N) / pairs;  // rows per block
      alignas(64) std::uint32_t pat_p[N], pat_r[N];
      for (int i = 0; i < N; ++i) {
        const std::uint32_t j = std::uint32_t(i) < rpb * pairs ? std::uint32_t(i) : rpb * pairs - 1;
        pat_p[i] = j % pairs;
        pat_r[i] = j / pairs;
      }
      for (std::uint32_t r = 0; r < rows; r += rpb) {
        const std::uint32_t nr = rows - r < rpb ? rows - r : rpb;
        for (int i = 0; i < N; ++i) {
          c0[i] = pat_p[i];
          c1[i] = row0 + r + (pat_r[i] < nr ? pat_r[i] : nr - 1);
        }
        poly_normals_lanes<N>(c0, c1, m_c2, m_c3, m_key, z);
        Real* o = out + std::uint64_t(r) * len;
        if ((len & 1u) == 0) {
          for (std::uint32_t i = 0; i < nr * len; ++i) o[i] = static_cast<Real>(z[i]);
        } else {
          for (std::uint32_t q = 0; q < nr; ++q)
            for (std::uint32_t k = 0; k < len; ++k) o[q * len + k] = static_cast<Real>(z[q * 2 * pairs + k]);
        }
      }
      return;
    }
    std::uint32_t p = 0, r = 0;  // next counter: (pair p, row row0 + r)
    for (std::uint64_t g = 0; g < total; g += N) {
      const int nb = total - g < std::uint64_t(N) ? static_cast<int>(total - g) : N;
      std::uint32_t pp = p, rr = r;
      if (nb == N && p + std::uint32_t(N) <= pairs) {  // the block lies in one row (vectorizes)
        for (int i = 0; i < N; ++i) {
          c0[i] = p + static_cast<std::uint32_t>(i);
          c1[i] = row0 + r;
        }
        pp = p + std::uint32_t(N - 1);
      } else {
        for (int i = 0; i < N; ++i) {  // lanes past nb repeat a valid counter and are discarded
          c0[i] = pp;
          c1[i] = row0 + rr;
          if (i + 1 < nb && ++pp == pairs) {
            pp = 0;
            ++rr;
          }
        }
      }
      poly_normals_lanes<N>(c0, c1, m_c2, m_c3, m_key, z);
      if ((len & 1u) == 0) {  // pairs tile the rows: normals g.. land at out + 2g
        Real* o = out + 2 * g;
        for (int i = 0; i < 2 * nb; ++i) o[i] = static_cast<Real>(z[i]);
      } else {
        for (int i = 0; i < nb; ++i) {
          Real* o = out + std::uint64_t(c1[i] - row0) * len + 2 * c0[i];
          o[0] = static_cast<Real>(z[2 * i]);
          if (2 * c0[i] + 1 < len) o[1] = static_cast<Real>(z[2 * i + 1]);
        }
      }
      p = pp;
      r = rr;
      if (nb == N && ++p == pairs) {
        p = 0;
        ++r;
      }
    }
  }

  /// Normal k of `row` (random access).
  TTT_HOST_DEVICE double at(std::uint32_t row, std::uint32_t k) const {
    double z0, z1;
    poly_normal_pair({{k / 2, row, m_c2, m_c3}}, m_key, z0, z1);
    return (k & 1u) ? z1 : z0;
  }

 private:
  Philox4x32::Key m_key;
  std::uint32_t m_c2, m_c3;
};

}  // namespace ttt::random
