// ttt/theory/semi_analytic.hpp: the risk after one TTT step, exact in expectation over the test-time set
// (X_tr, y_tr) and the fresh evaluation prompt, conditional on the context (X, y) (THEORY.md section 3,
// extended here to label noise). With u = X^T y, r = beta - W u, p = Sx beta, bS = beta' Sx beta and
// W_TT = W + (2 eta/m) g u^T, g = X_tr^T (y_tr - X_tr W u):
//   E[L(W_TT) | X, y] = L(W) + 2 eta lin + eta^2 quad,
//   lin  = -2n t p'Sx r + 2n(n+1) t (Sx r)' Sx W p + 2n (bS + s2) u' Sx W' Sx Sx r,     t = u' p
//   quad = (4/m) [(m+1) r'Sx^3 r + tr(Sx^2)(r'Sx r + s2)] [n(n+1) t^2 + n (bS + s2) u' Sx u].
// The noiseless case is THEORY.md's v_Sigma form. Derivation: L(W + a g u^T) is quadratic in a with a
// linear term linear in g, E g = m Sx r and E[g' Sx g] = m(m+1) r'Sx^3 r + m tr(Sx^2)(r'Sx r + s2)
// (Lemma B.3 with A = r r^T, plus the noise term).
#pragma once

#include <ttt/theory/one_step_risk.hpp>
#include <ttt/theory/population_loss.hpp>

namespace ttt::theory {

// W: (d, d)  Sx: (d, d)  beta: (d)  u = X^T y: (d)
template <class Real>
OneStepRisk<Real> conditional_one_step_risk(const Mat<Real>& W, const Mat<Real>& Sx, const Vec<Real>& beta,
                                            const Vec<Real>& u, Real sigma2, Real n, Real m) {
  const Vec<Real> p = Sx * beta;
  const Real bS = beta.dot(p);
  const Vec<Real> r = beta - W * u;
  const Vec<Real> Sr = Sx * r;
  const Real t = u.dot(p);
  const Vec<Real> SWp = Sx * (W * p);
  const Vec<Real> SSr = Sx * Sr;
  const Real lin = -2 * n * t * p.dot(Sr) + 2 * n * (n + 1) * t * Sr.dot(SWp) +
                   2 * n * (bS + sigma2) * (Sx * u).dot(W.transpose() * SSr);
  const Real trS2 = (Sx * Sx).trace();
  const Real gSg = (m + 1) * r.dot(Sx * SSr) + trS2 * (r.dot(Sr) + sigma2);
  const Real cu = n * (n + 1) * t * t + n * (bS + sigma2) * u.dot(Sx * u);
  return {population_loss(W, Sx, beta, sigma2, n), lin, 4 / m * gSg * cu};
}

}  // namespace ttt::theory
