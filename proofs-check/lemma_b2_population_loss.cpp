// proofs-check/lemma_b2_population_loss.cpp: Lemma B.2 of Gozeten et al. (ICML 2025), the population loss
// of the collapsed linear-attention model for a fixed task beta and any W (not necessarily symmetric):
//   L(W) = E (y - x^T W X^T y)^2
//        = b'Sb - 2n b'S W S b + n(n+1) b'S W' S W S b + n (b'Sb + sigma2) tr(W' S W S) + sigma2,
// where the context X has n i.i.d. N(0, S) rows, y = X beta + eps, and the query (x, y) is fresh, with
// label noise of variance sigma2 everywhere. With S = I it reads
//   L(W) = |(I - nW) b|^2 + n |W b|^2 + n (B + sigma2) |W|_F^2 + sigma2.
//
// Checked against brute-force Monte Carlo over fresh prompts (|z| <= 5): a diagonal S drawn through
// the library's GaussianTaskSampler (Philox streams), a full non-diagonal S, and S = I with the isotropic
// form. The notes give the z-scores that two plausible wrong variants would get from the same samples.
#include "common.hpp"

#include <ttt/tasks/gaussian_task.hpp>
#include <ttt/theory/population_loss.hpp>

#include <cstdio>
#include <functional>
#include <string>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0xB2'0001;

struct Terms {
  double bSb, lin, quad, tr;
};

// The four ingredients of Lemma B.2, written from the statement.
Terms terms(const Mat& W, const Mat& S, const Vec& beta) {
  const Vec Sb = S * beta;
  const Vec WSb = W * Sb;
  return {beta.dot(Sb), Sb.dot(WSb), WSb.dot(S * WSb), (W.transpose() * S * W * S).trace()};
}

double lemma_b2(const Terms& t, double n, double sigma2) {
  return t.bSb - 2 * n * t.lin + n * (n + 1) * t.quad + n * (t.bSb + sigma2) * t.tr + sigma2;
}

// One Monte Carlo case: `draw(t, X, y, x, yq)` fills trial t's context and query.
void run_case(proofs::Table& table, const std::string& name, const Mat& W, const Mat& S, const Vec& beta,
              double sigma2, double n, std::uint64_t trials,
              const std::function<void(std::uint64_t, Mat&, Vec&, Vec&, double&)>& draw) {
  proofs::RunningStats loss;
  Mat X;
  Vec y, x;
  double yq = 0;
  for (std::uint64_t t = 0; t < trials; ++t) {
    draw(t, X, y, x, yq);
    const double e = yq - x.dot(W * (X.transpose() * y));
    loss.add(e * e);
  }
  const Terms tm = terms(W, S, beta);
  const double theory = lemma_b2(tm, n, sigma2);
  table.mc(name + ": E(y - x'WX'y)^2", theory, loss.mean(), loss.se());

  // The header's population_loss is the same formula: rounding of d x d products (sums of 4d terms).
  const double lib = ttt::theory::population_loss<double>(W, S, beta, sigma2, n);
  const double mag = lemma_b2(terms(W.cwiseAbs(), S.cwiseAbs(), beta.cwiseAbs()), n, sigma2) +
                     4 * n * (n + 1) * std::fabs(tm.lin) + 2 * n * std::fabs(tm.lin);
  table.close(name + ": population_loss vs formula", theory, lib, proofs::roundoff(double(4 * S.rows())) * mag / theory);

  // Power: z-scores of two wrong variants against the same samples.
  const double v1 = theory - n * tm.quad;                // n^2 in place of n(n+1)
  const double v2 = theory - n * sigma2 * tm.tr;         // noise missing from the trace term
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %llu prompts; wrong variants would give z = %.1f (n^2 for n(n+1)), %.1f (no sigma2 in tr term)",
                name.c_str(), static_cast<unsigned long long>(trials), (loss.mean() - v1) / loss.se(),
                (loss.mean() - v2) / loss.se());
  table.note(buf);
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Lemma B.2: population loss for a fixed task (d=8, n=10, sigma2=0.25, random W)");

  const int d = 8, n = 10;
  const double nd = n, sigma2 = 0.25;
  const std::uint64_t trials = 250000;

  const Vec beta = proofs::standard_normal_vector(seed, 0, proofs::stream_setup, d) / std::sqrt(double(d));
  // W: the pre-trained scale I/(n+d+1) plus a non-symmetric perturbation (entries of sd 0.3/(n+d)), so that all
  // four terms of the lemma contribute.
  const Mat W = Mat::Identity(d, d) / (nd + d + 1) + 0.3 * proofs::standard_normal(seed, 1, proofs::stream_setup, d, d) / (nd + d);

  // Case 1: diagonal S through the library's task sampler (context = X, y; query = the m = 1 test-time row).
  {
    Vec sx(d);
    sx << 0.25, 0.5, 0.75, 1.0, 1.0, 1.5, 2.0, 3.0;
    const ttt::tasks::GaussianTaskSampler<double> sampler(sx, sigma2, n, 1);
    const Mat S = sx.asDiagonal();
    run_case(table, "diag S", W, S, beta, sigma2, nd, trials,
             [&](std::uint64_t t, Mat& X, Vec& y, Vec& x, double& yq) {
               ttt::tasks::RegressionSample<double> s = sampler.sample(beta, seed + 1, t);
               X = std::move(s.X);
               y = std::move(s.y);
               x = s.X_tr.row(0).transpose();
               yq = s.y_tr[0];
             });
  }

  // Case 2: a full (non-diagonal) S = Q diag(spectrum) Q^T.
  {
    Vec spectrum(d);
    spectrum << 0.2, 0.4, 0.6, 0.9, 1.1, 1.6, 2.2, 3.0;
    const Mat S = proofs::random_spd(seed, 2, spectrum);
    const Mat L = S.llt().matrixL();
    const double sigma = std::sqrt(sigma2);
    run_case(table, "full S", W, S, beta, sigma2, nd, trials,
             [&](std::uint64_t t, Mat& X, Vec& y, Vec& x, double& yq) {
               X = proofs::gaussian_rows(seed + 2, t, proofs::stream_rows, n, L);
               y = X * beta + sigma * proofs::standard_normal_vector(seed + 2, t, proofs::stream_noise, n);
               x = L * proofs::standard_normal_vector(seed + 2, t, proofs::stream_query, d);
               yq = x.dot(beta) + sigma * ttt::random::NormalRow(seed + 2, t, proofs::stream_query_noise, 0).at(0);
             });
  }

  // Case 3: S = I, and the isotropic form of the header against the general one.
  {
    const Mat S = Mat::Identity(d, d);
    const ttt::tasks::GaussianTaskSampler<double> sampler(Vec::Ones(d), sigma2, n, 1);
    run_case(table, "S = I", W, S, beta, sigma2, nd, trials,
             [&](std::uint64_t t, Mat& X, Vec& y, Vec& x, double& yq) {
               ttt::tasks::RegressionSample<double> s = sampler.sample(beta, seed + 3, t);
               X = std::move(s.X);
               y = std::move(s.y);
               x = s.X_tr.row(0).transpose();
               yq = s.y_tr[0];
             });
    const double general = ttt::theory::population_loss<double>(W, S, beta, sigma2, nd);
    const double iso = ttt::theory::population_loss_isotropic<double>(W, beta, sigma2, nd);
    // |(I - nW) b|^2 expands into the general form's terms: cancellation bounded by the n(n+1)-scale terms.
    const double mag = beta.squaredNorm() + 2 * nd * (W.cwiseAbs() * beta.cwiseAbs()).dot(beta.cwiseAbs()) +
                       nd * (nd + 1) * (W.cwiseAbs() * beta.cwiseAbs()).squaredNorm() +
                       nd * (beta.squaredNorm() + sigma2) * W.squaredNorm() + sigma2;
    table.close("S = I: isotropic form vs general form", general, iso, proofs::roundoff(double(4 * d)) * mag / general);
  }

  table.note("MC rows: |z| <= 5 with se = sample sd / sqrt(N) of the squared prediction error.");
  return table.finish();
}
