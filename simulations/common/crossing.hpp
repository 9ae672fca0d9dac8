// simulations/common/crossing.hpp: crossing points of two Monte Carlo loss curves in m, with bootstrap
// intervals over trial blocks. Runs that share a seed share their samples (common random numbers), and the
// bootstrap resamples their blocks jointly.
#pragma once

#include <ttt/sim/one_step.hpp>
#include <ttt/sim/statistics.hpp>

#include <boost/math/tools/roots.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <vector>

namespace ttt::simulation {

/// First root where f changes sign from negative to positive on a log grid of [lo, hi], refined by TOMS 748.
inline std::optional<double> first_up_crossing(const std::function<double(double)>& f, double lo, double hi, int grid = 400) {
  double a = lo, fa = f(a);
  for (int i = 1; i <= grid; ++i) {
    const double b = lo * std::pow(hi / lo, double(i) / grid), fb = f(b);
    if (fa < 0 && fb >= 0) {
      if (fb == 0) return b;
      std::uintmax_t it = 100;
      const auto r = boost::math::tools::toms748_solve(f, a, b, fa, fb, boost::math::tools::eps_tolerance<double>(40), it);
      return 0.5 * (r.first + r.second);
    }
    a = b;
    fa = fb;
  }
  return std::nullopt;
}

/// Crossing on a grid of m values: the first sign change of D (negative to positive), interpolated
/// linearly in log m.
inline std::optional<double> grid_crossing(const std::vector<double>& m, const std::vector<double>& D) {
  for (std::size_t i = 1; i < m.size(); ++i)
    if (D[i - 1] < 0 && D[i] >= 0) {
      const double t = D[i - 1] / (D[i - 1] - D[i]);
      return std::exp(std::log(m[i - 1]) + t * (std::log(m[i]) - std::log(m[i - 1])));
    }
  return std::nullopt;
}

/// Crossing in continuous m of the minimum risks of two runs of an estimator that integrates the
/// test-time set (conditional or reduced), where m enters only through the coefficient map.
inline std::optional<double> continuous_crossing(const sim::BlockStats<4>& warm, const sim::BlockStats<4>& cold,
                                                 double lo, double hi) {
  auto D = [&](double m) {
    const auto M = sim::conditional_coefficients(m);
    return sim::risk_curve(warm, M).minimum().value - sim::risk_curve(cold, M).minimum().value;
  };
  return first_up_crossing(D, lo, hi);
}

/// Percentile interval {low, high, fraction finite} of a crossing point over `replicates` bootstrap
/// resamples of `nblocks` trial blocks: replicate b draws one index set (sim::bootstrap_indices) and
/// `crossing` evaluates the crossing with every run's blocks resampled by it; no crossing counts as +inf.
inline std::array<double, 3> bootstrap_crossing(
    std::uint64_t seed, std::uint32_t replicates, std::size_t nblocks,
    const std::function<std::optional<double>(const std::vector<std::uint32_t>&)>& crossing) {
  std::vector<double> reps;
  for (std::uint32_t b = 0; b < replicates; ++b) {
    const auto r = crossing(sim::bootstrap_indices(seed, b, nblocks));
    reps.push_back(r ? *r : std::nan(""));
  }
  return sim::percentile_interval(reps);
}

}  // namespace ttt::simulation
