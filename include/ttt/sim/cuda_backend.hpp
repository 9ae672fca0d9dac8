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
#endif

}  // namespace ttt::sim
