// ttt/random/normal.hpp: uniform and standard normal variates on top of Philox4x32-10, addressed by
// (seed, trial, stream, row, index), so that every number a Monte Carlo trial uses is a pure function of
// its coordinates (independent of threads, batching, ranks and backend).
//
// Counter layout: c0 = pair index within the row, c1 = row, c2 = low 32 bits of the trial index,
// c3 = (high 24 bits of the trial index) << 8 | stream id; key = the 64-bit seed.
// One Philox call yields two 52-bit uniforms in (0,1) and, through Box-Muller, two normals:
//   z0 = sqrt(-2 log u0) cos(2 pi u1),  z1 = sqrt(-2 log u0) sin(2 pi u1).
// Normals are computed in double whatever the model's Real type.
#pragma once

#include <ttt/config.hpp>
#include <ttt/random/philox.hpp>

#include <cmath>
#include <cstdint>

namespace ttt::random {

/// Stream ids of the Monte Carlo trials (one row-addressed stream per kind of random quantity).
enum Stream : std::uint32_t {
  stream_context_x = 1,     // rows of X (n x d)
  stream_context_noise = 2, // eps of the context (row 0, n entries)
  stream_train_x = 3,       // rows of X_tr (m x d)
  stream_train_noise = 4,   // eps of the test-time set
  stream_eval_x = 5,        // fresh evaluation prompts (brute-force loss evaluation)
  stream_eval_noise = 6,
  stream_task = 7,          // a random task beta ~ N(0, Sb)
  stream_reduced = 8,       // sufficient statistics of the reduced sampler
  stream_user = 64          // first id free for users
};

constexpr double two_pi = 6.283185307179586476925286766559;
constexpr double two_pow_m52 = 2.220446049250313080847263336181640625e-16;

/// u = (k + 1/2) 2^-52 for the top 52 bits k of (hi, lo): the midpoints of 2^52 equal cells of (0,1).
/// k + 1/2 < 2^52 is exact in a double, so 2^-53 <= u <= 1 - 2^-53. (With 53 bits, k + 1/2 is rounded to an
/// even integer once k >= 2^52, and the largest k gives u = 1 exactly.)
TTT_HOST_DEVICE TTT_FORCEINLINE double u01_from_bits(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t x = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 12;  // 52 bits
  return (static_cast<double>(x) + 0.5) * two_pow_m52;                          // in (0, 1)
}

TTT_HOST_DEVICE TTT_FORCEINLINE Philox4x32::Key key_from_seed(std::uint64_t seed) {
  return {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
}

TTT_HOST_DEVICE TTT_FORCEINLINE Philox4x32::Counter counter_for(std::uint64_t trial, std::uint32_t stream,
                                                                 std::uint32_t row, std::uint32_t pair) {
  return {{pair, row, static_cast<std::uint32_t>(trial),
           static_cast<std::uint32_t>((trial >> 32) << 8) | (stream & 0xffu)}};
}

/// Box-Muller pair from one Philox output.
TTT_HOST_DEVICE TTT_FORCEINLINE void box_muller(const Philox4x32::Counter& bits, double& z0, double& z1) {
  const double u0 = u01_from_bits(bits.v[0], bits.v[1]);
  const double u1 = u01_from_bits(bits.v[2], bits.v[3]);
  const double rad = std::sqrt(-2.0 * std::log(u0));
  const double th = two_pi * u1;
  z0 = rad * std::cos(th);
  z1 = rad * std::sin(th);
}

/// The normals of one (seed, trial, stream, row): element k is normal k of that row.
class NormalRow {
 public:
  TTT_HOST_DEVICE NormalRow(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream, std::uint32_t row)
      : m_key(key_from_seed(seed)), m_trial(trial), m_stream(stream), m_row(row) {}

  /// Writes normals [0, count) of the row to out.
  template <class Real>
  TTT_HOST_DEVICE void fill(Real* out, std::uint32_t count) const {
    std::uint32_t k = 0, pair = 0;
    for (; k + 1 < count; k += 2, ++pair) {
      double z0, z1;
      box_muller(Philox4x32::apply(counter_for(m_trial, m_stream, m_row, pair), m_key), z0, z1);
      out[k] = static_cast<Real>(z0);
      out[k + 1] = static_cast<Real>(z1);
    }
    if (k < count) {
      double z0, z1;
      box_muller(Philox4x32::apply(counter_for(m_trial, m_stream, m_row, pair), m_key), z0, z1);
      out[k] = static_cast<Real>(z0);
    }
  }

  /// Normal k of the row (random access).
  TTT_HOST_DEVICE double at(std::uint32_t k) const {
    double z0, z1;
    box_muller(Philox4x32::apply(counter_for(m_trial, m_stream, m_row, k / 2), m_key), z0, z1);
    return (k & 1u) ? z1 : z0;
  }

  /// Uniform in (0,1): the first uniform of pair k (for samplers that need uniforms, e.g. rejection).
  TTT_HOST_DEVICE double uniform_at(std::uint32_t k) const {
    const Philox4x32::Counter b = Philox4x32::apply(counter_for(m_trial, m_stream, m_row, k), m_key);
    return u01_from_bits(b.v[0], b.v[1]);
  }

 private:
  Philox4x32::Key m_key;
  std::uint64_t m_trial;
  std::uint32_t m_stream;
  std::uint32_t m_row;
};

}  // namespace ttt::random
