// proofs-check/prop31_gradient.cpp: Proposition 3.1 of Gozeten et al. (ICML 2025).
//
// For the collapsed linear-attention model yhat = x^T W u with u = X^T y, one gradient step of size eta on
// the test-time loss (Eq. 2)
//   Lhat(W) = (1/m) |y_tr - X_tr W u|^2
// gives the rank-one update
//   W_TT = W + (2 eta / m) X_tr^T (y_tr - X_tr W u) u^T,
// and, without label noise (y = X beta, y_tr = X_tr beta), W_TT = W + (2 eta/m) X_tr^T X_tr (beta - W k) k^T
// with k = X^T X beta.
//
// The gradient is checked entrywise against central finite differences of Lhat. Lhat is a quadratic
// polynomial in W, so the central difference has no truncation error at any step h: the only error is
// rounding, bounded below from the computed magnitudes (forward error of every sum with |.| in place of
// each term). Rank one: the second singular value of the update is at rounding level.
#include "common.hpp"

#include <ttt/models/linear_attention.hpp>

#include <Eigen/SVD>

#include <cstdio>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0x5031'0001;

// The Prop 3.1 gradient written from the statement: -(2/m) X_tr^T (y_tr - X_tr W u) u^T.
// W: (d, d)  u: (d)  X_tr: (m, d)  y_tr: (m)
Mat prop31_gradient(const Mat& W, const Vec& u, const Mat& X_tr, const Vec& y_tr) {
  const double m = static_cast<double>(X_tr.rows());
  const Vec residual = y_tr - X_tr * (W * u);
  const Vec g = X_tr.transpose() * residual;
  return (-2.0 / m) * g * u.transpose();
}

// Smallest over largest singular value.
double singular_ratio(const Mat& A) {
  const Eigen::JacobiSVD<Mat> svd(A);
  const Vec s = svd.singularValues();
  return s[1] / s[0];
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Prop 3.1: one TTT gradient step is the rank-one update (d=12, n=20, m=15)");

  const Eigen::Index d = 12, n = 20, m = 15;
  const double sigma = 0.5;  // label-noise standard deviation
  const double md = static_cast<double>(m);

  // A random instance: beta ~ N(0, I/d) scaled to |beta| ~ 1; W = I/(n+d+1) + a random perturbation of
  // the same scale (not symmetric), so that no structure of W helps the identity.
  const Vec beta = proofs::standard_normal_vector(seed, 0, proofs::stream_setup, d) / std::sqrt(double(d));
  const Mat W = Mat::Identity(d, d) / double(n + d + 1) +
                proofs::standard_normal(seed, 1, proofs::stream_setup, d, d) / double(n + d);
  const Mat X = proofs::standard_normal(seed, 2, proofs::stream_rows, n, d);
  const Mat X_tr = proofs::standard_normal(seed, 3, proofs::stream_rows, m, d);
  const Vec y = X * beta + sigma * proofs::standard_normal_vector(seed, 4, proofs::stream_noise, n);
  const Vec y_tr = X_tr * beta + sigma * proofs::standard_normal_vector(seed, 5, proofs::stream_noise, m);
  const Vec u = ttt::models::context_vector<double>(X, y);

  const Mat G = prop31_gradient(W, u, X_tr, y_tr);
  const double G_norm = G.norm();

  // --- 1. Central finite differences of Eq. 2, entry by entry --------------------------------------
  // Rounding of one evaluation of Lhat at W': each residual y_j - x_j^T W' u is a sum of 2d+1 terms, so
  // its error is <= gamma_{2d+1} (|y_j| + (|X_tr| |W'| |u|)_j); the mean of squares adds gamma_m Lhat.
  // To first order: dL <= gamma_{2d+1} Psi + gamma_m Lhat, Psi = (2/m) sum_j |res_j| (|y_j| + (|X_tr||W'||u|)_j).
  // The stored step fl(W_ij +- h) differs from W_ij +- h by <= eps/2 |W_ij +- h|, a relative step error
  // eps (|W_ij| + h) / (2h) on the difference quotient.
  const double h = 1e-2;  // any h is exact for a quadratic: choose it large to shrink rounding / h
  auto loss = [&](const Mat& Wp) { return ttt::models::ttt_loss<double>(Wp, u, X_tr, y_tr); };
  auto loss_rounding = [&](const Mat& Wp) {
    const Vec res = y_tr - X_tr * (Wp * u);
    const Vec mag = y_tr.cwiseAbs() + X_tr.cwiseAbs() * (Wp.cwiseAbs() * u.cwiseAbs());
    const double psi = 2.0 / md * res.cwiseAbs().dot(mag);
    return proofs::roundoff(double(2 * d + 1)) * psi + proofs::roundoff(double(m)) * loss(Wp);
  };
  Mat G_fd(d, d), fd_bound(d, d);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) {
      Mat Wp = W, Wm = W;
      Wp(i, j) += h;
      Wm(i, j) -= h;
      G_fd(i, j) = (loss(Wp) - loss(Wm)) / (2 * h);
      fd_bound(i, j) = (loss_rounding(Wp) + loss_rounding(Wm)) / (2 * h) +
                       proofs::eps * (std::fabs(W(i, j)) + h) / (2 * h) * std::fabs(G(i, j));
    }
  const double fd_tol = fd_bound.norm() / G_norm;
  table.close("grad: |G_fd - G_prop31|_F / |G|_F", 0.0, (G_fd - G).norm() / G_norm, fd_tol, 1.0);
  table.close("grad: max entry |G_fd - G| / |G|_max", 0.0, (G_fd - G).cwiseAbs().maxCoeff() / G.cwiseAbs().maxCoeff(),
              fd_bound.maxCoeff() / G.cwiseAbs().maxCoeff(), 1.0);

  // --- 2. The library's gradient and step against the statement -------------------------------------
  // Same formula, same evaluation order up to association: forward error gamma_{2d+m+2} times the
  // magnitude ratio |(2/m) |X_tr|^T (|y_tr| + |X_tr||W||u|) |u|^T|_F / |G|_F.
  const Vec mag_res = y_tr.cwiseAbs() + X_tr.cwiseAbs() * (W.cwiseAbs() * u.cwiseAbs());
  const double kappa = ((2.0 / md) * (X_tr.cwiseAbs().transpose() * mag_res) * u.cwiseAbs().transpose()).norm() / G_norm;
  const double lib_tol = proofs::roundoff(double(2 * d + m + 2)) * kappa;
  const Mat G_lib = ttt::models::ttt_gradient<double>(W, u, X_tr, y_tr);
  table.close("ttt_gradient vs Prop 3.1 (rel Frobenius)", 0.0, (G_lib - G).norm() / G_norm, lib_tol, 1.0);

  // eta such that the update is as large as W itself (no cancellation hides anything).
  const double eta = W.norm() / G_norm;
  const Mat W_tt = ttt::models::ttt_step<double>(W, eta, u, X_tr, y_tr);
  const Mat update = W_tt - W;
  const double upd_norm = update.norm();
  // W_TT computed by ttt_step against one FD gradient step W - eta G_fd: FD error, the library's rounding,
  // and the rounding of the two additions W + update (2 eps (|W|_F + |W_TT|_F) relative to |update|).
  const double step_tol = fd_tol + lib_tol + 2 * proofs::eps * (W.norm() + W_tt.norm()) / upd_norm;
  table.close("W_TT (ttt_step) vs W - eta G_fd (rel)", 0.0, (W_tt - (W - eta * G_fd)).norm() / upd_norm, step_tol, 1.0);

  // --- 3. Rank one ---------------------------------------------------------------------------------
  // sigma_2 of a perturbed rank-one matrix is at most the perturbation's norm (Weyl); Jacobi SVD adds
  // O(d eps sigma_1). Update from ttt_step: perturbation = rounding of W + D and of (W + D) - W.
  const double svd_tol = proofs::roundoff(double(d));
  table.close("rank: s2/s1 of ttt_step(W) - W", 0.0, singular_ratio(update),
              svd_tol + 2 * proofs::eps * (W.norm() + W_tt.norm()) / upd_norm, 1.0);
  // FD gradient: perturbation = the FD error itself; so an FD gradient of numerical rank one
  // confirms the rank-one structure independently of the closed form.
  table.close("rank: s2/s1 of the FD gradient", 0.0, singular_ratio(G_fd), svd_tol + fd_tol, 1.0);
  // The update's row space is u: |update (I - u u^T/|u|^2)|_F / |update|_F at rounding level.
  const Mat P_perp = Mat::Identity(d, d) - u * u.transpose() / u.squaredNorm();
  table.close("row space of G_fd is span(u): |G_fd P_perp|/|G|", 0.0, (G_fd * P_perp).norm() / G_norm,
              fd_tol + proofs::roundoff(double(d)), 1.0);

  // --- 4. Noiseless specialisation: W_TT = W + (2 eta/m) X_tr^T X_tr (beta - W k) k^T, k = X^T X beta ----
  {
    const Vec y0 = X * beta, y0_tr = X_tr * beta;
    const Vec u0 = ttt::models::context_vector<double>(X, y0);
    const Vec k = (X.transpose() * X) * beta;
    const Mat G0 = ttt::models::ttt_gradient<double>(W, u0, X_tr, y0_tr);
    const Mat G_spec = (-2.0 / md) * (X_tr.transpose() * X_tr) * (beta - W * k) * k.transpose();
    // Forward error with every quantity replaced by its absolute value (sums of <= n + d + m terms).
    const Vec k_abs = (X.cwiseAbs().transpose() * X.cwiseAbs()) * beta.cwiseAbs();
    const Mat mag = (2.0 / md) * (X_tr.cwiseAbs().transpose() * X_tr.cwiseAbs()) *
                    (beta.cwiseAbs() + W.cwiseAbs() * k_abs) * k_abs.transpose();
    const double tol0 = proofs::roundoff(double(2 * (n + d + m))) * mag.norm() / G0.norm();
    table.close("noiseless form (k = X^T X beta) vs ttt_gradient", 0.0, (G_spec - G0).norm() / G0.norm(), tol0, 1.0);
  }

  table.note("Lhat is quadratic in W: the central difference has zero truncation error, h = 1e-2.");
  table.note("tolerances: rounding bounds computed from the magnitudes of the terms (see source).");
  return table.finish();
}
