// proofs-check/exact_risk_quadratic.cpp: the expected risk after one TTT step is an exact quadratic in the
// step size, E[L(W_TT)](eta) = L0 + 2 eta lin + eta^2 quad (W_TT is affine in eta, L is quadratic in W),
// and its coefficients have closed forms (THEORY.md sections 3 and 4, Gozeten et al., ICML 2025):
//
// A. Isotropic, noiseless, W0 = c I (Thm 4.2, exact finite-size form; theory::one_step_risk_scaled_identity):
//      L0 = B(1 - 2nc + n(n+1+d)c^2),  lin = 2n^2 B^2 [-(1-(n+1)c)(1-(n+2)c) + c(1-(n+d+1)c)],
//      quad = 4(m+d+1)/m n B^3 E[FG],  F = (n+2)A^2 + AC,  G = 1 - 2cA + c^2(A^2 + AC),
//    A ~ chi^2_n, C ~ chi^2_{d-1}; and W0 = 0 with label noise (Thm 4.5, theory::one_step_risk_zero_exact).
// B. Conditional on a fixed context (X, y), general Sx and label noise (theory::conditional_one_step_risk):
//      E[L(W_TT) | X, y] = L(W) + 2 eta lin + eta^2 quad over the test-time set (X_tr, y_tr).
//
// Brute force: every trial draws the data through the library's GaussianTaskSampler (Philox streams
// addressed by (seed, trial)), takes one TTT step (ttt_step, Prop 3.1) and evaluates the population loss
// of W_TT exactly with Lemma B.2. Per trial, the coefficients of the (exact) quadratic eta -> L(W_TT(eta))
// are read off at eta in {0, +-eta_s}; their means and the risks at several eta are compared with theory
// at |z| <= 5 with standard errors from the trials.
#include "common.hpp"

#include <ttt/models/linear_attention.hpp>
#include <ttt/tasks/gaussian_task.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/population_loss.hpp>
#include <ttt/theory/semi_analytic.hpp>

#include <array>
#include <cstdio>
#include <functional>
#include <string>

namespace {

using proofs::Mat;
using proofs::Vec;
using Risk = ttt::theory::OneStepRisk<double>;

constexpr std::uint64_t seed = 0xE7'0001;

// Multiples of eta* at which the risk itself is compared.
constexpr std::array<double, 4> eta_multiples{0.5, 1.0, 1.5, 2.0};

struct Draw {
  Mat X_tr;
  Vec y_tr;
  Vec u;  // X^T y of the context
};

// Runs `trials` one-step TTT trials from W0 and compares with `theory`. `draw(t)` gives trial t's data,
// `loss(W)` the exact population loss (Lemma B.2). loss_before is deterministic (L(W0) involves no sample
// when the expectation is over fresh data, or a fixed context in case B).
void check_quadratic(proofs::Table& table, const std::string& name, const Risk& theory, const Mat& W0,
                     std::uint64_t trials, const std::function<Draw(std::uint64_t)>& draw,
                     const std::function<double(const Mat&)>& loss, double loss_magnitude) {
  const double eta_star = theory.eta_star();
  const double eta_s = std::fabs(eta_star);
  proofs::RunningStats lin, quad;
  std::array<proofs::RunningStats, eta_multiples.size()> at_eta;
  const double L0 = loss(W0);
  for (std::uint64_t t = 0; t < trials; ++t) {
    const Draw dr = draw(t);
    const Mat Wp = ttt::models::ttt_step<double>(W0, eta_s, dr.u, dr.X_tr, dr.y_tr);
    const Mat Wm = ttt::models::ttt_step<double>(W0, -eta_s, dr.u, dr.X_tr, dr.y_tr);
    const double Lp = loss(Wp), Lm = loss(Wm);
    lin.add((Lp - Lm) / (4 * eta_s));
    quad.add((Lp + Lm - 2 * L0) / (2 * eta_s * eta_s));
    for (std::size_t k = 0; k < eta_multiples.size(); ++k)
      at_eta[k].add(loss(ttt::models::ttt_step<double>(W0, eta_multiples[k] * eta_star, dr.u, dr.X_tr, dr.y_tr)));
  }
  table.close(name + ": L(W0)", theory.loss_before, L0, proofs::roundoff(double(8 * W0.rows())) * loss_magnitude / theory.loss_before);
  table.mc(name + ": lin", theory.lin, lin.mean(), lin.se());
  table.mc(name + ": quad", theory.quad, quad.mean(), quad.se());
  for (std::size_t k = 0; k < eta_multiples.size(); ++k) {
    char what[80];
    std::snprintf(what, sizeof what, "%s: E L(W_TT) at eta = %.1f eta*", name.c_str(), eta_multiples[k]);
    table.mc(what, theory.risk(eta_multiples[k] * eta_star), at_eta[k].mean(), at_eta[k].se());
  }
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %llu trials, eta* = %.4e, gain lin^2/quad = %.5g, rel se of lin %.2e, of quad %.2e",
                name.c_str(), static_cast<unsigned long long>(trials), eta_star, theory.gain(), lin.se() / std::fabs(lin.mean()),
                quad.se() / quad.mean());
  table.note(buf);
}

// |.|-magnitude of the terms of Lemma B.2 (rounding bound of L(W0)).
double loss_magnitude(const Mat& W, const Mat& Sx, const Vec& beta, double sigma2, double n) {
  const Vec Sb = Sx.cwiseAbs() * beta.cwiseAbs();
  const Vec WSb = W.cwiseAbs() * Sb;
  return beta.cwiseAbs().dot(Sb) + 2 * n * Sb.dot(WSb) + n * (n + 1) * WSb.dot(Sx.cwiseAbs() * WSb) +
         n * (beta.cwiseAbs().dot(Sb) + sigma2) * (W.cwiseAbs().transpose() * Sx.cwiseAbs() * W.cwiseAbs() * Sx.cwiseAbs()).trace() +
         sigma2;
}

// A. Isotropic exact forms: fresh context and test-time set in every trial.
void isotropic_case(proofs::Table& table, const std::string& name, int d, int n, int m, double c, double sigma2,
                    const Risk& theory, std::uint64_t trials, std::uint64_t case_seed) {
  const Vec beta = proofs::standard_normal_vector(case_seed, 0, proofs::stream_setup, d) / std::sqrt(double(d));
  const ttt::tasks::GaussianTaskSampler<double> sampler(Vec::Ones(d), sigma2, n, m);
  const Mat W0 = c * Mat::Identity(d, d);
  const double nd = n;
  check_quadratic(
      table, name, theory, W0, trials,
      [&](std::uint64_t t) {
        ttt::tasks::RegressionSample<double> s = sampler.sample(beta, case_seed, t);
        return Draw{std::move(s.X_tr), std::move(s.y_tr), ttt::models::context_vector<double>(s.X, s.y)};
      },
      [&](const Mat& W) { return ttt::theory::population_loss_isotropic<double>(W, beta, sigma2, nd); },
      loss_magnitude(W0, Mat::Identity(d, d), beta, sigma2, nd));
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("One-step TTT risk is an exact quadratic in eta: isotropic exact forms and conditional coefficients");

  // ---------------------------------------------------------------------------------------------------
  // A. Isotropic, d = n = m = 12.
  // ---------------------------------------------------------------------------------------------------
  {
    const int d = 12, n = 12, m = 12;
    const double dd = d, nd = n, md = m;
    const std::uint64_t trials = 40000;
    // The task: fixed beta; B = |beta|^2 enters the theory.
    const Vec beta = proofs::standard_normal_vector(seed, 0, proofs::stream_setup, d) / std::sqrt(dd);
    const double B = beta.squaredNorm();

    const double c_star = 1 / (nd + dd + 1);
    const Risk pre = ttt::theory::one_step_risk_scaled_identity<double>(dd, nd, md, c_star, B);
    // For c = 1/(n+d+1), lin reduces to -2 n^2 d (d-1) B^2 / (n+d+1)^2. The header's bracket subtracts O(1)
    // terms down to d(d-1)/(n+d+1)^2: relative rounding roundoff(16) times that cancellation ratio.
    const double D1 = nd + dd + 1;
    table.close("A pre-trained: lin vs -2n^2 d(d-1)B^2/(n+d+1)^2", -2 * nd * nd * dd * (dd - 1) * B * B / (D1 * D1),
                pre.lin, proofs::roundoff(16) * D1 * D1 / (dd * (dd - 1)));
    isotropic_case(table, "A c=1/(n+d+1)", d, n, m, c_star, 0.0, pre, trials, seed);

    const double c_half = 0.5 / (nd + dd + 1);
    isotropic_case(table, "A c=0.5/(n+d+1)", d, n, m, c_half,
                   0.0, ttt::theory::one_step_risk_scaled_identity<double>(dd, nd, md, c_half, B), trials, seed);

    // W0 = 0 with label noise: Thm 4.5 (exact).
    const double sigma2 = 0.25;
    isotropic_case(table, "A zero init, sigma2=.25", d, n, m, 0.0, sigma2,
                   ttt::theory::one_step_risk_zero_exact<double>(dd, nd, md, B, sigma2), trials, seed);
    // The scaled-identity form at c = 0 must agree with Thm 4.5 at sigma2 = 0.
    const Risk z0 = ttt::theory::one_step_risk_scaled_identity<double>(dd, nd, md, 0.0, B);
    const Risk z1 = ttt::theory::one_step_risk_zero_exact<double>(dd, nd, md, B, 0.0);
    table.close("A c=0: scaled-identity quad vs Thm 4.5 quad", z1.quad, z0.quad, proofs::roundoff(32));
    table.close("A c=0: scaled-identity lin vs Thm 4.5 lin", z1.lin, z0.lin, proofs::roundoff(16));
  }

  // ---------------------------------------------------------------------------------------------------
  // B. Conditional coefficients for a fixed context: d = 6, n = 8, m = 5, Sx != I, sigma2 = 0.3.
  // ---------------------------------------------------------------------------------------------------
  {
    const int d = 6, n = 8, m = 5;
    const double nd = n, md = m, sigma2 = 0.3;
    const std::uint64_t trials = 200000;
    const std::uint64_t case_seed = seed + 10;
    const Vec beta = proofs::standard_normal_vector(case_seed, 0, proofs::stream_setup, d) / std::sqrt(double(d));
    // A non-symmetric W near the pre-trained scale.
    const Mat W = Mat::Identity(d, d) / (nd + d + 1) +
                  0.3 * proofs::standard_normal(case_seed, 1, proofs::stream_setup, d, d) / (nd + d);

    // B1: diagonal Sx through the sampler; the context is trial 0's, the test-time sets are trials 1, 2, ...
    {
      Vec sx(d);
      sx << 0.3, 0.6, 1.0, 1.3, 2.0, 2.8;
      const Mat Sx = sx.asDiagonal();
      const ttt::tasks::GaussianTaskSampler<double> sampler(sx, sigma2, n, m);
      const ttt::tasks::RegressionSample<double> ctx = sampler.sample(beta, case_seed, 0);
      const Vec u = ttt::models::context_vector<double>(ctx.X, ctx.y);
      const Risk theory = ttt::theory::conditional_one_step_risk<double>(W, Sx, beta, u, sigma2, nd, md);
      check_quadratic(
          table, "B diag Sx", theory, W, trials,
          [&](std::uint64_t t) {
            Draw dr;
            dr.X_tr = sampler.design(case_seed, t + 1, ttt::random::stream_train_x, m);
            dr.y_tr = sampler.labels(dr.X_tr, beta, case_seed, t + 1, ttt::random::stream_train_noise);
            dr.u = u;
            return dr;
          },
          [&](const Mat& Wx) { return ttt::theory::population_loss<double>(Wx, Sx, beta, sigma2, nd); },
          loss_magnitude(W, Sx, beta, sigma2, nd));
    }

    // B2: a full (non-diagonal) Sx, drawn with the Cholesky factor from Philox streams.
    {
      Vec spectrum(d);
      spectrum << 0.3, 0.6, 1.0, 1.3, 2.0, 2.8;
      const Mat Sx = proofs::random_spd(case_seed, 2, spectrum);
      const Mat L = Sx.llt().matrixL();
      const double sigma = std::sqrt(sigma2);
      const Mat X = proofs::gaussian_rows(case_seed, 0, proofs::stream_rows, n, L);
      const Vec y = X * beta + sigma * proofs::standard_normal_vector(case_seed, 0, proofs::stream_noise, n);
      const Vec u = X.transpose() * y;
      const Risk theory = ttt::theory::conditional_one_step_risk<double>(W, Sx, beta, u, sigma2, nd, md);
      check_quadratic(
          table, "B full Sx", theory, W, trials,
          [&](std::uint64_t t) {
            Draw dr;
            dr.X_tr = proofs::gaussian_rows(case_seed, t + 1, proofs::stream_rows, m, L);
            dr.y_tr = dr.X_tr * beta + sigma * proofs::standard_normal_vector(case_seed, t + 1, proofs::stream_noise, m);
            dr.u = u;
            return dr;
          },
          [&](const Mat& Wx) { return ttt::theory::population_loss<double>(Wx, Sx, beta, sigma2, nd); },
          loss_magnitude(W, Sx, beta, sigma2, nd));
    }
  }

  table.note("MC rows: |z| <= 5, se from the trials; lin/quad per trial from L(W_TT) at eta = 0, +-|eta*| (exact for a quadratic).");
  return table.finish();
}
