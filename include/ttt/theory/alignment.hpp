// ttt/theory/alignment.hpp: one-step TTT with a non-isotropic task prior (Section 5 of Gozeten et al.,
// ICML 2025): misalignment and signal power (Def 5.1), W* for diagonal Sb (Prop 5.2), the leading-order
// gain (Thm 5.3), the warm/cold crossing (Cor 5.4), and a leading order for anisotropic Sx that replaces
// the whitening argument of Thm C.4 (THEORY.md section 5, DERIVED).
#pragma once

#include <ttt/theory/one_step_risk.hpp>
#include <ttt/theory/population_loss.hpp>

#include <optional>

namespace ttt::theory {

/// Def 5.1 for diagonal W = diag(w), Sx = I: misalignment M = |(I - nW) beta|^2, signal power
/// S = n |W|_F^2 |beta|^2.
template <class Real>
struct Alignment {
  Real M{};
  Real S{};
  Real B{};
};

// w, beta: (d)
template <class Real>
Alignment<Real> alignment(const Vec<Real>& w, const Vec<Real>& beta, Real n) {
  const Real B = beta.squaredNorm();
  Real M = 0;
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const Real r = (1 - n * w[i]) * beta[i];
    M += r * r;
  }
  return {M, n * w.squaredNorm() * B, B};
}

/// Def 5.1 for a general W (Sx = I).
// W: (d, d)  beta: (d)
template <class Real>
Alignment<Real> alignment(const Mat<Real>& W, const Vec<Real>& beta, Real n) {
  const Real B = beta.squaredNorm();
  return {(beta - n * W * beta).squaredNorm(), n * W.squaredNorm() * B, B};
}

/// Prop 5.2: W* = diag(lambda_i / ((n+1) lambda_i + T)), T = sum lambda (Sx = I, noiseless pre-training);
/// exactly 0 in the null directions of Sb.
template <class Real>
Vec<Real> pretrained_w_star_prior(const Vec<Real>& lambda, Real n) {
  const Real T = lambda.sum();
  Vec<Real> w(lambda.size());
  for (Eigen::Index i = 0; i < lambda.size(); ++i) w[i] = lambda[i] / ((n + 1) * lambda[i] + T);
  return w;
}

/// Thm 5.3 (leading order; diagonal W with eigenvalues in [0, 1/n), noiseless, Sx = I):
///   eta* ~ gamma/(1+gamma) M / (2 n^2 B (M+S)),  Delta ~ gamma/(1+gamma) M^2/(M+S),  L(W) ~ M + S.
template <class Real>
OneStepPrediction<Real> one_step_alignment_leading(const Alignment<Real>& a, Real d, Real n, Real m) {
  const Real g = m / d, k = g / (1 + g);
  return {k * a.M / (2 * n * n * a.B * (a.M + a.S)), a.M + a.S, k * a.M * a.M / (a.M + a.S)};
}

/// Cor 5.4: W* beats W = 0 iff gamma < gamma* = (M+S)(B-M-S) / (S(2M+S)); returns gamma* (negative:
/// zero init always better; +inf when S = 0).
template <class Real>
Real crossing_gamma_alignment(const Alignment<Real>& a) {
  return (a.M + a.S) * (a.B - a.M - a.S) / (a.S * (2 * a.M + a.S));
}

/// Sx-aware leading order for anisotropic diagonal Sx = diag(mu) and diagonal W (THEORY.md, replacing
/// Thm C.4). In whitened coordinates b = Sx^{1/2} beta, V = Sx^{1/2} W Sx^{1/2}, with r = (I - nV) b,
/// B~ = |b|^2, q = beta' Sx^2 beta, M1 = r' Sx r and
///   D = r' Sx^2 r + n B~ tr(V Sx^2 V) + tr(Sx^2)(|r|^2 + n B~ |V|_F^2)/m:
///   Delta ~ M1^2 / D,  eta* ~ M1 / (2 n^2 q D),  L(W) ~ |r|^2 + n B~ |V|_F^2.
// mu, w, beta: (d)
template <class Real>
OneStepPrediction<Real> one_step_anisotropic_leading(const Vec<Real>& mu, const Vec<Real>& w, const Vec<Real>& beta,
                                                     Real n, Real m) {
  Real Bt = 0, q = 0, M1 = 0, r2 = 0, rS2r = 0, VS2V = 0, V2 = 0, trS2 = 0;
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    const Real b = std::sqrt(mu[i]) * beta[i], v = mu[i] * w[i], r = (1 - n * v) * b;
    Bt += b * b;
    q += mu[i] * mu[i] * beta[i] * beta[i];
    M1 += mu[i] * r * r;
    r2 += r * r;
    rS2r += mu[i] * mu[i] * r * r;
    VS2V += v * v * mu[i] * mu[i];
    V2 += v * v;
    trS2 += mu[i] * mu[i];
  }
  const Real D = rS2r + n * Bt * VS2V + trS2 * (r2 + n * Bt * V2) / m;
  return {M1 / (2 * n * n * q * D), r2 + n * Bt * V2, M1 * M1 / D};
}

}  // namespace ttt::theory
