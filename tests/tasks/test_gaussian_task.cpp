// Tests of <ttt/tasks/gaussian_task.hpp>: the sampler draws exactly the documented streams, its moments are
// those of the model (x ~ N(0, Sx), y = x^T beta + eps, eps ~ N(0, sigma2)), and it rejects bad input.
#include <ttt/tasks/gaussian_task.hpp>

#include "support/tolerance.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace ttt::tasks;
namespace rnd = ttt::random;
using ttt::test::mc_sigmas;
using ttt::test::roundoff;

namespace {

constexpr std::uint64_t seed = 0xc0ffee11u;

Vec<double> diag4() {
  Vec<double> sx(4);
  sx << 0.5, 1.0, 2.0, 3.0;
  return sx;
}

Vec<double> beta4() {
  Vec<double> b(4);
  b << 0.7, -1.2, 0.4, 0.9;
  return b;
}

}  // namespace

TEST_CASE("GaussianTaskSampler draws X, X_tr and the noise from the documented streams", "[tasks][gaussian]") {
  const auto sx = diag4();
  const double sigma2 = 0.3;
  const GaussianTaskSampler<double> sampler(sx, sigma2, 6, 5);
  CHECK(sampler.d() == 4);
  CHECK(sampler.n() == 6);
  CHECK(sampler.m() == 5);
  const std::uint64_t index = 123456789012ull;  // above 2^32: uses the high bits of the trial counter
  const auto s = sampler.sample(beta4(), seed, index);
  REQUIRE(s.X.rows() == 6);
  REQUIRE(s.X.cols() == 4);
  REQUIRE(s.X_tr.rows() == 5);
  REQUIRE(s.y.size() == 6);
  REQUIRE(s.y_tr.size() == 5);
  CHECK(s.beta == beta4());

  // X(i, j) = sqrt(sx_j) z_j of row i of stream_context_x (the same arithmetic, so bit-identical).
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j)
      CHECK(s.X(i, j) == std::sqrt(sx[j]) * rnd::NormalRow(seed, index, rnd::stream_context_x, static_cast<std::uint32_t>(i))
                                              .at(static_cast<std::uint32_t>(j)));
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j)
      CHECK(s.X_tr(i, j) == std::sqrt(sx[j]) * rnd::NormalRow(seed, index, rnd::stream_train_x, static_cast<std::uint32_t>(i))
                                                 .at(static_cast<std::uint32_t>(j)));

  // y - X beta = sigma e_i with e from row 0 of the noise stream; the subtraction cancels |X beta|, so
  // the bound is roundoff relative to |X||beta| + sigma |e|.
  auto check_labels = [&](const Mat<double>& X, const Vec<double>& y, std::uint32_t stream) {
    const Vec<double> xb = X * beta4();
    const Vec<double> scale = X.cwiseAbs() * beta4().cwiseAbs();
    const rnd::NormalRow noise(seed, index, stream, 0);
    for (int i = 0; i < X.rows(); ++i) {
      const double e = std::sqrt(sigma2) * noise.at(static_cast<std::uint32_t>(i));
      CHECK(std::fabs((y[i] - xb[i]) - e) <= roundoff(8) * (scale[i] + std::fabs(e)));
    }
  };
  check_labels(s.X, s.y, rnd::stream_context_noise);
  check_labels(s.X_tr, s.y_tr, rnd::stream_train_noise);
}

TEST_CASE("Without noise the labels are exactly X beta; m = 0 gives an empty test-time set", "[tasks][gaussian]") {
  const GaussianTaskSampler<double> sampler(diag4(), 0.0, 5, 0);
  const auto s = sampler.sample(beta4(), seed, 3);
  CHECK(s.y == Vec<double>(s.X * beta4()));
  CHECK(s.X_tr.rows() == 0);
  CHECK(s.X_tr.cols() == 4);
  CHECK(s.y_tr.size() == 0);
}

TEST_CASE("Samples are a pure function of (seed, index)", "[tasks][gaussian]") {
  const GaussianTaskSampler<double> sampler(diag4(), 0.5, 7, 4);
  const auto a = sampler.sample(beta4(), seed, 11);
  // Drawing other indices first, or using another sampler object, changes nothing.
  for (std::uint64_t i = 0; i < 11; ++i) (void)sampler.sample(beta4(), seed, i);
  const auto b = GaussianTaskSampler<double>(diag4(), 0.5, 7, 4).sample(beta4(), seed, 11);
  CHECK(a.X == b.X);
  CHECK(a.y == b.y);
  CHECK(a.X_tr == b.X_tr);
  CHECK(a.y_tr == b.y_tr);
  // Another index or seed gives other numbers everywhere.
  const auto c = sampler.sample(beta4(), seed, 12);
  const auto e = sampler.sample(beta4(), seed + 1, 11);
  CHECK((a.X.array() != c.X.array()).all());
  CHECK((a.X.array() != e.X.array()).all());
  CHECK((a.y_tr.array() != c.y_tr.array()).all());
  // Context and test-time set come from different streams.
  CHECK((a.X.topRows(4).array() != a.X_tr.array()).all());

  // Rows are addressed by their index: a longer context extends a shorter one, and a sampler on the first
  // coordinates sees the first columns.
  const auto longer = GaussianTaskSampler<double>(diag4(), 0.5, 10, 6).sample(beta4(), seed, 11);
  CHECK(longer.X.topRows(7) == a.X);
  CHECK(longer.X_tr.topRows(4) == a.X_tr);
  const Vec<double> sx3 = diag4().head(3);
  const auto narrow = GaussianTaskSampler<double>(sx3, 0.5, 7, 4).design(seed, 11, rnd::stream_context_x, 7);
  CHECK(narrow == a.X.leftCols(3));

  // Tasks too.
  const Vec<double> sb = Vec<double>::Constant(5, 1.0);
  CHECK(GaussianTaskSampler<double>::sample_task(sb, seed, 4) == GaussianTaskSampler<double>::sample_task(sb, seed, 4));
  CHECK((GaussianTaskSampler<double>::sample_task(sb, seed, 4).array() !=
         GaussianTaskSampler<double>::sample_task(sb, seed, 5).array()).all());
}

TEST_CASE("float samples are the double samples rounded", "[tasks][gaussian]") {
  const GaussianTaskSampler<double> sd(diag4(), 0.3, 5, 3);
  const GaussianTaskSampler<float> sf(diag4().cast<float>(), 0.3f, 5, 3);
  const auto a = sd.sample(beta4(), seed, 2);
  const auto b = sf.sample(beta4().cast<float>(), seed, 2);
  // Each float entry is sqrt(sx) (rounded) times z (rounded) rounded: 3 float roundings.
  CHECK(((b.X.cast<double>() - a.X).array().abs() <= roundoff<float>(3) * a.X.array().abs()).all());
  CHECK(((b.X_tr.cast<double>() - a.X_tr).array().abs() <= roundoff<float>(3) * a.X_tr.array().abs()).all());
}

TEST_CASE("Sampler moments: E[X^T X] = n Sx, noise variance sigma2, noise independent of X", "[tasks][gaussian][mc]") {
  const auto sx = diag4();
  const auto beta = beta4();
  const int d = 4, n = 8, m = 5, trials = 20000;
  const double sigma2 = 0.3;
  const GaussianTaskSampler<double> sampler(sx, sigma2, n, m);

  Mat<double> gram = Mat<double>::Zero(d, d), gram_tr = Mat<double>::Zero(d, d);
  Vec<double> noise_x = Vec<double>::Zero(d);
  double e_sum = 0, e2_sum = 0, etr_sum = 0, etr2_sum = 0, cross = 0;
  for (int t = 0; t < trials; ++t) {
    const auto s = sampler.sample(beta, seed, static_cast<std::uint64_t>(t));
    gram += s.X.transpose() * s.X;
    gram_tr += s.X_tr.transpose() * s.X_tr;
    const Vec<double> e = s.y - s.X * beta;
    const Vec<double> etr = s.y_tr - s.X_tr * beta;
    e_sum += e.sum();
    e2_sum += e.squaredNorm();
    etr_sum += etr.sum();
    etr2_sum += etr.squaredNorm();
    noise_x += s.X.transpose() * e;
    cross += e[0] * etr[0];
  }
  gram /= trials;
  gram_tr /= trials;

  // (X^T X)_jk of one trial is a sum of `rows` products x_j x_k with variance sx_j sx_k (1 + [j = k]).
  for (int j = 0; j < d; ++j) {
    for (int k = 0; k < d; ++k) {
      const double v = sx[j] * sx[k] * (j == k ? 2.0 : 1.0);
      const double expect = j == k ? sx[j] : 0.0;
      INFO("entry (" << j << ", " << k << ")");
      CHECK(std::fabs(gram(j, k) - n * expect) <= mc_sigmas * std::sqrt(n * v / trials));
      CHECK(std::fabs(gram_tr(j, k) - m * expect) <= mc_sigmas * std::sqrt(m * v / trials));
    }
  }

  // eps ~ N(0, sigma2): mean se sqrt(sigma2 / N), mean-square se sigma2 sqrt(2 / N).
  const double N = static_cast<double>(n) * trials, Ntr = static_cast<double>(m) * trials;
  CHECK(std::fabs(e_sum / N) <= mc_sigmas * std::sqrt(sigma2 / N));
  CHECK(std::fabs(e2_sum / N - sigma2) <= mc_sigmas * sigma2 * std::sqrt(2 / N));
  CHECK(std::fabs(etr_sum / Ntr) <= mc_sigmas * std::sqrt(sigma2 / Ntr));
  CHECK(std::fabs(etr2_sum / Ntr - sigma2) <= mc_sigmas * sigma2 * std::sqrt(2 / Ntr));
  // E[x_j eps] = 0 with Var = sx_j sigma2; the context and test-time noise are uncorrelated.
  for (int j = 0; j < d; ++j) CHECK(std::fabs(noise_x[j] / N) <= mc_sigmas * std::sqrt(sx[j] * sigma2 / N));
  CHECK(std::fabs(cross / trials) <= mc_sigmas * sigma2 / std::sqrt(trials));
}

TEST_CASE("sample_task draws beta ~ N(0, diag(sb))", "[tasks][gaussian][mc]") {
  Vec<double> sb(4);
  sb << 0.2, 1.0, 1.8, 0.0;
  const int trials = 20000;
  Vec<double> s1 = Vec<double>::Zero(4), s2 = Vec<double>::Zero(4);
  bool zero_stays_zero = true;  // a coordinate of variance 0 is exactly 0
  for (int t = 0; t < trials; ++t) {
    const auto b = GaussianTaskSampler<double>::sample_task(sb, seed, static_cast<std::uint64_t>(t));
    zero_stays_zero = zero_stays_zero && b[3] == 0.0;
    s1 += b;
    s2 += b.cwiseProduct(b);
  }
  CHECK(zero_stays_zero);
  for (int j = 0; j < 3; ++j) {
    INFO("coordinate " << j);
    CHECK(std::fabs(s1[j] / trials) <= mc_sigmas * std::sqrt(sb[j] / trials));
    CHECK(std::fabs(s2[j] / trials - sb[j]) <= mc_sigmas * sb[j] * std::sqrt(2.0 / trials));
  }
}

TEST_CASE("GaussianTaskSampler rejects bad arguments", "[tasks][gaussian]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto sx = diag4();
  using S = GaussianTaskSampler<double>;
  CHECK_THROWS_AS(S(Vec<double>(0), 0.1, 4, 2), std::invalid_argument);  // d = 0
  CHECK_THROWS_AS(S(sx, 0.1, 0, 2), std::invalid_argument);               // n = 0
  CHECK_THROWS_AS(S(sx, 0.1, -1, 2), std::invalid_argument);
  CHECK_THROWS_AS(S(sx, 0.1, 4, -1), std::invalid_argument);              // m < 0
  CHECK_THROWS_AS(S(sx, -0.1, 4, 2), std::invalid_argument);              // negative noise variance
  CHECK_THROWS_AS(S(sx, nan, 4, 2), std::invalid_argument);
  Vec<double> bad = sx;
  bad[2] = -1.0;
  CHECK_THROWS_AS(S(bad, 0.1, 4, 2), std::invalid_argument);              // negative feature variance
  bad[2] = nan;
  CHECK_THROWS_AS(S(bad, 0.1, 4, 2), std::invalid_argument);
  CHECK_NOTHROW(S(sx, 0.0, 1, 0));

  // A task of the wrong dimension.
  const S sampler(sx, 0.1, 4, 2);
  CHECK_THROWS_AS(sampler.sample(Vec<double>::Ones(3), seed, 0), std::invalid_argument);
  CHECK_THROWS_AS(sampler.sample(Vec<double>::Ones(5), seed, 0), std::invalid_argument);
  // A prior with a negative or NaN variance.
  Vec<double> sb = Vec<double>::Ones(3);
  sb[1] = -0.5;
  CHECK_THROWS_AS(S::sample_task(sb, seed, 0), std::invalid_argument);
  sb[1] = nan;
  CHECK_THROWS_AS(S::sample_task(sb, seed, 0), std::invalid_argument);
}
