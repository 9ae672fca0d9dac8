// CUDA execution of the Monte Carlo engine (nvcc translation units only). Same blocks, same in-block
// order and the same host merge as the CPU backends; the device's own log/sin/cos differ from glibc's in
// the last bits, so results agree with the CPU within a tolerance (tests/sim/test_parity_cuda.cu) rather
// than bit for bit.
#pragma once

#include <ttt/sim/engine.hpp>

#include <thrust/device_vector.h>
#include <thrust/system/cuda/execution_policy.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace ttt::sim {

/// Number of CUDA devices (0 when no driver or device).
inline int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

/// Runs a functor on the GPU. `make(dev_arrays)` builds the functor from a device pointer to the packed
/// arrays `host_arrays`.
template <class Real, class Make>
auto run_cuda(const std::vector<Real>& host_arrays, Make make, const RunConfig& cfg)
    -> RunResult<decltype(make(static_cast<const Real*>(nullptr)))::K> {
  using Functor = decltype(make(static_cast<const Real*>(nullptr)));
  constexpr int K = Functor::K;
  if (cuda_device_count() < 1) throw std::runtime_error("the cuda backend needs a CUDA device; none was found");
  if (cfg.trials < 1 || cfg.block_size < 1) throw std::invalid_argument("Monte Carlo run: trials and block size must be >= 1");
  const std::uint64_t all = total_blocks(cfg);
  const std::uint64_t first = cfg.first_block;
  const std::uint64_t count = cfg.block_count ? cfg.block_count : all - first;
  thrust::device_vector<Real> arrays(host_arrays.begin(), host_arrays.end());
  const Functor f = make(thrust::raw_pointer_cast(arrays.data()));
  const std::uint64_t chunk = std::min<std::uint64_t>(count, 1u << 16);
  const std::size_t stride = f.scratch_size() ? f.scratch_size() : 1;
  thrust::device_vector<Real> scratch(static_cast<std::size_t>(chunk) * stride);
  thrust::device_vector<BlockStats<K>> out(static_cast<std::size_t>(chunk));
  RunResult<K> r;
  r.blocks.resize(static_cast<std::size_t>(count));
  for (std::uint64_t done = 0; done < count; done += chunk) {
    const std::uint64_t nb = std::min(chunk, count - done);
    evaluate_blocks(thrust::cuda::par, f, first + done, nb, cfg.trials, cfg.block_size,
                    thrust::raw_pointer_cast(scratch.data()), thrust::raw_pointer_cast(out.data()));
    thrust::copy(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(nb), r.blocks.begin() + static_cast<std::ptrdiff_t>(done));
    if (cfg.progress) cfg.progress(done + nb, count);
  }
  r.total = merge_in_order(r.blocks);
  return r;
}

}  // namespace ttt::sim
