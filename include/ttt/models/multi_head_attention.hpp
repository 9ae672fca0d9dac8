// ttt/models/multi_head_attention.hpp: multi-head attention with a kernel policy, an optional key/value
// prefix and a mask. For sequence b and head h (columns [h*dh, (h+1)*dh)):
//   Q = X Wq^T + bq,  K = X Wk^T + bk,  V = X Wv^T + bv                   X: (T, D) new tokens
//   K~ = [Kp; K],  V~ = [Vp; V]                                           prefix Kp, Vp: (Tp, D)
//   S = scale Q_h K~_h^T,  P = Kernel(S, mask)  (row-wise),  C_h = P V~_h   S, P: (T, Tp + T)
//   Y = C Wo^T + bo
// With the linear kernel, scale 1, one head, Wq = I, Wk = [[W,0],[0,0]], Wv = [[0,0],[0,1]], the output
// at the query [x; 0] is x^T W X^T y in its last coordinate: the theory's model.
#pragma once

#include <ttt/models/attention_kernel.hpp>
#include <ttt/models/attention_mask.hpp>
#include <ttt/models/linear_layer.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ttt::models {

/// One layer's prefix keys and values, (B*Tp, D) each, rows of sequence b at [b*Tp, (b+1)*Tp).
template <class Real>
struct KVPrefix {
  const Real* keys = nullptr;
  const Real* values = nullptr;
  Index tokens = 0;
};
/// Where the gradient of a prefix goes (accumulated), same shapes.
template <class Real>
struct KVPrefixGrad {
  Real* keys = nullptr;
  Real* values = nullptr;
};

template <class Real, class Kernel>
class MultiHeadAttention {
 public:
  struct Cache {
    Index batch = 0, tokens = 0;
    KVPrefix<Real> prefix;
    const AttentionMask* mask = nullptr;
    RowMatrix<Real> x, q, k, v;  // (B*T, D)
    RowMatrix<Real> p;           // (B*H*T, Tp+T): weights of (b, h) at rows [(b*H + h)*T, ...)
    RowMatrix<Real> c;           // (B*T, D) attention output before Wo
    RowMatrix<Real> dc, dq, dk, dv, dp;  // backward scratch; dp: (T, Tp+T)
  };

  MultiHeadAttention() = default;
  /// scale <= 0 selects 1/sqrt(dh).
  MultiHeadAttention(ParameterLayout& layout, const std::string& name, Index width, Index heads, Real scale = 0)
      : m_q(layout, name + ".q", width, width), m_k(layout, name + ".k", width, width),
        m_v(layout, name + ".v", width, width), m_o(layout, name + ".o", width, width),
        m_width(width), m_heads(heads) {
    if (heads < 1 || width % heads != 0) throw std::invalid_argument("MultiHeadAttention: heads must divide width");
    m_scale = scale > 0 ? scale : Real(1) / std::sqrt(static_cast<Real>(width / heads));
  }

  const Linear<Real>& q_proj() const { return m_q; }
  const Linear<Real>& k_proj() const { return m_k; }
  const Linear<Real>& v_proj() const { return m_v; }
  const Linear<Real>& o_proj() const { return m_o; }
  Index heads() const { return m_heads; }
  Real scale() const { return m_scale; }

  /// X: (B*T, D) -> Y: (B*T, D). `mask` (may be null) is (T, Tp+T); prefix/mask must outlive backward().
  void forward(const Real* params, const ConstRowRef<Real>& X, Index B, Index T, KVPrefix<Real> prefix,
               const AttentionMask* mask, RowMatrix<Real>& Y, Cache& c) const {
    const Index Tp = prefix.tokens, Tk = Tp + T, dh = m_width / m_heads;
    if (X.rows() != B * T || X.cols() != m_width) throw std::invalid_argument("MultiHeadAttention: X shape");
    if (mask && (mask->queries() != T || mask->keys() != Tk || (!mask->shared() && mask->sequences() != B)))
      throw std::invalid_argument("MultiHeadAttention: mask shape does not match (tokens, prefix + tokens)");
    c.batch = B;
    c.tokens = T;
    c.prefix = prefix;
    c.mask = mask;
    c.x = X;
    m_q.forward(params, X, c.q);
    m_k.forward(params, X, c.k);
    m_v.forward(params, X, c.v);
    c.p.resize(B * m_heads * T, Tk);
    c.c.resize(B * T, m_width);
    const ConstRowMatrixMap<Real> Kp(prefix.keys, B * Tp, m_width), Vp(prefix.values, B * Tp, m_width);
    for (Index b = 0; b < B; ++b)
      for (Index h = 0; h < m_heads; ++h) {
        auto P = c.p.middleRows((b * m_heads + h) * T, T);
        const auto Qh = c.q.block(b * T, h * dh, T, dh);
        P.rightCols(T).noalias() = m_scale * Qh * c.k.block(b * T, h * dh, T, dh).transpose();
        if (Tp > 0) P.leftCols(Tp).noalias() = m_scale * Qh * Kp.block(b * Tp, h * dh, Tp, dh).transpose();
        for (Index i = 0; i < T; ++i) Kernel::forward(&P(i, 0), mask ? mask->row(b, i) : nullptr, Tk);
        auto Ch = c.c.block(b * T, h * dh, T, dh);
        Ch.noalias() = P.rightCols(T) * c.v.block(b * T, h * dh, T, dh);
        if (Tp > 0) Ch.noalias() += P.leftCols(Tp) * Vp.block(b * Tp, h * dh, Tp, dh);
      }
    m_o.forward(params, c.c, Y);
  }

  /// dY: (B*T, D). Accumulates parameter gradients into grads and dL/dKp, dL/dVp into prefix_grad (when
  /// its pointers are set); writes dL/dX.
  void backward(const Real* params, Cache& c, const ConstRowRef<Real>& dY, Real* grads,
                KVPrefixGrad<Real> prefix_grad, RowMatrix<Real>& dX) const {
    const Index B = c.batch, T = c.tokens, Tp = c.prefix.tokens, Tk = Tp + T, dh = m_width / m_heads;
    // Y = C Wo^T + bo
    m_o.backward(params, c.c, dY, grads, &c.dc);
    c.dq.setZero(B * T, m_width);
    c.dk.setZero(B * T, m_width);
    c.dv.setZero(B * T, m_width);
    c.dp.resize(T, Tk);
    const ConstRowMatrixMap<Real> Kp(c.prefix.keys, B * Tp, m_width), Vp(c.prefix.values, B * Tp, m_width);
    RowMatrixMap<Real> dKp(prefix_grad.keys, prefix_grad.keys ? B * Tp : 0, m_width);
    RowMatrixMap<Real> dVp(prefix_grad.values, prefix_grad.values ? B * Tp : 0, m_width);
    for (Index b = 0; b < B; ++b)
      for (Index h = 0; h < m_heads; ++h) {
        const auto P = c.p.middleRows((b * m_heads + h) * T, T);
        const auto dCh = c.dc.block(b * T, h * dh, T, dh);
        const auto Qh = c.q.block(b * T, h * dh, T, dh);
        // C_h = P V~_h
        c.dp.rightCols(T).noalias() = dCh * c.v.block(b * T, h * dh, T, dh).transpose();
        c.dv.block(b * T, h * dh, T, dh).noalias() = P.rightCols(T).transpose() * dCh;
        if (Tp > 0) {
          c.dp.leftCols(Tp).noalias() = dCh * Vp.block(b * Tp, h * dh, Tp, dh).transpose();
          if (prefix_grad.values) dVp.block(b * Tp, h * dh, Tp, dh).noalias() += P.leftCols(Tp).transpose() * dCh;
        }
        // P = Kernel(S), row by row
        for (Index i = 0; i < T; ++i)
          Kernel::backward(&P(i, 0), &c.dp(i, 0), c.mask ? c.mask->row(b, i) : nullptr, Tk);
        // S = scale Q_h K~_h^T
        c.dp *= m_scale;
        auto dQh = c.dq.block(b * T, h * dh, T, dh);
        dQh.noalias() = c.dp.rightCols(T) * c.k.block(b * T, h * dh, T, dh);
        c.dk.block(b * T, h * dh, T, dh).noalias() = c.dp.rightCols(T).transpose() * Qh;
        if (Tp > 0) {
          dQh.noalias() += c.dp.leftCols(Tp) * Kp.block(b * Tp, h * dh, Tp, dh);
          if (prefix_grad.keys) dKp.block(b * Tp, h * dh, Tp, dh).noalias() += c.dp.leftCols(Tp).transpose() * Qh;
        }
      }
    // Q = X Wq^T + bq,  K = X Wk^T + bk,  V = X Wv^T + bv
    m_q.backward(params, c.x, c.dq, grads, &dX);
    m_k.backward_accumulate(params, c.x, c.dk, grads, dX);
    m_v.backward_accumulate(params, c.x, c.dv, grads, dX);
  }

 private:
  Linear<Real> m_q, m_k, m_v, m_o;
  Index m_width = 0;
  Index m_heads = 1;
  Real m_scale = 1;
};

}  // namespace ttt::models
