// Backward of every layer of the transformer templates against central finite differences (double,
// tiny shapes). Each check uses the scalar L = sum(G .* Y) with a fixed random G, so dL/dY = G.
#include "transformer_fd.hpp"

#include <ttt/models/attention_mask.hpp>
#include <ttt/models/layer_norm.hpp>
#include <ttt/models/linear_layer.hpp>
#include <ttt/models/mlp.hpp>
#include <ttt/models/multi_head_attention.hpp>

#include <catch2/catch.hpp>

using namespace ttt::models;
using ttt::test::fd_error_ratio;
using ttt::test::fd_gradient;
using ttt::test::fill_normal;
using ttt::test::random_matrix;

namespace {

/// Checks dL/dparams and dL/dX of a layer given forward(params, X) -> Y and backward(params, X, G, grads, dX).
template <class Forward, class Backward>
void check_layer(const ParameterLayout& layout, RowMatrix<double> X, Index out_cols, Forward fwd, Backward bwd) {
  ColVector<double> params(layout.size());
  fill_normal(params.data(), params.size(), 7, 1, 0.5);
  const RowMatrix<double> G = random_matrix(X.rows(), out_cols, 99);
  const auto loss = [&] { return (fwd(params.data(), X).array() * G.array()).sum(); };
  loss();  // forward once so caches hold this point
  ColVector<double> grads = ColVector<double>::Zero(layout.size());
  RowMatrix<double> dX;
  bwd(params.data(), X, G, grads.data(), dX);
  const ColVector<double> fd_p = fd_gradient(params.data(), params.size(), loss);
  CHECK(fd_error_ratio(grads, fd_p) <= 1.0);
  const ColVector<double> fd_x = fd_gradient(X.data(), X.size(), loss);
  const ColVector<double> dx = Eigen::Map<const ColVector<double>>(dX.data(), dX.size());
  CHECK(fd_error_ratio(dx, fd_x) <= 1.0);
}

}  // namespace

TEST_CASE("Linear backward matches finite differences", "[models][grad]") {
  ParameterLayout layout;
  const Linear<double> lin(layout, "lin", 5, 3);
  RowMatrix<double> Y;
  check_layer(layout, random_matrix(4, 5, 1), 3,
              [&](const double* p, const RowMatrix<double>& X) { lin.forward(p, X, Y); return Y; },
              [&](const double* p, const RowMatrix<double>& X, const RowMatrix<double>& G, double* g,
                  RowMatrix<double>& dX) { lin.backward(p, X, G, g, &dX); });
}

TEST_CASE("LayerNorm backward matches finite differences", "[models][grad]") {
  ParameterLayout layout;
  const LayerNorm<double> ln(layout, "ln", 6);
  LayerNorm<double>::Cache cache;
  RowMatrix<double> Y;
  check_layer(layout, random_matrix(4, 6, 2), 6,
              [&](const double* p, const RowMatrix<double>& X) { ln.forward(p, X, Y, cache); return Y; },
              [&](const double* p, const RowMatrix<double>&, const RowMatrix<double>& G, double* g,
                  RowMatrix<double>& dX) { ln.backward(p, cache, G, g, dX); });
}

TEST_CASE("GELU (tanh) derivative and MLP backward match finite differences", "[models][grad]") {
  const double h = ttt::test::fd_step();
  for (double a : {-3.0, -0.7, 0.0, 0.4, 2.5}) {
    const double fd = (GeluTanh<double>::value(a + h) - GeluTanh<double>::value(a - h)) / (2 * h);
    CHECK(std::fabs(GeluTanh<double>::derivative(a) - fd) <= ttt::test::fd_tolerance(1.0));
  }
  ParameterLayout layout;
  const Mlp<double> mlp(layout, "mlp", 4, 8);
  Mlp<double>::Cache cache;
  RowMatrix<double> Y;
  check_layer(layout, random_matrix(5, 4, 3), 4,
              [&](const double* p, const RowMatrix<double>& X) { mlp.forward(p, X, Y, cache); return Y; },
              [&](const double* p, const RowMatrix<double>&, const RowMatrix<double>& G, double* g,
                  RowMatrix<double>& dX) { mlp.backward(p, cache, G, g, dX); });
}

TEMPLATE_TEST_CASE("MultiHeadAttention backward (parameters, inputs, KV prefix) matches finite differences",
                   "[models][grad]", SoftmaxKernel, LinearKernel) {
  const Index B = 2, T = 3, Tp = 2, D = 6, H = 2;
  ParameterLayout layout;
  const MultiHeadAttention<double, TestType> attn(layout, "attn", D, H);
  typename MultiHeadAttention<double, TestType>::Cache cache;
  RowMatrix<double> Kp = random_matrix(B * Tp, D, 4), Vp = random_matrix(B * Tp, D, 5);
  // Causal over [prefix; new], plus a leave-one-out hole and a hidden prefix key in sequence 1.
  AttentionMask mask = AttentionMask::causal(T, Tp).expanded(B);
  mask.hide_span(1, 1, 2, 0, 1);
  mask.hide(1, 2, 3, 1, 2);
  const AttentionMask* masks[] = {nullptr, &mask};
  for (const AttentionMask* m : masks) {
    RowMatrix<double> Y;
    const auto fwd = [&](const double* p, const RowMatrix<double>& X) {
      attn.forward(p, X, B, T, {Kp.data(), Vp.data(), Tp}, m, Y, cache);
      return Y;
    };
    RowMatrix<double> dKp = RowMatrix<double>::Zero(B * Tp, D), dVp = RowMatrix<double>::Zero(B * Tp, D);
    const auto bwd = [&](const double* p, const RowMatrix<double>&, const RowMatrix<double>& G, double* g,
                         RowMatrix<double>& dX) { attn.backward(p, cache, G, g, {dKp.data(), dVp.data()}, dX); };
    const RowMatrix<double> X = random_matrix(B * T, D, 6);
    check_layer(layout, X, D, fwd, bwd);

    // The prefix gradient: the last backward above ran at the unperturbed point.
    ColVector<double> params(layout.size());
    fill_normal(params.data(), params.size(), 7, 1, 0.5);
    const RowMatrix<double> G = random_matrix(B * T, D, 99);
    const auto loss = [&] { return (fwd(params.data(), X).array() * G.array()).sum(); };
    const ColVector<double> fd_k = fd_gradient(Kp.data(), Kp.size(), loss);
    const ColVector<double> fd_v = fd_gradient(Vp.data(), Vp.size(), loss);
    CHECK(fd_error_ratio(Eigen::Map<const ColVector<double>>(dKp.data(), dKp.size()), fd_k) <= 1.0);
    CHECK(fd_error_ratio(Eigen::Map<const ColVector<double>>(dVp.data(), dVp.size()), fd_v) <= 1.0);
  }
}

TEST_CASE("Softmax attention gives hidden keys exactly zero weight", "[models]") {
  const Index T = 3, D = 4;
  ParameterLayout layout;
  const MultiHeadAttention<double, SoftmaxKernel> attn(layout, "attn", D, 1);
  ColVector<double> params(layout.size());
  fill_normal(params.data(), params.size(), 3, 3);
  MultiHeadAttention<double, SoftmaxKernel>::Cache cache;
  RowMatrix<double> Y;
  const AttentionMask mask = AttentionMask::causal(T);
  attn.forward(params.data(), random_matrix(T, D, 8), 1, T, {}, &mask, Y, cache);
  for (Index i = 0; i < T; ++i) {
    CHECK(cache.p.row(i).sum() == Approx(1.0).epsilon(1e-15));
    for (Index j = i + 1; j < T; ++j) CHECK(cache.p(i, j) == 0.0);
  }
}

TEST_CASE("AttentionMask builders", "[models]") {
  const AttentionMask pm = AttentionMask::prompt(3, 2, 1);  // prefix 1, context 3, queries 2
  CHECK(pm.allowed(0, 0, 0));
  CHECK(pm.allowed(0, 0, 3));
  CHECK_FALSE(pm.allowed(0, 0, 4));
  CHECK(pm.allowed(0, 3, 4));
  CHECK_FALSE(pm.allowed(0, 3, 5));
  CHECK(pm.allowed(0, 4, 5));
  CHECK_FALSE(pm.allowed(0, 4, 4));
  AttentionMask drop(2, 100, 3);
  drop.drop_keys(0.3, 1, 2, 0, 100);
  for (Index b = 0; b < 3; ++b) {
    Index hidden = 0;
    for (Index j = 0; j < 100; ++j) {
      hidden += drop.allowed(b, 0, j) ? 0 : 1;
      CHECK(drop.allowed(b, 0, j) == drop.allowed(b, 1, j));  // a dropped token is hidden from every query
    }
    CHECK(hidden > 10);  // Binomial(100, 0.3): mean 30, sd 4.6
    CHECK(hidden < 50);
  }
  CHECK_THROWS_AS(drop.drop_keys(1.5, 1, 2, 0, 1), std::invalid_argument);
}
