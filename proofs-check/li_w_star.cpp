// proofs-check/li_w_star.cpp: the optimal pre-trained W* of Li, Rawat & Oymak (NeurIPS 2024, Thm 1 /
// Cor 1), as used by Gozeten et al. (ICML 2025):
//   W* = Sb ((n+1) Sx Sb + (tr(Sx Sb) + sigma2) I)^{-1}
// minimises the pre-training risk (Eq. 1), i.e. Lemma B.2 averaged over beta ~ N(0, Sb):
//   L_pre(W) = tr(Sx Sb) - 2n tr(Sx W Sx Sb) + n(n+1) tr(Sx W Sx Sb Sx W^T)
//              + n (tr(Sx Sb) + sigma2) tr(Sx W Sx W^T) + sigma2,
// with minimum L* = tr(Sx Sb) + sigma2 - n tr(W* Sx Sb Sx). Stationarity of L_pre reads
//   Sx W ((n+1) Sx Sb + (T + sigma2) I) Sx = Sx Sb Sx,
// whose solution is W* for any SPD Sx, Sb (they need not commute).
//
// (a) Simulation: the prediction x^T W X^T y = <vec(W), vec(x u^T)> is linear in vec(W), so the W that
//     minimises the empirical pre-training risk over N simulated prompts is a least-squares fit. Its
//     standard errors come from splitting the prompts into K batches (spread of the K batch fits,
//     divided by sqrt(K)); every entry must be within 5 se of W*. The same prompts give Monte Carlo
//     values of L_pre at W* (against L*) and at another W.
// (b) Deterministic: the normal equations of the quadratic L_pre, assembled from the library's closed
//     form by polarisation, solved directly; the gradient of L_pre at W* by central differences (exact
//     for a quadratic); the risk increases along random directions.
#include "common.hpp"

#include <ttt/theory/pretrained.hpp>

#include <cstdio>
#include <string>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0x11'0001;

// The closed-form risk with |.| in every matrix: a magnitude for rounding bounds.
double risk_magnitude(const Mat& W, const Mat& Sx, const Mat& Sb, double sigma2, double n) {
  return ttt::theory::pretraining_risk<double>(W.cwiseAbs(), Sx.cwiseAbs(), Sb.cwiseAbs(), sigma2, n) +
         4 * n * (Sx.cwiseAbs() * W.cwiseAbs() * Sx.cwiseAbs() * Sb.cwiseAbs()).trace();
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Li et al. W*: closed form vs least squares and vs direct minimisation (d=5, n=8, sigma2=0.3)");

  const Eigen::Index d = 5, p = d * d;
  const int n = 8;
  const double nd = n, sigma2 = 0.3, sigma = std::sqrt(sigma2);

  Vec spec_x(d), spec_b(d);
  spec_x << 0.3, 0.6, 1.0, 1.6, 2.5;
  spec_b << 0.2, 0.5, 1.0, 1.5, 2.8;
  const Mat Sx = proofs::random_spd(seed, 0, spec_x);
  const Mat Sb = proofs::random_spd(seed, 1, spec_b);  // a different eigenbasis: Sx Sb != Sb Sx
  const Mat Lx = Sx.llt().matrixL(), Lb = Sb.llt().matrixL();
  const Mat W_star = ttt::theory::pretrained_w_star<double>(Sx, Sb, sigma2, nd);
  const double L_star = ttt::theory::pretraining_risk_min<double>(Sx, Sb, sigma2, nd);
  {
    char buf[120];
    std::snprintf(buf, sizeof buf, "|Sx Sb - Sb Sx|_F / |Sx Sb|_F = %.3f (non-commuting covariances)",
                  (Sx * Sb - Sb * Sx).norm() / (Sx * Sb).norm());
    table.note(buf);
  }

  // ---------------------------------------------------------------------------------------------------
  // (a) least squares over simulated prompts
  // ---------------------------------------------------------------------------------------------------
  const int batches = 100;
  const std::uint64_t per_batch = 8000;
  const Mat W_other = 0.5 * W_star + Mat::Identity(d, d) / (nd + d);  // a second W for the risk formula
  Mat H_all = Mat::Zero(p, p);
  Vec c_all = Vec::Zero(p);
  proofs::MatrixStats batch_fits(d, d);
  proofs::RunningStats risk_star, risk_other;
  for (int k = 0; k < batches; ++k) {
    Mat H = Mat::Zero(p, p);
    Vec c = Vec::Zero(p);
    for (std::uint64_t s = 0; s < per_batch; ++s) {
      const std::uint64_t t = static_cast<std::uint64_t>(k) * per_batch + s;
      const Vec beta = Lb * proofs::standard_normal_vector(seed, t, proofs::stream_task, d);
      const Mat X = proofs::gaussian_rows(seed, t, proofs::stream_rows, n, Lx);  // (n, d)
      const Vec y = X * beta + sigma * proofs::standard_normal_vector(seed, t, proofs::stream_noise, n);
      const Vec x = Lx * proofs::standard_normal_vector(seed, t, proofs::stream_query, d);
      const double yq = x.dot(beta) + sigma * ttt::random::NormalRow(seed, t, proofs::stream_query_noise, 0).at(0);
      const Vec u = X.transpose() * y;
      // phi = vec(x u^T) (column-major, index i + d j), so x^T W u = phi . vec(W).
      Vec phi(p);
      for (Eigen::Index j = 0; j < d; ++j) phi.segment(j * d, d) = x * u[j];
      H.selfadjointView<Eigen::Lower>().rankUpdate(phi);
      c += yq * phi;
      const double e_star = yq - x.dot(W_star * u), e_other = yq - x.dot(W_other * u);
      risk_star.add(e_star * e_star);
      risk_other.add(e_other * e_other);
    }
    H = H.selfadjointView<Eigen::Lower>();
    const Vec w = H.ldlt().solve(c);
    batch_fits.add(Eigen::Map<const Mat>(w.data(), d, d));
    H_all += H;
    c_all += c;
  }
  const Vec w_all = H_all.ldlt().solve(c_all);
  const Mat W_ls = Eigen::Map<const Mat>(w_all.data(), d, d);
  const Mat se = batch_fits.se();  // sd of the K batch fits / sqrt(K): the se of the pooled fit
  double zmax = 0;
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) {
      table.mc(proofs::label("(a) W_LS vs W*", i, j), W_star(i, j), W_ls(i, j), se(i, j));
      zmax = std::fmax(zmax, std::fabs(W_ls(i, j) - W_star(i, j)) / se(i, j));
    }
  {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "(a) %d batches x %llu prompts: |W_LS - W*|_F / |W*|_F = %.4f, max |z| = %.2f; pooled fit vs "
                  "mean of batch fits differ by %.2e (Frobenius, relative)",
                  batches, static_cast<unsigned long long>(per_batch), (W_ls - W_star).norm() / W_star.norm(), zmax,
                  (W_ls - batch_fits.mean()).norm() / W_star.norm());
    table.note(buf);
    // Power: the same fit against two wrong closed forms (n in place of n+1; the noise term dropped).
    const Mat W_n = ttt::theory::pretrained_w_star<double>(Sx, Sb, sigma2, nd - 1);
    const Mat W_0 = ttt::theory::pretrained_w_star<double>(Sx, Sb, 0.0, nd);
    std::snprintf(buf, sizeof buf, "(a) power: max |z| against W*(n for n+1) = %.1f, against W*(sigma2 = 0) = %.1f",
                  ((W_ls - W_n).array() / se.array()).abs().maxCoeff(), ((W_ls - W_0).array() / se.array()).abs().maxCoeff());
    table.note(buf);
  }
  table.mc("(a) MC L_pre(W*) vs L*", L_star, risk_star.mean(), risk_star.se());
  table.mc("(a) MC L_pre(W_other) vs closed form", ttt::theory::pretraining_risk<double>(W_other, Sx, Sb, sigma2, nd),
           risk_other.mean(), risk_other.se());

  // ---------------------------------------------------------------------------------------------------
  // (b) direct minimisation of the closed-form risk
  // ---------------------------------------------------------------------------------------------------
  auto risk = [&](const Mat& W) { return ttt::theory::pretraining_risk<double>(W, Sx, Sb, sigma2, nd); };
  // Longest accumulation chain: a product of six d x d matrices and a trace.
  const double chain = proofs::roundoff(double(7 * d));

  // L* from the header against the risk evaluated at W*.
  table.close("(b) L_pre(W*) vs L* (header)", L_star, risk(W_star), chain * risk_magnitude(W_star, Sx, Sb, sigma2, nd) / L_star);

  // Normal equations by polarisation: L(w) = c0 - 2 b'w + w'Hw with w = vec(W).
  {
    auto unit = [&](Eigen::Index k) { return proofs::vec_unit(d, k); };
    const proofs::Quadratic q =
        proofs::polarise(risk, [&](const Mat& W) { return risk_magnitude(W, Sx, Sb, sigma2, nd); }, d);
    const proofs::QuadraticMinimum qm = proofs::minimise(q, chain);
    table.close("(b) normal-equation solution vs W* (rel F)", 0.0, (qm.W - W_star).norm() / W_star.norm(),
                qm.rel_error_bound, 1.0);
    table.at_least("(b) Hessian of L_pre: min eigenvalue > 0", qm.min_eigenvalue, 0.0);
    const Mat& H = q.H;
    char buf[120];
    std::snprintf(buf, sizeof buf, "(b) Hessian of L_pre in vec(W): condition number %.1f", qm.condition);
    table.note(buf);

    // Gradient at W* by central differences (exact for a quadratic), relative to the size of the
    // linear term's gradient 2n |Sx Sb Sx|_F that the quadratic terms must cancel.
    const double h = W_star.norm();
    Mat grad(d, d);
    double gmag = 0;
    for (Eigen::Index k = 0; k < p; ++k) {
      grad(k % d, k / d) = (risk(W_star + h * unit(k)) - risk(W_star - h * unit(k))) / (2 * h);
      gmag = std::fmax(gmag, risk_magnitude(W_star + h * unit(k), Sx, Sb, sigma2, nd));
    }
    const double gscale = 2 * nd * (Sx * Sb * Sx).norm();
    table.close("(b) |grad L_pre(W*)|_F / (2n|Sx Sb Sx|_F)", 0.0, grad.norm() / gscale,
                std::sqrt(double(p)) * chain * gmag / h / gscale, 1.0);

    // Random directions: L(W* + tD) - L(W*) = t^2 vec(D)' H vec(D) > 0 when the gradient vanishes.
    double min_increase = INFINITY, worst_ratio = 0;
    for (std::uint64_t r = 0; r < 200; ++r) {
      Mat D = proofs::standard_normal(seed, 100 + r, proofs::stream_setup, d, d);
      D *= 0.1 * W_star.norm() / D.norm();
      const double inc = risk(W_star + D) - L_star;
      const Vec v = Eigen::Map<const Vec>(D.data(), p);
      min_increase = std::fmin(min_increase, inc);
      worst_ratio = std::fmax(worst_ratio, std::fabs(inc / v.dot(H * v) - 1));
    }
    table.at_least("(b) min over 200 random D of L(W*+D) - L*", min_increase, 0.0);
    std::snprintf(buf, sizeof buf, "(b) increase / (vec D' H vec D): max |ratio - 1| = %.2e (quadratic, no linear term)",
                  worst_ratio);
    table.note(buf);
  }

  table.note("(a) se from the spread of 100 batch fits (t with 99 dof: P(|t| > 5) = 2.5e-6 per entry).");
  return table.finish();
}
