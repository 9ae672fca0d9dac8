// ttt/theory/isotropic.hpp: one-step TTT in the isotropic setting Sx = Sb = I (Section 4 of Gozeten et al.,
// ICML 2025): Thm 4.2 (pre-trained init, leading order and the exact finite-size form), Thm 4.5 (zero
// init, exact with noise), Cor 4.4 (turning point in alpha) and Cor 4.6 (warm/cold crossing m*, leading
// order and exact). d, n, m are real so that crossings can be found in continuous m.
#pragma once

#include <ttt/theory/one_step_risk.hpp>

#include <boost/math/tools/roots.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace ttt::theory {

/// Exact E[L(W_TT)](eta) from W0 = c I, Sx = I, sigma = 0, |beta|^2 = B (THEORY.md section 4, exact
/// finite-size form; rotation invariance with A ~ chi^2_n, C ~ chi^2_{d-1}):
///   L0   = B (1 - 2nc + n(n+1+d) c^2)
///   lin  = 2 n^2 B^2 [-(1-(n+1)c)(1-(n+2)c) + c(1-(n+d+1)c)]
///   quad = 4(m+d+1)/m n B^3 E[F G],  F = (n+2)A^2 + AC,  G = 1 - 2cA + c^2 (A^2 + AC).
template <class Real>
OneStepRisk<Real> one_step_risk_scaled_identity(Real d, Real n, Real m, Real c, Real B = 1) {
  using L = long double;  // the moment sum cancels to about two digits: keep extra precision
  const L nn = n, cc = c;
  const L mu1 = nn, mu2 = nn * (nn + 2), mu3 = mu2 * (nn + 4), mu4 = mu3 * (nn + 6);  // E A^k
  const L nu1 = L(d) - 1, nu2 = (L(d) - 1) * (L(d) + 1);                                // E C, E C^2
  const L efg = (nn + 2) * mu2 - 2 * cc * (nn + 2) * mu3 + cc * cc * (nn + 2) * mu4 + cc * cc * (nn + 2) * mu3 * nu1 +
                mu1 * nu1 - 2 * cc * mu2 * nu1 + cc * cc * mu3 * nu1 + cc * cc * mu2 * nu2;
  OneStepRisk<Real> r;
  r.loss_before = B * (1 - 2 * n * c + n * (n + 1 + d) * c * c);
  r.lin = 2 * n * n * B * B * (-(1 - (n + 1) * c) * (1 - (n + 2) * c) + c * (1 - (n + d + 1) * c));
  r.quad = Real(4 * (L(m) + L(d) + 1) / L(m) * nn * L(B) * L(B) * L(B) * efg);
  return r;
}

/// Thm 4.2 (exact form): pre-trained W* = I/(n+d+1), noiseless. loss_before = B (d+1)/(n+d+1) (Prop 4.1).
template <class Real>
OneStepRisk<Real> one_step_risk_pretrained_exact(Real d, Real n, Real m, Real B = 1) {
  return one_step_risk_scaled_identity<Real>(d, n, m, 1 / (n + d + 1), B);
}

/// Thm 4.2 (leading order, noiseless): with alpha = n/d, gamma = m/d,
///   eta* ~ gamma / (2 n^2 B (1+alpha)(1+gamma)),  Delta ~ B gamma / ((1+gamma)(1+alpha)^3),
///   loss before ~ B/(1+alpha).
template <class Real>
OneStepPrediction<Real> one_step_pretrained_leading(Real d, Real n, Real m, Real B = 1) {
  const Real a = n / d, g = m / d;
  return {g / (2 * n * n * B * (1 + a) * (1 + g)), B / (1 + a), B * g / ((1 + g) * (1 + a) * (1 + a) * (1 + a))};
}

/// Thm 4.5 (exact, with noise): zero init W0 = 0, Sx = I. With
///   P = (m+d+1) B + d sigma2,
///   Q = (n+1)(n+2) B^2 + (n+1) sigma2 B + (B + sigma2)((n+d+1) B + d sigma2),
/// E[L(W_TT)](eta) = (B + sigma2) - 4 eta n^2 B^2 + eta^2 4 n^2 P Q / m, so
///   eta* = m B^2 / (2 P Q),  Delta = m n^2 B^4 / (P Q).
template <class Real>
OneStepRisk<Real> one_step_risk_zero_exact(Real d, Real n, Real m, Real B = 1, Real sigma2 = 0) {
  const Real P = (m + d + 1) * B + d * sigma2;
  const Real Q = (n + 1) * (n + 2) * B * B + (n + 1) * sigma2 * B + (B + sigma2) * ((n + d + 1) * B + d * sigma2);
  return {B + sigma2, -2 * n * n * B * B, 4 * n * n * P * Q / m};
}

/// Thm 4.5 leading order (sigma = 0): Delta ~ B gamma/(1+gamma), eta* ~ gamma / (2 (1+gamma) n^2 B).
template <class Real>
OneStepPrediction<Real> one_step_zero_leading(Real d, Real n, Real m, Real B = 1) {
  const Real g = m / d;
  return {g / (2 * (1 + g) * n * n * B), B, B * g / (1 + g)};
}

/// Cor 4.4: the leading-order loss after TTT, B f(x) with x = 1/(1+alpha), f(x) = x - gamma/(1+gamma) x^3,
/// has an interior turning point in alpha iff gamma > 1/2, at alpha0 = sqrt(3 gamma/(1+gamma)) - 1.
template <class Real>
std::optional<Real> turning_point_alpha(Real gamma) {
  if (!(gamma > Real(0.5))) return std::nullopt;
  return std::sqrt(3 * gamma / (1 + gamma)) - 1;
}

/// Cor 4.6: pre-trained init beats zero init (leading order) iff m < m* = (n+d)^2 / (n+2d).
template <class Real>
Real crossing_m_leading(Real d, Real n) {
  return (n + d) * (n + d) / (n + 2 * d);
}

/// Exact crossing (sigma = 0, B = 1): the smallest root in continuous m in [m_lo, m_hi] of
///   f(m) = loss_after_pretrained_exact(d, n, m) - loss_after_zero_exact(d, n, m),
/// where f < 0 for small m (pre-trained better). Returns nullopt when f has no sign change in the range
/// (for n^2 <~ d pre-trained init wins for every m). Scan on a log grid, then TOMS 748 to full precision.
template <class Real>
std::optional<Real> crossing_m_exact(Real d, Real n, Real m_lo = Real(0.5), Real m_hi = Real(1e7)) {
  auto f = [&](Real m) {
    return one_step_risk_pretrained_exact<Real>(d, n, m).loss_after() - one_step_risk_zero_exact<Real>(d, n, m).loss_after();
  };
  constexpr int grid = 600;
  const Real step = std::log(m_hi / m_lo) / grid;
  Real a = m_lo, fa = f(a);
  if (fa == 0) return a;
  for (int i = 1; i <= grid; ++i) {
    const Real b = (i == grid) ? m_hi : m_lo * std::exp(step * i);
    const Real fb = f(b);
    if (fb == 0) return b;
    if ((fa < 0) != (fb < 0)) {
      std::uintmax_t iters = 200;
      auto tol = boost::math::tools::eps_tolerance<Real>(std::numeric_limits<Real>::digits - 3);
      const std::pair<Real, Real> br = boost::math::tools::toms748_solve(f, a, b, fa, fb, tol, iters);
      return (br.first + br.second) / 2;
    }
    a = b;
    fa = fb;
  }
  return std::nullopt;
}

}  // namespace ttt::theory
