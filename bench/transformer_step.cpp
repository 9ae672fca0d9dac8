// bench/transformer_step.cpp: time of one training step (batch drawing, forward, backward, clipping,
// AdamW) of the softmax transformer, in the configuration of bench/peers/torch_step.py:
// width 64, 4 layers, 4 heads, d = 20, n = 40 (41 tokens), batch 64.
// Usage: transformer_step [float32|float64] [threads] [steps]; prints one JSON line (median ms per step).
// Environment CHUNK: sequences per gradient chunk (default 8). Build (not wired into CMake or scripts):
//   g++ -O3 -DNDEBUG [-march=native] -fopenmp -std=c++17 -Iinclude -isystem /usr/include/eigen3 \
//       bench/transformer_step.cpp -o transformer_step
#include <ttt/models/adamw.hpp>
#include <ttt/models/parallel_gradient.hpp>
#include <ttt/models/regression_prompt.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ttt::models;

template <class Real>
double median_step_ms(int threads, int steps) {
  TransformerConfig cfg;
  cfg.input_dim = 21;
  cfg.max_tokens = 41;
  Transformer<Real, SoftmaxKernel> model(cfg);
  model.initialize(1);
  AdamW<Real> adam(model.layout(), AdamWOptions{});
  const RegressionPromptSampler<Real> sampler(20, 40, 0.0);
  const AttentionMask mask = AttentionMask::prompt(40, 1);
  ForwardOptions<Real> opt;
  opt.mask = &mask;
  ParallelGradient<Real, SoftmaxKernel> pg(model, std::getenv("CHUNK") ? std::atoi(std::getenv("CHUNK")) : 8);
  RegressionBatch<Real> batch;
  ColVector<Real> grad;
  std::vector<double> ms;
  for (int t = 0; t < steps + 3; ++t) {
    const auto t0 = std::chrono::steady_clock::now();
    sampler.draw_batch(7, static_cast<std::uint64_t>(t) * 64, 64, batch);
    pg.loss_and_gradient(batch.tokens, batch.targets, 64, 41, opt, grad, threads);
    clip_global_norm(grad, 1.0);
    adam.step(model.parameters(), grad, 1e-3);
    if (t >= 3) ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + static_cast<long>(ms.size() / 2), ms.end());
  return ms[ms.size() / 2];
}

int main(int argc, char** argv) {
  const std::string dtype = argc > 1 ? argv[1] : "float32";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 20;
  if ((dtype != "float32" && dtype != "float64") || threads < 1 || steps < 1) {
    std::fprintf(stderr, "usage: transformer_step [float32|float64] [threads >= 1] [steps >= 1]\n");
    return 2;
  }
  const double ms = dtype == "float32" ? median_step_ms<float>(threads, steps) : median_step_ms<double>(threads, steps);
  std::printf("{\"impl\": \"ttt\", \"dtype\": \"%s\", \"threads\": %d, \"ms_per_step\": %.3f}\n", dtype.c_str(), threads, ms);
  return 0;
}
