// ttt/models/regression_prompt.hpp: in-context regression prompts as transformer tokens, as in the theory:
// context pairs z_i = [x_i; y_i] and queries [x_q; 0], token size d + 1. Batches of prompts with
// beta ~ N(0, I_d), x ~ N(0, I_d), y = x^T beta + eps, eps ~ N(0, sigma2), drawn from the Philox streams of
// <ttt/random/normal.hpp> addressed by (seed, prompt index), so a batch is the same whatever the threads.
#pragma once

#include <ttt/models/tensor.hpp>
#include <ttt/random/normal.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ttt::models {

/// Tokens of one prompt: rows [x_i, y_i] (i < n), then [x_q, 0] for each row of Xq.
// X: (n, d)  y: (n)  Xq: (q, d)  ->  (n + q, d + 1)
template <class Real, class MX, class VY, class MQ>
RowMatrix<Real> regression_tokens(const MX& X, const VY& y, const MQ& Xq) {
  const Index n = X.rows(), q = Xq.rows(), d = X.cols();
  RowMatrix<Real> Z = RowMatrix<Real>::Zero(n + q, d + 1);
  Z.topLeftCorner(n, d) = X.template cast<Real>();
  Z.col(d).head(n) = y.template cast<Real>();
  Z.bottomLeftCorner(q, d) = Xq.template cast<Real>();
  return Z;
}

/// A batch of B prompts of n context pairs and one query (T = n + 1 tokens each).
template <class Real>
struct RegressionBatch {
  RowMatrix<Real> tokens;   // (B*T, d + 1)
  RowMatrix<Real> targets;  // (B, 1): the query's y
};

/// Prompt `index`: beta from row 0 of stream_task, X (n + 1 rows, the last is the query) from
/// stream_context_x, noise of the n + 1 labels from stream_context_noise.
template <class Real>
class RegressionPromptSampler {
 public:
  RegressionPromptSampler(Index d, Index n, double sigma2) : m_d(d), m_n(n), m_sigma(std::sqrt(sigma2)) {
    if (d < 1 || n < 1 || !(sigma2 >= 0)) throw std::invalid_argument("RegressionPromptSampler: need d, n >= 1, sigma2 >= 0");
  }

  Index d() const { return m_d; }
  Index n() const { return m_n; }
  Index tokens() const { return m_n + 1; }

  /// Writes prompt `index` into rows [b*T, (b+1)*T) of batch.tokens and batch.targets(b).
  void draw(std::uint64_t seed, std::uint64_t index, Index b, RegressionBatch<Real>& batch) const {
    const Index T = m_n + 1;
    std::vector<double> beta(static_cast<std::size_t>(m_d)), x(static_cast<std::size_t>(m_d)),
        eps(static_cast<std::size_t>(T));
    random::NormalRow(seed, index, random::stream_task, 0).fill(beta.data(), static_cast<std::uint32_t>(m_d));
    random::NormalRow(seed, index, random::stream_context_noise, 0).fill(eps.data(), static_cast<std::uint32_t>(T));
    for (Index i = 0; i < T; ++i) {
      random::NormalRow(seed, index, random::stream_context_x, static_cast<std::uint32_t>(i))
          .fill(x.data(), static_cast<std::uint32_t>(m_d));
      double yi = m_sigma * eps[static_cast<std::size_t>(i)];
      for (Index j = 0; j < m_d; ++j) {
        batch.tokens(b * T + i, j) = static_cast<Real>(x[static_cast<std::size_t>(j)]);
        yi += x[static_cast<std::size_t>(j)] * beta[static_cast<std::size_t>(j)];
      }
      if (i < m_n) batch.tokens(b * T + i, m_d) = static_cast<Real>(yi);
      else {
        batch.tokens(b * T + i, m_d) = Real(0);
        batch.targets(b, 0) = static_cast<Real>(yi);
      }
    }
  }

  /// Prompts first, first + 1, ..., first + B - 1.
  void draw_batch(std::uint64_t seed, std::uint64_t first, Index B, RegressionBatch<Real>& batch) const {
    batch.tokens.resize(B * (m_n + 1), m_d + 1);
    batch.targets.resize(B, 1);
    for (Index b = 0; b < B; ++b) draw(seed, first + static_cast<std::uint64_t>(b), b, batch);
  }

 private:
  Index m_d, m_n;
  double m_sigma;
};

}  // namespace ttt::models
