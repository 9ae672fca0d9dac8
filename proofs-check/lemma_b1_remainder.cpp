// proofs-check/lemma_b1_remainder.cpp: Lemma B.1 of Gozeten et al. (ICML 2025), the Gaussian
// approximation X^T X beta = n beta + sqrt(n) |beta| h + r with h ~ N(0, I_d).
//
// Construction (THEORY.md, Lemma B.1): X (n x d) with i.i.d. N(0,1) entries, v = beta/|beta|, a = X v,
// A = |a|^2 ~ chi^2_n, z_perp = (I - v v^T) X^T a / sqrt(A) ~ N(0, I - v v^T) independent of A, an
// independent z_v ~ N(0,1), h = z_perp + z_v v. Since X^T a = A v + sqrt(A) z_perp,
//   r = |beta| [ (A - n - sqrt(n) z_v) v + (sqrt(A) - sqrt(n)) z_perp ],
//   E|r|^2 = |beta|^2 [ 3n + (d-1) E(sqrt(A) - sqrt(n))^2 ] <= (3n + d) |beta|^2,
// using E(A - n - sqrt(n) z_v)^2 = Var A + n = 3n, |z_perp|^2 ~ chi^2_{d-1} independent of A, and
// E(sqrt(A) - sqrt(n))^2 <= 1.
//
// Checks: the algebraic identity for r on every draw (rounding), E|r|^2 and its ingredients by Monte
// Carlo (|z| <= 5), and the bound (deterministic, and the Monte Carlo mean within it).
#include "common.hpp"

#include <ttt/theory/population_loss.hpp>

#include <cmath>
#include <cstdio>

namespace {

using proofs::Mat;
using proofs::Vec;

constexpr std::uint64_t seed = 0xB1'0001;

}  // namespace

int main() {
  Eigen::setNbThreads(1);
  proofs::Table table("Lemma B.1: Gaussian approximation X'X beta = n beta + sqrt(n)|beta| h + r (d = n = 40)");

  const Eigen::Index d = 40, n = 40;
  const double nd = static_cast<double>(n), dd = static_cast<double>(d);
  const std::uint64_t draws = 60000;

  const Vec beta = 1.5 * proofs::standard_normal_vector(seed, 0, proofs::stream_setup, d) / std::sqrt(dd);
  const double B = beta.squaredNorm(), nb = std::sqrt(B);
  const Vec v = beta / nb;
  const Mat P_perp = Mat::Identity(d, d) - v * v.transpose();

  proofs::RunningStats r2, dev2, chi_part, zperp2, h2, main2;
  double identity_worst = 0;  // max over draws of |r - r_closed| / |magnitudes|, against roundoff(2(n+d))
  double identity_rel = 0;    // max over draws of |r - r_closed| / |r|
  for (std::uint64_t t = 0; t < draws; ++t) {
    const Mat X = proofs::standard_normal(seed, t, proofs::stream_rows, n, d);  // (n, d)
    const double z_v = ttt::random::NormalRow(seed, t, proofs::stream_extra, 0).at(0);
    const Vec a = X * v;
    const double A = a.squaredNorm(), sA = std::sqrt(A), sn = std::sqrt(nd);
    const Vec Xta = X.transpose() * a;
    const Vec z_perp = P_perp * Xta / sA;
    const Vec h = z_perp + z_v * v;

    // Definition: r = X^T X beta - n beta - sqrt(n) |beta| h.
    const Vec XtXb = X.transpose() * (X * beta);
    const Vec main_term = nd * beta + sn * nb * h;
    const Vec r = XtXb - main_term;
    // Closed form of the lemma.
    const Vec r_closed = nb * ((A - nd - sn * z_v) * v + (sA - sn) * z_perp);

    // Rounding bound of the difference: both sides are sums of O(n + d) terms whose magnitudes are at most
    // |X|^T |X| |beta| + n|beta| + sqrt(n)|beta||h| entrywise.
    const Vec mag = X.cwiseAbs().transpose() * (X.cwiseAbs() * beta.cwiseAbs()) + nd * beta.cwiseAbs() +
                    sn * nb * h.cwiseAbs() + nb * (A + nd) * v.cwiseAbs();
    const double err = (r - r_closed).norm();
    identity_worst = std::fmax(identity_worst, err / mag.norm());
    identity_rel = std::fmax(identity_rel, err / r.norm());

    r2.add(r.squaredNorm());
    dev2.add((sA - sn) * (sA - sn));
    chi_part.add((A - nd - sn * z_v) * (A - nd - sn * z_v));
    zperp2.add(z_perp.squaredNorm());
    h2.add(h.squaredNorm());
    main2.add(main_term.squaredNorm());
  }

  // --- identity --------------------------------------------------------------------------------------
  table.close("r = closed form: max |r - r_cl| / |magnitudes|", 0.0, identity_worst,
              proofs::roundoff(double(2 * (n + d))), 1.0);
  {
    char buf[120];
    std::snprintf(buf, sizeof buf, "identity: max |r - r_closed| / |r| over %llu draws = %.2e",
                  static_cast<unsigned long long>(draws), identity_rel);
    table.note(buf);
  }

  // --- Monte Carlo ----------------------------------------------------------------------------------
  const double dev2_theory = ttt::theory::chi_sqrt_deviation2<double>(nd);
  const double r2_theory = ttt::theory::gaussian_approximation_remainder_energy<double>(dd, nd, B);
  table.mc("E|r|^2", r2_theory, r2.mean(), r2.se());
  table.mc("E(sqrt A - sqrt n)^2", dev2_theory, dev2.mean(), dev2.se());
  table.mc("E(A - n - sqrt(n) z_v)^2 = 3n", 3 * nd, chi_part.mean(), chi_part.se());
  table.mc("E|z_perp|^2 = d - 1", dd - 1, zperp2.mean(), zperp2.se());
  table.mc("E|h|^2 = d", dd, h2.mean(), h2.se());
  table.mc("E|n beta + sqrt(n)|beta| h|^2 = (n^2+nd)B", (nd * nd + nd * dd) * B, main2.mean(), main2.se());

  // The header's closed form against the lemma's expression written here (rounding only).
  table.close("remainder energy: header vs |b|^2[3n+(d-1)E(.)^2]", B * (3 * nd + (dd - 1) * dev2_theory), r2_theory,
              proofs::roundoff(8));

  // --- the bound E|r|^2 <= (3n + d)|beta|^2 ----------------------------------------------------------
  table.at_most("E(sqrt A - sqrt n)^2 <= 1", dev2_theory, 1.0);
  table.at_most("theory E|r|^2 <= (3n+d)|beta|^2", r2_theory, (3 * nd + dd) * B);
  table.at_most("MC E|r|^2 - 5 se <= (3n+d)|beta|^2", r2.mean() - proofs::mc_sigmas * r2.se(), (3 * nd + dd) * B);

  table.note("|beta|^2 = " + std::to_string(B) + "; remainder energy / main-term energy = " +
             std::to_string(r2_theory / ((nd * nd + nd * dd) * B)));
  return table.finish();
}
