// Tests of ttt/theory/isotropic.hpp: Thm 4.2 (exact finite-size form and leading order), Thm 4.5 (zero init,
// exact with noise, and leading order), Cor 4.4 and Cor 4.6 (leading order and the exact crossing), against
// the 40-digit mpmath reference and against the printed tables of THEORY.md sections 4, 6 and 7.
#include <catch2/catch.hpp>

#include <theory/reference_csv.hpp>
#include <ttt/theory/isotropic.hpp>

#include <boost/math/tools/minima.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace ttt::theory;
using ttt::test::matches_reference;
using ttt::test::reference_points;
using ttt::test::reproduces;
using ttt::test::roundoff;

namespace {

// The solver tolerance of crossing_m_exact: TOMS 748 stops when the bracket is within 2^(1-(digits-3))
// relative (boost eps_tolerance), and the midpoint is returned.
double crossing_solver_tol(double m) { return m * std::ldexp(1.0, 1 - (std::numeric_limits<double>::digits - 3)); }

OneStepRisk<double> pretrained_exact(double d, double n, double m, double B = 1) {
  return one_step_risk_pretrained_exact<double>(d, n, m, B);
}

// Relative error of Thm 4.2 (eta*, Delta) against the exact form.
std::pair<double, double> thm42_rel_error(double d, double n, double m) {
  const auto ex = prediction(pretrained_exact(d, n, m));
  const auto ld = one_step_pretrained_leading<double>(d, n, m);
  return {ld.eta_star / ex.eta_star - 1, ld.gain / ex.gain - 1};
}

}  // namespace

TEST_CASE("exact finite-size form from W0 = cI matches the mpmath reference", "[theory][isotropic][reference]") {
  const auto pts = reference_points("exact_form");
  REQUIRE(pts.size() > 1000);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const OneStepRisk<double> risk = r.label == "pretrained"
                                         ? pretrained_exact(r.d, r.n, r.m, r.B)
                                         : one_step_risk_scaled_identity<double>(r.d, r.n, r.m, r.c, r.B);
    INFO(r.label << " d=" << r.d << " n=" << r.n << " m=" << r.m << " B=" << r.B << " c=" << r.c);
    CHECK(matches_reference(risk.loss_before, p.at("loss_before")));
    CHECK(matches_reference(risk.lin, p.at("lin")));
    CHECK(matches_reference(risk.quad, p.at("quad")));
    CHECK(matches_reference(risk.eta_star(), p.at("eta_star")));
    CHECK(matches_reference(risk.gain(), p.at("gain")));
    CHECK(matches_reference(risk.loss_after(), p.at("loss_after")));
  }
}

TEST_CASE("Thm 4.2 leading order matches the mpmath reference", "[theory][isotropic][reference]") {
  const auto pts = reference_points("thm42_leading");
  REQUIRE(pts.size() > 100);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const auto pr = one_step_pretrained_leading<double>(r.d, r.n, r.m, r.B);
    INFO("d=" << r.d << " n=" << r.n << " m=" << r.m << " B=" << r.B);
    CHECK(matches_reference(pr.eta_star, p.at("eta_star")));
    CHECK(matches_reference(pr.loss_before, p.at("loss_before")));
    CHECK(matches_reference(pr.gain, p.at("gain")));
  }
}

TEST_CASE("Thm 4.5 exact (with noise) and leading order match the mpmath reference", "[theory][isotropic][reference]") {
  const auto pts = reference_points("thm45_exact");
  REQUIRE(pts.size() > 1000);
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const auto risk = one_step_risk_zero_exact<double>(r.d, r.n, r.m, r.B, r.sigma2);
    INFO("d=" << r.d << " n=" << r.n << " m=" << r.m << " B=" << r.B << " s2=" << r.sigma2);
    CHECK(matches_reference(risk.loss_before, p.at("loss_before")));
    CHECK(matches_reference(risk.lin, p.at("lin")));
    CHECK(matches_reference(risk.quad, p.at("quad")));
    CHECK(matches_reference(risk.eta_star(), p.at("eta_star")));
    CHECK(matches_reference(risk.gain(), p.at("gain")));
  }
  const auto lpts = reference_points("thm45_leading");
  REQUIRE(lpts.size() > 100);
  for (const auto& p : lpts) {
    const auto& r = *p.first;
    const auto pr = one_step_zero_leading<double>(r.d, r.n, r.m, r.B);
    INFO("d=" << r.d << " n=" << r.n << " m=" << r.m << " B=" << r.B);
    CHECK(matches_reference(pr.eta_star, p.at("eta_star")));
    CHECK(matches_reference(pr.loss_before, p.at("loss_before")));
    CHECK(matches_reference(pr.gain, p.at("gain")));
  }
}

TEST_CASE("Cor 4.4 turning point and Cor 4.6 m* match the mpmath reference", "[theory][isotropic][reference]") {
  const auto pts = reference_points("cor44");
  REQUIRE(pts.size() == 9);
  for (const auto& p : pts) {
    const auto& row = p.at("alpha0");
    const auto a0 = turning_point_alpha<double>(row.m);
    INFO("gamma=" << row.m);
    REQUIRE(a0.has_value() == row.has_value);
    if (a0) CHECK(matches_reference(*a0, row));
  }
  for (const auto& p : reference_points("cor46")) {
    const auto& row = p.at("m_star_leading");
    INFO("d=" << row.d << " n=" << row.n);
    CHECK(matches_reference(crossing_m_leading<double>(row.d, row.n), row));
  }
}

TEST_CASE("exact crossing matches the mpmath root to solver tolerance", "[theory][isotropic][reference]") {
  const auto pts = reference_points("crossing");
  REQUIRE(pts.size() >= 20);
  int none = 0;
  for (const auto& p : pts) {
    const auto& row = p.at("m_star_exact");
    const auto root = crossing_m_exact<double>(row.d, row.n);
    INFO("d=" << row.d << " n=" << row.n);
    REQUIRE(root.has_value() == row.has_value);
    if (!root) {
      ++none;
      continue;
    }
    // The reference scans 4000 log-spaced points: exactly one sign change was found everywhere, so the
    // smallest root is the only one.
    CHECK(p.at("sign_changes").value == 1);
    CHECK(matches_reference(*root, row, crossing_solver_tol(row.value)));
  }
  CHECK(none >= 5);  // (1,1), (1,5), (2,3), (3,1), (5,5), (40,5): pre-trained init wins for every m
}

TEST_CASE("THEORY section 4 and 6 tables: exact crossings and Cor 4.6 m*", "[theory][isotropic][table]") {
  struct Row {
    double d, n;
    const char *m_star, *exact;
  };
  // Section 6 table and the Cor 4.6 table (alpha = 1, d = 40, 640, 2560).
  for (const Row& r : std::vector<Row>{{20, 20, "26.7", "46.2"},
                                       {20, 40, "45.0", "64.7"},
                                       {50, 50, "66.7", "82.7"},
                                       {100, 100, "133.3", "148.4"},
                                       {40, 40, "53.3", "69.8"},
                                       {640, 640, "853.3", "867.7"},
                                       {2560, 2560, "3413.3", "3427.6"}}) {
    INFO("d=" << r.d << " n=" << r.n);
    CHECK(reproduces(crossing_m_leading<double>(r.d, r.n), r.m_star));
    const auto x = crossing_m_exact<double>(r.d, r.n);
    REQUIRE(x.has_value());
    CHECK(reproduces(*x, r.exact));
  }
}

TEST_CASE("THEORY 7(d), 7(e): Thm 4.2, exact form and Thm 4.5 at the stated settings", "[theory][isotropic][table]") {
  // 7(d) Thm 4.2 at d = n = m = 40 and at d = 40, n = 80, m = 160.
  auto l = one_step_pretrained_leading<double>(40, 40, 40);
  CHECK(reproduces(l.eta_star, "7.81e-5"));
  CHECK(reproduces(l.gain, "0.0625"));
  l = one_step_pretrained_leading<double>(40, 80, 160);
  CHECK(reproduces(l.eta_star, "2.08e-5"));
  CHECK(reproduces(l.gain, "0.0296"));
  // 7(d) exact form Delta at d = n = m = 40.
  const auto e = prediction(pretrained_exact(40, 40, 40));
  CHECK(reproduces(e.gain, "0.0512"));
  // 7(e) Thm 4.5 (B = 1).
  auto z = prediction(one_step_risk_zero_exact<double>(40, 40, 40));
  CHECK(reproduces(z.gain, "0.4382"));
  CHECK(reproduces(z.eta_star, "1.369e-4"));
  CHECK(reproduces(prediction(one_step_risk_zero_exact<double>(40, 20, 160)).gain, "0.6088"));
  CHECK(reproduces(prediction(one_step_risk_zero_exact<double>(40, 80, 10, 1, 0.25)).gain, "0.1537"));
  CHECK(reproduces(prediction(one_step_risk_zero_exact<double>(40, 40, 640, 1, 0.5)).gain, "0.7713"));
}

TEST_CASE("THEORY 7(d), 7(e): exact forms agree with the brute-force Monte Carlo columns",
          "[theory][isotropic][table][mc]") {
  // The simulation column gives 95% half-widths h: compare within mc_sigmas standard errors (h / 1.96).
  const double z95 = 1.96;
  struct Mc {
    double exact, sim, half_width;
  };
  const double s = ttt::test::mc_sigmas / z95;
  for (const Mc& r : std::vector<Mc>{
           {prediction(pretrained_exact(40, 40, 40)).gain, 0.0511, 0.0005},
           {prediction(pretrained_exact(40, 40, 40)).eta_star, 6.71e-5, 0.05e-5},
           {prediction(pretrained_exact(40, 80, 160)).gain, 0.0260, 0.0002},
           {prediction(one_step_risk_zero_exact<double>(40, 40, 40)).gain, 0.4381, 0.0012},
           {prediction(one_step_risk_zero_exact<double>(40, 20, 160)).gain, 0.6096, 0.0013},
           {prediction(one_step_risk_zero_exact<double>(40, 80, 10, 1, 0.25)).gain, 0.1534, 0.0011},
           {prediction(one_step_risk_zero_exact<double>(40, 40, 640, 1, 0.5)).gain, 0.7710, 0.0010}}) {
    INFO("exact=" << r.exact << " sim=" << r.sim);
    CHECK(std::fabs(r.exact - r.sim) <= s * r.half_width);
  }
}

TEST_CASE("THEORY 7(f): Cor 4.6 m* against the exact crossing", "[theory][isotropic][table]") {
  const std::vector<double> n40{20, 40, 80, 160};
  const std::vector<const char*> m_star{"36.0", "53.3", "90.0", "166.7"};
  const std::vector<const char*> crossing{"59.7", "69.8", "107.4", "191.1"};
  const std::vector<const char*> rel40{"-0.40", "-0.24", "-0.16", "-0.13"};
  const std::vector<const char*> rel640{"-0.032", "-0.017", "-0.011", "-0.008"};
  for (std::size_t i = 0; i < n40.size(); ++i) {
    INFO("alpha=" << n40[i] / 40);
    const double ms = crossing_m_leading<double>(40, n40[i]);
    const auto x = crossing_m_exact<double>(40, n40[i]);
    REQUIRE(x.has_value());
    CHECK(reproduces(ms, m_star[i]));
    CHECK(reproduces(*x, crossing[i]));
    CHECK(reproduces(ms / *x - 1, rel40[i]));
    const double d = 640, n = n40[i] / 40 * d;
    const auto x640 = crossing_m_exact<double>(d, n);
    REQUIRE(x640.has_value());
    CHECK(reproduces(crossing_m_leading<double>(d, n) / *x640 - 1, rel640[i]));
  }
  // Sign check at d = n = 40. The printed losses (0.458 < 0.598 at m = 34, 0.426 > 0.314 at m = 139) are Monte
  // Carlo means: the exact values are 0.4592 / 0.5977 and 0.4261 / 0.3147, so only the ordering is a target.
  auto after = [](double m) {
    return std::pair{pretrained_exact(40, 40, m).loss_after(), one_step_risk_zero_exact<double>(40, 40, m).loss_after()};
  };
  const auto [p34, z34] = after(34);
  const auto [p139, z139] = after(139);
  CHECK(p34 < z34);
  CHECK(p139 > z139);
}

TEST_CASE("THEORY 7(g): Cor 4.4 alpha0 and the exact interior maximum at d = 10240", "[theory][isotropic][table]") {
  struct Row {
    double gamma;
    const char *alpha0, *exact;
  };
  const double d = 10240;
  const auto refs = reference_points("cor44_exact_max");
  for (const Row& r : std::vector<Row>{{1, "0.225", "0.215"}, {2, "0.414", "0.411"}, {4, "0.549", "0.547"}}) {
    INFO("gamma=" << r.gamma);
    const auto a0 = turning_point_alpha<double>(r.gamma);
    REQUIRE(a0.has_value());
    CHECK(reproduces(*a0, r.alpha0));
    // Maximise the exact loss after one step from W* over continuous n near the leading-order turning point.
    auto neg_loss = [&](double alpha) { return -pretrained_exact(d, alpha * d, r.gamma * d).loss_after(); };
    const auto [amax, fmax] = boost::math::tools::brent_find_minima(neg_loss, 0.5 * *a0, 1.5 * *a0, 40);
    (void)fmax;
    CHECK(reproduces(amax, r.exact));
    for (const auto& p : refs) {
      const auto& row = *p.first;
      if (row.field != "alpha_max" || row.label != std::to_string(int(r.gamma))) continue;
      // A maximum is located only to about sqrt(eps) (the loss is flat there): compare to the reference
      // to that precision, relative.
      CHECK(std::fabs(amax - row.value) <= std::sqrt(roundoff(1e4)) * row.value);
    }
  }
  // gamma <= 1/2: no turning point (Cor 4.4), and the exact curve has no local maximum either, for
  // d = 160 ... 10240 (scan of n from 1 to 100 d, as in the reference).
  CHECK_FALSE(turning_point_alpha<double>(0.5).has_value());
  CHECK_FALSE(turning_point_alpha<double>(0.25).has_value());
  for (double g : {0.25, 0.5}) {
    for (double dd : {160.0, 640.0, 2560.0, 10240.0}) {
      int maxima = 0;
      double prev2 = 0, prev = 0;
      int k = 0;
      for (int i = 0; i <= 1000; ++i) {
        const double n = dd * std::pow(10.0, i / 200.0 - 3);
        if (n < 1) continue;
        const double L = pretrained_exact(dd, n, g * dd).loss_after();
        if (k >= 2 && prev > prev2 && prev >= L) ++maxima;
        prev2 = prev;
        prev = L;
        ++k;
      }
      INFO("gamma=" << g << " d=" << dd);
      CHECK(maxima == 0);
    }
  }
}

TEST_CASE("THEORY 7 convergence table: relative error of Thm 4.2 against the exact form", "[theory][isotropic][table]") {
  struct Row {
    double alpha, gamma;
    std::vector<const char*> cells;  // "eta/Delta" for d = 20 ... 1280
  };
  const std::vector<double> ds{20, 40, 80, 160, 320, 640, 1280};
  const std::vector<Row> table{
      {0.5, 1, {"+.73/+.94", "+.34/+.42", "+.16/+.20", "+.08/+.10", "+.04/+.05", "+.02/+.02", "+.010/+.012"}},
      {1, 1, {"+.35/+.49", "+.16/+.22", "+.08/+.11", "+.04/+.05", "+.02/+.03", "+.01/+.01", "+.005/+.006"}},
      {1, 4, {"+.33/+.47", "+.15/+.21", "+.07/+.10", "+.04/+.05", "+.02/+.02", "+.01/+.01", "+.004/+.006"}},
      // Two cells do not reproduce. THEORY.md prints the eta cell of (2, 0.5) at d = 160 as "+.03" and the Delta
      // cell of (2, 16) at d = 80 as "+.07"; the exact form gives +0.024915 and +0.064825 (the mpmath moment sum
      // and, independently, quadrature of E[FG] over the chi^2_n density agree to 30 digits), which round to
      // "+.02" and "+.06". Both sit just below a rounding boundary. They are tested at their recomputed values
      // here and the misprints are asserted below; every other cell reproduces.
      {2, 0.5, {"+.23/+.33", "+.11/+.15", "+.05/+.07", "+.02/+.04", "+.01/+.02", "+.01/+.01", "+.003/+.004"}},
      {2, 16, {"+.19/+.30", "+.09/+.14", "+.04/+.06", "+.02/+.03", "+.01/+.02", "+.01/+.01", "+.003/+.004"}}};
  for (const Row& row : table) {
    for (std::size_t j = 0; j < ds.size(); ++j) {
      const std::string cell = row.cells[j];
      const auto slash = cell.find('/');
      const double d = ds[j];
      const auto [re, rd] = thm42_rel_error(d, row.alpha * d, row.gamma * d);
      INFO("alpha=" << row.alpha << " gamma=" << row.gamma << " d=" << d << " eta " << re << " Delta " << rd);
      CHECK(reproduces(re, cell.substr(0, slash)));
      CHECK(reproduces(rd, cell.substr(slash + 1)));
      CHECK(re > 0);  // the paper form overestimates both (Remark 4.3)
      CHECK(rd > 0);
    }
  }
  // The two misprinted cells.
  CHECK_FALSE(reproduces(thm42_rel_error(160, 320, 80).first, "+.03"));
  CHECK_FALSE(reproduces(thm42_rel_error(80, 160, 1280).second, "+.07"));
  // Remark 4.3: 0.221 / 0.105 / 0.051 / 0.0063 at alpha = gamma = 1 (Delta), 0.94 at d = 20, alpha = 1/2.
  CHECK(reproduces(thm42_rel_error(40, 40, 40).second, "0.221"));
  CHECK(reproduces(thm42_rel_error(80, 80, 80).second, "0.105"));
  CHECK(reproduces(thm42_rel_error(160, 160, 160).second, "0.051"));
  CHECK(reproduces(thm42_rel_error(1280, 1280, 1280).second, "0.0063"));
  CHECK(reproduces(thm42_rel_error(20, 10, 20).second, "0.94"));
  // Full d = 40 grid: relative error of Delta within the printed ranges, for every m.
  struct Range {
    double n;
    const char *lo, *hi;
  };
  for (const Range& r : std::vector<Range>{{20, "0.40", "0.43"}, {40, "0.21", "0.23"}, {80, "0.13", "0.16"},
                                           {160, "0.10", "0.13"}}) {
    const auto lo = ttt::test::printed(r.lo), hi = ttt::test::printed(r.hi);
    for (double m : {10.0, 40.0, 160.0, 640.0}) {
      const double rd = thm42_rel_error(40, r.n, m).second;
      INFO("n=" << r.n << " m=" << m << " rel " << rd);
      CHECK(rd >= lo.value - lo.half_ulp);
      CHECK(rd <= hi.value + hi.half_ulp);
    }
  }
}

TEST_CASE("structural identities of the isotropic forms", "[theory][isotropic][identity]") {
  for (double d : {1.0, 2.0, 7.0, 40.0, 1000.0}) {
    for (double n : {1.0, 3.0, 40.0, 500.0}) {
      for (double B : {1.0, 0.375, 2.5}) {
        INFO("d=" << d << " n=" << n << " B=" << B);
        // Lin at c = 1/(n+d+1) is -2 n^2 d (d-1) B^2 / (n+d+1)^2; the absolute error of the double evaluation
        // of the bracket is a few eps (each factor 1 - k c carries O(eps) absolute error).
        const auto r = pretrained_exact(d, n, 40, B);
        const double D = n + d + 1;
        const double lin = -2 * n * n * d * (d - 1) * B * B / (D * D);
        CHECK(std::fabs(r.lin - lin) <= roundoff(16) * 2 * n * n * B * B);
        // Prop 4.1: loss before = B (d+1)/(n+d+1).
        CHECK(std::fabs(r.loss_before - B * (d + 1) / D) <= roundoff(16) * B);
        // The quadratic: risk(eta*) = loss_after and risk is minimal there.
        CHECK(std::fabs(r.risk(r.eta_star()) - r.loss_after()) <= roundoff(16) * r.loss_before);
        // Thm 4.5 noiseless closed forms.
        for (double m : {1.0, 40.0, 1e5}) {
          const auto z = one_step_risk_zero_exact<double>(d, n, m, B);
          const double q = n * n + 4 * n + d + 3;
          CHECK(std::fabs(z.eta_star() / (m / (2 * (m + d + 1) * q * B)) - 1) <= roundoff(16));
          CHECK(std::fabs(z.gain() / (m * n * n * B / ((m + d + 1) * q)) - 1) <= roundoff(16));
          // eta* = m B^2 / (2PQ), Delta = m n^2 B^4 / (PQ) with noise too.
          for (double s2 : {0.0, 0.25, 3.75}) {
            const double P = (m + d + 1) * B + d * s2;
            const double Q = (n + 1) * (n + 2) * B * B + (n + 1) * s2 * B + (B + s2) * ((n + d + 1) * B + d * s2);
            const auto zs = one_step_risk_zero_exact<double>(d, n, m, B, s2);
            CHECK(std::fabs(zs.eta_star() / (m * B * B / (2 * P * Q)) - 1) <= roundoff(32));
            CHECK(std::fabs(zs.gain() / (m * n * n * B * B * B * B / (P * Q)) - 1) <= roundoff(32));
            CHECK(zs.loss_before == B + s2);
          }
        }
        // m/d -> infinity: L_new -> B (4n+d+3) / (n^2+4n+d+3). At finite m the remainder is exactly
        // n^2 B (d+1) / ((m+d+1) q) (Delta = m n^2 B / ((m+d+1) q)).
        const double q = n * n + 4 * n + d + 3;
        for (double m : {1.0, 1e3 * d, 1e9 * d}) {
          const auto zm = one_step_risk_zero_exact<double>(d, n, m, B);
          const double limit = B * (4 * n + d + 3) / q;
          CHECK(std::fabs(zm.loss_after() - (limit + n * n * B * (d + 1) / ((m + d + 1) * q))) <= roundoff(32) * B);
        }
      }
    }
  }
  // The exact forms approach their leading orders as d grows at fixed alpha = gamma = 1: Thm 4.2's relative
  // error of Delta is C/d with C ~ 8 (Remark 4.3), and Thm 4.5's leading gain B gamma/(1+gamma) has relative
  // error exactly (2d+1)(d^2+5d+3)/(2d^3) - 1 = O(5.5/d).
  for (double d : {640.0, 2560.0, 10240.0}) {
    INFO("d=" << d);
    CHECK(reproduces(thm42_rel_error(d, d, d).second * d, "8"));
    const auto z = prediction(one_step_risk_zero_exact<double>(d, d, d));
    const auto zl = one_step_zero_leading<double>(d, d, d);
    CHECK(std::fabs(zl.gain / z.gain - (2 * d + 1) * (d * d + 5 * d + 3) / (2 * d * d * d)) <= roundoff(32));
  }
}
