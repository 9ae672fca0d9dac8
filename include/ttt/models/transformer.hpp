// ttt/models/transformer.hpp: a small pre-norm transformer for in-context regression, built from the
// attention template with a kernel policy (LinearKernel | SoftmaxKernel).
//   token i:  z_i = [x_i; y_i] (context),  [x; 0] (query)                   (input_dim = d + 1)
//   h_0 = Z Win^T + bin (+ pos[offset + t])                                   linear read-in to the width
//   block l:  h <- h + Attn_l(LN1_l(h));  h <- h + MLP_l(LN2_l(h))            (pre-norm residual)
//   out = LN_f(h_L) at the read-out positions,  y_hat = out W_o^T + b_o       C = output_dim outputs each
// With layer_norm / mlp / residual switched off a block is h <- Attn_l(h): the theory's one-layer model is
// the instance of theory_config() (see theory_instance.hpp).
// Bodies are in <ttt/detail/transformer_impl.hpp>.
#pragma once

#include <ttt/models/kv_cache.hpp>
#include <ttt/models/layer_norm.hpp>
#include <ttt/models/mlp.hpp>
#include <ttt/models/multi_head_attention.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ttt::models {

struct TransformerConfig {
  Index input_dim = 0;       // token size (d + 1 for regression)
  Index width = 64;          // D
  Index layers = 4;
  Index heads = 4;
  Index mlp_ratio = 4;       // MLP hidden width = mlp_ratio * D
  Index max_tokens = 0;      // size of the learned positional table; 0: no positional embedding
  bool layer_norm = true;    // LN1, LN2 in every block and the final norm
  bool mlp = true;           // the MLP sub-block
  bool residual = true;      // h + f(h) instead of f(h)
  double attention_scale = 0;  // <= 0: 1/sqrt(D / heads)
  Index output_dim = 1;      // C: outputs per read-out position (1: regression; C logits: classification)
};

/// What a forward pass attends to and reads out.
template <class Real>
struct ForwardOptions {
  const KVCache<Real>* prefix = nullptr;  // keys/values every layer's new tokens also attend to (before them)
  const AttentionMask* mask = nullptr;    // (T, Tp + T); null: every key visible
  KVCache<Real>* capture = nullptr;       // receives the new tokens' keys and values of every layer
  Index position_offset = -1;             // position of the first new token; < 0: the prefix length
  std::vector<Index> readout;             // read-out token indices within each sequence; empty: {T - 1}
};

template <class Real, class Kernel = SoftmaxKernel>
class Transformer {
 public:
  using Attention = MultiHeadAttention<Real, Kernel>;

  struct Block {
    LayerNorm<Real> ln1, ln2;
    Attention attn;
    Mlp<Real> mlp;
  };

  struct BlockCache {
    typename LayerNorm<Real>::Cache ln1, ln2;
    typename Attention::Cache attn;
    typename Mlp<Real>::Cache mlp;
    RowMatrix<Real> a, attn_out, h_mid, m, mlp_out;  // LN1(h), Attn(.), residual after attn, LN2(.), MLP(.)
  };

  /// Activations of one forward pass, kept for backward; reused (no allocation) across calls of one shape.
  struct Cache {
    Index batch = 0, tokens = 0, offset = 0;
    const KVCache<Real>* prefix = nullptr;
    std::vector<Index> readout;
    RowMatrix<Real> input;                 // (B*T, input_dim)
    std::vector<RowMatrix<Real>> h;        // h[l]: (B*T, D) input of block l; h[L]: output of the last
    std::vector<BlockCache> blocks;
    typename LayerNorm<Real>::Cache final_ln;
    RowMatrix<Real> z;                     // (B*T, D) final normed stream
    RowMatrix<Real> zr;                    // (B*R, D) rows read out
    RowMatrix<Real> pred;                  // (B*R, C)
    RowMatrix<Real> predictions;           // (B, R*C): row b = [outputs of read-out 0, ..., of read-out R-1]
    RowMatrix<Real> dpred, dzr, dz, dh, dtmp, dtmp2;  // backward scratch
  };

  explicit Transformer(const TransformerConfig& config);

  const TransformerConfig& config() const { return m_config; }
  const ParameterLayout& layout() const { return m_layout; }
  ColVector<Real>& parameters() { return m_params; }
  const ColVector<Real>& parameters() const { return m_params; }
  Index parameter_count() const { return m_layout.size(); }
  const Linear<Real>& readin() const { return m_readin; }
  const ParamTensor& positions() const { return m_pos; }
  const Block& block(Index l) const { return m_blocks[static_cast<std::size_t>(l)]; }
  const LayerNorm<Real>& final_norm() const { return m_final_norm; }
  const Linear<Real>& readout() const { return m_readout; }

  /// Weights ~ N(0, 1/fan_in) (residual-branch output projections also scaled by 1/sqrt(2 L)), positions
  /// ~ N(0, 0.02^2), biases 0, norm gains 1; Philox stream (seed, tensor index, stream_user + 2).
  void initialize(std::uint64_t seed);

  /// tokens: (B*T, input_dim), sequence b at rows [b*T, (b+1)*T). Returns the predictions (B, R*C)
  /// (C = output_dim; (B, R) for a scalar read-out).
  const RowMatrix<Real>& forward(const ConstRowRef<Real>& tokens, Index B, Index T, Cache& c,
                                 const ForwardOptions<Real>& opt = {}) const;

  /// dpred: (B, R*C) = dL/dpredictions. Accumulates dL/dparameters into grads (parameter_count()), dL/dKp,
  /// dL/dVp of every layer into *prefix_grad (same shape as the forward's prefix) and writes dL/dh_0 (the
  /// embedded tokens, (B*T, D)) into *d_embedded, each when given.
  void backward(Cache& c, const ConstRowRef<Real>& dpred, Real* grads, KVCache<Real>* prefix_grad = nullptr,
                RowMatrix<Real>* d_embedded = nullptr) const;

 private:
  TransformerConfig m_config;
  ParameterLayout m_layout;
  ColVector<Real> m_params;
  Linear<Real> m_readin;
  ParamTensor m_pos;
  std::vector<Block> m_blocks;
  LayerNorm<Real> m_final_norm;
  Linear<Real> m_readout;
};

/// Mean squared error (1/(B R)) sum (pred - y)^2 and its gradient 2 (pred - y) / (B R).
template <class Real>
Real mse_loss(const ConstRowRef<Real>& pred, const ConstRowRef<Real>& target, RowMatrix<Real>* dpred = nullptr) {
  const Real count = static_cast<Real>(pred.size());
  if (dpred) *dpred = (Real(2) / count) * (pred - target);
  return (pred - target).squaredNorm() / count;
}

}  // namespace ttt::models

#include <ttt/detail/transformer_impl.hpp>
