// Tests of <ttt/sim/engine.hpp> and <ttt/sim/block_stats.hpp>: ordered block merging, byte-identical results
// across thread counts and CPU backends, and the Welford/Chan statistics against a two-pass computation.
#include <ttt/sim/engine.hpp>
#include <ttt/random/normal.hpp>

#include <catch2/catch.hpp>
#include "support/tolerance.hpp"

#include <cstring>
#include <vector>

namespace {

// A cheap trial with two correlated components: (z, z^2 + 0.5 z') from the trial's normals.
struct ToyTrial {
  using Real = double;
  static constexpr int K = 2;
  std::uint64_t seed;
  std::size_t scratch_size() const { return 2; }
  void operator()(std::uint64_t t, double* s, double* out) const {
    ttt::random::NormalRow(seed, t, ttt::random::stream_user, 0).fill(s, 2);
    out[0] = s[0];
    out[1] = s[0] * s[0] + 0.5 * s[1];
  }
};

template <int K>
bool same_bytes(const ttt::sim::RunResult<K>& a, const ttt::sim::RunResult<K>& b) {
  if (a.blocks.size() != b.blocks.size()) return false;
  return std::memcmp(a.blocks.data(), b.blocks.data(), a.blocks.size() * sizeof(a.blocks[0])) == 0 &&
         std::memcmp(&a.total, &b.total, sizeof(a.total)) == 0;
}

}  // namespace

TEST_CASE("engine results are byte-identical across threads and CPU backends", "[mc][parity]") {
  ttt::sim::RunConfig cfg;
  cfg.trials = 10007;  // a partial last block
  cfg.block_size = 64;
  const ToyTrial f{42};
  cfg.backend = ttt::Backend::omp;
  cfg.threads = 1;
  const auto r1 = ttt::sim::run_host(f, cfg);
  cfg.threads = 2;
  const auto r2 = ttt::sim::run_host(f, cfg);
  cfg.threads = 3;  // more threads than cores
  const auto r3 = ttt::sim::run_host(f, cfg);
  cfg.backend = ttt::Backend::cpp;
  const auto rc = ttt::sim::run_host(f, cfg);
  CHECK(r1.total.count == cfg.trials);
  CHECK(r1.blocks.size() == 157);
  CHECK(same_bytes(r1, r2));
  CHECK(same_bytes(r1, r3));
  CHECK(same_bytes(r1, rc));
}

TEST_CASE("a distributed block range merges to the whole run", "[mc][parity]") {
  ttt::sim::RunConfig cfg;
  cfg.trials = 5000;
  cfg.block_size = 100;
  const ToyTrial f{7};
  const auto all = ttt::sim::run_host(f, cfg);
  // Two "ranks": blocks [0, 20) and [20, 50).
  ttt::sim::RunConfig a = cfg, b = cfg;
  a.block_count = 20;
  b.first_block = 20;
  b.block_count = 30;
  auto ra = ttt::sim::run_host(f, a), rb = ttt::sim::run_host(f, b);
  ra.blocks.insert(ra.blocks.end(), rb.blocks.begin(), rb.blocks.end());
  const auto merged = ttt::sim::merge_in_order(ra.blocks);
  CHECK(std::memcmp(&merged, &all.total, sizeof merged) == 0);
}

TEST_CASE("block statistics equal a two-pass mean and covariance", "[mc]") {
  ttt::sim::RunConfig cfg;
  cfg.trials = 3000;
  cfg.block_size = 37;
  const ToyTrial f{11};
  const auto r = ttt::sim::run_host(f, cfg);
  std::vector<double> x0, x1;
  double s[2], out[2];
  for (std::uint64_t t = 0; t < cfg.trials; ++t) {
    f(t, s, out);
    x0.push_back(out[0]);
    x1.push_back(out[1]);
  }
  double m0 = 0, m1 = 0;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    m0 += x0[i];
    m1 += x1[i];
  }
  m0 /= double(x0.size());
  m1 /= double(x1.size());
  double c00 = 0, c01 = 0, c11 = 0;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    c00 += (x0[i] - m0) * (x0[i] - m0);
    c01 += (x0[i] - m0) * (x1[i] - m1);
    c11 += (x1[i] - m1) * (x1[i] - m1);
  }
  const double n1 = double(x0.size() - 1);
  const double tol = ttt::test::roundoff(double(cfg.trials));
  CHECK(r.total.mean[0] == Approx(m0).epsilon(tol).margin(tol));
  CHECK(r.total.mean[1] == Approx(m1).epsilon(tol));
  CHECK(r.total.covariance(0, 0) == Approx(c00 / n1).epsilon(tol));
  CHECK(r.total.covariance(0, 1) == Approx(c01 / n1).epsilon(tol));
  CHECK(r.total.covariance(1, 1) == Approx(c11 / n1).epsilon(tol));
  // The toy's exact moments: E z = 0, E(z^2 + z'/2) = 1, cov = E z^3 = 0, var_1 = 2 + 1/4.
  CHECK(std::fabs(r.total.mean[1] - 1.0) < ttt::test::mc_sigmas * std::sqrt(2.25 / double(cfg.trials)));
}

TEST_CASE("bad run configurations are rejected", "[mc]") {
  ttt::sim::RunConfig cfg;
  cfg.trials = 0;
  CHECK_THROWS_AS(ttt::sim::run_host(ToyTrial{1}, cfg), std::invalid_argument);
  cfg.trials = 10;
  cfg.block_size = 0;
  CHECK_THROWS_AS(ttt::sim::run_host(ToyTrial{1}, cfg), std::invalid_argument);
  cfg.block_size = 4;
  cfg.first_block = 2;
  cfg.block_count = 5;
  CHECK_THROWS_AS(ttt::sim::run_host(ToyTrial{1}, cfg), std::invalid_argument);
}
