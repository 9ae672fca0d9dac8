// ttt/theory/rank_one_loss.hpp: Lemma B.2 evaluated in O(d) for W = diag(w) + h u^T and diagonal
// Sx = diag(mu), the form every TTT iterate from a diagonal W0 takes (each gradient is (.) u^T with the
// same u = X^T y). Raw arrays, host and device: the Monte Carlo trials call these.
//
// With p = mu (.) beta, bS = beta'p, s = u'p, L(W) = bS - 2n p'Wp + n(n+1) (Wp)'Sx(Wp) + n(bS + s2) tr(W'SxWSx) + s2
// and, for W = D + a g u^T (D = diag(w)):
//   p'Wp           = sum w p^2 + a (p'g) s
//   (Wp)'Sx(Wp)    = sum mu (w p)^2 + 2a s g'(mu w p) + a^2 s^2 g'Sx g
//   tr(W'SxWSx)    = sum mu^2 w^2 + 2a g'(mu w mu u) + a^2 (g'Sx g)(u'Sx u)
// so L(D + a g u^T) = L0 + a L1 + a^2 L2.
#pragma once

#include <ttt/config.hpp>

namespace ttt::theory {

template <class Real>
struct Quadratic {
  Real c0, c1, c2;  // c0 + a c1 + a^2 c2
};

/// Sums over the diagonal part that do not depend on g (computed once per setting).
template <class Real>
struct DiagonalLossParts {
  Real bS;      // beta' Sx beta
  Real pwp;     // sum w p^2
  Real mwp2;    // sum mu (w p)^2
  Real mw2;     // sum mu^2 w^2
};

template <class Real>
TTT_HOST_DEVICE DiagonalLossParts<Real> diagonal_loss_parts(const Real* mu, const Real* w, const Real* beta, int d) {
  DiagonalLossParts<Real> q{0, 0, 0, 0};
  for (int i = 0; i < d; ++i) {
    const Real p = mu[i] * beta[i];
    q.bS += beta[i] * p;
    q.pwp += w[i] * p * p;
    q.mwp2 += mu[i] * w[i] * w[i] * p * p;
    q.mw2 += mu[i] * mu[i] * w[i] * w[i];
  }
  return q;
}

/// L(diag(w)) by Lemma B.2.
template <class Real>
TTT_HOST_DEVICE Real diagonal_loss(const DiagonalLossParts<Real>& q, Real n, Real sigma2) {
  return q.bS - 2 * n * q.pwp + n * (n + 1) * q.mwp2 + n * (q.bS + sigma2) * q.mw2 + sigma2;
}

/// Coefficients of a -> L(diag(w) + a g u^T).
// mu, w, beta, u, g: (d)
template <class Real>
TTT_HOST_DEVICE Quadratic<Real> rank_one_loss(const DiagonalLossParts<Real>& q, const Real* mu, const Real* w,
                                              const Real* beta, const Real* u, const Real* g, int d, Real n,
                                              Real sigma2) {
  Real s = 0, pg = 0, gmwp = 0, gmwmu = 0, gSg = 0, uSu = 0;
  for (int i = 0; i < d; ++i) {
    const Real p = mu[i] * beta[i];
    s += u[i] * p;
    pg += p * g[i];
    gmwp += g[i] * mu[i] * w[i] * p;
    gmwmu += g[i] * mu[i] * w[i] * mu[i] * u[i];
    gSg += mu[i] * g[i] * g[i];
    uSu += mu[i] * u[i] * u[i];
  }
  const Real k = n * (q.bS + sigma2);
  Quadratic<Real> r;
  r.c0 = diagonal_loss(q, n, sigma2);
  r.c1 = -2 * n * pg * s + 2 * n * (n + 1) * s * gmwp + 2 * k * gmwmu;
  r.c2 = n * (n + 1) * s * s * gSg + k * gSg * uSu;
  return r;
}

}  // namespace ttt::theory
