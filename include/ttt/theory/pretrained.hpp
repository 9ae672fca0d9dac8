// ttt/theory/pretrained.hpp: the optimal pre-trained W* (Li, Rawat & Oymak, NeurIPS 2024, Thm 1 / Cor 1),
// its risks (Prop 4.1 of Gozeten et al.), the oracle optimum (Lemma C.1) and the eigenvalues of W*
// (Lemma C.2).
#pragma once

#include <ttt/theory/population_loss.hpp>

namespace ttt::theory {

/// Li et al. Thm 1: W* = Sb ((n+1) Sx Sb + (tr(Sx Sb) + sigma2) I)^{-1}, the minimiser of the pre-training
/// risk (Eq. 1) over tasks beta ~ N(0, Sb).
// Sx, Sb: (d, d)
template <class Real>
Mat<Real> pretrained_w_star(const Mat<Real>& Sx, const Mat<Real>& Sb, Real sigma2, Real n) {
  const Eigen::Index d = Sx.rows();
  const Mat<Real> SxSb = Sx * Sb;
  const Mat<Real> K = (n + 1) * SxSb + (SxSb.trace() + sigma2) * Mat<Real>::Identity(d, d);
  // W* = Sb K^{-1}  <=>  K^T W*^T = Sb^T
  return K.transpose().fullPivLu().solve(Sb.transpose()).transpose();
}

/// Pre-training risk L_pre(W) (Eq. 1 averaged over beta ~ N(0, Sb)).
template <class Real>
Real pretraining_risk(const Mat<Real>& W, const Mat<Real>& Sx, const Mat<Real>& Sb, Real sigma2, Real n) {
  const Real T = (Sx * Sb).trace();
  return T - 2 * n * (Sx * W * Sx * Sb).trace() + n * (n + 1) * (Sx * W * Sx * Sb * Sx * W.transpose()).trace() +
         n * (T + sigma2) * (Sx * W * Sx * W.transpose()).trace() + sigma2;
}

/// L* = tr(Sx Sb) + sigma2 - n tr(W* Sx Sb Sx): the minimum of the pre-training risk.
template <class Real>
Real pretraining_risk_min(const Mat<Real>& Sx, const Mat<Real>& Sb, Real sigma2, Real n) {
  const Mat<Real> W = pretrained_w_star(Sx, Sb, sigma2, n);
  return (Sx * Sb).trace() + sigma2 - n * (W * Sx * Sb * Sx).trace();
}

/// Diagonal W* for diagonal Sx = diag(mu), Sb = diag(lambda):
///   w_i = lambda_i / ((n+1) mu_i lambda_i + sum_j mu_j lambda_j + sigma2).
// mu, lambda: (d)
template <class Real>
Vec<Real> pretrained_w_star_diagonal(const Vec<Real>& mu, const Vec<Real>& lambda, Real sigma2, Real n) {
  const Real T = mu.dot(lambda);
  Vec<Real> w(mu.size());
  for (Eigen::Index i = 0; i < mu.size(); ++i) w[i] = lambda[i] / ((n + 1) * mu[i] * lambda[i] + T + sigma2);
  return w;
}

/// Li et al. Cor 1 (Sx = Sb = I): W* = I / (n + d + 1 + sigma2).
template <class Real>
Real pretrained_scale_isotropic(Real d, Real n, Real sigma2 = 0) {
  return 1 / (n + d + 1 + sigma2);
}

/// Li et al. Cor 1: pre-training risk at W*, L* = d + sigma2 - n d / (n + d + 1 + sigma2).
template <class Real>
Real pretraining_risk_min_isotropic(Real d, Real n, Real sigma2 = 0) {
  return d + sigma2 - n * d / (n + d + 1 + sigma2);
}

/// Prop 4.1: test loss of W* = I/D on a task with |beta|^2 = B (Sx = I). Noiseless: B (d+1)/(n+d+1);
/// with noise (D = n + d + 1 + sigma2): B[(d+1+sigma2)/D - n sigma2/D^2] + n d sigma2/D^2 + sigma2.
template <class Real>
Real loss_pretrained_isotropic(Real d, Real n, Real B, Real sigma2 = 0) {
  const Real D = n + d + 1 + sigma2;
  return B * ((d + 1 + sigma2) / D - n * sigma2 / (D * D)) + n * d * sigma2 / (D * D) + sigma2;
}

/// Lemma C.1 (sigma = 0, Sx = I): the oracle W_opt = beta beta^T / ((n+2) |beta|^2).
template <class Real>
Mat<Real> oracle_w(const Vec<Real>& beta, Real n) {
  return beta * beta.transpose() / ((n + 2) * beta.squaredNorm());
}

/// Lemma C.1: L(W_opt) = 2 |beta|^2 / (n + 2).
template <class Real>
Real oracle_loss(Real n, Real B) {
  return 2 * B / (n + 2);
}

/// Lemma C.2: eigenvalues of Sx^{1/2} W* Sx^{1/2} for jointly diagonal Sx = diag(mu), Sb = diag(lambda):
///   lambda_i mu_i / ((n+1) lambda_i mu_i + sum_j lambda_j mu_j + sigma2), all in [0, 1/(n+1)).
template <class Real>
Vec<Real> w_star_whitened_eigenvalues(const Vec<Real>& mu, const Vec<Real>& lambda, Real sigma2, Real n) {
  const Real T = mu.dot(lambda);
  Vec<Real> e(mu.size());
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    const Real lm = lambda[i] * mu[i];
    e[i] = lm / ((n + 1) * lm + T + sigma2);
  }
  return e;
}

}  // namespace ttt::theory
