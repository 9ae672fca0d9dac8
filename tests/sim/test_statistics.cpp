// Tests of <ttt/sim/statistics.hpp>: quantiles, linear estimates, the delta method for the empirical
// optimal step and minimum risk, and the block bootstrap.
#include <ttt/sim/statistics.hpp>
#include <ttt/sim/engine.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

namespace {

// Trial components of a known quadratic risk curve: c0 = 1, lin = -1 + 0.3 z1, quad = 4 + 0.5 z2, so the
// true eta* = 0.25 and minimum 1 - 1/4 = 0.75.
struct QuadTrial {
  using Real = double;
  static constexpr int K = 4;
  std::size_t scratch_size() const { return 0; }
  void operator()(std::uint64_t t, double*, double* out) const {
    const ttt::random::NormalRow r(99, t, ttt::random::stream_user, 0);
    out[0] = 1.0;
    out[1] = -1.0 + 0.3 * r.at(0);
    out[2] = 4.0 + 0.5 * r.at(1);
    out[3] = 0.0;
  }
};

}  // namespace

TEST_CASE("two-sided quantiles", "[mc]") {
  // Published values: z_0.975 = 1.959963984540054, t_{0.975, 10} = 2.228138851986274.
  CHECK(ttt::sim::two_sided_quantile(0.95, 1e300) == Approx(1.959963984540054).epsilon(1e-12));
  CHECK(ttt::sim::two_sided_quantile(0.95, 10) == Approx(2.228138851986274).epsilon(1e-12));
}

TEST_CASE("delta-method intervals for the empirical optimal step and minimum", "[mc]") {
  ttt::sim::RunConfig cfg;
  cfg.trials = 40000;
  const auto r = ttt::sim::run_host(QuadTrial{}, cfg);
  const std::array<std::array<double, 4>, 3> M{{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}};
  const auto c = ttt::sim::risk_curve(r.total, M);
  const auto eta = c.argmin(), mn = c.minimum();
  // Delta method: se(eta^) ~ sqrt(0.3^2/16 + 0.25^2 * 0.5^2/16) / sqrt(N) with d eta/d lin = -1/quad etc.
  const double se_pred = std::sqrt(0.09 / 16 + 0.0625 * 0.25 / 16) / std::sqrt(double(cfg.trials));
  CHECK(eta.se == Approx(se_pred).epsilon(0.05));  // sample-covariance error at N = 4e4 is ~1%
  CHECK(eta.z_score(0.25) < ttt::test::mc_sigmas);
  CHECK(mn.z_score(0.75) < ttt::test::mc_sigmas);
  CHECK(c.risk(0.25).z_score(0.75) < ttt::test::mc_sigmas);
  // Bootstrap over blocks agrees with the delta method to within its own Monte Carlo error (~10% at 400 reps).
  std::vector<double> reps;
  for (std::uint32_t b = 0; b < 400; ++b) {
    const auto s = ttt::sim::resample(r.blocks, ttt::sim::bootstrap_indices(5, b, r.blocks.size()));
    reps.push_back(ttt::sim::risk_curve(s, M).argmin().value);
  }
  const auto ci = ttt::sim::percentile_interval(reps);
  CHECK(ci[2] == 1.0);
  CHECK((ci[1] - ci[0]) == Approx(eta.ci_high - eta.ci_low).epsilon(0.2));
}

TEST_CASE("percentile intervals treat missing values as +inf", "[mc]") {
  std::vector<double> v;
  for (int i = 0; i < 100; ++i) v.push_back(i < 90 ? double(i) : std::numeric_limits<double>::quiet_NaN());
  const auto ci = ttt::sim::percentile_interval(v, 0.9);
  CHECK(ci[0] == Approx(4.95));
  CHECK(std::isinf(ci[1]));
  CHECK(ci[2] == Approx(0.9));
}
