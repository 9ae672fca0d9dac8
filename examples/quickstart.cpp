// The README's example: what does the theory predict for one TTT step, and what does Monte Carlo say?
#include <ttt/ttt.hpp>
#include <ttt/sim/one_step.hpp>
#include <cstdio>

int main() {
  const int d = 40, n = 40, m = 40;
  const auto exact = ttt::theory::one_step_risk_pretrained_exact<double>(d, n, m);   // Thm 4.2, exact form
  const double c = ttt::theory::pretrained_scale_isotropic<double>(d, n);            // W* = I/(n+d+1)
  ttt::sim::RunConfig cfg;
  cfg.trials = 100000;
  const auto run = ttt::sim::run_one_step(ttt::sim::isotropic_setting(d, n, m, 0.0, 1.0, c, /*seed=*/1),
                                          ttt::sim::Estimator::brute, cfg);
  const auto mc = run.curve().risk(exact.eta_star());                                // risk at eta*, 95% CI
  std::printf("eta* = %.4g  theory %.5f  MC %.5f [%.5f, %.5f]\n", exact.eta_star(), exact.loss_after(), mc.value,
              mc.ci_low, mc.ci_high);
}
