// proofs-check/lemmas_c1_c2.cpp: Lemmas C.1 and C.2 of Gozeten et al. (ICML 2025). Deterministic checks,
// tolerances from rounding.
//
// Lemma C.1 (sigma = 0, Sx = I): the population loss of Lemma B.2,
//   L(W) = |(I - nW) b|^2 + n |W b|^2 + n B |W|_F^2,   B = |b|^2,
// is strictly convex in W (its quadratic part n^2|Db|^2 + n|Db|^2 + nB|D|_F^2 is positive for D != 0) and
// its minimiser is W_opt = b b^T / ((n+2) B): b is an eigenvector with eigenvalue 1/(n+2), every other
// eigenvalue is 0, and L(W_opt) = 2B/(n+2).
//
// Lemma C.2: for jointly diagonalisable Sx = Q diag(mu) Q^T, Sb = Q diag(lambda) Q^T, the eigenvalues of
// Sx^{1/2} W* Sx^{1/2} (W* of Li et al.) are
//   lambda_i mu_i / ((n+1) lambda_i mu_i + sum_j lambda_j mu_j + sigma2)  in [0, 1/(n+1)) c [0, 1/n).
// Since lambda_i mu_i <= sum_j lambda_j mu_j, the eigenvalues are in fact <= 1/(n+2), with equality iff
// the product lambda_i mu_i has a single non-zero entry and sigma2 = 0 (then the whitened W* is the
// oracle of Lemma C.1). The lemma's interval holds; this sharper bound is checked too.
#include "common.hpp"

#include <ttt/theory/population_loss.hpp>
#include <ttt/theory/pretrained.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0xC1C2'0001;

void lemma_c1(proofs::Table& table) {
  const Eigen::Index d = 10;
  const int n = 20;
  const double nd = n;
  const Vec beta = proofs::standard_normal_vector(seed, 0, proofs::stream_setup, d);
  const double B = beta.squaredNorm();
  const Mat I = Mat::Identity(d, d);
  auto loss = [&](const Mat& W) { return ttt::theory::population_loss<double>(W, I, beta, 0.0, nd); };
  // |.|-magnitude of the terms of L(W) (for rounding bounds); chain: sums of <= 4d terms.
  auto magnitude = [&](const Mat& W) {
    const Vec Wb = W.cwiseAbs() * beta.cwiseAbs();
    return B + 2 * nd * beta.cwiseAbs().dot(Wb) + nd * (nd + 1) * Wb.squaredNorm() + nd * B * W.squaredNorm();
  };
  const double chain = proofs::roundoff(double(4 * d));

  const Mat W_opt = ttt::theory::oracle_w<double>(beta, nd);
  const Mat W_formula = beta * beta.transpose() / ((nd + 2) * B);
  table.close("C.1 oracle_w vs b b'/((n+2)B) (rel F)", 0.0, (W_opt - W_formula).norm() / W_formula.norm(),
              proofs::roundoff(double(d)), 1.0);

  // Spectrum: W_opt b = b/(n+2); the other eigenvalues vanish.
  table.close("C.1 |W_opt b - b/(n+2)| / |b/(n+2)|", 0.0, (W_opt * beta - beta / (nd + 2)).norm() / (beta.norm() / (nd + 2)),
              proofs::roundoff(double(2 * d)), 1.0);
  const Eigen::SelfAdjointEigenSolver<Mat> es(W_opt);
  const Vec ev = es.eigenvalues();  // ascending
  table.close("C.1 top eigenvalue = 1/(n+2)", 1 / (nd + 2), ev[d - 1], proofs::roundoff(double(d)));
  table.small("C.1 max |other eigenvalues| * (n+2)", ev.head(d - 1).cwiseAbs().maxCoeff() * (nd + 2),
              proofs::roundoff(double(d)));
  const double cosine = std::fabs(es.eigenvectors().col(d - 1).dot(beta)) / beta.norm();
  table.close("C.1 |cos(top eigenvector, b)|", 1.0, cosine, proofs::roundoff(double(d)));

  // The minimum value.
  table.close("C.1 L(W_opt) (Lemma B.2) = 2B/(n+2)", 2 * B / (nd + 2), loss(W_opt), chain * magnitude(W_opt) / (2 * B / (nd + 2)));
  table.close("C.1 oracle_loss (header) = 2B/(n+2)", 2 * B / (nd + 2), ttt::theory::oracle_loss<double>(nd, B),
              proofs::roundoff(4));

  // It is the minimiser: the normal equations of the quadratic L (assembled by polarisation of Lemma B.2)
  // give W_opt, the Hessian is positive definite, and random perturbations increase L.
  const proofs::Quadratic q = proofs::polarise(loss, magnitude, d);
  const proofs::QuadraticMinimum qm = proofs::minimise(q, chain);
  table.close("C.1 argmin of Lemma B.2 (normal eqs) vs W_opt", 0.0, (qm.W - W_opt).norm() / W_opt.norm(),
              qm.rel_error_bound, 1.0);
  table.at_least("C.1 Hessian min eigenvalue (= nB) > 0", qm.min_eigenvalue, 0.0);
  table.close("C.1 Hessian min eigenvalue = nB", nd * B, qm.min_eigenvalue, qm.condition * chain * q.magnitude / (nd * B));
  double min_increase = INFINITY, worst_ratio = 0;
  const double L_opt = loss(W_opt);
  for (std::uint64_t r = 0; r < 500; ++r) {
    Mat D = proofs::standard_normal(seed, 10 + r, proofs::stream_setup, d, d);
    D *= 0.2 * W_opt.norm() / D.norm();
    const double inc = loss(W_opt + D) - L_opt;
    // Exact increase of a quadratic with zero gradient: n^2 |Db|^2 + n |Db|^2 + n B |D|_F^2.
    const double quad = (nd * nd + nd) * (D * beta).squaredNorm() + nd * B * D.squaredNorm();
    min_increase = std::fmin(min_increase, inc);
    worst_ratio = std::fmax(worst_ratio, std::fabs(inc / quad - 1));
  }
  table.at_least("C.1 min over 500 random D of L(W_opt+D) - L(W_opt)", min_increase, 0.0);
  table.close("C.1 increase = n(n+1)|Db|^2 + nB|D|^2 (max rel)", 0.0, worst_ratio,
              2 * chain * magnitude(W_opt + 0.2 * W_opt) / min_increase, 1.0);
}

// One Lemma C.2 case: Sx = Q diag(mu) Q^T, Sb = Q diag(lambda) Q^T.
void lemma_c2_case(proofs::Table& table, const std::string& name, const Vec& mu, const Vec& lambda, double sigma2,
                   double n, std::uint64_t tag) {
  const Eigen::Index d = mu.size();
  const Mat G = proofs::standard_normal(seed, tag, proofs::stream_setup, d, d);
  const Mat Q = Eigen::HouseholderQR<Mat>(G).householderQ() * Mat::Identity(d, d);
  const Mat Sx = Q * mu.asDiagonal() * Q.transpose();
  const Mat Sb = Q * lambda.asDiagonal() * Q.transpose();
  const Mat W_star = ttt::theory::pretrained_w_star<double>(Sx, Sb, sigma2, n);
  const Mat R = Q * mu.cwiseSqrt().asDiagonal() * Q.transpose();  // Sx^{1/2}
  const Mat M = R * W_star * R;

  // Closed form written here, and the header's.
  const double T = mu.dot(lambda);
  Vec closed(d);
  for (Eigen::Index i = 0; i < d; ++i) closed[i] = lambda[i] * mu[i] / ((n + 1) * lambda[i] * mu[i] + T + sigma2);
  const Vec header = ttt::theory::w_star_whitened_eigenvalues<double>(mu, lambda, sigma2, n);
  table.close(name + ": header eigenvalues vs closed form", 0.0, (header - closed).cwiseAbs().maxCoeff() * (n + 1),
              proofs::roundoff(double(d)), 1.0);

  // Computed spectrum (M is symmetric when Sx and Sb commute). Rounding: W* from an LU solve of a
  // matrix with condition number kappa(K), then two products with Sx^{1/2}.
  const double asym = (M - M.transpose()).norm() / M.norm();
  const Mat K = (n + 1) * Sx * Sb + ((Sx * Sb).trace() + sigma2) * Mat::Identity(d, d);
  const Eigen::JacobiSVD<Mat> svdK(K);
  const double kappa = svdK.singularValues()[0] / svdK.singularValues()[d - 1];
  const double tol = kappa * proofs::roundoff(double(4 * d)) * mu.maxCoeff() / mu.minCoeff();
  table.small(name + ": |M - M'|_F / |M|_F (M = Sx^1/2 W* Sx^1/2)", asym, tol);
  const Eigen::SelfAdjointEigenSolver<Mat> es((M + M.transpose()) / 2);
  Vec sorted = closed;
  std::sort(sorted.data(), sorted.data() + d);
  const double scale = 1 / (n + 1);
  for (Eigen::Index i = 0; i < d; ++i)
    table.close(proofs::label(name + ": eig", i), sorted[i], es.eigenvalues()[i], tol, scale);

  // Range [0, 1/(n+1)): exact for the closed form; for the computed spectrum up to the rounding above.
  table.at_least(name + ": min closed-form eigenvalue >= 0", closed.minCoeff(), 0.0);
  table.at_most(name + ": max closed-form eig * (n+1) < 1", closed.maxCoeff() * (n + 1), 1.0);
  if (!(closed.maxCoeff() * (n + 1) < 1)) table.small(name + ": strict inequality violated", 1.0, 0.0);
  table.at_least(name + ": min computed eigenvalue >= -tol/(n+1)", es.eigenvalues().minCoeff(), -tol * scale);
  table.at_most(name + ": max computed eig * (n+1) < 1", es.eigenvalues().maxCoeff() * (n + 1), 1.0);
  // The sharper bound 1/(n+2) (closed form: exact arithmetic identity up to one rounding).
  table.at_most(name + ": max closed-form eig * (n+2) <= 1", closed.maxCoeff() * (n + 2), 1.0 + proofs::roundoff(4));

  // The diagonal W* of the header agrees with the general one in the eigenbasis.
  const Vec w_diag = ttt::theory::pretrained_w_star_diagonal<double>(mu, lambda, sigma2, n);
  const Mat W_rot = Q.transpose() * W_star * Q;
  table.close(name + ": Q'W*Q vs pretrained_w_star_diagonal", 0.0, (W_rot - Mat(w_diag.asDiagonal())).norm() / w_diag.norm(),
              tol, 1.0);
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Lemmas C.1 (oracle W_opt, d=10, n=20) and C.2 (spectrum of Sx^1/2 W* Sx^1/2, d=6, n=8)");
  lemma_c1(table);

  const double n = 8;
  Vec mu(6), lambda(6);
  mu << 0.3, 0.7, 1.0, 1.4, 2.0, 3.5;
  lambda << 2.0, 0.0, 1.2, 0.4, 0.9, 1.5;  // one null direction of the prior
  lemma_c2_case(table, "C.2 noisy", mu, lambda, 0.3, n, 100);
  // A rank-one prior with sigma2 = 0: the top eigenvalue reaches 1/(n+2) exactly (the edge of the sharper
  // bound; the whitened W* is then the Lemma C.1 oracle of the whitened task).
  Vec lambda2 = Vec::Zero(6);
  lambda2[3] = 1.7;
  lemma_c2_case(table, "C.2 rank-one", mu, lambda2, 0.0, n, 101);
  {
    const Vec e = ttt::theory::w_star_whitened_eigenvalues<double>(mu, lambda2, 0.0, n);
    table.close("C.2 rank-one: top eigenvalue = 1/(n+2)", 1 / (n + 2), e.maxCoeff(), proofs::roundoff(4));
  }

  return table.finish();
}
