// ttt/sim/one_step.hpp: one-step TTT Monte Carlo runs on the CPU backends: choose an estimator, run it,
// and read the risk curve in eta (with intervals) from the result.
#pragma once

#include <ttt/sim/engine.hpp>
#include <ttt/sim/statistics.hpp>
#include <ttt/sim/ttt_trial.hpp>

namespace ttt::sim {

/// The result of a one-step run: block statistics of the K = 4 trial components and the map to the
/// risk coefficients (c0, lin, quad) at this m.
struct OneStepRun {
  Estimator estimator = Estimator::brute;
  RunResult<4> result;
  std::array<std::array<double, 4>, 3> M{};

  RiskCurve<4> curve() const { return risk_curve(result.total, M); }
  /// The same curve for another test-time set size (estimators that integrate X_tr analytically only).
  RiskCurve<4> curve_at(double m) const {
    if (estimator == Estimator::brute || estimator == Estimator::fresh)
      throw std::invalid_argument("curve_at: brute and fresh runs are tied to their m");
    return risk_curve(result.total, conditional_coefficients(m));
  }
};

/// Whether an estimator applies to a setting.
inline bool estimator_applies(Estimator e, const TttSetting& s) {
  return e != Estimator::reduced || s.isotropic_scaled_identity();
}

/// The best estimator that applies: reduced (O(1) per trial) in the isotropic setting with W0 = c I,
/// otherwise conditional (O(n d)); both are exact in expectation over the test-time set.
inline Estimator best_estimator(const TttSetting& s) {
  return s.isotropic_scaled_identity() ? Estimator::reduced : Estimator::conditional;
}

template <class Real>
TrialParams<Real> host_params(const TttSetting& s, const std::vector<Real>& arrays) {
  return make_params<Real>(s, arrays.data(), arrays);
}

/// Runs one-step trials of `s` with estimator `e` on a CPU backend.
template <class Real = double>
OneStepRun run_one_step(const TttSetting& s, Estimator e, const RunConfig& cfg) {
  s.validate();
  if (!estimator_applies(e, s))
    throw std::invalid_argument("the reduced estimator needs Sx = I and W0 = c I");
  const std::vector<Real> arrays = s.packed<Real>();
  const TrialParams<Real> p = host_params(s, arrays);
  OneStepRun r;
  r.estimator = e;
  switch (e) {
    case Estimator::brute:
    case Estimator::fresh: {
      BruteTrial<Real> f{p, e == Estimator::fresh, s.eval_prompts};
      r.result = run_host(f, cfg);
      r.M = BruteTrial<Real>::coefficients(s.m);
      break;
    }
    case Estimator::conditional: {
      ConditionalTrial<Real> f{p};
      r.result = run_host(f, cfg);
      r.M = conditional_coefficients(s.m);
      break;
    }
    case Estimator::reduced: {
      ReducedTrial<Real> f{p, s.beta_norm2(), s.w0[0]};
      r.result = run_host(f, cfg);
      r.M = conditional_coefficients(s.m);
      break;
    }
  }
  return r;
}

/// Multi-step brute-force run: L(W_t) for t = 1..steps (steps <= kMaxSteps) with step sizes etas.
constexpr int kMaxSteps = 12;

template <class Real = double>
RunResult<kMaxSteps> run_multi_step(const TttSetting& s, const std::vector<double>& etas, const RunConfig& cfg) {
  s.validate();
  if (etas.empty() || etas.size() > std::size_t(kMaxSteps))
    throw std::invalid_argument("multi-step TTT: between 1 and " + std::to_string(kMaxSteps) + " steps");
  const std::vector<Real> arrays = s.packed<Real>();
  MultiStepTrial<Real, kMaxSteps> f{};
  f.p = host_params(s, arrays);
  f.steps = static_cast<int>(etas.size());
  for (std::size_t k = 0; k < std::size_t(kMaxSteps); ++k) f.etas[k] = k < etas.size() ? etas[k] : 0.0;
  return run_host(f, cfg);
}

/// The isotropic setting of `ttt mc`: Sx = I, beta spread over all coordinates with |beta|^2 = B,
/// W0 = c I.
inline TttSetting isotropic_setting(int d, int n, int m, double sigma2, double B, double c, std::uint64_t seed) {
  TttSetting s;
  s.d = d;
  s.n = n;
  s.m = m;
  s.sigma2 = sigma2;
  s.sx.assign(std::size_t(d), 1.0);
  s.beta.assign(std::size_t(d), std::sqrt(B / d));
  s.w0.assign(std::size_t(d), c);
  s.seed = seed;
  return s;
}

}  // namespace ttt::sim
