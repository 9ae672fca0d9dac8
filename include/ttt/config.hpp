// ttt/config.hpp: compiler and backend detection shared by every header.
#pragma once

#define TTT_VERSION_MAJOR 0
#define TTT_VERSION_MINOR 1
#define TTT_VERSION_PATCH 0
#define TTT_VERSION_STRING "0.1.0"

// Functions callable from host and device code (Monte Carlo trials, RNG, per-trial algebra).
#if defined(__CUDACC__)
#define TTT_HOST_DEVICE __host__ __device__
#define TTT_FORCEINLINE __forceinline__
#else
#define TTT_HOST_DEVICE
#define TTT_FORCEINLINE inline __attribute__((always_inline))
#endif

// True inside a device compilation pass (nvcc's device side).
#if defined(__CUDA_ARCH__)
#define TTT_DEVICE_PASS 1
#else
#define TTT_DEVICE_PASS 0
#endif

// Host translation units use Thrust's OpenMP device system unless the build says otherwise; CUDA
// translation units keep Thrust's default (CUDA).
#if !defined(__CUDACC__) && !defined(THRUST_DEVICE_SYSTEM)
#define THRUST_DEVICE_SYSTEM THRUST_DEVICE_SYSTEM_OMP
#endif

#if defined(_OPENMP)
#define TTT_HAVE_OPENMP 1
#else
#define TTT_HAVE_OPENMP 0
#endif

namespace ttt {

/// Execution backends of the Monte Carlo engine. `cpp` is sequential, `omp` uses OpenMP threads,
/// `cuda` a GPU (only in builds that compiled the CUDA variant). For a fixed seed, `cpp` and `omp`
/// give byte-identical results for any thread count.
enum class Backend { cpp, omp, cuda };

inline const char* backend_name(Backend b) {
  switch (b) {
    case Backend::cpp: return "cpp";
    case Backend::omp: return "omp";
    case Backend::cuda: return "cuda";
  }
  return "?";
}

}  // namespace ttt
