// ttt/theory/population_loss.hpp: population loss of the collapsed linear-attention model for a fixed
// test task (Lemma B.2 of Gozeten et al., ICML 2025), the Wick fourth moment (Lemma B.3) and the
// remainder energy of the Gaussian approximation (Lemma B.1).
#pragma once

#include <Eigen/Dense>
#include <boost/math/special_functions/gamma.hpp>

#include <cmath>

namespace ttt::theory {

template <class Real>
using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
template <class Real>
using Vec = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

/// Lemma B.2: L(W) = E (y - x^T W X^T y)^2 for a fresh context of n pairs and a fresh query, with
/// x ~ N(0, Sx), y = x^T beta + eps, eps ~ N(0, sigma2), beta fixed:
///   L(W) = b'Sb - 2n b'S W S b + n(n+1) b'S W' S W S b + n (b'Sb + sigma2) tr(W' S W S) + sigma2.
// W: (d, d)  Sx: (d, d) symmetric  beta: (d)
template <class Real>
Real population_loss(const Mat<Real>& W, const Mat<Real>& Sx, const Vec<Real>& beta, Real sigma2, Real n) {
  const Vec<Real> Sb = Sx * beta;
  const Real bSb = beta.dot(Sb);
  const Vec<Real> WSb = W * Sb;
  const Real tr = (W.transpose() * Sx * W * Sx).trace();
  return bSb - 2 * n * Sb.dot(WSb) + n * (n + 1) * WSb.dot(Sx * WSb) + n * (bSb + sigma2) * tr + sigma2;
}

/// Lemma B.2 with Sx = I: L(W) = |(I - nW) b|^2 + n |W b|^2 + n (B + sigma2) |W|_F^2 + sigma2.
// W: (d, d)  beta: (d)
template <class Real>
Real population_loss_isotropic(const Mat<Real>& W, const Vec<Real>& beta, Real sigma2, Real n) {
  const Vec<Real> Wb = W * beta;
  const Real B = beta.squaredNorm();
  return (beta - n * Wb).squaredNorm() + n * Wb.squaredNorm() + n * (B + sigma2) * W.squaredNorm() + sigma2;
}

/// Lemma B.1 / B.3 helper: E[X^T X A X^T X] = n(n+1) S A S + n tr(A S) S for X with n i.i.d. N(0, S) rows
/// and symmetric A (Wick/Isserlis).
// S, A: (d, d)
template <class Real>
Mat<Real> wick_fourth_moment(const Mat<Real>& S, const Mat<Real>& A, Real n) {
  return n * (n + 1) * S * A * S + n * (A * S).trace() * S;
}

/// E(sqrt(A) - sqrt(n))^2 for A ~ chi^2_n: 2n - 2 sqrt(n) E sqrt(A), E sqrt(A) = sqrt(2) G((n+1)/2) / G(n/2).
/// Written as 2n (1 - rho), rho = E sqrt(A) / sqrt(n) = sqrt(2/n) / [G(n/2) / G(n/2 + 1/2)], with the gamma ratio
/// taken directly (tgamma_delta_ratio, a few ulps): exp(lgamma - lgamma) loses |lgamma| ulps before the
/// cancellation 1 - rho ~ 1/(4n) amplifies them by 4n (5 digits lost at n = 1e5).
template <class Real>
Real chi_sqrt_deviation2(Real n) {
  const Real rho = std::sqrt(2 / n) / boost::math::tgamma_delta_ratio(n / 2, Real(0.5));
  return 2 * n * (1 - rho);
}

/// Lemma B.1: with X of i.i.d. N(0,1) entries, X^T X beta = n beta + sqrt(n) |beta| h + r, and
///   E|r|^2 = |beta|^2 [3n + (d-1) E(sqrt(A) - sqrt(n))^2] <= (3n + d) |beta|^2.
template <class Real>
Real gaussian_approximation_remainder_energy(Real d, Real n, Real B) {
  return B * (3 * n + (d - 1) * chi_sqrt_deviation2(n));
}

}  // namespace ttt::theory
