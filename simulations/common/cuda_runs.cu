// The CUDA backend's entry points (see <ttt/sim/cuda_backend.hpp>).
#include <ttt/sim/cuda_backend.hpp>
#include <ttt/sim/detail/engine_cuda.cuh>

namespace ttt::sim {

int cuda_devices() { return cuda_device_count(); }

namespace {
struct PhiloxKernel {
  const random::Philox4x32::Counter* c;
  const random::Philox4x32::Key* k;
  random::Philox4x32::Counter* out;
  __host__ __device__ void operator()(std::size_t i) const { out[i] = random::Philox4x32::apply<10>(c[i], k[i]); }
};
struct NormalKernel {
  random::NormalRow row;
  double* out;
  __host__ __device__ void operator()(std::uint32_t k) const { out[k] = row.at(k); }
};
}  // namespace

std::vector<random::Philox4x32::Counter> philox_on_device(const std::vector<random::Philox4x32::Counter>& counters,
                                                          const std::vector<random::Philox4x32::Key>& keys) {
  if (cuda_device_count() < 1) throw std::runtime_error("no CUDA device");
  thrust::device_vector<random::Philox4x32::Counter> c(counters.begin(), counters.end()), out(counters.size());
  thrust::device_vector<random::Philox4x32::Key> k(keys.begin(), keys.end());
  thrust::for_each(thrust::cuda::par, thrust::counting_iterator<std::size_t>(0), thrust::counting_iterator<std::size_t>(counters.size()),
                   PhiloxKernel{thrust::raw_pointer_cast(c.data()), thrust::raw_pointer_cast(k.data()), thrust::raw_pointer_cast(out.data())});
  std::vector<random::Philox4x32::Counter> r(counters.size());
  thrust::copy(out.begin(), out.end(), r.begin());
  return r;
}

std::vector<double> normals_on_device(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream, std::uint32_t row,
                                      std::uint32_t count) {
  if (cuda_device_count() < 1) throw std::runtime_error("no CUDA device");
  thrust::device_vector<double> out(count);
  thrust::for_each(thrust::cuda::par, thrust::counting_iterator<std::uint32_t>(0), thrust::counting_iterator<std::uint32_t>(count),
                   NormalKernel{random::NormalRow(seed, trial, stream, row), thrust::raw_pointer_cast(out.data())});
  std::vector<double> r(count);
  thrust::copy(out.begin(), out.end(), r.begin());
  return r;
}

OneStepRun run_one_step_cuda(const TttSetting& s, Estimator e, const RunConfig& cfg) {
  using Real = double;
  s.validate();
  if (!estimator_applies(e, s)) throw std::invalid_argument("the reduced estimator needs Sx = I and W0 = c I");
  const std::vector<Real> arrays = s.packed<Real>();
  OneStepRun r;
  r.estimator = e;
  switch (e) {
    case Estimator::brute:
    case Estimator::fresh: {
      const bool fresh = e == Estimator::fresh;
      const int prompts = s.eval_prompts;
      r.result = run_cuda<Real>(arrays, [&](const Real* dev) {
        return BruteTrial<Real>{make_params<Real>(s, dev, arrays), fresh, prompts};
      }, cfg);
      r.M = BruteTrial<Real>::coefficients(s.m);
      break;
    }
    case Estimator::conditional:
      r.result = run_cuda<Real>(arrays, [&](const Real* dev) { return ConditionalTrial<Real>{make_params<Real>(s, dev, arrays)}; }, cfg);
      r.M = conditional_coefficients(s.m);
      break;
    case Estimator::reduced: {
      const double B = s.beta_norm2(), c = s.w0[0];
      r.result = run_cuda<Real>(arrays, [&](const Real* dev) {
        return ReducedTrial<Real>{make_params<Real>(s, dev, arrays), B, c};
      }, cfg);
      r.M = conditional_coefficients(s.m);
      break;
    }
  }
  return r;
}

}  // namespace ttt::sim
