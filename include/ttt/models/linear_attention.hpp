// ttt/models/linear_attention.hpp: the collapsed one-layer linear-attention model of the theory,
// SM(Z; W) = x^T W X^T y (Eq. 5 of Gozeten et al. with W_Q W_K^T = [[W,0],[0,0]], W_V = [[0,0],[0,1]]),
// its test-time loss (Eq. 2), the gradient, and test-time training steps.
#pragma once

#include <Eigen/Dense>

#include <stdexcept>
#include <vector>

namespace ttt::models {

template <class Real>
using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
template <class Real>
using Vec = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

/// u = X^T y ("u_context").
// X: (n, d)  y: (n)
template <class Real>
Vec<Real> context_vector(const Mat<Real>& X, const Vec<Real>& y) {
  return X.transpose() * y;
}

/// Predictions x_j^T W u for every row x_j of Q.
// W: (d, d)  u: (d)  Q: (q, d)
template <class Real>
Vec<Real> predict(const Mat<Real>& W, const Vec<Real>& u, const Mat<Real>& Q) {
  return Q * (W * u);
}

/// Test-time loss (Eq. 2): L^(W) = (1/m) |y_tr - X_tr W u|^2.
template <class Real>
Real ttt_loss(const Mat<Real>& W, const Vec<Real>& u, const Mat<Real>& X_tr, const Vec<Real>& y_tr) {
  return (y_tr - X_tr * (W * u)).squaredNorm() / static_cast<Real>(X_tr.rows());
}

/// grad L^(W) = -(2/m) X_tr^T (y_tr - X_tr W u) u^T (a rank-one matrix).
template <class Real>
Mat<Real> ttt_gradient(const Mat<Real>& W, const Vec<Real>& u, const Mat<Real>& X_tr, const Vec<Real>& y_tr) {
  const Real m = static_cast<Real>(X_tr.rows());
  return -(2 / m) * (X_tr.transpose() * (y_tr - X_tr * (W * u))) * u.transpose();
}

/// Prop 3.1: one TTT step, W_TT = W + (2 eta/m) X_tr^T (y_tr - X_tr W u) u^T.
template <class Real>
Mat<Real> ttt_step(const Mat<Real>& W, Real eta, const Vec<Real>& u, const Mat<Real>& X_tr, const Vec<Real>& y_tr) {
  const Real m = static_cast<Real>(X_tr.rows());
  return W + (2 * eta / m) * (X_tr.transpose() * (y_tr - X_tr * (W * u))) * u.transpose();
}

/// W = W0 + h u^T: t steps of gradient descent from W0 stay in this form, since every gradient is (.) u^T
/// with the same u. Storing h (d) instead of the d x d matrix makes a step O(m d).
template <class Real>
struct RankOneIterate {
  Mat<Real> W0;
  Vec<Real> u;
  Vec<Real> h;

  Mat<Real> matrix() const { return W0 + h * u.transpose(); }
};

/// Gradient descent with step sizes eta[0..T-1] on the test-time loss, in rank-one form:
///   h <- h + (2 eta_t / m) X_tr^T (y_tr - X_tr (W0 u + h |u|^2)).
template <class Real>
RankOneIterate<Real> ttt_descent(const Mat<Real>& W0, const Vec<Real>& u, const Mat<Real>& X_tr,
                                 const Vec<Real>& y_tr, const std::vector<Real>& etas) {
  const Real m = static_cast<Real>(X_tr.rows());
  RankOneIterate<Real> it{W0, u, Vec<Real>::Zero(u.size())};
  const Vec<Real> W0u = W0 * u;
  const Real uu = u.squaredNorm();
  for (Real eta : etas) {
    const Vec<Real> res = y_tr - X_tr * (W0u + it.h * uu);
    it.h += (2 * eta / m) * (X_tr.transpose() * res);
  }
  return it;
}

}  // namespace ttt::models
