// ttt/tasks/gaussian_task.hpp: the Gaussian linear-regression task of the theory (Eqs. 1-6 of Gozeten et al.):
// x ~ N(0, diag(sx)), y = x^T beta + eps, eps ~ N(0, sigma2); a context of n pairs and a test-time set of
// m pairs. Every number is drawn from the counter-based streams of <ttt/random/normal.hpp>, addressed by
// (seed, index), so this host sampler reproduces exactly what a Monte Carlo trial with the same
// coordinates draws.
#pragma once

#include <ttt/random/normal.hpp>
#include <ttt/tasks/covariance.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ttt::tasks {

template <class Real>
using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

/// One sampled prompt set.
// X: (n, d)  y: (n)  X_tr: (m, d)  y_tr: (m)  beta: (d)
template <class Real>
struct RegressionSample {
  Mat<Real> X;
  Vec<Real> y;
  Mat<Real> X_tr;
  Vec<Real> y_tr;
  Vec<Real> beta;
};

template <class Real = double>
class GaussianTaskSampler {
 public:
  /// sx: diagonal of Sx (d); sigma2: label-noise variance; n: context length; m: test-time set size.
  GaussianTaskSampler(Vec<Real> sx, Real sigma2, int n, int m)
      : m_sqrt_sx(sx.array().sqrt().matrix()), m_sigma(std::sqrt(sigma2)), m_n(n), m_m(m) {
    if (sx.size() < 1 || n < 1 || m < 0 || !(sigma2 >= 0) || !(sx.array() >= 0).all())
      throw std::invalid_argument("GaussianTaskSampler: need d >= 1, n >= 1, m >= 0, sigma2 >= 0, sx >= 0");
  }

  int d() const { return static_cast<int>(m_sqrt_sx.size()); }
  int n() const { return m_n; }
  int m() const { return m_m; }

  /// Rows [0, rows) of a design in stream `stream` of (seed, index): row i is N(0, Sx).
  Mat<Real> design(std::uint64_t seed, std::uint64_t index, std::uint32_t stream, int rows) const {
    Mat<Real> X(rows, d());
    std::vector<Real> z(static_cast<std::size_t>(d()));
    for (int i = 0; i < rows; ++i) {
      random::NormalRow(seed, index, stream, static_cast<std::uint32_t>(i)).fill(z.data(), static_cast<std::uint32_t>(d()));
      for (int j = 0; j < d(); ++j) X(i, j) = m_sqrt_sx[j] * z[static_cast<std::size_t>(j)];
    }
    return X;
  }

  /// Labels y = X beta + eps with eps from row 0 of `noise_stream`.
  Vec<Real> labels(const Mat<Real>& X, const Vec<Real>& beta, std::uint64_t seed, std::uint64_t index,
                   std::uint32_t noise_stream) const {
    if (beta.size() != X.cols()) throw std::invalid_argument("GaussianTaskSampler: beta must have d entries");
    Vec<Real> y = X * beta;
    if (m_sigma > 0) {
      Vec<Real> e(X.rows());
      random::NormalRow(seed, index, noise_stream, 0).fill(e.data(), static_cast<std::uint32_t>(X.rows()));
      y += m_sigma * e;
    }
    return y;
  }

  /// The context and test-time set of trial `index` for the fixed task beta.
  RegressionSample<Real> sample(const Vec<Real>& beta, std::uint64_t seed, std::uint64_t index) const {
    RegressionSample<Real> s;
    s.beta = beta;
    s.X = design(seed, index, random::stream_context_x, m_n);
    s.y = labels(s.X, beta, seed, index, random::stream_context_noise);
    s.X_tr = design(seed, index, random::stream_train_x, m_m);
    s.y_tr = labels(s.X_tr, beta, seed, index, random::stream_train_noise);
    return s;
  }

  /// A task beta ~ N(0, diag(sb)) for (seed, index).
  static Vec<Real> sample_task(const Vec<Real>& sb, std::uint64_t seed, std::uint64_t index) {
    if (!(sb.array() >= 0).all()) throw std::invalid_argument("sample_task: sb must be non-negative");
    Vec<Real> b(sb.size());
    random::NormalRow(seed, index, random::stream_task, 0).fill(b.data(), static_cast<std::uint32_t>(sb.size()));
    return (b.array() * sb.array().sqrt()).matrix();
  }

 private:
  Vec<Real> m_sqrt_sx;
  Real m_sigma;
  int m_n;
  int m_m;
};

}  // namespace ttt::tasks
