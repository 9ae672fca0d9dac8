// Tests of <ttt/sim/ttt_trial.hpp> and <ttt/sim/one_step.hpp>: each trial against an independent Eigen
// computation of the same sample (roundoff), and every estimator against the exact theory (5 standard errors).
#include <ttt/sim/one_step.hpp>
#include <ttt/models/linear_attention.hpp>
#include <ttt/tasks/gaussian_task.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>
#include <ttt/theory/semi_analytic.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

using ttt::sim::Estimator;
using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

namespace {

ttt::sim::TttSetting anisotropic_setting(double sigma2) {
  ttt::sim::TttSetting s;
  s.d = 5;
  s.n = 7;
  s.m = 4;
  s.sigma2 = sigma2;
  s.sx = {0.5, 1.0, 1.5, 2.0, 0.7};
  s.beta = {0.3, -0.8, 0.5, 0.1, 0.9};
  s.w0 = {0.02, 0.05, 0.01, 0.04, 0.03};
  s.seed = 2024;
  return s;
}

Vec as_vec(const std::vector<double>& v) { return Eigen::Map<const Vec>(v.data(), Eigen::Index(v.size())); }

}  // namespace

TEST_CASE("brute trial equals the Eigen computation of the same sample", "[mc]") {
  for (double sigma2 : {0.0, 0.3}) {
    const auto s = anisotropic_setting(sigma2);
    const auto arrays = s.packed<double>();
    const ttt::sim::BruteTrial<double> f{ttt::sim::host_params(s, arrays), false, 1};
    std::vector<double> scratch(f.scratch_size());
    const ttt::tasks::GaussianTaskSampler<double> sampler(as_vec(s.sx), s.sigma2, s.n, s.m);
    const Mat Sx = as_vec(s.sx).asDiagonal();
    const Mat W0 = as_vec(s.w0).asDiagonal();
    for (std::uint64_t t : {0ull, 1ull, 977ull}) {
      double out[4];
      f(t, scratch.data(), out);
      const auto smp = sampler.sample(as_vec(s.beta), s.seed, t);
      const Vec u = ttt::models::context_vector(smp.X, smp.y);
      for (double eta : {0.0, 1e-3, 5e-3}) {
        const Mat Wtt = ttt::models::ttt_step(W0, eta, u, smp.X_tr, smp.y_tr);
        const double ref = ttt::theory::population_loss(Wtt, Sx, as_vec(s.beta), s.sigma2, double(s.n));
        const double got = out[0] + 2 * eta * out[1] + eta * eta * out[2];
        CHECK(got == Approx(ref).epsilon(ttt::test::roundoff(1e3)));
      }
    }
  }
}

TEST_CASE("conditional trial equals the semi-analytic coefficients of the same context", "[mc]") {
  const auto s = anisotropic_setting(0.25);
  const auto arrays = s.packed<double>();
  const ttt::sim::ConditionalTrial<double> f{ttt::sim::host_params(s, arrays)};
  std::vector<double> scratch(f.scratch_size());
  const ttt::tasks::GaussianTaskSampler<double> sampler(as_vec(s.sx), s.sigma2, s.n, s.m);
  for (std::uint64_t t : {3ull, 50ull}) {
    double out[4];
    f(t, scratch.data(), out);
    const auto smp = sampler.sample(as_vec(s.beta), s.seed, t);
    const Vec u = ttt::models::context_vector(smp.X, smp.y);
    const auto ref = ttt::theory::conditional_one_step_risk<double>(Mat(as_vec(s.w0).asDiagonal()), Mat(as_vec(s.sx).asDiagonal()),
                                                                    as_vec(s.beta), u, s.sigma2, s.n, s.m);
    const auto M = ttt::sim::conditional_coefficients(s.m);
    const double tol = ttt::test::roundoff(1e3);
    CHECK(out[0] == Approx(ref.loss_before).epsilon(tol));
    CHECK(out[1] == Approx(ref.lin).epsilon(tol));
    CHECK(M[2][2] * out[2] + M[2][3] * out[3] == Approx(ref.quad).epsilon(tol));
  }
}

TEST_CASE("every estimator agrees with the exact isotropic theory", "[mc]") {
  struct Point {
    int d, n, m;
    double sigma2, B;
    bool pretrained;
  };
  const Point points[] = {{12, 10, 8, 0.0, 1.0, true}, {12, 10, 8, 0.0, 2.0, false}, {10, 6, 15, 0.5, 1.0, false},
                          {1, 3, 2, 0.0, 1.0, true},  {1, 1, 1, 0.2, 0.7, false}};
  for (const auto& pt : points) {
    const double d = pt.d, n = pt.n, m = pt.m;
    const auto th = pt.pretrained ? ttt::theory::one_step_risk_pretrained_exact(d, n, m, pt.B)
                                  : ttt::theory::one_step_risk_zero_exact(d, n, m, pt.B, pt.sigma2);
    const double c = pt.pretrained ? ttt::theory::pretrained_scale_isotropic(d, n, pt.sigma2) : 0.0;
    const auto s = ttt::sim::isotropic_setting(pt.d, pt.n, pt.m, pt.sigma2, pt.B, c, 17);
    for (Estimator e : {Estimator::brute, Estimator::conditional, Estimator::reduced}) {
      ttt::sim::RunConfig cfg;
      cfg.trials = e == Estimator::reduced ? 200000 : 20000;
      const auto run = ttt::sim::run_one_step(s, e, cfg);
      const auto curve = run.curve();
      INFO("d=" << pt.d << " n=" << pt.n << " m=" << pt.m << " estimator " << ttt::sim::estimator_name(e));
      CHECK(curve.c0() == Approx(th.loss_before).epsilon(ttt::test::roundoff(100)));
      // At d = 1 with W0 = I/(n+2) the exact lin is 0 (eta* = 0; the closed form gives rounding noise of
      // order eps 2n^2B^2): evaluate at steps of the zero-init scale instead.
      const bool lin_zero = std::fabs(th.lin) <= ttt::test::roundoff(10) * 2 * n * n * pt.B * pt.B;
      const double eta_ref = !lin_zero ? th.eta_star() : ttt::theory::one_step_risk_zero_exact(d, n, m, pt.B).eta_star();
      for (double eta : {0.5 * eta_ref, eta_ref, 2 * eta_ref}) {
        const auto est = curve.risk(eta);
        CHECK(est.z_score(th.risk(eta)) < ttt::test::mc_sigmas);
      }
      if (!lin_zero)
        CHECK(curve.argmin().z_score(th.eta_star()) < ttt::test::mc_sigmas);
      else  // every trial's lin is 0 up to rounding
        CHECK(std::fabs(curve.lin()) < ttt::test::roundoff(1e3) * curve.quad() * eta_ref);
    }
  }
}

TEST_CASE("fresh-prompt evaluation agrees with the exact Lemma B.2 evaluation", "[mc]") {
  auto s = anisotropic_setting(0.2);
  s.eval_prompts = 4;
  ttt::sim::RunConfig cfg;
  cfg.trials = 60000;
  const auto exact = ttt::sim::run_one_step(s, Estimator::brute, cfg);
  const auto fresh = ttt::sim::run_one_step(s, Estimator::fresh, cfg);
  const auto ref = exact.curve();
  for (double eta : {0.0, 2e-3, 6e-3}) {
    const auto a = ref.risk(eta), b = fresh.curve().risk(eta);
    INFO("eta " << eta << ": exact " << a.value << " +- " << a.se << ", fresh " << b.value << " +- " << b.se);
    // The two share the context and test-time samples; their difference is bounded by the sum of the se.
    CHECK(std::fabs(a.value - b.value) < ttt::test::mc_sigmas * (a.se + b.se));
  }
}

TEST_CASE("general-covariance estimators agree with each other", "[mc]") {
  const auto s = anisotropic_setting(0.1);
  ttt::sim::RunConfig cfg;
  cfg.trials = 40000;
  const auto brute = ttt::sim::run_one_step(s, Estimator::brute, cfg);
  const auto cond = ttt::sim::run_one_step(s, Estimator::conditional, cfg);
  for (double eta : {1e-3, 4e-3}) {
    const auto a = brute.curve().risk(eta), b = cond.curve().risk(eta);
    // Same contexts (positively correlated estimators): var(a - b) <= var(a) + var(b).
    CHECK(std::fabs(a.value - b.value) < ttt::test::mc_sigmas * std::sqrt(a.se * a.se + b.se * b.se));
  }
  CHECK_THROWS_AS(ttt::sim::run_one_step(s, Estimator::reduced, cfg), std::invalid_argument);
}

TEST_CASE("multi-step trial: step 1 is the one-step trial, later steps match explicit descent", "[mc]") {
  const auto s = anisotropic_setting(0.2);
  const std::vector<double> etas = {3e-3, 1.5e-3, 0.75e-3};
  const auto arrays = s.packed<double>();
  ttt::sim::MultiStepTrial<double, 4> f{};
  f.p = ttt::sim::host_params(s, arrays);
  f.steps = 3;
  for (int k = 0; k < 3; ++k) f.etas[k] = etas[std::size_t(k)];
  f.etas[3] = 0;
  std::vector<double> scratch(f.scratch_size());
  const ttt::tasks::GaussianTaskSampler<double> sampler(as_vec(s.sx), s.sigma2, s.n, s.m);
  const Mat Sx = as_vec(s.sx).asDiagonal(), W0 = as_vec(s.w0).asDiagonal();
  for (std::uint64_t t : {0ull, 12ull}) {
    double out[4];
    f(t, scratch.data(), out);
    const auto smp = sampler.sample(as_vec(s.beta), s.seed, t);
    const Vec u = ttt::models::context_vector(smp.X, smp.y);
    for (std::size_t k = 1; k <= 3; ++k) {
      const std::vector<double> first(etas.begin(), etas.begin() + long(k));
      const Mat Wk = ttt::models::ttt_descent(W0, u, smp.X_tr, smp.y_tr, first).matrix();
      CHECK(out[k - 1] == Approx(ttt::theory::population_loss(Wk, Sx, as_vec(s.beta), s.sigma2, double(s.n)))
                              .epsilon(ttt::test::roundoff(1e4)));
    }
    CHECK(out[3] == 0.0);
  }
}

TEST_CASE("95% intervals cover the exact risk in 95% of seeds", "[mc]") {
  // 400 independent runs (seeds) of 5000 reduced trials at d = n = m = 40: the number of intervals that
  // cover the exact value is Binomial(400, 0.95) if the intervals are calibrated (mean 380, sd 4.36).
  const double d = 40, n = 40, m = 40;
  const auto th = ttt::theory::one_step_risk_pretrained_exact(d, n, m);
  const double c = ttt::theory::pretrained_scale_isotropic(d, n);
  int covered = 0;
  const int runs = 400;
  for (int seed = 1; seed <= runs; ++seed) {
    const auto s = ttt::sim::isotropic_setting(40, 40, 40, 0.0, 1.0, c, std::uint64_t(seed));
    ttt::sim::RunConfig cfg;
    cfg.trials = 5000;
    cfg.threads = 1;
    covered += ttt::sim::run_one_step(s, Estimator::reduced, cfg).curve().risk(th.eta_star()).covers(th.loss_after()) ? 1 : 0;
  }
  const double sd = std::sqrt(runs * 0.95 * 0.05);
  INFO("covered " << covered << " of " << runs);
  CHECK(std::fabs(covered - 0.95 * runs) < ttt::test::mc_sigmas * sd);
}
