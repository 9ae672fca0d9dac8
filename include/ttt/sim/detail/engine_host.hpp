// Host (cpp / omp) execution of the Monte Carlo engine.
#pragma once

#include <ttt/sim/engine.hpp>

#include <thrust/system/cpp/execution_policy.h>
#include <thrust/system/omp/execution_policy.h>

#include <type_traits>

#if TTT_HAVE_OPENMP
#include <omp.h>
#endif

namespace ttt::sim {

template <class Functor>
RunResult<Functor::K> run_host(const Functor& f, const RunConfig& cfg) {
  if (cfg.trials < 1) throw std::invalid_argument("Monte Carlo run: trials must be >= 1");
  if (cfg.block_size < 1) throw std::invalid_argument("Monte Carlo run: block size must be >= 1");
  if (cfg.backend == Backend::cuda) throw std::invalid_argument("run_host: the cuda backend runs through run_cuda");
  const std::uint64_t all = total_blocks(cfg);
  if (const BlockDistributor* dist = block_distributor(); dist && cfg.first_block == 0 && cfg.block_count == 0) {
    // This process's blocks, then every process's in block order (see BlockDistributor).
    static_assert(std::is_trivially_copyable_v<BlockStats<Functor::K>>, "block results travel as bytes");
    RunConfig local = cfg;
    dist->range(all, local.first_block, local.block_count);
    RunResult<Functor::K> mine;
    if (local.block_count > 0) mine = run_host(f, local);  // block_count > 0: not distributed again
    RunResult<Functor::K> r;
    r.blocks.resize(static_cast<std::size_t>(all));
    dist->allgather(mine.blocks.data(), mine.blocks.size() * sizeof(BlockStats<Functor::K>), r.blocks.data(),
                    r.blocks.size() * sizeof(BlockStats<Functor::K>));
    r.total = merge_in_order(r.blocks);
    return r;
  }
  const std::uint64_t first = cfg.first_block;
  const std::uint64_t count = cfg.block_count ? cfg.block_count : all - first;
  if (first + count > all) throw std::invalid_argument("Monte Carlo run: block range beyond the trial count");

  int threads = 1;
#if TTT_HAVE_OPENMP
  if (cfg.backend == Backend::omp) {
    if (cfg.threads > 0) omp_set_num_threads(cfg.threads);
    threads = omp_get_max_threads();
  }
#endif
  const std::uint64_t chunk = std::max<std::uint64_t>(1, std::min<std::uint64_t>(count, 16ull * std::uint64_t(threads)));
  const std::size_t stride = std::max<std::size_t>(1, f.scratch_size());
  std::vector<typename Functor::Real> scratch(static_cast<std::size_t>(chunk) * stride);

  RunResult<Functor::K> r;
  r.blocks.resize(static_cast<std::size_t>(count));
  for (std::uint64_t done = 0; done < count; done += chunk) {
    const std::uint64_t nb = std::min(chunk, count - done);
    BlockStats<Functor::K>* out = r.blocks.data() + done;
    if (cfg.backend == Backend::omp)
      evaluate_blocks(thrust::omp::par, f, first + done, nb, cfg.trials, cfg.block_size, scratch.data(), out);
    else
      evaluate_blocks(thrust::cpp::par, f, first + done, nb, cfg.trials, cfg.block_size, scratch.data(), out);
    if (cfg.progress) cfg.progress(done + nb, count);
  }
  r.total = merge_in_order(r.blocks);
  return r;
}

}  // namespace ttt::sim
