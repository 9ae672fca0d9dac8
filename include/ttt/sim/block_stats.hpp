// ttt/sim/block_stats.hpp: running mean and co-moment of K-component Monte Carlo outputs, accumulated in
// trial order inside a block (Welford) and merged across blocks in block order (Chan, Golub & LeVeque's
// pairwise update). Both orders are fixed by the trial and block indices, so a result is a pure function of
// (seed, trials, block size): the same bytes for any thread count, MPI rank count or CPU backend.
#pragma once

#include <ttt/config.hpp>

#include <cstdint>

namespace ttt::sim {

template <int K>
struct BlockStats {
  static constexpr int components = K;
  std::uint64_t count;
  double mean[K];
  double comoment[K][K];  // sum over trials of (x_i - mean_i)(x_j - mean_j)

  TTT_HOST_DEVICE void reset() {
    count = 0;
    for (int i = 0; i < K; ++i) {
      mean[i] = 0;
      for (int j = 0; j < K; ++j) comoment[i][j] = 0;
    }
  }

  /// Welford update with one trial's outputs x[0..K).
  TTT_HOST_DEVICE void push(const double* x) {
    ++count;
    const double inv = 1.0 / static_cast<double>(count);
    double delta[K];
    for (int i = 0; i < K; ++i) {
      delta[i] = x[i] - mean[i];
      mean[i] += delta[i] * inv;
    }
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < K; ++j) comoment[i][j] += delta[i] * (x[j] - mean[j]);
  }

  /// Appends the trials of `b` (which come after this block's trials in the fixed order).
  TTT_HOST_DEVICE void merge(const BlockStats& b) {
    if (b.count == 0) return;
    if (count == 0) {
      *this = b;
      return;
    }
    const double na = static_cast<double>(count), nb = static_cast<double>(b.count), n = na + nb;
    double delta[K];
    for (int i = 0; i < K; ++i) delta[i] = b.mean[i] - mean[i];
    for (int i = 0; i < K; ++i) mean[i] += delta[i] * (nb / n);
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < K; ++j) comoment[i][j] += b.comoment[i][j] + delta[i] * delta[j] * (na * nb / n);
    count += b.count;
  }

  /// Sample covariance of components i and j (divisor count - 1).
  double covariance(int i, int j) const {
    return count > 1 ? comoment[i][j] / static_cast<double>(count - 1) : 0.0;
  }
};

}  // namespace ttt::sim
