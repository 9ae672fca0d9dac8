// ttt/sim/cuda_backend.hpp: entry points of the CUDA backend, compiled by nvcc in builds that have it
// (TTT_HAVE_CUDA); a host program links the object that defines them (simulations/common/cuda_runs.cu).
#pragma once

#include <ttt/sim/one_step.hpp>

namespace ttt::sim {

#if defined(TTT_HAVE_CUDA)
/// Number of usable CUDA devices.
int cuda_devices();
/// run_one_step<double> on the GPU.
OneStepRun run_one_step_cuda(const TttSetting& s, Estimator e, const RunConfig& cfg);
/// Philox4x32-10 evaluated on the device for each (counter, key) (known-answer checks of the device path).
std::vector<random::Philox4x32::Counter> philox_on_device(const std::vector<random::Philox4x32::Counter>& counters,
                                                          const std::vector<random::Philox4x32::Key>& keys);
/// Standard normals from the device: row `row` of (seed, trial, stream), `count` values.
std::vector<double> normals_on_device(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream, std::uint32_t row,
                                      std::uint32_t count);
#endif

}  // namespace ttt::sim
