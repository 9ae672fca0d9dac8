// Training machinery of the transformer: thread-count-invariant batch gradients, AdamW, the cosine
// schedule, gradient clipping, and the parameter file format (round trip and clear errors).
#include "support/tolerance.hpp"
#include "transformer_fd.hpp"

#include <ttt/models/adamw.hpp>
#include <ttt/models/parallel_gradient.hpp>
#include <ttt/models/parameter_io.hpp>
#include <ttt/models/regression_prompt.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>

using namespace ttt::models;

namespace {

TransformerConfig small_config() {
  TransformerConfig c;
  c.input_dim = 5;
  c.width = 16;
  c.layers = 2;
  c.heads = 2;
  c.max_tokens = 16;
  return c;
}

std::string temp_path(const std::string& stem) { return std::string(TTT_BINARY_DIR) + "/" + stem; }

template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEMPLATE_TEST_CASE("Batch gradient is byte-identical for 1 and 2 threads and equals the one-pass gradient",
                   "[models][grad]", float, double) {
  using Real = TestType;
  Transformer<Real, SoftmaxKernel> model(small_config());
  model.initialize(3);
  const RegressionPromptSampler<Real> sampler(4, 7, 0.1);
  RegressionBatch<Real> batch;
  const Index B = 19, T = sampler.tokens();
  sampler.draw_batch(5, 0, B, batch);
  const AttentionMask mask = AttentionMask::prompt(7, 1);
  ForwardOptions<Real> opt;
  opt.mask = &mask;
  ParallelGradient<Real, SoftmaxKernel> pg(model, 4);
  ColVector<Real> g1, g2;
  const Real l1 = pg.loss_and_gradient(batch.tokens, batch.targets, B, T, opt, g1, 1);
  const Real l2 = pg.loss_and_gradient(batch.tokens, batch.targets, B, T, opt, g2, 2);
  CHECK(std::memcmp(&l1, &l2, sizeof(Real)) == 0);
  REQUIRE(g1.size() == g2.size());
  CHECK(std::memcmp(g1.data(), g2.data(), sizeof(Real) * static_cast<std::size_t>(g1.size())) == 0);
  CHECK(pg.loss(batch.tokens, batch.targets, B, T, opt, 2) == l1);

  typename Transformer<Real, SoftmaxKernel>::Cache cache;
  RowMatrix<Real> dpred;
  const Real l = mse_loss<Real>(model.forward(batch.tokens, B, T, cache, opt), batch.targets, &dpred);
  ColVector<Real> g = ColVector<Real>::Zero(model.parameter_count());
  model.backward(cache, dpred, g.data());
  // Different summation order over B sequences: roundoff of a B-term sum of the per-sequence values.
  const Real tol = ttt::test::roundoff<Real>(4.0 * double(B));
  CHECK(std::fabs(l - l1) <= tol * std::fabs(l));
  CHECK((g - g1).cwiseAbs().maxCoeff() <= tol * (1 + g.cwiseAbs().maxCoeff()));
}

TEST_CASE("AdamW follows the PyTorch update; cosine schedule; clipping", "[models]") {
  ParameterLayout layout;
  layout.add("w", 1, 2, true);
  layout.add("b", 1, 1, false);
  AdamWOptions o;
  o.weight_decay = 0.1;
  AdamW<double> opt(layout, o);
  ColVector<double> p(3), g(3);
  p << 1.0, -2.0, 0.5;
  g << 0.3, -0.1, 2.0;
  ColVector<double> ref = p;
  double m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
  for (int t = 1; t <= 3; ++t) {
    opt.step(p, g, 0.01);
    for (int i = 0; i < 3; ++i) {
      if (i < 2) ref[i] *= 1 - 0.01 * 0.1;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const double mh = m[i] / (1 - std::pow(0.9, t)), vh = v[i] / (1 - std::pow(0.999, t));
      ref[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
    }
  }
  CHECK((p - ref).cwiseAbs().maxCoeff() <= ttt::test::roundoff(30));
  CHECK(opt.steps() == 3);

  CHECK(cosine_warmup_lr(1.0, 0, 10, 110) == Approx(0.1));
  CHECK(cosine_warmup_lr(1.0, 9, 10, 110) == Approx(1.0));
  CHECK(cosine_warmup_lr(1.0, 60, 10, 110) == Approx(0.5));
  CHECK(cosine_warmup_lr(1.0, 110, 10, 110, 0.1) == Approx(0.1));

  ColVector<double> c(2);
  c << 3.0, 4.0;
  CHECK(clip_global_norm(c, 1.0) == Approx(5.0));
  CHECK(c.norm() == Approx(5.0 / (5.0 + 1e-6)));
  ColVector<double> s(2);
  s << 0.3, 0.4;
  clip_global_norm(s, 1.0);
  CHECK(s[0] == 0.3);
}

TEST_CASE("Parameter files round-trip exactly and reject wrong files with clear messages", "[models]") {
  Transformer<double, SoftmaxKernel> model(small_config());
  model.initialize(9);
  const std::string path = temp_path("test_transformer_params.bin");
  save_parameters(path, model.layout(), model.parameters(), "width=16");
  ColVector<double> back;
  CHECK(load_parameters(path, model.layout(), back) == "width=16");
  CHECK(back == model.parameters());

  // float32 file read as float64
  Transformer<float, SoftmaxKernel> model_f(small_config());
  CHECK(error_of([&] { ColVector<float> v; load_parameters(path, model_f.layout(), v); }).find("stored as float64") !=
        std::string::npos);
  // another architecture
  TransformerConfig wide = small_config();
  wide.width = 32;
  Transformer<double, SoftmaxKernel> other(wide);
  CHECK(error_of([&] { load_parameters(path, other.layout(), back); }).find("in the file") != std::string::npos);

  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto write = [&](const std::string& b) { std::ofstream(path, std::ios::binary | std::ios::trunc) << b; };
  write(bytes.substr(0, bytes.size() / 2));
  CHECK(error_of([&] { load_parameters(path, model.layout(), back); }).find("truncated") != std::string::npos);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);
  write(flipped);
  CHECK(error_of([&] { load_parameters(path, model.layout(), back); }).find("checksum") != std::string::npos);
  write("PK\x03\x04 not ours at all");
  CHECK(error_of([&] { load_parameters(path, model.layout(), back); }).find("bad magic") != std::string::npos);
  std::string v2 = bytes;
  v2[8] = 2;
  write(v2);
  CHECK(error_of([&] { load_parameters(path, model.layout(), back); }).find("version 2") != std::string::npos);
  std::remove(path.c_str());
  CHECK(error_of([&] { load_parameters(path, model.layout(), back); }).find("cannot open") != std::string::npos);
}
