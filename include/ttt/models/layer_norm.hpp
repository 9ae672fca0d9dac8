// ttt/models/layer_norm.hpp: layer normalisation over the features of each token,
//   y = gamma * (x - mu) / sqrt(var + eps) + beta,  mu, var: mean and (biased) variance of the token's x.
#pragma once

#include <ttt/models/parameters.hpp>

#include <cmath>
#include <string>

namespace ttt::models {

template <class Real>
class LayerNorm {
 public:
  struct Cache {
    RowMatrix<Real> xhat;  // (N, D): (x - mu) / sqrt(var + eps)
    ColVector<Real> rstd;  // (N): 1 / sqrt(var + eps)
  };

  LayerNorm() = default;
  LayerNorm(ParameterLayout& layout, const std::string& name, Index width, Real eps = Real(1e-5))
      : m_gamma(layout.add(name + ".weight", width, 1, false)),
        m_beta(layout.add(name + ".bias", width, 1, false)),
        m_eps(eps) {}

  const ParamTensor& gamma() const { return m_gamma; }
  const ParamTensor& beta() const { return m_beta; }

  // X, Y: (N, D)
  void forward(const Real* params, const ConstRowRef<Real>& X, RowMatrix<Real>& Y, Cache& c) const {
    const Index N = X.rows(), D = X.cols();
    c.xhat.resize(N, D);
    c.rstd.resize(N);
    Y.resize(N, D);
    const auto g = vector_view(params, m_gamma);
    const auto b = vector_view(params, m_beta);
    for (Index i = 0; i < N; ++i) {
      const Real mu = X.row(i).mean();
      const Real var = (X.row(i).array() - mu).square().mean();
      const Real r = Real(1) / std::sqrt(var + m_eps);
      c.rstd[i] = r;
      c.xhat.row(i) = (X.row(i).array() - mu) * r;
      Y.row(i) = c.xhat.row(i).array() * g.transpose().array() + b.transpose().array();
    }
  }

  /// dL/dgamma, dL/dbeta accumulated into grads; dX = rstd (g - mean(g) - xhat mean(g xhat)), g = dY gamma.
  void backward(const Real* params, const Cache& c, const ConstRowRef<Real>& dY, Real* grads,
                RowMatrix<Real>& dX) const {
    const Index N = dY.rows(), D = dY.cols();
    const auto g = vector_view(params, m_gamma);
    auto dg = vector_view(grads, m_gamma);
    auto db = vector_view(grads, m_beta);
    // y = gamma * xhat + beta
    dg += (c.xhat.array() * dY.array()).colwise().sum().transpose().matrix();
    db += dY.colwise().sum().transpose();
    dX.resize(N, D);
    for (Index i = 0; i < N; ++i) {
      // xhat = (x - mu) rstd
      const auto gi = (dY.row(i).array() * g.transpose().array()).eval();
      const Real mean_g = gi.mean();
      const Real mean_gx = (gi * c.xhat.row(i).array()).mean();
      dX.row(i) = c.rstd[i] * (gi - mean_g - c.xhat.row(i).array() * mean_gx);
    }
  }

 private:
  ParamTensor m_gamma;
  ParamTensor m_beta;
  Real m_eps = Real(1e-5);
};

}  // namespace ttt::models
