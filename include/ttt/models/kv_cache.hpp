// ttt/models/kv_cache.hpp: the keys and values of every attention layer at a set of cached tokens,
// used as a prefix that later tokens attend to (CT-KV, Deep-Thinking, prefix tuning), written by a forward
// pass that captures its own keys and values, and differentiated (a KVCache of the same shape holds
// dL/dK and dL/dV). Keys and values are after the projections and before the split into heads:
// head h uses columns [h*dh, (h+1)*dh).
// Storage: one flat buffer (so optimisers treat a cache like parameters), layer l's K then V, each a
// row-major (batch*tokens, width) matrix whose rows [b*tokens, (b+1)*tokens) are sequence b.
//
// CT-KV with it: forward the k demonstrations once with opt.capture = &D (batch 1, Tp tokens); for m target
// pairs, P = D.slice(0, 0, Tp, m); forward the targets with opt.prefix = &P and a per-sequence mask hiding
// target i's own span (AttentionMask::hide_span, drop_keys for token dropout); backward(..., &dP);
// dL/dD = dP.sum_batches(); AdamW on D.data(). Deep-Thinking: forward the demonstrations with
// opt.prefix = &D_prev and opt.capture = &D_new (position_offset states the position policy).
#pragma once

#include <ttt/models/tensor.hpp>

#include <stdexcept>

namespace ttt::models {

template <class Real>
class KVCache {
 public:
  KVCache() = default;
  KVCache(Index layers, Index batch, Index tokens, Index width) { resize(layers, batch, tokens, width); }

  /// Reshapes to zeros.
  void resize(Index layers, Index batch, Index tokens, Index width) {
    if (layers < 0 || batch < 0 || tokens < 0 || width < 0) throw std::invalid_argument("KVCache: negative shape");
    m_layers = layers;
    m_batch = batch;
    m_tokens = tokens;
    m_width = width;
    m_data.setZero(2 * layers * batch * tokens * width);
  }

  Index layers() const { return m_layers; }
  Index batch() const { return m_batch; }
  Index tokens() const { return m_tokens; }
  Index width() const { return m_width; }
  bool empty() const { return m_tokens == 0 || m_layers == 0; }

  RowMatrixMap<Real> keys(Index l) { return RowMatrixMap<Real>(ptr(l, 0), m_batch * m_tokens, m_width); }
  RowMatrixMap<Real> values(Index l) { return RowMatrixMap<Real>(ptr(l, 1), m_batch * m_tokens, m_width); }
  ConstRowMatrixMap<Real> keys(Index l) const {
    return ConstRowMatrixMap<Real>(ptr(l, 0), m_batch * m_tokens, m_width);
  }
  ConstRowMatrixMap<Real> values(Index l) const {
    return ConstRowMatrixMap<Real>(ptr(l, 1), m_batch * m_tokens, m_width);
  }
  /// Sequence b's (tokens, width) keys / values of layer l.
  auto keys(Index l, Index b) { return keys(l).middleRows(b * m_tokens, m_tokens); }
  auto values(Index l, Index b) { return values(l).middleRows(b * m_tokens, m_tokens); }
  auto keys(Index l, Index b) const { return keys(l).middleRows(b * m_tokens, m_tokens); }
  auto values(Index l, Index b) const { return values(l).middleRows(b * m_tokens, m_tokens); }

  /// Every number of the cache (for optimisers: a cache as trainable parameters).
  ColVector<Real>& data() { return m_data; }
  const ColVector<Real>& data() const { return m_data; }
  void set_zero() { m_data.setZero(); }

  /// The cache of sequence b's tokens [t0, t1) repeated for `batch` sequences (e.g. a task's demonstrations
  /// as the prefix of a batch of target pairs).
  KVCache slice(Index b, Index t0, Index t1, Index batch = 1) const {
    if (b < 0 || b >= m_batch || t0 < 0 || t1 > m_tokens || t0 > t1) throw std::out_of_range("KVCache::slice");
    KVCache out(m_layers, batch, t1 - t0, m_width);
    for (Index l = 0; l < m_layers; ++l)
      for (Index s = 0; s < batch; ++s) {
        out.keys(l, s) = keys(l, b).middleRows(t0, t1 - t0);
        out.values(l, s) = values(l, b).middleRows(t0, t1 - t0);
      }
    return out;
  }

  /// The sum over sequences, as a batch-1 cache: when one prefix is repeated for a batch of targets
  /// (slice(b, t0, t1, batch)), the gradient w.r.t. the shared prefix is the sum of the per-sequence gradients.
  KVCache sum_batches() const {
    KVCache out(m_layers, 1, m_tokens, m_width);
    for (Index l = 0; l < m_layers; ++l)
      for (Index s = 0; s < m_batch; ++s) {
        out.keys(l, 0) += keys(l, s);
        out.values(l, 0) += values(l, s);
      }
    return out;
  }

  /// [this; other] along tokens, sequence by sequence (same layers, batch and width).
  KVCache concat(const KVCache& other) const {
    if (other.m_layers != m_layers || other.m_batch != m_batch || other.m_width != m_width)
      throw std::invalid_argument("KVCache::concat: shapes differ");
    KVCache out(m_layers, m_batch, m_tokens + other.m_tokens, m_width);
    for (Index l = 0; l < m_layers; ++l)
      for (Index s = 0; s < m_batch; ++s) {
        out.keys(l, s).topRows(m_tokens) = keys(l, s);
        out.keys(l, s).bottomRows(other.m_tokens) = other.keys(l, s);
        out.values(l, s).topRows(m_tokens) = values(l, s);
        out.values(l, s).bottomRows(other.m_tokens) = other.values(l, s);
      }
    return out;
  }

 private:
  Real* ptr(Index l, Index kv) { return m_data.data() + (2 * l + kv) * m_batch * m_tokens * m_width; }
  const Real* ptr(Index l, Index kv) const { return m_data.data() + (2 * l + kv) * m_batch * m_tokens * m_width; }

  Index m_layers = 0, m_batch = 0, m_tokens = 0, m_width = 0;
  ColVector<Real> m_data;
};

}  // namespace ttt::models
