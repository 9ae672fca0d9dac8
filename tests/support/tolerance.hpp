// tests/support/tolerance.hpp: named tolerances. Every comparison in the tests states where its bound
// comes from: rounding of a k-term computation, the digits a reference table prints, or Monte Carlo error.
#pragma once

#include <cmath>
#include <limits>

namespace ttt::test {

/// Relative error bound of a floating-point computation with about `ops` rounding steps (each <= eps/2),
/// with a safety factor of 4 for cancellation we have not bounded analytically.
template <class Real = double>
constexpr Real roundoff(double ops) {
  return static_cast<Real>(4.0 * ops * std::numeric_limits<Real>::epsilon());
}

/// Absolute half-width of a value printed with `sig` significant digits: half a unit in its last digit.
inline double printed_half_ulp(double printed, int sig) {
  if (printed == 0) return 0.5 * std::pow(10.0, -sig);
  const int e = static_cast<int>(std::floor(std::log10(std::fabs(printed))));
  return 0.5 * std::pow(10.0, e - sig + 1);
}

/// |a - b| <= tol * max(|a|, |b|).
inline bool close_rel(double a, double b, double tol) {
  return std::fabs(a - b) <= tol * std::fmax(std::fabs(a), std::fabs(b));
}

/// Number of standard errors used for Monte Carlo-against-theory checks (DESIGN.md): at 5 se a single
/// check fails by chance with probability 5.7e-7, so even hundreds of rows stay far from spurious failures.
constexpr double mc_sigmas = 5.0;

/// Central finite-difference step for a function of O(1) scale in double: eps^(1/3).
inline double fd_step() { return std::cbrt(std::numeric_limits<double>::epsilon()); }

/// Error bound of a central difference with step h: O(h^2) truncation + O(eps/h) rounding, scaled by `scale`.
inline double fd_tolerance(double scale) {
  const double h = fd_step();
  return 10.0 * scale * (h * h + std::numeric_limits<double>::epsilon() / h);
}

}  // namespace ttt::test
