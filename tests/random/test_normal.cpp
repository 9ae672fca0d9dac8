// Tests of <ttt/random/normal.hpp>: the uniform map, the counter layout, random access against the
// sequential fill, determinism, and the distribution of 10^6 normals (moments and goodness of fit).
#include <ttt/random/normal.hpp>

#include "support/tolerance.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace ttt::random;
using ttt::test::mc_sigmas;

namespace {

constexpr std::uint64_t seed = 0x5eed0001u;
constexpr std::uint32_t row_length = 1000;

/// rows * row_length normals: rows 0..rows-1 of (seed, trial, stream).
std::vector<double> draw(std::uint64_t s, std::uint64_t trial, std::uint32_t stream, std::uint32_t rows) {
  std::vector<double> z(static_cast<std::size_t>(rows) * row_length);
  for (std::uint32_t r = 0; r < rows; ++r)
    NormalRow(s, trial, stream, r).fill(z.data() + static_cast<std::size_t>(r) * row_length, row_length);
  return z;
}

/// Two-sided tail probability of mc_sigmas standard errors: the false-alarm rate of every check below.
double mc_alpha() { return std::erfc(mc_sigmas / std::sqrt(2.0)); }

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

TEST_CASE("u01_from_bits lies strictly inside (0,1) on cell midpoints", "[random][normal]") {
  const double half_cell = std::ldexp(1.0, -53);
  const double cell = std::ldexp(1.0, -52);
  // Extremes of the 64-bit input: the lowest and highest of the 2^52 cells.
  CHECK(u01_from_bits(0u, 0u) == half_cell);
  CHECK(u01_from_bits(0xffffffffu, 0xffffffffu) == 1.0 - half_cell);
  CHECK(u01_from_bits(0xffffffffu, 0xffffffffu) < 1.0);
  CHECK(u01_from_bits(0xffffffffu, 0xfffff000u) == 1.0 - half_cell);  // the 12 dropped bits do not matter
  CHECK(u01_from_bits(0u, 0x00000fffu) == half_cell);
  // Adjacent cells are exactly one cell apart at both ends and in the middle (no rounding anywhere).
  CHECK(u01_from_bits(0u, 0x1000u) - u01_from_bits(0u, 0u) == cell);
  CHECK(u01_from_bits(0xffffffffu, 0xffffffffu) - u01_from_bits(0xffffffffu, 0xffffefffu) == cell);
  CHECK(u01_from_bits(0x80000000u, 0u) - u01_from_bits(0x7fffffffu, 0xffffffffu) == cell);
  CHECK(u01_from_bits(0x80000000u, 0u) == 0.5 + half_cell);
  // So log(u) and log(1 - u) are finite for every input.
  CHECK(std::isfinite(std::log(u01_from_bits(0u, 0u))));
  CHECK(std::isfinite(std::log1p(-u01_from_bits(0xffffffffu, 0xffffffffu))));

  // And every uniform a row hands out is inside (0,1).
  const NormalRow row(seed, 3, stream_user, 0);
  double lo = 1, hi = 0;
  for (std::uint32_t k = 0; k < 100000; ++k) {
    const double u = row.uniform_at(k);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
}

TEST_CASE("Box-Muller is finite and bounded at the extreme uniforms", "[random][normal]") {
  // |z| <= sqrt(-2 log u0) <= sqrt(-2 log 2^-53) = sqrt(106 log 2).
  const double zmax = std::sqrt(106.0 * std::log(2.0));
  for (std::uint32_t a : {0u, 0xffffffffu}) {
    for (std::uint32_t b : {0u, 0x7fffffffu, 0xffffffffu}) {
      double z0, z1;
      box_muller(Philox4x32::Counter{{a, a, b, b}}, z0, z1);
      CHECK(std::isfinite(z0));
      CHECK(std::isfinite(z1));
      CHECK(std::hypot(z0, z1) <= zmax * (1 + ttt::test::roundoff(8)));
    }
  }
}

TEST_CASE("counter_for lays out (pair, row, trial, stream) as documented", "[random][normal]") {
  const std::uint64_t trial = 0x00abcdef12345678ull;
  const auto c = counter_for(trial, 0x1234u, 77u, 5u);
  CHECK(c.v[0] == 5u);
  CHECK(c.v[1] == 77u);
  CHECK(c.v[2] == 0x12345678u);
  CHECK(c.v[3] == ((0xabcdefu << 8) | 0x34u));  // only the low 8 bits of the stream id are used
  const auto k = key_from_seed(0x0123456789abcdefull);
  CHECK(k.v[0] == 0x89abcdefu);
  CHECK(k.v[1] == 0x01234567u);
}

TEST_CASE("NormalRow::fill and at() give the same numbers", "[random][normal]") {
  for (std::uint32_t count : {1u, 2u, 3u, 8u, 9u, 1001u}) {
    INFO("count = " << count);
    const NormalRow row(seed, 12345, stream_context_x, 6);
    std::vector<double> z(count + 1, -999.0);  // sentinel after the last element
    row.fill(z.data(), count);
    std::vector<float> zf(count);
    row.fill(zf.data(), count);
    bool all_equal = true, all_equal_float = true;
    for (std::uint32_t k = 0; k < count; ++k) {
      all_equal = all_equal && z[k] == row.at(k);
      all_equal_float = all_equal_float && zf[k] == static_cast<float>(row.at(k));
    }
    CHECK(all_equal);
    CHECK(all_equal_float);
    CHECK(z[count] == -999.0);
  }
}

TEST_CASE("A Box-Muller pair and uniform_at come from the same Philox call", "[random][normal]") {
  // z_{2k}^2 + z_{2k+1}^2 = -2 log u0 with u0 = uniform_at(k); each side has a few roundings.
  const NormalRow row(seed, 9, stream_train_x, 2);
  for (std::uint32_t k = 0; k < 1000; ++k) {
    const double a = row.at(2 * k), b = row.at(2 * k + 1);
    const double r2 = -2.0 * std::log(row.uniform_at(k));
    CHECK(ttt::test::close_rel(a * a + b * b, r2, ttt::test::roundoff(8)));
  }
}

TEST_CASE("Normals are a pure function of (seed, trial, stream, row, index)", "[random][normal]") {
  const std::uint64_t trial = 41;
  const std::uint32_t stream = stream_context_noise, r = 3;
  const NormalRow base(seed, trial, stream, r);
  std::vector<double> z(64), again(64);
  base.fill(z.data(), 64);
  NormalRow(seed, trial, stream, r).fill(again.data(), 64);
  CHECK(z == again);
  // Reading out of order, or after drawing other rows, changes nothing.
  (void)NormalRow(seed, trial + 1, stream, r).at(5);
  CHECK(base.at(63) == z[63]);
  CHECK(base.at(0) == z[0]);

  // Each coordinate matters, including the high halves of seed and trial.
  const NormalRow others[] = {
      NormalRow(seed + 1, trial, stream, r),
      NormalRow(seed + (std::uint64_t{1} << 32), trial, stream, r),
      NormalRow(seed, trial + 1, stream, r),
      NormalRow(seed, trial + (std::uint64_t{1} << 32), stream, r),
      NormalRow(seed, trial, stream + 1, r),
      NormalRow(seed, trial, stream, r + 1),
  };
  for (const auto& o : others) {
    int same = 0;
    for (std::uint32_t k = 0; k < 64; ++k) same += o.at(k) == z[k];
    CHECK(same == 0);
  }
}

TEST_CASE("10^6 normals have the moments of N(0,1)", "[random][normal][mc]") {
  const auto z = draw(seed, 0, stream_user, 1000);
  const double N = static_cast<double>(z.size());
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0, pair = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double x = z[i], x2 = x * x;
    s1 += x;
    s2 += x2;
    s3 += x2 * x;
    s4 += x2 * x2;
    if (i % 2 == 0) pair += z[i] * z[i + 1];  // the two normals of one Box-Muller pair
  }
  // Under N(0,1): E z^k = 0, 1, 0, 3 with Var z^k = 1, 2, 15, 96, so se = sqrt(Var / N).
  const double m1 = s1 / N, m2 = s2 / N, m3 = s3 / N, m4 = s4 / N, mp = pair / (N / 2);
  INFO("mean " << m1 << "  E z^2 " << m2 << "  E z^3 " << m3 << "  E z^4 " << m4 << "  E z0 z1 " << mp);
  CHECK(std::fabs(m1) <= mc_sigmas * std::sqrt(1 / N));
  CHECK(std::fabs(m2 - 1) <= mc_sigmas * std::sqrt(2 / N));
  CHECK(std::fabs(m3) <= mc_sigmas * std::sqrt(15 / N));
  CHECK(std::fabs(m4 - 3) <= mc_sigmas * std::sqrt(96 / N));
  // cos and sin of one pair are uncorrelated: Var(z0 z1) = 1 over N/2 pairs.
  CHECK(std::fabs(mp) <= mc_sigmas * std::sqrt(1 / (N / 2)));
}

TEST_CASE("Streams, trials and rows are uncorrelated", "[random][normal][mc]") {
  // Products of normals from two coordinates that differ in one field: mean 0, variance 1 each.
  const std::uint32_t rows = 100;
  const auto a = draw(seed, 7, stream_train_x, rows);
  const auto by_stream = draw(seed, 7, stream_train_noise, rows);
  const auto by_trial = draw(seed, 8, stream_train_x, rows);
  const auto by_seed = draw(seed + 1, 7, stream_train_x, rows);
  const double N = static_cast<double>(a.size());
  double c_stream = 0, c_trial = 0, c_seed = 0, c_row = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    c_stream += a[i] * by_stream[i];
    c_trial += a[i] * by_trial[i];
    c_seed += a[i] * by_seed[i];
    c_row += a[i] * a[(i + row_length) % a.size()];  // same index, next row
  }
  const double bound = mc_sigmas / std::sqrt(N);
  CHECK(std::fabs(c_stream / N) <= bound);
  CHECK(std::fabs(c_trial / N) <= bound);
  CHECK(std::fabs(c_seed / N) <= bound);
  CHECK(std::fabs(c_row / N) <= bound);
}

TEST_CASE("10^6 normals pass Kolmogorov-Smirnov and chi-square tests", "[random][normal][mc]") {
  auto z = draw(seed + 17, 0, stream_user + 1, 1000);
  const std::size_t N = z.size();
  const double alpha = mc_alpha();  // 5.7e-7 for 5 sigma

  SECTION("Kolmogorov-Smirnov") {
    // Dvoretzky-Kiefer-Wolfowitz with Massart's constant: P(sup |F_N - Phi| > eps) <= 2 exp(-2 N eps^2)
    // for every N, so the critical value at level alpha is eps = sqrt(log(2/alpha) / (2N)) = 2.75e-3.
    std::sort(z.begin(), z.end());
    double D = 0;
    for (std::size_t i = 0; i < N; ++i) {
      const double F = normal_cdf(z[i]);
      D = std::max({D, static_cast<double>(i + 1) / static_cast<double>(N) - F, F - static_cast<double>(i) / static_cast<double>(N)});
    }
    const double critical = std::sqrt(std::log(2 / alpha) / (2.0 * static_cast<double>(N)));
    INFO("D = " << D << "  critical value " << critical << " at alpha " << alpha);
    CHECK(D <= critical);
  }

  SECTION("chi-square on 1000 equiprobable bins") {
    // Bin j = floor(1000 Phi(z)); the statistic is chi-square with 999 degrees of freedom; critical value
    // at level alpha from Boost.Math: about 1246.
    const int bins = 1000;
    std::vector<double> counts(bins, 0.0);
    for (double x : z) counts[static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(bins * normal_cdf(x))))] += 1;
    const double expected = static_cast<double>(N) / bins;
    double chi2 = 0;
    for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
    const double critical =
        boost::math::quantile(boost::math::complement(boost::math::chi_squared(bins - 1), alpha));
    INFO("chi2 = " << chi2 << "  critical value " << critical << " at alpha " << alpha);
    CHECK(chi2 <= critical);
  }
}

TEST_CASE("uniform_at passes a chi-square test on 1000 bins", "[random][normal][mc]") {
  const int bins = 1000;
  const std::uint32_t N = 1000000;
  std::vector<double> counts(bins, 0.0);
  const NormalRow row(seed, 5, stream_user + 2, 0);
  for (std::uint32_t k = 0; k < N; ++k)
    counts[static_cast<std::size_t>(static_cast<int>(bins * row.uniform_at(k)))] += 1;
  const double expected = static_cast<double>(N) / bins;
  double chi2 = 0;
  for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
  const double critical =
      boost::math::quantile(boost::math::complement(boost::math::chi_squared(bins - 1), mc_alpha()));
  INFO("chi2 = " << chi2 << "  critical value " << critical);
  CHECK(chi2 <= critical);
}
