// `ttt pretrain`: trains a softmax transformer for in-context linear regression (beta ~ N(0, I_d), n context
// pairs and one query, read-out at the query) with AdamW, warm-up + cosine schedule and gradient clipping.
// Writes in --out: checkpoint.bin (parameters + AdamW state, atomically), model.bin (parameters),
// loss.csv (step,loss,lr), manifest.json (provenance). --resume continues from checkpoint.bin.
#include "commands.hpp"
#include "../common/cli.hpp"

#include <ttt/models/adamw.hpp>
#include <ttt/models/parallel_gradient.hpp>
#include <ttt/models/parameter_io.hpp>
#include <ttt/models/regression_prompt.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ttt::cmd {
namespace {

namespace fs = std::filesystem;
using models::Index;

struct PretrainOptions {
  std::string task = "linreg", dtype = "float64", out;
  long d = 0, n = 0, layers = 4, heads = 4, width = 64, batch = 64, steps = 0, threads = 0, warmup = -1;
  long eval_prompts = 4096, checkpoint_every = 250, stop_after = -1;
  double lr = 1e-3, sigma2 = 0, weight_decay = 0.01, clip = 1.0;
  unsigned long long seed = 0;
  bool json = false, resume = false;
};

/// What must agree between a checkpoint and a resumed run (the schedule's step count may change).
std::string architecture_key(const PretrainOptions& o) {
  std::ostringstream s;
  s << "task=" << o.task << " dtype=" << o.dtype << " d=" << o.d << " n=" << o.n << " layers=" << o.layers
    << " heads=" << o.heads << " width=" << o.width << " batch=" << o.batch << " seed=" << o.seed
    << " sigma2=" << o.sigma2;
  return s.str();
}

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

template <class Real>
int run_pretrain_typed(const PretrainOptions& o) {
  using Model = models::Transformer<Real, models::SoftmaxKernel>;
  const int threads = static_cast<int>(o.threads);
  models::TransformerConfig cfg;
  cfg.input_dim = o.d + 1;
  cfg.width = o.width;
  cfg.layers = o.layers;
  cfg.heads = o.heads;
  cfg.max_tokens = o.n + 1;
  Model model(cfg);
  model.initialize(o.seed);
  models::AdamWOptions ao;
  ao.weight_decay = o.weight_decay;
  models::AdamW<Real> adam(model.layout(), ao);
  const fs::path dir(o.out), ckpt = dir / "checkpoint.bin";
  const std::string key = architecture_key(o);

  // Loss curve so far: rows "step,loss,lr".
  std::vector<std::string> curve;
  long start = 0;
  if (o.resume) {
    cli::require(fs::exists(ckpt), "--resume: no checkpoint " + ckpt.string());
    models::TensorFile<Real> file;
    try {
      file = models::load_tensor_file<Real>(ckpt.string());
      models::extract_parameters(file, model.layout(), model.parameters(), ckpt.string());
    } catch (const std::runtime_error& e) {
      throw cli::UsageError(std::string("--resume: ") + e.what());
    }
    std::istringstream meta(file.metadata);
    std::string line, saved_key;
    while (std::getline(meta, line)) {
      if (line.rfind("step=", 0) == 0) start = std::stol(line.substr(5));
      if (line.rfind("run=", 0) == 0) saved_key = line.substr(4);
    }
    cli::require(saved_key == key, "--resume: the checkpoint was made with " + saved_key + ", this run has " + key);
    const auto* m = file.find("optimizer.m");
    const auto* v = file.find("optimizer.v");
    cli::require(m && v && static_cast<Index>(m->data.size()) == model.parameter_count(),
                 "--resume: checkpoint without optimiser state");
    std::copy(m->data.begin(), m->data.end(), adam.first_moment().data());
    std::copy(v->data.begin(), v->data.end(), adam.second_moment().data());
    adam.set_steps(start);
    std::ifstream csv(dir / "loss.csv");
    std::string row;
    std::getline(csv, row);  // header
    while (std::getline(csv, row))
      if (!row.empty() && std::stol(row.substr(0, row.find(','))) < start) curve.push_back(row);
  }

  const auto save_checkpoint = [&](long step) {
    models::TensorFile<Real> file;
    file.metadata = "step=" + std::to_string(step) + "\nrun=" + key + "\n";
    models::append_parameters(file, model.layout(), model.parameters());
    const auto& m = adam.first_moment();
    const auto& v = adam.second_moment();
    file.tensors.push_back({"optimizer.m", m.size(), 1, std::vector<Real>(m.data(), m.data() + m.size())});
    file.tensors.push_back({"optimizer.v", v.size(), 1, std::vector<Real>(v.data(), v.data() + v.size())});
    models::save_tensor_file(ckpt.string(), file);
    std::string text = "step,loss,lr\n";
    for (const auto& r : curve) text += r + "\n";
    write_atomically(dir / "loss.csv", text);
  };

  const models::RegressionPromptSampler<Real> sampler(o.d, o.n, o.sigma2);
  const Index B = o.batch, T = sampler.tokens();
  const models::AttentionMask mask = models::AttentionMask::prompt(o.n, 1);
  models::ForwardOptions<Real> fopt;
  fopt.mask = &mask;
  models::ParallelGradient<Real, models::SoftmaxKernel> pg(model, 8);
  models::RegressionBatch<Real> batch;
  models::ColVector<Real> grad;
  const long warmup = o.warmup >= 0 ? o.warmup : std::max(1L, o.steps / 20);
  std::vector<double> step_ms;
  using clock = std::chrono::steady_clock;
  auto last_report = clock::now();
  const long stop = o.stop_after >= 0 ? std::min(o.stop_after, o.steps) : o.steps;
  for (long t = start; t < stop; ++t) {
    const auto t0 = clock::now();
    sampler.draw_batch(o.seed, static_cast<std::uint64_t>(t) * static_cast<std::uint64_t>(B), B, batch);
    const Real loss = pg.loss_and_gradient(batch.tokens, batch.targets, B, T, fopt, grad, threads);
    models::clip_global_norm(grad, o.clip);
    const double lr = models::cosine_warmup_lr(o.lr, t, warmup, o.steps);
    adam.step(model.parameters(), grad, lr);
    step_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    char row[96];
    std::snprintf(row, sizeof row, "%ld,%.9g,%.6g", t, static_cast<double>(loss), lr);
    curve.emplace_back(row);
    if (!std::isfinite(static_cast<double>(loss))) throw std::runtime_error("training diverged (loss is not finite) at step " + std::to_string(t));
    if ((t + 1) % o.checkpoint_every == 0 && t + 1 < o.steps) save_checkpoint(t + 1);
    if (std::chrono::duration<double>(clock::now() - last_report).count() > 2.0 || t + 1 == stop) {
      std::fprintf(stderr, "pretrain: step %ld/%ld  loss %.4g  lr %.3g  %.1f ms/step\n", t + 1, o.steps,
                   static_cast<double>(loss), lr, step_ms.back());
      last_report = clock::now();
    }
  }
  save_checkpoint(std::max(start, stop));
  if (stop < o.steps) {
    std::fprintf(stderr, "pretrain: stopped after step %ld of %ld; continue with --resume\n", stop, o.steps);
    return 0;
  }
  models::save_parameters((dir / "model.bin").string(), model.layout(), model.parameters(), "run=" + key + "\n");

  // MSE at the query on fresh prompts of the training distribution (another seed's streams).
  const std::uint64_t eval_seed = o.seed ^ 0x9E3779B97F4A7C15ull;
  const Index eval_batch = 512;
  double sum = 0;
  for (Index first = 0; first < o.eval_prompts; first += eval_batch) {
    const Index nb = std::min(eval_batch, static_cast<Index>(o.eval_prompts) - first);
    sampler.draw_batch(eval_seed, static_cast<std::uint64_t>(first), nb, batch);
    sum += static_cast<double>(pg.loss(batch.tokens, batch.targets, nb, T, fopt, threads)) * static_cast<double>(nb);
  }
  const double final_loss = sum / static_cast<double>(o.eval_prompts);
  // Median step time after the first 10% of this invocation's steps (at most 20).
  double ms = std::nan("");
  if (!step_ms.empty()) {
    const std::size_t skip = std::min<std::size_t>(20, step_ms.size() / 10);
    std::vector<double> s(step_ms.begin() + static_cast<long>(skip), step_ms.end());
    std::nth_element(s.begin(), s.begin() + static_cast<long>(s.size() / 2), s.end());
    ms = s[s.size() / 2];
  }

  nlohmann::json manifest;
  manifest["git_revision"] = TTT_GIT_REVISION;
  manifest["run"] = key;
  manifest["seed"] = o.seed;
  manifest["real"] = o.dtype;
  manifest["threads"] = threads;
  manifest["parameters"] = model.parameter_count();
  manifest["steps"] = o.steps;
  manifest["lr"] = o.lr;
  manifest["warmup"] = warmup;
  manifest["weight_decay"] = o.weight_decay;
  manifest["clip"] = o.clip;
  manifest["final_loss"] = cli::number(final_loss);
  manifest["eval_prompts"] = o.eval_prompts;
  manifest["zero_predictor_loss"] = static_cast<double>(o.d) + o.sigma2;
  write_atomically(dir / "manifest.json", manifest.dump(2) + "\n");

  if (o.json) {
    nlohmann::json j;
    j["final_loss"] = cli::number(final_loss);
    j["ms_per_step"] = cli::number(ms);
    j["steps"] = o.steps;
    std::printf("%s\n", j.dump().c_str());
  } else {
    cli::print_field("final_loss", final_loss);
    cli::print_field("ms_per_step", ms);
    std::printf("steps: %ld\n", o.steps);
  }
  return 0;
}

int run_pretrain(PretrainOptions o) {
  cli::require_at_least(o.d, 1L, "--d");
  cli::require_at_least(o.n, 1L, "--n");
  cli::require_at_least(o.layers, 1L, "--layers");
  cli::require_at_least(o.heads, 1L, "--heads");
  cli::require_at_least(o.width, 1L, "--width");
  cli::require(o.width % o.heads == 0, "--heads must divide --width (got width " + std::to_string(o.width) +
                                           ", heads " + std::to_string(o.heads) + ")");
  cli::require_at_least(o.batch, 1L, "--batch");
  cli::require_at_least(o.steps, 1L, "--steps");
  cli::require_at_least(o.eval_prompts, 1L, "--eval-prompts");
  cli::require_at_least(o.checkpoint_every, 1L, "--checkpoint-every");
  cli::require_positive(o.lr, "--lr");
  cli::require_nonnegative(o.sigma2, "--sigma2");
  cli::require_nonnegative(o.weight_decay, "--weight-decay");
  cli::require_positive(o.clip, "--clip");
  cli::require(o.stop_after >= -1, "--stop-after must be >= 0");
  if (o.threads <= 0) {
#if defined(_OPENMP)
    o.threads = omp_get_max_threads();
#else
    o.threads = 1;
#endif
  }
  std::error_code ec;
  fs::create_directories(o.out, ec);
  cli::require(!ec && fs::is_directory(o.out), "--out: cannot create directory " + o.out);
  {
    const fs::path probe = fs::path(o.out) / ".write_test";
    std::ofstream f(probe);
    cli::require(static_cast<bool>(f), "--out: directory " + o.out + " is not writable");
    f.close();
    fs::remove(probe, ec);
  }
  return o.dtype == "float32" ? run_pretrain_typed<float>(o) : run_pretrain_typed<double>(o);
}

}  // namespace

void register_pretrain(CLI::App& app, Action& action) {
  auto o = std::make_shared<PretrainOptions>();
  CLI::App* sub = app.add_subcommand("pretrain", "Pre-train a softmax transformer on in-context linear regression");
  sub->add_option("--task", o->task, "task family")->capture_default_str()->check(CLI::IsMember({"linreg"}));
  sub->add_option("--d", o->d, "feature dimension d")->required();
  sub->add_option("--n", o->n, "context pairs per prompt")->required();
  sub->add_option("--layers", o->layers, "transformer blocks")->capture_default_str();
  sub->add_option("--heads", o->heads, "attention heads")->capture_default_str();
  sub->add_option("--width", o->width, "model width")->capture_default_str();
  sub->add_option("--batch", o->batch, "prompts per step")->capture_default_str();
  sub->add_option("--dtype", o->dtype, "floating-point type")->capture_default_str()
      ->check(CLI::IsMember({"float64", "float32"}));
  sub->add_option("--lr", o->lr, "peak learning rate of AdamW")->capture_default_str();
  sub->add_option("--warmup", o->warmup, "linear warm-up steps (default: steps / 20)");
  sub->add_option("--weight-decay", o->weight_decay, "AdamW decoupled weight decay")->capture_default_str();
  sub->add_option("--clip", o->clip, "global gradient-norm clip")->capture_default_str();
  sub->add_option("--steps", o->steps, "training steps")->required();
  sub->add_option("--seed", o->seed, "seed of the initialisation and the prompt streams")->capture_default_str()->check(cli::non_negative_integer());
  sub->add_option("--sigma2", o->sigma2, "label-noise variance")->capture_default_str();
  sub->add_option("--out", o->out, "output directory")->required();
  sub->add_option("--threads", o->threads, "OpenMP threads (default: all)");
  sub->add_option("--eval-prompts", o->eval_prompts, "fresh prompts for final_loss")->capture_default_str();
  sub->add_option("--checkpoint-every", o->checkpoint_every, "steps between checkpoints")->capture_default_str();
  sub->add_option("--stop-after", o->stop_after, "checkpoint and exit after this step (of the --steps schedule)");
  sub->add_flag("--json", o->json, "print one JSON object");
  sub->add_flag("--resume", o->resume, "continue from <out>/checkpoint.bin");
  sub->footer("Example: ttt pretrain --task linreg --d 20 --n 40 --steps 1500 --out runs/pre --json");
  sub->callback([o, &action] {
    action = [o] { return run_pretrain(*o); };
  });
}

}  // namespace ttt::cmd
