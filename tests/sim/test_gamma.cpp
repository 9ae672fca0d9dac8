// Tests of <ttt/random/gamma.hpp>: chi-square moments (mean k, variance 2k) within 5 standard errors.
#include <ttt/random/gamma.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

TEST_CASE("chi-square variates have mean k and variance 2k", "[mc][random]") {
  for (double k : {1.0, 2.5, 39.0, 10000.0}) {
    const int N = 100000;
    double s = 0, s2 = 0;
    int nonpositive = 0;
    for (int i = 0; i < N; ++i) {
      const double x = ttt::random::chi_square_variate(k, 5, std::uint64_t(i), ttt::random::stream_reduced, 0);
      nonpositive += x > 0 ? 0 : 1;
      s += x;
      s2 += x * x;
    }
    CHECK(nonpositive == 0);
    const double mean = s / N, var = s2 / N - mean * mean;
    INFO("k = " << k << " mean " << mean << " var " << var);
    CHECK(std::fabs(mean - k) < ttt::test::mc_sigmas * std::sqrt(2 * k / N));
    // var of the sample variance of a chi-square: (mu4 - sigma^4)/N with mu4 = 12k(k+4) ... use 5 se of it.
    const double mu4 = 12 * k * (k + 4);
    CHECK(std::fabs(var - 2 * k) < ttt::test::mc_sigmas * std::sqrt((mu4 - 4 * k * k) / N));
  }
}

TEST_CASE("gamma variates are pure functions of their coordinates", "[random]") {
  const double a = ttt::random::gamma_variate(0.3, 1, 2, 3, 4);
  CHECK(a == ttt::random::gamma_variate(0.3, 1, 2, 3, 4));
  CHECK(a != ttt::random::gamma_variate(0.3, 1, 2, 3, 5));
}
