// ttt/models/linear_layer.hpp: the affine map Y = X W^T + b applied to every token.
#pragma once

#include <ttt/models/parameters.hpp>

#include <string>

namespace ttt::models {

template <class Real>
class Linear {
 public:
  Linear() = default;
  /// W: (out, in) with weight decay; b: (out) without.
  Linear(ParameterLayout& layout, const std::string& name, Index in, Index out, bool bias = true)
      : m_w(layout.add(name + ".weight", out, in, true)), m_has_bias(bias) {
    if (bias) m_b = layout.add(name + ".bias", out, 1, false);
  }

  Index in() const { return m_w.cols; }
  Index out() const { return m_w.rows; }
  const ParamTensor& weight() const { return m_w; }
  const ParamTensor& bias() const { return m_b; }
  bool has_bias() const { return m_has_bias; }

  // X: (N, in)  Y: (N, out)
  void forward(const Real* params, const ConstRowRef<Real>& X, RowMatrix<Real>& Y) const {
    Y.resize(X.rows(), out());
    Y.noalias() = X * view(params, m_w).transpose();
    if (m_has_bias) Y.rowwise() += vector_view(params, m_b).transpose();
  }

  /// Accumulates dL/dW and dL/db into `grads`; writes dL/dX into *dX unless dX is null.
  // dY: (N, out)  dX: (N, in)
  void backward(const Real* params, const ConstRowRef<Real>& X, const ConstRowRef<Real>& dY, Real* grads,
                RowMatrix<Real>* dX) const {
    // Y = X W^T + b
    view(grads, m_w).noalias() += dY.transpose() * X;
    if (m_has_bias) vector_view(grads, m_b) += dY.colwise().sum().transpose();
    if (dX) {
      dX->resize(dY.rows(), in());
      dX->noalias() = dY * view(params, m_w);
    }
  }

  /// As backward, but adds dL/dX into *dX (several maps reading the same X).
  void backward_accumulate(const Real* params, const ConstRowRef<Real>& X, const ConstRowRef<Real>& dY,
                           Real* grads, RowMatrix<Real>& dX) const {
    // Y = X W^T + b
    view(grads, m_w).noalias() += dY.transpose() * X;
    if (m_has_bias) vector_view(grads, m_b) += dY.colwise().sum().transpose();
    dX.noalias() += dY * view(params, m_w);
  }

 private:
  ParamTensor m_w;
  ParamTensor m_b;
  bool m_has_bias = true;
};

}  // namespace ttt::models
