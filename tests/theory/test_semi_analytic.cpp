// Tests of ttt/theory/semi_analytic.hpp: the risk after one TTT step conditional on the context, against the
// mpmath reference (general Sx, label noise), against THEORY section 3's isotropic form, against brute force
// over the test-time set, and, averaged over the context, against the exact forms of Thm 4.2 and Thm 4.5.
#include <catch2/catch.hpp>

#include <theory/det_inputs.hpp>
#include <theory/reference_csv.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/semi_analytic.hpp>

#include <cmath>
#include <random>

using namespace ttt::theory;
using namespace ttt::test;

namespace {

// Scales of the rounding errors of the conditional coefficients: the sum of the absolute values of the terms
// of lin, and for quad (a product of non-negative factors) the conditioning of r = beta - W u.
struct Scales {
  double lin, r_cond;
};

Scales conditional_scales(const MatD& W, const MatD& Sx, const VecD& beta, const VecD& u, double s2, double n) {
  const VecD p = Sx * beta;
  const VecD r = beta - W * u;
  const MatD aS = Sx.cwiseAbs(), aW = W.cwiseAbs();
  const VecD ar = beta.cwiseAbs() + aW * u.cwiseAbs();  // magnitude of the terms forming r
  const double t = std::fabs(u.dot(p));
  const VecD ap = aS * beta.cwiseAbs();
  const double lin = 2 * n * t * ap.dot(aS * ar) + 2 * n * (n + 1) * t * (aS * ar).dot(aS * aW * ap) +
                     2 * n * (std::fabs(beta.dot(p)) + s2) * (aS * u.cwiseAbs()).dot(aW.transpose() * aS * aS * ar);
  const double rc = r.norm() > 0 ? ar.norm() / r.norm() : 1;
  return {lin, rc};
}

// Mean and standard error of a running sum.
struct Acc {
  double s = 0, s2 = 0;
  long k = 0;
  void add(double x) {
    s += x;
    s2 += x * x;
    ++k;
  }
  double mean() const { return s / double(k); }
  double se() const { return std::sqrt((s2 / double(k) - mean() * mean()) / double(k)); }
};

}  // namespace

TEST_CASE("conditional one-step risk (general Sx, noise) matches the mpmath reference", "[theory][semi_analytic][reference]") {
  const auto pts = reference_points("conditional");
  REQUIRE(pts.size() == 24);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const int d = int(r.d);
    const MatD W = det_w(d), Sx = det_sx(d);
    const VecD beta = det_beta(d), u = det_u(d);
    const auto risk = conditional_one_step_risk<double>(W, Sx, beta, u, r.sigma2, r.n, r.m);
    const Scales sc = conditional_scales(W, Sx, beta, u, r.sigma2, r.n);
    const double ops = 8 * r.d + 16;
    INFO("d=" << d << " n=" << r.n << " m=" << r.m << " s2=" << r.sigma2);
    const auto& L0 = p.at("loss_before");
    const auto& lin = p.at("lin");
    const auto& quad = p.at("quad");
    ref_error_log().note("conditional/loss_before", risk.loss_before, L0.value);
    ref_error_log().note("conditional/lin", risk.lin, lin.value);
    ref_error_log().note("conditional/quad", risk.quad, quad.value);
    // loss_before is Lemma B.2 (as in test_population_loss).
    CHECK(std::fabs(risk.loss_before - L0.value) <= roundoff(4 * r.d + 8) * lemma_b2_scale(W, Sx, beta, r.sigma2, r.n));
    CHECK(std::fabs(risk.lin - lin.value) <= roundoff(ops) * sc.lin);
    CHECK(std::fabs(risk.quad - quad.value) <= roundoff(ops) * sc.r_cond * sc.r_cond * std::fabs(quad.value));
  }
}

TEST_CASE("Sx = I: the conditional coefficients are THEORY section 3's isotropic form", "[theory][semi_analytic][identity]") {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> N;
  for (int d : {1, 3, 8}) {
    for (int n : {1, 5, 30}) {
      for (double m : {1.0, 7.0}) {
        MatD X(n, d);
        VecD beta(d);
        for (int i = 0; i < d; ++i) beta[i] = N(rng);
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < d; ++j) X(i, j) = N(rng);
        MatD A(d, d);
        for (int i = 0; i < d; ++i)
          for (int j = 0; j < d; ++j) A(i, j) = N(rng);
        const double c = 1.0 / (n + d + 1);
        // W = cI and a random symmetric W (the section 3 form holds for symmetric W).
        for (const MatD& W : {MatD(c * MatD::Identity(d, d)), MatD(c * (A + A.transpose()) / 2)}) {
          const double nn = n, B = beta.squaredNorm();
          const VecD k = X.transpose() * (X * beta);  // u = X^T y with y = X beta (sigma = 0)
          const double s = k.dot(beta);
          const VecD r = beta - W * k;
          const VecD v = -nn * s * (beta - (nn + 1) * W * beta) + nn * B * W * k;
          const double lin = 2 * v.dot(r);
          const double quad = 4 * (m + d + 1) / m * (nn * (nn + 1) * s * s + nn * B * k.squaredNorm()) * r.squaredNorm();
          const auto risk = conditional_one_step_risk<double>(W, MatD::Identity(d, d), beta, k, 0.0, nn, m);
          const Scales sc = conditional_scales(W, MatD::Identity(d, d), beta, k, 0.0, nn);
          INFO("d=" << d << " n=" << n << " m=" << m);
          CHECK(std::fabs(risk.lin - lin) <= roundoff(16 * d + 32) * sc.lin);
          CHECK(std::fabs(risk.quad - quad) <= roundoff(16 * d + 32) * sc.r_cond * sc.r_cond * quad);
          CHECK(std::fabs(risk.loss_before - population_loss_isotropic<double>(W, beta, 0.0, nn)) <=
                roundoff(16 * d + 32) * (B + nn * nn * B * W.squaredNorm() * (d + 2)));
        }
      }
    }
  }
}

TEST_CASE("conditional coefficients against brute force over the test-time set", "[theory][semi_analytic][mc]") {
  // d = 3, n = 5, m = 4, Sx != I, sigma2 = 0.3: draw X_tr, eps_tr, form W_TT and evaluate Lemma B.2 exactly.
  // L(W_TT(eta)) is an exact quadratic in eta per draw, so eta = +-1 give its coefficients draw by draw.
  const int d = 3, n = 5, m = 4, draws = 400000;
  const double s2 = 0.3;
  const MatD Sx = det_sx(d), W = det_w(d) * 2;
  const VecD beta = det_beta(d);
  const MatD L = Sx.llt().matrixL();
  std::mt19937_64 rng(1234);
  std::normal_distribution<double> N;
  // A fixed noisy context.
  MatD X(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) X(i, j) = N(rng);
  X = X * L.transpose();
  VecD y = X * beta;
  for (int i = 0; i < n; ++i) y[i] += std::sqrt(s2) * N(rng);
  const VecD u = X.transpose() * y;
  const double L0 = population_loss<double>(W, Sx, beta, s2, n);
  Acc lin, quad;
  for (int t = 0; t < draws; ++t) {
    MatD Xtr(m, d);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < d; ++j) Xtr(i, j) = N(rng);
    Xtr = Xtr * L.transpose();
    VecD ytr = Xtr * beta;
    for (int i = 0; i < m; ++i) ytr[i] += std::sqrt(s2) * N(rng);
    const VecD g = Xtr.transpose() * (ytr - Xtr * (W * u));
    const MatD step = (2.0 / m) * g * u.transpose();
    const double Lp = population_loss<double>(MatD(W + step), Sx, beta, s2, n);
    const double Lm = population_loss<double>(MatD(W - step), Sx, beta, s2, n);
    lin.add((Lp - Lm) / 4);
    quad.add((Lp + Lm) / 2 - L0);
  }
  const auto risk = conditional_one_step_risk<double>(W, Sx, beta, u, s2, double(n), double(m));
  INFO("lin mc " << lin.mean() << " +- " << lin.se() << " formula " << risk.lin);
  INFO("quad mc " << quad.mean() << " +- " << quad.se() << " formula " << risk.quad);
  CHECK(risk.loss_before == L0);
  CHECK(std::fabs(lin.mean() - risk.lin) <= mc_sigmas * lin.se());
  CHECK(std::fabs(quad.mean() - risk.quad) <= mc_sigmas * quad.se());
}

TEST_CASE("averaged over the context, the conditional risk gives the exact forms of Thm 4.2 and Thm 4.5",
          "[theory][semi_analytic][mc][slow]") {
  const int d = 5, n = 8, draws = 200000;
  const double m = 5;
  std::mt19937_64 rng(99);
  std::normal_distribution<double> N;
  VecD beta(d);
  for (int i = 0; i < d; ++i) beta[i] = 0.25 * (i + 1);
  const double B = beta.squaredNorm();
  const MatD I = MatD::Identity(d, d);
  SECTION("W0 = cI, noiseless: Thm 4.2's exact finite-size form") {
    for (double c : {1.0 / (n + d + 1), 0.5 / n}) {
      const MatD W = c * I;
      Acc lin, quad;
      for (int t = 0; t < draws; ++t) {
        MatD X(n, d);
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < d; ++j) X(i, j) = N(rng);
        const VecD u = X.transpose() * (X * beta);
        const auto r = conditional_one_step_risk<double>(W, I, beta, u, 0.0, double(n), m);
        lin.add(r.lin);
        quad.add(r.quad);
      }
      const auto ex = one_step_risk_scaled_identity<double>(d, n, m, c, B);
      INFO("c=" << c << " lin " << lin.mean() << " +- " << lin.se() << " exact " << ex.lin);
      INFO("quad " << quad.mean() << " +- " << quad.se() << " exact " << ex.quad);
      CHECK(std::fabs(lin.mean() - ex.lin) <= mc_sigmas * lin.se());
      CHECK(std::fabs(quad.mean() - ex.quad) <= mc_sigmas * quad.se());
      CHECK(std::fabs(population_loss_isotropic<double>(W, beta, 0.0, double(n)) - ex.loss_before) <=
            roundoff(16 * d) * B);
    }
  }
  SECTION("W0 = 0 with label noise: Thm 4.5") {
    const double s2 = 0.5;
    const MatD W = MatD::Zero(d, d);
    Acc lin, quad;
    for (int t = 0; t < draws; ++t) {
      MatD X(n, d);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j) X(i, j) = N(rng);
      VecD y = X * beta;
      for (int i = 0; i < n; ++i) y[i] += std::sqrt(s2) * N(rng);
      const auto r = conditional_one_step_risk<double>(W, I, beta, VecD(X.transpose() * y), s2, double(n), m);
      lin.add(r.lin);
      quad.add(r.quad);
    }
    const auto ex = one_step_risk_zero_exact<double>(d, n, m, B, s2);
    INFO("lin " << lin.mean() << " +- " << lin.se() << " exact " << ex.lin);
    INFO("quad " << quad.mean() << " +- " << quad.se() << " exact " << ex.quad);
    CHECK(std::fabs(lin.mean() - ex.lin) <= mc_sigmas * lin.se());
    CHECK(std::fabs(quad.mean() - ex.quad) <= mc_sigmas * quad.se());
  }
}
