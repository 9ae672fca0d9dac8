// Tests of <ttt/random/normal_block.hpp>: the SIMD Philox against the scalar Philox (bit-identical), block
// fills against random access (bit-identical), the poly normals against NormalRow's (last bits), and their
// distribution (moments and a chi-square goodness of fit).
#include <ttt/random/normal_block.hpp>

#include "support/tolerance.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace ttt::random;
using ttt::test::mc_sigmas;

TEST_CASE("philox4x32_10_lanes is bit-identical to the scalar Philox4x32-10", "[random][philox]") {
  std::mt19937_64 g(11);
  constexpr int N = normal_block_lanes;
  for (int rep = 0; rep < 200; ++rep) {
    std::uint32_t c0[N], c1[N], c2[N], c3[N];
    Philox4x32::Counter ref[N];
    const auto k0 = static_cast<std::uint32_t>(g()), k1 = static_cast<std::uint32_t>(g());
    for (int i = 0; i < N; ++i) {
      // Random counters, plus the extremes of every word.
      const bool edge = rep == 0;
      c0[i] = edge ? (i & 1 ? 0xffffffffu : 0u) : static_cast<std::uint32_t>(g());
      c1[i] = edge ? (i & 2 ? 0xffffffffu : 0u) : static_cast<std::uint32_t>(g());
      c2[i] = edge ? (i & 4 ? 0xffffffffu : 0u) : static_cast<std::uint32_t>(g());
      c3[i] = edge ? (i & 8 ? 0xffffffffu : 0u) : static_cast<std::uint32_t>(g());
      ref[i] = Philox4x32::apply({{c0[i], c1[i], c2[i], c3[i]}}, {{k0, k1}});
    }
    philox4x32_10_lanes<N>(c0, c1, c2, c3, k0, k1);
    for (int i = 0; i < N; ++i) {
      REQUIRE(c0[i] == ref[i].v[0]);
      REQUIRE(c1[i] == ref[i].v[1]);
      REQUIRE(c2[i] == ref[i].v[2]);
      REQUIRE(c3[i] == ref[i].v[3]);
    }
  }
}

TEST_CASE("block fills give the same bits as random access, for any row length and offset", "[random][normal]") {
  for (std::uint32_t len : {1u, 2u, 3u, 7u, 8u, 40u, 63u, 64u, 65u, 127u, 128u, 129u, 130u, 1280u, 1281u}) {
    for (std::uint32_t row0 : {0u, 5u}) {
      for (std::uint32_t rows : {1u, 2u, 13u}) {
        const PolyNormalStream gen(0x5eedu + len, 123456789012ull, stream_train_x);
        std::vector<double> z(std::size_t(rows) * len, std::nan(""));
        gen.fill_rows(row0, rows, len, z.data());
        std::vector<float> zf(std::size_t(rows) * len);
        gen.fill_rows(row0, rows, len, zf.data());
        for (std::uint32_t r = 0; r < rows; ++r)
          for (std::uint32_t k = 0; k < len; ++k) {
            const double a = gen.at(row0 + r, k);
            INFO("len " << len << " row0 " << row0 << " rows " << rows << " r " << r << " k " << k);
            REQUIRE(z[std::size_t(r) * len + k] == a);
            REQUIRE(zf[std::size_t(r) * len + k] == static_cast<float>(a));
          }
      }
    }
  }
}

TEST_CASE("poly normals differ from NormalRow's only in the last bits", "[random][normal]") {
  // Same uniforms; the library's log and sincos are within 1 ulp of the true values and std::cos(two_pi u)
  // has an argument error of up to 2 pi 2^-53, so |difference| <= a few 1e-16 (|z| + 1).
  const PolyNormalStream gen(99, 7, stream_context_x);
  double worst = 0;
  for (std::uint32_t r = 0; r < 50; ++r) {
    const NormalRow row(99, 7, stream_context_x, r);
    for (std::uint32_t k = 0; k < 2000; ++k) {
      const double a = gen.at(r, k), b = row.at(k);
      worst = std::fmax(worst, std::fabs(a - b) / (1 + std::fabs(b)));
    }
  }
  INFO("max |poly - NormalRow| / (1 + |z|) = " << worst);
  CHECK(worst < 1e-14);
}

TEST_CASE("poly normals are standard normal (moments, goodness of fit)", "[random][normal]") {
  constexpr std::uint32_t rows = 1000, len = 1000;
  std::vector<double> z(std::size_t(rows) * len);
  PolyNormalStream(0x5eed0001u, 3, stream_user).fill_rows(0, rows, len, z.data());
  const double N = double(z.size());
  double s1 = 0, s2 = 0, s4 = 0;
  for (double x : z) {
    s1 += x;
    s2 += x * x;
    s4 += x * x * x * x;
  }
  const double mean = s1 / N, var = s2 / N - mean * mean, m4 = s4 / N;
  CHECK(std::fabs(mean) < mc_sigmas * std::sqrt(1 / N));
  CHECK(std::fabs(var - 1) < mc_sigmas * std::sqrt(2 / N));
  CHECK(std::fabs(m4 - 3) < mc_sigmas * std::sqrt(96 / N));
  // Chi-square over 40 equiprobable cells of N(0, 1) (cell edges by bisection of the cdf).
  constexpr int cells = 40;
  std::vector<double> edges(cells - 1);
  for (int c = 1; c < cells; ++c) {
    double lo = -10, hi = 10;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < double(c) / cells ? lo : hi) = mid;
    }
    edges[std::size_t(c - 1)] = 0.5 * (lo + hi);
  }
  std::vector<double> counts(cells, 0);
  for (double x : z) counts[std::size_t(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin())] += 1;
  double chi2 = 0;
  for (double c : counts) chi2 += (c - N / cells) * (c - N / cells) / (N / cells);
  const boost::math::chi_squared dist(cells - 1);
  CHECK(chi2 < boost::math::quantile(boost::math::complement(dist, std::erfc(mc_sigmas / std::sqrt(2.0)))));
}
