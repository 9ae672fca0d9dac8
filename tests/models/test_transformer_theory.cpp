// The theory's collapsed linear-attention model (linear_attention.hpp) as a one-layer instance of the
// transformer template with the linear kernel: the same predictions and the same dL/dW, to roundoff.
#include "support/tolerance.hpp"
#include "transformer_fd.hpp"

#include <ttt/models/linear_attention.hpp>
#include <ttt/models/regression_prompt.hpp>
#include <ttt/models/theory_instance.hpp>

#include <catch2/catch.hpp>

using namespace ttt::models;

TEST_CASE("One-layer linear-kernel transformer with the theory's blocks is x^T W X^T y", "[models][theory][grad]") {
  const Index d = 5, n = 7, m = 4;
  const Mat<double> W = ttt::test::random_matrix(d, d, 31);
  const Mat<double> X = ttt::test::random_matrix(n, d, 32), X_tr = ttt::test::random_matrix(m, d, 33);
  const Vec<double> y = ttt::test::random_matrix(n, 1, 34), y_tr = ttt::test::random_matrix(m, 1, 35);
  const Vec<double> u = context_vector(X, y);

  Transformer<double, LinearKernel> model(theory_config(d));
  set_theory_weights(model, W);
  // One sequence: n context pairs then the m test-time queries; each query sees the context and itself.
  const RowMatrix<double> tokens = regression_tokens<double>(X, y, X_tr);
  const AttentionMask mask = AttentionMask::prompt(n, m);
  ForwardOptions<double> opt;
  opt.mask = &mask;
  for (Index q = 0; q < m; ++q) opt.readout.push_back(n + q);
  Transformer<double, LinearKernel>::Cache cache;
  const RowMatrix<double> pred = model.forward(tokens, 1, n + m, cache, opt);

  // Roundoff scale: the same n*d products summed in another order; bound by the sums of |terms|.
  const Vec<double> scale = X_tr.cwiseAbs() * (W.cwiseAbs() * (X.cwiseAbs().transpose() * y.cwiseAbs()));
  const Vec<double> expected = predict(W, u, X_tr);
  for (Index q = 0; q < m; ++q)
    CHECK(std::fabs(pred(0, q) - expected[q]) <= ttt::test::roundoff(2.0 * n * d) * scale[q]);

  // Loss (1/m) |y_tr - X_tr W u|^2 and dL/dW = top-left block of dL/dWk.
  RowMatrix<double> target = y_tr.transpose();
  RowMatrix<double> dpred;
  const double loss = mse_loss<double>(pred, target, &dpred);
  CHECK(loss == Approx(ttt_loss(W, u, X_tr, y_tr)).epsilon(ttt::test::roundoff(4.0 * n * d)));
  ColVector<double> grads = ColVector<double>::Zero(model.parameter_count());
  model.backward(cache, dpred, grads.data());
  const RowMatrix<double> gW = theory_gradient(model, grads.data());
  const Mat<double> gW_ref = ttt_gradient(W, u, X_tr, y_tr);
  const double gscale = (X_tr.cwiseAbs().transpose() * (y_tr.cwiseAbs() + scale)).maxCoeff() *
                        u.cwiseAbs().maxCoeff() * 2.0 / double(m);
  CHECK((gW - gW_ref).cwiseAbs().maxCoeff() <= ttt::test::roundoff(4.0 * n * d) * gscale);
}
