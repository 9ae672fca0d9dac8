// ttt/tasks/covariance.hpp: the diagonal covariances and test-task placements used by the theory
// (THEORY.md sections 4-5). Covariances are diagonal (jointly diagonalisable is equivalent up to a rotation,
// Lemma C.3), stored as the vector of their diagonal.
#pragma once

#include <Eigen/Dense>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ttt::tasks {

template <class Real>
using Vec = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

namespace detail {
/// d >= 1 and variances >= 0 (NaN is rejected too).
template <class Real>
void check_covariance_args(const char* who, int d, Real a, Real b = 0) {
  if (d < 1 || !(a >= 0) || !(b >= 0))
    throw std::invalid_argument(std::string(who) + ": need d >= 1 and non-negative variances");
}
}  // namespace detail

/// Isotropic covariance: diag(scale, ..., scale).
template <class Real>
Vec<Real> isotropic(int d, Real scale = 1) {
  detail::check_covariance_args("isotropic", d, scale);
  return Vec<Real>::Constant(d, scale);
}

/// Two-level prior of THEORY.md 7(h): `high` on the first ceil(d/2) coordinates and `low` on the rest
/// (1.8 / 0.2 there, so that tr = d; low = 0 gives the rank-deficient prior).
template <class Real>
Vec<Real> two_level(int d, Real high, Real low) {
  detail::check_covariance_args("two_level", d, high, low);
  Vec<Real> v(d);
  const int h = (d + 1) / 2;
  for (int i = 0; i < d; ++i) v[i] = i < h ? high : low;
  return v;
}

/// Rank-one prior Sb = scale e_1 e_1^T: after a rotation, Sb proportional to beta_TT beta_TT^T (the
/// extreme best-aligned case of Section 5 (iii)) when paired with placement `first_axis`.
template <class Real>
Vec<Real> rank_one(int d, Real scale = 1) {
  detail::check_covariance_args("rank_one", d, scale);
  Vec<Real> v = Vec<Real>::Zero(d);
  v[0] = scale;
  return v;
}

/// Where a test task of squared norm B sits relative to a two-level prior.
enum class Placement {
  all,        ///< uniform over all coordinates ("mixed")
  high_half,  ///< uniform over the high-variance half ("best-aligned")
  low_half,   ///< uniform over the low-variance half ("worst-aligned"; with low = 0, in the null space)
  first_axis  ///< sqrt(B) e_1 (with rank_one(): Sb proportional to beta beta^T)
};

inline Placement parse_placement(const std::string& s) {
  if (s == "all" || s == "mixed") return Placement::all;
  if (s == "high" || s == "best") return Placement::high_half;
  if (s == "low" || s == "worst") return Placement::low_half;
  if (s == "axis" || s == "first_axis") return Placement::first_axis;
  throw std::invalid_argument("unknown placement '" + s + "' (all|high|low|axis)");
}

/// A fixed test task beta_TT with |beta|^2 = B spread uniformly over the coordinates of the placement.
template <class Real>
Vec<Real> test_task(int d, Placement p, Real B = 1) {
  if (d < 1 || !(B >= 0)) throw std::invalid_argument("test_task: need d >= 1 and B >= 0");
  Vec<Real> b = Vec<Real>::Zero(d);
  const int h = (d + 1) / 2;
  int lo = 0, hi = d;
  switch (p) {
    case Placement::all: break;
    case Placement::high_half: hi = h; break;
    case Placement::low_half: lo = h; break;
    case Placement::first_axis: hi = 1; break;
  }
  if (hi <= lo) throw std::invalid_argument("test_task: the placement selects no coordinate (d too small)");
  const Real v = std::sqrt(B / static_cast<Real>(hi - lo));
  for (int i = lo; i < hi; ++i) b[i] = v;
  return b;
}

}  // namespace ttt::tasks
