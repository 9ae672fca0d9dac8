// Tests of <ttt/sim/mpi.hpp>'s block ranges and the engine's BlockDistributor hook, without MPI: P "ranks"
// are simulated in one process (each rank's allgather fills the other ranks' blocks from a run without the
// hook), and the result of every simulated rank must have the bytes of the undistributed run.
#include <ttt/sim/mpi.hpp>
#include <ttt/sim/one_step.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

namespace {

using ttt::sim::BlockDistributor;

/// Rank `rank` of `size`; the other ranks' blocks come from `reference` (what they would compute).
struct SimulatedRank final : BlockDistributor {
  int rank = 0, size = 1;
  const void* reference = nullptr;
  std::size_t block_bytes = 0;
  mutable std::uint64_t calls = 0;

  void range(std::uint64_t all, std::uint64_t& first, std::uint64_t& count) const override {
    ttt::sim::mpi::block_range(all, rank, size, first, count);
  }
  void allgather(const void* local, std::size_t local_bytes, void* all_out, std::size_t all_bytes) const override {
    ++calls;
    std::memcpy(all_out, reference, all_bytes);
    // This rank's bytes go where its range starts (the ranges are contiguous and in rank order).
    std::uint64_t first = 0, count = 0;
    range(all_bytes / block_bytes, first, count);
    REQUIRE(local_bytes == count * block_bytes);
    if (local_bytes) std::memcpy(static_cast<char*>(all_out) + first * block_bytes, local, local_bytes);
  }
};

/// Installs a distributor for the scope.
struct Installed {
  explicit Installed(const BlockDistributor* d) { ttt::sim::block_distributor() = d; }
  ~Installed() { ttt::sim::block_distributor() = nullptr; }
};

}  // namespace

TEST_CASE("block ranges are contiguous, balanced and cover every block", "[mc][mpi]") {
  for (std::uint64_t all : {0ull, 1ull, 2ull, 7ull, 64ull, 1001ull}) {
    for (int size : {1, 2, 3, 4, 7, 16}) {
      std::uint64_t next = 0, lo = all, hi = 0;
      for (int r = 0; r < size; ++r) {
        std::uint64_t first = 0, count = 0;
        ttt::sim::mpi::block_range(all, r, size, first, count);
        CHECK(first == next);
        next = first + count;
        lo = std::min(lo, count);
        hi = std::max(hi, count);
      }
      CHECK(next == all);
      CHECK(hi - lo <= 1);
    }
  }
}

TEST_CASE("a distributed one-step run has the bytes of the undistributed run on every rank", "[mc][mpi][parity]") {
  const auto s = ttt::sim::isotropic_setting(12, 10, 6, 0.0, 1.0, 0.05, 11);
  ttt::sim::RunConfig cfg;
  cfg.trials = 1000;  // 16 blocks of 64, the last one partial
  cfg.block_size = 64;
  cfg.threads = 1;
  const auto ref = ttt::sim::run_one_step(s, ttt::sim::Estimator::brute, cfg);
  REQUIRE(ref.result.blocks.size() == 16);
  for (int size : {1, 2, 3, 4, 20}) {  // 20 ranks: some have no block
    for (int rank = 0; rank < size; ++rank) {
      SimulatedRank d;
      d.rank = rank;
      d.size = size;
      d.reference = ref.result.blocks.data();
      d.block_bytes = sizeof(ref.result.blocks[0]);
      ttt::sim::OneStepRun r;
      {
        const Installed on(&d);
        r = ttt::sim::run_one_step(s, ttt::sim::Estimator::brute, cfg);
      }
      CHECK(d.calls == 1);
      CHECK(r.result.blocks.size() == 16);
      CHECK(std::memcmp(r.result.blocks.data(), ref.result.blocks.data(), 16 * sizeof(r.result.blocks[0])) == 0);
      CHECK(std::memcmp(&r.result.total, &ref.result.total, sizeof r.result.total) == 0);
    }
  }
}

TEST_CASE("explicit block ranges are not distributed again", "[mc][mpi]") {
  const auto s = ttt::sim::isotropic_setting(8, 8, 4, 0.0, 1.0, 0.0, 3);
  ttt::sim::RunConfig cfg;
  cfg.trials = 640;
  cfg.block_size = 64;
  cfg.first_block = 2;
  cfg.block_count = 3;
  const auto ref = ttt::sim::run_one_step(s, ttt::sim::Estimator::reduced, cfg);
  SimulatedRank d;
  d.size = 4;
  d.block_bytes = sizeof(ref.result.blocks[0]);
  const Installed on(&d);
  const auto r = ttt::sim::run_one_step(s, ttt::sim::Estimator::reduced, cfg);
  CHECK(d.calls == 0);
  CHECK(r.result.blocks.size() == 3);
  CHECK(std::memcmp(&r.result.total, &ref.result.total, sizeof r.result.total) == 0);
}
