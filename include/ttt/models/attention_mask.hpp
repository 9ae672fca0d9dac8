// ttt/models/attention_mask.hpp: which keys each query token may attend to. A mask is a boolean
// (queries, keys) table, either shared by every sequence of a batch or one per sequence. Keys are counted
// over the attended sequence [prefix; new tokens], so key j < prefix is prefix token j and key prefix + i is
// new token i. For the softmax kernel a hidden key gets weight exactly 0 (additive -inf before the
// normalisation); for the linear kernel its score is multiplied by 0. A query row with no visible key
// outputs 0 (both kernels).
#pragma once

#include <ttt/models/tensor.hpp>
#include <ttt/random/normal.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ttt::models {

class AttentionMask {
 public:
  AttentionMask() = default;
  /// Every key visible; `sequences` = 1 shares the table across the batch.
  AttentionMask(Index queries, Index keys, Index sequences = 1)
      : m_queries(queries), m_keys(keys), m_sequences(sequences),
        m_allowed(static_cast<std::size_t>(queries * keys * sequences), std::uint8_t(1)) {
    if (queries < 1 || keys < 1 || sequences < 1) throw std::invalid_argument("AttentionMask: empty shape");
  }

  /// Causal over [prefix; new]: new token i sees keys j <= prefix + i.
  static AttentionMask causal(Index queries, Index prefix = 0) {
    AttentionMask m(queries, prefix + queries);
    for (Index i = 0; i < queries; ++i) m.hide(-1, i, i + 1, prefix + i + 1, prefix + queries);
    return m;
  }

  /// In-context prompt of n_context pairs then n_query queries (after `prefix` cached tokens): context
  /// tokens see the prefix and the whole context; each query sees the prefix, the context and itself.
  static AttentionMask prompt(Index n_context, Index n_query, Index prefix = 0) {
    const Index T = n_context + n_query;
    AttentionMask m(T, prefix + T);
    m.hide(-1, 0, n_context, prefix + n_context, prefix + T);
    for (Index q = 0; q < n_query; ++q) {
      const Index i = n_context + q;
      m.hide(-1, i, i + 1, prefix + n_context, prefix + i);
      m.hide(-1, i, i + 1, prefix + i + 1, prefix + T);
    }
    return m;
  }

  bool empty() const { return m_allowed.empty(); }
  Index queries() const { return m_queries; }
  Index keys() const { return m_keys; }
  Index sequences() const { return m_sequences; }
  bool shared() const { return m_sequences == 1; }

  /// Flags of query i of sequence b over all keys (1 = visible).
  const std::uint8_t* row(Index b, Index i) const {
    const Index s = shared() ? 0 : b;
    return m_allowed.data() + (s * m_queries + i) * m_keys;
  }
  bool allowed(Index b, Index i, Index j) const { return row(b, i)[j] != 0; }

  /// Sets keys [j0, j1) of queries [i0, i1) of sequence b (b = -1: every sequence).
  void set(Index b, Index i0, Index i1, Index j0, Index j1, bool visible) {
    check(i0, i1, j0, j1);
    const Index s0 = b < 0 ? 0 : b, s1 = b < 0 ? m_sequences : b + 1;
    if (s0 < 0 || s1 > m_sequences) throw std::out_of_range("AttentionMask: sequence out of range");
    for (Index s = s0; s < s1; ++s)
      for (Index i = i0; i < i1; ++i)
        for (Index j = j0; j < j1; ++j) m_allowed[idx(s, i, j)] = visible ? 1 : 0;
  }
  void hide(Index b, Index i0, Index i1, Index j0, Index j1) { set(b, i0, i1, j0, j1, false); }

  /// Leave-one-out: queries [i0, i1) of sequence b do not see the span [j0, j1) (pair i's own tokens).
  void hide_span(Index b, Index i0, Index i1, Index j0, Index j1) { hide(b, i0, i1, j0, j1); }

  /// Bernoulli token dropout: in every sequence, each key j in [j0, j1) is hidden from every query with
  /// probability p, independently; the draws are uniforms of the Philox stream (seed, index, stream, row = b).
  void drop_keys(double p, std::uint64_t seed, std::uint64_t index, Index j0, Index j1,
                 std::uint32_t stream = random::stream_user + 1) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument("AttentionMask: dropout probability outside [0, 1]");
    check(0, m_queries, j0, j1);
    for (Index s = 0; s < m_sequences; ++s) {
      const random::NormalRow u(seed, index, stream, static_cast<std::uint32_t>(s));
      for (Index j = j0; j < j1; ++j)
        if (u.uniform_at(static_cast<std::uint32_t>(j)) < p)
          for (Index i = 0; i < m_queries; ++i) m_allowed[idx(s, i, j)] = 0;
    }
  }

  /// A per-sequence copy of a shared mask (to edit sequences separately).
  AttentionMask expanded(Index sequences) const {
    if (!shared()) throw std::logic_error("AttentionMask: only a shared mask can be expanded");
    AttentionMask m(m_queries, m_keys, sequences);
    for (Index s = 0; s < sequences; ++s)
      std::copy(m_allowed.begin(), m_allowed.end(), m.m_allowed.begin() + s * m_queries * m_keys);
    return m;
  }

  /// The additive form (0 visible, -inf hidden) of sequence b's table.
  template <class Real>
  RowMatrix<Real> additive(Index b) const {
    RowMatrix<Real> a(m_queries, m_keys);
    for (Index i = 0; i < m_queries; ++i)
      for (Index j = 0; j < m_keys; ++j)
        a(i, j) = allowed(b, i, j) ? Real(0) : -std::numeric_limits<Real>::infinity();
    return a;
  }

 private:
  std::size_t idx(Index s, Index i, Index j) const {
    return static_cast<std::size_t>((s * m_queries + i) * m_keys + j);
  }
  void check(Index i0, Index i1, Index j0, Index j1) const {
    if (i0 < 0 || i1 > m_queries || i0 > i1 || j0 < 0 || j1 > m_keys || j0 > j1)
      throw std::out_of_range("AttentionMask: range outside the (queries, keys) table");
  }

  Index m_queries = 0;
  Index m_keys = 0;
  Index m_sequences = 0;
  std::vector<std::uint8_t> m_allowed;
};

}  // namespace ttt::models
