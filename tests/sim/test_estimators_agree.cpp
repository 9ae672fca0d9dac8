// The reduced sampler (O(1) chi-square variates per trial) against the brute force (every sample drawn) at
// several points, with and without label noise, zero and pretrained init: the risk at three step sizes agrees
// within 5 combined standard errors (independent runs). And the brute trials, now on the block generator,
// stay a pure function of (seed, trial): byte-identical for 1 and 2 threads and the cpp backend.
#include <ttt/sim/one_step.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

#include <cmath>

using ttt::sim::Estimator;

TEST_CASE("reduced sampler agrees with the brute force, with and without noise, both inits", "[mc]") {
  struct Point {
    int d, n, m;
    double sigma2;
    bool pretrained;
  };
  const Point points[] = {{8, 6, 5, 0.0, false}, {8, 6, 5, 0.4, false}, {8, 6, 5, 0.0, true},
                          {8, 6, 5, 0.4, true},  {3, 12, 4, 0.25, true}, {20, 4, 30, 0.1, false}};
  for (const auto& pt : points) {
    const double d = pt.d, n = pt.n, m = pt.m;
    const double c = pt.pretrained ? ttt::theory::pretrained_scale_isotropic(d, n, pt.sigma2) : 0.0;
    const double eta = pt.pretrained ? ttt::theory::one_step_risk_pretrained_exact(d, n, m).eta_star()
                                     : ttt::theory::one_step_risk_zero_exact(d, n, m, 1.0, pt.sigma2).eta_star();
    const auto s = ttt::sim::isotropic_setting(pt.d, pt.n, pt.m, pt.sigma2, 1.0, c, 31);
    ttt::sim::RunConfig cb, cr;
    cb.trials = 40000;
    cr.trials = 400000;
    const auto brute = ttt::sim::run_one_step(s, Estimator::brute, cb).curve();
    auto sr = s;
    sr.seed = 32;  // independent of the brute run
    const auto reduced = ttt::sim::run_one_step(sr, Estimator::reduced, cr).curve();
    for (double e : {0.5 * eta, eta, 2 * eta}) {
      const auto a = brute.risk(e), b = reduced.risk(e);
      INFO("d=" << pt.d << " n=" << pt.n << " m=" << pt.m << " sigma2=" << pt.sigma2
                << (pt.pretrained ? " pretrained" : " zero") << " eta=" << e << ": brute " << a.value << " +- "
                << a.se << ", reduced " << b.value << " +- " << b.se);
      CHECK(std::fabs(a.value - b.value) < ttt::test::mc_sigmas * std::hypot(a.se, b.se));
    }
  }
}

TEST_CASE("trials on the block generator are byte-identical across threads and CPU backends", "[mc][parity]") {
  for (int d : {7, 70}) {
    const auto s = ttt::sim::isotropic_setting(d, 9, 5, 0.3, 1.0, 0.01, 5);
    for (Estimator e : {Estimator::brute, Estimator::fresh, Estimator::conditional}) {
      ttt::sim::RunConfig cfg;
      cfg.trials = 1000;
      cfg.block_size = 64;
      cfg.threads = 1;
      const auto one = ttt::sim::run_one_step(s, e, cfg).curve().risk(0.01);
      cfg.threads = 2;
      const auto two = ttt::sim::run_one_step(s, e, cfg).curve().risk(0.01);
      cfg.backend = ttt::Backend::cpp;
      const auto seq = ttt::sim::run_one_step(s, e, cfg).curve().risk(0.01);
      INFO("d=" << d << " estimator " << ttt::sim::estimator_name(e));
      CHECK(one.value == two.value);
      CHECK(one.se == two.se);
      CHECK(one.value == seq.value);
      CHECK(one.se == seq.se);
    }
  }
}
