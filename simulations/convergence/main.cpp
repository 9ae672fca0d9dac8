// convergence: the relative error of Thm 4.2's leading-order eta* and Delta against the exact finite-size
// form as d grows at fixed alpha = n/d and gamma = m/d (Remark 4.3: an error of order 1/d), the table of
// THEORY.md section 7 reproduced, and Monte Carlo (reduced estimator) confirming the exact gain at each d.
#include "../common/simulation.hpp"

#include <ttt/sim/one_step.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

using namespace ttt;
using namespace ttt::simulation;

namespace {

// THEORY.md section 7, "Convergence of the Theorem 4.2 formula": relative errors (eta*, Delta) at
// d = 20, 40, ..., 1280, printed to 2 decimals (3 at d = 1280).
struct Row {
  double alpha, gamma;
  double eta[7], delta[7];
};
const Row kTable[] = {
    {0.5, 1, {.73, .34, .16, .08, .04, .02, .010}, {.94, .42, .20, .10, .05, .02, .012}},
    {1, 1, {.35, .16, .08, .04, .02, .01, .005}, {.49, .22, .11, .05, .03, .01, .006}},
    {1, 4, {.33, .15, .07, .04, .02, .01, .004}, {.47, .21, .10, .05, .02, .01, .006}},
    {2, 0.5, {.23, .11, .05, .03, .01, .01, .003}, {.33, .15, .07, .04, .02, .01, .004}},
    {2, 16, {.19, .09, .04, .02, .01, .01, .003}, {.30, .14, .07, .03, .02, .01, .004}},
};

// Entries of that table that are off by one unit in their last printed digit (found by this program and
// by tests/theory): the exact relative errors are 0.02491 (printed .03) and 0.06482 (printed .07).
struct Erratum {
  double alpha, gamma, d;
  bool is_eta;
  double printed, correct;
};
const Erratum kErrata[] = {{2, 0.5, 160, true, .03, .02}, {2, 16, 80, false, .07, .06}};

const Erratum* erratum(double alpha, double gamma, double d, bool is_eta) {
  for (const auto& e : kErrata)
    if (e.alpha == alpha && e.gamma == gamma && e.d == d && e.is_eta == is_eta) return &e;
  return nullptr;
}

void run(Simulation& S) {
  std::vector<double> dims = {20, 40, 80, 160, 320, 640, 1280};
  if (S.full()) dims.insert(dims.end(), {2560, 5120, 10240});
  const std::uint64_t trials = S.full() ? 400'000 : 40'000;
  sim::CsvTable t({"alpha", "gamma", "d", "n", "m", "eta_exact", "eta_leading", "eta_rel_error", "delta_exact",
                   "delta_leading", "delta_rel_error", "mc_gain", "mc_gain_se", "mc_gain_ci_low", "mc_gain_ci_high", "z"});
  for (std::size_t ri = 0; ri < std::size(kTable); ++ri) {
    const Row& row = kTable[ri];
    double max_mismatch = 0, max_z = 0;
    std::vector<double> logd, loge;
    std::string worst, worst_note;
    for (std::size_t k = 0; k < dims.size(); ++k) {
      const double d = dims[k], n = row.alpha * d, m = row.gamma * d;
      const auto ex = theory::one_step_risk_pretrained_exact(d, n, m);
      const auto ld = theory::one_step_pretrained_leading(d, n, m);
      const double re = ld.eta_star / ex.eta_star() - 1, rd = ld.gain / ex.gain() - 1;
      const double c = theory::pretrained_scale_isotropic(d, n);
      const auto run = S.one_step(sim::isotropic_setting(int(d), int(n), int(m), 0, 1, c, S.seed() + 100 * ri + k), sim::Estimator::reduced, trials, "alpha=" + std::to_string(row.alpha) + " d=" + std::to_string(int(d)));
      // The gain at the exact eta*: L(W*) - risk(eta*), a linear combination with a plain t interval.
      const auto r = run.curve().risk(ex.eta_star());
      const sim::Estimate gain{ex.loss_before - r.value, r.se, ex.loss_before - r.ci_high, ex.loss_before - r.ci_low, r.trials};
      const double z = gain.z_score(ex.gain());
      max_z = std::max(max_z, z);
      t.row().add(row.alpha).add(row.gamma).add(d).add(n).add(m).add(ex.eta_star()).add(ld.eta_star).add(re).add(ex.gain())
          .add(ld.gain).add(rd).add(gain.value).add(gain.se).add(gain.ci_low).add(gain.ci_high).add(z);
      if (k < 7) {
        // Half a unit in the last printed digit (3 decimals at d = 1280, else 2).
        const double tol = 0.5 * std::pow(10.0, -(k == 6 ? 3 : 2)) + 1e-12;
        for (bool is_eta : {true, false}) {
          const double value = is_eta ? re : rd;
          double printed = is_eta ? row.eta[k] : row.delta[k];
          if (const Erratum* e = erratum(row.alpha, row.gamma, d, is_eta)) {
            // A documented erratum: the corrected digit must match (checked below like every entry).
            printed = e->correct;
            worst_note += std::string(" erratum at d=") + std::to_string(int(d)) + (is_eta ? " (eta*)" : " (Delta)") +
                          ": THEORY.md prints " + std::to_string(e->printed).substr(0, 4) + ", exact value " +
                          std::to_string(value).substr(0, 6) + ";";
          }
          const double mis = std::fabs(value - printed) - tol;
          if (mis > max_mismatch) {
            max_mismatch = mis;
            worst = "d=" + std::to_string(int(d));
          }
        }
      }
      logd.push_back(std::log(d));
      loge.push_back(std::log(rd));
    }
    // Least-squares slope of log(rel. error of Delta) against log d over the largest four d.
    const std::size_t k0 = logd.size() - 4;
    double mx = 0, my = 0;
    for (std::size_t i = k0; i < logd.size(); ++i) {
      mx += logd[i] / 4;
      my += loge[i] / 4;
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = k0; i < logd.size(); ++i) {
      sxy += (logd[i] - mx) * (loge[i] - my);
      sxx += (logd[i] - mx) * (logd[i] - mx);
    }
    const std::string tag = "a" + std::to_string(row.alpha).substr(0, 3) + "_g" + std::to_string(row.gamma).substr(0, 4);
    Claim table;
    table.id = "theory_table_" + tag;
    table.statement = "THEORY.md section 7 convergence row alpha = " + std::to_string(row.alpha).substr(0, 3) + ", gamma = " +
                      std::to_string(row.gamma).substr(0, 4) + " (rel. error of eta* and Delta, d = 20..1280)";
    table.sim = max_mismatch;
    table.rule = "every printed value reproduced to half a unit of its last digit (value: largest excess, <= 0 passes)";
    table.pass = max_mismatch <= 0;
    table.note = worst_note;
    if (!table.pass) table.note += " largest mismatch at " + worst;
    S.add_claim(table);
    Claim slope;
    slope.id = "rate_" + tag;
    slope.statement = "the leading-order error of Delta decays like 1/d (Remark 4.3), alpha = " + std::to_string(row.alpha).substr(0, 3) +
                      ", gamma = " + std::to_string(row.gamma).substr(0, 4);
    slope.exact = -1;
    slope.sim = sxy / sxx;
    slope.rule = "fitted log-log slope over the four largest d within 0.1 of -1";
    slope.pass = std::fabs(slope.sim + 1) < 0.1;
    S.add_claim(slope);
    Claim mc;
    mc.id = "mc_gain_" + tag;
    mc.statement = "Monte Carlo gain at the exact eta* against the exact Delta, every d";
    mc.sim = max_z;
    mc.rule = "every point within 5 se (the value is the largest |z|)";
    mc.pass = max_z <= 5;
    S.add_claim(mc);
  }
  S.results()["parameters"] = {{"dims", dims}, {"trials", trials}, {"estimator", "reduced"}, {"sigma2", 0.0}, {"B", 1.0}};
  S.add_table("convergence.csv", t);
}

}  // namespace

int main(int argc, char** argv) {
  Simulation S("convergence", "Relative error of the leading-order forms against d at fixed alpha and gamma");
  return S.main(argc, argv, run);
}
