// fig2c_multi_step: multi-step TTT (Fig. 2c of Gozeten et al., ICML 2025): the loss after t = 1..T gradient
// steps with eta_t = eta* delta^(t-1), where step 1 uses the exact optimal eta*, for several decay factors
// delta; brute force with the test-time set regenerated from its counters at each step.
#include "../common/simulation.hpp"

#include <ttt/sim/one_step.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

using namespace ttt;
using namespace ttt::simulation;

namespace {

void run(Simulation& S) {
  const int d = 40, n = 40, m = 40, T = 10;
  const std::uint64_t trials = S.full() ? 40'000 : 4'000;
  const std::vector<double> deltas = {0.25, 0.5, 0.75, 1.0};
  sim::CsvTable t({"init", "delta", "step", "eta", "mc_mean", "mc_se", "mc_ci_low", "mc_ci_high", "loss_before", "loss_one_step_exact"});
  for (const std::string init : {"pretrained", "zero"}) {
    const bool warm = init == "pretrained";
    const auto ex = warm ? theory::one_step_risk_pretrained_exact<double>(d, n, m) : theory::one_step_risk_zero_exact<double>(d, n, m);
    const double scale = warm ? theory::pretrained_scale_isotropic<double>(d, n) : 0.0;
    const auto s = sim::isotropic_setting(d, n, m, 0, 1, scale, S.seed());
    double best = ex.loss_before, best_delta = 0;
    int best_step = 0;
    sim::Estimate first{};
    for (double delta : deltas) {
      std::vector<double> etas;
      for (int k = 0; k < T; ++k) etas.push_back(ex.eta_star() * std::pow(delta, k));
      const auto r = S.multi_step(s, etas, trials, init + " delta=" + std::to_string(delta).substr(0, 4));
      for (int k = 0; k < T; ++k) {
        std::array<double, sim::kMaxSteps> a{};
        a[std::size_t(k)] = 1;
        const auto e = sim::linear_estimate(r.total, a);
        t.row().add(init).add(delta).add(double(k + 1)).add(etas[std::size_t(k)]).add(e.value).add(e.se).add(e.ci_low).add(e.ci_high)
            .add(ex.loss_before).add(ex.loss_after());
        if (e.value < best) {
          best = e.value;
          best_delta = delta;
          best_step = k + 1;
        }
        if (k == 0) first = e;
      }
    }
    // Step 1 is the same for every delta (same samples, same eta*): check it against the exact form.
    S.add_claim(within_5se("step1_" + init, "loss after the first step (eta = exact eta*, " + init + " init, d = n = m = 40)",
                           ex.loss_after(), std::nan(""), first));
    Claim c;
    c.id = "single_step_share_" + init;
    c.statement = "a single step captures most of the multi-step gain (" + init + " init)";
    const double share = (ex.loss_before - first.value) / (ex.loss_before - best);
    c.sim = share;
    c.rule = "share of the best multi-step gain (over delta and t <= " + std::to_string(T) + ") reached by step 1 exceeds 1/2";
    c.pass = share > 0.5;
    c.note = "best: delta = " + std::to_string(best_delta).substr(0, 4) + ", t = " + std::to_string(best_step) + ", loss " +
             std::to_string(best) + " (one step " + std::to_string(first.value) + ", before " + std::to_string(ex.loss_before) + ")";
    S.add_claim(c);
  }
  S.results()["parameters"] = {{"d", d}, {"n", n}, {"m", m}, {"steps", T}, {"deltas", deltas}, {"trials", trials},
                               {"estimator", "brute (multi-step)"}, {"eta1", "exact eta*"}, {"sigma2", 0.0}, {"B", 1.0}};
  S.add_table("multi_step.csv", t);
}

}  // namespace

int main(int argc, char** argv) {
  Simulation S("fig2c_multi_step", "Loss against the number of TTT steps with geometrically decaying step sizes");
  return S.main(argc, argv, run);
}
