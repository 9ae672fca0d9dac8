// ttt/detail/transformer_impl.hpp: bodies of ttt/models/transformer.hpp.
#pragma once

#include <ttt/random/normal.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ttt::models {

template <class Real, class Kernel>
Transformer<Real, Kernel>::Transformer(const TransformerConfig& config) : m_config(config) {
  const TransformerConfig& c = m_config;
  if (c.input_dim < 1 || c.width < 1 || c.layers < 0 || c.heads < 1 || c.mlp_ratio < 1 || c.max_tokens < 0 ||
      c.output_dim < 1)
    throw std::invalid_argument(
        "Transformer: need input_dim, width, heads, mlp_ratio, output_dim >= 1, layers, max_tokens >= 0");
  if (c.width % c.heads != 0) throw std::invalid_argument("Transformer: heads must divide width");
  m_readin = Linear<Real>(m_layout, "embed.readin", c.input_dim, c.width);
  if (c.max_tokens > 0) m_pos = m_layout.add("embed.position", c.max_tokens, c.width, false);
  for (Index l = 0; l < c.layers; ++l) {
    const std::string p = "blocks." + std::to_string(l);
    Block b;
    if (c.layer_norm) b.ln1 = LayerNorm<Real>(m_layout, p + ".ln1", c.width);
    b.attn = Attention(m_layout, p + ".attn", c.width, c.heads, static_cast<Real>(c.attention_scale));
    if (c.mlp) {
      if (c.layer_norm) b.ln2 = LayerNorm<Real>(m_layout, p + ".ln2", c.width);
      b.mlp = Mlp<Real>(m_layout, p + ".mlp", c.width, c.mlp_ratio * c.width);
    }
    m_blocks.push_back(b);
  }
  if (c.layer_norm) m_final_norm = LayerNorm<Real>(m_layout, "final_norm", c.width);
  m_readout = Linear<Real>(m_layout, "readout", c.width, c.output_dim);
  m_params.setZero(m_layout.size());
}

template <class Real, class Kernel>
void Transformer<Real, Kernel>::initialize(std::uint64_t seed) {
  const auto& ts = m_layout.tensors();
  const Real residual_scale = Real(1) / std::sqrt(Real(2) * static_cast<Real>(std::max<Index>(m_config.layers, 1)));
  for (std::size_t t = 0; t < ts.size(); ++t) {
    const ParamTensor& p = ts[t];
    auto v = vector_view(m_params.data(), p);
    const auto ends = [&](const std::string& s) {
      return p.name.size() >= s.size() && p.name.compare(p.name.size() - s.size(), s.size(), s) == 0;
    };
    if (ends(".bias")) {
      v.setZero();
    } else if (ends("ln1.weight") || ends("ln2.weight") || p.name == "final_norm.weight") {
      v.setOnes();
    } else {
      random::NormalRow(seed, t, random::stream_user + 2, 0).fill(v.data(), static_cast<std::uint32_t>(p.size()));
      Real sd = p.name == "embed.position" ? Real(0.02) : Real(1) / std::sqrt(static_cast<Real>(p.cols));
      if (ends(".attn.o.weight") || ends(".mlp.fc2.weight")) sd *= residual_scale;
      v *= sd;
    }
  }
}

template <class Real, class Kernel>
const RowMatrix<Real>& Transformer<Real, Kernel>::forward(const ConstRowRef<Real>& tokens, Index B, Index T,
                                                          Cache& c, const ForwardOptions<Real>& opt) const {
  const TransformerConfig& cf = m_config;
  const Real* P = m_params.data();
  if (B < 1 || T < 1 || tokens.rows() != B * T || tokens.cols() != cf.input_dim)
    throw std::invalid_argument("Transformer::forward: tokens must be (B*T, input_dim)");
  const Index Tp = opt.prefix ? opt.prefix->tokens() : 0;
  if (opt.prefix && (opt.prefix->layers() != cf.layers || opt.prefix->batch() != B || opt.prefix->width() != cf.width))
    throw std::invalid_argument("Transformer::forward: prefix cache must be (layers, B, Tp, width)");
  c.batch = B;
  c.tokens = T;
  c.prefix = opt.prefix;
  c.offset = opt.position_offset >= 0 ? opt.position_offset : Tp;
  c.readout = opt.readout.empty() ? std::vector<Index>{T - 1} : opt.readout;
  for (Index r : c.readout)
    if (r < 0 || r >= T) throw std::invalid_argument("Transformer::forward: read-out position outside [0, T)");
  if (cf.max_tokens > 0 && c.offset + T > cf.max_tokens)
    throw std::invalid_argument("Transformer::forward: positions beyond max_tokens = " + std::to_string(cf.max_tokens));
  if (opt.capture) opt.capture->resize(cf.layers, B, T, cf.width);

  c.input = tokens;
  c.h.resize(static_cast<std::size_t>(cf.layers + 1));
  c.blocks.resize(static_cast<std::size_t>(cf.layers));
  m_readin.forward(P, tokens, c.h[0]);
  if (cf.max_tokens > 0) {
    const auto pos = view(P, m_pos).middleRows(c.offset, T);
    for (Index b = 0; b < B; ++b) c.h[0].middleRows(b * T, T) += pos;
  }
  for (Index l = 0; l < cf.layers; ++l) {
    const Block& bl = m_blocks[static_cast<std::size_t>(l)];
    BlockCache& bc = c.blocks[static_cast<std::size_t>(l)];
    const RowMatrix<Real>& h = c.h[static_cast<std::size_t>(l)];
    RowMatrix<Real>& out = c.h[static_cast<std::size_t>(l + 1)];
    KVPrefix<Real> pre;
    if (opt.prefix && Tp > 0) pre = {opt.prefix->keys(l).data(), opt.prefix->values(l).data(), Tp};
    if (cf.layer_norm) bl.ln1.forward(P, h, bc.a, bc.ln1);
    bl.attn.forward(P, cf.layer_norm ? bc.a : h, B, T, pre, opt.mask, bc.attn_out, bc.attn);
    if (opt.capture) {
      opt.capture->keys(l) = bc.attn.k;
      opt.capture->values(l) = bc.attn.v;
    }
    if (cf.residual) bc.h_mid = h + bc.attn_out;
    else bc.h_mid = bc.attn_out;
    if (cf.mlp) {
      if (cf.layer_norm) bl.ln2.forward(P, bc.h_mid, bc.m, bc.ln2);
      bl.mlp.forward(P, cf.layer_norm ? bc.m : bc.h_mid, bc.mlp_out, bc.mlp);
      if (cf.residual) out = bc.h_mid + bc.mlp_out;
      else out = bc.mlp_out;
    } else {
      out = bc.h_mid;
    }
  }
  const RowMatrix<Real>& hL = c.h[static_cast<std::size_t>(cf.layers)];
  if (cf.layer_norm) m_final_norm.forward(P, hL, c.z, c.final_ln);
  else c.z = hL;
  const Index R = static_cast<Index>(c.readout.size());
  c.zr.resize(B * R, cf.width);
  for (Index b = 0; b < B; ++b)
    for (Index r = 0; r < R; ++r) c.zr.row(b * R + r) = c.z.row(b * T + c.readout[static_cast<std::size_t>(r)]);
  m_readout.forward(P, c.zr, c.pred);
  c.predictions = Eigen::Map<const RowMatrix<Real>>(c.pred.data(), B, R * cf.output_dim);
  return c.predictions;
}

template <class Real, class Kernel>
void Transformer<Real, Kernel>::backward(Cache& c, const ConstRowRef<Real>& dpred, Real* grads,
                                         KVCache<Real>* prefix_grad, RowMatrix<Real>* d_embedded) const {
  const TransformerConfig& cf = m_config;
  const Real* P = m_params.data();
  const Index B = c.batch, T = c.tokens, R = static_cast<Index>(c.readout.size());
  const Index C = cf.output_dim;
  if (dpred.rows() != B || dpred.cols() != R * C)
    throw std::invalid_argument("Transformer::backward: dpred must be (B, R * output_dim)");
  const Index Tp = c.prefix ? c.prefix->tokens() : 0;
  if (prefix_grad && Tp > 0 &&
      (prefix_grad->layers() != cf.layers || prefix_grad->batch() != B || prefix_grad->tokens() != Tp ||
       prefix_grad->width() != cf.width))
    throw std::invalid_argument("Transformer::backward: prefix_grad must have the prefix's shape");

  // y_hat = zr W_o^T + b_o; dpred row b holds the R read-outs' C outputs one after another
  c.dpred.resize(B * R, C);
  for (Index b = 0; b < B; ++b)
    for (Index r = 0; r < R; ++r) c.dpred.row(b * R + r) = dpred.row(b).segment(r * C, C);
  m_readout.backward(P, c.zr, c.dpred, grads, &c.dzr);
  // zr = rows of z at the read-out positions
  c.dz.setZero(B * T, cf.width);
  for (Index b = 0; b < B; ++b)
    for (Index r = 0; r < R; ++r) c.dz.row(b * T + c.readout[static_cast<std::size_t>(r)]) += c.dzr.row(b * R + r);
  // z = LN_f(h_L)
  if (cf.layer_norm) m_final_norm.backward(P, c.final_ln, c.dz, grads, c.dh);
  else c.dh = c.dz;

  for (Index l = cf.layers - 1; l >= 0; --l) {
    const Block& bl = m_blocks[static_cast<std::size_t>(l)];
    BlockCache& bc = c.blocks[static_cast<std::size_t>(l)];
    // c.dh = dL/d(block output); turn it into dL/dh_mid.
    if (cf.mlp) {
      // out = h_mid + MLP(LN2(h_mid))
      bl.mlp.backward(P, bc.mlp, c.dh, grads, c.dtmp);
      if (cf.layer_norm) {
        bl.ln2.backward(P, bc.ln2, c.dtmp, grads, c.dtmp2);
        c.dtmp.swap(c.dtmp2);
      }
      if (cf.residual) c.dh += c.dtmp;
      else c.dh.swap(c.dtmp);
    }
    // h_mid = h + Attn(LN1(h))
    KVPrefixGrad<Real> pg;
    if (prefix_grad && Tp > 0) pg = {prefix_grad->keys(l).data(), prefix_grad->values(l).data()};
    bl.attn.backward(P, bc.attn, c.dh, grads, pg, c.dtmp);
    if (cf.layer_norm) {
      bl.ln1.backward(P, bc.ln1, c.dtmp, grads, c.dtmp2);
      c.dtmp.swap(c.dtmp2);
    }
    if (cf.residual) c.dh += c.dtmp;
    else c.dh.swap(c.dtmp);
  }
  // h_0 = Z Win^T + bin + pos[offset + t]
  if (cf.max_tokens > 0) {
    auto dpos = view(grads, m_pos).middleRows(c.offset, T);
    for (Index b = 0; b < B; ++b) dpos += c.dh.middleRows(b * T, T);
  }
  m_readin.backward(P, c.input, c.dh, grads, nullptr);
  if (d_embedded) *d_embedded = c.dh;
}

}  // namespace ttt::models
