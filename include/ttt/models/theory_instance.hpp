// ttt/models/theory_instance.hpp: the collapsed linear-attention model of the theory (linear_attention.hpp,
// SM(Z; W) = x^T W X^T y) as an instance of the general transformer template: one layer, one head, linear
// kernel with scale 1, width d + 1, identity read-in, no norms, MLP, residual or positions, and
//   Wq = I,  Wk = [[W, 0], [0, 0]]  (so Wq^T Wk = [[W, 0], [0, 0]]),  Wv = [[0, 0], [0, 1]],  Wo = I,
// read-out of the last coordinate. At the query [x; 0] the attention output's last coordinate is
// sum_i (x^T W x_i) y_i = x^T W X^T y (the query's own value [0; 0] adds nothing), and dL/dW is the
// top-left (d, d) block of dL/dWk.
#pragma once

#include <ttt/models/transformer.hpp>

namespace ttt::models {

inline TransformerConfig theory_config(Index d) {
  TransformerConfig c;
  c.input_dim = d + 1;
  c.width = d + 1;
  c.layers = 1;
  c.heads = 1;
  c.max_tokens = 0;
  c.layer_norm = false;
  c.mlp = false;
  c.residual = false;
  c.attention_scale = 1.0;
  return c;
}

/// Writes the theory's weights for W (d, d) into a model built from theory_config(d).
template <class Real, class MW>
void set_theory_weights(Transformer<Real, LinearKernel>& model, const MW& W) {
  const Index d = W.rows();
  if (model.config().width != d + 1 || model.config().layers != 1 || W.cols() != d)
    throw std::invalid_argument("set_theory_weights: the model must come from theory_config(d)");
  Real* p = model.parameters().data();
  model.parameters().setZero();
  const auto& attn = model.block(0).attn;
  view(p, model.readin().weight()).setIdentity();
  view(p, attn.q_proj().weight()).setIdentity();
  view(p, attn.k_proj().weight()).topLeftCorner(d, d) = W.template cast<Real>();
  view(p, attn.v_proj().weight())(d, d) = Real(1);
  view(p, attn.o_proj().weight()).setIdentity();
  view(p, model.readout().weight())(0, d) = Real(1);
}

/// dL/dW of the collapsed model from a gradient buffer of the instance.
template <class Real>
RowMatrix<Real> theory_gradient(const Transformer<Real, LinearKernel>& model, const Real* grads) {
  const Index d = model.config().width - 1;
  return view(grads, model.block(0).attn.k_proj().weight()).topLeftCorner(d, d);
}

}  // namespace ttt::models
