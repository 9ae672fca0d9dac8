// ttt/models/pretrain.hpp: in-context pre-training of a transformer on a task family of <ttt/tasks/few_shot.hpp>
// (AdamW, linear warm-up over the first 5% of steps then cosine decay, global-norm clipping at 1). Step t trains
// on prompts t*B .. t*B + B - 1 of the family (task index = prompt index) with n_t demonstrations, n_t cycling
// deterministically through [n_min, n_max] so the model sees every context length; each prompt uses the
// in-context mask (demonstrations see each other, the query sees them and itself). The result is a pure
// function of (model seed, data seed, options): chunked gradients merge in a fixed order for any threads.
#pragma once

#include <ttt/models/adamw.hpp>
#include <ttt/models/attention_mask.hpp>
#include <ttt/models/parallel_gradient.hpp>
#include <ttt/tasks/few_shot.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace ttt::models {

struct PretrainOptions {
  long steps = 1000;
  Index batch = 64;
  Index n_min = 1, n_max = 16;  // demonstrations per prompt
  double lr = 2e-3;
  double weight_decay = 0.01;
  std::uint64_t data_seed = 1;
  int threads = 1;
};

/// Number of demonstrations at step t: a fixed permutation-like walk over [n_min, n_max].
inline Index pretrain_context_length(const PretrainOptions& o, long t) {
  const auto span = static_cast<std::uint64_t>(o.n_max - o.n_min + 1);
  // multiplicative hash of t, so consecutive steps see different lengths
  const std::uint64_t h = (static_cast<std::uint64_t>(t) * 0x9E3779B97F4A7C15ull) >> 32;
  return o.n_min + static_cast<Index>(h % span);
}

/// Trains model.parameters() in place; `on_step(t, loss)` (optional) after each step. Returns the mean
/// training loss over the last 5% of steps (at least one).
template <class Real, class Kernel, class Family>
double pretrain(Transformer<Real, Kernel>& model, const Family& family, const PretrainOptions& o,
                const std::function<void(long, double)>& on_step = {}) {
  if (o.steps < 1 || o.batch < 1 || o.n_min < 0 || o.n_max < o.n_min || !(o.lr > 0))
    throw std::invalid_argument("pretrain: need steps, batch >= 1, 0 <= n_min <= n_max, lr > 0");
  if (model.config().input_dim != family.input_dim() || model.config().output_dim != family.output_dim())
    throw std::invalid_argument("pretrain: the model's input/output dims do not match the task family " +
                                family.name());
  if (model.config().max_tokens > 0 && model.config().max_tokens < o.n_max + 1)
    throw std::invalid_argument("pretrain: the positional table is shorter than n_max + 1 tokens");
  AdamWOptions ao;
  ao.weight_decay = o.weight_decay;
  AdamW<Real> adam(model.layout(), ao);
  ParallelGradient<Real, Kernel> pg(model, 8, family.loss());
  tasks::PromptBatch<Real> batch;
  ColVector<Real> grad;
  const long warmup = std::max(1L, o.steps / 20), tail = std::max(1L, o.steps / 20);
  double tail_sum = 0;
  for (long t = 0; t < o.steps; ++t) {
    const Index n = pretrain_context_length(o, t);
    family.prompt_batch(o.data_seed, static_cast<std::uint64_t>(t) * static_cast<std::uint64_t>(o.batch), o.batch, n,
                        batch);
    const AttentionMask mask = AttentionMask::prompt(n, 1);
    ForwardOptions<Real> fopt;
    fopt.mask = &mask;
    const double loss = static_cast<double>(pg.loss_and_gradient(batch.tokens, batch.targets, o.batch, n + 1, fopt,
                                                                  grad, o.threads));
    if (!std::isfinite(loss)) throw std::runtime_error("pretrain: loss diverged at step " + std::to_string(t));
    clip_global_norm(grad, 1.0);
    adam.step(model.parameters(), grad, cosine_warmup_lr(o.lr, t, warmup, o.steps));
    if (t >= o.steps - tail) tail_sum += loss;
    if (on_step) on_step(t, loss);
  }
  return tail_sum / static_cast<double>(tail);
}

/// The family's metric on q queries of `tasks` tasks [first, first + tasks) with k demonstrations each, for a
/// frozen model (in-context learning): mean squared error (regression) or accuracy (classification).
template <class Real, class Kernel, class Family>
double icl_metric(const Transformer<Real, Kernel>& model, const Family& family, std::uint64_t seed,
                  std::uint64_t first, Index tasks, Index k, Index q) {
  typename Transformer<Real, Kernel>::Cache cache;
  tasks::FewShotTask<Real> t;
  const AttentionMask mask = AttentionMask::prompt(k, 1);
  ForwardOptions<Real> fopt;
  fopt.mask = &mask;
  RowMatrix<Real> tokens(q * (k + 1), family.input_dim());
  double sum = 0;
  for (Index i = 0; i < tasks; ++i) {
    family.draw(seed, first + static_cast<std::uint64_t>(i), k, q, t);
    for (Index j = 0; j < q; ++j) {
      tokens.middleRows(j * (k + 1), k) = t.demos;
      tokens.row(j * (k + 1) + k) = t.queries.row(j);
    }
    const RowMatrix<Real>& pred = model.forward(tokens, q, k + 1, cache, fopt);
    if (family.loss() == LossKind::mse)
      sum += static_cast<double>((pred - t.targets).squaredNorm()) / static_cast<double>(q);
    else
      sum += static_cast<double>(correct_count<Real>(pred, t.targets, family.output_dim())) / static_cast<double>(q);
  }
  return sum / static_cast<double>(tasks);
}

}  // namespace ttt::models
