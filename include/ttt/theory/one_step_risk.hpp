// ttt/theory/one_step_risk.hpp: the expected risk after one TTT step as a quadratic in the step size.
#pragma once

namespace ttt::theory {

/// E[L(W_TT)](eta) = loss_before + 2 eta lin + eta^2 quad (exact for the collapsed model: W_TT is affine
/// in eta and L is quadratic in W). Then eta* = -lin/quad and the gain Delta = lin^2/quad.
template <class Real = double>
struct OneStepRisk {
  Real loss_before{};
  Real lin{};
  Real quad{};

  Real risk(Real eta) const { return loss_before + 2 * eta * lin + eta * eta * quad; }
  Real eta_star() const { return -lin / quad; }
  Real gain() const { return lin * lin / quad; }
  Real loss_after() const { return loss_before - gain(); }
};

/// A leading-order prediction: only eta*, the loss before and the gain are given by the theorem.
template <class Real = double>
struct OneStepPrediction {
  Real eta_star{};
  Real loss_before{};
  Real gain{};
  Real loss_after() const { return loss_before - gain; }
};

template <class Real>
OneStepPrediction<Real> prediction(const OneStepRisk<Real>& r) {
  return {r.eta_star(), r.loss_before, r.gain()};
}

}  // namespace ttt::theory
