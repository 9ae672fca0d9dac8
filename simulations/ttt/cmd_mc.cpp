// `ttt mc`: Monte Carlo estimate of the risk after one TTT step, E[L(W_TT)], in the isotropic setting.
#include "commands.hpp"
#include "../common/cli.hpp"
#include "../common/progress.hpp"

#include <ttt/sim/cuda_backend.hpp>
#include <ttt/sim/one_step.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

#include <memory>
#include <omp.h>

namespace ttt::cmd {
namespace {

struct McOptions {
  long d = 0, n = 0, m = 0;
  double sigma2 = 0, beta_norm2 = 1, eta = std::numeric_limits<double>::quiet_NaN();
  bool eta_star = false;
  std::string init, backend = "omp", estimator = "auto";
  long long trials = 0;
  unsigned long long seed = 0;
  int threads = 0;
  unsigned block_size = 256;
  int eval_prompts = 1;
  bool json = false, progress = false;
};

int run_mc(const McOptions& o, bool eta_given, bool threads_given) {
  cli::require_size(o.d, "--d");
  cli::require_size(o.n, "--n");
  cli::require_size(o.m, "--m");
  cli::require_nonnegative(o.sigma2, "--sigma2");
  cli::require_positive(o.beta_norm2, "--beta-norm2");
  cli::require_at_least(o.trials, 1LL, "--trials");
  cli::require(o.block_size >= 1, "--block-size must be >= 1");
  cli::require_at_least(o.eval_prompts, 1, "--eval-prompts");
  if (threads_given) cli::require_at_least(o.threads, 1, "--threads");
  cli::require(eta_given != o.eta_star, "give exactly one of --eta E and --eta-star");
  if (eta_given) cli::require_finite(o.eta, "--eta");
  const double d = double(o.d), n = double(o.n), m = double(o.m), s2 = o.sigma2, B = o.beta_norm2;
  // Memory: per-block statistics for every block, plus scratch of 5 d values for 16 blocks per thread.
  const double blocks = std::ceil(double(o.trials) / o.block_size);
  const double threads = o.threads > 0 ? o.threads : double(omp_get_max_threads());
  cli::require_memory(blocks * sizeof(sim::BlockStats<4>) + 5.0 * d * 8.0 * 16.0 * threads, "this run");

  double eta = o.eta;
  if (o.eta_star) {
    if (o.init == "pretrained") {
      cli::require(s2 == 0, "--eta-star: no exact optimal step for pretrained init with label noise; give --eta");
      eta = theory::one_step_risk_pretrained_exact(d, n, m, B).eta_star();
    } else {
      eta = theory::one_step_risk_zero_exact(d, n, m, B, s2).eta_star();
    }
  }
  const double c = o.init == "pretrained" ? theory::pretrained_scale_isotropic(d, n, s2) : 0.0;
  sim::TttSetting s = sim::isotropic_setting(int(o.d), int(o.n), int(o.m), s2, B, c, o.seed);
  s.eval_prompts = o.eval_prompts;
  const sim::Estimator est = o.estimator == "auto" ? sim::best_estimator(s) : sim::parse_estimator(o.estimator);

  sim::RunConfig cfg;
  cfg.trials = static_cast<std::uint64_t>(o.trials);
  cfg.block_size = o.block_size;
  cfg.threads = o.threads;
  cfg.backend = o.backend == "cpp" ? Backend::cpp : o.backend == "cuda" ? Backend::cuda : Backend::omp;
  cfg.progress = cli::progress_printer("ttt mc", cli::progress_wanted(o.progress) && o.progress);
  sim::OneStepRun run;
  if (cfg.backend == Backend::cuda) {
#if defined(TTT_HAVE_CUDA)
    cli::require(sim::cuda_devices() > 0, "--backend cuda: no CUDA device is available");
    run = sim::run_one_step_cuda(s, est, cfg);
#else
    throw cli::UsageError("--backend cuda: this build has no CUDA backend (nvcc was not found at configure time)");
#endif
  } else {
    run = sim::run_one_step(s, est, cfg);
  }
  const sim::Estimate e = run.curve().risk(eta);
  if (o.json) {
    nlohmann::json j;
    j["mean"] = cli::number(e.value);
    j["stderr"] = cli::number(e.se);
    j["ci_low"] = cli::number(e.ci_low);
    j["ci_high"] = cli::number(e.ci_high);
    j["trials"] = e.trials;
    j["estimator"] = sim::estimator_name(est);
    j["eta"] = cli::number(eta);
    std::printf("%s\n", j.dump().c_str());
  } else {
    cli::print_field("mean", e.value);
    cli::print_field("stderr", e.se);
    cli::print_field("ci_low", e.ci_low);
    cli::print_field("ci_high", e.ci_high);
    std::printf("trials: %llu\n", static_cast<unsigned long long>(e.trials));
    std::printf("estimator: %s\n", sim::estimator_name(est));
    cli::print_field("eta", eta);
  }
  return 0;
}

}  // namespace

void register_mc(CLI::App& app, Action& action) {
  auto o = std::make_shared<McOptions>();
  CLI::App* sub = app.add_subcommand("mc", "Monte Carlo estimate of E[L(W_TT)] after one TTT step (Sx = I, fixed beta)");
  sub->add_option("--d", o->d, "feature dimension d")->required();
  sub->add_option("--n", o->n, "context length n")->required();
  sub->add_option("--m", o->m, "test-time set size m")->required();
  sub->add_option("--sigma2", o->sigma2, "label-noise variance sigma^2")->capture_default_str();
  sub->add_option("--beta-norm2", o->beta_norm2, "squared norm B of the test task")->capture_default_str();
  sub->add_option("--init", o->init, "pretrained (W* = I/(n+d+1+sigma2)) or zero")
      ->required()->check(CLI::IsMember({"pretrained", "zero"}));
  CLI::Option* eta = sub->add_option("--eta", o->eta, "step size eta");
  sub->add_flag("--eta-star", o->eta_star, "use the exact optimal step of `ttt theory`");
  sub->add_option("--trials", o->trials, "number of Monte Carlo trials")->required();
  sub->add_option("--seed", o->seed, "random seed")->capture_default_str()->check(cli::non_negative_integer());
  sub->add_option("--backend", o->backend, "omp, cpp or cuda")->capture_default_str()
      ->check(CLI::IsMember({"omp", "cpp", "cuda"}));
  CLI::Option* threads = sub->add_option("--threads", o->threads, "OpenMP threads (default: all cores)");
  sub->add_option("--estimator", o->estimator,
                  "auto (best that applies), brute (every sample, exact loss), fresh (every sample, loss on fresh "
                  "prompts), conditional (test-time set integrated), reduced (sufficient statistics)")
      ->capture_default_str()->check(CLI::IsMember({"auto", "brute", "fresh", "conditional", "reduced"}));
  sub->add_option("--block-size", o->block_size, "trials per block (fixes the summation order)")->capture_default_str();
  sub->add_option("--eval-prompts", o->eval_prompts, "fresh estimator: evaluation prompts per trial")->capture_default_str();
  sub->add_flag("--json", o->json, "print one JSON object");
  sub->add_flag("--progress", o->progress, "show progress on stderr");
  sub->footer("Example: ttt mc --d 40 --n 40 --m 40 --init pretrained --eta-star --trials 100000 --seed 1 --json");
  sub->callback([o, eta, threads, &action] {
    const bool eta_given = eta->count() > 0, threads_given = threads->count() > 0;
    action = [o, eta_given, threads_given] { return run_mc(*o, eta_given, threads_given); };
  });
}

}  // namespace ttt::cmd
