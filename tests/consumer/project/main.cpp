// A user of the installed library: one closed form, one sampled task, one TTT step, and a Thrust reduction
// on the OpenMP system (the package must provide Eigen, Thrust's include directory and -fopenmp).
// Prints one line; exit status 1 if a check fails.
#include <ttt/ttt.hpp>

#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/system/omp/execution_policy.h>

#include <cmath>
#include <cstdio>
#include <limits>

#ifndef _OPENMP
#error "compiled without OpenMP: the ttt package must pass -fopenmp"
#endif

int main() {
  using Mat = Eigen::MatrixXd;
  using Vec = Eigen::VectorXd;
  const int d = 4, n = 8, m = 6;
  const double sigma2 = 0.25, eta = 0.01;
  const double eps = std::numeric_limits<double>::epsilon();
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "ttt_consumer: check failed: %s\n", what);
      ++failures;
    }
  };

  // Li et al. Cor 1: with Sx = Sb = I, W* = I / (n + d + 1 + sigma2).
  // Li et al. Cor 1: with Sx = Sb = I, W* = I / (n + d + 1 + sigma2); also the diagonal form of Thm 1.
  const double c = ttt::theory::pretrained_scale_isotropic<double>(d, n, sigma2);
  check(std::fabs(c - 1.0 / 13.25) <= 4 * eps, "W* scale = 1/(n + d + 1 + sigma2)");
  const Vec ones = Vec::Ones(d);
  const Vec w = ttt::theory::pretrained_w_star_diagonal<double>(ones, ones, sigma2, n);
  check((w.array() - c).abs().maxCoeff() <= 64 * eps * c, "diagonal W* = c I");
  const Mat W = w.asDiagonal();

  // One TTT step on a sampled prompt (Prop 3.1) is W - eta * gradient and lowers the test-time loss.
  const Vec beta = ttt::tasks::test_task<double>(d, ttt::tasks::Placement::all, 1.0);
  const ttt::tasks::GaussianTaskSampler<double> sampler(ttt::tasks::isotropic<double>(d), sigma2, n, m);
  const auto s = sampler.sample(beta, 2025, 0);
  const Vec u = ttt::models::context_vector(s.X, s.y);
  const Mat W1 = ttt::models::ttt_step(W, eta, u, s.X_tr, s.y_tr);
  const Mat G = ttt::models::ttt_gradient(W, u, s.X_tr, s.y_tr);
  check((W1 - (W - eta * G)).cwiseAbs().maxCoeff() <= 1e3 * eps * (1 + eta * G.cwiseAbs().maxCoeff()),
        "ttt_step = W - eta grad");
  const double L0 = ttt::models::ttt_loss(W, u, s.X_tr, s.y_tr);
  // The gradient is Lipschitz with constant (2/m) lambda_max(X_tr^T X_tr) |u|^2 <= (2/m) |X_tr|_F^2 |u|^2.
  const double lip_bound = 2.0 / m * s.X_tr.squaredNorm() * u.squaredNorm();
  const Mat Wsafe = ttt::models::ttt_step(W, 1.0 / lip_bound, u, s.X_tr, s.y_tr);
  const double L1 = ttt::models::ttt_loss(Wsafe, u, s.X_tr, s.y_tr);
  check(L1 < L0, "a step below 1/Lipschitz lowers the test-time loss");

  // Thrust on the OpenMP device system: 0 + 1 + ... + 999.
  const long sum = thrust::reduce(thrust::omp::par, thrust::counting_iterator<long>(0),
                                  thrust::counting_iterator<long>(1000), 0L);
  check(sum == 499500, "thrust::reduce under thrust::omp::par");

  std::printf("ttt %s consumer: W* = %.12g I, TTT loss %.6g -> %.6g, thrust sum %ld\n", TTT_VERSION_STRING, c, L0,
              L1, sum);
  return failures == 0 ? 0 : 1;
}
