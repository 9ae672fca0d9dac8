// `ttt theory`: what the theory predicts for one-step TTT with Sx = Sb = I.
#include "commands.hpp"
#include "../common/cli.hpp"

#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

#include <memory>

namespace ttt::cmd {
namespace {

struct TheoryOptions {
  long d = 0, n = 0, m = 0;
  double sigma2 = 0, beta_norm2 = 1;
  std::string init, form = "exact";
  bool json = false;
};

int run_theory(const TheoryOptions& o) {
  cli::require_size(o.d, "--d");
  cli::require_size(o.n, "--n");
  cli::require_size(o.m, "--m");
  cli::require_nonnegative(o.sigma2, "--sigma2");
  cli::require_positive(o.beta_norm2, "--beta-norm2");
  const double d = double(o.d), n = double(o.n), m = double(o.m), s2 = o.sigma2, B = o.beta_norm2;
  theory::OneStepPrediction<double> p;
  if (o.form == "exact") {
    if (o.init == "pretrained") {
      cli::require(s2 == 0, "no exact one-step form for pretrained init with label noise (--sigma2 > 0); "
                            "use --init zero, or `ttt mc` to simulate it");
      p = theory::prediction(theory::one_step_risk_pretrained_exact(d, n, m, B));
    } else {
      p = theory::prediction(theory::one_step_risk_zero_exact(d, n, m, B, s2));
    }
  } else {
    cli::require(s2 == 0, "no leading-order form exists with label noise (Thm 4.2 and 4.5 are noiseless): "
                          "--sigma2 must be 0 with --form leading");
    p = o.init == "pretrained" ? theory::one_step_pretrained_leading(d, n, m, B)
                               : theory::one_step_zero_leading(d, n, m, B);
  }
  if (o.json) {
    nlohmann::json j;
    j["eta_star"] = cli::number(p.eta_star);
    j["loss_before"] = cli::number(p.loss_before);
    j["loss_after"] = cli::number(p.loss_after());
    j["gain"] = cli::number(p.gain);
    std::printf("%s\n", j.dump().c_str());
  } else {
    cli::print_field("eta_star", p.eta_star);
    cli::print_field("loss_before", p.loss_before);
    cli::print_field("loss_after", p.loss_after());
    cli::print_field("gain", p.gain);
  }
  return 0;
}

}  // namespace

void register_theory(CLI::App& app, Action& action) {
  auto o = std::make_shared<TheoryOptions>();
  CLI::App* sub = app.add_subcommand("theory", "Optimal step, loss before/after and gain of one TTT step (Sx = Sb = I)");
  sub->add_option("--d", o->d, "feature dimension d")->required();
  sub->add_option("--n", o->n, "context length n")->required();
  sub->add_option("--m", o->m, "test-time set size m")->required();
  sub->add_option("--sigma2", o->sigma2, "label-noise variance sigma^2")->capture_default_str();
  sub->add_option("--beta-norm2", o->beta_norm2, "squared norm B of the test task")->capture_default_str();
  sub->add_option("--init", o->init, "initialisation: pretrained (W* = I/(n+d+1+sigma2)) or zero")
      ->required()->check(CLI::IsMember({"pretrained", "zero"}));
  sub->add_option("--form", o->form, "exact (finite size) or leading (Thm 4.2 / 4.5 leading order)")
      ->capture_default_str()->check(CLI::IsMember({"exact", "leading"}));
  sub->add_flag("--json", o->json, "print one JSON object");
  sub->footer("Example: ttt theory --d 40 --n 40 --m 40 --init pretrained --json");
  sub->callback([o, &action] { action = [o] { return run_theory(*o); }; });
}

}  // namespace ttt::cmd
