// ttt/sim/statistics.hpp: estimates with standard errors and confidence intervals from Monte Carlo block
// statistics. Means of linear combinations use the sample covariance; ratios (the empirical optimal step
// eta^ = -lin/quad and the minimum risk c0 - lin^2/quad) use the delta method; any statistic of the
// blocks (a crossing point, say) can be given a percentile interval by a bootstrap over trial blocks whose
// resampling indices are drawn from Philox, so intervals are reproducible bytes too.
#pragma once

#include <ttt/random/normal.hpp>
#include <ttt/sim/block_stats.hpp>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace ttt::sim {

/// A point estimate with its standard error and a two-sided interval.
struct Estimate {
  double value = 0;
  double se = 0;
  double ci_low = 0;
  double ci_high = 0;
  std::uint64_t trials = 0;

  bool covers(double x) const { return ci_low <= x && x <= ci_high; }
  /// |value - x| in standard errors (inf when se = 0 and they differ).
  double z_score(double x) const {
    if (se > 0) return std::fabs(value - x) / se;
    return value == x ? 0.0 : std::numeric_limits<double>::infinity();
  }
};

/// Two-sided quantile: Student t with `df` degrees of freedom (normal when df is large or infinite).
inline double two_sided_quantile(double level, double df) {
  const double p = 0.5 + 0.5 * level;
  if (!(df < 1e7)) return boost::math::quantile(boost::math::normal_distribution<double>(), p);
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

inline Estimate make_estimate(double value, double se, std::uint64_t n, double level = 0.95) {
  const double q = two_sided_quantile(level, n > 1 ? double(n - 1) : 1.0);
  return {value, se, value - q * se, value + q * se, n};
}

/// Mean of a' x over trials, with its t interval.
template <int K>
Estimate linear_estimate(const BlockStats<K>& s, const std::array<double, std::size_t(K)>& a, double level = 0.95) {
  double mean = 0, var = 0;
  for (int i = 0; i < K; ++i) {
    mean += a[std::size_t(i)] * s.mean[i];
    for (int j = 0; j < K; ++j) var += a[std::size_t(i)] * a[std::size_t(j)] * s.covariance(i, j);
  }
  const double n = static_cast<double>(s.count);
  return make_estimate(mean, std::sqrt(std::max(0.0, var) / n), s.count, level);
}

/// The mean risk curve of a one-step run: risk(eta) = c0 + 2 eta lin + eta^2 quad, where
/// (c0, lin, quad) = M x for the trial components x (M = Trial::coefficients(m)).
template <int K>
struct RiskCurve {
  BlockStats<K> stats;  // held by value: a curve may outlive the run it was read from
  std::array<std::array<double, K>, 3> M;

  double coefficient(int r) const {
    double v = 0;
    for (int i = 0; i < K; ++i) v += M[std::size_t(r)][std::size_t(i)] * stats.mean[i];
    return v;
  }
  double c0() const { return coefficient(0); }
  double lin() const { return coefficient(1); }
  double quad() const { return coefficient(2); }

  /// The mean risk at step size eta, with its interval.
  Estimate risk(double eta, double level = 0.95) const {
    std::array<double, K> a{};
    for (int i = 0; i < K; ++i)
      a[std::size_t(i)] = M[0][std::size_t(i)] + 2 * eta * M[1][std::size_t(i)] + eta * eta * M[2][std::size_t(i)];
    return linear_estimate(stats, a, level);
  }

  /// Delta-method estimate of a smooth function f of the mean coefficients, given its gradient
  /// (df/dc0, df/dlin, df/dquad) at the estimate.
  Estimate delta(double value, const std::array<double, 3>& grad, double level = 0.95) const {
    std::array<double, K> a{};
    for (int i = 0; i < K; ++i)
      for (int r = 0; r < 3; ++r) a[std::size_t(i)] += grad[std::size_t(r)] * M[std::size_t(r)][std::size_t(i)];
    Estimate e = linear_estimate(stats, a, level);
    const double half = e.ci_high - e.value;
    e.value = value;
    e.ci_low = value - half;
    e.ci_high = value + half;
    return e;
  }

  /// The empirical optimal step eta^ = -lin/quad (argmin of the mean risk curve).
  Estimate argmin(double level = 0.95) const {
    const double l = lin(), q = quad();
    return delta(-l / q, {0.0, -1.0 / q, l / (q * q)}, level);
  }

  /// The minimum of the mean risk curve, c0 - lin^2/quad.
  Estimate minimum(double level = 0.95) const {
    const double l = lin(), q = quad();
    return delta(c0() - l * l / q, {1.0, -2.0 * l / q, (l / q) * (l / q)}, level);
  }

  /// The gain c0 - min = lin^2/quad.
  Estimate gain(double level = 0.95) const {
    const double l = lin(), q = quad();
    return delta(l * l / q, {0.0, 2.0 * l / q, -(l / q) * (l / q)}, level);
  }
};

template <int K>
RiskCurve<K> risk_curve(const BlockStats<K>& s, const std::array<std::array<double, std::size_t(K)>, 3>& M) {
  return {s, M};
}

/// Resampling indices of bootstrap replicate `r` over `nblocks` blocks (with replacement), from Philox
/// stream (seed, r): the same for every run that shares the seed, so runs with common random numbers are
/// resampled jointly.
inline std::vector<std::uint32_t> bootstrap_indices(std::uint64_t seed, std::uint32_t r, std::size_t nblocks) {
  std::vector<std::uint32_t> idx(nblocks);
  const random::NormalRow stream(seed, r, random::stream_user + 1, 0);
  for (std::size_t i = 0; i < nblocks; ++i) {
    const double u = stream.uniform_at(static_cast<std::uint32_t>(i));
    idx[i] = static_cast<std::uint32_t>(std::min<double>(double(nblocks) - 1, std::floor(u * double(nblocks))));
  }
  return idx;
}

/// Merge of the blocks picked by `idx` (in the order of idx).
template <int K>
BlockStats<K> resample(const std::vector<BlockStats<K>>& blocks, const std::vector<std::uint32_t>& idx) {
  BlockStats<K> t;
  t.reset();
  for (std::uint32_t i : idx) t.merge(blocks[i]);
  return t;
}

/// Percentile interval of bootstrap replicates (non-finite replicates, e.g. "no crossing", are counted
/// as +inf, so an interval can be open above). Returns {low, high, fraction finite}.
inline std::array<double, 3> percentile_interval(std::vector<double> reps, double level = 0.95) {
  std::size_t finite = 0;
  for (double& v : reps) {
    if (std::isfinite(v))
      ++finite;
    else
      v = std::numeric_limits<double>::infinity();
  }
  std::sort(reps.begin(), reps.end());
  const double a = 0.5 * (1 - level);
  const auto pick = [&](double q) {
    const double pos = q * double(reps.size() - 1);
    const std::size_t i = static_cast<std::size_t>(std::floor(pos));
    const double f = pos - double(i);
    if (i + 1 >= reps.size()) return reps.back();
    if (!std::isfinite(reps[i + 1])) return f == 0 ? reps[i] : reps[i + 1];
    return reps[i] * (1 - f) + reps[i + 1] * f;
  };
  return {pick(a), pick(1 - a), double(finite) / double(reps.size())};
}

}  // namespace ttt::sim
