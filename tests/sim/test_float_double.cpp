// Float against double for the Monte Carlo trials: the same seed draws the same normals (generated in
// double, rounded to the trial's Real), so the two runs differ only by float arithmetic in the trial.
// Documented tolerance: each block mean of a trial component agrees to roundoff<float>(k) relative, with k
// the number of accumulated terms in a trial, (n + m) d (tests/support/tolerance.hpp: 4 k eps_float).
#include <ttt/sim/one_step.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

TEST_CASE("float and double Monte Carlo runs agree within the float rounding bound", "[mc][parity]") {
  for (auto e : {ttt::sim::Estimator::brute, ttt::sim::Estimator::conditional, ttt::sim::Estimator::reduced}) {
    const int d = 12, n = 10, m = 8;
    const auto s = ttt::sim::isotropic_setting(d, n, m, 0.2, 1.0, 1.0 / 23.2, 31);
    ttt::sim::RunConfig cfg;
    cfg.trials = 4000;
    cfg.block_size = 100;
    const auto rd = ttt::sim::run_one_step<double>(s, e, cfg);
    const auto rf = ttt::sim::run_one_step<float>(s, e, cfg);
    const double tol = ttt::test::roundoff<float>(double((n + m) * d));
    double worst = 0;
    for (std::size_t b = 0; b < rd.result.blocks.size(); ++b)
      for (int i = 0; i < 3; ++i) {
        const double a = rd.result.blocks[b].mean[i], f = rf.result.blocks[b].mean[i];
        const double scale = std::fabs(rd.result.total.mean[i]) + std::sqrt(rd.result.total.covariance(i, i));
        worst = std::max(worst, std::fabs(a - f) / scale);
      }
    INFO(ttt::sim::estimator_name(e) << ": largest block-mean difference " << worst << " (relative to |mean| + sd), bound " << tol);
    CHECK(worst <= tol);
    CHECK(worst > 0);  // float really ran in float
  }
}
