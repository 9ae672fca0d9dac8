// Tests of ttt/theory/pretrained.hpp: Li et al.'s W* and L* (general and isotropic), Prop 4.1, Lemma C.1
// (oracle) and Lemma C.2 (eigenvalues of W*).
#include <catch2/catch.hpp>

#include <theory/det_inputs.hpp>
#include <theory/reference_csv.hpp>
#include <ttt/theory/pretrained.hpp>

#include <Eigen/Eigenvalues>

#include <cmath>
#include <string>

using namespace ttt::theory;
using namespace ttt::test;

TEST_CASE("Li et al. W* and L* (general Sx, Sb) match the mpmath reference", "[theory][pretrained][reference]") {
  const auto pts = reference_points("li_general");
  REQUIRE(pts.size() == 24);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const int d = int(r.d);
    const MatD Sx = det_sx(d), Sb = det_sb(d);
    const MatD W = pretrained_w_star<double>(Sx, Sb, r.sigma2, r.n);
    const double condK = p.at("condK").value;
    // A linear solve with an LU factorisation: relative error about d * cond(K) eps in the entries, measured
    // against the largest entry of W*.
    const double wmax = W.cwiseAbs().maxCoeff();
    INFO("d=" << d << " n=" << r.n << " s2=" << r.sigma2);
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) {
        const auto& row = p.at("W_" + std::to_string(i) + "_" + std::to_string(j));
        ref_error_log().note("li_general/W", W(i, j), row.value);
        CHECK(std::fabs(W(i, j) - row.value) <= roundoff(8 * d * d * condK) * wmax);
      }
    const auto& L = p.at("L_star");
    const double Lstar = pretraining_risk_min<double>(Sx, Sb, r.sigma2, r.n);
    ref_error_log().note("li_general/L_star", Lstar, L.value);
    // L* = tr(SxSb) + s2 - n tr(W* SxSbSx): the subtraction loses the ratio (tr + s2)/L*.
    const double scale = (Sx * Sb).trace() + r.sigma2;
    CHECK(std::fabs(Lstar - L.value) <= roundoff(8 * d * d * condK) * scale);
    // W* minimises the pre-training risk: its value there is L*, and perturbations increase it.
    CHECK(std::fabs(pretraining_risk<double>(W, Sx, Sb, r.sigma2, r.n) - Lstar) <= roundoff(8 * d * d * condK) * scale * r.n);
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) {
        MatD E = MatD::Zero(d, d);
        E(i, j) = wmax * std::sqrt(roundoff(1e6));
        CHECK(pretraining_risk<double>(W + E, Sx, Sb, r.sigma2, r.n) >= Lstar);
        CHECK(pretraining_risk<double>(W - E, Sx, Sb, r.sigma2, r.n) >= Lstar);
      }
  }
}

TEST_CASE("Li et al. Cor 1 and Prop 4.1 match the mpmath reference", "[theory][pretrained][reference]") {
  const auto iso = reference_points("li_iso");
  REQUIRE(iso.size() > 100);
  for (const auto& p : iso) {
    const auto& r = *p.first;
    INFO("d=" << r.d << " n=" << r.n << " s2=" << r.sigma2);
    CHECK(matches_reference(pretrained_scale_isotropic<double>(r.d, r.n, r.sigma2), p.at("scale")));
    CHECK(matches_reference(pretraining_risk_min_isotropic<double>(r.d, r.n, r.sigma2), p.at("L_star")));
    if (r.d <= 5) {
      // The general W*, L* at Sx = Sb = I agree with the isotropic ones.
      const int d = int(r.d);
      const MatD I = MatD::Identity(d, d);
      const MatD W = pretrained_w_star<double>(I, I, r.sigma2, r.n);
      CHECK((W - p.at("scale").value * I).cwiseAbs().maxCoeff() <= roundoff(16 * d) * p.at("scale").value);
      CHECK(std::fabs(pretraining_risk_min<double>(I, I, r.sigma2, r.n) - p.at("L_star").value) <=
            roundoff(16 * d) * (r.d + r.sigma2));
    }
  }
  const auto pts = reference_points("prop41");
  REQUIRE(pts.size() > 100);
  for (const auto& p : pts) {
    const auto& r = p.at("L");
    INFO("d=" << r.d << " n=" << r.n << " B=" << r.B << " s2=" << r.sigma2);
    CHECK(matches_reference(loss_pretrained_isotropic<double>(r.d, r.n, r.B, r.sigma2), r));
    if (r.sigma2 == 0) {
      const double D = r.n + r.d + 1;
      CHECK(std::fabs(loss_pretrained_isotropic<double>(r.d, r.n, r.B) - r.B * (r.d + 1) / D) <= roundoff(8) * r.value);
    }
  }
}

TEST_CASE("Prop 4.1 is Lemma B.2 at W* = I/(n+d+1+s2)", "[theory][pretrained][identity]") {
  for (int d : {1, 3, 10, 40}) {
    for (double n : {1.0, 20.0, 80.0}) {
      for (double s2 : {0.0, 0.25, 3.75}) {
        const MatD W = pretrained_scale_isotropic<double>(d, n, s2) * MatD::Identity(d, d);
        VecD beta = VecD::LinSpaced(d, -1.0, 2.0);
        const double B = beta.squaredNorm();
        const double a = population_loss_isotropic<double>(W, beta, s2, n);
        const double b = loss_pretrained_isotropic<double>(d, n, B, s2);
        INFO("d=" << d << " n=" << n << " s2=" << s2);
        // Every term of Lemma B.2 at W = I/D is at most B + s2.
        CHECK(std::fabs(a - b) <= roundoff(8 * d + 16) * 4 * (B + s2));
      }
    }
  }
  // THEORY 7(c), Prop 4.1 at d = 40, n = 20 / 80 (55.08 / 23.83) used an unlisted random beta: the ratio
  // L / B = (d+1)/(n+d+1) is the deterministic part, 41/61 and 41/121.
  CHECK(loss_pretrained_isotropic<double>(40, 20, 1) == Approx(41.0 / 61).epsilon(roundoff(8)));
  CHECK(loss_pretrained_isotropic<double>(40, 80, 1) == Approx(41.0 / 121).epsilon(roundoff(8)));
}

TEST_CASE("Lemma C.1: oracle W_opt and its loss", "[theory][pretrained][reference]") {
  const auto pts = reference_points("lemma_c1");
  REQUIRE(pts.size() == 12);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const int d = int(r.d);
    const VecD beta = det_beta(d);
    const double B = beta.squaredNorm();
    const MatD W = oracle_w<double>(beta, r.n);
    const double L = population_loss_isotropic<double>(W, beta, 0.0, r.n);
    INFO("d=" << d << " n=" << r.n);
    ref_error_log().note("lemma_c1/L_opt", oracle_loss<double>(r.n, B), p.at("L_opt").value);
    CHECK(std::fabs(oracle_loss<double>(r.n, B) - p.at("L_opt").value) <= roundoff(4 * d + 4) * p.at("L_opt").value);
    // L(W_opt) from Lemma B.2: the cancellation in |(I - nW) beta|^2 costs a factor n + 2.
    CHECK(std::fabs(L - p.at("L_at_W_opt").value) <= roundoff((4 * d + 8) * (r.n + 2)) * B);
    // beta is the eigenvector of W_opt with eigenvalue 1/(n+2); W_opt has rank one.
    CHECK(((W * beta) - beta / (r.n + 2)).norm() <= roundoff(4 * d) * beta.norm() / (r.n + 2));
    // No W does better than W_opt: it is the minimiser of the (convex) Lemma B.2 loss.
    for (int i = 0; i < d; ++i) {
      MatD E = MatD::Zero(d, d);
      E(i, (i + 1) % d) = std::sqrt(roundoff(1e6)) / (r.n + 2);
      CHECK(population_loss_isotropic<double>(MatD(W + E), beta, 0.0, r.n) >= L);
      CHECK(population_loss_isotropic<double>(MatD(W - E), beta, 0.0, r.n) >= L);
    }
  }
}

TEST_CASE("Lemma C.2: eigenvalues of Sx^{1/2} W* Sx^{1/2}", "[theory][pretrained][identity]") {
  for (int d : {1, 4, 9}) {
    VecD mu(d), lambda(d);
    for (int i = 0; i < d; ++i) {
      mu[i] = 0.5 + 0.25 * i;
      lambda[i] = i % 3 == 2 ? 0.0 : 2.0 - 0.125 * i;
    }
    for (double n : {1.0, 10.0, 100.0}) {
      for (double s2 : {0.0, 0.5}) {
        const MatD Sx = mu.asDiagonal(), Sb = lambda.asDiagonal();
        const MatD W = pretrained_w_star<double>(Sx, Sb, s2, n);
        const VecD wd = pretrained_w_star_diagonal<double>(mu, lambda, s2, n);
        CHECK((MatD(wd.asDiagonal()) - W).cwiseAbs().maxCoeff() <= roundoff(16 * d) * wd.cwiseAbs().maxCoeff());
        const VecD e = w_star_whitened_eigenvalues<double>(mu, lambda, s2, n);
        const VecD sq = mu.cwiseSqrt();
        const MatD Wt = sq.asDiagonal() * W * sq.asDiagonal();
        Eigen::SelfAdjointEigenSolver<MatD> es(Wt);
        VecD ev = es.eigenvalues();
        VecD es_sorted = e;
        std::sort(es_sorted.data(), es_sorted.data() + d);
        std::sort(ev.data(), ev.data() + d);
        INFO("d=" << d << " n=" << n << " s2=" << s2);
        CHECK((ev - es_sorted).cwiseAbs().maxCoeff() <= roundoff(16 * d) / (n + 1));
        for (int i = 0; i < d; ++i) {
          CHECK(e[i] >= 0);
          CHECK(e[i] < 1 / (n + 1));
        }
      }
    }
  }
}
