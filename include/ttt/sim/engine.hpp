// ttt/sim/engine.hpp: the Monte Carlo engine. A trial is a TTT_HOST_DEVICE functor, a pure function of
// (seed, trial index) writing K doubles; trials are grouped in fixed-size blocks, each block accumulated in
// trial order by one thread (BlockStats), blocks evaluated in parallel by Thrust over a counting iterator
// under an execution policy (thrust::cpp::par, thrust::omp::par, thrust::cuda::par), and the block results
// merged on the host in block order. Thrust's own reduce is not used: it splits work by the machine's
// core count, which would make sums depend on the machine.
//
// Functor concept:
//   static constexpr int K;                                     // outputs per trial
//   using Real = ...;                                            // scratch element type
//   std::size_t scratch_size() const;                            // Reals of scratch per trial
//   TTT_HOST_DEVICE void operator()(std::uint64_t trial, Real* scratch, double* out) const;
#pragma once

#include <ttt/config.hpp>
#include <ttt/sim/block_stats.hpp>

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ttt::sim {

/// How a run is split and executed. The block size is part of the result's definition (it fixes the
/// summation order); threads and backend are not (for the CPU backends).
struct RunConfig {
  std::uint64_t trials = 1000;
  std::uint32_t block_size = 256;
  Backend backend = Backend::omp;
  int threads = 0;                      // 0: OpenMP's default
  std::uint64_t first_block = 0;        // for distributed runs: this process evaluates blocks
  std::uint64_t block_count = 0;        //   [first_block, first_block + block_count); 0 = all
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // called between chunks
};

inline std::uint64_t total_blocks(const RunConfig& c) {
  return (c.trials + c.block_size - 1) / c.block_size;
}

/// Result of a run: one BlockStats per block (in block order) and their ordered merge.
template <int K>
struct RunResult {
  std::vector<BlockStats<K>> blocks;
  BlockStats<K> total;
};

/// Distribution of whole runs over processes (MPI ranks; see <ttt/sim/mpi.hpp>, which installs one). When
/// installed, run_host evaluates only this process's contiguous block range of a run that asks for all
/// blocks (first_block = block_count = 0), and `allgather` returns every block in block order, so the merge
/// is the same as in one process. Block results travel as bytes: BlockStats is trivially copyable.
struct BlockDistributor {
  virtual ~BlockDistributor() = default;
  /// This process's range [first, first + count) of `all` blocks; the ranges of processes 0, 1, ... are
  /// contiguous and in order.
  virtual void range(std::uint64_t all, std::uint64_t& first, std::uint64_t& count) const = 0;
  /// Concatenates every process's `local_bytes` (in process order) into `all_out` (`all_bytes`) on every process.
  virtual void allgather(const void* local, std::size_t local_bytes, void* all_out, std::size_t all_bytes) const = 0;
};

/// The process-wide distributor (null: every run is evaluated in full by this process).
inline const BlockDistributor*& block_distributor() {
  static const BlockDistributor* d = nullptr;
  return d;
}

/// Merges block results in block order.
template <int K>
BlockStats<K> merge_in_order(const std::vector<BlockStats<K>>& blocks) {
  BlockStats<K> t;
  t.reset();
  for (const auto& b : blocks) t.merge(b);
  return t;
}

namespace detail {

/// Evaluates block `first + i` with the scratch slot i.
template <class Functor>
struct BlockEvaluator {
  static constexpr int K = Functor::K;
  using Real = typename Functor::Real;
  Functor f;
  std::uint64_t first_block;
  std::uint64_t trials;
  std::uint32_t block_size;
  std::size_t scratch_stride;
  Real* scratch;
  BlockStats<K>* out;

  TTT_HOST_DEVICE void operator()(std::uint64_t i) const {
    const std::uint64_t b = first_block + i;
    const std::uint64_t t0 = b * block_size;
    const std::uint64_t t1 = (t0 + block_size < trials) ? t0 + block_size : trials;
    Real* s = scratch + i * scratch_stride;
    BlockStats<K> st;
    st.reset();
    double x[K];
    for (std::uint64_t t = t0; t < t1; ++t) {
      f(t, s, x);
      st.push(x);
    }
    out[i] = st;
  }
};

}  // namespace detail

/// Runs `nblocks` blocks starting at `first_block` under `policy`, with scratch and output in memory the
/// policy can address (host vectors for cpp/omp; device memory for cuda).
template <class Policy, class Functor>
void evaluate_blocks(Policy&& policy, const Functor& f, std::uint64_t first_block, std::uint64_t nblocks,
                     std::uint64_t trials, std::uint32_t block_size, typename Functor::Real* scratch,
                     BlockStats<Functor::K>* out) {
  detail::BlockEvaluator<Functor> ev{f, first_block, trials, block_size, f.scratch_size(), scratch, out};
  thrust::for_each(policy, thrust::counting_iterator<std::uint64_t>(0), thrust::counting_iterator<std::uint64_t>(nblocks),
                   ev);
}

/// Runs on a CPU backend (cpp or omp). Chunks of blocks bound the scratch memory; the chunk size does not
/// affect the result.
template <class Functor>
RunResult<Functor::K> run_host(const Functor& f, const RunConfig& cfg);

}  // namespace ttt::sim

#include <ttt/sim/detail/engine_host.hpp>
