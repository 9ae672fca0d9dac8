// The whole transformer's backward against central finite differences (double, tiny config): parameters,
// input tokens, and the KV prefix cache of every layer, with positions, masks (causal, leave-one-out,
// token dropout) and several read-out positions; and the KV cache's prefix semantics.
#include "transformer_fd.hpp"

#include <ttt/models/transformer.hpp>

#include <catch2/catch.hpp>

using namespace ttt::models;
using ttt::test::fd_error_ratio;
using ttt::test::fd_gradient;
using ttt::test::random_matrix;

namespace {

TransformerConfig tiny_config() {
  TransformerConfig c;
  c.input_dim = 3;
  c.width = 8;  // at width 4 a token's norm can be tiny and LN's curvature spoils the FD truncation bound
  c.layers = 2;
  c.heads = 2;
  c.mlp_ratio = 2;
  c.max_tokens = 8;
  return c;
}

}  // namespace

TEMPLATE_TEST_CASE("Transformer backward matches finite differences (parameters, tokens, KV prefix)",
                   "[models][grad]", SoftmaxKernel, LinearKernel) {
  const Index B = 2, T = 3, Tp = 2;
  Transformer<double, TestType> model(tiny_config());
  model.initialize(11);
  // Perturb biases and gains away from 0 and 1 so their gradients are exercised at a generic point.
  model.parameters() += random_matrix(model.parameter_count(), 1, 12, 0.1);
  // The prefix: keys/values captured from a forward of two other tokens per sequence.
  typename Transformer<double, TestType>::Cache cache;
  KVCache<double> prefix;
  ForwardOptions<double> cap;
  cap.capture = &prefix;
  model.forward(random_matrix(B * Tp, 3, 13), B, Tp, cache, cap);
  REQUIRE(prefix.tokens() == Tp);

  AttentionMask mask = AttentionMask::causal(T, Tp).expanded(B);
  mask.hide_span(0, 2, 3, 0, 1);  // leave-one-out: query 2 of sequence 0 does not see prefix token 0
  mask.drop_keys(0.5, 5, 0, 0, Tp);
  RowMatrix<double> tokens = random_matrix(B * T, 3, 14);
  const RowMatrix<double> target = random_matrix(B, 2, 15);
  ForwardOptions<double> opt;
  opt.prefix = &prefix;
  opt.readout = {1, 2};
  const AttentionMask* masks[] = {nullptr, &mask};
  for (const AttentionMask* m : masks) {
    opt.mask = m;
    const auto loss = [&] { return mse_loss<double>(model.forward(tokens, B, T, cache, opt), target); };
    RowMatrix<double> dpred;
    mse_loss<double>(model.forward(tokens, B, T, cache, opt), target, &dpred);
    ColVector<double> grads = ColVector<double>::Zero(model.parameter_count());
    KVCache<double> dprefix(2, B, Tp, model.config().width);
    RowMatrix<double> dh0;
    model.backward(cache, dpred, grads.data(), &dprefix, &dh0);

    if (m) {  // every parameter is exercised with or without the mask; once is enough
      const ColVector<double> fd_p = fd_gradient(model.parameters().data(), model.parameter_count(), loss);
      CHECK(fd_error_ratio(grads, fd_p) <= 1.0);
    }
    const ColVector<double> fd_kv = fd_gradient(prefix.data().data(), prefix.data().size(), loss);
    CHECK(fd_error_ratio(dprefix.data(), fd_kv) <= 1.0);
    CHECK(dprefix.data().cwiseAbs().maxCoeff() > 0);
    // dL/dtokens = dL/dh_0 Win
    const RowMatrix<double> dtok = dh0 * view(model.parameters().data(), model.readin().weight());
    const ColVector<double> fd_t = fd_gradient(tokens.data(), tokens.size(), loss);
    CHECK(fd_error_ratio(Eigen::Map<const ColVector<double>>(dtok.data(), dtok.size()), fd_t) <= 1.0);
  }
}

TEST_CASE("A captured KV prefix reproduces the full causal forward", "[models]") {
  // Under a causal mask, the first Tp tokens' keys and values do not depend on later tokens, so
  // forward([a; b]) at b's positions equals forward(b) attending to the cache captured from forward(a).
  const Index B = 2, Tp = 3, T = 2;
  Transformer<double, SoftmaxKernel> model(tiny_config());
  model.initialize(21);
  const RowMatrix<double> a = random_matrix(B * Tp, 3, 22), b = random_matrix(B * T, 3, 23);
  RowMatrix<double> ab(B * (Tp + T), 3);
  for (Index s = 0; s < B; ++s) {
    ab.middleRows(s * (Tp + T), Tp) = a.middleRows(s * Tp, Tp);
    ab.middleRows(s * (Tp + T) + Tp, T) = b.middleRows(s * T, T);
  }
  Transformer<double, SoftmaxKernel>::Cache c1, c2;
  const AttentionMask full_mask = AttentionMask::causal(Tp + T);
  ForwardOptions<double> o1;
  o1.mask = &full_mask;
  o1.readout = {3, 4};
  const RowMatrix<double> full = model.forward(ab, B, Tp + T, c1, o1);

  KVCache<double> kv;
  ForwardOptions<double> cap;
  cap.capture = &kv;
  const AttentionMask prefix_mask = AttentionMask::causal(Tp);
  cap.mask = &prefix_mask;
  model.forward(a, B, Tp, c2, cap);
  const AttentionMask tail_mask = AttentionMask::causal(T, Tp);
  ForwardOptions<double> o2;
  o2.prefix = &kv;
  o2.mask = &tail_mask;
  o2.readout = {0, 1};
  const RowMatrix<double> cached = model.forward(b, B, T, c2, o2);
  // Same sums in different GEMM shapes: a few hundred roundings of O(1) numbers.
  CHECK((full - cached).cwiseAbs().maxCoeff() <= ttt::test::roundoff(1000) * (1 + full.cwiseAbs().maxCoeff()));
  // KVCache slice / concat keep per-sequence rows together.
  const KVCache<double> s1 = kv.slice(1, 1, 3, 2);
  CHECK(s1.keys(1, 0) == kv.keys(1, 1).middleRows(1, 2));
  CHECK(s1.values(0, 1) == kv.values(0, 1).middleRows(1, 2));
  const KVCache<double> cat = kv.concat(kv);
  CHECK(cat.keys(1, 1).bottomRows(Tp) == kv.keys(1, 1));
  const KVCache<double> sum = kv.sum_batches();
  CHECK(sum.batch() == 1);
  CHECK(sum.values(1, 0) == kv.values(1, 0) + kv.values(1, 1));
}

TEST_CASE("float and double instances agree to float roundoff (predictions and gradients)", "[models]") {
  TransformerConfig cfg = tiny_config();
  cfg.width = 16;
  Transformer<double, SoftmaxKernel> md(cfg);
  Transformer<float, SoftmaxKernel> mf(cfg);
  md.initialize(41);
  mf.parameters() = md.parameters().cast<float>();
  const Index B = 3, T = 6;
  const RowMatrix<double> tok = random_matrix(B * T, 3, 42), target = random_matrix(B, 1, 43);
  const AttentionMask mask = AttentionMask::prompt(T - 1, 1);
  ForwardOptions<double> od;
  od.mask = &mask;
  ForwardOptions<float> of;
  of.mask = &mask;
  Transformer<double, SoftmaxKernel>::Cache cd;
  Transformer<float, SoftmaxKernel>::Cache cf;
  RowMatrix<double> dd;
  RowMatrix<float> df;
  const RowMatrix<double> pd = md.forward(tok, B, T, cd, od);
  const RowMatrix<float> pf = mf.forward(tok.cast<float>(), B, T, cf, of);
  mse_loss<double>(pd, target, &dd);
  mse_loss<float>(pf, target.cast<float>(), &df);
  ColVector<double> gd = ColVector<double>::Zero(md.parameter_count());
  ColVector<float> gf = ColVector<float>::Zero(mf.parameter_count());
  md.backward(cd, dd, gd.data());
  mf.backward(cf, df, gf.data());
  // Float roundoff of O(1e3)-operation chains (a few layers of width-16 dot products), relative to the
  // largest magnitude: roundoff<float>(1e3) = 4.8e-4.
  const double tol = ttt::test::roundoff<float>(1e3);
  CHECK((pf.cast<double>() - pd).cwiseAbs().maxCoeff() <= tol * pd.cwiseAbs().maxCoeff());
  CHECK((gf.cast<double>() - gd).cwiseAbs().maxCoeff() <= tol * gd.cwiseAbs().maxCoeff());
}
