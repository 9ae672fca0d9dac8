// proofs-check/lemma_b3_wick.cpp: Lemma B.3 of Gozeten et al. (ICML 2025), the Gaussian fourth moment
//   E[X^T X A X^T X] = n(n+1) S A S + n tr(A S) S
// for X with n i.i.d. N(0, S) rows and symmetric A (Wick/Isserlis). Expanding X^T X = sum_i x_i x_i^T,
// the n diagonal terms give E[x x^T A x x^T] = 2 S A S + tr(A S) S and the n(n-1) cross terms S A S each.
//
// Monte Carlo with a non-diagonal S and an indefinite symmetric A: every entry (i <= j) of the sample
// mean is compared with the formula, |z| <= 5 with the per-entry standard error estimated from the
// samples. Two cases: n = 1 (the diagonal term alone) and n = 8.
#include "common.hpp"

#include <ttt/theory/population_loss.hpp>

#include <cstdio>
#include <string>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0xB3'0001;

// The right-hand side as stated in Lemma B.3.
Mat wick_rhs(const Mat& S, const Mat& A, double n) {
  return n * (n + 1) * S * A * S + n * (A * S).trace() * S;
}

void check_case(proofs::Table& table, const Mat& S, const Mat& A, Eigen::Index n, std::uint64_t draws,
                std::uint32_t case_tag) {
  const Eigen::Index d = S.rows();
  const Mat L = S.llt().matrixL();
  proofs::MatrixStats stats(d, d);
  for (std::uint64_t t = 0; t < draws; ++t) {
    const Mat X = proofs::gaussian_rows(seed + case_tag, t, proofs::stream_rows, n, L);  // (n, d)
    const Mat XtX = X.transpose() * X;
    stats.add(XtX * A * XtX);
  }
  const double nd = static_cast<double>(n);
  const Mat theory = wick_rhs(S, A, nd);
  const Mat se = stats.se();
  const std::string base = "n=" + std::to_string(n) + " E[X'XAX'X]";
  double zmax = 0;
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = i; j < d; ++j) {
      table.mc(proofs::label(base, i, j), theory(i, j), stats.mean()(i, j), se(i, j));
      zmax = std::fmax(zmax, std::fabs((stats.mean()(i, j) - theory(i, j)) / se(i, j)));
    }
  char buf[160];
  std::snprintf(buf, sizeof buf, "n=%ld: %llu draws, max |z| = %.2f over %ld entries, |mean - theory|_F / |theory|_F = %.2e",
                static_cast<long>(n), static_cast<unsigned long long>(draws), zmax, static_cast<long>(d * (d + 1) / 2),
                (stats.mean() - theory).norm() / theory.norm());
  table.note(buf);
  // Power of the test: the naive guess n^2 S A S + n tr(AS) S (dropping the n diagonal S A S terms)
  // must be rejected by the same samples.
  const Mat naive = nd * nd * S * A * S + nd * (A * S).trace() * S;
  const double z_naive = ((stats.mean() - naive).array() / se.array()).abs().maxCoeff();
  std::snprintf(buf, sizeof buf, "n=%ld: the naive n^2 SAS + n tr(AS) S would give max |z| = %.1f (rejected)",
                static_cast<long>(n), z_naive);
  table.note(buf);

  // The library's wick_fourth_moment is the same formula: rounding only (products of three d x d
  // matrices, sums of d terms, with magnitudes |S||A||S|).
  const Mat lib = ttt::theory::wick_fourth_moment<double>(S, A, nd);
  const Mat mag = nd * (nd + 1) * S.cwiseAbs() * A.cwiseAbs() * S.cwiseAbs() +
                  nd * (A.cwiseAbs() * S.cwiseAbs()).trace() * S.cwiseAbs();
  table.close("n=" + std::to_string(n) + " wick_fourth_moment vs formula", 0.0, (lib - theory).norm() / theory.norm(),
              proofs::roundoff(double(3 * d)) * mag.norm() / theory.norm(), 1.0);
}

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Lemma B.3: E[X'X A X'X] = n(n+1) S A S + n tr(AS) S (d=6, S != I, A indefinite)");

  const Eigen::Index d = 6;
  Vec spectrum(d);
  spectrum << 0.3, 0.5, 0.8, 1.2, 2.0, 3.0;
  const Mat S = proofs::random_spd(seed, 0, spectrum);
  const Mat G = proofs::standard_normal(seed, 1, proofs::stream_setup, d, d);
  const Mat A = (G + G.transpose()) / 2;  // symmetric, indefinite

  check_case(table, S, A, 1, 200000, 1);
  check_case(table, S, A, 8, 200000, 2);

  table.note("MC rows: |z| <= 5 per entry, se from the samples (Bonferroni over 42 rows: family-wise 2.4e-5).");
  return table.finish();
}
