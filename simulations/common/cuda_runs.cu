// The CUDA backend's entry points (see <ttt/sim/cuda_backend.hpp>).
#include <ttt/sim/cuda_backend.hpp>
#include <ttt/sim/detail/engine_cuda.cuh>

namespace ttt::sim {

int cuda_devices() { return cuda_device_count(); }

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
