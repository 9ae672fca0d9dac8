// ttt/models/mlp.hpp: the position-wise MLP  y = W2 gelu(W1 x + b1) + b2,  hidden width = ratio * width.
// GELU is the tanh approximation (PyTorch's gelu(approximate="tanh"), GPT-2's):
//   gelu(a) = a/2 (1 + tanh(u)),  u = sqrt(2/pi) (a + 0.044715 a^3).
#pragma once

#include <ttt/models/linear_layer.hpp>

#include <cmath>
#include <string>

namespace ttt::models {

/// gelu(a) = a s,  s = (1 + tanh(u))/2 = sigmoid(2u) = 1 / (1 + exp(-2u)),  u = sqrt(2/pi) (a + 0.044715 a^3);
/// gelu'(a) = s + 2 a s (1 - s) u'(a),  u'(a) = sqrt(2/pi) (1 + 3 * 0.044715 a^2).
/// The sigmoid form needs one exp, which Eigen vectorises (tanh of double it does not).
template <class Real>
struct GeluTanh {
  static constexpr Real c = Real(0.79788456080286535587989211986876);  // sqrt(2/pi)
  static constexpr Real k = Real(0.044715);
  static Real value(Real a) { return a / (Real(1) + std::exp(Real(-2) * c * (a + k * a * a * a))); }
  static Real derivative(Real a) {
    const Real s = Real(1) / (Real(1) + std::exp(Real(-2) * c * (a + k * a * a * a)));
    return s + Real(2) * a * s * (Real(1) - s) * c * (Real(1) + Real(3) * k * a * a);
  }
  /// Element-wise on arrays: s(a) (the caller forms a s and the derivative).
  template <class A>
  static auto sigmoid_part(const A& a) {
    return (Real(1) + (Real(-2) * c * (a + k * a.cube())).exp()).inverse();
  }
};

template <class Real>
class Mlp {
 public:
  struct Cache {
    RowMatrix<Real> x;  // (N, D) input
    RowMatrix<Real> a;  // (N, H) pre-activation W1 x + b1
    RowMatrix<Real> s;  // (N, H) sigmoid(2 u(a))
    RowMatrix<Real> h;  // (N, H) gelu(a) = a s
    RowMatrix<Real> dh;  // (N, H) backward scratch
  };

  Mlp() = default;
  Mlp(ParameterLayout& layout, const std::string& name, Index width, Index hidden)
      : m_fc1(layout, name + ".fc1", width, hidden), m_fc2(layout, name + ".fc2", hidden, width) {}

  const Linear<Real>& fc1() const { return m_fc1; }
  const Linear<Real>& fc2() const { return m_fc2; }

  // X, Y: (N, D)
  void forward(const Real* params, const ConstRowRef<Real>& X, RowMatrix<Real>& Y, Cache& c) const {
    c.x = X;
    m_fc1.forward(params, X, c.a);
    c.s = GeluTanh<Real>::sigmoid_part(c.a.array()).matrix();
    c.h = (c.a.array() * c.s.array()).matrix();
    m_fc2.forward(params, c.h, Y);
  }

  void backward(const Real* params, Cache& c, const ConstRowRef<Real>& dY, Real* grads, RowMatrix<Real>& dX) const {
    // Y = W2 h + b2
    m_fc2.backward(params, c.h, dY, grads, &c.dh);
    // h = gelu(a)
    constexpr Real c0 = GeluTanh<Real>::c, k = GeluTanh<Real>::k;
    const auto a = c.a.array();
    const auto s = c.s.array();
    c.dh.array() *= s + Real(2) * a * s * (Real(1) - s) * c0 * (Real(1) + Real(3) * k * a.square());
    // a = W1 x + b1
    m_fc1.backward(params, c.x, c.dh, grads, &dX);
  }

 private:
  Linear<Real> m_fc1;
  Linear<Real> m_fc2;
};

}  // namespace ttt::models
