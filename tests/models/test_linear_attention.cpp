// Tests of <ttt/models/linear_attention.hpp>: the collapsed model against the token formulation of Eq. (5),
// the test-time loss and its gradient (central finite differences, double, tiny config), one TTT step
// (Prop 3.1) and several steps in rank-one form against explicit matrix gradient descent.
#include <ttt/models/linear_attention.hpp>

#include "support/tolerance.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace ttt::models;
using ttt::test::roundoff;

namespace {

using MatD = Mat<double>;
using VecD = Vec<double>;

// A tiny problem with O(1) entries: context (n, d), test-time set (m, d), W near the scale of W*.
struct Problem {
  int d, n, m;
  MatD X, X_tr, W;
  VecD y, y_tr, u;
};

Problem make_problem(int d, int n, int m, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> N01;
  auto fill = [&](auto& a) {
    for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = N01(gen);
  };
  Problem p{d, n, m, MatD(n, d), MatD(m, d), MatD(d, d), VecD(n), VecD(m), VecD(d)};
  fill(p.X);
  fill(p.X_tr);
  fill(p.W);
  fill(p.y);
  fill(p.y_tr);
  p.W /= (n + d + 1);
  p.u = p.X.transpose() * p.y;
  return p;
}

/// Magnitude of the terms of L(W) = (1/m) sum_i (y_i - x_i^T W u)^2 with every sign made positive: the
/// scale that rounding errors of the loss are relative to.
double loss_magnitude(const MatD& W, const VecD& u, const MatD& X_tr, const VecD& y_tr) {
  const VecD a = y_tr.cwiseAbs() + X_tr.cwiseAbs() * (W.cwiseAbs() * u.cwiseAbs());
  return a.squaredNorm() / static_cast<double>(X_tr.rows());
}

/// |W| + eta |grad| entrywise, bounded by its largest entry: the scale of the entries of a step.
double step_magnitude(const MatD& W, double eta, const VecD& u, const MatD& X_tr, const VecD& y_tr) {
  const VecD r = y_tr.cwiseAbs() + X_tr.cwiseAbs() * (W.cwiseAbs() * u.cwiseAbs());
  const MatD g = (2.0 / static_cast<double>(X_tr.rows())) * (X_tr.cwiseAbs().transpose() * r) * u.cwiseAbs().transpose();
  return (W.cwiseAbs() + eta * g).maxCoeff();
}

}  // namespace

TEST_CASE("The collapsed model is Eq. (5) of the token formulation", "[models][linear_attention]") {
  // Z = [z_1..z_n, z]^T with z_i = [x_i; y_i], z = [x; 0]; W_Q W_K^T = [[W, 0], [0, 0]], W_V = [[0,0],[0,1]];
  // SM(Z; W) = [Z W_Q W_K^T Z^T Z W_V]_{n+1, d+1} = x^T W X^T y.
  const auto p = make_problem(3, 5, 4, 1);
  const int d = p.d, n = p.n;
  MatD WQK = MatD::Zero(d + 1, d + 1);
  WQK.topLeftCorner(d, d) = p.W;
  MatD WV = MatD::Zero(d + 1, d + 1);
  WV(d, d) = 1;
  const VecD preds = predict(p.W, context_vector(p.X, p.y), p.X_tr);
  REQUIRE(preds.size() == p.m);
  for (int j = 0; j < p.m; ++j) {
    MatD Z = MatD::Zero(n + 1, d + 1);
    Z.topLeftCorner(n, d) = p.X;
    Z.topRightCorner(n, 1) = p.y;
    Z.row(n).head(d) = p.X_tr.row(j);
    const MatD out = Z * WQK * Z.transpose() * Z * WV;
    // Both sides add up sum_i (x^T W x_i) y_i in some order: magnitude |x|^T |W| |X|^T |y|.
    const double scale =
        p.X_tr.row(j).cwiseAbs().dot(p.W.cwiseAbs() * (p.X.cwiseAbs().transpose() * p.y.cwiseAbs()));
    CHECK(std::fabs(out(n, d) - preds[j]) <= roundoff(4 * (n + d)) * scale);
  }
  // u = X^T y exactly (the same product), and predictions are x_j^T (W u).
  CHECK(context_vector(p.X, p.y) == VecD(p.X.transpose() * p.y));
  CHECK(preds == VecD(p.X_tr * (p.W * p.u)));
}

TEST_CASE("ttt_loss is the mean squared residual of the predictions", "[models][linear_attention]") {
  const auto p = make_problem(4, 6, 5, 2);
  const VecD r = p.y_tr - predict(p.W, p.u, p.X_tr);
  double direct = 0;
  for (int i = 0; i < p.m; ++i) direct += r[i] * r[i];
  direct /= p.m;
  CHECK(std::fabs(ttt_loss(p.W, p.u, p.X_tr, p.y_tr) - direct) <=
        roundoff(2 * p.m) * loss_magnitude(p.W, p.u, p.X_tr, p.y_tr));
  // Zero when the labels are the predictions.
  CHECK(ttt_loss(p.W, p.u, p.X_tr, VecD(predict(p.W, p.u, p.X_tr))) == 0.0);
}

TEST_CASE("ttt_gradient matches central finite differences of ttt_loss", "[models][linear_attention][grad]") {
  for (unsigned seed : {3u, 4u, 5u}) {
    for (auto dims : {std::vector<int>{2, 3, 2}, std::vector<int>{3, 5, 4}, std::vector<int>{4, 3, 1}}) {
      const auto p = make_problem(dims[0], dims[1], dims[2], seed);
      INFO("d = " << p.d << "  n = " << p.n << "  m = " << p.m << "  seed " << seed);
      const MatD G = ttt_gradient(p.W, p.u, p.X_tr, p.y_tr);
      REQUIRE(G.rows() == p.d);
      REQUIRE(G.cols() == p.d);
      // L is quadratic in W, so a central difference has no truncation error; what is left is rounding,
      // eps |L| / h, which fd_tolerance bounds with the loss magnitude as scale. The step is relative to
      // the scale of W's entries so that W +- h E keeps h's precision.
      const double wscale = p.W.cwiseAbs().maxCoeff();
      const double h = ttt::test::fd_step() * wscale;
      const double tol = ttt::test::fd_tolerance(loss_magnitude(p.W, p.u, p.X_tr, p.y_tr)) / wscale;
      for (int a = 0; a < p.d; ++a) {
        for (int b = 0; b < p.d; ++b) {
          MatD Wp = p.W, Wm = p.W;
          Wp(a, b) += h;
          Wm(a, b) -= h;
          const double hh = Wp(a, b) - Wm(a, b);  // the step actually taken, after rounding W +- h
          const double fd = (ttt_loss(Wp, p.u, p.X_tr, p.y_tr) - ttt_loss(Wm, p.u, p.X_tr, p.y_tr)) / hh;
          INFO("entry (" << a << ", " << b << ")  fd " << fd << "  analytic " << G(a, b));
          CHECK(std::fabs(fd - G(a, b)) <= tol);
        }
      }
    }
  }
}

TEST_CASE("The gradient is rank one along u", "[models][linear_attention][grad]") {
  // grad = g u^T: it annihilates every vector orthogonal to u, and G u / |u|^2 = g.
  const auto p = make_problem(5, 7, 4, 6);
  const MatD G = ttt_gradient(p.W, p.u, p.X_tr, p.y_tr);
  const VecD g = G * p.u / p.u.squaredNorm();
  const double scale = G.cwiseAbs().maxCoeff();
  CHECK((G - g * p.u.transpose()).cwiseAbs().maxCoeff() <= roundoff(4 * p.d) * scale);
  Eigen::JacobiSVD<MatD> svd(G);
  CHECK(svd.singularValues()[1] <= roundoff(4 * p.d * p.d) * svd.singularValues()[0]);
}

TEST_CASE("ttt_step is W - eta * gradient (Prop 3.1), and the loss is exactly quadratic along it",
          "[models][linear_attention][grad]") {
  const auto p = make_problem(4, 6, 5, 7);
  const MatD G = ttt_gradient(p.W, p.u, p.X_tr, p.y_tr);
  const double L0 = ttt_loss(p.W, p.u, p.X_tr, p.y_tr);
  const double Lmag = loss_magnitude(p.W, p.u, p.X_tr, p.y_tr);
  // Lipschitz constant of the gradient: (2/m) lambda_max(X_tr^T X_tr) |u|^2; steps below 1/Lip descend.
  const double lip = 2.0 / p.m * Eigen::SelfAdjointEigenSolver<MatD>(p.X_tr.transpose() * p.X_tr).eigenvalues().maxCoeff() *
                     p.u.squaredNorm();
  for (double eta : {0.0, 0.1 / lip, 0.5 / lip, 1.0 / lip, 3.0 / lip}) {
    INFO("eta * Lip = " << eta * lip);
    const MatD W1 = ttt_step(p.W, eta, p.u, p.X_tr, p.y_tr);
    const double scale = step_magnitude(p.W, eta, p.u, p.X_tr, p.y_tr);
    CHECK((W1 - (p.W - eta * G)).cwiseAbs().maxCoeff() <= roundoff(2 * (p.m + p.d) + 8) * scale);
    // L(W - eta G) = L(W) - eta |G|_F^2 + eta^2 |X_tr G u|^2 / m.
    const double quad = L0 - eta * G.squaredNorm() + eta * eta * (p.X_tr * (G * p.u)).squaredNorm() / p.m;
    const double L1 = ttt_loss(W1, p.u, p.X_tr, p.y_tr);
    const double mag = loss_magnitude(W1, p.u, p.X_tr, p.y_tr) + Lmag;
    CHECK(std::fabs(L1 - quad) <= roundoff(4 * (p.m + p.d * p.d)) * mag);
    if (eta > 0 && eta * lip <= 1.0) CHECK(L1 < L0);
  }
  CHECK(ttt_step(p.W, 0.0, p.u, p.X_tr, p.y_tr) == p.W);
}

TEST_CASE("ttt_descent in rank-one form equals explicit matrix gradient descent",
          "[models][linear_attention][grad]") {
  for (unsigned seed : {8u, 9u}) {
    const auto p = make_problem(4, 6, 5, seed);
    const double lip = 2.0 / p.m *
                       Eigen::SelfAdjointEigenSolver<MatD>(p.X_tr.transpose() * p.X_tr).eigenvalues().maxCoeff() *
                       p.u.squaredNorm();
    // Varying steps, all below 1/Lip so that the iteration contracts and rounding errors add up at most
    // linearly in the number of steps.
    const std::vector<double> etas = {0.9 / lip, 0.3 / lip, 0.6 / lip, 0.95 / lip, 0.2 / lip, 0.7 / lip, 0.5 / lip};
    const auto it = ttt_descent(p.W, p.u, p.X_tr, p.y_tr, etas);
    CHECK(it.W0 == p.W);
    CHECK(it.u == p.u);

    MatD W = p.W;
    std::vector<double> losses{ttt_loss(W, p.u, p.X_tr, p.y_tr)};
    double scale = 0;
    for (double eta : etas) {
      scale = std::max(scale, step_magnitude(W, eta, p.u, p.X_tr, p.y_tr));
      W = W - eta * ttt_gradient(W, p.u, p.X_tr, p.y_tr);
      losses.push_back(ttt_loss(W, p.u, p.X_tr, p.y_tr));
    }
    const double T = static_cast<double>(etas.size());
    INFO("seed " << seed << "  max |difference| " << (it.matrix() - W).cwiseAbs().maxCoeff());
    CHECK((it.matrix() - W).cwiseAbs().maxCoeff() <= roundoff(T * (2 * (p.m + p.d) + 8)) * scale);
    // Steps below 1/Lip never increase the loss, and the rank-one iterate reaches the same loss.
    for (std::size_t t = 1; t < losses.size(); ++t) CHECK(losses[t] <= losses[t - 1]);
    CHECK(std::fabs(ttt_loss(it.matrix(), p.u, p.X_tr, p.y_tr) - losses.back()) <=
          roundoff(T * 4 * (p.m + p.d * p.d)) * (loss_magnitude(W, p.u, p.X_tr, p.y_tr) + losses.front()));

    // One step of descent is ttt_step; no step leaves W0.
    const auto one = ttt_descent(p.W, p.u, p.X_tr, p.y_tr, std::vector<double>{etas[0]});
    CHECK((one.matrix() - ttt_step(p.W, etas[0], p.u, p.X_tr, p.y_tr)).cwiseAbs().maxCoeff() <=
          roundoff(2 * (2 * (p.m + p.d) + 8)) * step_magnitude(p.W, etas[0], p.u, p.X_tr, p.y_tr));
    const auto none = ttt_descent(p.W, p.u, p.X_tr, p.y_tr, std::vector<double>{});
    CHECK(none.h.isZero(0));
    CHECK(none.matrix() == p.W);
  }
}

TEST_CASE("The collapsed model works in float", "[models][linear_attention]") {
  const auto p = make_problem(3, 4, 3, 10);
  using MatF = Mat<float>;
  using VecF = Vec<float>;
  const MatF Wf = p.W.cast<float>(), Xf = p.X_tr.cast<float>();
  const VecF uf = p.u.cast<float>(), yf = p.y_tr.cast<float>();
  const MatD Gd = ttt_gradient(p.W, p.u, p.X_tr, p.y_tr);
  const MatF Gf = ttt_gradient(Wf, uf, Xf, yf);
  const double scale = step_magnitude(p.W, 1.0, p.u, p.X_tr, p.y_tr);
  CHECK((Gf.cast<double>() - Gd).cwiseAbs().maxCoeff() <= roundoff<float>(2 * (p.m + p.d) + 8) * scale);
}
